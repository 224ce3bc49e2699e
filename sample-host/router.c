/* router.c - the sample host's request router: the route table (GET /healthz, GET /api/v1/ping, /whoami,
 * /store, POST /api/v1/deliveries/pull and /ack), each route's method and required scope, the body bound,
 * authentication of /api/ routes through libpanelhost, and the JSON bodies of answers and denials
 * ({"error","message"}). Used by the `call` command and the web server. */
#include "router.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_scopes.h"
#include "deliveries.h"
#include "router_routes.h"

typedef struct route {
    const char *path;
    const char *method;
    const char *label;          /* "METHOD PATH", for messages */
    int authenticated;          /* 1: behind the auth providers */
    const char *scope;          /* the scope the route requires, or PANEL_SCOPE_NONE */
    route_handler_fn handler;
} route_t;

static int body_ok(const route_context_t *ctx, json_writer_t *body)
{
    (void)ctx;
    json_begin_object(body);
    json_member_bool(body, "ok", 1);
    json_end_object(body);
    return 200;
}

static int body_whoami(const route_context_t *ctx, json_writer_t *body)
{
    json_begin_object(body);
    json_member_string(body, "principal", ctx->principal);
    if (ctx->label != NULL && ctx->label[0] != '\0') /* only when the provider named one (ABI 1.2) */
        json_member_string(body, "label", ctx->label);
    if (ctx->scopes != NULL && ctx->scopes[0] != '\0') { /* only when the provider named them */
        json_key(body, "scopes");
        json_begin_array(body);
        for (const char *p = ctx->scopes; *p != '\0';) {
            size_t n = strcspn(p, ",");
            if (n > 0)
                json_string_n(body, p, n);
            p += n;
            if (*p == ',')
                p++;
        }
        json_end_array(body);
    }
    json_end_object(body);
    return 200;
}

static int body_store(const route_context_t *ctx, json_writer_t *body)
{
    panelhost_t *host = ctx->router->host;
    json_begin_object(body);
    json_member_string(body, "store_name", panelhost_config_get(host, "host", "store_name"));
    json_member_string(body, "currency", panelhost_config_get(host, "host", "currency"));
    json_end_object(body);
    return 200;
}

static const route_t routes[] = {
    {"/healthz", "GET", "GET /healthz", 0, PANEL_SCOPE_NONE, body_ok},
    {"/api/v1/ping", "GET", "GET /api/v1/ping", 1, PANEL_SCOPE_NONE, body_ok},
    {"/api/v1/whoami", "GET", "GET /api/v1/whoami", 1, PANEL_SCOPE_NONE, body_whoami},
    {"/api/v1/store", "GET", "GET /api/v1/store", 1, API_SCOPE_STORE_READ, body_store},
    {"/api/v1/deliveries/pull", "POST", "POST /api/v1/deliveries/pull", 1, API_SCOPE_DELIVERIES_PULL,
     route_deliveries_pull},
    {"/api/v1/deliveries/ack", "POST", "POST /api/v1/deliveries/ack", 1, API_SCOPE_DELIVERIES_ACK,
     route_deliveries_ack},
};

#define N_ROUTES (sizeof routes / sizeof routes[0])

const char *router_required_scope(size_t i, const char **route)
{
    *route = i < N_ROUTES ? routes[i].label : NULL;
    return i < N_ROUTES ? routes[i].scope : NULL;
}

void router_init(router_t *router, panelhost_t *host)
{
    memset(router, 0, sizeof *router);
    router->host = host;
    pthread_mutex_init(&router->lock, NULL);
}

void router_destroy(router_t *router)
{
    deliveries_close(router->deliveries);
    router->deliveries = NULL;
    pthread_mutex_destroy(&router->lock);
}

const char *router_header(const router_request_t *request, const char *name)
{
    for (size_t i = 0; i < request->n_headers; i++)
        if (strcasecmp(request->headers[i].name, name) == 0)
            return request->headers[i].value;
    return NULL;
}

static const char static_oom_body[] = "{\"error\":\"internal\",\"message\":\"the server ran out of memory\"}";

