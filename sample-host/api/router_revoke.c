/* router_revoke.c - POST /api/v1/keys/revoke (issue 22): anyone who holds a leaked key reports it here, without
 * authentication (holding it is the proof). Reads the three body shapes (a form `token=` as RFC 7009's
 * revocation request, token_type_hint ignored; JSON {"token","url"}; GitHub's secret-scanning array of up to 100
 * {"token","type","url","source"}), hands each token to libpanelhost's panelhost_report_leak (every auth provider
 * that takes reports), and answers 200 {} for every well-formed request whatever the tokens were (RFC 7009
 * section 2.2), 400 for a body it cannot read (saying what to send), 429 with Retry-After past the per-address
 * limit ([host] leak_reports_per_minute, default 20), 503 when a provider could not handle a report. Knows nothing
 * of any key format; wipes its copies of the tokens; never logs or echoes them. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "router_routes.h"

#define REVOKE_ITEMS_MAX 100       /* GitHub's batches hold at most 100 findings */
#define REVOKE_PER_MINUTE 20       /* default per-address limit */
#define LIMIT_SLOTS 256            /* addresses tracked at once; the least recent one is replaced */

#define SEND_REVOKE                                                                                               \
    "send token=<key> as application/x-www-form-urlencoded, {\"token\":\"<key>\",\"url\":\"<where it was "      \
    "found>\"} as application/json, or a JSON array of up to 100 {\"token\",\"type\",\"url\",\"source\"} (GitHub " \
    "secret scanning)"

/* ----- the per-address limit: a token bucket per address, in this process ----------------------------------- */

typedef struct limit_slot {
    char addr[64];
    double tokens;
    int64_t last_ms;
} limit_slot_t;

static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;
static limit_slot_t limit_slots[LIMIT_SLOTS];

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long per_minute(panelhost_t *host)
{
    const char *text = panelhost_config_get(host, "host", "leak_reports_per_minute");
    char *end = NULL;
    long n = text ? strtol(text, &end, 10) : REVOKE_PER_MINUTE;
    return (text && (end == text || *end != '\0')) || n < 1 || n > 100000 ? REVOKE_PER_MINUTE : n;
}

/* 0 when addr may report now (one token taken), else the seconds until it may. */
static long limit_take(const char *addr, long rate)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *c = (const unsigned char *)addr; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    int64_t now = monotonic_ms();
    pthread_mutex_lock(&limit_lock);
    limit_slot_t *slot = &limit_slots[h % LIMIT_SLOTS];
    if (strncmp(slot->addr, addr, sizeof slot->addr) != 0 || slot->last_ms == 0) {
        snprintf(slot->addr, sizeof slot->addr, "%s", addr); /* new, or another address's slot: start full */
        slot->tokens = (double)rate;
        slot->last_ms = now;
    }
    slot->tokens += (double)(now - slot->last_ms) * (double)rate / 60000.0;
    if (slot->tokens > (double)rate)
        slot->tokens = (double)rate;
    slot->last_ms = now;
    long wait = 0;
    if (slot->tokens >= 1.0)
        slot->tokens -= 1.0;
    else
        wait = (long)((1.0 - slot->tokens) * 60.0 / (double)rate) + 1;
    pthread_mutex_unlock(&limit_lock);
    return wait;
}

/* ----- the body ------------------------------------------------------------------------------------------- */

typedef struct finding {
    char *token;     /* malloc'd, NUL-terminated copy (token_len bytes; a NUL inside stays and is refused later) */
    size_t token_len;
    char *url;       /* malloc'd or NULL */
    char *source;    /* malloc'd or NULL */
} finding_t;

typedef struct findings {
    finding_t items[REVOKE_ITEMS_MAX];
    size_t n;
} findings_t;

