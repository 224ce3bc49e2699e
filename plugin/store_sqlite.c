/* store_sqlite.c - the embedded store backend (see store.h, store_sqlite.h): keys, settings, audit rows and
 * usage counters in one SQLite file in the data directory, and the change signal of one machine (freshness.c:
 * the mapped counter every process on this machine reads).
 * Every statement is prepared once per connection (SQLITE_PREPARE_PERSISTENT) on first use and kept until
 * close; after each use it is reset and its bindings cleared, so no statement holds a read transaction or a
 * pointer to the caller's memory between uses. After a failure that means damage, the cached statements
 * are dropped at the next transaction boundary and prepared afresh from the file. */
#include "store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <stdlib.h>

#include "file_check.h"
#include "panel/plugin.h"

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
    SQL_COUNT_
};

_Static_assert(SQL_COUNT_ <= STORE_STATEMENTS, "store_t has room for every cached statement");

static const char *const sql_text[SQL_COUNT_] = {
    [SQL_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [SQL_BEGIN] = "BEGIN",
    [SQL_COMMIT] = "COMMIT",
    [SQL_KEY_ROWS] = "SELECT count(*) FROM keys",
    [SQL_GET_ENABLED] = "SELECT value FROM settings WHERE name = 'api_enabled'",
    [SQL_SET_ENABLED] = "INSERT INTO settings(name, value) VALUES ('api_enabled', ?1)"
                        " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    [SQL_GET_ROLE] = "SELECT id, hint, created_at, COALESCE(expires_at, 0), COALESCE(last_used_at, 0),"
                     " use_count FROM keys WHERE role = ?1",
    [SQL_FIND_DIGEST] = "SELECT id FROM keys WHERE digest = ?1",
    [SQL_REACTIVATE] = "UPDATE keys SET role = 'current', revoked_at = NULL, expires_at = NULL WHERE id = ?1",
    [SQL_INSERT_CURRENT] =
        "INSERT INTO keys(name, digest, hint, created_at, role) VALUES ('site', ?1, ?2, ?3, 'current')",
    [SQL_REVOKE] = "UPDATE keys SET role = NULL, revoked_at = ?2 WHERE id = ?1",
    [SQL_MAKE_GRACE] = "UPDATE keys SET role = 'grace', expires_at = ?2 WHERE id = ?1",
    [SQL_AUDIT] = "INSERT INTO audit(at, actor, origin, action, outcome, key_hint) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQL_READ_AUDIT] = "SELECT at, actor, origin, action, outcome, key_hint FROM audit ORDER BY id DESC"
                       " LIMIT ?1 OFFSET ?2",
    [SQL_ADD_USAGE] = "UPDATE keys SET use_count = use_count + ?2,"
                      " last_used_at = MAX(COALESCE(last_used_at, 0), ?3) WHERE id = ?1",
    [SQL_ADD_DENIALS] =
        "INSERT INTO denials(reason, count, last_at) VALUES (?1, ?2, ?3) ON CONFLICT(reason) DO UPDATE"
        " SET count = count + excluded.count, last_at = MAX(COALESCE(last_at, 0), excluded.last_at)",
    [SQL_GET_DENIALS] = "SELECT reason, count, COALESCE(last_at, 0) FROM denials",
    [SQL_COUNT_VALID] = "SELECT (SELECT count(*) FROM keys WHERE role IS NOT NULL) +"
                        " (SELECT count(*) FROM keys WHERE named_role IS NOT NULL)",
    /* Through the role index: without statistics the planner would scan every revoked row. */
    [SQL_LOAD_VALID] = "SELECT id, digest, COALESCE(expires_at, 0), 0 FROM keys INDEXED BY keys_role"
                       " WHERE role IS NOT NULL UNION ALL SELECT id, digest, COALESCE(expires_at, 0), named_key"
                       " FROM keys INDEXED BY keys_named WHERE named_key IS NOT NULL AND named_role IS NOT NULL",
    /* A named key's row answers role "named": it is not the site key's to reactivate or to report replaced. */
    [SQL_FIND_DIGEST_ROW] = "SELECT id, CASE WHEN named_key IS NULL THEN COALESCE(role, '') ELSE 'named' END,"
                            " created_at, COALESCE(revoked_at, 0) FROM keys WHERE digest = ?1",
    [SQL_GET_POLICY] = "SELECT name, value FROM settings WHERE name IN ('allowed_ips', 'rate_limit')",
    [SQL_PUT_SETTING] = "INSERT INTO settings(name, value) VALUES (?1, ?2)"
                        " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    [SQL_NAMED_COUNT] = "SELECT count(*) FROM named_keys WHERE revoked_at IS NULL",
    [SQL_NAMED_INSERT] = "INSERT INTO named_keys(label, scopes, allowed_ips, rate_limit, created_at, expires_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, 0))",
    [SQL_NAMED_INSERT_KEY] = "INSERT INTO keys(name, digest, hint, created_at, named_role, named_key)"
                             " VALUES ('named', ?1, ?2, ?3, 'current', ?4)",
    /* ?1 = 0: every live named key; else only that one. */
    [SQL_NAMED_LIST] =
        "SELECT n.id, n.label, n.scopes, n.allowed_ips, n.rate_limit, n.created_at, COALESCE(n.expires_at, 0),"
        " COALESCE(c.hint, ''), (SELECT COALESCE(MAX(last_used_at), 0) FROM keys WHERE named_key = n.id),"
        " (SELECT COALESCE(SUM(use_count), 0) FROM keys WHERE named_key = n.id), g.id IS NOT NULL,"
        " COALESCE(g.expires_at, 0), COALESCE(g.hint, '')"
        " FROM named_keys n LEFT JOIN keys c ON c.named_key = n.id AND c.named_role = 'current'"
        " LEFT JOIN keys g ON g.named_key = n.id AND g.named_role = 'grace'"
        " WHERE n.revoked_at IS NULL AND (?1 = 0 OR n.id = ?1) ORDER BY n.id LIMIT ?2 OFFSET ?3",
    [SQL_NAMED_UPDATE] = "UPDATE named_keys SET label = ?2, scopes = ?3, allowed_ips = ?4, rate_limit = ?5"
                         " WHERE id = ?1 AND revoked_at IS NULL",
    [SQL_NAMED_REVOKE] = "UPDATE named_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
    [SQL_NAMED_RETIRE_ROLE] = "UPDATE keys SET named_role = NULL, revoked_at = ?2 WHERE named_key = ?1"
                              " AND named_role = ?3",
    [SQL_NAMED_TO_GRACE] = "UPDATE keys SET named_role = 'grace', expires_at = ?2 WHERE named_key = ?1"
                           " AND named_role = 'current'",
    [SQL_LOAD_NAMED] = "SELECT id, label, scopes, allowed_ips, rate_limit, created_at, COALESCE(expires_at, 0)"
                       " FROM named_keys WHERE revoked_at IS NULL",
};

static int is_damage(const sqlite_store_t *s);

/* Writes an actionable message for an SQLite failure while `doing` something. Returns PANEL_E_STORE. */
static int32_t store_fail(sqlite_store_t *s, sqlite3 *db, int rc, const char *doing, char *err, size_t err_len)
{
    int primary = rc & 0xFF;
    s->last_error = primary;
    if (is_damage(s))
        s->stale[db == s->rdb && db ? STORE_CONN_READ : STORE_CONN_WRITE] = 1; /* re-prepare from the file */
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(err, err_len, "the key store is locked by another process; try again (%s)", doing);
        break;
    case SQLITE_FULL:
        snprintf(err, err_len, "the disk is full: could not write %s (%s); nothing was changed", s->path, doing);
        break;
    case SQLITE_IOERR:
        snprintf(err, err_len, "could not write %s (%s: %s); the disk may be full or failing; nothing was changed",
                 s->path, doing, detail);
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        snprintf(err, err_len, "the key store file %s is damaged; restore it from a backup (%s)", s->path, doing);
        break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        snprintf(err, err_len, "%s is not writable: check the data directory's owner and permissions (%s)",
                 s->path, doing);
        break;
    default:
        snprintf(err, err_len, "the key store failed while %s: %s", doing, detail);
        break;
    }
    return PANEL_E_STORE;
}

