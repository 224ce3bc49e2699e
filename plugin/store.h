/* store.h - the SQLite key store in the data directory: schema and migrations (PRAGMA user_version), the
 * rows each action changes, the audit trail, batched usage and denial counters, and loading the valid keys
 * into a keyring. WAL mode, synchronous=FULL, busy_timeout 2000 ms, foreign keys on.
 *
 * Two connections: `db` for writes (actions, usage flushes; the caller serialises them) and `rdb` for
 * snapshot reloads (the caller serialises them under its reload mutex). A reload never sees another
 * connection's uncommitted transaction. Each connection keeps its statements prepared between uses, so
 * that serialisation is required for reads on `db` too (status, fields, audit table), not only for writes. Every failure is PANEL_E_STORE with a message a person can act on. */
#ifndef APIKEYS_STORE_H
#define APIKEYS_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"

#define STORE_SCHEMA_VERSION 2   /* 1: the tables; 2: index on keys(role) */

#define STORE_CONN_WRITE 0
#define STORE_CONN_READ 1
#define STORE_STATEMENTS 24      /* room for the statements store.c keeps prepared per connection */

typedef struct store {
    sqlite3 *db;
    sqlite3 *rdb;
    char path[4096];
    int last_error;          /* the primary SQLite code of the last failure (0 after success) */
    /* Per connection [STORE_CONN_*], touched only by whoever holds that connection (see above): */
    int stale[2];            /* 1: a damage failure was seen; drop the cached statements at the next transaction */
    sqlite3_stmt *stmts[2][STORE_STATEMENTS]; /* prepared once on first use, reset after each use */
} store_t;

/* 1 when the last failure means the file is damaged or unreadable (corrupt, not a database, I/O error). */
int store_last_failure_is_damage(const store_t *s);

/* A key row (never the key itself: only its hint). */
typedef struct store_key {
    int64_t id;
    char hint[32];
    int64_t created_at;
    int64_t expires_at;      /* 0 = never */
    int64_t last_used_at;    /* 0 = never */
    int64_t use_count;
} store_key_t;

/* Denial reasons, in the order the status page lists them. */
#define DENIAL_MISSING 0
#define DENIAL_MALFORMED 1
#define DENIAL_UNKNOWN 2
#define DENIAL_EXPIRED 3
#define DENIAL_DISABLED 4
#define DENIAL_UNAVAILABLE 5
#define DENIAL_REASONS 6
extern const char *const store_denial_names[DENIAL_REASONS];

/* One audit row as stored. Strings valid during the callback. */
typedef struct store_audit_row {
    int64_t at;
    const char *actor, *origin, *action, *outcome, *key_hint;
} store_audit_row_t;
typedef int32_t (*store_audit_fn)(void *ctx, const store_audit_row_t *row);

/* A harvested usage count. */
typedef struct store_usage {
    int64_t key_id;
    uint64_t count;
} store_usage_t;

int32_t store_open(store_t *s, const char *data_dir, const char *file_name, char *err, size_t err_len);
void store_close(store_t *s);

/* Number of key rows (any state). */
int32_t store_key_rows(store_t *s, int64_t *count, char *err, size_t err_len);

/* Write transactions on `db`. */
int32_t store_begin(store_t *s, char *err, size_t err_len);
int32_t store_commit(store_t *s, char *err, size_t err_len);
void store_rollback(store_t *s);

int32_t store_get_enabled(store_t *s, int *enabled, char *err, size_t err_len);
int32_t store_set_enabled(store_t *s, int enabled, char *err, size_t err_len);
/* The key with role "current" or "grace"; *found = 0 when there is none. */
int32_t store_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len);
/* Makes the key with this digest the current one: reactivates its row when it exists, else inserts one. */
int32_t store_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], const char *hint, int64_t now,
                          int64_t *id, char *err, size_t err_len);
int32_t store_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
int32_t store_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len);
int32_t store_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                    const char *outcome, const char *key_hint, char *err, size_t err_len);
/* Audit rows newest first. */
int32_t store_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                         size_t err_len);
/* Adds usage counts and denial deltas in one transaction (own BEGIN/COMMIT). */
int32_t store_flush_usage(store_t *s, const store_usage_t *usage, size_t n_usage, int64_t now,
                          const uint64_t denials[DENIAL_REASONS], const int64_t denial_last[DENIAL_REASONS],
                          char *err, size_t err_len);
/* Denial totals and last times per reason (0 when never). */
int32_t store_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                          size_t err_len);
/* Drops the pages `rdb` cached, so its next read goes to the file (after a failure was seen). */
void store_drop_read_cache(store_t *s);
/* Reads the valid keys and the API switch (on `rdb`, one read transaction) into a new sealed keyring. */
int32_t store_load_keyring(store_t *s, uint64_t epoch, keyring_t **out, char *err, size_t err_len);
/* Benchmark/test helper: inserts n additional valid keys (role 'extra') in the current transaction. */
int32_t store_insert_extra(store_t *s, const uint8_t *digests, size_t n, const char *hint, int64_t now, char *err,
                           size_t err_len);

#endif
