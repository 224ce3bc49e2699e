/* admin_auth_throttle.c - failed-login throttling per key in the shared database (see admin_auth_throttle.h):
 * one row (scope, key, failures, last_failure) per key. Recording a failure drops forgotten streaks, evicts
 * when the scope is full (unlocked before locked, least-failed first, oldest first) and upserts, in one write
 * transaction, so processes never lose each other's counts; a reservation checks and counts in one. */
#include "admin_auth_throttle.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_db.h"

#define THROTTLE_KEY_MAX 96
#define SHIFT_MAX 20 /* base_delay << 20 is far beyond any max_delay */

struct login_throttle {
    pthread_mutex_t lock;   /* one connection, one thread at a time */
    sqlite3 *db;
    char scope[16];
    login_throttle_limits_t limits;
};

login_throttle_t *login_throttle_open(const char *data_dir, const char *scope, const login_throttle_limits_t *limits,
                                      char *err, size_t err_len)
{
    login_throttle_t *t = calloc(1, sizeof *t);
    if (t == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    if (admin_db_open(data_dir, &t->db, err, err_len) != 0) {
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    snprintf(t->scope, sizeof t->scope, "%s", scope);
    t->limits = *limits;
    return t;
}

void login_throttle_free(login_throttle_t *t)
{
    if (t == NULL)
        return;
    sqlite3_close(t->db);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* The wait after `failures` failures, the last at `last`: none before free_failures, then base_delay doubling
 * per failure, capped at max_delay. */
static int64_t wait_after(const login_throttle_limits_t *l, int64_t failures, int64_t last, int64_t now)
{
    if (failures < (int64_t)l->free_failures)
        return 0;
    int64_t shift = failures - (int64_t)l->free_failures;
    int64_t delay = l->base_delay << (shift > SHIFT_MAX ? SHIFT_MAX : shift);
    if (delay > l->max_delay)
        delay = l->max_delay;
    return last + delay > now ? last + delay - now : 0;
}

static void report(const login_throttle_t *t, const char *what)
{
    fprintf(stderr, "sample-host: login throttle (%s): %s failed: %s\n", t->scope, what, sqlite3_errmsg(t->db));
}

static void bind_key(sqlite3_stmt *st, int index, const char *key)
{
    sqlite3_bind_text(st, index, key, (int)strnlen(key, THROTTLE_KEY_MAX - 1), SQLITE_TRANSIENT);
}

/* Reads the row of `key`: 1 (found, *failures and *last set), 0 (none), -1 (error). Caller holds t->lock. */
static int read_row(login_throttle_t *t, const char *key, int64_t *failures, int64_t *last)
{
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(t->db, "SELECT failures, last_failure FROM throttle WHERE scope = ?1 AND key = ?2", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t->scope, -1, SQLITE_STATIC);
        bind_key(st, 2, key);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *failures = sqlite3_column_int64(st, 0);
            *last = sqlite3_column_int64(st, 1);
            found = 1;
        } else if (rc == SQLITE_DONE) {
            found = 0;
        }
    }
    sqlite3_finalize(st);
    return found;
}

int64_t login_throttle_wait(login_throttle_t *t, const char *key, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    int64_t failures = 0, last = 0, wait = 0;
    int found = read_row(t, key, &failures, &last);
    if (found == 1)
        wait = wait_after(&t->limits, failures, last, now);
    if (found < 0) {
        report(t, "reading");
        wait = t->limits.base_delay; /* fail closed */
    }
    pthread_mutex_unlock(&t->lock);
    return wait;
}

/* Runs one statement with (scope, key, now, limits) bound by name; 0 or -1. */
static int run(login_throttle_t *t, const char *sql, const char *key, int64_t now)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(t->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int i;
    if ((i = sqlite3_bind_parameter_index(st, ":scope")) > 0)
        sqlite3_bind_text(st, i, t->scope, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":key")) > 0)
        bind_key(st, i, key);
    if ((i = sqlite3_bind_parameter_index(st, ":now")) > 0)
        sqlite3_bind_int64(st, i, now);
    if ((i = sqlite3_bind_parameter_index(st, ":free")) > 0)
        sqlite3_bind_int64(st, i, t->limits.free_failures);
    if ((i = sqlite3_bind_parameter_index(st, ":base")) > 0)
        sqlite3_bind_int64(st, i, t->limits.base_delay);
    if ((i = sqlite3_bind_parameter_index(st, ":max")) > 0)
        sqlite3_bind_int64(st, i, t->limits.max_delay);
    if ((i = sqlite3_bind_parameter_index(st, ":cap")) > 0)
        sqlite3_bind_int64(st, i, t->limits.max_entries);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* Counts one failure of `key` at `now` inside the caller's write transaction; 0 or -1. */