static int32_t exec(sqlite_store_t *s, sqlite3 *db, const char *sql, const char *doing, char *err, size_t err_len)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? PANEL_OK : store_fail(s, db, rc, doing, err, err_len);
}

/* A one-off statement (migrations): prepared here, finalized by the caller. */
static int32_t prepare(sqlite_store_t *s, sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *doing, char *err,
                       size_t err_len)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? PANEL_OK : store_fail(s, db, rc, doing, err, err_len);
}

static int conn_of(const sqlite_store_t *s, sqlite3 *db)
{
    return db == s->rdb ? STORE_CONN_READ : STORE_CONN_WRITE;
}

/* Finalizes the cached statements of one connection (none may be in use; a busy one is kept and the
 * connection stays marked stale). */
static void forget_statements(sqlite_store_t *s, int conn)
{
    int busy = 0;
    for (int i = 0; i < SQL_COUNT_; i++) {
        sqlite3_stmt *st = s->stmts[conn][i];
        if (!st)
            continue;
        if (sqlite3_stmt_busy(st)) {
            busy = 1;
            continue;
        }
        sqlite3_finalize(st);
        s->stmts[conn][i] = NULL;
    }
    if (!busy)
        s->stale[conn] = 0;
}

/* At a transaction boundary: drops the connection's statements when a damage failure was seen since. */
static void refresh_statements(sqlite_store_t *s, sqlite3 *db)
{
    int conn = conn_of(s, db);
    if (s->stale[conn])
        forget_statements(s, conn);
}

