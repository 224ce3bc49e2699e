/* router.h - the sample host's one request router, shared by the `call` command and the web server: maps
 * (method, path, headers, body, client address) to an HTTP status and a JSON body. It knows the routes and the
 * scope each requires, asks libpanelhost's auth providers about every /api/ request, and knows nothing of any
 * particular plugin. */
#ifndef SAMPLE_HOST_ROUTER_H
#define SAMPLE_HOST_ROUTER_H

#include <pthread.h>
#include <stddef.h>

#include "panel/host.h"

/* Bodies the API reads are at most this long (413 beyond). */
#define ROUTER_BODY_MAX (16 * 1024)

struct deliveries;

/* What the router keeps between requests. [thread-safe] after router_init. */
typedef struct router {
    panelhost_t *host;
    pthread_mutex_t lock;           /* guards opening the queue */
    struct deliveries *deliveries;  /* DATA_DIR/host-deliveries.db, opened at its first use */
    unsigned leak_reports_per_minute; /* POST /api/v1/keys/revoke per client address (router_revoke.c) */
} router_t;

/* The default of [host] leak_reports_per_minute, and what the `call` command uses (one request: never over it). */
#define ROUTER_LEAK_REPORTS_PER_MINUTE 20u

/* leak_reports_per_minute: 1..100000, as web_config.c validated [host] leak_reports_per_minute. */
void router_init(router_t *router, panelhost_t *host, unsigned leak_reports_per_minute);
/* Closes the queue. No request may be running. */
void router_destroy(router_t *router);

typedef struct router_request {
    const char *method;         /* non-NULL, e.g. "GET" */
    const char *path;           /* non-NULL; may carry a query string, which routing ignores */
    const panelhost_header_t *headers; /* the request's headers as received, n_headers of them (nullable: 0) */
    size_t n_headers;
    const char *client_addr;    /* non-NULL, e.g. "127.0.0.1", or "local" for the command line */
    const char *body;           /* nullable when body_len is 0; need not be NUL-terminated */
    size_t body_len;
} router_request_t;

typedef struct router_response {
    int status;                 /* HTTP status */
    char *body;                 /* malloc'd JSON object text, NUL-terminated; freed by router_response_free.
                                 * NULL only when memory ran out (status 500) */
    const char *allow;          /* 405: the value for an Allow header; else NULL (static string) */
    const char *authenticate;   /* 401: the value for a WWW-Authenticate header; else NULL (static) */
    long retry_after;           /* > 0: seconds for a Retry-After header (a denial that says when to retry) */
    /* An allowed credential that is going away (ABI 1.3): the values of a Deprecation header ("@<unix time>",
     * RFC 9745) and a Sunset header (an IMF-fixdate, RFC 8594); "" when none. */
    char deprecation[24];
    char sunset[32];
} router_response_t;

/* Handles one request. Always fills *out (a JSON body for errors too; 500 when out of memory). [thread-safe]. */
void router_handle(router_t *router, const router_request_t *request, router_response_t *out);

/* Frees the body. */
void router_response_free(router_response_t *response);

/* The i-th route's required scope (NULL: none) with "METHOD PATH" in *route; *route is NULL past the end. */
const char *router_required_scope(size_t i, const char **route);

#endif /* SAMPLE_HOST_ROUTER_H */
