/* cmd_openapi.c - the `openapi` command: prints the OpenAPI 3.1 document of the sample host's API (openapi.c;
 * the same as GET /api/v1/openapi.json serves), indented, for docs/openapi.json and the test that regenerates
 * it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json_doc.h"
#include "openapi.h"

int cmd_openapi(cli_context_t *ctx)
{
    json_t *doc = openapi_document(ctx->host);
    char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (text == NULL)
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "internal", "the OpenAPI document could not be built");
    int failed = cli_write_stdout(text, strlen(text)) != 0 || cli_write_stdout("\n", 1) != 0;
    json_doc_text_free(text); /* jansson's allocator (json_doc.h) */
    if (failed) {
        fprintf(stderr, "sample-host: cannot write to standard output\n");
        return CLI_EXIT_REFUSED;
    }
    return CLI_EXIT_OK;
}
