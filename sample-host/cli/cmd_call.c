/* cmd_call.c - the `call` command: sends one API request through the sample host's router, as an external
 * tool would over HTTP, with headers from -H 'Name: value' (looked up case-insensitively), a body from -d
 * (a form unless -H gives a Content-Type) and the client address "local" or the one --from claims. Prints the
 * status and the JSON body. Header values (credentials) are wiped afterwards. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cli.h"
#include "json_doc.h"
#include "router.h"

typedef struct call_header {
    char *name;
    char *value;
} call_header_t;

typedef struct call_headers {
    call_header_t *items;
    size_t n;
} call_headers_t;

static const char *lookup_header(const call_headers_t *headers, const char *name)
{
    for (size_t i = 0; i < headers->n; i++)
        if (strcasecmp(headers->items[i].name, name) == 0)
            return headers->items[i].value;
    return NULL;
}

/* 1 when text is an IPv4 or IPv6 address. */
static int is_ip_address(const char *text)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

static void headers_free(call_headers_t *headers)
{
    for (size_t i = 0; i < headers->n; i++) {
        free(headers->items[i].name);
        if (headers->items[i].value != NULL) {
            sodium_memzero(headers->items[i].value, strlen(headers->items[i].value));
            free(headers->items[i].value);
        }
    }
    free(headers->items);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits "Name: value" (cli_parse made sure there is a name before the colon), trimming blanks around
 * both. Returns 0 when out of memory or the name is not a valid HTTP token. */
static int split_header(const char *given, call_header_t *out, int *bad_name)
{
    const char *colon = strchr(given, ':');
    const char *name_end = colon;
    while (name_end > given && is_blank(name_end[-1]))
        name_end--;
    *bad_name = name_end == given;
    for (const char *p = given; p < name_end; p++)
        if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
            *bad_name = 1;
    if (*bad_name)
        return 0;
    const char *value = colon + 1;
    while (is_blank(*value))
        value++;
    size_t value_len = strlen(value);
    while (value_len > 0 && is_blank(value[value_len - 1]))
        value_len--;
    out->name = strndup(given, (size_t)(name_end - given));
    out->value = strndup(value, value_len);
    return out->name != NULL && out->value != NULL;
}

int cmd_call(cli_context_t *ctx)
{
    const cli_invocation_t *inv = ctx->inv;
    const char *method = inv->args[0];
    const char *path = inv->args[1];
    if (path[0] != '/')
        return cli_fail(inv, CLI_EXIT_USAGE, "usage", "the path must start with '/', e.g. /api/v1/ping");
    for (const char *m = method; *m; m++)
        if (!isupper((unsigned char)*m))
            return cli_fail(inv, CLI_EXIT_USAGE, "usage",
                            "the method must be an upper-case HTTP method such as GET, not '%s'", method);

    if (inv->from != NULL && !is_ip_address(inv->from))
        return cli_fail(inv, CLI_EXIT_USAGE, "usage",
                        "--from wants an IPv4 or IPv6 address such as 203.0.113.7, not '%.64s'", inv->from);
    if (inv->body != NULL && strlen(inv->body) > ROUTER_BODY_MAX)
        return cli_fail(inv, CLI_EXIT_USAGE, "usage", "the -d body is longer than %d bytes; send less",
                        ROUTER_BODY_MAX);

    call_headers_t headers = {calloc(inv->n_headers + 2, sizeof(call_header_t)), 0};
    if (headers.items == NULL)
        return cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < inv->n_headers; i++) {
        int bad_name = 0;
        int ok = split_header(inv->headers[i], &headers.items[headers.n], &bad_name);
        headers.n++;
        sodium_memzero(inv->headers[i], strlen(inv->headers[i])); /* hide credentials from `ps` from now on */
        if (!ok) {
            rc = bad_name ? cli_fail(inv, CLI_EXIT_USAGE, "usage", "-H header %zu has an invalid name; write "
                                     "-H 'Name: value', e.g. -H 'X-API-Key: KEY'", i + 1)
                          : cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
            break;
        }
    }
    if (rc == CLI_EXIT_OK && inv->body != NULL && lookup_header(&headers, "Content-Type") == NULL) {
        call_header_t *form = &headers.items[headers.n++]; /* what curl -d sends */
        form->name = strdup("Content-Type");
        form->value = strdup("application/x-www-form-urlencoded");
        if (form->name == NULL || form->value == NULL)
            rc = cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
    }
    if (rc != CLI_EXIT_OK) {
        headers_free(&headers);
        return rc;
    }

    panelhost_header_t *pairs = calloc(headers.n + 1, sizeof *pairs);
    if (pairs == NULL) {
        headers_free(&headers);
        return cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
    }
    for (size_t i = 0; i < headers.n; i++)
        pairs[i] = (panelhost_header_t){headers.items[i].name, headers.items[i].value};
    router_request_t request = {
        .method = method,
        .path = path,
        .headers = pairs,
        .n_headers = headers.n,
        .client_addr = inv->from != NULL ? inv->from : "local",
        .body = inv->body,
        .body_len = inv->body != NULL ? strlen(inv->body) : 0,
    };
    router_response_t response;
    router_t router;
    router_init(&router, ctx->host, ROUTER_LEAK_REPORTS_PER_MINUTE); /* one request: never over any limit */
    router_handle(&router, &request, &response);
    router_destroy(&router);
    free(pairs);
    headers_free(&headers);

    const char *body = response.body != NULL ? response.body : "null";
    if (inv->json) {
        /* The router's body is a JSON document of its own: nested as a value, not as a string. */
        json_t *answer = json_loads(body, JSON_DECODE_ANY, NULL);
        if (answer == NULL)
            rc = cli_fail(inv, CLI_EXIT_REFUSED, "internal", "the answer's body is not JSON");
        else if (!response.deprecation[0] && !response.sunset[0])
            rc = cli_emit_json(inv, json_pack("{s:i,s:o}", "status", response.status, "body", answer));
        else /* the headers that tell the tool its key is going away */
            rc = cli_emit_json(inv, json_pack("{s:i,s:{s:s?,s:s?},s:o}", "status", response.status, "headers",
                                              "Deprecation", response.deprecation[0] ? response.deprecation : NULL,
                                              "Sunset", response.sunset[0] ? response.sunset : NULL, "body",
                                              answer));
    } else {
        printf("HTTP %d\n", response.status);
        if (response.deprecation[0])
            printf("Deprecation: %s\n", response.deprecation);
        if (response.sunset[0])
            printf("Sunset: %s\n", response.sunset);
        printf("%s\n", body);
    }
    int status = response.status;
    router_response_free(&response);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (status < 200 || status > 299) {
        fprintf(stderr, "sample-host: the request was answered with HTTP %d\n", status);
        return CLI_EXIT_REFUSED;
    }
    return CLI_EXIT_OK;
}
