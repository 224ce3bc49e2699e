/* leak_report.c - a key reported as leaked (ABI 1.3 panel_auth_provider_t.report_leak): when the reported string
 * is one of this store's live values (the site key's current or grace value, a named key's), one change-signalling
 * transaction revokes it, keeps its digest (never the key) for 90 days so that requests with it get 401 "leaked",
 * and writes an audit row (the reporter's address, the place escaped and cut to 200 characters, the key's hint);
 * the commit makes every process and node refuse it before the reporter is answered. Anything else (malformed,
 * unknown, already dead) changes nothing and is answered the same. Also the owner's status line for a reported
 * site key. Nothing here logs, stores or echoes the key. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "auth_provider.h"
#include "key_format.h"
#include "time_format.h"

/* The place as the owner reads it: printable ASCII kept except the characters that could end a quoted or tagged
 * text (space, quotes, <, >, backslash, %), everything else as %XX; the reported key itself, should the place
 * hold it (e.g. a paste's URL with ?key=...), as "[the key]", so neither the audit row nor the status line ever
 * holds it; at most LEAK_PLACE_MAX - 1 characters, never cutting an escape. */
static void escape_place(const char *text, const char *key, size_t key_len, char *out, size_t out_len)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char mark[] = "[the key]";
    size_t at = 0;
    for (const unsigned char *c = (const unsigned char *)(text ? text : ""); *c; c++) {
        if (key_len > 0 && *c == (unsigned char)key[0] && strncmp((const char *)c, key, key_len) == 0) {
            if (at + sizeof mark - 1 >= out_len)
                break;
            memcpy(out + at, mark, sizeof mark - 1);
            at += sizeof mark - 1;
            c += key_len - 1;
            continue;
        }
        int keep = *c > 0x20u && *c < 0x7Fu && !strchr("\"'<>\\%`", *c);
        size_t need = keep ? 1 : 3;
        if (at + need >= out_len)
            break;
        if (keep) {
            out[at++] = (char)*c;
        } else {
            out[at++] = '%';
            out[at++] = hex[*c >> 4];
            out[at++] = hex[*c & 15u];
        }
    }
    out[at] = '\0';
}

/* The reporter's address as given by the host: address characters kept, anything else '?', cut to fit. */
static void clean_addr(const char *addr, char *out, size_t out_len)
{
    size_t at = 0;
    for (const char *c = addr ? addr : ""; *c && at + 1 < out_len; c++)
        out[at++] = strchr("0123456789abcdefABCDEF.:[]%", *c) || (*c >= 'g' && *c <= 'z') ? *c : '?';
    out[at] = '\0';
    if (at == 0)
        snprintf(out, out_len, "an unknown address");
}

/* 1 when the published snapshot, current and readable, says the digest is no valid key (nothing to revoke, no
 * write needed: a stream of unknown strings cannot make every node reload); 0 when it is valid or when the
 * snapshot cannot tell (then the store decides). */
static int surely_not_live(apikeys_state_t *st, uint64_t locator, const uint8_t digest[KEY_DIGEST_LEN])
{
    store_serve(&st->store);
    keyring_t *own = apikeys_refresh(st);
    int answer = 0;
    if (own) {
        answer = own->status == KEYRING_OK && !keyring_find(own, locator, digest);
        keyring_free(own);
        return answer;
    }
    unsigned slot;
    keyring_t *ring = guard_enter(&st->guard, &slot);
    answer = ring && ring->status == KEYRING_OK && ring->epoch == store_counter(&st->store) &&
             !keyring_find(ring, locator, digest);
    guard_leave(&st->guard, slot);
    return answer;
}

typedef struct leak_ctx {
    const uint8_t *digest;
    store_leak_t leak;
    int found;
} leak_ctx_t;

static const char *what_was_revoked(const char *role)
{
    if (strcmp(role, "current") == 0)
        return "the site key was revoked";
    if (strcmp(role, "grace") == 0)
        return "the previous site key's grace period was ended";
    if (strcmp(role, "named") == 0)
        return "the named key's value was revoked";
    return "the named key's previous value was revoked";
}

static int32_t leak_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    leak_ctx_t *c = vctx;
    int32_t rc = store_leak_revoke(&st->store, c->digest, &c->leak, &c->found, msg, msg_len);
    if (rc != PANEL_OK || !c->found)
        return rc;
    char outcome[400];
    if (c->leak.named_key)
        snprintf(outcome, sizeof outcome, "ok: %s (key ID %lld); found at %s", what_was_revoked(c->leak.role),
                 (long long)c->leak.named_key, c->leak.found_at[0] ? c->leak.found_at : "(not said)");
    else
        snprintf(outcome, sizeof outcome, "ok: %s; found at %s", what_was_revoked(c->leak.role),
                 c->leak.found_at[0] ? c->leak.found_at : "(not said)");
    return store_audit(&st->store, c->leak.reported_at, "leak report", c->leak.reporter, "leak-report", outcome,
                       c->leak.hint, msg, msg_len);
}

