/* pg_rows.c - the PostgreSQL backend's rows of the site key (see store_postgresql.h): the API switch and key
 * policy, the current and grace key, finding a digest, revoking, the audit trail, and the denial counters
 * (the batched usage: pg_usage.c), on the admin connection (in the changing transaction's pipeline when one is open).
 * A changing transaction's read of the site may be answered from what the connection's last changing commit left,
 * guarded by the change number (pg_get_site). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

int32_t pg_get_enabled(store_t *s, int *enabled, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), "SELECT api_enabled FROM apikeys_state WHERE id = 1", 0, NULL, &r,
                               "reading the API switch", err, err_len);
    if (rc == PANEL_OK) {
        *enabled = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
        PQclear(r);
    }
    return rc;
}

int32_t pg_set_enabled(store_t *s, int enabled, char *err, size_t err_len)
{
    const char *params[] = {enabled ? "true" : "false"};
    return pg_exec_admin(P(s), "UPDATE apikeys_state SET api_enabled = $1::boolean WHERE id = 1", 1, params, NULL,
                         "saving the API switch", err, err_len);
}

int32_t pg_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    PGresult *r;
    const char *params[] = {role};
    int32_t rc = pg_exec_admin(P(s),
                               "SELECT id, hint, created_at, COALESCE(expires_at, 0), COALESCE(last_used_at, 0),"
                            " use_count FROM apikeys_keys WHERE role = $1",
                            1, params, &r, "reading the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        *found = 1;
        out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->hint, sizeof out->hint, "%s", PQgetvalue(r, 0, 1));
        out->created_at = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        out->expires_at = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        out->last_used_at = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
        out->use_count = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    }
    PQclear(r);
    return PANEL_OK;
}

static void key_from_row(PGresult *r, int i, store_key_t *out)
{
    out->id = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    snprintf(out->hint, sizeof out->hint, "%s", PQgetvalue(r, i, 3));
    out->created_at = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    out->expires_at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    out->last_used_at = strtoll(PQgetvalue(r, i, 6), NULL, 10);
    out->use_count = strtoll(PQgetvalue(r, i, 7), NULL, 10);
}

const char pg_site_sql[] =
    "SELECT s.api_enabled, COALESCE(k.role, ''), k.id, k.hint, k.created_at, COALESCE(k.expires_at, 0),"
    " COALESCE(k.last_used_at, 0), k.use_count"
    " FROM apikeys_state s LEFT JOIN apikeys_keys k ON k.role IN ('current', 'grace') WHERE s.id = 1";

void pg_site_from(PGresult *r, store_site_t *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < PQntuples(r); i++) {
        out->enabled = PQgetvalue(r, i, 0)[0] == 't';
        const char *role = PQgetvalue(r, i, 1);
        if (strcmp(role, "current") == 0) {
            out->has_current = 1;
            key_from_row(r, i, &out->current);
        } else if (strcmp(role, "grace") == 0) {
            out->has_grace = 1;
            key_from_row(r, i, &out->grace);
        }
    }
}

/* The guard of a site given from memory: fails (division by zero, SQLSTATE 22012, which pg_rollback looks for)
 * unless the change number is still the one the site was read at. It runs under the state row's lock, which the
 * changing transaction took before it (pg_begin). */
static const char site_guard_sql[] = "SELECT 1 / (change = $1::bigint)::int FROM apikeys_state WHERE id = 1";

int32_t pg_get_site(store_t *s, store_site_t *out, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    if (p->pipe.active && p->tx_signals && p->site_seen.valid && p->guard_at < 0) {
        /* A changing transaction's first read of the site: the site as this connection's last changing commit
         * left it, with a guard queued instead of a round trip. If another process changed the keys since, the
         * guard fails the transaction and apikeys_write runs it again, reading (pg_rollback sets p->stale). */
        char change[24];
        const char *params[] = {pg_i64(change, sizeof change, p->site_seen.change)};
        int at = pg_queue_prepared(p, site_guard_sql, 1, params, 0,
                                   "checking that no other process changed the keys since this one last did");
        p->site_seen.valid = 0; /* used once: a later read in this transaction sees its own writes */
        if (at >= 0) {
            p->guard_at = at;
            *out = p->site_seen.site;
            return PANEL_OK;
        }
    }
    PGresult *r;
    int32_t rc = pg_exec_admin(p, pg_site_sql, 0, NULL, &r, "reading the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    pg_site_from(r, out);
    PQclear(r);
    return PANEL_OK;
}

int32_t pg_get_site_policy(store_t *s, store_site_policy_t *out, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), "SELECT allowed_ips, rate_limit FROM apikeys_state WHERE id = 1", 0, NULL, &r,
                               "reading the key policy", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    out->allowed_ips[0] = '\0';
    out->rate_limit = 0;
    if (PQntuples(r) == 1) {
        /* Cut, an allow-list could widen: refuse it (the snapshot reads the whole text and fails closed too). */
        if (pg_copy_text(out->allowed_ips, sizeof out->allowed_ips, PQgetvalue(r, 0, 0)) != 0)
            rc = PANEL_E_STORE;
        out->rate_limit = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    if (rc != PANEL_OK)
        snprintf(err, err_len,
                 "the key store holds allowed IPs for the site key longer than this plugin reads (%zu bytes at "
                 "most); set allowed_ips again in Settings > API Key",
                 sizeof out->allowed_ips - 1);
    return rc;
}

/* In the changing transaction: the row it updates is the one the commit bumps (apikeys_state). */
int32_t pg_set_site_policy(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err,
                           size_t err_len)
{
    char rate[24];
    const char *params[] = {allowed_ips, pg_i64(rate, sizeof rate, rate_limit)};
    return pg_exec_admin(P(s),
                         "UPDATE apikeys_state SET allowed_ips = COALESCE($1, allowed_ips),"
                      " rate_limit = CASE WHEN $2::bigint < 0 THEN rate_limit ELSE $2::bigint END WHERE id = 1",
                      2, params, NULL, "saving the key policy", err, err_len);
}

void pg_digest_hex(const uint8_t digest[KEY_DIGEST_LEN], char out[2 * KEY_DIGEST_LEN + 3])
{
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < KEY_DIGEST_LEN; i++)
        snprintf(out + 2 + 2 * i, 3, "%02x", digest[i]);
}

