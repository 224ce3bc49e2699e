/* usage_status.c - who still uses a key value, for the owner (issue: see which tool still uses a key): the status
 * lines of the site key's current and previous value while a grace period runs (last caller: when, client
 * address, User-Agent; requests in the last hour), the same for each named key in its reset grace, and the note End grace period carries (what ending the grace
 * period now would break). The counts reach the store through the batched flush, so the page flushes first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

/* "3 minutes ago", "42 seconds ago", "5 hours ago". */
static void ago_text(int64_t seconds, char *out, size_t out_len)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        snprintf(out, out_len, "%lld second%s ago", (long long)seconds, seconds == 1 ? "" : "s");
    else if (seconds < 7200)
        snprintf(out, out_len, "%lld minute%s ago", (long long)(seconds / 60), seconds / 60 == 1 ? "" : "s");
    else
        snprintf(out, out_len, "%lld hours ago", (long long)(seconds / 3600));
}

/* " from 203.0.113.7 (ZonelyPlugin/1.2)", " from 203.0.113.7", "" */
static void from_text(const store_caller_t *c, char *out, size_t out_len)
{
    if (c->addr[0] && c->agent[0])
        snprintf(out, out_len, " from %s (%s)", c->addr, c->agent);
    else if (c->addr[0])
        snprintf(out, out_len, " from %s", c->addr);
    else if (c->agent[0])
        snprintf(out, out_len, " (%s)", c->agent);
    else
        out[0] = '\0';
}

typedef struct callers {
    store_site_t site;
    store_caller_t current, previous;
    int64_t now;
} callers_t;

static int32_t read_callers(apikeys_state_t *st, void *vc, char *err, size_t err_len)
{
    callers_t *c = vc;
    memset(&c->current, 0, sizeof c->current);
    memset(&c->previous, 0, sizeof c->previous);
    int32_t rc = store_get_site(&st->store, &c->site, err, err_len);
    if (rc == PANEL_OK && c->site.has_current)
        rc = store_read_caller(&st->store, c->site.current.id, c->now - 3600, &c->current, err, err_len);
    if (rc == PANEL_OK && c->site.has_grace)
        rc = store_read_caller(&st->store, c->site.grace.id, c->now - 3600, &c->previous, err, err_len);
    return rc;
}

static int32_t emit_caller(const panel_sink_t *sink, const char *who, const store_caller_t *c, int64_t now)
{
    char label[160], value[256], ago[40], from[160];
    snprintf(label, sizeof label, "%s last caller", who);
    if (c->last_used_at > 0) {
        ago_text(now - c->last_used_at, ago, sizeof ago);
        from_text(c, from, sizeof from);
        snprintf(value, sizeof value, "%s%s", ago, from);
    } else {
        snprintf(value, sizeof value, "no request yet");
    }
    const char *cells[2] = {label, value};
    int32_t rc = sink->row(sink, cells, 2);
    if (rc != PANEL_OK)
        return rc;
    snprintf(label, sizeof label, "%s requests in the last hour", who);
    snprintf(value, sizeof value, "%lld", (long long)c->last_hour);
    cells[1] = value;
    return sink->row(sink, cells, 2);
}

int32_t admin_usage_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len)
{
    callers_t c;
    c.now = apikeys_now(st);
    int32_t rc = apikeys_read(st, read_callers, &c, err, err_len);
    if (rc != PANEL_OK || !c.site.has_grace || c.site.grace.expires_at <= c.now)
        return rc; /* who uses which value matters while a grace period runs */
    rc = emit_caller(sink, "Previous key", &c.previous, c.now);
    if (rc == PANEL_OK && c.site.has_current)
        rc = emit_caller(sink, "Key", &c.current, c.now);
    return rc;
}

/* ----- named keys in their reset grace -------------------------------------------------------------------------- */

typedef struct named_grace {
    int64_t id;
    char label[STORE_LABEL_MAX];
    store_caller_t previous, current;
} named_grace_t;

typedef struct named_graces {
    named_grace_t keys[STORE_NAMED_MAX];
    size_t n;
    int64_t now;
} named_graces_t;

static int32_t note_named(void *vctx, const store_named_t *key)
{
    named_graces_t *g = vctx;
    if (key->has_grace && key->grace_expires_at > g->now && g->n < STORE_NAMED_MAX) {
        g->keys[g->n].id = key->id;
        snprintf(g->keys[g->n].label, sizeof g->keys[0].label, "%s", key->label);
        g->n++;
    }
    return PANEL_OK;
}

static int32_t read_named_graces(apikeys_state_t *st, void *vg, char *err, size_t err_len)
{
    named_graces_t *g = vg;
    int32_t rc = store_read_named(&st->store, 0, STORE_NAMED_MAX, note_named, g, err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < g->n; i++) {
        int found;
        rc = store_read_named_caller(&st->store, g->keys[i].id, 1, g->now - 3600, &g->keys[i].previous, &found, err,
                                     err_len);
        if (rc == PANEL_OK)
            rc = store_read_named_caller(&st->store, g->keys[i].id, 0, g->now - 3600, &g->keys[i].current, &found,
                                         err, err_len);
    }
    return rc;
}

int32_t admin_named_usage_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len)
{
    named_graces_t *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    g->now = apikeys_now(st);
    int32_t rc = apikeys_read(st, read_named_graces, g, err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < g->n; i++) {
        char who[96];
        snprintf(who, sizeof who, "%s (key %lld): previous value", g->keys[i].label, (long long)g->keys[i].id);
        rc = emit_caller(sink, who, &g->keys[i].previous, g->now);
        snprintf(who, sizeof who, "%s (key %lld): current value", g->keys[i].label, (long long)g->keys[i].id);
        if (rc == PANEL_OK)
            rc = emit_caller(sink, who, &g->keys[i].current, g->now);
    }
    free(g);
    return rc;
}

static void admin_grace_end_note(const store_caller_t *previous, int64_t now, char *note, size_t note_len)
{
    if (previous->last_used_at <= 0 || now - previous->last_used_at > 3600) {
        snprintf(note, note_len, "No request with the previous key in the last 60 minutes.");
        return;
    }
    char ago[40], from[160];
    ago_text(now - previous->last_used_at, ago, sizeof ago);
    from_text(previous, from, sizeof from);
    snprintf(note, note_len, "The previous key was used %s%s; ending the grace period now breaks that tool.", ago,
             from);
}

int32_t admin_end_grace_note(apikeys_state_t *st, char *note, size_t note_len)
{
    callers_t c;
    c.now = apikeys_now(st);
    char flush_err[512];
    if (apikeys_flush_usage(st, flush_err, sizeof flush_err) != PANEL_OK)
        apikeys_log(st, PANEL_LOG_WARN, "usage counts could not be saved before telling who uses the previous key");
    int32_t rc = apikeys_read(st, read_callers, &c, note, note_len);
    if (rc != PANEL_OK)
        return rc;
    if (!c.site.has_grace) {
        snprintf(note, note_len, "No previous key is in a grace period.");
        return PANEL_E_STATE;
    }
    admin_grace_end_note(&c.previous, c.now, note, note_len);
    return PANEL_OK;
}
