/* store_sqlite_snapshot.c - the SQLite backend's snapshot reads (see store_sqlite_internal.h): the valid keys, the
 * API switch and every policy in one read transaction on the read connection (under the caller's reload mutex),
 * settling a change counter left odd by a dead writer, and forgetting cached pages after a failed read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

void sq_drop_read_cache(store_t *store)
{
    sqlite_store_t *s = store->impl;
    if (s->rdb) {
        sq_forget_statements(s, STORE_CONN_READ);
        sqlite3_db_release_memory(s->rdb);
    }
}

/* Ends the read transaction on rdb, if one is open. Its outcome does not matter: nothing was written. */
static void end_read(sqlite_store_t *s)
{
    if (sqlite3_get_autocommit(s->rdb))
        return;
    sqlite3_stmt **commit = &s->stmts[STORE_CONN_READ][SQL_COMMIT];
    if (!*commit && sqlite3_prepare_v3(s->rdb, sq_sql_text[SQL_COMMIT], -1, SQLITE_PREPARE_PERSISTENT, commit, NULL) !=
                        SQLITE_OK) {
        *commit = NULL;
        sqlite3_exec(s->rdb, "COMMIT", NULL, NULL, NULL);
        return;
    }
    sqlite3_step(*commit);
    sq_release(*commit);
}

/* The columns 0..6 of SQL_NAMED_LIST and SQL_LOAD_NAMED: the named key's own settings. Scopes or allowed IPs
 * longer than store_named_t holds (written by hand or by another program) fail the read: cut, an allow-list
 * could widen ("64.0.0.0/20" cut to "64.0.0.0/2") and scopes could change; the key must never be used so. */
int32_t sq_named_settings(sqlite3_stmt *st, store_named_t *k, char *err, size_t err_len)
{
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(st, 0);
    sq_copy_text(st, 1, k->label, sizeof k->label);
    if (sq_copy_text(st, 2, k->scopes, sizeof k->scopes) != 0 ||
        sq_copy_text(st, 3, k->allowed_ips, sizeof k->allowed_ips) != 0) {
        snprintf(err, err_len,
                 "the key store holds named key %lld with scopes or allowed IPs longer than this plugin reads (%zu "
                 "and %zu bytes at most); save that key again from Settings > API Key",
                 (long long)k->id, sizeof k->scopes - 1, sizeof k->allowed_ips - 1);
        return PANEL_E_STORE;
    }
    k->rate_limit = sqlite3_column_int64(st, 4);
    k->created_at = sqlite3_column_int64(st, 5);
    k->expires_at = sqlite3_column_int64(st, 6);
    return PANEL_OK;
}

/* The live named keys' settings, inside the snapshot's read transaction. */
static int32_t read_named_policies(sqlite_store_t *s, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, s->rdb, SQL_LOAD_NAMED, &st, "reading the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *k = malloc(sizeof *k);
    if (!k) {
        sq_release(st);
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    int step = SQLITE_DONE;
    while (rc == PANEL_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = sq_named_settings(st, k, err, err_len);
        if (rc == PANEL_OK)
            rc = sink->named(sink->ctx, k);
    }
    if (rc == PANEL_OK && step != SQLITE_DONE)
        rc = sq_store_fail(s, s->rdb, step, "reading the named keys", err, err_len);
    free(k);
    sq_release(st);
    return rc;
}

/* The valid keys and the API switch, in one read transaction on rdb. */
int32_t sq_read_snapshot(store_t *store, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sq_refresh_statements(s, s->rdb);
    int32_t rc = sq_run(s, s->rdb, SQL_BEGIN, "reading the valid keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int enabled = 0;
    rc = sq_read_enabled(s, s->rdb, &enabled, err, err_len);
    if (rc == PANEL_OK && sink->site_policy) {
        store_site_policy_t *policy = malloc(sizeof *policy);
        if (!policy) {
            snprintf(err, err_len, "out of memory while reading the key policy");
            rc = PANEL_E_NOMEM;
        } else {
            rc = sq_read_policy(s, s->rdb, policy, err, err_len);
            if (rc == PANEL_OK)
                rc = sink->site_policy(sink->ctx, policy->allowed_ips, policy->rate_limit);
            free(policy);
        }
    }
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (rc == PANEL_OK) {
        rc = sq_cached(s, s->rdb, SQL_COUNT_VALID, &st, "reading the valid keys", err, err_len);
        if (rc == PANEL_OK) {
            int step = sqlite3_step(st);
            if (step == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            else
                rc = sq_store_fail(s, s->rdb, step, "reading the valid keys", err, err_len);
            sq_release(st);
        }
    }
    if (rc == PANEL_OK)
        rc = sink->start(sink->ctx, n, enabled);
    if (rc == PANEL_OK && sink->named)
        rc = read_named_policies(s, sink, err, err_len);
    if (rc == PANEL_OK)
        rc = sq_cached(s, s->rdb, SQL_LOAD_VALID, &st, "reading the valid keys", err, err_len);
    if (rc == PANEL_OK) {
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_bytes(st, 1) != (int)KEY_DIGEST_LEN)
                continue; /* not a digest we made: can never match */
            rc = sink->key(sink->ctx, sqlite3_column_blob(st, 1), (uint64_t)sqlite3_column_int64(st, 5),
                           sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                           sqlite3_column_int64(st, 4));
            if (rc != PANEL_OK)
                break;
        }
        if (rc == PANEL_OK && step != SQLITE_DONE)
            rc = sq_store_fail(s, s->rdb, step, "reading the valid keys", err, err_len);
        sq_release(st);
    }
    if (rc == PANEL_OK)
        rc = sq_read_leaked(s, sink, err, err_len);
    end_read(s);
    return rc;
}

int sq_settle(store_t *store, uint64_t seen, uint64_t *now)
{
    sqlite_store_t *s = store->impl;
    return freshness_probe(&s->fresh, seen, now) == FRESHNESS_REPAIRED ? STORE_SIGNAL_SETTLED
                                                                         : STORE_SIGNAL_WRITER_ACTIVE;
}
