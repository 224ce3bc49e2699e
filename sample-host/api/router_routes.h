/* router_routes.h - the route table's row (what router.c routes on and what openapi.c describes, from the same
 * row so the description cannot drift from the routes), what router.c hands a route's handler, and the handlers
 * that live in their own files (router_deliveries.c: the delivery queue's pull and ack; openapi.c: the API's
 * OpenAPI document). Internal to the router. */
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
    long *retry_after_out;      /* non-NULL, 0 on entry: a handler's seconds for a Retry-After header */
} route_context_t;

/* Sets *body to the answer's document (json_doc.h; NULL when it could not be built: the router answers 500)
 * and returns its HTTP status; on an error status the document is {"error","message"} (see route_error). */
typedef int (*route_handler_fn)(const route_context_t *ctx, json_t **body);

/* One route: how it is routed and authenticated, and what its OpenAPI operation says. The JSON texts are JSON
 * Schema 2020-12 (OpenAPI 3.1) and examples; openapi.c parses them. */
typedef struct route {
    const char *path;
    const char *method;
    const char *label;          /* "METHOD PATH", for messages */
    int authenticated;          /* 1: behind the auth providers */
    const char *scope;          /* the scope the route requires, or PANEL_SCOPE_NONE */
    route_handler_fn handler;
    const char *operation_id;   /* OpenAPI operationId, e.g. "pullDeliveries" */
    const char *summary;        /* one line */
    const char *description;    /* what it does and answers */
    /* the body's media type, or several separated by ',' (then request_schema and request_example are JSON
     * arrays, one item per type in the same order), or NULL: the route reads no body */
    const char *request_type;
    int request_required;       /* 1: a body must be sent */
    const char *request_schema; /* JSON text; NULL when request_type is */
    const char *request_example;/* JSON text (a form body: an object of its fields); NULL when request_type is */
    const char *response_schema;/* JSON text of the 200 answer's body */
    const char *response_example; /* JSON text of a 200 answer's body */
    /* an unauthenticated route's own refusals besides 400/405/413/500, e.g. "429,503"; NULL: none */
    const char *own_statuses;
} route_t;

/* The i-th route of the table, or NULL past the end. */
const route_t *router_route_at(size_t i);

/* Sets *body to {"error":code,"message":message} and returns status. */
int route_error(json_t **body, int status, const char *code, const char *message);

int route_deliveries_pull(const route_context_t *ctx, json_t **body);
int route_deliveries_ack(const route_context_t *ctx, json_t **body);
int route_openapi(const route_context_t *ctx, json_t **body);
int route_keys_revoke(const route_context_t *ctx, json_t **body);

#endif /* SAMPLE_HOST_ROUTER_ROUTES_H */
