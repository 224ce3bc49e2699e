/* router.c - the sample host's request router: the route table (GET /healthz, GET /api/v1/openapi.json,
 * GET /api/v1/ping, /whoami, /store, POST /api/v1/deliveries/pull and /ack, POST /api/v1/keys/revoke), each route's method, required
 * scope and what its OpenAPI operation says (summary, bodies, schemas, examples; openapi.c), the body bound,
 * authentication of /api/ routes through libpanelhost, and the JSON bodies of answers and denials
 * ({"error","message"}). Used by the `call` command and the web server. */
#include "router.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_scopes.h"
#include "deliveries.h"
#include "router_routes.h"

static int body_ok(const route_context_t *ctx, json_t **body)
{
    (void)ctx;
    *body = json_pack("{s:b}", "ok", 1);
    return 200;
}

static int body_whoami(const route_context_t *ctx, json_t **body)
{
    json_t *doc = json_pack("{s:o}", "principal", json_doc_string(ctx->principal));
    if (ctx->label != NULL && ctx->label[0] != '\0') /* only when the provider named one (ABI 1.2) */
        doc = json_doc_set(doc, "label", json_doc_string(ctx->label));
    if (ctx->scopes != NULL && ctx->scopes[0] != '\0') { /* only when the provider named them */
        json_t *scopes = json_array();
        for (const char *p = ctx->scopes; *p != '\0';) {
            size_t n = strcspn(p, ",");
            if (n > 0)
                scopes = json_doc_append(scopes, json_doc_stringn(p, n));
            p += n;
            if (*p == ',')
                p++;
        }
        doc = json_doc_set(doc, "scopes", scopes);
    }
    *body = doc;
    return 200;
}

static int body_store(const route_context_t *ctx, json_t **body)
{
    panelhost_t *host = ctx->router->host;
    *body = json_pack("{s:o,s:o}", "store_name", json_doc_string(panelhost_config_get(host, "host", "store_name")),
                      "currency", json_doc_string(panelhost_config_get(host, "host", "currency")));
    return 200;
}

/* The 200 answers' bodies and the request bodies, as JSON Schema text for the OpenAPI document (openapi.c). */
#define SCHEMA_OK "{\"type\":\"object\",\"required\":[\"ok\"],\"properties\":{\"ok\":{\"const\":true}}," \
                  "\"additionalProperties\":false}"
#define SCHEMA_WHOAMI                                                                                             \
    "{\"type\":\"object\",\"required\":[\"principal\"],\"properties\":{\"principal\":{\"type\":\"string\"," \
    "\"description\":\"who the auth provider named, e.g. apikeys:site or apikeys:key:ID\"},\"label\":{\"type\":"   \
    "\"string\",\"description\":\"the key's label, when the provider names one\"},\"scopes\":{\"type\":\"array\"," \
    "\"items\":{\"type\":\"string\"},\"description\":\"the key's scopes, when the provider names them\"}},"        \
    "\"additionalProperties\":false}"
#define SCHEMA_STORE                                                                                              \
    "{\"type\":\"object\",\"required\":[\"store_name\",\"currency\"],\"properties\":{\"store_name\":{\"type\":"  \
    "[\"string\",\"null\"]},\"currency\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false}"
#define SCHEMA_PULL_FORM                                                                                          \
    "{\"type\":\"object\",\"properties\":{\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100,"        \
    "\"default\":10,\"description\":\"how many deliveries to pull at most\"}}}"
#define SCHEMA_PULL                                                                                               \
    "{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{"    \
    "\"type\":\"object\",\"required\":[\"id\",\"username\",\"command\"],\"properties\":{\"id\":{\"type\":"       \
    "\"integer\",\"minimum\":1},\"username\":{\"type\":\"string\"},\"command\":{\"type\":\"string\"}},"         \
    "\"additionalProperties\":false}}},\"additionalProperties\":false}"
#define SCHEMA_ACK_JSON                                                                                           \
    "{\"type\":\"object\",\"required\":[\"ids\"],\"properties\":{\"ids\":{\"type\":\"array\",\"maxItems\":1000," \
    "\"items\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":9223372036854775807},\"description\":"            \
    "\"the ids of pulled deliveries the game server has run\"}}}"
#define SCHEMA_ACK                                                                                                \
    "{\"type\":\"object\",\"required\":[\"acked\"],\"properties\":{\"acked\":{\"type\":\"integer\",\"minimum\":0," \
    "\"description\":\"how many of the ids were waiting (now delivered)\"}},\"additionalProperties\":false}"
#define SCHEMA_OPENAPI                                                                                            \
    "{\"type\":\"object\",\"required\":[\"openapi\",\"info\",\"paths\"],\"properties\":{\"openapi\":{\"const\":"  \
    "\"3.1.0\"},\"info\":{\"type\":\"object\"},\"paths\":{\"type\":\"object\"}}}"

