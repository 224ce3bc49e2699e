/* store_sqlite_sql.c - the SQLite backend's statements (see store_sqlite_internal.h): the text of every statement
 * kept prepared, preparing each once per connection on first use (SQLITE_PREPARE_PERSISTENT) and releasing it
 * after each use (reset, bindings cleared, so none holds a read transaction or a pointer to the caller's memory),
 * dropping a connection's statements after a failure that means damage (re-prepared from the file at the next
 * transaction boundary), and every SQLite failure as a message a person can act on. */
#include <stdio.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_sqlite_internal.h"

_Static_assert(SQL_COUNT_ <= STORE_STATEMENTS, "store_t has room for every cached statement");

const char *const sq_sql_text[SQL_COUNT_] = {
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
    [SQL_REACTIVATE] = "UPDATE keys SET role = 'current', revoked_at = NULL, expires_at = NULL, locator = ?2"
                       " WHERE id = ?1",
    [SQL_INSERT_CURRENT] =
        "INSERT INTO keys(name, digest, hint, created_at, role, locator) VALUES ('site', ?1, ?2, ?3, 'current', ?4)",
    [SQL_REVOKE] = "UPDATE keys SET role = NULL, revoked_at = ?2 WHERE id = ?1",
    [SQL_MAKE_GRACE] = "UPDATE keys SET role = 'grace', expires_at = ?2 WHERE id = ?1",
    [SQL_AUDIT] = "INSERT INTO audit(at, actor, origin, action, outcome, key_hint) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQL_READ_AUDIT] = "SELECT at, actor, origin, action, outcome, key_hint FROM audit ORDER BY id DESC"
                       " LIMIT ?1 OFFSET ?2",
    /* ?3: the last allowed request's time; its caller (?4, ?5) replaces the kept one only when it is newer. */
    [SQL_ADD_USAGE] = "UPDATE keys SET use_count = use_count + ?2,"
                      " last_addr = CASE WHEN ?3 >= COALESCE(last_used_at, 0) AND ?4 <> '' THEN ?4 ELSE last_addr END,"
                      " last_agent = CASE WHEN ?3 >= COALESCE(last_used_at, 0) AND ?4 <> '' THEN ?5 ELSE last_agent END,"
                      " last_used_at = MAX(COALESCE(last_used_at, 0), ?3) WHERE id = ?1",
    [SQL_ADD_DENIALS] =
        "INSERT INTO denials(reason, count, last_at) VALUES (?1, ?2, ?3) ON CONFLICT(reason) DO UPDATE"
        " SET count = count + excluded.count, last_at = MAX(COALESCE(last_at, 0), excluded.last_at)",
    [SQL_ADD_HOURLY] = "INSERT INTO usage_hourly(hour, key, code, count) VALUES (?1, ?2, ?3, ?4)"
                       " ON CONFLICT(hour, key, code) DO UPDATE SET count = count + excluded.count",
    [SQL_ADD_RECENT] = "INSERT INTO usage_recent(key_id, minute, count) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT(key_id, minute) DO UPDATE SET count = count + excluded.count",
    [SQL_PRUNE_HOURLY] = "DELETE FROM usage_hourly WHERE hour < ?1",
    [SQL_PRUNE_RECENT] = "DELETE FROM usage_recent WHERE minute < ?1",
    [SQL_READ_USAGE] = "SELECT hour, key, code, count FROM usage_hourly WHERE hour >= ?1"
                       " ORDER BY hour DESC, key, code",
    [SQL_READ_CALLER] = "SELECT COALESCE(last_used_at, 0), COALESCE(last_addr, ''), COALESCE(last_agent, ''),"
                        " (SELECT COALESCE(SUM(count), 0) FROM usage_recent WHERE key_id = ?1 AND minute >= ?2)"
                        " FROM keys WHERE id = ?1",
    [SQL_READ_NAMED_CALLER] = "SELECT COALESCE(k.last_used_at, 0), COALESCE(k.last_addr, ''), COALESCE(k.last_agent, ''),"
                              " (SELECT COALESCE(SUM(count), 0) FROM usage_recent WHERE key_id = k.id AND minute >= ?3)"
                              " FROM keys k JOIN named_keys n ON n.id = k.named_key"
                              " WHERE k.named_key = ?1 AND k.named_role = ?2 AND n.revoked_at IS NULL",
    [SQL_GET_DENIALS] = "SELECT reason, count, COALESCE(last_at, 0) FROM denials",
    [SQL_COUNT_VALID] = "SELECT (SELECT count(*) FROM keys WHERE role IS NOT NULL) +"
                        " (SELECT count(*) FROM keys WHERE named_role IS NOT NULL)",
    /* Through the role index: without statistics the planner would scan every revoked row. */
    /* Column 4: a grace row's reset time, when its owner's current row was created (else 0); 5: the locator. */
    [SQL_LOAD_VALID] = "SELECT id, digest, COALESCE(expires_at, 0), 0, CASE WHEN role = 'grace' THEN COALESCE("
                       "(SELECT created_at FROM keys WHERE role = 'current'), 0) ELSE 0 END, COALESCE(locator, 0)"
                       " FROM keys INDEXED BY keys_role WHERE role IS NOT NULL"
                       " UNION ALL SELECT k.id, k.digest, COALESCE(k.expires_at, 0), k.named_key,"
                       " CASE WHEN k.named_role = 'grace' THEN COALESCE((SELECT c.created_at FROM keys c"
                       " WHERE c.named_key = k.named_key AND c.named_role = 'current'), 0) ELSE 0 END,"
                       " COALESCE(k.locator, 0) FROM keys k INDEXED BY keys_named"
                       " WHERE k.named_key IS NOT NULL AND k.named_role IS NOT NULL",
    /* A named key's row answers role "named": it is not the site key's to reactivate or to report replaced. */
    [SQL_FIND_DIGEST_ROW] = "SELECT id, CASE WHEN named_key IS NULL THEN COALESCE(role, '') ELSE 'named' END,"
                            " created_at, COALESCE(revoked_at, 0) FROM keys WHERE digest = ?1",
    [SQL_GET_POLICY] = "SELECT name, value FROM settings WHERE name IN ('allowed_ips', 'rate_limit')",
    [SQL_PUT_SETTING] = "INSERT INTO settings(name, value) VALUES (?1, ?2)"
                        " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    [SQL_NAMED_COUNT] = "SELECT count(*) FROM named_keys WHERE revoked_at IS NULL",
    [SQL_NAMED_INSERT] = "INSERT INTO named_keys(label, scopes, allowed_ips, rate_limit, created_at, expires_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, 0))",
    [SQL_NAMED_INSERT_KEY] = "INSERT INTO keys(name, digest, hint, created_at, named_role, named_key, locator)"
                             " VALUES ('named', ?1, ?2, ?3, 'current', ?4, ?5)",
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

/* Writes an actionable message for an SQLite failure while `doing` something. Returns PANEL_E_STORE. */
int32_t sq_store_fail(sqlite_store_t *s, sqlite3 *db, int rc, const char *doing, char *err, size_t err_len)
{
    int primary = rc & 0xFF;
    s->last_error = primary;
    if (sq_is_damage(s))
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

int32_t sq_exec(sqlite_store_t *s, sqlite3 *db, const char *sql, const char *doing, char *err, size_t err_len)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? PANEL_OK : sq_store_fail(s, db, rc, doing, err, err_len);
}

/* A one-off statement (migrations): prepared here, finalized by the caller. */
int32_t sq_prepare(sqlite_store_t *s, sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *doing, char *err,
                   size_t err_len)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? PANEL_OK : sq_store_fail(s, db, rc, doing, err, err_len);
}

