/* store_sqlite_schema.c - the SQLite backend's file (see store_sqlite_internal.h): creating it 0600 and checking
 * its owner, the connection settings (WAL, synchronous=FULL, busy timeout, foreign keys), the schema and its
 * migrations (versioned with PRAGMA user_version, one immediate transaction), and the tests' hooks to the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_check.h"
#include "panel/plugin.h"
#include "store_sqlite_internal.h"

static const char schema_v1[] =
    "CREATE TABLE keys(id INTEGER PRIMARY KEY, name TEXT NOT NULL, digest BLOB NOT NULL UNIQUE,"
    " hint TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER, expires_at INTEGER,"
    " last_used_at INTEGER, use_count INTEGER NOT NULL DEFAULT 0, role TEXT"
    " CHECK (role IN ('current','grace')));"
    "CREATE UNIQUE INDEX keys_one_current ON keys(role) WHERE role = 'current';"
    "CREATE UNIQUE INDEX keys_one_grace ON keys(role) WHERE role = 'grace';"
    "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO settings(name, value) VALUES ('api_enabled', '0');"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
    " origin TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, key_hint TEXT, detail TEXT);"
    "CREATE TABLE denials(reason TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER);";

/* v2: an index on role, so finding the current/grace key and loading the valid keys do not scan every
 * revoked row (the partial unique indexes cannot serve `role = ?1` with a bound role). */
static const char schema_v2[] = "CREATE INDEX keys_role ON keys(role);";

/* v3: the site key's policy settings (allowed_ips: canonical CIDR list, "" = any; rate_limit: per minute,
 * 0 = none), rows of the settings table. */
static const char schema_v3[] = "INSERT OR IGNORE INTO settings(name, value) VALUES ('allowed_ips', ''),"
                                " ('rate_limit', '0');";

/* v4: named keys (store.h): the records in named_keys, their key rows in keys with named_key set. A named key's
 * row keeps role NULL and has its own named_role ('current', 'grace', NULL when revoked or replaced), one current
 * and one grace row per named key. So a process of an older plugin still running on this file (during an
 * upgrade) never loads a named key's row as a site key without its scopes and allow-list: to it the row is a
 * replaced key, and the named key gets 401 there until that process is restarted (fail closed). */
static const char schema_v4[] =
    "CREATE TABLE named_keys(id INTEGER PRIMARY KEY, label TEXT NOT NULL, scopes TEXT NOT NULL,"
    " allowed_ips TEXT NOT NULL DEFAULT '', rate_limit INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL,"
    " expires_at INTEGER, revoked_at INTEGER);"
    "ALTER TABLE keys ADD COLUMN named_key INTEGER REFERENCES named_keys(id);"
    "ALTER TABLE keys ADD COLUMN named_role TEXT CHECK (named_role IN ('current','grace'));"
    "CREATE UNIQUE INDEX keys_named_role ON keys(named_key, named_role) WHERE named_role IS NOT NULL;"
    "CREATE INDEX keys_named ON keys(named_key) WHERE named_key IS NOT NULL;";

/* v5: usage per UTC hour (hour: Unix seconds, a multiple of 3600; key: "site", "site-previous", "none" or a named
 * key's id; code: "allowed" or a denial's code), allowed requests per key value and minute for the last hour, and
 * each key value's last caller (its last allowed request's client address and User-Agent, nothing older). */
static const char schema_v5[] =
    "CREATE TABLE usage_hourly(hour INTEGER NOT NULL, key TEXT NOT NULL, code TEXT NOT NULL,"
    " count INTEGER NOT NULL, PRIMARY KEY(hour, key, code)) WITHOUT ROWID;"
    "CREATE TABLE usage_recent(key_id INTEGER NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY(key_id, minute)) WITHOUT ROWID;"
    "ALTER TABLE keys ADD COLUMN last_addr TEXT;"
    "ALTER TABLE keys ADD COLUMN last_agent TEXT;";

/* v7: each key row's locator (key_locator.h: where its keyring slot is, so a verification fetches it while the
 * digest is computed). Rows from before keep NULL and are found by their digest, as before. */
static const char schema_v7[] = "ALTER TABLE keys ADD COLUMN locator INTEGER;";

static int32_t configure(sqlite_store_t *s, sqlite3 *db, char *err, size_t err_len)
{
    sqlite3_busy_timeout(db, 2000);
    sqlite3_extended_result_codes(db, 1);
    int32_t rc = sq_exec(s, db, "PRAGMA journal_mode=WAL", "switching to WAL mode", err, err_len);
    if (rc == PANEL_OK)
        rc = sq_exec(s, db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "configuring", err, err_len);
    return rc;
}

