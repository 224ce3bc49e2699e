/* named_keys_table.c - the named keys on Settings > API Key as the owner reads them: the table "keys" (one row
 * per live named key, its ID the record id the row actions act on; hints only, never a key; then, with the filter
 * show_revoked on, the keys revoked in the last 30 days, marked revoked and leaked) and the status lines
 * that warn of keys expiring within 7 days and show keys unused for 90 days. admin_named_keys.c registers the
 * table with its actions and runs them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "time_format.h"

#define DAY 86400
#define EXPIRY_WARNING_DAYS 7
#define UNUSED_DAYS 90

static void time_or(int64_t t, const char *none, char *out, size_t out_len)
{
    if (t > 0)
        apikeys_format_time(t, out, out_len);
    else
        snprintf(out, out_len, "%s", none);
}

typedef struct table_ctx {
    const panel_sink_t *sink;
    int64_t now;
    uint64_t offset;
    uint32_t limit;
    int show_revoked;
    uint32_t emitted;
} table_ctx_t;

static int32_t key_row(void *vctx, const store_named_t *k)
{
    table_ctx_t *t = vctx;
    char id[24], created[40], expires[80], last[40], uses[24], rate[32], key[160];
    snprintf(id, sizeof id, "%lld", (long long)k->id);
    time_or(k->created_at, "unknown", created, sizeof created);
    if (k->expires_at > 0) {
        char when[40];
        apikeys_format_time(k->expires_at, when, sizeof when);
        snprintf(expires, sizeof expires, "%s%s", when, k->expires_at <= t->now ? " - expired" : "");
    } else {
        snprintf(expires, sizeof expires, "never");
    }
    time_or(k->last_used_at, "never", last, sizeof last);
    snprintf(uses, sizeof uses, "%lld", (long long)k->use_count);
    if (k->rate_limit)
        snprintf(rate, sizeof rate, "%lld/min", (long long)k->rate_limit);
    else
        snprintf(rate, sizeof rate, "none");
    /* a live named key without a current value: it was reported as leaked (store.h) */
    const char *current = k->hint[0] ? k->hint : "leaked: revoked (Reset key makes a new one)";
    if (k->revoked_at > 0) { /* a revoked key, listed for 30 days under the filter */
        char when[40];
        apikeys_format_time(k->revoked_at, when, sizeof when);
        snprintf(key, sizeof key, "revoked %s%s (was %s)", when, k->leaked ? ", leaked" : "", k->hint);
    } else if (k->has_grace) {
        char when[40];
        apikeys_format_time(k->grace_expires_at, when, sizeof when);
        snprintf(key, sizeof key, "%s (previous %s until %s)", current, k->grace_hint, when);
    } else {
        snprintf(key, sizeof key, "%s", current);
    }
    const char *cells[10] = {id,   k->label, k->scopes, key,
                             created, expires, last, uses, k->allowed_ips[0] ? k->allowed_ips : "any", rate};
    t->emitted++;
    return t->sink->row(t->sink, cells, 10);
}

/* The live keys by id, then (with the filter on) the keys revoked in the last 30 days, latest first. */
static int32_t read_table(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    table_ctx_t *t = vctx;
    int32_t rc = store_read_named(&st->store, t->offset, t->limit, key_row, t, err, err_len);
    if (rc != PANEL_OK || !t->show_revoked || t->emitted >= t->limit)
        return rc;
    int64_t live = 0;
    rc = store_named_count(&st->store, &live, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    uint64_t skip = t->offset > (uint64_t)live ? t->offset - (uint64_t)live : 0;
    return store_read_revoked_named(&st->store, t->now - STORE_REVOKED_LISTED_SECONDS, skip, t->limit - t->emitted,
                                    key_row, t, err, err_len);
}

int32_t admin_named_keys_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                                     const panel_sink_t *sink, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    table_ctx_t t = {sink, apikeys_now(st), offset, limit, 0, 0};
    int32_t rc = admin_named_show_revoked(st, &t.show_revoked, err, err_len);
    return rc == PANEL_OK ? apikeys_read(st, read_table, &t, err, err_len) : rc;
}

/* ----- status lines --------------------------------------------------------------------------------------- */

typedef struct status_ctx {
    int64_t now;
    char expiring[1024], unused[1024];
    size_t expiring_len, unused_len;
} status_ctx_t;

static void append(char *buf, size_t cap, size_t *len, const char *item)
{
    if (*len >= cap - 1)
        return;
    int w = snprintf(buf + *len, cap - *len, "%s%s", *len ? "; " : "", item);
    *len = w < 0 || (size_t)w >= cap - *len ? cap - 1 : *len + (size_t)w;
}

static int32_t status_row(void *vctx, const store_named_t *k)
{
    status_ctx_t *s = vctx;
    char item[200], when[40];
    if (k->expires_at > 0 && k->expires_at <= s->now + EXPIRY_WARNING_DAYS * DAY) {
        apikeys_format_time(k->expires_at, when, sizeof when);
        snprintf(item, sizeof item, "\"%s\" (ID %lld) %s %s", k->label, (long long)k->id,
                 k->expires_at <= s->now ? "expired" : "expires", when);
        append(s->expiring, sizeof s->expiring, &s->expiring_len, item);
    }
    int64_t since = k->last_used_at > 0 ? k->last_used_at : k->created_at;
    if (since <= s->now - UNUSED_DAYS * DAY) {
        if (k->last_used_at > 0) {
            apikeys_format_time(k->last_used_at, when, sizeof when);
            snprintf(item, sizeof item, "\"%s\" (ID %lld) last used %s", k->label, (long long)k->id, when);
        } else {
            snprintf(item, sizeof item, "\"%s\" (ID %lld) never used", k->label, (long long)k->id);
        }
        append(s->unused, sizeof s->unused, &s->unused_len, item);
    }
    return PANEL_OK;
}

static int32_t read_status(apikeys_state_t *st, void *s, char *err, size_t err_len)
{
    return store_read_named(&st->store, 0, STORE_NAMED_MAX, status_row, s, err, err_len);
}

static int32_t emit(const panel_sink_t *sink, const char *label, const char *value)
{
    const char *cells[2] = {label, value};
    return sink->row(sink, cells, 2);
}

int32_t admin_named_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len)
{
    if (st->site_scopes_len == 0)
        return PANEL_OK;
    status_ctx_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    s->now = apikeys_now(st);
    int32_t rc = apikeys_read(st, read_status, s, err, err_len);
    if (rc == PANEL_OK && s->expiring_len)
        rc = emit(sink, "Keys expiring within 7 days", s->expiring);
    if (rc == PANEL_OK && s->unused_len)
        rc = emit(sink, "Keys unused for 90 days", s->unused);
    free(s);
    return rc;
}
