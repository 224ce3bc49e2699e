/* openapi.c - the OpenAPI 3.1 document of the sample host's API (see openapi.h): one operation per row of the
 * router's route table (its method, summary, request body with an example, the scope it requires as the role
 * list of both security schemes, its 200 answer with schema and example, and each refusal it can give), the
 * security schemes (X-API-Key and Authorization: Bearer) with the scope catalogue, every denial code with its
 * status (the host's own and the API Keys provider's: plugin/denials.c), and the headers Retry-After, Sunset,
 * Deprecation, WWW-Authenticate and Allow. Built with jansson; a NULL anywhere makes the whole document NULL. */
#include "openapi.h"

#include <stdio.h>
#include <string.h>

#include "json_doc.h"
#include "router_routes.h"

/* Every code an error answer's "error" member can hold, with its status: the host's (router.c, the web server,
 * libpanelhost's auth.c) and the API Keys provider's (plugin/denials.c; tests/cli/openapi.sh checks that each
 * row of that table is here with the same status). */
typedef struct denial_doc {
    const char *code;
    int status;
    const char *meaning;
} denial_doc_t;

static const denial_doc_t denials[] = {
    {"bad_request", 400, "the request body cannot be read (the message says what to send), or the host handed the "
                         "provider an incomplete request"},
    {"conflicting_credentials", 400, "two different credentials (X-API-Key and Bearer, or two X-API-Key values)"},
    {"missing", 401, "no credential this API accepts was sent"},
    {"malformed", 401, "the key has the store's prefix but a wrong length, character or checksum"},
    {"unknown", 401, "the key is not valid for this store (it may have been reset)"},
    {"leaked", 401, "the key was reported as leaked (POST /api/v1/keys/revoke) and revoked; the message names the "
                    "date"},
    {"expired", 401, "the key's grace period ended, or a named key expired"},
    {"denied", 401, "an auth provider refused without naming a code"},
    {"disabled", 403, "the API is disabled for this store"},
    {"ip_not_allowed", 403, "the key may not be used from the client's address"},
    {"scope", 403, "the key does not hold the scope the route requires"},
    {"not_found", 404, "no such route (the message lists them)"},
    {"method_not_allowed", 405, "the route answers another method (see Allow)"},
    {"body_too_large", 413, "the request body is larger than 16384 bytes"},
    {"uri_too_long", 414, "the request path is longer than 1023 bytes"},
    {"rate_limited", 429, "the key sent more requests than its rate limit allows, or this address sent too many "
                          "leak reports (see Retry-After)"},
    {"too_many_invalid", 429, "more than 30 invalid keys a minute came from this address (see Retry-After)"},
    {"internal", 500, "the server ran out of memory"},
    {"provider_error", 500, "an auth provider gave an invalid answer"},
    {"store_unavailable", 503, "the key store cannot be read, so no request is allowed"},
    {"rate_limit_unavailable", 503, "the key's rate limit cannot be checked, so no request is allowed"},
    {"no_auth_provider", 503, "no API authentication is configured (no plugin offers an auth provider)"},
    {"auth_unavailable", 503, "API authentication is temporarily unavailable (out of memory)"},
    {"queue_unavailable", 503, "the delivery queue cannot be used now"},
    {"report_unavailable", 503, "a leak report could not be handled now; send it again (see Retry-After)"},
};

#define N_DENIALS (sizeof denials / sizeof denials[0])

static const int statuses[] = {400, 401, 403, 404, 405, 413, 414, 429, 500, 503};

#define N_STATUSES (sizeof statuses / sizeof statuses[0])

static const char *status_text(int status)
{
    switch (status) {
    case 400: return "Bad request: the request or its body cannot be read";
    case 401: return "Unauthorized: no key, or a key that is not valid";
    case 403: return "Forbidden: the key is valid but may not do this";
    case 404: return "Not found: no such route (any path not in this document)";
    case 405: return "Method not allowed: the route answers the method in Allow";
    case 413: return "Payload too large: the body is over 16384 bytes";
    case 414: return "URI too long: the path is over 1023 bytes (any path)";
    case 429: return "Too many requests: wait the seconds in Retry-After";
    case 500: return "Internal error";
    default: return "Service unavailable: nothing is allowed until it recovers; try again later";
    }
}