/* The cached statement `id` on connection db, prepared on first use. Give it back with release(). */
static int32_t cached(sqlite_store_t *s, sqlite3 *db, int id, sqlite3_stmt **st, const char *doing, char *err,
                      size_t err_len)
{
    sqlite3_stmt **slot = &s->stmts[conn_of(s, db)][id];
    if (!*slot) {
        int rc = sqlite3_prepare_v3(db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK) {
            *slot = NULL;
            *st = NULL;
            return store_fail(s, db, rc, doing, err, err_len);
        }
    }
    *st = *slot;
    return PANEL_OK;
}

/* Ends a use of a cached statement: ends its read/write step and forgets the bound values. */
static void release(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Steps a cached statement on db that returns no rows, then releases it. */
static int32_t step_done(sqlite_store_t *s, sqlite3 *db, sqlite3_stmt *st, const char *doing, char *err, size_t err_len)
{
    int rc = sqlite3_step(st);
    int32_t result = rc == SQLITE_DONE || rc == SQLITE_ROW ? PANEL_OK : store_fail(s, db, rc, doing, err, err_len);
    release(st);
    return result;
}

/* Runs one of the cached statements that take no parameters and return no rows (BEGIN, COMMIT). */
static int32_t run(sqlite_store_t *s, sqlite3 *db, int id, const char *doing, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, db, id, &st, doing, err, err_len);
    return rc == PANEL_OK ? step_done(s, db, st, doing, err, err_len) : rc;
}

static int32_t configure(sqlite_store_t *s, sqlite3 *db, char *err, size_t err_len)
{
    sqlite3_busy_timeout(db, 2000);
    sqlite3_extended_result_codes(db, 1);
    int32_t rc = exec(s, db, "PRAGMA journal_mode=WAL", "switching to WAL mode", err, err_len);
    if (rc == PANEL_OK)
        rc = exec(s, db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "configuring", err, err_len);
    return rc;
}

static int32_t migrate(sqlite_store_t *s, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db, "PRAGMA user_version", &st, "reading the schema version", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    int version = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW)
        return store_fail(s, s->db, step, "reading the schema version", err, err_len);
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(err, err_len,
                 "the key store %s has schema version %d, newer than this plugin understands (%d); use a newer "
                 "plugin",
                 s->path, version, STORE_SCHEMA_VERSION);
        return PANEL_E_STORE;
    }
    if (version == STORE_SCHEMA_VERSION)
        return PANEL_OK;
    rc = exec(s, s->db, "BEGIN IMMEDIATE", "starting the schema migration", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    /* Re-read inside the transaction: another process may have migrated meanwhile. */
    rc = prepare(s, s->db, "PRAGMA user_version", &st, "reading the schema version", err, err_len);
    if (rc == PANEL_OK) {
        version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
        sqlite3_finalize(st);
    }
    if (rc == PANEL_OK && version < 1)
        rc = exec(s, s->db, schema_v1, "creating the schema", err, err_len);
    if (rc == PANEL_OK && version < 2)
        rc = exec(s, s->db, schema_v2, "adding the index on key roles (schema version 2)", err, err_len);
    if (rc == PANEL_OK && version < 3)
        rc = exec(s, s->db, schema_v3, "adding the key policy settings (schema version 3)", err, err_len);
    if (rc == PANEL_OK && version < 4)
        rc = exec(s, s->db, schema_v4, "adding named keys (schema version 4)", err, err_len);
    if (rc == PANEL_OK && version < STORE_SCHEMA_VERSION) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
        rc = exec(s, s->db, sql, "recording the schema version", err, err_len);
    }
    if (rc == PANEL_OK)
        rc = exec(s, s->db, "COMMIT", "committing the schema migration", err, err_len);
    if (rc != PANEL_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int32_t open_file(sqlite_store_t *s, const char *data_dir, const char *file_name, char *err, size_t err_len)
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
    int32_t prc = rc == SQLITE_OK ? PANEL_OK : store_fail(s, s->db, rc, "opening the key store", err, err_len);
    if (prc == PANEL_OK)
        prc = configure(s, s->db, err, err_len);
    if (prc == PANEL_OK)
        prc = migrate(s, err, err_len);
    if (prc == PANEL_OK) {
        rc = sqlite3_open_v2(s->path, &s->rdb, flags, NULL);
        prc = rc == SQLITE_OK ? PANEL_OK : store_fail(s, s->rdb, rc, "opening the key store", err, err_len);
    }
    if (prc == PANEL_OK)
        prc = configure(s, s->rdb, err, err_len);
    return prc;
}

