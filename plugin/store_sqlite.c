/* store_sqlite.c - the embedded store backend (see store.h, store_sqlite.h): keys, settings, audit rows and
 * usage counters in one SQLite file in the data directory, and the change signal of one machine (freshness.c:
 * the mapped counter every process on this machine reads). This file: opening (the file, the digest secret, the
 * change counter) and closing, transactions and the writer window, the status line, and the method table. The
 * rest, by concern: store_sqlite_sql.c (statements, failures), store_sqlite_schema.c (file, schema, migrations),
 * store_sqlite_site.c (the site key's rows, audit, counters), store_sqlite_snapshot.c (snapshot reads),
 * store_sqlite_named.c (named keys), store_sqlite_settings.c (the database setting). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "key_locator.h"
#include "panel/plugin.h"
#include "store_sqlite_internal.h"

static void sq_close(store_t *store);
static int32_t sq_key_rows(store_t *store, int64_t *count, char *err, size_t err_len);

/* Opens the file, then the digest secret (created with the store: only while it holds no key), then the
 * change counter. */
static int32_t sq_open(store_t *store, const store_open_args_t *args, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    s->fresh.writer_fd = s->fresh.probe_fd = -1;
    int32_t rc = sq_open_file(s, args->data_dir, args->config->database, err, err_len);
    int64_t rows = 0;
    if (rc == PANEL_OK)
        rc = sq_key_rows(store, &rows, err, err_len);
    int created = 0;
    if (rc == PANEL_OK)
        rc = key_secret_load(args->config->secret_file, rows == 0, args->secret, &created, err, err_len);
    if (rc == PANEL_OK)
        key_locator_key(args->secret, args->locator_key);
    if (rc == PANEL_OK)
        rc = freshness_open(&s->fresh, args->data_dir, err, err_len);
    if (rc == PANEL_OK)
        store->counter = s->fresh.counter;
    else
        sq_close(store);
    return rc;
}

/* The database file and the change counter file are still the ones this process opened. */
static int32_t sq_check_files(store_t *store, char *why, size_t why_len)
{
    sqlite_store_t *s = store->impl;
    struct stat now;
    if (stat(s->path, &now) != 0 || now.st_dev != s->file_dev || now.st_ino != s->file_ino) {
        snprintf(why, why_len, "the key store %s was replaced or removed while this process used it", s->path);
        return PANEL_E_STORE;
    }
    if (freshness_replaced(&s->fresh)) {
        snprintf(why, why_len, "the change signal %s was replaced or removed while this process used it",
                 s->fresh.path);
        return PANEL_E_STORE;
    }
    return PANEL_OK;
}

static int sq_last_failure_is_damage(const store_t *store)
{
    return sq_is_damage(store->impl);
}

static void sq_close(store_t *store)
{
    sqlite_store_t *s = store->impl;
    sq_forget_statements(s, STORE_CONN_WRITE);
    sq_forget_statements(s, STORE_CONN_READ);
    if (s->rdb)
        sqlite3_close(s->rdb);
    if (s->db)
        sqlite3_close(s->db);
    s->db = s->rdb = NULL;
    freshness_close(&s->fresh);
    store->counter = NULL;
}

static int32_t sq_key_rows(store_t *store, int64_t *count, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->db, SQL_KEY_ROWS, &st, "counting keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    *count = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    rc = step == SQLITE_ROW ? PANEL_OK : sq_store_fail(s, s->db, step, "counting keys", err, err_len);
    sq_release(st);
    return rc;
}

/* A transaction on `db`. One that signals a change first enters the writer window of the change counter
 * (freshness.h), so no process caches a snapshot read while it runs; commit and rollback leave it. */
int32_t sq_begin_tx(sqlite_store_t *s, int signals_change, char *err, size_t err_len)
{
    if (signals_change) {
        int32_t rc = freshness_writer_begin(&s->fresh, err, err_len);
        if (rc != PANEL_OK)
            return rc;
        s->in_window = 1;
    }
    sq_refresh_statements(s, s->db);
    int32_t rc = sq_run(s, s->db, SQL_BEGIN_IMMEDIATE, "starting a transaction", err, err_len);
    if (rc != PANEL_OK && s->in_window) {
        freshness_writer_end(&s->fresh);
        s->in_window = 0;
    }
    return rc;
}

void sq_rollback_tx(sqlite_store_t *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (s->in_window) {
        freshness_writer_end(&s->fresh);
        s->in_window = 0;
    }
}

int32_t sq_commit_tx(sqlite_store_t *s, char *err, size_t err_len)
{
    /* Through sqlite3_exec on purpose (parsing "COMMIT" is cheap): tests/reliability/crash_kill.c interposes
     * sqlite3_exec to widen the instant after a COMMIT, where it aims its kills. */
    int32_t rc = sq_exec(s, s->db, "COMMIT", "committing", err, err_len);
    sq_rollback_tx(s); /* after a failed COMMIT: roll back; either way: leave the writer window */
    return rc;
}

static int32_t sq_begin(store_t *store, int signals_change, char *err, size_t err_len)
{
    return sq_begin_tx(store->impl, signals_change, err, err_len);
}

/* On one machine every process sees the counter move at once: nothing to report. */
static int32_t sq_commit(store_t *store, char *report, size_t report_len, char *err, size_t err_len)
{
    (void)report;
    (void)report_len;
    return sq_commit_tx(store->impl, err, err_len);
}

static void sq_rollback(store_t *store)
{
    sq_rollback_tx(store->impl);
}

static int32_t sq_describe(store_t *store, char *out, size_t out_len)
{
    sqlite_store_t *s = store->impl;
    snprintf(out, out_len, "SQLite (%s)", s->path);
    return PANEL_OK;
}

const store_backend_t store_sqlite_backend = {
    .kind = "sqlite",
    .title = "SQLite",
    .demand_reload = 1,
    .has_nodes = 0,
    .impl_size = sizeof(sqlite_store_t),
    .load_settings = sqlite_load_settings,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .get_enabled = sq_get_enabled,
    .set_enabled = sq_set_enabled,
    .get_role = sq_get_role,
    .get_site = sq_get_site,
    .put_current = sq_put_current,
    .find_digest = sq_find_digest,
    .revoke = sq_revoke,
    .make_grace = sq_make_grace,
    .audit = sq_audit,
    .read_audit = sq_read_audit,
    .flush_usage = sq_flush_usage,
    .read_usage = sq_read_usage,
    .read_caller = sq_read_caller,
    .read_named_caller = sq_read_named_caller,
    .get_denials = sq_get_denials,
    .read_snapshot = sq_read_snapshot,
    .settle = sq_settle,
    .drop_read_cache = sq_drop_read_cache,
    .check_files = sq_check_files,
    .last_failure_is_damage = sq_last_failure_is_damage,
    .describe = sq_describe,
    .get_site_policy = sq_get_site_policy,
    .set_site_policy = sq_set_site_policy,
    .named_count = sq_named_count,
    .named_create = sq_named_create,
    .named_get = sq_named_get,
    .named_update = sq_named_update,
    .named_revoke = sq_named_revoke,
    .named_reset = sq_named_reset,
    .read_named = sq_read_named,
    .read_revoked_named = sq_read_revoked_named,
    .get_option = sq_get_option,
    .set_option = sq_set_option,
    .leak_revoke = sq_leak_revoke,
    .last_site_leak = sq_last_site_leak,
};
