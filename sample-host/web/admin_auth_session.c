/* admin_auth_session.c - web-panel sessions in the shared database (see admin_auth_session.h): table sessions
 * (digest, user, fingerprint, created, last_seen); the id itself is never stored, and a session is found by the
 * digest of the presented id. Last-seen times are written at most once a minute per session. */
#include "admin_auth_session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "admin_db.h"

#define SESSION_DIGEST_HEX 65
#define TOUCH_WRITE_INTERVAL 60
#define SQL_TEXT(x) #x
#define SQL_INT(x) SQL_TEXT(x) /* a constant expression such as (12 * 60 * 60) is valid SQL too */

struct session_store {
    pthread_mutex_t lock; /* one connection, one thread at a time */
    sqlite3 *db;
};

int session_store_open(const char *data_dir, session_store_t **out, char *err, size_t err_len)
{
    *out = NULL;
    session_store_t *store = calloc(1, sizeof *store);
    if (store == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (admin_db_open(data_dir, &store->db, err, err_len) != 0) {
        free(store);
        return -1;
    }
    pthread_mutex_init(&store->lock, NULL);
    /* Sessions of an older version lived in a text file; they end with this upgrade (log in again). */
    char legacy[4200];
    snprintf(legacy, sizeof legacy, "%s/admin-sessions", data_dir);
    unlink(legacy);
    *out = store;
    return 0;
}

void session_store_close(session_store_t *store)
{
    if (store == NULL)
        return;
    sqlite3_close(store->db);
    pthread_mutex_destroy(&store->lock);
    free(store);
}

/* The stored digest of a session id given as 64 hex digits; -1 when the id is not 64 hex digits. */
static int id_digest(const char *id_hex, char digest[SESSION_DIGEST_HEX])
{
    unsigned char id[32];
    size_t id_len = 0;
    if (id_hex == NULL || strlen(id_hex) != 64 ||
        sodium_hex2bin(id, sizeof id, id_hex, 64, NULL, &id_len, NULL) != 0 || id_len != sizeof id)
        return -1;
    unsigned char d[32];
    crypto_generichash(d, sizeof d, id, sizeof id, (const unsigned char *)"panel-session-id", 16);
    sodium_bin2hex(digest, SESSION_DIGEST_HEX, d, sizeof d);
    sodium_memzero(id, sizeof id);
    return 0;
}

void session_csrf_token(const char *id_hex, char token[SESSION_ID_HEX_LEN])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)id_hex, strlen(id_hex),
                       (const unsigned char *)"panel-csrf-token", 16);
    sodium_bin2hex(token, SESSION_ID_HEX_LEN, d, sizeof d);
}

int session_token_equal(const char *expected, const char *presented)
{
    size_t n = strlen(expected);
    if (presented == NULL || n == 0 || strlen(presented) != n)
        return 0;
    return sodium_memcmp(expected, presented, n) == 0;
}

static int expired(int64_t created, int64_t last_seen, int64_t now)
{
    return now - last_seen > SESSION_IDLE_SECONDS || now - created > SESSION_MAX_SECONDS || last_seen > now + 300;
}