static void sq_close(store_t *store);
static int32_t sq_key_rows(store_t *store, int64_t *count, char *err, size_t err_len);

/* Opens the file, then the digest secret (created with the store: only while it holds no key), then the
 * change counter. */
static int32_t sq_open(store_t *store, const store_open_args_t *args, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    s->fresh.writer_fd = s->fresh.probe_fd = -1;
    int32_t rc = open_file(s, args->data_dir, args->config->database, err, err_len);
    int64_t rows = 0;
    if (rc == PANEL_OK)
        rc = sq_key_rows(store, &rows, err, err_len);
    int created = 0;
    if (rc == PANEL_OK)
        rc = key_secret_load(args->config->secret_file, rows == 0, args->secret, &created, err, err_len);
    if (rc == PANEL_OK)
        rc = freshness_open(&s->fresh, args->data_dir, err, err_len);
    if (rc == PANEL_OK)
        store->counter = s->fresh.counter;
    else
        sq_close(store);
    return rc;
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
    int32_t rc = open_file(s, data_dir, file_name, err, err_len);
    if (rc != PANEL_OK)
        store_close(store);
    return rc;
}

sqlite3 *store_sqlite_db(store_t *store)
{
    sqlite_store_t *s = store->impl;
    return s->db;
}

static int sq_last_failure_is_damage(const store_t *store)
{
    return is_damage(store->impl);
}

static int is_damage(const sqlite_store_t *s)
{
    return s->last_error == SQLITE_CORRUPT || s->last_error == SQLITE_NOTADB || s->last_error == SQLITE_IOERR ||
           s->last_error == SQLITE_CANTOPEN;
}

static void sq_drop_read_cache(store_t *store)
{
    sqlite_store_t *s = store->impl;
    if (s->rdb) {
        forget_statements(s, STORE_CONN_READ);
        sqlite3_db_release_memory(s->rdb);
    }
}

static void sq_close(store_t *store)
{
    sqlite_store_t *s = store->impl;
    forget_statements(s, STORE_CONN_WRITE);
    forget_statements(s, STORE_CONN_READ);
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
    int32_t rc = cached(s, s->db, SQL_KEY_ROWS, &st, "counting keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    *count = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    rc = step == SQLITE_ROW ? PANEL_OK : store_fail(s, s->db, step, "counting keys", err, err_len);
    release(st);
    return rc;
}

/* A transaction on `db`. One that signals a change first enters the writer window of the change counter
 * (freshness.h), so no process caches a snapshot read while it runs; commit and rollback leave it. */
static int32_t begin_tx(sqlite_store_t *s, int signals_change, char *err, size_t err_len)
{
    if (signals_change) {
        int32_t rc = freshness_writer_begin(&s->fresh, err, err_len);
        if (rc != PANEL_OK)
            return rc;
        s->in_window = 1;
    }
    refresh_statements(s, s->db);
    int32_t rc = run(s, s->db, SQL_BEGIN_IMMEDIATE, "starting a transaction", err, err_len);
    if (rc != PANEL_OK && s->in_window) {
        freshness_writer_end(&s->fresh);
        s->in_window = 0;
    }
    return rc;
}

static void rollback_tx(sqlite_store_t *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (s->in_window) {
        freshness_writer_end(&s->fresh);
        s->in_window = 0;
    }
}

static int32_t commit_tx(sqlite_store_t *s, char *err, size_t err_len)
{
    /* Through sqlite3_exec on purpose (parsing "COMMIT" is cheap): tests/reliability/crash_kill.c interposes
     * sqlite3_exec to widen the instant after a COMMIT, where it aims its kills. */
    int32_t rc = exec(s, s->db, "COMMIT", "committing", err, err_len);
    rollback_tx(s); /* after a failed COMMIT: roll back; either way: leave the writer window */
    return rc;
}

static int32_t sq_begin(store_t *store, int signals_change, char *err, size_t err_len)
{
    return begin_tx(store->impl, signals_change, err, err_len);
}

/* On one machine every process sees the counter move at once: nothing to report. */
static int32_t sq_commit(store_t *store, char *report, size_t report_len, char *err, size_t err_len)
{
    (void)report;
    (void)report_len;
    return commit_tx(store->impl, err, err_len);
}

static void sq_rollback(store_t *store)
{
    rollback_tx(store->impl);
}

static int32_t read_enabled(sqlite_store_t *s, sqlite3 *db, int *enabled, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, db, SQL_GET_ENABLED, &st, "reading the API switch", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    const unsigned char *value = step == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    *enabled = value && strcmp((const char *)value, "1") == 0;
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? PANEL_OK
                                                   : store_fail(s, db, step, "reading the API switch", err, err_len);
    release(st);
    return rc;
}

static int32_t read_policy(sqlite_store_t *s, sqlite3 *db, store_site_policy_t *out, char *err, size_t err_len)
{
    out->allowed_ips[0] = '\0';
    out->rate_limit = 0;
    sqlite3_stmt *st;
    int32_t rc = cached(s, db, SQL_GET_POLICY, &st, "reading the key policy", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *value = (const char *)sqlite3_column_text(st, 1);
        if (!name || !value)
            continue;
        if (strcmp(name, "allowed_ips") == 0)
            snprintf(out->allowed_ips, sizeof out->allowed_ips, "%s", value);
        else
            out->rate_limit = strtoll(value, NULL, 10);
    }
    rc = step == SQLITE_DONE ? PANEL_OK : store_fail(s, db, step, "reading the key policy", err, err_len);
    release(st);
    return rc;
}

static int32_t sq_get_site_policy(store_t *store, store_site_policy_t *out, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    return read_policy(s, s->db, out, err, err_len);
}

static int32_t put_setting(sqlite_store_t *s, const char *name, const char *value, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_PUT_SETTING, &st, "saving the key policy", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return step_done(s, s->db, st, "saving the key policy", err, err_len);
}

static int32_t sq_set_site_policy(store_t *store, const char *allowed_ips, int64_t rate_limit, char *err,
                                  size_t err_len)
{
    sqlite_store_t *s = store->impl;
    int32_t rc = PANEL_OK;
    if (allowed_ips)
        rc = put_setting(s, "allowed_ips", allowed_ips, err, err_len);
    if (rc == PANEL_OK && rate_limit >= 0) {
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)rate_limit);
        rc = put_setting(s, "rate_limit", text, err, err_len);
    }
    return rc;
}

