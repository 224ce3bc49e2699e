/* pg_snapshot.c - the PostgreSQL backend's snapshot: the statement that reads the valid keys (with the switch,
 * the site key's policy and each key's named key, in one statement), and the reading of its rows and of the
 * reported (leaked) digests into a snapshot sink (store.h); both statements travel in one round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "pg_trace.h"
#include "snapshot.h"
#include "store_postgresql.h"

/* Prepared on each node's connection as apikeys_snapshot (pg_node.c). */
const char pg_snapshot_sql[] =
    /* One statement sees one snapshot: the change number, the switch, the site key's policy, the valid keys and
     * the live named keys they belong to agree. The valid rows are the site key's (role IS NOT NULL, named key 0,
     * through apikeys_keys_valid) and the named keys' (named_role IS NOT NULL, through apikeys_keys_named_role;
     * their role is NULL, so an older plugin's snapshot, role IS NOT NULL alone, never loads one as a site key).
     * A named key's columns come with each of its rows (a named key has two rows at most, its current and its
     * grace key); a revoked one's rows are not valid, whatever their named_role. */
    "SELECT s.change, s.api_enabled, v.id, v.digest, COALESCE(v.expires_at, 0), s.allowed_ips, s.rate_limit,"
    " v.named_key, v.label, v.scopes, v.allowed_ips, v.rate_limit, v.created_at, COALESCE(v.named_expires_at, 0),"
    /* a grace row's reset time: when its owner's current row was created */
    " COALESCE(v.superseded_at, 0), COALESCE(v.locator, 0)"
    " FROM apikeys_state s LEFT JOIN ("
    "SELECT id, digest, expires_at, 0::bigint AS named_key, NULL::text AS label, NULL::text AS scopes,"
    " NULL::text AS allowed_ips, NULL::bigint AS rate_limit, NULL::bigint AS created_at,"
    " NULL::bigint AS named_expires_at, CASE WHEN role = 'grace' THEN (SELECT c.created_at FROM apikeys_keys c"
    " WHERE c.role = 'current') END AS superseded_at, locator FROM apikeys_keys WHERE role IS NOT NULL"
    " UNION ALL SELECT k.id, k.digest, k.expires_at, k.named_key, n.label, n.scopes, n.allowed_ips, n.rate_limit,"
    " n.created_at, n.expires_at, CASE WHEN k.named_role = 'grace' THEN (SELECT c.created_at FROM apikeys_keys c"
    " WHERE c.named_key = k.named_key AND c.named_role = 'current') END, k.locator"
    " FROM apikeys_keys k JOIN apikeys_named n ON n.id = k.named_key"
    " WHERE k.named_role IS NOT NULL AND n.revoked_at IS NULL) v ON true WHERE s.id = 1";

/* The named key ids a snapshot has announced (sink->named) so far. */
typedef struct seen_named {
    int64_t *ids;
    size_t n, cap;
} seen_named_t;

/* 1 when id was seen before, 0 when it is new (now seen), -1 without memory. */
static int seen_before(seen_named_t *seen, int64_t id)
{
    for (size_t i = seen->n; i > 0; i--) /* newest first: a named key's rows are usually adjacent */
        if (seen->ids[i - 1] == id)
            return 1;
    if (seen->n == seen->cap) {
        size_t cap = seen->cap ? 2 * seen->cap : 16;
        int64_t *ids = realloc(seen->ids, cap * sizeof *ids);
        if (!ids)
            return -1;
        seen->ids = ids;
        seen->cap = cap;
    }
    seen->ids[seen->n++] = id;
    return 0;
}

/* The named key of row i (columns 7..13), listing fields zero. A scope or allow-list longer than this plugin
 * reads fails the snapshot (every request 503) rather than loading a shortened one, which could mean another
 * scope or a wider network; a long label is only shortened. */
static int32_t named_from_row(PGresult *rows, int i, store_named_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->id = strtoll(PQgetvalue(rows, i, 7), NULL, 10);
    (void)pg_copy_text(out->label, sizeof out->label, PQgetvalue(rows, i, 8));
    if (pg_copy_text(out->scopes, sizeof out->scopes, PQgetvalue(rows, i, 9)) != 0 ||
        pg_copy_text(out->allowed_ips, sizeof out->allowed_ips, PQgetvalue(rows, i, 10)) != 0) {
        snprintf(err, err_len,
                 "the PostgreSQL key store holds named key %lld with scopes or allowed IPs longer than this plugin "
                 "reads; save that key again from Settings > API Key",
                 (long long)out->id);
        return PANEL_E_STORE;
    }
    out->rate_limit = strtoll(PQgetvalue(rows, i, 11), NULL, 10);
    out->created_at = strtoll(PQgetvalue(rows, i, 12), NULL, 10);
    out->expires_at = strtoll(PQgetvalue(rows, i, 13), NULL, 10);
    return PANEL_OK;
}

