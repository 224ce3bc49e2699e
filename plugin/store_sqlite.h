/* store_sqlite.h - the SQLite backend's state, and the hooks tests use to reach its file directly.
 * One file DATA_DIR/<database> (WAL, synchronous=FULL, busy_timeout 2000 ms, foreign keys on), schema
 * versioned with PRAGMA user_version, and the change counter DATA_DIR/apikeys.epoch (freshness.h).
 *
 * Two connections: `db` for writes (actions, usage flushes; the caller serialises them) and `rdb` for
 * snapshot reloads (the caller serialises them under its reload mutex). A reload never sees another
 * connection's uncommitted transaction. Each connection keeps its statements prepared between uses, so that
 * serialisation is required for reads on `db` too (status, fields, audit table), not only for writes. */
#ifndef APIKEYS_STORE_SQLITE_H
#define APIKEYS_STORE_SQLITE_H

#include <sqlite3.h>
#include <sys/types.h>

#include "freshness.h"
#include "store.h"

#define STORE_SCHEMA_VERSION 7   /* 1: the tables; 2: index on keys(role); 3: key policy settings; 4: named keys;
                                  * 5: usage per hour and last callers; 6: leaked keys (store_sqlite_leaks.c);
                                  * 7: each key row's locator (key_locator.h) */

#define STORE_CONN_WRITE 0
#define STORE_CONN_READ 1
#define STORE_STATEMENTS 40      /* room for the statements store_sqlite.c keeps prepared per connection */

typedef struct sqlite_store {
    sqlite3 *db;
    sqlite3 *rdb;
    char path[4096];
    dev_t file_dev;          /* the database file opened (stat right after opening), to tell when it is replaced */
    ino_t file_ino;
    int last_error;          /* the primary SQLite code of the last failure (0 after success) */
    /* Per connection [STORE_CONN_*], touched only by whoever holds that connection (see above): */
    int stale[2];            /* 1: a damage failure was seen; drop the cached statements at the next transaction */
    sqlite3_stmt *stmts[2][STORE_STATEMENTS]; /* prepared once on first use, reset after each use */
    freshness_t fresh;       /* the change signal of this machine */
    int in_window;           /* 1 while a change-signalling transaction holds the writer window */
} sqlite_store_t;

/* Test hook: opens only the file (schema and migrations; no secret, no change counter) as a store. */
int32_t store_sqlite_open_file(store_t *store, const char *data_dir, const char *file_name, char *err,
                               size_t err_len);
/* Test hook: the write connection of a SQLite store. */
sqlite3 *store_sqlite_db(store_t *store);

#endif