static int32_t sq_get_enabled(store_t *store, int *enabled, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    return read_enabled(s, s->db, enabled, err, err_len);
}

static int32_t sq_set_enabled(store_t *store, int enabled, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_SET_ENABLED, &st, "saving the API switch", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, enabled ? "1" : "0", -1, SQLITE_STATIC);
    return step_done(s, s->db, st, "saving the API switch", err, err_len);
}

static int32_t sq_get_role(store_t *store, const char *role, store_key_t *out, int *found, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    *found = 0;
    int32_t rc = cached(s, s->db, SQL_GET_ROLE, &st, "reading the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *found = 1;
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->hint, sizeof out->hint, "%s", (const char *)sqlite3_column_text(st, 1));
        out->created_at = sqlite3_column_int64(st, 2);
        out->expires_at = sqlite3_column_int64(st, 3);
        out->last_used_at = sqlite3_column_int64(st, 4);
        out->use_count = sqlite3_column_int64(st, 5);
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? PANEL_OK
                                                   : store_fail(s, s->db, step, "reading the key", err, err_len);
    release(st);
    return rc;
}

static int32_t sq_get_site(store_t *store, store_site_t *out, char *err, size_t err_len)
{
    int32_t rc = sq_get_enabled(store, &out->enabled, err, err_len);
    if (rc == PANEL_OK)
        rc = sq_get_role(store, "current", &out->current, &out->has_current, err, err_len);
    if (rc == PANEL_OK)
        rc = sq_get_role(store, "grace", &out->grace, &out->has_grace, err, err_len);
    return rc;
}

static int32_t sq_put_current(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], const char *hint, int64_t now,
                          int64_t *id, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_FIND_DIGEST, &st, "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int64_t existing = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_fail(s, s->db, step, "looking the key up", err, err_len);
    release(st);
    if (rc != PANEL_OK)
        return rc;
    if (existing) {
        rc = cached(s, s->db, SQL_REACTIVATE, &st, "reactivating the key", err, err_len);
        if (rc != PANEL_OK)
            return rc;
        sqlite3_bind_int64(st, 1, existing);
        if (id)
            *id = existing;
        return step_done(s, s->db, st, "reactivating the key", err, err_len);
    }
    rc = cached(s, s->db, SQL_INSERT_CURRENT, &st, "saving the new key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = step_done(s, s->db, st, "saving the new key", err, err_len);
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int32_t sq_find_digest(store_t *store, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                              char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_FIND_DIGEST_ROW, &st, "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->found = 1;
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->role, sizeof out->role, "%s", (const char *)sqlite3_column_text(st, 1));
        out->created_at = sqlite3_column_int64(st, 2);
        out->revoked_at = sqlite3_column_int64(st, 3);
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? PANEL_OK
                                                   : store_fail(s, s->db, step, "looking the key up", err, err_len);
    release(st);
    return rc;
}

