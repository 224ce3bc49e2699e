/* store.c - SQLite persistence of keys, settings, audit rows and usage counters (see store.h). */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "panel/plugin.h"

const char *const store_denial_names[DENIAL_REASONS] = {"missing", "malformed", "unknown",
                                                        "expired", "disabled",  "store_unavailable"};

static const char schema_v1[] =
    "CREATE TABLE keys(id INTEGER PRIMARY KEY, name TEXT NOT NULL, digest BLOB NOT NULL UNIQUE,"
    " hint TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER, expires_at INTEGER,"
    " last_used_at INTEGER, use_count INTEGER NOT NULL DEFAULT 0, role TEXT"
    " CHECK (role IN ('current','grace','extra')));"
    "CREATE UNIQUE INDEX keys_one_current ON keys(role) WHERE role = 'current';"
    "CREATE UNIQUE INDEX keys_one_grace ON keys(role) WHERE role = 'grace';"
    "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO settings(name, value) VALUES ('api_enabled', '0');"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
    " origin TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, key_hint TEXT, detail TEXT);"
    "CREATE TABLE denials(reason TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER);";

/* Writes an actionable message for an SQLite failure while `doing` something. Returns PANEL_E_STORE. */
static int32_t store_fail(store_t *s, sqlite3 *db, int rc, const char *doing, char *err, size_t err_len)
{
    int primary = rc & 0xFF;
    s->last_error = primary;
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

static int32_t exec(store_t *s, sqlite3 *db, const char *sql, const char *doing, char *err, size_t err_len)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? PANEL_OK : store_fail(s, db, rc, doing, err, err_len);
}

static int32_t prepare(store_t *s, sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *doing, char *err,
                       size_t err_len)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? PANEL_OK : store_fail(s, db, rc, doing, err, err_len);
}

/* Steps a statement that returns no rows and finalizes it. */
static int32_t step_done(store_t *s, sqlite3_stmt *st, const char *doing, char *err, size_t err_len)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return PANEL_OK;
    return store_fail(s, s->db, rc, doing, err, err_len);
}

static int32_t configure(store_t *s, sqlite3 *db, char *err, size_t err_len)
{
    sqlite3_busy_timeout(db, 2000);
    sqlite3_extended_result_codes(db, 1);
    int32_t rc = exec(s, db, "PRAGMA journal_mode=WAL", "switching to WAL mode", err, err_len);
    if (rc == PANEL_OK)
        rc = exec(s, db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "configuring", err, err_len);
    return rc;
}

static int32_t migrate(store_t *s, char *err, size_t err_len)
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
    /* Later migrations: if (rc == PANEL_OK && version < 2) rc = exec(s, s->db, schema_v2, ...); */
    if (rc == PANEL_OK && version < STORE_SCHEMA_VERSION)
        rc = exec(s, s->db, "PRAGMA user_version = 1", "recording the schema version", err, err_len);
    if (rc == PANEL_OK)
        rc = exec(s, s->db, "COMMIT", "committing the schema migration", err, err_len);
    if (rc != PANEL_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int32_t store_open(store_t *s, const char *data_dir, const char *file_name, char *err, size_t err_len)
{
    memset(s, 0, sizeof *s);
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
    close(fd);
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
    if (prc != PANEL_OK)
        store_close(s);
    return prc;
}

int store_last_failure_is_damage(const store_t *s)
{
    return s->last_error == SQLITE_CORRUPT || s->last_error == SQLITE_NOTADB || s->last_error == SQLITE_IOERR ||
           s->last_error == SQLITE_CANTOPEN;
}

void store_drop_read_cache(store_t *s)
{
    if (s->rdb)
        sqlite3_db_release_memory(s->rdb);
}

void store_close(store_t *s)
{
    if (s->rdb)
        sqlite3_close(s->rdb);
    if (s->db)
        sqlite3_close(s->db);
    s->db = s->rdb = NULL;
}

int32_t store_key_rows(store_t *s, int64_t *count, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db, "SELECT count(*) FROM keys", &st, "counting keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    *count = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? PANEL_OK : store_fail(s, s->db, step, "counting keys", err, err_len);
}

int32_t store_begin(store_t *s, char *err, size_t err_len)
{
    return exec(s, s->db, "BEGIN IMMEDIATE", "starting a transaction", err, err_len);
}

int32_t store_commit(store_t *s, char *err, size_t err_len)
{
    int32_t rc = exec(s, s->db, "COMMIT", "committing", err, err_len);
    if (rc != PANEL_OK)
        store_rollback(s);
    return rc;
}

void store_rollback(store_t *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int32_t read_enabled(store_t *s, sqlite3 *db, int *enabled, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, db, "SELECT value FROM settings WHERE name = 'api_enabled'", &st,
                         "reading the API switch", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step = sqlite3_step(st);
    *enabled = step == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "1") == 0;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_fail(s, db, step, "reading the API switch", err, err_len);
    return PANEL_OK;
}

int32_t store_get_enabled(store_t *s, int *enabled, char *err, size_t err_len)
{
    return read_enabled(s, s->db, enabled, err, err_len);
}

int32_t store_set_enabled(store_t *s, int enabled, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db,
                         "INSERT INTO settings(name, value) VALUES ('api_enabled', ?1)"
                         " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                         &st, "saving the API switch", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_text(st, 1, enabled ? "1" : "0", -1, SQLITE_STATIC);
    return step_done(s, st, "saving the API switch", err, err_len);
}

int32_t store_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    *found = 0;
    int32_t rc = prepare(s, s->db,
                         "SELECT id, hint, created_at, COALESCE(expires_at, 0), COALESCE(last_used_at, 0),"
                         " use_count FROM keys WHERE role = ?1",
                         &st, "reading the key", err, err_len);
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
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_fail(s, s->db, step, "reading the key", err, err_len);
    return PANEL_OK;
}