/* A JSON text of the route table, parsed (NULL when it is not JSON). */
static json_t *parse(const char *text)
{
    return text != NULL ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
}

static json_t *ref(const char *target)
{
    return json_pack("{s:o}", "$ref", json_doc_string(target));
}

/* {"type":"object","required":["error","message"],...} with "error" one of the status's codes. */
static json_t *error_schema(int status)
{
    json_t *codes = json_array();
    for (size_t i = 0; i < N_DENIALS; i++)
        if (denials[i].status == status)
            codes = json_doc_append(codes, json_doc_string(denials[i].code));
    return json_pack("{s:s,s:[s,s],s:{s:{s:[o,{s:o}]},s:{s:s,s:s}},s:b}", "type", "object", "required", "error",
                     "message", "properties", "error", "allOf", ref("#/components/schemas/DenialCode"), "enum", codes,
                     "message", "type", "string",
                     "description", "what is wrong and what to do, in one sentence", "additionalProperties", 0);
}

/* {"code": status, ...} of every denial, and the codes as one enum. */
static json_t *denial_code_schema(void)
{
    json_t *codes = json_array();
    json_t *by_status = json_object();
    for (size_t i = 0; i < N_DENIALS; i++) {
        codes = json_doc_append(codes, json_doc_string(denials[i].code));
        by_status = json_doc_set(by_status, denials[i].code, json_integer(denials[i].status));
    }
    return json_pack("{s:s,s:s,s:o,s:o}", "type", "string", "description",
                     "every code an error answer's \"error\" member can hold; x-status gives each one's HTTP status",
                     "enum", codes, "x-status", by_status);
}

static json_t *header(const char *description, json_t *schema)
{
    return json_pack("{s:s,s:o}", "description", description, "schema", schema);
}

static json_t *components_headers(void)
{
    json_t *h = json_object();
    h = json_doc_set(h, "Retry-After",
                     header("seconds to wait before trying again (sent with a 429, and with a 503 when the server can tell)",
                            json_pack("{s:s,s:i}", "type", "integer", "minimum", 1)));
    h = json_doc_set(h, "Sunset",
                     header("RFC 8594: the HTTP-date after which this key stops working (sent while the key is in a "
                            "grace period or about to expire; optional)",
                            json_pack("{s:s}", "type", "string")));
    h = json_doc_set(h, "Deprecation",
                     header("RFC 9745: the key is deprecated since this date (@ and Unix seconds); replace it "
                            "(optional, sent with Sunset)",
                            json_pack("{s:s}", "type", "string")));
    return h;
}

/* A response's header that it always carries (a $ref may not say "required"). */
static json_t *required_header(const char *description, json_t *schema)
{
    return json_pack("{s:s,s:b,s:o}", "description", description, "required", 1, "schema", schema);
}

/* components.responses.ErrorNNN: the error body of that status, with the headers it carries. */
static json_t *error_response(int status)
{
    char schema[64];
    snprintf(schema, sizeof schema, "#/components/schemas/Error%d", status);
    json_t *r = json_pack("{s:s,s:{s:{s:o}}}", "description", status_text(status), "content", "application/json",
                          "schema", ref(schema));
    if (status == 401)
        r = json_doc_set(r, "headers",
                         json_pack("{s:o}", "WWW-Authenticate",
                                   required_header("the scheme to authenticate with",
                                                   json_pack("{s:s}", "const", "Bearer"))));
    else if (status == 405)
        r = json_doc_set(r, "headers",
                         json_pack("{s:o}", "Allow", required_header("the methods the route answers, e.g. GET, "
                                                                     "HEAD, OPTIONS",
                                                                     json_pack("{s:s}", "type", "string"))));
    else if (status == 429)
        r = json_doc_set(r, "headers",
                         json_pack("{s:o}", "Retry-After",
                                   required_header("seconds to wait before trying again",
                                                   json_pack("{s:s,s:i}", "type", "integer", "minimum", 1))));
    else if (status == 503)
        r = json_doc_set(r, "headers", json_pack("{s:o}", "Retry-After", ref("#/components/headers/Retry-After")));
    return r;
}