/* Runs one statement binding text values t1..t3 (nullable) and integers i1..i2 as ?1..?5; 0 or -1. */
static int run(sqlite3 *db, const char *sql, const char *t1, const char *t2, const char *t3, int64_t i1, int64_t i2)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    const char *texts[3] = {t1, t2, t3};
    for (int k = 0; k < 3; k++)
        if (texts[k] != NULL)
            sqlite3_bind_text(st, k + 1, texts[k], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, i1);
    sqlite3_bind_int64(st, 5, i2);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int session_create(session_store_t *store, const char *user, const char *fingerprint, int64_t now,
                   char id_hex[SESSION_ID_HEX_LEN], char *err, size_t err_len)
{
    unsigned char id[32];
    randombytes_buf(id, sizeof id);
    sodium_bin2hex(id_hex, SESSION_ID_HEX_LEN, id, sizeof id);
    sodium_memzero(id, sizeof id);
    char digest[SESSION_DIGEST_HEX];
    id_digest(id_hex, digest);
    pthread_mutex_lock(&store->lock);
    /* drop expired sessions on the way */
    int rc = run(store->db,
                 "DELETE FROM sessions WHERE ?4 - last_seen > ?5 OR ?4 - created > " SQL_INT(SESSION_MAX_SECONDS),
                 NULL, NULL, NULL, now, SESSION_IDLE_SECONDS);
    if (rc == 0)
        rc = run(store->db, "INSERT INTO sessions(digest, user, fingerprint, created, last_seen) "
                            "VALUES(?1, ?2, ?3, ?4, ?4)",
                 digest, user, fingerprint, now, 0);
    if (rc != 0)
        snprintf(err, err_len, "cannot store the session in the web panel's database: %s",
                 sqlite3_errmsg(store->db));
    pthread_mutex_unlock(&store->lock);
    if (rc != 0)
        sodium_memzero(id_hex, SESSION_ID_HEX_LEN);
    return rc;
}

int session_lookup(session_store_t *store, admin_auth_t *auth, const char *id_hex, int64_t now, char *user,
                   size_t user_len)
{
    char digest[SESSION_DIGEST_HEX];
    if (id_digest(id_hex, digest) != 0)
        return -1;
    char found_user[ADMIN_USER_MAX + 1] = "", found_fp[ADMIN_FINGERPRINT_LEN] = "";
    int64_t created = 0, last_seen = 0;
    int found = 0;
    pthread_mutex_lock(&store->lock);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store->db,
                           "SELECT user, fingerprint, created, last_seen FROM sessions WHERE digest = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *u = sqlite3_column_text(st, 0), *f = sqlite3_column_text(st, 1);
            snprintf(found_user, sizeof found_user, "%s", u != NULL ? (const char *)u : "");
            snprintf(found_fp, sizeof found_fp, "%s", f != NULL ? (const char *)f : "");
            created = sqlite3_column_int64(st, 2);
            last_seen = sqlite3_column_int64(st, 3);
            found = 1;
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&store->lock);
    if (!found)
        return -1;
    char fingerprint[ADMIN_FINGERPRINT_LEN];
    pthread_mutex_lock(&store->lock);
    int rc = 0;
    if (expired(created, last_seen, now) || admin_auth_fingerprint(auth, found_user, fingerprint) != 0 ||
        strcmp(fingerprint, found_fp) != 0) {
        run(store->db, "DELETE FROM sessions WHERE digest = ?1", digest, NULL, NULL, 0, 0);
        rc = -1;
    } else if (now - last_seen >= TOUCH_WRITE_INTERVAL) {
        run(store->db, "UPDATE sessions SET last_seen = ?4 WHERE digest = ?1", digest, NULL, NULL, now, 0);
    }
    pthread_mutex_unlock(&store->lock);
    if (rc == 0)
        snprintf(user, user_len, "%s", found_user);
    return rc;
}

void session_end(session_store_t *store, const char *id_hex)
{
    char digest[SESSION_DIGEST_HEX];
    if (id_digest(id_hex, digest) != 0)
        return;
    pthread_mutex_lock(&store->lock);
    if (run(store->db, "DELETE FROM sessions WHERE digest = ?1", digest, NULL, NULL, 0, 0) != 0)
        fprintf(stderr, "sample-host: cannot end a session: %s\n", sqlite3_errmsg(store->db));
    pthread_mutex_unlock(&store->lock);
}

int session_end_user(const char *data_dir, const char *user, char *err, size_t err_len)
{
    sqlite3 *db = NULL;
    if (admin_db_open(data_dir, &db, err, err_len) != 0)
        return -1;
    int rc = run(db, "DELETE FROM sessions WHERE user = ?1", user, NULL, NULL, 0, 0);
    if (rc != 0)
        snprintf(err, err_len, "cannot end the sessions in the web panel's database: %s", sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}
