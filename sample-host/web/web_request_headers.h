/* web_request_headers.h - a request's headers as the array of (name, value) pairs the router and libpanelhost
 * take (panelhost_header_t), collected from libmicrohttpd in the order received. */
#ifndef SAMPLE_HOST_WEB_REQUEST_HEADERS_H
#define SAMPLE_HOST_WEB_REQUEST_HEADERS_H

#include <microhttpd.h>
#include <stddef.h>

#include "panel/host.h"

/* Room for one more header than libpanelhost accepts, so a request with too many is refused (400) there. */
#define WEB_REQUEST_HEADERS_MAX (PANELHOST_HEADERS_MAX + 1u)

/* Fills out[0..max) with the request's headers (pointers into libmicrohttpd's copy, valid while the request
 * is handled); returns how many (at most max). */
size_t web_request_headers(struct MHD_Connection *conn, panelhost_header_t *out, size_t max);

#endif /* SAMPLE_HOST_WEB_REQUEST_HEADERS_H */
