/* store_sqlite_internal.h - what the SQLite backend's files share and nothing else includes: the ids of the
 * statements kept prepared, the statement helpers (store_sqlite_sql.c), and each file's functions the others
 * call, the methods the table in store_sqlite.c names among them. */
#ifndef APIKEYS_STORE_SQLITE_INTERNAL_H
#define APIKEYS_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store_sqlite.h"

/* The statements kept prepared on each connection. */
enum {
    SQL_BEGIN_IMMEDIATE,
    SQL_BEGIN,
    SQL_COMMIT,
    SQL_KEY_ROWS,
    SQL_GET_ENABLED,
    SQL_SET_ENABLED,
    SQL_GET_ROLE,
    SQL_FIND_DIGEST,
    SQL_REACTIVATE,
    SQL_INSERT_CURRENT,
    SQL_REVOKE,
    SQL_MAKE_GRACE,
    SQL_AUDIT,
    SQL_READ_AUDIT,
    SQL_ADD_USAGE,
    SQL_ADD_DENIALS,
    SQL_GET_DENIALS,
    SQL_COUNT_VALID,
    SQL_LOAD_VALID,
    SQL_FIND_DIGEST_ROW,
    SQL_GET_POLICY,
    SQL_PUT_SETTING,
    SQL_NAMED_COUNT,
    SQL_NAMED_INSERT,
    SQL_NAMED_INSERT_KEY,
    SQL_NAMED_LIST,
    SQL_NAMED_UPDATE,
    SQL_NAMED_REVOKE,
    SQL_NAMED_RETIRE_ROLE,
    SQL_NAMED_TO_GRACE,
    SQL_LOAD_NAMED,
    SQL_ADD_HOURLY,
    SQL_ADD_RECENT,
    SQL_PRUNE_HOURLY,
    SQL_PRUNE_RECENT,
    SQL_READ_USAGE,
    SQL_READ_CALLER,
    SQL_READ_NAMED_CALLER,
    SQL_COUNT_
};

/* ----- store_sqlite_sql.c ----- */
extern const char *const sq_sql_text[SQL_COUNT_];
int32_t sq_store_fail(sqlite_store_t *s, sqlite3 *db, int rc, const char *doing, char *err, size_t err_len);
int32_t sq_exec(sqlite_store_t *s, sqlite3 *db, const char *sql, const char *doing, char *err, size_t err_len);
int32_t sq_prepare(sqlite_store_t *s, sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *doing, char *err,
                   size_t err_len);
void sq_forget_statements(sqlite_store_t *s, int conn);
void sq_refresh_statements(sqlite_store_t *s, sqlite3 *db);
int32_t sq_cached(sqlite_store_t *s, sqlite3 *db, int id, sqlite3_stmt **st, const char *doing, char *err,
                  size_t err_len);
void sq_release(sqlite3_stmt *st);
int32_t sq_step_done(sqlite_store_t *s, sqlite3 *db, sqlite3_stmt *st, const char *doing, char *err, size_t err_len);
int32_t sq_run(sqlite_store_t *s, sqlite3 *db, int id, const char *doing, char *err, size_t err_len);
int sq_is_damage(const sqlite_store_t *s);
const char *sq_text_or_empty(sqlite3_stmt *st, int col);
int sq_copy_text(sqlite3_stmt *st, int col, char *out, size_t out_len);

/* ----- store_sqlite_schema.c ----- */
int32_t sq_open_file(sqlite_store_t *s, const char *data_dir, const char *file_name, char *err, size_t err_len);

/* ----- store_sqlite_site.c ----- */
int32_t sq_read_enabled(sqlite_store_t *s, sqlite3 *db, int *enabled, char *err, size_t err_len);
int32_t sq_read_policy(sqlite_store_t *s, sqlite3 *db, store_site_policy_t *out, char *err, size_t err_len);
int32_t sq_get_site_policy(store_t *store, store_site_policy_t *out, char *err, size_t err_len);
int32_t sq_set_site_policy(store_t *store, const char *allowed_ips, int64_t rate_limit, char *err,
                           size_t err_len);