static int count_failure(login_throttle_t *t, const char *key, int64_t now)
{
    /* locked: failures >= free and last_failure + min(base << (failures - free), max) > now */
    static const char forget[] = "DELETE FROM throttle WHERE scope = :scope AND last_failure < :now - :max";
    /* Makes room for one new key (none when `key` has a row already), also when the scope is over-full: */
    static const char evict[] =
        "DELETE FROM throttle WHERE scope = :scope AND key IN (SELECT key FROM throttle WHERE scope = :scope"
        " AND key <> :key"
        " ORDER BY (failures >= :free AND last_failure + min(:base << min(failures - :free, 20), :max) > :now),"
        " failures, last_failure"
        " LIMIT max(0, (SELECT count(*) FROM throttle WHERE scope = :scope) - :cap"
        " + NOT EXISTS (SELECT 1 FROM throttle WHERE scope = :scope AND key = :key)))";
    static const char upsert[] =
        "INSERT INTO throttle(scope, key, failures, last_failure) VALUES(:scope, :key, 1, :now)"
        " ON CONFLICT(scope, key) DO UPDATE SET"
        " failures = CASE WHEN :now - last_failure > :max THEN 1 ELSE min(failures + 1, 1000000) END,"
        " last_failure = :now";
    return run(t, forget, key, now) == 0 && run(t, evict, key, now) == 0 && run(t, upsert, key, now) == 0 ? 0 : -1;
}

int64_t login_throttle_reserve(login_throttle_t *t, const char *key, int64_t now, login_throttle_ticket_t *ticket)
{
    char err[512];
    memset(ticket, 0, sizeof *ticket);
    ticket->at = now;
    int64_t wait = -1;
    pthread_mutex_lock(&t->lock);
    /* BEGIN IMMEDIATE takes the database's write lock: no other thread or process checks this key between
     * the read and the count. */
    if (admin_db_exec(t->db, "BEGIN IMMEDIATE", err, sizeof err) == 0) {
        int found = read_row(t, key, &ticket->failures, &ticket->last);
        if (found >= 0) {
            ticket->had_row = found;
            wait = found ? wait_after(&t->limits, ticket->failures, ticket->last, now) : 0;
            if (wait == 0 && count_failure(t, key, now) != 0)
                wait = -1;
        }
        if (wait >= 0 && admin_db_exec(t->db, "COMMIT", err, sizeof err) != 0)
            wait = -1;
        if (wait < 0)
            sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (wait < 0) {
        report(t, "reserving an attempt");
        wait = t->limits.base_delay; /* fail closed */
    }
    ticket->held = wait == 0;
    pthread_mutex_unlock(&t->lock);
    return wait;
}

void login_throttle_cancel(login_throttle_t *t, const char *key, const login_throttle_ticket_t *ticket)
{
    if (!ticket->held)
        return;
    /* the count the reservation left (the upsert's rule), to tell whether anything counted since */
    int64_t after = ticket->had_row && ticket->at - ticket->last <= t->limits.max_delay
                        ? (ticket->failures + 1 < 1000000 ? ticket->failures + 1 : 1000000)
                        : 1;
    char err[512];
    pthread_mutex_lock(&t->lock);
    int ok = admin_db_exec(t->db, "BEGIN IMMEDIATE", err, sizeof err) == 0;
    if (ok) {
        int64_t failures = 0, last = 0;
        int found = read_row(t, key, &failures, &last);
        sqlite3_stmt *st = NULL;
        const char *sql = NULL;
        if (found == 1 && failures == after && last == ticket->at)
            sql = ticket->had_row && after > 1 ? "UPDATE throttle SET failures = ?3, last_failure = ?4"
                                                 " WHERE scope = ?1 AND key = ?2"
                                               : "DELETE FROM throttle WHERE scope = ?1 AND key = ?2";
        else if (found == 1)
            sql = failures > 1 ? "UPDATE throttle SET failures = failures - 1 WHERE scope = ?1 AND key = ?2"
                               : "DELETE FROM throttle WHERE scope = ?1 AND key = ?2";
        ok = found >= 0;
        if (sql != NULL) {
            ok = sqlite3_prepare_v2(t->db, sql, -1, &st, NULL) == SQLITE_OK;
            if (ok) {
                sqlite3_bind_text(st, 1, t->scope, -1, SQLITE_STATIC);
                bind_key(st, 2, key);
                if (sqlite3_bind_parameter_count(st) >= 4) {
                    sqlite3_bind_int64(st, 3, ticket->failures);
                    sqlite3_bind_int64(st, 4, ticket->last);
                }
                ok = sqlite3_step(st) == SQLITE_DONE;
            }
            sqlite3_finalize(st);
        }
    }
    if (ok)
        ok = admin_db_exec(t->db, "COMMIT", err, sizeof err) == 0;
    if (!ok) {
        report(t, "taking back an attempt");
        sqlite3_exec(t->db, "ROLLBACK", NULL, NULL, NULL);
    }
    pthread_mutex_unlock(&t->lock);
}

void login_throttle_clear(login_throttle_t *t, const char *key)
{
    pthread_mutex_lock(&t->lock);
    if (run(t, "DELETE FROM throttle WHERE scope = :scope AND key = :key", key, 0) != 0)
        report(t, "clearing");
    pthread_mutex_unlock(&t->lock);
}
