/* pg_usage.c - the PostgreSQL backend's usage (see store.h): a node's flush adds its counts to the key rows, the
 * hourly table and the last hour's minutes (INSERT ... ON CONFLICT adds, never overwrites, so the page shows every
 * node's sum) and prunes what is older than kept, in one pipelined round trip; reading the hourly table and a key
 * value's last caller on the admin connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

/* The statements (their addresses name them among the prepared ones). */
static const char add_usage_sql[] =
    "UPDATE apikeys_keys SET use_count = use_count + $2::bigint,"
    " last_addr = CASE WHEN $3::bigint >= COALESCE(last_used_at, 0) AND $4 <> '' THEN $4 ELSE last_addr END,"
    " last_agent = CASE WHEN $3::bigint >= COALESCE(last_used_at, 0) AND $4 <> '' THEN $5 ELSE last_agent END,"
    " last_used_at = GREATEST(COALESCE(last_used_at, 0), $3::bigint) WHERE id = $1::bigint";
static const char add_hourly_sql[] =
    "INSERT INTO apikeys_usage(hour, key, code, count) VALUES ($1::bigint, $2, $3, $4::bigint)"
    " ON CONFLICT (hour, key, code) DO UPDATE SET count = apikeys_usage.count + excluded.count";
static const char add_recent_sql[] =
    "INSERT INTO apikeys_usage_recent(key_id, minute, count) VALUES ($1::bigint, $2::bigint, $3::bigint)"
    " ON CONFLICT (key_id, minute) DO UPDATE SET count = apikeys_usage_recent.count + excluded.count";
static const char add_denials_sql[] =
    "INSERT INTO apikeys_denials(reason, count, last_at) VALUES ($1, $2::bigint, $3::bigint)"
    " ON CONFLICT (reason) DO UPDATE SET count = apikeys_denials.count + excluded.count,"
    " last_at = GREATEST(COALESCE(apikeys_denials.last_at, 0), excluded.last_at)";
static const char prune_sql[] =
    "WITH h AS (DELETE FROM apikeys_usage WHERE hour < $1::bigint)"
    " DELETE FROM apikeys_usage_recent WHERE minute < $2::bigint";
static const char read_usage_sql[] =
    "SELECT hour, key, code, count FROM apikeys_usage WHERE hour >= $1::bigint ORDER BY hour DESC, key, code";
static const char read_caller_sql[] =
    "SELECT COALESCE(last_used_at, 0), COALESCE(last_addr, ''), COALESCE(last_agent, ''),"
    " (SELECT COALESCE(SUM(count), 0) FROM apikeys_usage_recent WHERE key_id = $1::bigint AND minute >= $2::bigint)"
    " FROM apikeys_keys WHERE id = $1::bigint";
static const char read_named_caller_sql[] =
    "SELECT COALESCE(k.last_used_at, 0), COALESCE(k.last_addr, ''), COALESCE(k.last_agent, ''),"
    " (SELECT COALESCE(SUM(count), 0) FROM apikeys_usage_recent WHERE key_id = k.id AND minute >= $3::bigint)"
    " FROM apikeys_keys k JOIN apikeys_named n ON n.id = k.named_key"
    " WHERE k.named_key = $1::bigint AND k.named_role = $2 AND n.revoked_at IS NULL";

static int32_t add_hourly(pg_store_t *p, int64_t hour, const char *key, const char *code, uint64_t count, char *err,
                          size_t err_len)
{
    if (!count)
        return PANEL_OK;
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, hour), key, code, pg_i64(b, sizeof b, (int64_t)count)};
    return pg_exec_admin(p, add_hourly_sql, 4, params, NULL, "saving usage per hour", err, err_len);
}

static int32_t flush_value(pg_store_t *p, const store_usage_t *u, int64_t now, char *err, size_t err_len)
{
    char a[24], b[24], c[24];
    int32_t rc = PANEL_OK;
    if (u->allowed || u->last_at) {
        const char *params[] = {pg_i64(a, sizeof a, u->key_id), pg_i64(b, sizeof b, (int64_t)u->allowed),
                                pg_i64(c, sizeof c, u->last_at ? u->last_at : now), u->last_at ? u->addr : "",
                                u->agent};
        rc = pg_exec_admin(p, add_usage_sql, 5, params, NULL, "saving usage counts", err, err_len);
    }
    if (rc == PANEL_OK && u->allowed) {
        const char *params[] = {pg_i64(a, sizeof a, u->key_id), pg_i64(b, sizeof b, now / 60),
                                pg_i64(c, sizeof c, (int64_t)u->allowed)};
        rc = pg_exec_admin(p, add_recent_sql, 3, params, NULL, "saving the last hour's usage", err, err_len);
    }
    char key[32];
    store_usage_key(u->label, key, sizeof key);
    int64_t hour = now - now % 3600;
    if (rc == PANEL_OK)
        rc = add_hourly(p, hour, key, "allowed", u->allowed, err, err_len);
    for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++)
        rc = add_hourly(p, hour, key, denial_table[r].code.text, u->denied[r], err, err_len);
    return rc;
}

