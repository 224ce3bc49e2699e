/* store_sqlite_leaks.c - the SQLite backend's leak reports (see store.h, leak_report.c): its schema step (the
 * table leaked_keys: a reported value's digest, never the key, with when, what it was and who reported it where),
 * revoking a reported live value and keeping its digest, the newest report of the site key for the page, and the
 * reported digests a snapshot loads so that value is answered as leaked. Reports are rare: statements are
 * prepared per call, not kept. */
#include <stdio.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

/* Schema step 5 in one piece, so it can be renumbered without touching anything else. */
static const char schema_leaks[] =
    "CREATE TABLE leaked_keys(digest BLOB PRIMARY KEY, reported_at INTEGER NOT NULL, role TEXT NOT NULL,"
    " named_key INTEGER, hint TEXT NOT NULL, reporter TEXT NOT NULL, found_at TEXT NOT NULL);"
    "CREATE INDEX leaked_keys_at ON leaked_keys(reported_at);";

int32_t sq_migrate_leaks(sqlite_store_t *s, char *err, size_t err_len)
{
    return sq_exec(s, s->db, schema_leaks, "adding the leaked keys (schema version 6)", err, err_len);
}

/* The live value with this digest: the site key's current or grace row, or a live named key's current or grace
 * row. Columns: id, role as store_leak_t names it, named key id (0), hint. */
static const char find_live[] =
    "SELECT k.id, CASE WHEN k.named_key IS NULL THEN k.role WHEN k.named_role = 'current' THEN 'named'"
    " ELSE 'named-grace' END, COALESCE(k.named_key, 0), k.hint FROM keys k"
    " LEFT JOIN named_keys n ON n.id = k.named_key WHERE k.digest = ?1"
    " AND ((k.named_key IS NULL AND k.role IS NOT NULL) OR (k.named_role IS NOT NULL AND n.revoked_at IS NULL))";

static int32_t run_one(sqlite_store_t *s, sqlite3_stmt *st, const char *doing, char *err, size_t err_len)
{
    int step = sqlite3_step(st);
    int32_t rc = step == SQLITE_DONE ? PANEL_OK : sq_store_fail(s, s->db, step, doing, err, err_len);
    sqlite3_finalize(st);
    return rc;
}

static int32_t forget_old(sqlite_store_t *s, int64_t now, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_prepare(s, s->db, "DELETE FROM leaked_keys WHERE reported_at < ?1", &st,
                            "forgetting old leak reports", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now - LEAK_KEEP_SECONDS);
    return run_one(s, st, "forgetting old leak reports", err, err_len);
}

static int32_t keep_leak(sqlite_store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN],
                         const store_leak_t *leak, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_prepare(s, s->db, "UPDATE keys SET role = NULL, named_role = NULL, revoked_at = ?2 WHERE id = ?1",
                            &st, "revoking the reported key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, leak->reported_at);
    rc = run_one(s, st, "revoking the reported key", err, err_len);
    if (rc == PANEL_OK)
        rc = sq_prepare(s, s->db,
                        "INSERT OR REPLACE INTO leaked_keys(digest, reported_at, role, named_key, hint, reporter,"
                        " found_at) VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?7)",
                        &st, "keeping the leaked key's digest", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, leak->reported_at);
    sqlite3_bind_text(st, 3, leak->role, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, leak->named_key);
    sqlite3_bind_text(st, 5, leak->hint, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, leak->reporter, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, leak->found_at, -1, SQLITE_STATIC);
    return run_one(s, st, "keeping the leaked key's digest", err, err_len);
}

int32_t sq_leak_revoke(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found,
                       char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    *found = 0;
    int32_t rc = forget_old(s, leak->reported_at, err, err_len);
    sqlite3_stmt *st;
    if (rc == PANEL_OK)
        rc = sq_prepare(s, s->db, find_live, &st, "looking up the reported key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int64_t id = 0;
    if (step == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        sq_copy_text(st, 1, leak->role, sizeof leak->role);
        leak->named_key = sqlite3_column_int64(st, 2);
        sq_copy_text(st, 3, leak->hint, sizeof leak->hint);
        *found = 1;
    } else if (step != SQLITE_DONE) {
        rc = sq_store_fail(s, s->db, step, "looking up the reported key", err, err_len);
    }
    sqlite3_finalize(st);
    if (rc == PANEL_OK && *found)
        rc = keep_leak(s, id, digest, leak, err, err_len);
    return rc;
}

int32_t sq_last_site_leak(store_t *store, store_leak_t *out, int *found, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *st;
    int32_t rc = sq_prepare(s, s->db,
                            "SELECT reported_at, hint, reporter, found_at FROM leaked_keys WHERE role = 'current'"
                            " ORDER BY reported_at DESC LIMIT 1",
                            &st, "reading the leak reports", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->reported_at = sqlite3_column_int64(st, 0);
        snprintf(out->role, sizeof out->role, "current");
        sq_copy_text(st, 1, out->hint, sizeof out->hint);
        sq_copy_text(st, 2, out->reporter, sizeof out->reporter);
        sq_copy_text(st, 3, out->found_at, sizeof out->found_at);
        *found = 1;
    } else if (step != SQLITE_DONE) {
        rc = sq_store_fail(s, s->db, step, "reading the leak reports", err, err_len);
    }
    sqlite3_finalize(st);
    return rc;
}

int32_t sq_read_leaked(sqlite_store_t *s, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    if (!sink->leaked)
        return PANEL_OK;
    sqlite3_stmt *st;
    int32_t rc = sqlite3_prepare_v2(s->rdb, "SELECT digest, reported_at FROM leaked_keys", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_store_fail(s, s->rdb, rc, "reading the leaked keys", err, err_len);
    int step = SQLITE_DONE;
    int32_t prc = PANEL_OK;
    while (prc == PANEL_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != (int)KEY_DIGEST_LEN)
            continue;
        prc = sink->leaked(sink->ctx, sqlite3_column_blob(st, 0), sqlite3_column_int64(st, 1));
    }
    if (prc == PANEL_OK && step != SQLITE_DONE)
        prc = sq_store_fail(s, s->rdb, step, "reading the leaked keys", err, err_len);
    sqlite3_finalize(st);
    return prc;
}
