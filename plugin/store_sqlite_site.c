/* store_sqlite_site.c - the SQLite backend's rows of the site key (see store_sqlite_internal.h): the API switch
 * and key policy settings, the current and grace key, finding a digest, revoking, the audit trail, and the batched
 * usage and denial counters. All on the write connection, under the caller's write mutex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

int32_t sq_read_enabled(sqlite_store_t *s, sqlite3 *db, int *enabled, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, db, SQL_GET_ENABLED, &st, "reading the API switch", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    const unsigned char *value = step == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    *enabled = value && strcmp((const char *)value, "1") == 0;
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? PANEL_OK
                                                   : sq_store_fail(s, db, step, "reading the API switch", err, err_len);
    sq_release(st);
    return rc;
}

int32_t sq_read_policy(sqlite_store_t *s, sqlite3 *db, store_site_policy_t *out, char *err, size_t err_len)
{
    out->allowed_ips[0] = '\0';
    out->rate_limit = 0;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, db, SQL_GET_POLICY, &st, "reading the key policy", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        if (!name || !value)
            continue;
        if (strcmp(name, "allowed_ips") != 0) {
            out->rate_limit = strtoll(value, NULL, 10);
        } else if (sq_copy_text(st, 1, out->allowed_ips, sizeof out->allowed_ips) != 0) {
            /* Cut, an allow-list could widen ("64.0.0.0/20" to "64.0.0.0/2"): refuse it, never use it. */
            snprintf(err, err_len,
                     "the key store holds allowed IPs for the site key longer than this plugin reads (%zu bytes at "
                     "most); set allowed_ips again in Settings > API Key",
                     sizeof out->allowed_ips - 1);
            sq_release(st);
            return PANEL_E_STORE;
        }
    }
    rc = step == SQLITE_DONE ? PANEL_OK : sq_store_fail(s, db, step, "reading the key policy", err, err_len);
    sq_release(st);
    return rc;
}

int32_t sq_get_site_policy(store_t *store, store_site_policy_t *out, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    return sq_read_policy(s, s->db, out, err, err_len);
}

static int32_t put_setting(sqlite_store_t *s, const char *name, const char *value, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_PUT_SETTING, &st, "saving the key policy", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return sq_step_done(s, s->db, st, "saving the key policy", err, err_len);
}

int32_t sq_set_site_policy(store_t *store, const char *allowed_ips, int64_t rate_limit, char *err,
                           size_t err_len)
{
    sqlite_store_t *s = store->impl;
    int32_t rc = PANEL_OK;
    if (allowed_ips)
        rc = put_setting(s, "allowed_ips", allowed_ips, err, err_len);
    if (rc == PANEL_OK && rate_limit >= 0) {
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)rate_limit);
        rc = put_setting(s, "rate_limit", text, err, err_len);
    }
    return rc;
}

int32_t sq_get_enabled(store_t *store, int *enabled, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    return sq_read_enabled(s, s->db, enabled, err, err_len);
}

int32_t sq_set_enabled(store_t *store, int enabled, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_SET_ENABLED, &st, "saving the API switch", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, enabled ? "1" : "0", -1, SQLITE_STATIC);
    return sq_step_done(s, s->db, st, "saving the API switch", err, err_len);
}

int32_t sq_get_role(store_t *store, const char *role, store_key_t *out, int *found, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    *found = 0;
    int32_t rc = sq_cached(s, s->db, SQL_GET_ROLE, &st, "reading the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *found = 1;
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->hint, sizeof out->hint, "%s", (const char *)sqlite3_column_text(st, 1));
        out->created_at = sqlite3_column_int64(st, 2);
        out->expires_at = sqlite3_column_int64(st, 3);
        out->last_used_at = sqlite3_column_int64(st, 4);
        out->use_count = sqlite3_column_int64(st, 5);
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? PANEL_OK
                                                   : sq_store_fail(s, s->db, step, "reading the key", err, err_len);
    sq_release(st);
    return rc;
}

