/* router_routes.h - what router.c hands a route's handler, and the handlers that live in their own files
 * (router_deliveries.c: the delivery queue's pull and ack). Internal to the router. */
#ifndef SAMPLE_HOST_ROUTER_ROUTES_H
#define SAMPLE_HOST_ROUTER_ROUTES_H

#include "json_doc.h"
#include "router.h"

typedef struct route_context {
    router_t *router;
    const router_request_t *request;
    const char *content_type;   /* the request's Content-Type, or NULL */
    const char *principal;      /* authenticated routes: who the provider named */
    const char *scopes;         /* authenticated routes: the principal's scopes, comma-separated; "" or NULL:
                                 * the provider did not say */
    const char *label;          /* authenticated routes: the principal's label (ABI 1.2); "" or NULL: none */
} route_context_t;

/* Sets *body to the answer's document (json_doc.h; NULL when it could not be built: the router answers 500)
 * and returns its HTTP status; on an error status the document is {"error","message"} (see route_error). */
typedef int (*route_handler_fn)(const route_context_t *ctx, json_t **body);

/* Sets *body to {"error":code,"message":message} and returns status. */
int route_error(json_t **body, int status, const char *code, const char *message);

int route_deliveries_pull(const route_context_t *ctx, json_t **body);
int route_deliveries_ack(const route_context_t *ctx, json_t **body);

#endif /* SAMPLE_HOST_ROUTER_ROUTES_H */
