/* store_sqlite_named.c - the SQLite backend's named keys (see store.h, store_sqlite_internal.h): the records in
 * named_keys and their key rows in keys (named_key set, role NULL, named_role 'current' or 'grace'): create,
 * list, get, update, revoke and reset, each inside the caller's change-signalling transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

int32_t sq_named_count(store_t *store, int64_t *count, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    *count = 0;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_COUNT, &st, "counting the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        rc = sq_store_fail(s, s->db, step, "counting the named keys", err, err_len);
    sq_release(st);
    return rc;
}

/* The key row of a named key: its current key. */
static int32_t insert_named_key_row(sqlite_store_t *s, int64_t named, const uint8_t digest[KEY_DIGEST_LEN],
                                    uint64_t locator, const char *hint, int64_t now, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_INSERT_KEY, &st, "saving the new key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, named);
    sqlite3_bind_int64(st, 5, (int64_t)locator);
    return sq_step_done(s, s->db, st, "saving the new key", err, err_len);
}

int32_t sq_named_create(store_t *store, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN],
                        uint64_t locator, const char *hint, int64_t *id, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_INSERT, &st, "saving the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, key->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key->scopes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key->allowed_ips, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, key->rate_limit);
    sqlite3_bind_int64(st, 5, key->created_at);
    sqlite3_bind_int64(st, 6, key->expires_at);
    rc = sq_step_done(s, s->db, st, "saving the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    return insert_named_key_row(s, *id, digest, locator, hint, key->created_at, err, err_len);
}

/* Reads live named keys (only_id 0: all) with their listing fields into fn. */
static int32_t list_named(sqlite_store_t *s, int64_t only_id, uint64_t offset, uint32_t limit, store_named_fn fn,
                          void *ctx, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_LIST, &st, "reading the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *k = malloc(sizeof *k);
    if (!k) {
        sq_release(st);
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    sqlite3_bind_int64(st, 1, only_id);
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
        k->has_grace = sqlite3_column_int(st, 10);
        k->grace_expires_at = sqlite3_column_int64(st, 11);
        sq_copy_text(st, 12, k->grace_hint, sizeof k->grace_hint);
        rc = fn(ctx, k);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the named keys");
    }
    if (rc == PANEL_OK && step != SQLITE_DONE)
        rc = sq_store_fail(s, s->db, step, "reading the named keys", err, err_len);
    free(k);
    sq_release(st);
    return rc;
}

int32_t sq_read_named(store_t *store, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx,
                      char *err, size_t err_len)
{
    return list_named(store->impl, 0, offset, limit, fn, ctx, err, err_len);
}

typedef struct named_found {
    store_named_t *out;
    int *found;
} named_found_t;

static int32_t keep_named(void *vctx, const store_named_t *row)
{
    named_found_t *f = vctx;
    *f->out = *row;
    *f->found = 1;
    return PANEL_OK;
}

int32_t sq_named_get(store_t *store, int64_t id, store_named_t *out, int *found, char *err, size_t err_len)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return PANEL_OK;
    named_found_t f = {out, found};
    return list_named(store->impl, id, 0, 1, keep_named, &f, err, err_len);
}

int32_t sq_named_update(store_t *store, const store_named_t *key, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_UPDATE, &st, "saving the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, key->id);
    sqlite3_bind_text(st, 2, key->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key->scopes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, key->allowed_ips, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, key->rate_limit);
    return sq_step_done(s, s->db, st, "saving the named key", err, err_len);
}

/* Retires the named key's row of `role` ("current" or "grace"), if it has one. */
static int32_t retire_named_role(sqlite_store_t *s, int64_t id, const char *role, int64_t now, char *err,
                                 size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_RETIRE_ROLE, &st, "revoking the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    return sq_step_done(s, s->db, st, "revoking the key", err, err_len);
}

int32_t sq_named_revoke(store_t *store, int64_t id, int64_t now, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_NAMED_REVOKE, &st, "revoking the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    rc = sq_step_done(s, s->db, st, "revoking the named key", err, err_len);
    if (rc == PANEL_OK)
        rc = retire_named_role(s, id, "grace", now, err, err_len);
    if (rc == PANEL_OK)
        rc = retire_named_role(s, id, "current", now, err, err_len);
    return rc;
}

int32_t sq_named_reset(store_t *store, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                       const char *hint, int64_t now, int64_t grace_expires_at, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    int32_t rc = retire_named_role(s, id, "grace", now, err, err_len);
    if (rc == PANEL_OK && grace_expires_at > 0) {
        sqlite3_stmt *st;
        rc = sq_cached(s, s->db, SQL_NAMED_TO_GRACE, &st, "keeping the previous key for the grace period", err,
                       err_len);
        if (rc == PANEL_OK) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, grace_expires_at);
            rc = sq_step_done(s, s->db, st, "keeping the previous key for the grace period", err, err_len);
        }
    } else if (rc == PANEL_OK) {
        rc = retire_named_role(s, id, "current", now, err, err_len);
    }
    if (rc == PANEL_OK)
        rc = insert_named_key_row(s, id, digest, locator, hint, now, err, err_len);
    return rc;
}
