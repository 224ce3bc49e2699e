/* router_revoke.c - POST /api/v1/keys/revoke (issue 22): anyone who holds a leaked key reports it here, without
 * authentication (holding it is the proof). Reads the three body shapes (a form `token=` as RFC 7009's
 * revocation request, token_type_hint ignored; JSON {"token","url"}; GitHub's secret-scanning array of up to 100
 * {"token","type","url","source"}; revoke_body.c), hands each token to libpanelhost's panelhost_report_leak (every auth provider
 * that takes reports), and answers 200 {} for every well-formed request whatever the tokens were (RFC 7009
 * section 2.2), 400 for a body it cannot read (saying what to send), 429 with Retry-After past the per-address
 * limit ([host] leak_reports_per_minute, default 20), 503 when a provider could not handle a report. Knows nothing
 * of any key format; wipes its copies of the tokens; never logs or echoes them. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "revoke_body.h"
#include "router_routes.h"

#define LIMIT_SLOTS 256            /* buckets; an address whose slot another address took starts full again */

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

/* ----- the route ------------------------------------------------------------------------------------------ */

int route_keys_revoke(const route_context_t *ctx, json_t **body)
{
    const router_request_t *rq = ctx->request;
    long wait = limit_take(rq->client_addr, (long)ctx->router->leak_reports_per_minute);
    if (wait > 0) {
        char message[200];
        snprintf(message, sizeof message,
                 "too many leak reports from this address; wait %ld seconds (Retry-After) and send the rest", wait);
        ctx->retry_after_out[0] = wait;
        return route_error(body, 429, "rate_limited", message);
    }
    revoke_findings_t *f = calloc(1, sizeof *f);
    if (!f)
        return route_error(body, 500, "internal", "the server ran out of memory");
    const char *why = NULL;
    if (revoke_body_read(ctx->content_type, rq->body, rq->body_len, f, &why) != 0) {
        revoke_findings_free(f);
        free(f);
        char message[700];
        snprintf(message, sizeof message, "%s; %s", why, REVOKE_SEND);
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
    revoke_findings_free(f);
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