/* One finding of POST /api/v1/keys/revoke's JSON body (GitHub's secret-scanning alert items, or one object). */
static json_t *leak_finding(void)
{
    return json_pack("{s:s,s:[s],s:{s:{s:s,s:i,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}}}", "type", "object",
                     "required", "token", "properties", "token", "type", "string", "minLength", 1, "description",
                     "the leaked key", "url", "type", "string", "description",
                     "where it was found (shown to the store owner, escaped, at most 200 characters)", "type", "type",
                     "string", "description", "the scanner's name for the kind of secret (ignored)", "source", "type",
                     "string", "description", "what found it, e.g. content, commit (ignored)");
}

static json_t *components(panelhost_t *host)
{
    json_t *schemas = json_pack("{s:o,s:o}", "DenialCode", denial_code_schema(), "LeakFinding", leak_finding());
    json_t *responses = json_object();
    for (size_t i = 0; i < N_STATUSES; i++) {
        char name[32];
        snprintf(name, sizeof name, "Error%d", statuses[i]);
        schemas = json_doc_set(schemas, name, error_schema(statuses[i]));
        responses = json_doc_set(responses, name, error_response(statuses[i]));
    }
    /* The scope catalogue: what each role name of a security requirement means. */
    json_t *scopes = json_object();
    const panel_api_scopes_t *cat = panelhost_api_scopes(host);
    for (uint32_t i = 0; cat != NULL && i < cat->n_scopes; i++)
        scopes = json_doc_set(scopes, cat->scopes[i]->id, json_doc_string(cat->scopes[i]->description));
    json_t *schemes = json_pack(
        "{s:{s:s,s:s,s:s,s:s,s:O},s:{s:s,s:s,s:s,s:O}}", "apiKey", "type", "apiKey", "in", "header", "name",
        "X-API-Key", "description",
        "the key the store owner gave you (Settings > API Key), in the X-API-Key header; the role names of a "
        "security requirement are the scopes the route requires (x-scopes lists them)",
        "x-scopes", scopes, "bearer", "type", "http", "scheme", "bearer", "description",
        "the same key as Authorization: Bearer <key> (send it in one header only)", "x-scopes", scopes);
    json_decref(scopes);
    return json_pack("{s:o,s:o,s:o,s:o}", "securitySchemes", schemes, "schemas", schemas, "responses", responses,
                     "headers", components_headers());
}

/* The operation's security: both schemes with the route's scope as the one role, or [] for every valid key;
 * an unauthenticated route: [] (no credential). */
static json_t *security(const route_t *route)
{
    if (!route->authenticated)
        return json_array();
    json_t *roles = json_array();
    if (strcmp(route->scope, PANEL_SCOPE_NONE) != 0)
        roles = json_doc_append(roles, json_doc_string(route->scope));
    json_t *sec = json_pack("[{s:O},{s:O}]", "apiKey", roles, "bearer", roles);
    json_decref(roles);
    return sec;
}

static json_t *request_body(const route_t *route)
{
    if (!strchr(route->request_type, ','))
        return json_pack("{s:b,s:{s:{s:o,s:o}}}", "required", route->request_required, "content",
                         route->request_type, "schema", parse(route->request_schema), "example",
                         parse(route->request_example));
    /* several media types: schemas and examples are arrays in the same order */
    json_t *schemas = parse(route->request_schema), *examples = parse(route->request_example);
    json_t *content = json_object();
    const char *type = route->request_type;
    for (size_t i = 0; content != NULL && *type; i++) {
        size_t n = strcspn(type, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)n, type);
        json_t *schema = json_array_get(schemas, i), *example = json_array_get(examples, i);
        content = schema && example ? json_doc_set(content, name, json_pack("{s:O,s:O}", "schema", schema,
                                                                            "example", example))
                                    : (json_decref(content), NULL);
        type += n + (type[n] == ',');
    }
    json_decref(schemas);
    json_decref(examples);
    return json_pack("{s:b,s:o}", "required", route->request_required, "content", content);
}

/* The status as text, e.g. "429" (a static buffer per status: statuses[] has each once). */
static const char *code_of(int status)
{
    static char text[N_STATUSES][8];
    for (size_t i = 0; i < N_STATUSES; i++)
        if (statuses[i] == status) {
            snprintf(text[i], sizeof text[i], "%d", status);
            return text[i];
        }
    return "";
}