int32_t apikeys_report_leak(void *state, const panel_leak_report_t *report, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!st || !report || report->struct_size < sizeof(panel_leak_report_t) || !report->credential) {
        snprintf(err, err_len, "the host handed the API Keys provider an incomplete leak report");
        return PANEL_E_INVALID;
    }
    const char *key = report->credential;
    size_t len = report->credential_len;
    if (len == 0 || len > KEY_MAX_LEN ||
        key_parse_class(st->config.key_prefix, st->config.prefix_len, key, len) == KEY_MALFORMED)
        return PANEL_OK; /* no key of ours: nothing to revoke, answered as any other */
    uint8_t digest[KEY_DIGEST_LEN];
    key_digest(st->secret, key, len, digest);
    if (surely_not_live(st, key_locator(st->locator_key, key, len), digest)) {
        sodium_memzero(digest, sizeof digest);
        return PANEL_OK;
    }
    leak_ctx_t c;
    memset(&c, 0, sizeof c);
    c.digest = digest;
    c.leak.reported_at = apikeys_now(st);
    clean_addr(report->reporter_addr, c.leak.reporter, sizeof c.leak.reporter);
    escape_place(report->found_at, key, len, c.leak.found_at, sizeof c.leak.found_at);
    char msg[768], confirm[768];
    int32_t rc = apikeys_write(st, leak_tx, &c, msg, sizeof msg, confirm, sizeof confirm);
    sodium_memzero(digest, sizeof digest);
    if (rc != PANEL_OK) {
        snprintf(err, err_len, "the reported key could not be revoked: %s", msg);
        char line[1024];
        snprintf(line, sizeof line, "a leak report from %s could not be handled (it may be retried): %s",
                 c.leak.reporter, msg);
        apikeys_log(st, PANEL_LOG_ERROR, line);
        return rc == PANEL_E_NOMEM ? rc : PANEL_E_STORE;
    }
    if (c.found) {
        char line[1200];
        snprintf(line, sizeof line, "an API key (%s) was reported as leaked from %s (found at %s): %s%s%s",
                 c.leak.hint, c.leak.reporter, c.leak.found_at[0] ? c.leak.found_at : "a place not said",
                 what_was_revoked(c.leak.role), confirm[0] ? "; " : "", confirm);
        apikeys_log(st, PANEL_LOG_WARN, line);
    }
    return PANEL_OK;
}

/* ----- the owner's status line ----------------------------------------------------------------------------- */

typedef struct leak_status {
    store_leak_t leak;
    int found;
    store_site_t site;
} leak_status_t;

static int32_t read_leak_status(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    leak_status_t *l = vctx;
    int32_t rc = store_last_site_leak(&st->store, &l->leak, &l->found, err, err_len);
    if (rc == PANEL_OK && l->found)
        rc = store_get_site(&st->store, &l->site, err, err_len);
    return rc;
}

int32_t admin_leak_line(apikeys_state_t *st, char *out, size_t out_len, char *err, size_t err_len)
{
    leak_status_t l;
    memset(&l, 0, sizeof l);
    out[0] = '\0';
    int32_t rc = apikeys_read(st, read_leak_status, &l, err, err_len);
    if (rc != PANEL_OK || !l.found || (l.site.has_current && l.site.current.created_at >= l.leak.reported_at))
        return rc;
    char when[40];
    apikeys_format_time(l.leak.reported_at, when, sizeof when);
    snprintf(out, out_len, "revoked: reported as leaked on %s. Reset API key to make a new one.", when);
    return PANEL_OK;
}

int32_t admin_leak_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len)
{
    leak_status_t l;
    memset(&l, 0, sizeof l);
    int32_t rc = apikeys_read(st, read_leak_status, &l, err, err_len);
    /* Shown until a new site key exists (Reset API key or Enable made one after the report). */
    if (rc != PANEL_OK || !l.found || (l.site.has_current && l.site.current.created_at >= l.leak.reported_at))
        return rc;
    char when[40], place[LEAK_PLACE_MAX + 16], line[700];
    apikeys_format_time(l.leak.reported_at, when, sizeof when);
    if (l.leak.found_at[0])
        snprintf(place, sizeof place, " (found at %s)", l.leak.found_at);
    else
        place[0] = '\0';
    snprintf(line, sizeof line,
             "The API key was reported as leaked on %s from %s%s and revoked. Reset API key to make a new one.", when,
             l.leak.reporter, place);
    const char *cells[2] = {"Leak report", line};
    return sink->row(sink, cells, 2);
}
