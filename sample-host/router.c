/* router.c - the sample host's request router: the route table (GET /healthz, GET /api/v1/ping,
 * GET /api/v1/store), authentication of /api/ routes through libpanelhost, and the JSON bodies of answers
 * and denials ({"error","message"}). Used by the `call` command and the web server. */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

/* What a route needs in order to answer. */
typedef struct route_context {
    panelhost_t *host;
    const char *principal;
} route_context_t;

typedef void (*route_body_fn)(const route_context_t *ctx, json_writer_t *body);

typedef struct route {
    const char *path;
    const char *method;
    int authenticated;          /* 1: behind the auth providers */
    route_body_fn body;
} route_t;

static void body_ok(const route_context_t *ctx, json_writer_t *body)
{
    (void)ctx;
    json_begin_object(body);
    json_member_bool(body, "ok", 1);
    json_end_object(body);
}

static void body_store(const route_context_t *ctx, json_writer_t *body)
{
    json_begin_object(body);
    json_member_string(body, "store_name", panelhost_config_get(ctx->host, "host", "store_name"));
    json_member_string(body, "currency", panelhost_config_get(ctx->host, "host", "currency"));
    json_end_object(body);
}

static const route_t routes[] = {
    {"/healthz", "GET", 0, body_ok},
    {"/api/v1/ping", "GET", 1, body_ok},
    {"/api/v1/store", "GET", 1, body_store},
};

/* Bridges panel_request_t.header to the router's header lookup. */
typedef struct header_bridge {
    router_header_fn header;
    void *header_ctx;
} header_bridge_t;

static const char *bridged_header(const panel_request_t *self, const char *name)
{
    const header_bridge_t *bridge = self->req_ctx;
    if (bridge->header == NULL || name == NULL)
        return NULL;
    return bridge->header(bridge->header_ctx, name);
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

static void answer_error(router_response_t *out, int status, const char *code, const char *message)
{
    json_writer_t body;
    json_init(&body);
    json_begin_object(&body);
    json_member_string(&body, "error", code);
    json_member_string(&body, "message", message);
    json_end_object(&body);
    finish(out, status, &body);
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

void router_handle(panelhost_t *host, const router_request_t *request, router_response_t *out)
{
    memset(out, 0, sizeof *out);
    char path[1024];
    if (!route_path(request->path, path, sizeof path)) {
        answer_error(out, 414, "uri_too_long", "the request path is longer than 1023 bytes; shorten it");
        return;
    }

    const route_t *route = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(routes[i].path, path) == 0) {
            route = &routes[i];
            break;
        }
    }
    if (route == NULL) {
        answer_error(out, 404, "not_found",
                     "no such route; the API offers GET /healthz, GET /api/v1/ping and GET /api/v1/store");
        return;
    }
    if (strcmp(route->method, request->method) != 0) {
        out->allow = route->method;
        answer_error(out, 405, "method_not_allowed",
                     strcmp(route->method, "GET") == 0 ? "this route answers GET only; send a GET request"
                                                       : "this route does not answer that method");
        return;
    }

    route_context_t ctx = {host, NULL};
    panelhost_auth_outcome_t outcome; /* filled by panelhost_authenticate */
    if (route->authenticated) {
        header_bridge_t bridge = {request->header, request->header_ctx};
        panel_request_t auth_request = {
            .struct_size = sizeof(panel_request_t),
            .method = request->method,
            .path = path,
            .client_addr = request->client_addr,
            .req_ctx = &bridge,
            .header = bridged_header,
        };
        int32_t rc = panelhost_authenticate(host, &auth_request, &outcome);
        if (rc != PANEL_OK) {
            answer_error(out, 503, "auth_failed",
                         "the server could not check the request's credentials; try again later");
            return;
        }
        if (!outcome.allowed) {
            int status = outcome.http_status >= 400 && outcome.http_status <= 599 ? outcome.http_status : 401;
            answer_error(out, status, outcome.error_code[0] ? outcome.error_code : "denied",
                         outcome.message[0] ? outcome.message : "the request was not authenticated");
            if (status == 401)
                out->authenticate = "Bearer";
            return;
        }
        ctx.principal = outcome.principal;
    }

    json_writer_t body;
    json_init(&body);
    route->body(&ctx, &body);
    finish(out, 200, &body);
}

void router_response_free(router_response_t *response)
{
    free(response->body);
    response->body = NULL;
}