static char *copy_bytes(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static void findings_free(findings_t *f)
{
    for (size_t i = 0; i < f->n; i++) {
        if (f->items[i].token) {
            explicit_bzero(f->items[i].token, f->items[i].token_len);
            free(f->items[i].token);
        }
        free(f->items[i].url);
        free(f->items[i].source);
    }
    f->n = 0;
}

static int media_type_is(const char *content_type, const char *want)
{
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, ";");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == strlen(want) && strncasecmp(p, want, n) == 0;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes a form value in place-free fashion into a new buffer; NULL on a bad %-escape or no memory. */
static char *form_value(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1, lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                explicit_bzero(out, o);
                free(out);
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* token=... (once), token_type_hint ignored, other fields ignored. 0, or -1 with why. */
static int read_form(const char *body, size_t len, findings_t *f, const char **why)
{
    for (size_t at = 0; at < len;) {
        const char *field = body + at;
        size_t n = 0;
        while (at + n < len && body[at + n] != '&')
            n++;
        at += n + 1;
        if (n > 6 && memcmp(field, "token=", 6) == 0) {
            if (f->n > 0) {
                *why = "the form names token twice";
                return -1;
            }
            finding_t *it = &f->items[0];
            it->token = form_value(field + 6, n - 6, &it->token_len);
            if (!it->token) {
                *why = "the token's %-escapes are not valid";
                return -1;
            }
            f->n = 1;
        }
    }
    if (f->n == 0) {
        *why = "the form has no token";
        return -1;
    }
    return 0;
}

static char *json_text_copy(json_t *value, size_t *len)
{
    *len = json_string_length(value);
    return copy_bytes(json_string_value(value), *len);
}

/* One finding object: "token" a non-empty string; "url", "source" (and "type") strings when present. */
static int read_item(json_t *item, finding_t *it, const char **why)
{
    json_t *token = json_object_get(item, "token");
    json_t *url = json_object_get(item, "url");
    json_t *source = json_object_get(item, "source");
    json_t *type = json_object_get(item, "type");
    if (!json_is_object(item) || !json_is_string(token) || json_string_length(token) == 0) {
        *why = "each finding must be an object with a non-empty string \"token\"";
        return -1;
    }
    if ((url && !json_is_string(url)) || (source && !json_is_string(source)) || (type && !json_is_string(type))) {
        *why = "\"url\", \"type\" and \"source\" must be strings";
        return -1;
    }
    size_t n;
    it->token = json_text_copy(token, &it->token_len);
    it->url = url ? json_text_copy(url, &n) : NULL;
    it->source = source ? json_text_copy(source, &n) : NULL;
    if (!it->token || (url && !it->url) || (source && !it->source)) {
        *why = "the server ran out of memory";
        return -1;
    }
    /* jansson's own copy of the token is wiped before the document is freed */
    explicit_bzero((char *)(uintptr_t)json_string_value(token), json_string_length(token));
    return 0;
}

static int read_json(const char *body, size_t len, findings_t *f, const char **why)
{
    json_error_t error;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &error);
    if (!doc) {
        *why = "the body is not valid JSON";
        return -1;
    }
    int rc = 0;
    if (json_is_object(doc)) {
        rc = read_item(doc, &f->items[0], why);
        f->n = 1;
    } else if (json_is_array(doc) && json_array_size(doc) >= 1 && json_array_size(doc) <= REVOKE_ITEMS_MAX) {
        for (size_t i = 0; rc == 0 && i < json_array_size(doc); i++) {
            rc = read_item(json_array_get(doc, i), &f->items[i], why);
            f->n = i + 1;
        }
    } else {
        *why = json_is_array(doc) ? "the array must hold 1 to 100 findings" : "the JSON body is neither an object nor "
                                                                               "an array";
        rc = -1;
    }
    json_decref(doc);
    return rc;
}

/* ----- the route ------------------------------------------------------------------------------------------ */

int route_keys_revoke(const route_context_t *ctx, json_t **body)
{
    const router_request_t *rq = ctx->request;
    long wait = limit_take(rq->client_addr, per_minute(ctx->router->host));
    if (wait > 0) {
        char message[200];
        snprintf(message, sizeof message,
                 "too many leak reports from this address; wait %ld seconds (Retry-After) and send the rest", wait);
        ctx->retry_after_out[0] = wait;
        return route_error(body, 429, "rate_limited", message);
    }
    findings_t *f = calloc(1, sizeof *f);
    if (!f)
        return route_error(body, 500, "internal", "the server ran out of memory");
    const char *why = NULL;
    int rc;
    const char *type = ctx->content_type ? ctx->content_type : "";
    if (rq->body_len == 0) {
        why = "the body is empty";
        rc = -1;
    } else if (media_type_is(type, "application/x-www-form-urlencoded")) {
        rc = read_form(rq->body, rq->body_len, f, &why);
    } else if (media_type_is(type, "application/json")) {
        rc = read_json(rq->body, rq->body_len, f, &why);
    } else {
        why = "the Content-Type is neither application/x-www-form-urlencoded nor application/json";
        rc = -1;
    }
    if (rc != 0) {
        findings_free(f);
        free(f);
        char message[700];
        snprintf(message, sizeof message, "%s; %s", why, SEND_REVOKE);
        return route_error(body, 400, "bad_request", message);
    }
    char failure[1024] = "";
    int failed = 0;
    for (size_t i = 0; i < f->n; i++) {
        const panel_leak_report_t report = {
            .struct_size = sizeof report,
            .credential = f->items[i].token,
            .credential_len = f->items[i].token_len,
            .found_at = f->items[i].url,
            .source = f->items[i].source,
            .reporter_addr = rq->client_addr,
        };
        char err[1024] = "";
        int32_t status = panelhost_report_leak(ctx->router->host, &report, err, sizeof err);
        if (status != PANEL_OK && status != PANEL_E_INVALID && !failed) { /* a malformed string is no key: 200 */
            failed = 1;
            snprintf(failure, sizeof failure, "%s", err);
        }
    }
    findings_free(f);
    free(f);
    if (failed) {
        char message[1200];
        snprintf(message, sizeof message, "the report could not be handled now; send it again later (%s)", failure);
        ctx->retry_after_out[0] = 5;
        return route_error(body, 503, "report_unavailable", message);
    }
    *body = json_object();
    return 200;
}
