/* auth_arrays.c - panelhost_authenticate_headers: API authentication of a request given as plain arrays of
 * header names and values (for bindings such as PHP's FFI, whose code must not run inside a C callback); it
 * builds a panel_request_t whose header lookup searches those arrays, and asks panelhost_authenticate. The
 * packed form (name NUL value NUL ...) is split into such arrays on the stack. */
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct header_arrays {
    const char *const *names;
    const char *const *values;
    size_t n;
} header_arrays_t;

/* [thread-safe] The first value whose name matches case-insensitively, or NULL. */
static const char *array_header(const panel_request_t *self, const char *name)
{
    const header_arrays_t *h = self->req_ctx;
    if (!name)
        return NULL;
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

static void deny_bad_request(panelhost_auth_outcome_t *out, const char *why)
{
    memset(out, 0, sizeof *out);
    out->allowed = 0;
    out->http_status = 400;
    ph_errf(out->error_code, sizeof out->error_code, "bad_request");
    ph_errf(out->message, sizeof out->message, "the request could not be checked: %s", why);
}

int32_t panelhost_authenticate_headers(panelhost_t *host, const char *method, const char *path,
                                       const char *client_addr, const char *const *names,
                                       const char *const *values, size_t n_headers,
                                       panelhost_auth_outcome_t *out)
{
    return ph_authenticate_arrays(host, method, path, client_addr, NULL, names, values, n_headers, out);
}

int32_t ph_authenticate_arrays(panelhost_t *host, const char *method, const char *path, const char *client_addr,
                               const char *scope, const char *const *names, const char *const *values,
                               size_t n_headers, panelhost_auth_outcome_t *out)
{
    if (!out)
        return PANEL_E_INVALID;
    if (!host || !method || !path || !client_addr) {
        deny_bad_request(out, "it is incomplete (host, method, path and client address are required)");
        return PANEL_E_INVALID;
    }
    if (n_headers > PANELHOST_HEADERS_MAX) {
        deny_bad_request(out, "it has more headers than the library accepts (256)");
        return PANEL_E_INVALID;
    }
    if (n_headers > 0 && (!names || !values)) {
        deny_bad_request(out, "header arrays are missing");
        return PANEL_E_INVALID;
    }
    for (size_t i = 0; i < n_headers; i++) {
        if (!names[i] || !values[i]) {
            deny_bad_request(out, "a header name or value is missing");
            return PANEL_E_INVALID;
        }
    }
    header_arrays_t headers = {names, values, n_headers};
    panel_request_t request = {
        .struct_size = sizeof(panel_request_t),
        .method = method,
        .path = path,
        .client_addr = client_addr,
        .req_ctx = &headers,
        .header = array_header,
        .scope = scope,
    };
    return panelhost_authenticate(host, &request, out);
}

int32_t panelhost_authenticate_packed(panelhost_t *host, const char *method, const char *path,
                                      const char *client_addr, const char *packed, size_t packed_len,
                                      panelhost_auth_outcome_t *out)
{
    return ph_authenticate_packed(host, method, path, client_addr, NULL, packed, packed_len, out);
}

int32_t ph_authenticate_packed(panelhost_t *host, const char *method, const char *path, const char *client_addr,
                               const char *scope, const char *packed, size_t packed_len,
                               panelhost_auth_outcome_t *out)
{
    const char *names[PANELHOST_HEADERS_MAX], *values[PANELHOST_HEADERS_MAX];
    size_t n = 0;
    if (!out)
        return PANEL_E_INVALID;
    if (packed_len > 0 && (!packed || packed[packed_len - 1] != '\0')) {
        deny_bad_request(out, "the packed headers do not end with a NUL byte");
        return PANEL_E_INVALID;
    }
    for (size_t at = 0; at < packed_len;) {
        const char *name = packed + at;
        at += strlen(name) + 1;
        if (at >= packed_len) {
            deny_bad_request(out, "a packed header has a name but no value");
            return PANEL_E_INVALID;
        }
        const char *value = packed + at;
        at += strlen(value) + 1;
        if (n == PANELHOST_HEADERS_MAX) {
            deny_bad_request(out, "it has more headers than the library accepts (256)");
            return PANEL_E_INVALID;
        }
        names[n] = name;
        values[n] = value;
        n++;
    }
    return ph_authenticate_arrays(host, method, path, client_addr, scope, names, values, n, out);
}