int32_t store_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], const char *hint, int64_t now,
                          int64_t *id, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db, "SELECT id FROM keys WHERE digest = ?1", &st, "looking the key up", err,
                         err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int64_t existing = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_fail(s, s->db, step, "looking the key up", err, err_len);
    if (existing) {
        rc = prepare(s, s->db,
                     "UPDATE keys SET role = 'current', revoked_at = NULL, expires_at = NULL WHERE id = ?1", &st,
                     "reactivating the key", err, err_len);
        if (rc != PANEL_OK)
            return rc;
        sqlite3_bind_int64(st, 1, existing);
        *id = existing;
        return step_done(s, st, "reactivating the key", err, err_len);
    }
    rc = prepare(s, s->db,
                 "INSERT INTO keys(name, digest, hint, created_at, role) VALUES ('site', ?1, ?2, ?3, 'current')",
                 &st, "saving the new key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_blob(st, 1, digest, KEY_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hint, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = step_done(s, st, "saving the new key", err, err_len);
    *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int32_t store_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db, "UPDATE keys SET role = NULL, revoked_at = ?2 WHERE id = ?1", &st,
                         "revoking the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return step_done(s, st, "revoking the key", err, err_len);
}

int32_t store_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db, "UPDATE keys SET role = 'grace', expires_at = ?2 WHERE id = ?1", &st,
                         "keeping the previous key for the grace period", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, expires_at);
    return step_done(s, st, "keeping the previous key for the grace period", err, err_len);
}

int32_t store_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                    const char *outcome, const char *key_hint, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db,
                         "INSERT INTO audit(at, actor, origin, action, outcome, key_hint)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &st, "writing the audit row", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, outcome, -1, SQLITE_STATIC);
    if (key_hint && key_hint[0])
        sqlite3_bind_text(st, 6, key_hint, -1, SQLITE_STATIC);
    return step_done(s, st, "writing the audit row", err, err_len);
}

static const char *text_or_empty(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

int32_t store_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                         size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db,
                         "SELECT at, actor, origin, action, outcome, key_hint FROM audit ORDER BY id DESC"
                         " LIMIT ?1 OFFSET ?2",
                         &st, "reading the audit trail", err, err_len);
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
            sqlite3_finalize(st);
            snprintf(err, err_len, "the host stopped reading the audit trail");
            return rc;
        }
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return store_fail(s, s->db, step, "reading the audit trail", err, err_len);
    return PANEL_OK;
}

