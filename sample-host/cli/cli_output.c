/* cli_output.c - how the sample host reports: error messages on stderr (and {"error","message"} on stdout
 * under --json), the mapping of PANEL_E_* statuses to error codes and exit statuses, and unbuffered writes
 * to stdout for output that may carry a secret. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json_doc.h"

int cli_write_stdout(const char *bytes, size_t n)
{
    fflush(stdout);
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, bytes, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        bytes += w;
        n -= (size_t)w;
    }
    return 0;
}

int cli_fail(const cli_invocation_t *inv, int exit_status, const char *code, const char *fmt, ...)
{
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fprintf(stderr, "sample-host: %s\n", message);
    if (inv != NULL && inv->json) {
        char *doc = json_doc_text(
            json_pack("{s:o,s:o}", "error", json_doc_string(code), "message", json_doc_string(message)));
        if (doc != NULL) {
            cli_write_stdout(doc, strlen(doc));
            cli_write_stdout("\n", 1);
        }
        json_doc_text_free(doc);
    }
    return exit_status;
}

const char *cli_status_code(int32_t status)
{
    switch (status) {
    case PANEL_OK: return "ok";
    case PANEL_E_INVALID: return "invalid";
    case PANEL_E_DENIED: return "denied";
    case PANEL_E_NOT_FOUND: return "not_found";
    case PANEL_E_CONFLICT: return "conflict";
    case PANEL_E_VERSION: return "version";
    case PANEL_E_STORE: return "store";
    case PANEL_E_NOMEM: return "no_memory";
    case PANEL_E_CONFIRM: return "confirmation_required";
    case PANEL_E_STATE: return "state";
    case PANEL_E_UNAVAILABLE: return "unavailable";
    default: return "internal";
    }
}

int cli_status_exit(int32_t status)
{
    if (status == PANEL_OK)
        return CLI_EXIT_OK;
    if (status == PANEL_E_NOT_FOUND)
        return CLI_EXIT_USAGE; /* the command named a page, field, table or action that does not exist */
    return CLI_EXIT_REFUSED;
}

int cli_emit_json(const cli_invocation_t *inv, json_t *document)
{
    char *text = json_doc_text(document);
    if (text == NULL)
        return cli_fail(inv, CLI_EXIT_REFUSED, "internal", "out of memory while writing the JSON output");
    int failed = cli_write_stdout(text, strlen(text)) != 0 || cli_write_stdout("\n", 1) != 0;
    json_doc_text_free(text); /* wipes it: the document may have carried a one-time secret */
    if (failed) {
        fprintf(stderr, "sample-host: cannot write to standard output: %s\n", strerror(errno));
        return CLI_EXIT_REFUSED;
    }
    return CLI_EXIT_OK;
}
