/* web_framing.h - request framing checks against request smuggling: more than one differing Content-Length,
 * Content-Length together with Transfer-Encoding, a Transfer-Encoding whose last coding is not chunked (the
 * body's end cannot be told; libmicrohttpd would read until the client closes), and a NUL or control byte
 * (other than tab) in any header value (libmicrohttpd keeps such bytes, and C code reading the value stops at
 * a NUL): 400. A transfer coding other than chunked before the final chunked: 501 (RFC 9112, 6.1). The server
 * answers each with Connection: close before it reads a body. */
#ifndef SAMPLE_HOST_WEB_FRAMING_H
#define SAMPLE_HOST_WEB_FRAMING_H

#include <microhttpd.h>

/* NULL when the headers of the request on `conn` frame it unambiguously, else a static sentence saying what is
 * wrong (for the answer's body) with the answer's status in *status (400 or 501). Call once per request, when
 * its headers are complete. */
const char *web_framing_problem(struct MHD_Connection *conn, int *status);

#endif /* SAMPLE_HOST_WEB_FRAMING_H */
