/* router.h - the sample host's one request router, shared by the `call` command and the web server: maps
 * (method, path, headers, client address) to an HTTP status and a JSON body. It knows the routes, asks
 * libpanelhost's auth providers about every /api/ request, and knows nothing of any particular plugin. */
#ifndef SAMPLE_HOST_ROUTER_H
#define SAMPLE_HOST_ROUTER_H

#include <stddef.h>

#include "panel/host.h"

/* Returns the value of request header `name` (compared case-insensitively by the callee), or NULL.
 * [thread-safe] when the router runs on several threads. */
typedef const char *(*router_header_fn)(void *ctx, const char *name);

typedef struct router_request {
    const char *method;         /* non-NULL, e.g. "GET" */
    const char *path;           /* non-NULL; may carry a query string, which routing ignores */
    router_header_fn header;    /* nullable: a request without headers */
    void *header_ctx;
    const char *client_addr;    /* non-NULL, e.g. "127.0.0.1", or "local" for the command line */
} router_request_t;

typedef struct router_response {
    int status;                 /* HTTP status */
    char *body;                 /* malloc'd JSON object text, NUL-terminated; freed by router_response_free.
                                 * NULL only when memory ran out (status 500) */
    const char *allow;          /* 405: the value for an Allow header; else NULL (static string) */
    const char *authenticate;   /* 401: the value for a WWW-Authenticate header; else NULL (static) */
} router_response_t;

/* Handles one request. Always fills *out (a JSON body for errors too; 500 when out of memory). [thread-safe]: only calls panelhost_authenticate and panelhost_config_get on the host. */
void router_handle(panelhost_t *host, const router_request_t *request, router_response_t *out);

/* Frees the body. */
void router_response_free(router_response_t *response);

#endif /* SAMPLE_HOST_ROUTER_H */