int32_t store_flush_usage(store_t *s, const store_usage_t *usage, size_t n_usage, int64_t now,
                          const uint64_t denials[DENIAL_REASONS], const int64_t denial_last[DENIAL_REASONS],
                          char *err, size_t err_len)
{
    int32_t rc = store_begin(s, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if (n_usage) {
        rc = prepare(s, s->db,
                     "UPDATE keys SET use_count = use_count + ?2,"
                     " last_used_at = MAX(COALESCE(last_used_at, 0), ?3) WHERE id = ?1",
                     &st, "saving usage counts", err, err_len);
        for (size_t i = 0; rc == PANEL_OK && i < n_usage; i++) {
            sqlite3_bind_int64(st, 1, usage[i].key_id);
            sqlite3_bind_int64(st, 2, (int64_t)usage[i].count);
            sqlite3_bind_int64(st, 3, now);
            int step = sqlite3_step(st);
            if (step != SQLITE_DONE)
                rc = store_fail(s, s->db, step, "saving usage counts", err, err_len);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    if (rc == PANEL_OK) {
        rc = prepare(s, s->db,
                     "INSERT INTO denials(reason, count, last_at) VALUES (?1, ?2, ?3) ON CONFLICT(reason) DO UPDATE"
                     " SET count = count + excluded.count, last_at = MAX(COALESCE(last_at, 0), excluded.last_at)",
                     &st, "saving denial counts", err, err_len);
        for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++) {
            if (!denials[r])
                continue;
            sqlite3_bind_text(st, 1, store_denial_names[r], -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (int64_t)denials[r]);
            sqlite3_bind_int64(st, 3, denial_last[r]);
            int step = sqlite3_step(st);
            if (step != SQLITE_DONE)
                rc = store_fail(s, s->db, step, "saving denial counts", err, err_len);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
    }
    if (rc == PANEL_OK)
        return store_commit(s, err, err_len);
    store_rollback(s);
    return rc;
}

int32_t store_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                          size_t err_len)
{
    for (int r = 0; r < DENIAL_REASONS; r++)
        counts[r] = last_at[r] = 0;
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db, "SELECT reason, count, COALESCE(last_at, 0) FROM denials", &st,
                         "reading denial counts", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *reason = text_or_empty(st, 0);
        for (int r = 0; r < DENIAL_REASONS; r++)
            if (strcmp(reason, store_denial_names[r]) == 0) {
                counts[r] = sqlite3_column_int64(st, 1);
                last_at[r] = sqlite3_column_int64(st, 2);
            }
    }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? PANEL_OK : store_fail(s, s->db, step, "reading denial counts", err, err_len);
}

int32_t store_load_keyring(store_t *s, uint64_t epoch, keyring_t **out, char *err, size_t err_len)
{
    *out = NULL;
    int32_t rc = exec(s, s->rdb, "BEGIN", "reading the valid keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int enabled = 0;
    rc = read_enabled(s, s->rdb, &enabled, err, err_len);
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    if (rc == PANEL_OK) {
        rc = prepare(s, s->rdb, "SELECT count(*) FROM keys WHERE role IS NOT NULL", &st, "reading the valid keys",
                     err, err_len);
        if (rc == PANEL_OK) {
            int step = sqlite3_step(st);
            if (step == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            else
                rc = store_fail(s, s->rdb, step, "reading the valid keys", err, err_len);
            sqlite3_finalize(st);
        }
    }
    keyring_t *ring = NULL;
    if (rc == PANEL_OK) {
        ring = keyring_new((size_t)n);
        if (!ring) {
            snprintf(err, err_len, "out of memory while loading %lld keys", (long long)n);
            rc = PANEL_E_NOMEM;
        }
    }
    if (rc == PANEL_OK)
        rc = prepare(s, s->rdb, "SELECT id, digest, COALESCE(expires_at, 0) FROM keys WHERE role IS NOT NULL", &st,
                     "reading the valid keys", err, err_len);
    if (rc == PANEL_OK) {
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_bytes(st, 1) != (int)KEY_DIGEST_LEN)
                continue; /* not a digest we made: can never match */
            if (keyring_add(ring, sqlite3_column_blob(st, 1), sqlite3_column_int64(st, 0),
                            sqlite3_column_int64(st, 2)) != 0) {
                snprintf(err, err_len, "out of memory while loading keys");
                rc = PANEL_E_NOMEM;
                break;
            }
        }
        if (rc == PANEL_OK && step != SQLITE_DONE)
            rc = store_fail(s, s->rdb, step, "reading the valid keys", err, err_len);
        sqlite3_finalize(st);
    }
    sqlite3_exec(s->rdb, "COMMIT", NULL, NULL, NULL);
    if (rc == PANEL_OK && keyring_seal(ring) != 0) {
        snprintf(err, err_len, "out of memory while indexing keys");
        rc = PANEL_E_NOMEM;
    }
    if (rc != PANEL_OK) {
        keyring_free(ring);
        return rc;
    }
    ring->api_enabled = enabled;
    ring->epoch = epoch;
    ring->status = KEYRING_OK;
    *out = ring;
    return PANEL_OK;
}

int32_t store_insert_extra(store_t *s, const uint8_t *digests, size_t n, const char *hint, int64_t now, char *err,
                           size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = prepare(s, s->db,
                         "INSERT INTO keys(name, digest, hint, created_at, role) VALUES ('extra', ?1, ?2, ?3, 'extra')",
                         &st, "saving keys", err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < n; i++) {
        sqlite3_bind_blob(st, 1, digests + i * KEY_DIGEST_LEN, KEY_DIGEST_LEN, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hint, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        int step = sqlite3_step(st);
        if (step != SQLITE_DONE)
            rc = store_fail(s, s->db, step, "saving keys", err, err_len);
        sqlite3_reset(st);
    }
    if (st)
        sqlite3_finalize(st);
    return rc;
}