/* The snapshot's rows (pg_snapshot_sql's), then the leaked digests (pg_leaked_sql's), into sink. */
static int32_t take_snapshot(PGresult *rows, PGresult *leaked, const store_snapshot_sink_t *sink, int64_t *change,
                             char *err, size_t err_len)
{
    int n = rows ? PQntuples(rows) : 0;
    if (n < 1 || PQnfields(rows) != 16 || !leaked) {
        snprintf(err, err_len, "the PostgreSQL key store has no state row (apikeys_state is empty)");
        return PANEL_E_STORE;
    }
    int32_t rc;
    *change = strtoll(PQgetvalue(rows, 0, 0), NULL, 10);
    rc = sink->start(sink->ctx, n, PQgetvalue(rows, 0, 1)[0] == 't');
    if (rc == PANEL_OK && sink->site_policy)
        rc = sink->site_policy(sink->ctx, PQgetvalue(rows, 0, 5), strtoll(PQgetvalue(rows, 0, 6), NULL, 10));
    seen_named_t seen = {NULL, 0, 0};
    store_named_t *named = NULL;
    for (int i = 0; rc == PANEL_OK && i < n; i++) {
        uint8_t digest[KEY_DIGEST_LEN];
        if (PQgetisnull(rows, i, 2) || pg_decode_bytea(PQgetvalue(rows, i, 3), digest, sizeof digest) != 0)
            continue; /* no key (the state row alone), or not a digest we made: can never match */
        int64_t named_key = strtoll(PQgetvalue(rows, i, 7), NULL, 10);
        if (named_key != 0 && sink->named) {
            int before = seen_before(&seen, named_key);
            if (before == 0) {
                if (!named && !(named = malloc(sizeof *named)))
                    before = -1;
                else if ((rc = named_from_row(rows, i, named, err, err_len)) == PANEL_OK)
                    rc = sink->named(sink->ctx, named);
            }
            if (before < 0) {
                snprintf(err, err_len, "out of memory while loading named keys");
                rc = PANEL_E_NOMEM;
            }
            if (rc != PANEL_OK)
                break;
        }
        rc = sink->key(sink->ctx, digest, (uint64_t)strtoll(PQgetvalue(rows, i, 15), NULL, 10),
                       strtoll(PQgetvalue(rows, i, 2), NULL, 10), strtoll(PQgetvalue(rows, i, 4), NULL, 10), named_key,
                       strtoll(PQgetvalue(rows, i, 14), NULL, 10));
    }
    free(named);
    free(seen.ids);
    if (rc == PANEL_OK)
        rc = pg_take_leaked(leaked, sink);
    return rc;
}

int32_t pg_node_read_snapshot(PGconn *conn, int prepared, const store_snapshot_sink_t *sink, int64_t *change,
                              char *err, size_t err_len)
{
    pg_pipeline_t pl;
    PG_TRACE("reading the snapshot and the leaked keys");
    int32_t rc = pg_pipe_start(&pl, conn, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int rows_at = pg_pipe_queue(&pl, prepared ? "apikeys_snapshot" : NULL, NULL, pg_snapshot_sql, 0, NULL, 1,
                                "reading the valid keys");
    int leaked_at = pg_pipe_queue(&pl, prepared ? "apikeys_leaked" : NULL, NULL, pg_leaked_sql, 0, NULL, 1,
                                  "reading the leaked keys");
    rc = pg_pipe_end(&pl, err, err_len);
    PGresult *rows = rc == PANEL_OK ? pg_pipe_take(&pl, rows_at) : NULL;
    PGresult *leaked = rc == PANEL_OK ? pg_pipe_take(&pl, leaked_at) : NULL;
    pg_pipe_discard(&pl);
    if (rc == PANEL_OK)
        rc = take_snapshot(rows, leaked, sink, change, err, err_len);
    PG_TRACE("snapshot read (%d rows)", rows ? PQntuples(rows) : -1);
    PQclear(rows);
    PQclear(leaked);
    return rc;
}

typedef struct rows_read {
    PGresult *rows, *leaked;
    int64_t change;
} rows_read_t;

static int32_t read_rows(void *vctx, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    rows_read_t *r = vctx;
    return take_snapshot(r->rows, r->leaked, sink, &r->change, err, err_len);
}

int32_t pg_snapshot_keyring(PGresult *rows, PGresult *leaked, keyring_t **ring, int64_t *change, char *err,
                            size_t err_len)
{
    rows_read_t r = {rows, leaked, -1};
    *ring = NULL;
    int32_t rc = snapshot_build_keyring(read_rows, &r, 0, ring, err, err_len);
    *change = r.change;
    return rc;
}
