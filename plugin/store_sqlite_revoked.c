/* store_sqlite_revoked.c - the SQLite backend's revoked named keys as the owner's table lists them for
 * STORE_REVOKED_LISTED_SECONDS (see store.h), and the owner's view settings (STORE_OPTION_*), rows of the
 * settings table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

static const char revoked_sql[] =
    "SELECT n.id, n.label, n.scopes, n.allowed_ips, n.rate_limit, n.created_at, COALESCE(n.expires_at, 0),"
    " COALESCE((SELECT hint FROM keys WHERE named_key = n.id ORDER BY created_at DESC, id DESC LIMIT 1), ''),"
    " (SELECT COALESCE(MAX(last_used_at), 0) FROM keys WHERE named_key = n.id),"
    " (SELECT COALESCE(SUM(use_count), 0) FROM keys WHERE named_key = n.id), n.revoked_at,"
    " EXISTS (SELECT 1 FROM leaked_keys l WHERE l.named_key = n.id)"
    " FROM named_keys n WHERE n.revoked_at IS NOT NULL AND n.revoked_at >= ?1"
    " ORDER BY n.revoked_at DESC, n.id DESC LIMIT ?2 OFFSET ?3";

int32_t sq_read_revoked_named(store_t *store, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                              void *ctx, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_prepare(s, s->db, revoked_sql, &st, "reading the revoked named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *k = malloc(sizeof *k);
    if (!k) {
        sqlite3_finalize(st);
        snprintf(err, err_len, "out of memory while reading the revoked named keys");
        return PANEL_E_NOMEM;
    }
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    int step = SQLITE_DONE;
    while (rc == PANEL_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = sq_named_settings(st, k, err, err_len);
        if (rc != PANEL_OK)
            break;
        sq_copy_text(st, 7, k->hint, sizeof k->hint);
        k->last_used_at = sqlite3_column_int64(st, 8);
        k->use_count = sqlite3_column_int64(st, 9);
        k->revoked_at = sqlite3_column_int64(st, 10);
        k->leaked = sqlite3_column_int(st, 11) != 0;
        rc = fn(ctx, k);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the named keys");
    }
    if (rc == PANEL_OK && step != SQLITE_DONE)
        rc = sq_store_fail(s, s->db, step, "reading the revoked named keys", err, err_len);
    free(k);
    sqlite3_finalize(st);
    return rc;
}

int32_t sq_get_option(store_t *store, const char *name, char *value, size_t value_len, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    value[0] = '\0';
    int32_t rc = sq_prepare(s, s->db, "SELECT value FROM settings WHERE name = ?1", &st, "reading a view setting", err,
                            err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        sq_copy_text(st, 0, value, value_len);
    else if (step != SQLITE_DONE)
        rc = sq_store_fail(s, s->db, step, "reading a view setting", err, err_len);
    sqlite3_finalize(st);
    return rc;
}

int32_t sq_set_option(store_t *store, const char *name, const char *value, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_prepare(s, s->db, "INSERT OR REPLACE INTO settings(name, value) VALUES (?1, ?2)", &st,
                            "saving a view setting", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step != SQLITE_DONE)
        rc = sq_store_fail(s, s->db, step, "saving a view setting", err, err_len);
    sqlite3_finalize(st);
    return rc;
}
