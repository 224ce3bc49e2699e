/* admin_auth_throttle.c - failed-login throttling per key in the shared database (see admin_auth_throttle.h):
 * one row (scope, key, failures, last_failure) per key. Recording a failure drops forgotten streaks, evicts
 * when the scope is full (unlocked before locked, least-failed first, oldest first) and upserts, in one write
 * transaction, so processes never lose each other's counts. */
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

int64_t login_throttle_wait(login_throttle_t *t, const char *key, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    sqlite3_stmt *st = NULL;
    int64_t wait = -1;
    if (sqlite3_prepare_v2(t->db, "SELECT failures, last_failure FROM throttle WHERE scope = ?1 AND key = ?2", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t->scope, -1, SQLITE_STATIC);
        bind_key(st, 2, key);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            wait = wait_after(&t->limits, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), now);
        else if (rc == SQLITE_DONE)
            wait = 0;
    }
    if (wait < 0) {
        report(t, "reading");
        wait = t->limits.base_delay; /* fail closed */
    }
    sqlite3_finalize(st);
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

void login_throttle_failed(login_throttle_t *t, const char *key, int64_t now)
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
    char err[512];
    pthread_mutex_lock(&t->lock);
    int ok = admin_db_exec(t->db, "BEGIN IMMEDIATE", err, sizeof err) == 0;
    if (ok)
        ok = run(t, forget, key, now) == 0 && run(t, evict, key, now) == 0 && run(t, upsert, key, now) == 0;
    if (ok)
        ok = admin_db_exec(t->db, "COMMIT", err, sizeof err) == 0;
    if (!ok) {
        report(t, "recording a failure");
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
