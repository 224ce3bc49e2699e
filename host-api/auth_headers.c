/* auth_headers.c - the request headers as auth providers see them: panel_request_t.header() over the host's
 * array of (name, value) pairs, by the rules of RFC 9110: names compared case-insensitively, a field sent
 * several times handed over as one value joined by ", " (section 5.3), and the whitespace around a value (OWS:
 * spaces and tabs) not part of it (section 5.5). A value that needs neither is handed over as the host's own
 * pointer; the others are built in the view's scratch buffer, which lives on the authenticating thread's stack
 * for the one call. */
#include <string.h>
#include <strings.h>

#include "internal.h"

void ph_header_view_init(ph_header_view_t *view, const panelhost_header_t *headers, size_t n)
{
    view->headers = headers;
    view->n = n;
    view->used = 0;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* value without its surrounding whitespace: *start and *len. */
static void trimmed(const char *value, const char **start, size_t *len)
{
    size_t n = strlen(value);
    while (n > 0 && is_ows(*value)) {
        value++;
        n--;
    }
    while (n > 0 && is_ows(value[n - 1]))
        n--;
    *start = value;
    *len = n;
}

const char *ph_header_lookup(const panel_request_t *self, const char *name)
{
    ph_header_view_t *view = self->req_ctx;
    if (!name)
        return NULL;
    size_t first = view->n, count = 0;
    for (size_t i = 0; i < view->n; i++) {
        if (strcasecmp(view->headers[i].name, name) == 0) {
            if (count++ == 0)
                first = i;
        }
    }
    if (count == 0)
        return NULL;
    const char *value = view->headers[first].value;
    size_t value_len = strlen(value);
    if (count == 1 && (value_len == 0 || (!is_ows(value[0]) && !is_ows(value[value_len - 1]))))
        return value; /* the common case: no copy */

    /* Joined and trimmed into the scratch buffer. A header too long for it is handed over as absent: the
     * providers then abstain or deny, so the request is never allowed on a value it was not given whole. */
    char *out = view->scratch + view->used;
    size_t room = sizeof view->scratch - view->used, at = 0, seen = 0;
    for (size_t i = first; i < view->n && seen < count; i++) {
        if (strcasecmp(view->headers[i].name, name) != 0)
            continue;
        const char *start;
        size_t len;
        trimmed(view->headers[i].value, &start, &len);
        size_t need = (seen > 0 ? 2 : 0) + len;
        if (at + need + 1 > room)
            return NULL;
        if (seen > 0) {
            out[at++] = ',';
            out[at++] = ' ';
        }
        memcpy(out + at, start, len);
        at += len;
        seen++;
    }
    out[at] = '\0';
    view->used += at + 1;
    return out;
}