/* Moves the writer's document into the response, or answers 500 when it could not be built. */
static void finish(router_response_t *out, int status, json_writer_t *body)
{
    const char *text = json_result(body);
    out->body = text != NULL ? strdup(text) : NULL;
    json_free(body);
    out->status = status;
    if (out->body == NULL) {
        out->status = 500;
        out->body = strdup(static_oom_body); /* NULL only when even this fails */
    }
}

int route_error(json_writer_t *body, int status, const char *code, const char *message)
{
    json_begin_object(body);
    json_member_string(body, "error", code);
    json_member_string(body, "message", message);
    json_end_object(body);
    return status;
}

static void answer_error(router_response_t *out, int status, const char *code, const char *message)
{
    json_writer_t body;
    json_init(&body);
    finish(out, route_error(&body, status, code, message), &body);
}

/* The path without its query string or fragment, in buf; 0 when too long. */
static int route_path(const char *path, char *buf, size_t buf_len)
{
    size_t n = strcspn(path, "?#");
    if (n >= buf_len)
        return 0;
    memcpy(buf, path, n);
    buf[n] = '\0';
    return 1;
}

static const char routes_text[] =
    "no such route; the API offers GET /healthz, GET /api/v1/ping, GET /api/v1/whoami, GET /api/v1/store, "
    "POST /api/v1/deliveries/pull and POST /api/v1/deliveries/ack";

void router_handle(router_t *router, const router_request_t *request, router_response_t *out)
{
    memset(out, 0, sizeof *out);
    char path[1024];
    if (!route_path(request->path, path, sizeof path)) {
        answer_error(out, 414, "uri_too_long", "the request path is longer than 1023 bytes; shorten it");
        return;
    }

    const route_t *route = NULL;
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (strcmp(routes[i].path, path) == 0) {
            route = &routes[i];
            break;
        }
    }
    if (route == NULL) {
        answer_error(out, 404, "not_found", routes_text);
        return;
    }
    if (strcmp(route->method, request->method) != 0) {
        out->allow = route->method;
        answer_error(out, 405, "method_not_allowed",
                     strcmp(route->method, "GET") == 0 ? "this route answers GET only; send a GET request"
                                                       : "this route answers POST only; send a POST request "
                                                         "with a body");
        return;
    }
    if (request->body_len > ROUTER_BODY_MAX) {
        answer_error(out, 413, "body_too_large",
                     "the request body is larger than 16384 bytes; send less (e.g. at most 1000 ids per ack)");
        return;
    }

    route_context_t ctx = {router, request, NULL, NULL, NULL, NULL};
    if (route->method[0] == 'P') /* only the POST routes read a body */
        ctx.content_type = router_header(request, "Content-Type");
    panelhost_auth_outcome_t outcome = {.struct_size = sizeof outcome};
    if (route->authenticated) {
        const panelhost_request_t auth_request = {
            .method = request->method,
            .path = path,
            .client_addr = request->client_addr,
            .scope = route->scope,
            .headers = request->headers,
            .n_headers = request->n_headers,
        };
        /* PANEL_E_INVALID (too many headers) comes with a 400 denial in the outcome: answered as any denial */
        (void)panelhost_authenticate(router->host, &auth_request, &outcome);
        if (!outcome.allowed) {
            int status = outcome.http_status >= 400 && outcome.http_status <= 599 ? outcome.http_status : 401;
            answer_error(out, status, outcome.error_code[0] ? outcome.error_code : "denied",
                         outcome.message[0] ? outcome.message : "the request was not authenticated");
            if (status == 401)
                out->authenticate = "Bearer";
            out->retry_after = outcome.retry_after > 0 ? (long)outcome.retry_after : 0;
            return;
        }
        ctx.principal = outcome.principal;
        ctx.scopes = outcome.scopes;
        ctx.label = outcome.label;
    }

    json_writer_t body;
    json_init(&body);
    int status = route->handler(&ctx, &body);
    finish(out, status, &body);
}

void router_response_free(router_response_t *response)
{
    free(response->body);
    response->body = NULL;
}