/* One statement: a digest this store has seen becomes current again, else a new row. Never a named key's row
 * (find_digest reports those as role "named", so no action gets here with one; the schema refuses a row that is
    * both). */
int32_t pg_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                       int64_t now, int64_t *id, char *err, size_t err_len)
{
    char hex[2 * KEY_DIGEST_LEN + 3], when[24], loc[24];
    pg_digest_hex(digest, hex);
    const char *params[] = {hex, hint, pg_i64(when, sizeof when, now), pg_i64(loc, sizeof loc, (int64_t)locator)};
    PGresult *r = NULL;
    int32_t rc = pg_exec_admin(P(s),
                               "INSERT INTO apikeys_keys(name, digest, hint, created_at, role, locator)"
                            " VALUES ('site', $1::bytea, $2, $3::bigint, 'current', $4::bigint)"
                            " ON CONFLICT (digest) DO UPDATE SET role = 'current', revoked_at = NULL, expires_at = NULL,"
                            " locator = excluded.locator RETURNING id",
                            4, params, id ? &r : NULL, "saving the new key", err, err_len);
    if (rc == PANEL_OK && id) {
        *id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
    }
    return rc;
}

/* A named key's row reports role "named" (its role is NULL, its named_role its own): it is never the site
 * key's, current or replaced. */
int32_t pg_find_digest(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                       char *err, size_t err_len)
{
    char hex[2 * KEY_DIGEST_LEN + 3];
    pg_digest_hex(digest, hex);
    const char *params[] = {hex};
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s),
                               "SELECT id, CASE WHEN named_key IS NULL THEN COALESCE(role, '') ELSE 'named' END, created_at,"
                            " COALESCE(revoked_at, 0) FROM apikeys_keys"
                            " WHERE digest = $1::bytea",
                            1, params, &r, "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        out->found = 1;
        out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->role, sizeof out->role, "%s", PQgetvalue(r, 0, 1));
        out->created_at = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        out->revoked_at = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    }
    PQclear(r);
    return PANEL_OK;
}

int32_t pg_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, id), pg_i64(b, sizeof b, now)};
    return pg_exec_admin(P(s), "UPDATE apikeys_keys SET role = NULL, revoked_at = $2::bigint WHERE id = $1::bigint", 2,
                         params, NULL, "revoking the key", err, err_len);
}

int32_t pg_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, id), pg_i64(b, sizeof b, expires_at)};
    return pg_exec_admin(P(s), "UPDATE apikeys_keys SET role = 'grace', expires_at = $2::bigint WHERE id = $1::bigint",
                         2, params, NULL, "keeping the previous key for the grace period", err, err_len);
}

int32_t pg_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                 const char *outcome, const char *key_hint, char *err, size_t err_len)
{
    char when[24];
    const char *params[] = {pg_i64(when, sizeof when, now), actor, origin, action, outcome,
                            key_hint && key_hint[0] ? key_hint : NULL};
    return pg_exec_admin(P(s),
                         "INSERT INTO apikeys_audit(at, actor, origin, action, outcome, key_hint)"
                      " VALUES ($1::bigint, $2, $3, $4, $5, $6)",
                      6, params, NULL, "writing the audit row", err, err_len);
}

int32_t pg_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                      size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, limit), pg_i64(b, sizeof b, offset > INT64_MAX ? INT64_MAX : (int64_t)offset)};
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s),
                               "SELECT at, actor, origin, action, outcome, COALESCE(key_hint, '') FROM apikeys_audit"
                            " ORDER BY id DESC LIMIT $1::bigint OFFSET $2::bigint",
                            2, params, &r, "reading the audit trail", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        store_audit_row_t row = {strtoll(PQgetvalue(r, i, 0), NULL, 10), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                                 PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5)};
        rc = fn(ctx, &row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the audit trail");
    }
    PQclear(r);
    return rc;
}

int32_t pg_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS],
                       char *err, size_t err_len)
{
    for (int r = 0; r < DENIAL_REASONS; r++)
        counts[r] = last_at[r] = 0;
    PGresult *res;
    int32_t rc = pg_exec_admin(P(s), "SELECT reason, count, COALESCE(last_at, 0) FROM apikeys_denials", 0, NULL, &res,
                               "reading denial counts", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; i < PQntuples(res); i++)
        for (int r = 0; r < DENIAL_REASONS; r++)
            if (strcmp(PQgetvalue(res, i, 0), denial_table[r].code.text) == 0) {
                counts[r] = strtoll(PQgetvalue(res, i, 1), NULL, 10);
                last_at[r] = strtoll(PQgetvalue(res, i, 2), NULL, 10);
            }
    PQclear(res);
    return PANEL_OK;
}
