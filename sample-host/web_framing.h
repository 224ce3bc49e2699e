/* web_framing.h - request framing checks against request smuggling: more than one differing Content-Length,
 * Content-Length together with Transfer-Encoding, and a NUL or control byte (other than tab) in any header
 * value (libmicrohttpd keeps such bytes, and C code reading the value stops at a NUL). The server answers each
 * with 400 and Connection: close before it reads a body. */
#ifndef SAMPLE_HOST_WEB_FRAMING_H
#define SAMPLE_HOST_WEB_FRAMING_H

#include <microhttpd.h>

/* NULL when the headers of the request on `conn` frame it unambiguously, else a static sentence saying what is
 * wrong (for the 400 body). Call once per request, when its headers are complete. */
const char *web_framing_problem(struct MHD_Connection *conn);

#endif /* SAMPLE_HOST_WEB_FRAMING_H */