static int32_t migrate(sqlite_store_t *s, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_prepare(s, s->db, "PRAGMA user_version", &st, "reading the schema version", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    int version = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW)
        return sq_store_fail(s, s->db, step, "reading the schema version", err, err_len);
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, err_len,
                 "the key store %s has schema version %d, newer than this plugin understands (%d); use a newer "
                 "plugin",
                 s->path, version, STORE_SCHEMA_VERSION);
        return PANEL_E_STORE;
    }
    if (version == STORE_SCHEMA_VERSION)
        return PANEL_OK;
    rc = sq_exec(s, s->db, "BEGIN IMMEDIATE", "starting the schema migration", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    /* Re-read inside the transaction: another process may have migrated meanwhile. */
    rc = sq_prepare(s, s->db, "PRAGMA user_version", &st, "reading the schema version", err, err_len);
    if (rc == PANEL_OK) {
        version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
        sqlite3_finalize(st);
    }
    if (rc == PANEL_OK && version < 1)
        rc = sq_exec(s, s->db, schema_v1, "creating the schema", err, err_len);
    if (rc == PANEL_OK && version < 2)
        rc = sq_exec(s, s->db, schema_v2, "adding the index on key roles (schema version 2)", err, err_len);
    if (rc == PANEL_OK && version < 3)
        rc = sq_exec(s, s->db, schema_v3, "adding the key policy settings (schema version 3)", err, err_len);
    if (rc == PANEL_OK && version < 4)
        rc = sq_exec(s, s->db, schema_v4, "adding named keys (schema version 4)", err, err_len);
    if (rc == PANEL_OK && version < 5)
        rc = sq_exec(s, s->db, schema_v5, "adding usage per hour and last callers (schema version 5)", err, err_len);
    if (rc == PANEL_OK && version < 6)
        rc = sq_migrate_leaks(s, err, err_len);
    if (rc == PANEL_OK && version < 7)
        rc = sq_exec(s, s->db, schema_v7, "adding the key locators (schema version 7)", err, err_len);
    if (rc == PANEL_OK && version < STORE_SCHEMA_VERSION) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
        rc = sq_exec(s, s->db, sql, "recording the schema version", err, err_len);
    }
    if (rc == PANEL_OK)
        rc = sq_exec(s, s->db, "COMMIT", "committing the schema migration", err, err_len);
    if (rc != PANEL_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int32_t sq_open_file(sqlite_store_t *s, const char *data_dir, const char *file_name, char *err, size_t err_len)
{
    if ((size_t)snprintf(s->path, sizeof s->path, "%s/%s", data_dir, file_name) >= sizeof s->path) {
        snprintf(err, err_len, "the data directory path is too long");
        return PANEL_E_INVALID;
    }
    /* Create the file ourselves so it is 0600 from the start (SQLite gives -wal/-shm the same mode). */
    int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, err_len, "%s is not writable (%s): check the data directory's owner and permissions",
                 s->path, strerror(errno));
        return PANEL_E_STORE;
    }
    int32_t owner_ok = apikeys_check_file(fd, s->path, err, err_len);
    close(fd);
    if (owner_ok != PANEL_OK)
        return owner_ok;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;
    int rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);
    int32_t prc = rc == SQLITE_OK ? PANEL_OK : sq_store_fail(s, s->db, rc, "opening the key store", err, err_len);
    if (prc == PANEL_OK)
        prc = configure(s, s->db, err, err_len);
    if (prc == PANEL_OK)
        prc = migrate(s, err, err_len);
    if (prc == PANEL_OK) {
        rc = sqlite3_open_v2(s->path, &s->rdb, flags, NULL);
        prc = rc == SQLITE_OK ? PANEL_OK : sq_store_fail(s, s->rdb, rc, "opening the key store", err, err_len);
    }
    if (prc == PANEL_OK)
        prc = configure(s, s->rdb, err, err_len);
    struct stat opened;
    if (prc == PANEL_OK && stat(s->path, &opened) == 0) {
        s->file_dev = opened.st_dev;
        s->file_ino = opened.st_ino;
    }
    return prc;
}

int32_t store_sqlite_open_file(store_t *store, const char *data_dir, const char *file_name, char *err,
                               size_t err_len)
{
    extern const store_backend_t store_sqlite_backend;
    memset(store, 0, sizeof *store);
    store->backend = &store_sqlite_backend;
    store->impl = calloc(1, sizeof(sqlite_store_t));
    if (!store->impl) {
        snprintf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    sqlite_store_t *s = store->impl;
    s->fresh.writer_fd = s->fresh.probe_fd = -1;
    int32_t rc = sq_open_file(s, data_dir, file_name, err, err_len);
    if (rc != PANEL_OK)
        store_close(store);
    return rc;
}

sqlite3 *store_sqlite_db(store_t *store)
{
    sqlite_store_t *s = store->impl;
    return s->db;
}