int32_t sq_get_site(store_t *store, store_site_t *out, char *err, size_t err_len)
{
    int32_t rc = sq_get_enabled(store, &out->enabled, err, err_len);
    if (rc == PANEL_OK)
        rc = sq_get_role(store, "current", &out->current, &out->has_current, err, err_len);
    if (rc == PANEL_OK)
        rc = sq_get_role(store, "grace", &out->grace, &out->has_grace, err, err_len);
    return rc;
}

int32_t sq_put_current(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                       int64_t now, int64_t *id, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_FIND_DIGEST, &st, "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int64_t existing = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sq_store_fail(s, s->db, step, "looking the key up", err, err_len);
    sq_release(st);
    if (rc != PANEL_OK)
        return rc;
    if (existing) {
        rc = sq_cached(s, s->db, SQL_REACTIVATE, &st, "reactivating the key", err, err_len);
        if (rc != PANEL_OK)
            return rc;
        sqlite3_bind_int64(st, 1, existing);
        sqlite3_bind_int64(st, 2, (int64_t)locator);
        if (id)
            *id = existing;
        return sq_step_done(s, s->db, st, "reactivating the key", err, err_len);
    }
    rc = sq_cached(s, s->db, SQL_INSERT_CURRENT, &st, "saving the new key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, (int64_t)locator);
    rc = sq_step_done(s, s->db, st, "saving the new key", err, err_len);
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int32_t sq_find_digest(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                       char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_FIND_DIGEST_ROW, &st, "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->found = 1;
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->role, sizeof out->role, "%s", (const char *)sqlite3_column_text(st, 1));
        out->created_at = sqlite3_column_int64(st, 2);
        out->revoked_at = sqlite3_column_int64(st, 3);
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? PANEL_OK
                                                   : sq_store_fail(s, s->db, step, "looking the key up", err, err_len);
    sq_release(st);
    return rc;
}

int32_t sq_revoke(store_t *store, int64_t id, int64_t now, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_REVOKE, &st, "revoking the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return sq_step_done(s, s->db, st, "revoking the key", err, err_len);
}

int32_t sq_make_grace(store_t *store, int64_t id, int64_t expires_at, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_MAKE_GRACE, &st, "keeping the previous key for the grace period", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, expires_at);
    return sq_step_done(s, s->db, st, "keeping the previous key for the grace period", err, err_len);
}

int32_t sq_audit(store_t *store, int64_t now, const char *actor, const char *origin, const char *action,
                 const char *outcome, const char *key_hint, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_AUDIT, &st, "writing the audit row", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, outcome, -1, SQLITE_STATIC);
    if (key_hint && key_hint[0])
        sqlite3_bind_text(st, 6, key_hint, -1, SQLITE_STATIC);
    return sq_step_done(s, s->db, st, "writing the audit row", err, err_len);
}

int32_t sq_read_audit(store_t *store, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                      size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_READ_AUDIT, &st, "reading the audit trail", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_audit_row_t row = {sqlite3_column_int64(st, 0), sq_text_or_empty(st, 1), sq_text_or_empty(st, 2),
                                 sq_text_or_empty(st, 3),       sq_text_or_empty(st, 4), sq_text_or_empty(st, 5)};
        rc = fn(ctx, &row);
        if (rc != PANEL_OK) {
            sq_release(st);
            snprintf(err, err_len, "the host stopped reading the audit trail");
            return rc;
        }
    }
    rc = step == SQLITE_DONE ? PANEL_OK : sq_store_fail(s, s->db, step, "reading the audit trail", err, err_len);
    sq_release(st);
    return rc;
}

int32_t sq_get_denials(store_t *store, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                       size_t err_len)
{
    sqlite_store_t *s = store->impl;
    for (int r = 0; r < DENIAL_REASONS; r++)
        counts[r] = last_at[r] = 0;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_GET_DENIALS, &st, "reading denial counts", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *reason = sq_text_or_empty(st, 0);
        for (int r = 0; r < DENIAL_REASONS; r++)
            if (strcmp(reason, denial_table[r].code.text) == 0) {
                counts[r] = sqlite3_column_int64(st, 1);
                last_at[r] = sqlite3_column_int64(st, 2);
            }
    }
    rc = step == SQLITE_DONE ? PANEL_OK : sq_store_fail(s, s->db, step, "reading denial counts", err, err_len);
    sq_release(st);
    return rc;
}