static int32_t sq_revoke(store_t *store, int64_t id, int64_t now, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_REVOKE, &st, "revoking the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return step_done(s, s->db, st, "revoking the key", err, err_len);
}

static int32_t sq_make_grace(store_t *store, int64_t id, int64_t expires_at, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_MAKE_GRACE, &st, "keeping the previous key for the grace period", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, expires_at);
    return step_done(s, s->db, st, "keeping the previous key for the grace period", err, err_len);
}

static int32_t sq_audit(store_t *store, int64_t now, const char *actor, const char *origin, const char *action,
                    const char *outcome, const char *key_hint, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_AUDIT, &st, "writing the audit row", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, outcome, -1, SQLITE_STATIC);
    if (key_hint && key_hint[0])
        sqlite3_bind_text(st, 6, key_hint, -1, SQLITE_STATIC);
    return step_done(s, s->db, st, "writing the audit row", err, err_len);
}

static const char *text_or_empty(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

static int32_t sq_read_audit(store_t *store, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                         size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_READ_AUDIT, &st, "reading the audit trail", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_audit_row_t row = {sqlite3_column_int64(st, 0), text_or_empty(st, 1), text_or_empty(st, 2),
                                 text_or_empty(st, 3),       text_or_empty(st, 4), text_or_empty(st, 5)};
        rc = fn(ctx, &row);
        if (rc != PANEL_OK) {
            release(st);
            snprintf(err, err_len, "the host stopped reading the audit trail");
            return rc;
        }
    }
    rc = step == SQLITE_DONE ? PANEL_OK : store_fail(s, s->db, step, "reading the audit trail", err, err_len);
    release(st);
    return rc;
}

static int32_t sq_flush_usage(store_t *store, const store_usage_t *usage, size_t n_usage, int64_t now,
                          const uint64_t denials[DENIAL_REASONS], const int64_t denial_last[DENIAL_REASONS],
                          char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    int32_t rc = begin_tx(s, 0, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if (n_usage) {
        rc = cached(s, s->db, SQL_ADD_USAGE, &st, "saving usage counts", err, err_len);
        for (size_t i = 0; rc == PANEL_OK && i < n_usage; i++) {
            sqlite3_bind_int64(st, 1, usage[i].key_id);
            sqlite3_bind_int64(st, 2, (int64_t)usage[i].count);
            sqlite3_bind_int64(st, 3, now);
            int step = sqlite3_step(st);
            if (step != SQLITE_DONE)
                rc = store_fail(s, s->db, step, "saving usage counts", err, err_len);
            sqlite3_reset(st);
        }
        release(st);
    }
    if (rc == PANEL_OK) {
        rc = cached(s, s->db, SQL_ADD_DENIALS, &st, "saving denial counts", err, err_len);
        for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++) {
            if (!denials[r])
                continue;
            sqlite3_bind_text(st, 1, denial_names[r], -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (int64_t)denials[r]);
            sqlite3_bind_int64(st, 3, denial_last[r]);
            int step = sqlite3_step(st);
            if (step != SQLITE_DONE)
                rc = store_fail(s, s->db, step, "saving denial counts", err, err_len);
            sqlite3_reset(st);
        }
        release(st);
    }
    if (rc == PANEL_OK)
        return commit_tx(s, err, err_len);
    rollback_tx(s);
    return rc;
}

static int32_t sq_get_denials(store_t *store, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                          size_t err_len)
{
    sqlite_store_t *s = store->impl;
    for (int r = 0; r < DENIAL_REASONS; r++)
        counts[r] = last_at[r] = 0;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_GET_DENIALS, &st, "reading denial counts", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *reason = text_or_empty(st, 0);
        for (int r = 0; r < DENIAL_REASONS; r++)
            if (strcmp(reason, denial_names[r]) == 0) {
                counts[r] = sqlite3_column_int64(st, 1);
                last_at[r] = sqlite3_column_int64(st, 2);
            }
    }
    rc = step == SQLITE_DONE ? PANEL_OK : store_fail(s, s->db, step, "reading denial counts", err, err_len);
    release(st);
    return rc;
}