/* POST /api/v1/keys/revoke (router_revoke.c): the three body shapes, form first, and the empty answer. */
#define SCHEMA_REVOKE_FORM                                                                                        \
    "{\"type\":\"object\",\"required\":[\"token\"],\"properties\":{\"token\":{\"type\":\"string\","   \
    "\"description\":\"the leaked key\"},\"token_type_hint\":{\"type\":\"string\",\"description\":"        \
    "\"accepted and ignored (RFC 7009)\"}}}"
#define SCHEMA_REVOKE_JSON                                                                                        \
    "{\"oneOf\":[{\"$ref\":\"#/components/schemas/LeakFinding\"},{\"type\":\"array\",\"minItems\":1,"     \
    "\"maxItems\":100,\"items\":{\"$ref\":\"#/components/schemas/LeakFinding\"},\"description\":"          \
    "\"GitHub's secret-scanning alert format\"}]}"
#define EXAMPLE_REVOKE_JSON                                                                                       \
    "{\"token\":\"sak_ExampleLeakedKeyFoundInAPublicRepository0001JZq8I\",\"url\":\"https://github.com/example/repo/blob/main/config.yml\"}"

static const route_t routes[] = {
    {"/healthz", "GET", "GET /healthz", 0, PANEL_SCOPE_NONE, body_ok, "healthz", "Is the server up",
     "Answers 200 while the server runs; no credential needed.", NULL, 0, NULL, NULL, SCHEMA_OK, "{\"ok\":true}", NULL},
    {"/api/v1/openapi.json", "GET", "GET /api/v1/openapi.json", 0, PANEL_SCOPE_NONE, route_openapi, "getOpenapi",
     "This document", "The OpenAPI 3.1 description of this API (the same as docs/openapi.json); no credential "
     "needed.", NULL, 0, NULL, NULL, SCHEMA_OPENAPI, "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"...\"},\"paths\":{}}", NULL},
    {"/api/v1/ping", "GET", "GET /api/v1/ping", 1, PANEL_SCOPE_NONE, body_ok, "ping", "Check a key",
     "Answers 200 to any valid key (no scope needed): a tool's way to test its key.", NULL, 0, NULL, NULL,
     SCHEMA_OK, "{\"ok\":true}", NULL},
    {"/api/v1/whoami", "GET", "GET /api/v1/whoami", 1, PANEL_SCOPE_NONE, body_whoami, "whoami", "Who the key is",
     "The principal the key authenticates as, with its label and scopes when the provider names them (a named "
     "key); any valid key.", NULL, 0, NULL, NULL, SCHEMA_WHOAMI,
     "{\"principal\":\"apikeys:key:1\",\"label\":\"Game server\",\"scopes\":[\"deliveries.pull\",\"deliveries.ack\"]}", NULL},
    {"/api/v1/store", "GET", "GET /api/v1/store", 1, API_SCOPE_STORE_READ, body_store, "getStore",
     "The store's name and currency", "The store's name and currency ([host] store_name and currency; null when "
     "not set).", NULL, 0, NULL, NULL, SCHEMA_STORE, "{\"store_name\":\"My Store\",\"currency\":\"EUR\"}", NULL},
    {"/api/v1/deliveries/pull", "POST", "POST /api/v1/deliveries/pull", 1, API_SCOPE_DELIVERIES_PULL,
     route_deliveries_pull, "pullDeliveries", "Pull waiting deliveries",
     "The oldest deliveries still waiting (at most `limit`, default 10), oldest first. Pulling does not mark them "
     "delivered: acknowledge each once it has run.", "application/x-www-form-urlencoded", 0, SCHEMA_PULL_FORM,
     "{\"limit\":2}", SCHEMA_PULL,
     "{\"items\":[{\"id\":1,\"username\":\"Steve\",\"command\":\"give Steve diamond 1\"}]}", NULL},
    {"/api/v1/deliveries/ack", "POST", "POST /api/v1/deliveries/ack", 1, API_SCOPE_DELIVERIES_ACK,
     route_deliveries_ack, "ackDeliveries", "Acknowledge deliveries",
     "Marks pulled deliveries delivered, in one transaction. Ids unknown or already delivered, and repeats, are "
     "not counted.", "application/json", 1, SCHEMA_ACK_JSON, "{\"ids\":[1,2]}", SCHEMA_ACK, "{\"acked\":2}", NULL},
    {"/api/v1/keys/revoke", "POST", "POST /api/v1/keys/revoke", 0, PANEL_SCOPE_NONE, route_keys_revoke, "revokeKey",
     "Report a leaked key", "Report a key found where it should not be (a public repository, a paste, a chat): "
     "when it is a live key of this store it stops working on every server before the answer is sent, and the "
     "store owner is told. No credential needed: holding the key is the proof. The answer is 200 {} for every "
     "well-formed request, whether each token was live, already dead, unknown or malformed (RFC 7009), so it "
     "tells nothing about any string. 429 past `[host] leak_reports_per_minute` reports a minute from one "
     "address (default 20); 503 when a report could not be handled (send it again).",
     "application/x-www-form-urlencoded,application/json", 1, "[" SCHEMA_REVOKE_FORM "," SCHEMA_REVOKE_JSON "]",
     "[{\"token\":\"sak_ExampleLeakedKeyFoundInAPublicRepository0001JZq8I\"}," EXAMPLE_REVOKE_JSON "]", "{\"type\":\"object\",\"maxProperties\":0}",
     "{}", "429,503"},
};