int32_t pg_flush_usage(store_t *s, const store_flush_t *f, char *err, size_t err_len)
{
    /* One round trip (pipelined, BEGIN to COMMIT): a node cut off mid-flush must not hold key rows locked that a
     * reset elsewhere revokes. */
    pg_store_t *p = P(s);
    int32_t rc = pg_admin_conn(p, err, err_len);
    if (rc == PANEL_OK)
        rc = pg_pipe_start(&p->pipe, p->conn, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    p->in_tx = 1;
    p->tx_signals = 0;
    if (pg_pipe_queue(&p->pipe, NULL, NULL, "BEGIN", 0, NULL, 0, "saving usage counts") < 0)
        rc = pg_pipe_wait(&p->pipe, -1, err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < f->n_usage; i++)
        rc = flush_value(p, &f->usage[i], f->now, err, err_len);
    int64_t hour = f->now - f->now % 3600;
    for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++)
        rc = add_hourly(p, hour, "none", denial_table[r].code.text, f->keyless[r], err, err_len);
    char a[24], b[24];
    for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++) {
        if (!f->denials[r])
            continue;
        const char *params[] = {denial_table[r].code.text, pg_i64(a, sizeof a, (int64_t)f->denials[r]),
                                pg_i64(b, sizeof b, f->denial_last[r])};
        rc = pg_exec_admin(p, add_denials_sql, 3, params, NULL, "saving denial counts", err, err_len);
    }
    if (rc == PANEL_OK) {
        const char *params[] = {pg_i64(a, sizeof a, hour - (int64_t)STORE_USAGE_DAYS * 86400),
                                pg_i64(b, sizeof b, f->now / 60 - 60)};
        rc = pg_exec_admin(p, prune_sql, 2, params, NULL, "pruning old usage", err, err_len);
    }
    if (rc == PANEL_OK && pg_pipe_queue(&p->pipe, NULL, NULL, "COMMIT", 0, NULL, 0, "saving usage counts") < 0)
        rc = pg_pipe_wait(&p->pipe, -1, err, err_len);
    if (rc == PANEL_OK)
        rc = pg_pipe_end(&p->pipe, err, err_len);
    if (rc != PANEL_OK) {
        pg_rollback(s);
        return rc;
    }
    pg_pipe_discard(&p->pipe);
    memset(&p->pipe, 0, sizeof p->pipe);
    p->in_tx = 0;
    return PANEL_OK;
}

int32_t pg_read_usage(store_t *s, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len)
{
    char a[24];
    const char *params[] = {pg_i64(a, sizeof a, since)};
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), read_usage_sql, 1, params, &r, "reading usage", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        const store_usage_row_t row = {strtoll(PQgetvalue(r, i, 0), NULL, 10), PQgetvalue(r, i, 1),
                                       PQgetvalue(r, i, 2), strtoll(PQgetvalue(r, i, 3), NULL, 10)};
        if ((rc = fn(ctx, &row)) != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the usage table");
    }
    PQclear(r);
    return rc;
}

/* The one row of a caller statement into out; *found = 1 when there was one. Clears r. */
static void caller_row(PGresult *r, store_caller_t *out, int *found)
{
    memset(out, 0, sizeof *out);
    *found = PQntuples(r) == 1;
    if (*found) {
        out->last_used_at = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->addr, sizeof out->addr, "%s", PQgetvalue(r, 0, 1));
        snprintf(out->agent, sizeof out->agent, "%s", PQgetvalue(r, 0, 2));
        out->last_hour = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    }
    PQclear(r);
}

int32_t pg_read_caller(store_t *s, int64_t key_id, int64_t since, store_caller_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, key_id), pg_i64(b, sizeof b, since / 60)};
    PGresult *r;
    int found;
    int32_t rc = pg_exec_admin(P(s), read_caller_sql, 2, params, &r, "reading a key's last caller", err, err_len);
    if (rc == PANEL_OK)
        caller_row(r, out, &found);
    return rc;
}

int32_t pg_read_named_caller(store_t *s, int64_t named_id, int grace, int64_t since, store_caller_t *out, int *found,
                             char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, named_id), grace ? "grace" : "current", pg_i64(b, sizeof b, since / 60)};
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), read_named_caller_sql, 3, params, &r, "reading a key's last caller", err,
                               err_len);
    if (rc == PANEL_OK)
        caller_row(r, out, found);
    return rc;
}