static json_t *responses(const route_t *route)
{
    json_t *ok = json_pack("{s:s,s:{s:{s:o,s:o}}}", "description", "OK", "content", "application/json", "schema",
                           parse(route->response_schema), "example", parse(route->response_example));
    if (route->authenticated)
        ok = json_doc_set(ok, "headers", json_pack("{s:o,s:o}", "Sunset", ref("#/components/headers/Sunset"),
                                                   "Deprecation", ref("#/components/headers/Deprecation")));
    json_t *r = json_pack("{s:o}", "200", ok);
    for (size_t i = 0; i < N_STATUSES; i++) {
        int status = statuses[i];
        int applies = status == 405 || status == 413 || status == 500 ||
                      (route->authenticated && (status == 400 || status == 401 || status == 403 || status == 429 ||
                                                status == 503)) ||
                      (route->request_type != NULL && status == 400) ||
                      (route->own_statuses != NULL && strstr(route->own_statuses, code_of(status)) != NULL);
        if (!applies)
            continue;
        char code[8], target[64];
        snprintf(code, sizeof code, "%d", status);
        snprintf(target, sizeof target, "#/components/responses/Error%d", status);
        r = json_doc_set(r, code, ref(target));
    }
    return r;
}

static json_t *operation(const route_t *route)
{
    char description[1024];
    if (!route->authenticated)
        snprintf(description, sizeof description, "%s", route->description);
    else if (strcmp(route->scope, PANEL_SCOPE_NONE) == 0)
        snprintf(description, sizeof description, "%s Any valid key may call it (no scope required).",
                 route->description);
    else
        snprintf(description, sizeof description, "%s Requires the scope `%s`.", route->description, route->scope);
    json_t *op = json_pack("{s:s,s:s,s:s,s:[s],s:o}", "operationId", route->operation_id, "summary", route->summary,
                           "description", description, "tags", route->authenticated ? "API" : "Server",
                           "security", security(route));
    if (route->authenticated)
        op = json_doc_set(op, "x-required-scope",
                          strcmp(route->scope, PANEL_SCOPE_NONE) == 0 ? json_null() : json_doc_string(route->scope));
    if (route->request_type != NULL)
        op = json_doc_set(op, "requestBody", request_body(route));
    return json_doc_set(op, "responses", responses(route));
}

static json_t *paths(void)
{
    json_t *p = json_object();
    for (size_t i = 0; p != NULL; i++) {
        const route_t *route = router_route_at(i);
        if (route == NULL)
            break;
        char method[8];
        size_t n = strlen(route->method);
        for (size_t k = 0; k <= n && k < sizeof method; k++)
            method[k] = (char)(route->method[k] >= 'A' && route->method[k] <= 'Z' ? route->method[k] + 32
                                                                                 : route->method[k]);
        method[sizeof method - 1] = '\0';
        json_t *item = json_object_get(p, route->path);
        if (item != NULL)
            json_object_set_new(item, method, operation(route)); /* one path, two methods: never in this table */
        else
            p = json_doc_set(p, route->path, json_pack("{s:o}", method, operation(route)));
    }
    return p;
}

static const char info_description[] =
    "The HTTP API of the sample host, generated from its route table (`sample-host openapi`; served at "
    "GET /api/v1/openapi.json). Send the key the store owner gave you as `X-API-Key: <key>` or "
    "`Authorization: Bearer <key>`. Every refusal is a JSON body `{\"error\": CODE, \"message\": TEXT}`: the "
    "schema DenialCode lists every code with its status (x-status). A 429 carries Retry-After; an answer to a key "
    "that is going away (a grace period, an expiry within 7 days) may carry Sunset and Deprecation.";

json_t *openapi_document(panelhost_t *host)
{
    return json_pack("{s:s,s:{s:s,s:s,s:s,s:{s:s,s:s}},s:[{s:s,s:s}],s:[{s:s,s:s},{s:s,s:s}],s:o,s:o}", "openapi",
                     "3.1.0", "info", "title", "Sample host API", "version", "1.0.0", "description", info_description,
                     "license", "name", "MIT", "identifier", "MIT", "servers", "url", "http://127.0.0.1:8080",
                     "description", "the sample host's default [host] listen; use your server's address", "tags",
                     "name", "Server", "description", "no credential needed", "name", "API", "description",
                     "behind the API key", "paths", paths(), "components", components(host));
}

int route_openapi(const route_context_t *ctx, json_t **body)
{
    *body = openapi_document(ctx->router->host);
    return 200;
}
