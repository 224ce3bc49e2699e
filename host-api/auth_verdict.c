/* auth_verdict.c - panelhost_process_verdict: panelhost_authenticate for a binding, in one call that needs no
 * C object: the request comes as one buffer of the binding's own string (method, path, client address, then
 * name and value of each header, each NUL-terminated), the host is the process-wide one of the config path,
 * and the outcome goes back as one short text in a buffer of the calling thread. PHP's FFI thus passes and
 * reads plain strings, and no code of the binding's language runs inside C. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* "A" principal "\n" label "\n" scopes "\n" deprecation "\n" sunset, or "D" status code "\n" retry_after "\n"
 * message; and the NUL */
#define VERDICT_MAX (1 + PANEL_PRINCIPAL_MAX + PANEL_LABEL_MAX + PANEL_SCOPES_MAX + 48 + PANEL_MESSAGE_MAX)

static _Thread_local char verdict[VERDICT_MAX];

/* Appends s (truncated to what fits) at verdict + at, a newline inside it turned into `newline`; returns the
 * new end. */
static size_t put(size_t at, const char *s, char newline)
{
    for (; *s && at < sizeof verdict - 1; s++)
        verdict[at++] = *s == '\n' ? newline : *s;
    return at;
}

/* Appends "\n" and v in decimal at verdict + at (what fits); returns the new end. By hand, not snprintf: it runs
 * twice on every allowed request, where a PHP worker calls in with cold caches and vfprintf's code is far. */
static size_t put_number(size_t at, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[n++] = '-';
    if (at < sizeof verdict - 1)
        verdict[at++] = '\n';
    while (n && at < sizeof verdict - 1)
        verdict[at++] = digits[--n];
    return at;
}

static const char *denial(int status, const char *code, long long retry_after, const char *message)
{
    char head[64];
    snprintf(head, sizeof head, "D%03d", status >= 100 && status <= 599 ? status : 500);
    size_t at = put(0, head, '_');
    at = put(at, code, '_');
    snprintf(head, sizeof head, "\n%lld\n", retry_after);
    at = put(at, head, '\n');
    verdict[put(at, message, ' ')] = '\0';
    return verdict;
}

static const char *refuse(const char *why)
{
    char message[PANEL_MESSAGE_MAX];
    snprintf(message, sizeof message, "the request could not be checked: %s", why);
    return denial(400, "bad_request", 0, message);
}

const char *panelhost_process_verdict(const char *config_path, const char *scope, const char *request,
                                      size_t request_len)
{
    if (!request || request_len == 0 || request[request_len - 1] != '\0')
        return refuse("it is incomplete (method, path and client address are required, each ending with NUL)");
    /* method, path, client address, then name and value of each header: an even count of header strings */
    const char *strings[3 + 2 * PANELHOST_HEADERS_MAX];
    size_t n = 0;
    for (const char *at = request, *end = request + request_len; at < end; n++) {
        if (n == sizeof strings / sizeof strings[0])
            return refuse("it has more headers than the library accepts (256)");
        strings[n] = at;
        at = (const char *)memchr(at, '\0', (size_t)(end - at)) + 1;
    }
    if (n < 3)
        return refuse("it is incomplete (method, path and client address are required)");
    if ((n - 3) % 2 != 0)
        return refuse("a header has a name but no value (or a value holds a NUL byte)");
    panelhost_t *host = panelhost_process_host(config_path);
    if (!host)
        return denial(503, "host_not_open", 0,
                      "the API cannot check requests yet: this process has no open host of its config "
                      "(panelhost_process_open opens it)");
    /* panelhost_header_t is two pointers: the strings after the first three, in pairs, are such an array */
    panelhost_header_t headers[PANELHOST_HEADERS_MAX];
    size_t n_headers = (n - 3) / 2;
    for (size_t i = 0; i < n_headers; i++) {
        headers[i].name = strings[3 + 2 * i];
        headers[i].value = strings[4 + 2 * i];
    }
    const panelhost_request_t rq = {
        .method = strings[0],
        .path = strings[1],
        .client_addr = strings[2],
        .scope = scope,
        .headers = headers,
        .n_headers = n_headers,
    };
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    panelhost_authenticate(host, &rq, &out);
    if (out.allowed != 1)
        return denial(out.http_status, out.error_code, (long long)out.retry_after, out.message);
    size_t at = put(put(0, "A", '_'), out.principal, '_');
    at = put(put(at, "\n", '\n'), out.label, ' ');
    at = put(put(at, "\n", '\n'), out.scopes, '_');
    at = put_number(put_number(at, (long long)out.deprecation), (long long)out.sunset);
    verdict[at] = '\0';
    return verdict;
}
