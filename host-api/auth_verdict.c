/* auth_verdict.c - panelhost_authenticate_verdict and panelhost_process_verdict: API authentication for a
 * binding in one call, the request given as one buffer of its own language's string (method, path, client
 * address, then the headers, each NUL-terminated) and the outcome returned as one short text in a buffer of
 * the calling thread, so that PHP's FFI passes and reads plain strings: no C object to allocate, no field to
 * read one by one, no NUL check of its own (the string count does it); the process variant also finds the
 * process-wide host by its config path, so a request of a php-fpm worker makes a single FFI call. */
#include <string.h>

#include "internal.h"

/* "D" + 3 digits + error_code (31) + "\n" + message (255) + NUL, or "A" + principal (63) + NUL */
#define VERDICT_MAX (1 + 3 + sizeof(((panelhost_auth_outcome_t *)0)->error_code) + 1 + \
                     sizeof(((panelhost_auth_outcome_t *)0)->message))

static _Thread_local char verdict[VERDICT_MAX];

/* Appends the string s (truncated to what fits) at verdict + at; returns the new end. */
static size_t put(size_t at, const char *s)
{
    size_t len = strlen(s);
    if (len > sizeof verdict - 1 - at)
        len = sizeof verdict - 1 - at;
    memcpy(verdict + at, s, len);
    return at + len;
}

static const char *refuse(const char *why)
{
    verdict[put(put(0, "D400bad_request\nthe request could not be checked: "), why)] = '\0';
    return verdict;
}

static const char *verdict_of(panelhost_t *host, const char *scope, const char *request, size_t request_len,
                              size_t n_headers);

const char *panelhost_process_verdict(const char *config_path, const char *request, size_t request_len,
                                      size_t n_headers)
{
    return panelhost_process_verdict_scoped(config_path, NULL, request, request_len, n_headers);
}

const char *panelhost_process_verdict_scoped(const char *config_path, const char *scope, const char *request,
                                             size_t request_len, size_t n_headers)
{
    panelhost_t *host = panelhost_process_host(config_path);
    if (!host) {
        verdict[put(0, "D503host_not_open\nthe API cannot check requests yet: this process has no open host of "
                       "its config (panelhost_process_open opens it)")] = '\0';
        return verdict;
    }
    return verdict_of(host, scope, request, request_len, n_headers);
}

const char *panelhost_authenticate_verdict(panelhost_t *host, const char *request, size_t request_len,
                                           size_t n_headers)
{
    return verdict_of(host, NULL, request, request_len, n_headers);
}

static const char *verdict_of(panelhost_t *host, const char *scope, const char *request, size_t request_len,
                              size_t n_headers)
{
    if (!request || request_len == 0 || request[request_len - 1] != '\0')
        return refuse("it is incomplete (method, path and client address are required)");
    if (n_headers > PANELHOST_HEADERS_MAX)
        return refuse("it has more headers than the library accepts (256)");
    /* method, path, client address, then name and value of each header: a NUL inside any of them shows as
     * more strings than that */
    const char *end = request + request_len, *starts[3];
    size_t strings = 0;
    for (const char *at = request; at < end; strings++) {
        if (strings < 3)
            starts[strings] = at;
        at = (const char *)memchr(at, '\0', (size_t)(end - at)) + 1;
    }
    if (strings != 3 + 2 * n_headers)
        return refuse(strings < 3 ? "it is incomplete (method, path and client address are required)"
                                  : "it contains a NUL byte");
    const char *packed = starts[2] + strlen(starts[2]) + 1;
    panelhost_auth_outcome_t out;
    ph_authenticate_packed(host, starts[0], starts[1], starts[2], scope, packed, (size_t)(end - packed), &out);
    size_t at;
    if (out.allowed == 1) {
        at = put(put(0, "A"), out.principal);
    } else {
        int status = out.http_status >= 100 && out.http_status <= 599 ? out.http_status : 500;
        char digits[5] = {'D', (char)('0' + status / 100), (char)('0' + status / 10 % 10), (char)('0' + status % 10)};
        for (char *c = out.error_code; *c; c++)
            if (*c == '\n')
                *c = '_'; /* the code ends at the first newline */
        at = put(put(put(put(0, digits), out.error_code), "\n"), out.message);
    }
    verdict[at] = '\0';
    return verdict;
}
