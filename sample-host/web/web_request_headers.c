/* web_request_headers.c - a request's headers as the array of (name, value) pairs the router and libpanelhost
 * take, collected from libmicrohttpd in the order received (repeated fields stay separate entries; the library
 * joins them). */
#include "web_request_headers.h"

typedef struct collector {
    panelhost_header_t *out;
    size_t max;
    size_t n;
} collector_t;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    collector_t *c = cls;
    if (c->n == c->max)
        return MHD_NO;
    c->out[c->n].name = key;
    c->out[c->n].value = value != NULL ? value : "";
    c->n++;
    return MHD_YES;
}

size_t web_request_headers(struct MHD_Connection *conn, panelhost_header_t *out, size_t max)
{
    collector_t c = {out, max, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, &c);
    return c.n;
}
