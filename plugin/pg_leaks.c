/* pg_leaks.c - the PostgreSQL backend's leak reports (see store.h, leak_report.c): its schema step (the table
 * apikeys_leaked: a reported value's digest, never the key, with when, what it was and who reported it where),
 * revoking a reported live value and keeping its digest inside the caller's changing transaction (whose commit
 * waits for every live node, as a reset does), the newest report of the site key for the page, and the reported
 * digests a node's snapshot loads so that value is answered as leaked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

/* Schema step 6 in one piece (idempotent), so it can be renumbered without touching anything else. */
static const char schema_leaks[] =
    "CREATE TABLE IF NOT EXISTS apikeys_leaked(digest bytea PRIMARY KEY, reported_at bigint NOT NULL,"
    " role text NOT NULL, named_key bigint, hint text NOT NULL, reporter text NOT NULL, found_at text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS apikeys_leaked_at ON apikeys_leaked(reported_at);"
    "UPDATE apikeys_meta SET value = '6' WHERE name = 'schema_version';";

int32_t pg_migrate_leaks(PGconn *conn, char *err, size_t err_len)
{
    return pg_exec(conn, schema_leaks, 0, NULL, NULL, "adding the leaked keys (schema version 6)", err, err_len);
}

int32_t pg_leak_revoke(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found, char *err,
                       size_t err_len)
{
    *found = 0;
    char hex[2 * KEY_DIGEST_LEN + 3], when[24], cutoff[24];
    pg_digest_hex(digest, hex);
    const char *old[] = {pg_i64(cutoff, sizeof cutoff, leak->reported_at - LEAK_KEEP_SECONDS)};
    int32_t rc = pg_exec_admin(P(s), "DELETE FROM apikeys_leaked WHERE reported_at < $1::bigint", 1, old, NULL,
                               "forgetting old leak reports", err, err_len);
    const char *params[] = {hex};
    PGresult *r = NULL;
    if (rc == PANEL_OK)
        rc = pg_exec_admin(P(s),
                           "SELECT k.id, CASE WHEN k.named_key IS NULL THEN k.role WHEN k.named_role = 'current'"
                           " THEN 'named' ELSE 'named-grace' END, COALESCE(k.named_key, 0), k.hint"
                           " FROM apikeys_keys k LEFT JOIN apikeys_named n ON n.id = k.named_key"
                           " WHERE k.digest = $1::bytea AND ((k.named_key IS NULL AND k.role IS NOT NULL)"
                           " OR (k.named_role IS NOT NULL AND n.revoked_at IS NULL)) FOR UPDATE OF k",
                           1, params, &r, "looking up the reported key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return PANEL_OK;
    }
    char id[24];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    snprintf(leak->role, sizeof leak->role, "%s", PQgetvalue(r, 0, 1));
    leak->named_key = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    (void)pg_copy_text(leak->hint, sizeof leak->hint, PQgetvalue(r, 0, 3));
    PQclear(r);
    pg_i64(when, sizeof when, leak->reported_at);
    const char *revoke[] = {id, when};
    rc = pg_exec_admin(P(s),
                       "UPDATE apikeys_keys SET role = NULL, named_role = NULL, revoked_at = $2::bigint"
                       " WHERE id = $1::bigint",
                       2, revoke, NULL, "revoking the reported key", err, err_len);
    char named[24];
    const char *keep[] = {hex, when, leak->role, pg_i64(named, sizeof named, leak->named_key), leak->hint,
                          leak->reporter, leak->found_at};
    if (rc == PANEL_OK)
        rc = pg_exec_admin(P(s),
                           "INSERT INTO apikeys_leaked(digest, reported_at, role, named_key, hint, reporter, found_at)"
                           " VALUES ($1::bytea, $2::bigint, $3, NULLIF($4::bigint, 0), $5, $6, $7)"
                           " ON CONFLICT (digest) DO UPDATE SET reported_at = excluded.reported_at,"
                           " role = excluded.role, named_key = excluded.named_key, hint = excluded.hint,"
                           " reporter = excluded.reporter, found_at = excluded.found_at",
                           7, keep, NULL, "keeping the leaked key's digest", err, err_len);
    if (rc == PANEL_OK)
        *found = 1;
    return rc;
}

int32_t pg_last_site_leak(store_t *s, store_leak_t *out, int *found, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s),
                               "SELECT reported_at, hint, reporter, found_at FROM apikeys_leaked"
                               " WHERE role = 'current' ORDER BY reported_at DESC LIMIT 1",
                               0, NULL, &r, "reading the leak reports", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        out->reported_at = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->role, sizeof out->role, "current");
        (void)pg_copy_text(out->hint, sizeof out->hint, PQgetvalue(r, 0, 1));
        (void)pg_copy_text(out->reporter, sizeof out->reporter, PQgetvalue(r, 0, 2));
        (void)pg_copy_text(out->found_at, sizeof out->found_at, PQgetvalue(r, 0, 3));
        *found = 1;
    }
    PQclear(r);
    return PANEL_OK;
}

const char pg_leaked_sql[] = "SELECT digest, reported_at FROM apikeys_leaked";

int32_t pg_take_leaked(PGresult *r, const store_snapshot_sink_t *sink)
{
    int32_t rc = PANEL_OK;
    for (int i = 0; rc == PANEL_OK && sink->leaked && i < PQntuples(r); i++) {
        uint8_t digest[KEY_DIGEST_LEN];
        if (pg_decode_bytea(PQgetvalue(r, i, 0), digest, sizeof digest) != 0)
            continue;
        rc = sink->leaked(sink->ctx, digest, strtoll(PQgetvalue(r, i, 1), NULL, 10));
    }
    return rc;
}