/* Ends the read transaction on rdb, if one is open. Its outcome does not matter: nothing was written. */
static void end_read(sqlite_store_t *s)
{
    if (sqlite3_get_autocommit(s->rdb))
        return;
    sqlite3_stmt **commit = &s->stmts[STORE_CONN_READ][SQL_COMMIT];
    if (!*commit && sqlite3_prepare_v3(s->rdb, sql_text[SQL_COMMIT], -1, SQLITE_PREPARE_PERSISTENT, commit, NULL) !=
                        SQLITE_OK) {
        *commit = NULL;
        sqlite3_exec(s->rdb, "COMMIT", NULL, NULL, NULL);
        return;
    }
    sqlite3_step(*commit);
    release(*commit);
}

/* Copies a text column into a bounded buffer (truncated, always terminated). */
static void copy_text(sqlite3_stmt *st, int col, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s", text_or_empty(st, col));
}

/* The columns 0..6 of SQL_NAMED_LIST and SQL_LOAD_NAMED: the named key's own settings. */
static void named_settings(sqlite3_stmt *st, store_named_t *k)
{
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(st, 0);
    copy_text(st, 1, k->label, sizeof k->label);
    copy_text(st, 2, k->scopes, sizeof k->scopes);
    copy_text(st, 3, k->allowed_ips, sizeof k->allowed_ips);
    k->rate_limit = sqlite3_column_int64(st, 4);
    k->created_at = sqlite3_column_int64(st, 5);
    k->expires_at = sqlite3_column_int64(st, 6);
}

