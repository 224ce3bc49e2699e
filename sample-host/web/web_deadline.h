/* web_deadline.h - whole-request deadlines against trickling clients (libmicrohttpd's own timeout counts only
 * idle time, so a byte every few seconds would hold a connection forever): a connection must deliver a request's
 * line and headers within header_timeout seconds of opening or of its previous answer, and then its whole body
 * within body_timeout seconds, at body_min_rate bytes per second or more (after a grace of header_timeout
 * seconds). A watchdog thread checks
 * four times a second and shuts down (shutdown(2), never close) the socket of a connection that is late, which
 * libmicrohttpd then closes; it logs one line per connection it cut. Thread-safe. */
#ifndef SAMPLE_HOST_WEB_DEADLINE_H
#define SAMPLE_HOST_WEB_DEADLINE_H

#include <stddef.h>

#include <microhttpd.h>

typedef struct web_deadline web_deadline_t;

/* Starts the watchdog thread. Returns 0, or -1 with err. */
int web_deadline_start(web_deadline_t **out, unsigned header_timeout, unsigned body_timeout,
                       unsigned body_min_rate, char *err, size_t err_len);
/* Stops the watchdog; call after MHD_stop_daemon (no connection left). */
void web_deadline_stop(web_deadline_t *d);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the web_deadline_t): tracks each connection from open to close. */
void web_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code);

/* From the request handler: the headers of a request are complete (its body may follow); n body bytes arrived;
 * the answer is queued (no deadline while it is sent); the request completed (the next one's headers are due). */
void web_deadline_headers_done(struct MHD_Connection *conn);
void web_deadline_body(struct MHD_Connection *conn, size_t n);
void web_deadline_answering(struct MHD_Connection *conn);
void web_deadline_request_done(struct MHD_Connection *conn);

#endif /* SAMPLE_HOST_WEB_DEADLINE_H */