#define N_ROUTES (sizeof routes / sizeof routes[0])

const route_t *router_route_at(size_t i)
{
    return i < N_ROUTES ? &routes[i] : NULL;
}

const char *router_required_scope(size_t i, const char **route)
{
    *route = i < N_ROUTES ? routes[i].label : NULL;
    return i < N_ROUTES ? routes[i].scope : NULL;
}

void router_init(router_t *router, panelhost_t *host, unsigned leak_reports_per_minute)
{
    memset(router, 0, sizeof *router);
    router->host = host;
    router->leak_reports_per_minute = leak_reports_per_minute ? leak_reports_per_minute : ROUTER_LEAK_REPORTS_PER_MINUTE;
    pthread_mutex_init(&router->lock, NULL);
}

void router_destroy(router_t *router)
{
    deliveries_close(router->deliveries);
    router->deliveries = NULL;
    pthread_mutex_destroy(&router->lock);
}

/* The value of the request's first header `name` (case-insensitive), or NULL. */
static const char *router_header(const router_request_t *request, const char *name)
{
    for (size_t i = 0; i < request->n_headers; i++)
        if (strcasecmp(request->headers[i].name, name) == 0)
            return request->headers[i].value;
    return NULL;
}

static const char static_oom_body[] = "{\"error\":\"internal\",\"message\":\"the server ran out of memory\"}";

/* Moves the document's text into the response (releasing body), or answers 500 when it could not be built. */
static void finish(router_response_t *out, int status, json_t *body)
{
    char *text = json_doc_text(body);
    out->body = text != NULL ? strdup(text) : NULL;
    json_doc_text_free(text);
    out->status = status;
    if (out->body == NULL) {
        out->status = 500;
        out->body = strdup(static_oom_body); /* NULL only when even this fails */
    }
}

int route_error(json_t **body, int status, const char *code, const char *message)
{
    json_decref(*body); /* whatever the route had begun */
    *body = json_pack("{s:o,s:o}", "error", json_doc_string(code), "message", json_doc_string(message));
    return status;
}

static void answer_error(router_response_t *out, int status, const char *code, const char *message)
{
    json_t *body = NULL;
    status = route_error(&body, status, code, message);
    finish(out, status, body);
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

/* The 404's message, listing every route of the table (so it cannot drift from it either), in buf. */
static const char *routes_text(char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "no such route; the API offers");
    for (size_t i = 0; i < N_ROUTES && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s %s", i == 0 ? "" : i + 1 == N_ROUTES ? " and" : ",",
                                 routes[i].label);
    if (used < len)
        snprintf(buf + used, len - used, " (GET /api/v1/openapi.json describes them)");
    return buf;
}

/* An HTTP-date (IMF-fixdate, RFC 9110 section 5.6.7), e.g. "Sun, 06 Dec 2026 23:00:00 GMT", in any locale. */
static void http_date(int64_t t, char *out, size_t out_len)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11) {
        out[0] = '\0';
        return;
    }
    snprintf(out, out_len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The Deprecation and Sunset headers of an allowed credential that is going away (libpanelhost 2.1). */
static void announce(router_response_t *out, const panelhost_auth_outcome_t *outcome)
{
    if (outcome->deprecation > 0)
        snprintf(out->deprecation, sizeof out->deprecation, "@%lld", (long long)outcome->deprecation);
    if (outcome->sunset > 0)
        http_date(outcome->sunset, out->sunset, sizeof out->sunset);
}

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
        char text[640];
        answer_error(out, 404, "not_found", routes_text(text, sizeof text));
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

    long retry_after = 0;
    route_context_t ctx = {router, request, NULL, NULL, NULL, NULL, &retry_after};
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

    json_t *body = NULL;
    int status = route->handler(&ctx, &body);
    finish(out, status, body);
    if (retry_after > 0 && out->status == status)
        out->retry_after = retry_after;
    if (route->authenticated)
        announce(out, &outcome);
}

void router_response_free(router_response_t *response)
{
    free(response->body);
    response->body = NULL;
}