int32_t sq_get_enabled(store_t *store, int *enabled, char *err, size_t err_len);
int32_t sq_set_enabled(store_t *store, int enabled, char *err, size_t err_len);
int32_t sq_get_role(store_t *store, const char *role, store_key_t *out, int *found, char *err, size_t err_len);
int32_t sq_get_site(store_t *store, store_site_t *out, char *err, size_t err_len);
int32_t sq_put_current(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                       int64_t now, int64_t *id, char *err, size_t err_len);
int32_t sq_find_digest(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                       char *err, size_t err_len);
int32_t sq_revoke(store_t *store, int64_t id, int64_t now, char *err, size_t err_len);
int32_t sq_make_grace(store_t *store, int64_t id, int64_t expires_at, char *err, size_t err_len);
int32_t sq_audit(store_t *store, int64_t now, const char *actor, const char *origin, const char *action,
                 const char *outcome, const char *key_hint, char *err, size_t err_len);
int32_t sq_read_audit(store_t *store, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                      size_t err_len);
int32_t sq_get_denials(store_t *store, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                       size_t err_len);

/* ----- store_sqlite_usage.c ----- */
int32_t sq_flush_usage(store_t *store, const store_flush_t *flush, char *err, size_t err_len);
int32_t sq_read_usage(store_t *store, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len);
int32_t sq_read_caller(store_t *store, int64_t key_id, int64_t since, store_caller_t *out, char *err,
                       size_t err_len);
int32_t sq_read_named_caller(store_t *store, int64_t named_id, int grace, int64_t since, store_caller_t *out,
                             int *found, char *err, size_t err_len);

/* ----- store_sqlite_snapshot.c ----- */
void sq_drop_read_cache(store_t *store);
int32_t sq_named_settings(sqlite3_stmt *st, store_named_t *k, char *err, size_t err_len);
int32_t sq_read_snapshot(store_t *store, const store_snapshot_sink_t *sink, char *err, size_t err_len);
int sq_settle(store_t *store, uint64_t seen, uint64_t *now);

/* ----- store_sqlite_named.c ----- */
int32_t sq_named_count(store_t *store, int64_t *count, char *err, size_t err_len);
int32_t sq_named_create(store_t *store, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN],
                        uint64_t locator, const char *hint, int64_t *id, char *err, size_t err_len);
int32_t sq_read_named(store_t *store, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx,
                      char *err, size_t err_len);
int32_t sq_named_get(store_t *store, int64_t id, store_named_t *out, int *found, char *err, size_t err_len);
int32_t sq_named_update(store_t *store, const store_named_t *key, char *err, size_t err_len);
int32_t sq_named_revoke(store_t *store, int64_t id, int64_t now, char *err, size_t err_len);
int32_t sq_named_reset(store_t *store, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                       const char *hint, int64_t now, int64_t grace_expires_at, char *err, size_t err_len);

/* ----- store_sqlite_leaks.c ----- */
/* ----- store_sqlite_revoked.c ----- */
int32_t sq_read_revoked_named(store_t *store, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                              void *ctx, char *err, size_t err_len);
int32_t sq_get_option(store_t *store, const char *name, char *value, size_t value_len, char *err, size_t err_len);
int32_t sq_set_option(store_t *store, const char *name, const char *value, char *err, size_t err_len);
int32_t sq_migrate_leaks(sqlite_store_t *s, char *err, size_t err_len);
int32_t sq_leak_revoke(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found,
                       char *err, size_t err_len);
int32_t sq_last_site_leak(store_t *store, store_leak_t *out, int *found, char *err, size_t err_len);
/* The reported digests into sink->leaked (when set), inside the snapshot's read transaction on rdb. */
int32_t sq_read_leaked(sqlite_store_t *s, const store_snapshot_sink_t *sink, char *err, size_t err_len);

/* ----- store_sqlite.c ----- */
int32_t sq_begin_tx(sqlite_store_t *s, int signals_change, char *err, size_t err_len);
void sq_rollback_tx(sqlite_store_t *s);
int32_t sq_commit_tx(sqlite_store_t *s, char *err, size_t err_len);

/* ----- store_sqlite_settings.c ----- */
/* store_backend_t.load_settings: database. */
int32_t sqlite_load_settings(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err,
                             size_t err_len);

#endif
