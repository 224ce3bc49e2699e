/* store_sqlite_usage.c - the SQLite backend's usage (see store.h): a flush's counts added to the key rows, the
 * hourly table and the last hour's minutes in one transaction (adding, never overwriting, so processes sharing
 * the file each add theirs), with the pruning of what is older than kept; reading the hourly table and a key
 * value's last caller. On the write connection, under the caller's write mutex. */
#include <stdio.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

/* Adds count (when not 0) to the hourly row (hour, key, code). */
static int32_t add_hourly(sqlite_store_t *s, int64_t hour, const char *key, const char *code, uint64_t count,
                          char *err, size_t err_len)
{
    if (!count)
        return PANEL_OK;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_ADD_HOURLY, &st, "saving usage per hour", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, hour);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)count);
    return sq_step_done(s, s->db, st, "saving usage per hour", err, err_len);
}

static int32_t flush_value(sqlite_store_t *s, const store_usage_t *u, int64_t now, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = PANEL_OK;
    if (u->allowed || u->last_at) {
        rc = sq_cached(s, s->db, SQL_ADD_USAGE, &st, "saving usage counts", err, err_len);
        if (rc != PANEL_OK)
            return rc;
        sqlite3_bind_int64(st, 1, u->key_id);
        sqlite3_bind_int64(st, 2, (int64_t)u->allowed);
        sqlite3_bind_int64(st, 3, u->last_at ? u->last_at : now);
        sqlite3_bind_text(st, 4, u->last_at ? u->addr : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, u->agent, -1, SQLITE_STATIC);
        rc = sq_step_done(s, s->db, st, "saving usage counts", err, err_len);
    }
    if (rc == PANEL_OK && u->allowed) {
        rc = sq_cached(s, s->db, SQL_ADD_RECENT, &st, "saving the last hour's usage", err, err_len);
        if (rc == PANEL_OK) {
            sqlite3_bind_int64(st, 1, u->key_id);
            sqlite3_bind_int64(st, 2, now / 60);
            sqlite3_bind_int64(st, 3, (int64_t)u->allowed);
            rc = sq_step_done(s, s->db, st, "saving the last hour's usage", err, err_len);
        }
    }
    char key[32];
    store_usage_key(u->label, key, sizeof key);
    int64_t hour = now - now % 3600;
    if (rc == PANEL_OK)
        rc = add_hourly(s, hour, key, "allowed", u->allowed, err, err_len);
    for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++)
        rc = add_hourly(s, hour, key, denial_table[r].code.text, u->denied[r], err, err_len);
    return rc;
}

int32_t sq_flush_usage(store_t *store, const store_flush_t *f, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    int32_t rc = sq_begin_tx(s, 0, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    for (size_t i = 0; rc == PANEL_OK && i < f->n_usage; i++)
        rc = flush_value(s, &f->usage[i], f->now, err, err_len);
    int64_t hour = f->now - f->now % 3600;
    for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++)
        rc = add_hourly(s, hour, "none", denial_table[r].code.text, f->keyless[r], err, err_len);
    if (rc == PANEL_OK) {
        rc = sq_cached(s, s->db, SQL_ADD_DENIALS, &st, "saving denial counts", err, err_len);
        for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++) {
            if (!f->denials[r])
                continue;
            sqlite3_bind_text(st, 1, denial_table[r].code.text, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (int64_t)f->denials[r]);
            sqlite3_bind_int64(st, 3, f->denial_last[r]);
            int step = sqlite3_step(st);
            if (step != SQLITE_DONE)
                rc = sq_store_fail(s, s->db, step, "saving denial counts", err, err_len);
            sqlite3_reset(st);
        }
        sq_release(st);
    }
    if (rc == PANEL_OK && (rc = sq_cached(s, s->db, SQL_PRUNE_HOURLY, &st, "pruning old usage", err, err_len)) ==
                              PANEL_OK) {
        sqlite3_bind_int64(st, 1, hour - (int64_t)STORE_USAGE_DAYS * 86400);
        rc = sq_step_done(s, s->db, st, "pruning old usage", err, err_len);
    }
    if (rc == PANEL_OK && (rc = sq_cached(s, s->db, SQL_PRUNE_RECENT, &st, "pruning old usage", err, err_len)) ==
                              PANEL_OK) {
        sqlite3_bind_int64(st, 1, f->now / 60 - 60);
        rc = sq_step_done(s, s->db, st, "pruning old usage", err, err_len);
    }
    if (rc == PANEL_OK)
        return sq_commit_tx(s, err, err_len);
    sq_rollback_tx(s);
    return rc;
}

int32_t sq_read_usage(store_t *store, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_READ_USAGE, &st, "reading usage", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, since);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const store_usage_row_t row = {sqlite3_column_int64(st, 0), sq_text_or_empty(st, 1),
                                       sq_text_or_empty(st, 2), sqlite3_column_int64(st, 3)};
        if ((rc = fn(ctx, &row)) != PANEL_OK) {
            sq_release(st);
            snprintf(err, err_len, "the host stopped reading the usage table");
            return rc;
        }
    }
    rc = step == SQLITE_DONE ? PANEL_OK : sq_store_fail(s, s->db, step, "reading usage", err, err_len);
    sq_release(st);
    return rc;
}

/* One row of SQL_READ_CALLER or SQL_READ_NAMED_CALLER (bound by the caller) into out; *found = 1 when there was one. */
static int32_t caller_row(sqlite_store_t *s, sqlite3_stmt *st, store_caller_t *out, int *found, char *err,
                          size_t err_len)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *found = 1;
        out->last_used_at = sqlite3_column_int64(st, 0);
        sq_copy_text(st, 1, out->addr, sizeof out->addr);
        sq_copy_text(st, 2, out->agent, sizeof out->agent);
        out->last_hour = sqlite3_column_int64(st, 3);
        step = sqlite3_step(st);
    }
    int32_t rc = step == SQLITE_DONE ? PANEL_OK
                                     : sq_store_fail(s, s->db, step, "reading a key's last caller", err, err_len);
    sq_release(st);
    return rc;
}

int32_t sq_read_caller(store_t *store, int64_t key_id, int64_t since, store_caller_t *out, char *err,
                       size_t err_len)
{
    sqlite_store_t *s = store->impl;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int found;
    int32_t rc = sq_cached(s, s->db, SQL_READ_CALLER, &st, "reading a key's last caller", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, key_id);
    sqlite3_bind_int64(st, 2, since / 60);
    return caller_row(s, st, out, &found, err, err_len);
}

int32_t sq_read_named_caller(store_t *store, int64_t named_id, int grace, int64_t since, store_caller_t *out,
                             int *found, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_READ_NAMED_CALLER, &st, "reading a key's last caller", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, named_id);
    sqlite3_bind_text(st, 2, grace ? "grace" : "current", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, since / 60);
    return caller_row(s, st, out, found, err, err_len);
}