static int conn_of(const sqlite_store_t *s, sqlite3 *db)
{
    return db == s->rdb ? STORE_CONN_READ : STORE_CONN_WRITE;
}

/* Finalizes the cached statements of one connection (none may be in use; a busy one is kept and the
 * connection stays marked stale). */
void sq_forget_statements(sqlite_store_t *s, int conn)
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
void sq_refresh_statements(sqlite_store_t *s, sqlite3 *db)
{
    int conn = conn_of(s, db);
    if (s->stale[conn])
        sq_forget_statements(s, conn);
}

/* The cached statement `id` on connection db, prepared on first use. Give it back with release(). */
int32_t sq_cached(sqlite_store_t *s, sqlite3 *db, int id, sqlite3_stmt **st, const char *doing, char *err,
                  size_t err_len)
{
    sqlite3_stmt **slot = &s->stmts[conn_of(s, db)][id];
    if (!*slot) {
        int rc = sqlite3_prepare_v3(db, sq_sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK) {
            *slot = NULL;
            *st = NULL;
            return sq_store_fail(s, db, rc, doing, err, err_len);
        }
    }
    *st = *slot;
    return PANEL_OK;
}

/* Ends a use of a cached statement: ends its read/write step and forgets the bound values. */
void sq_release(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Steps a cached statement on db that returns no rows, then releases it. */
int32_t sq_step_done(sqlite_store_t *s, sqlite3 *db, sqlite3_stmt *st, const char *doing, char *err, size_t err_len)
{
    int rc = sqlite3_step(st);
    int32_t result = rc == SQLITE_DONE || rc == SQLITE_ROW ? PANEL_OK : sq_store_fail(s, db, rc, doing, err, err_len);
    sq_release(st);
    return result;
}

/* Runs one of the cached statements that take no parameters and return no rows (BEGIN, COMMIT). */
int32_t sq_run(sqlite_store_t *s, sqlite3 *db, int id, const char *doing, char *err, size_t err_len)
{
    sqlite3_stmt *st;
    int32_t rc = sq_cached(s, db, id, &st, doing, err, err_len);
    return rc == PANEL_OK ? sq_step_done(s, db, st, doing, err, err_len) : rc;
}

int sq_is_damage(const sqlite_store_t *s)
{
    return s->last_error == SQLITE_CORRUPT || s->last_error == SQLITE_NOTADB || s->last_error == SQLITE_IOERR ||
           s->last_error == SQLITE_CANTOPEN;
}

const char *sq_text_or_empty(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

/* Copies a text column into a bounded buffer (always terminated). 0, or -1 when it did not fit and was cut: a
 * caller for whom a cut value means something else (an allow-list, scopes) must refuse it, never use it. */
int sq_copy_text(sqlite3_stmt *st, int col, char *out, size_t out_len)
{
    const char *text = sq_text_or_empty(st, col);
    snprintf(out, out_len, "%s", text);
    return (size_t)sqlite3_column_bytes(st, col) < out_len && strlen(text) < out_len ? 0 : -1;
}