/* The live named keys' settings, inside the snapshot's read transaction. */
static int32_t read_named_policies(sqlite_store_t *s, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->rdb, SQL_LOAD_NAMED, &st, "reading the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *k = malloc(sizeof *k);
    if (!k) {
        release(st);
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    int step = SQLITE_DONE;
    while (rc == PANEL_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        named_settings(st, k);
        rc = sink->named(sink->ctx, k);
    }
    if (rc == PANEL_OK && step != SQLITE_DONE)
        rc = store_fail(s, s->rdb, step, "reading the named keys", err, err_len);
    free(k);
    release(st);
    return rc;
}

/* The valid keys and the API switch, in one read transaction on rdb. */
static int32_t sq_read_snapshot(store_t *store, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    refresh_statements(s, s->rdb);
    int32_t rc = run(s, s->rdb, SQL_BEGIN, "reading the valid keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int enabled = 0;
    rc = read_enabled(s, s->rdb, &enabled, err, err_len);
    if (rc == PANEL_OK && sink->site_policy) {
        store_site_policy_t *policy = malloc(sizeof *policy);
        if (!policy) {
            snprintf(err, err_len, "out of memory while reading the key policy");
            rc = PANEL_E_NOMEM;
        } else {
            rc = read_policy(s, s->rdb, policy, err, err_len);
            if (rc == PANEL_OK)
                rc = sink->site_policy(sink->ctx, policy->allowed_ips, policy->rate_limit);
            free(policy);
        }
    }
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (rc == PANEL_OK) {
        rc = cached(s, s->rdb, SQL_COUNT_VALID, &st, "reading the valid keys", err, err_len);
        if (rc == PANEL_OK) {
            int step = sqlite3_step(st);
            if (step == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            else
                rc = store_fail(s, s->rdb, step, "reading the valid keys", err, err_len);
            release(st);
        }
    }
    if (rc == PANEL_OK)
        rc = sink->start(sink->ctx, n, enabled);
    if (rc == PANEL_OK && sink->named)
        rc = read_named_policies(s, sink, err, err_len);
    if (rc == PANEL_OK)
        rc = cached(s, s->rdb, SQL_LOAD_VALID, &st, "reading the valid keys", err, err_len);
    if (rc == PANEL_OK) {
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_bytes(st, 1) != (int)KEY_DIGEST_LEN)
                continue; /* not a digest we made: can never match */
            rc = sink->key(sink->ctx, sqlite3_column_blob(st, 1), sqlite3_column_int64(st, 0),
                           sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
            if (rc != PANEL_OK)
                break;
        }
        if (rc == PANEL_OK && step != SQLITE_DONE)
            rc = store_fail(s, s->rdb, step, "reading the valid keys", err, err_len);
        release(st);
    }
    end_read(s);
    return rc;
}

/* ----- named keys ----------------------------------------------------------------------------------------- */

static int32_t sq_named_count(store_t *store, int64_t *count, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    *count = 0;
    int32_t rc = cached(s, s->db, SQL_NAMED_COUNT, &st, "counting the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        rc = store_fail(s, s->db, step, "counting the named keys", err, err_len);
    release(st);
    return rc;
}

/* The key row of a named key: its current key. */
static int32_t insert_named_key_row(sqlite_store_t *s, int64_t named, const uint8_t digest[KEY_DIGEST_LEN],
                                    const char *hint, int64_t now, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_NAMED_INSERT_KEY, &st, "saving the new key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, named);
    return step_done(s, s->db, st, "saving the new key", err, err_len);
}

static int32_t sq_named_create(store_t *store, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN],
                               const char *hint, int64_t *id, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_NAMED_INSERT, &st, "saving the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, key->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key->scopes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key->allowed_ips, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, key->rate_limit);
    sqlite3_bind_int64(st, 5, key->created_at);
    sqlite3_bind_int64(st, 6, key->expires_at);
    rc = step_done(s, s->db, st, "saving the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    return insert_named_key_row(s, *id, digest, hint, key->created_at, err, err_len);
}

/* Reads live named keys (only_id 0: all) with their listing fields into fn. */
static int32_t list_named(sqlite_store_t *s, int64_t only_id, uint64_t offset, uint32_t limit, store_named_fn fn,
                          void *ctx, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_NAMED_LIST, &st, "reading the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *k = malloc(sizeof *k);
    if (!k) {
        release(st);
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    sqlite3_bind_int64(st, 1, only_id);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    int step = SQLITE_DONE;
    while (rc == PANEL_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        named_settings(st, k);
        copy_text(st, 7, k->hint, sizeof k->hint);
        k->last_used_at = sqlite3_column_int64(st, 8);
        k->use_count = sqlite3_column_int64(st, 9);
        k->has_grace = sqlite3_column_int(st, 10);
        k->grace_expires_at = sqlite3_column_int64(st, 11);
        copy_text(st, 12, k->grace_hint, sizeof k->grace_hint);
        rc = fn(ctx, k);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the named keys");
    }
    if (rc == PANEL_OK && step != SQLITE_DONE)
        rc = store_fail(s, s->db, step, "reading the named keys", err, err_len);
    free(k);
    release(st);
    return rc;
}

static int32_t sq_read_named(store_t *store, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx,
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

static int32_t sq_named_get(store_t *store, int64_t id, store_named_t *out, int *found, char *err, size_t err_len)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return PANEL_OK;
    named_found_t f = {out, found};
    return list_named(store->impl, id, 0, 1, keep_named, &f, err, err_len);
}

static int32_t sq_named_update(store_t *store, const store_named_t *key, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_NAMED_UPDATE, &st, "saving the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, key->id);
    sqlite3_bind_text(st, 2, key->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key->scopes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, key->allowed_ips, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, key->rate_limit);
    return step_done(s, s->db, st, "saving the named key", err, err_len);
}

/* Retires the named key's row of `role` ("current" or "grace"), if it has one. */
static int32_t retire_named_role(sqlite_store_t *s, int64_t id, const char *role, int64_t now, char *err,
                                 size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_NAMED_RETIRE_ROLE, &st, "revoking the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
    return step_done(s, s->db, st, "revoking the key", err, err_len);
}

static int32_t sq_named_revoke(store_t *store, int64_t id, int64_t now, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    sqlite3_stmt *st;
    int32_t rc = cached(s, s->db, SQL_NAMED_REVOKE, &st, "revoking the named key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    rc = step_done(s, s->db, st, "revoking the named key", err, err_len);
    if (rc == PANEL_OK)
        rc = retire_named_role(s, id, "grace", now, err, err_len);
    if (rc == PANEL_OK)
        rc = retire_named_role(s, id, "current", now, err, err_len);
    return rc;
}

static int32_t sq_named_reset(store_t *store, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], const char *hint,
                              int64_t now, int64_t grace_expires_at, char *err, size_t err_len)
{
    sqlite_store_t *s = store->impl;
    int32_t rc = retire_named_role(s, id, "grace", now, err, err_len);
    if (rc == PANEL_OK && grace_expires_at > 0) {
        sqlite3_stmt *st;
        rc = cached(s, s->db, SQL_NAMED_TO_GRACE, &st, "keeping the previous key for the grace period", err,
                    err_len);
        if (rc == PANEL_OK) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, grace_expires_at);
            rc = step_done(s, s->db, st, "keeping the previous key for the grace period", err, err_len);
        }
    } else if (rc == PANEL_OK) {
        rc = retire_named_role(s, id, "current", now, err, err_len);
    }
    if (rc == PANEL_OK)
        rc = insert_named_key_row(s, id, digest, hint, now, err, err_len);
    return rc;
}

static int sq_settle(store_t *store, uint64_t seen, uint64_t *now)
{
    sqlite_store_t *s = store->impl;
    return freshness_probe(&s->fresh, seen, now) == FRESHNESS_REPAIRED ? STORE_SIGNAL_SETTLED
                                                                         : STORE_SIGNAL_WRITER_ACTIVE;
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
    .get_denials = sq_get_denials,
    .read_snapshot = sq_read_snapshot,
    .settle = sq_settle,
    .drop_read_cache = sq_drop_read_cache,
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
};
