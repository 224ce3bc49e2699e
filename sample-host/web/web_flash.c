/* web_flash.c - the one-shot results a form post leaves for the next GET of its session (see web_flash.h): table
 * flash(row, expires, box) of the shared admin database, one row per session, the box being XSalsa20-Poly1305
 * (crypto_secretbox) of the result under a key derived from the session id. One connection per process, opened at
 * the first use, one thread at a time. */
#include "web_flash.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "admin_db.h"

#define ROW_HEX (2 * 32 + 1)
#define BOX_LEN (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizeof(web_flash_t))

static const char schema[] = "PRAGMA secure_delete=ON;"
                             "CREATE TABLE IF NOT EXISTS flash("
                             " row TEXT PRIMARY KEY,"        /* a digest of the session id */
                             " expires INTEGER NOT NULL,"
                             " box BLOB NOT NULL) WITHOUT ROWID;";

static pthread_mutex_t flash_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *flash_db; /* opened at the first use, closed by web_flash_close */

/* The row name and the box key of a session id, each a keyed BLAKE2b of it with its own context. */
static void derive(const char *session, char row[ROW_HEX], unsigned char key[crypto_secretbox_KEYBYTES])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)session, strlen(session),
                       (const unsigned char *)"panel-flash-row", 15);
    sodium_bin2hex(row, ROW_HEX, d, sizeof d);
    crypto_generichash(key, crypto_secretbox_KEYBYTES, (const unsigned char *)session, strlen(session),
                       (const unsigned char *)"panel-flash-key", 15);
}

/* The connection, opened on first use; NULL (logged) when the database cannot be used. Call with flash_lock. */
static sqlite3 *db_of(const panelhost_t *host)
{
    if (flash_db != NULL)
        return flash_db;
    char err[512];
    if (admin_db_open(panelhost_data_dir(host), &flash_db, err, sizeof err) != 0 ||
        admin_db_exec(flash_db, schema, err, sizeof err) != 0) {
        fprintf(stderr, "sample-host: results of form posts cannot be kept for the next page: %s\n", err);
        sqlite3_close(flash_db);
        flash_db = NULL;
    }
    return flash_db;
}

/* Runs sql binding ?1 = text, ?2 = integer, ?3 = blob (each when given); 0 or -1. */
static int run(sqlite3 *db, const char *sql, const char *text, int64_t number, const void *blob, size_t blob_len)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (text != NULL)
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, number);
    if (blob != NULL)
        sqlite3_bind_blob(st, 3, blob, (int)blob_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int web_flash_put(const panelhost_t *host, const char *session, web_flash_t *flash)
{
    char row[ROW_HEX];
    unsigned char key[crypto_secretbox_KEYBYTES], box[BOX_LEN];
    derive(session, row, key);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)flash, sizeof *flash, box, key);
    sodium_memzero(key, sizeof key);
    sodium_memzero(flash, sizeof *flash);
    int64_t now = panelhost_now(host);
    pthread_mutex_lock(&flash_lock);
    sqlite3 *db = db_of(host);
    int rc = db == NULL ? -1 : 0;
    if (rc == 0)
        (void)run(db, "DELETE FROM flash WHERE expires <= ?2", NULL, now, NULL, 0);
    if (rc == 0)
        rc = run(db, "INSERT OR REPLACE INTO flash(row, expires, box) VALUES (?1, ?2, ?3)", row, now + WEB_FLASH_TTL,
                 box, sizeof box);
    if (rc != 0 && db != NULL)
        fprintf(stderr, "sample-host: a form post's result cannot be kept: %s\n", sqlite3_errmsg(db));
    pthread_mutex_unlock(&flash_lock);
    return rc;
}

/* Reads and deletes the session's row in one transaction, so one GET in one process gets it. 1, 0 or -1. */
static int take_box(sqlite3 *db, const char *row, int64_t now, unsigned char box[BOX_LEN])
{
    char err[256];
    if (admin_db_exec(db, "BEGIN IMMEDIATE", err, sizeof err) != 0)
        return -1;
    int found = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT box FROM flash WHERE row = ?1 AND expires > ?2", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, row, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == (int)BOX_LEN) {
            memcpy(box, sqlite3_column_blob(st, 0), BOX_LEN);
            found = 1;
        }
        sqlite3_finalize(st);
    }
    if (found && run(db, "DELETE FROM flash WHERE row = ?1", row, 0, NULL, 0) != 0)
        found = -1;
    if (admin_db_exec(db, found >= 0 ? "COMMIT" : "ROLLBACK", err, sizeof err) != 0)
        found = -1;
    return found;
}

int web_flash_take(const panelhost_t *host, const char *session, const char *page_id, web_flash_t *out)
{
    memset(out, 0, sizeof *out);
    char row[ROW_HEX];
    unsigned char key[crypto_secretbox_KEYBYTES], box[BOX_LEN];
    derive(session, row, key);
    pthread_mutex_lock(&flash_lock);
    sqlite3 *db = db_of(host);
    int found = db != NULL ? take_box(db, row, panelhost_now(host), box) : -1;
    if (found < 0 && db != NULL)
        fprintf(stderr, "sample-host: a form post's result cannot be read: %s\n", sqlite3_errmsg(db));
    pthread_mutex_unlock(&flash_lock);
    if (found == 1 && crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                                 BOX_LEN - crypto_secretbox_NONCEBYTES, box, key) != 0)
        found = 0; /* not ours (another build's layout): nothing to show */
    sodium_memzero(key, sizeof key);
    sodium_memzero(box, sizeof box);
    out->page_id[sizeof out->page_id - 1] = '\0';
    if (found != 1 || strcmp(out->page_id, page_id) != 0) {
        sodium_memzero(out, sizeof *out);
        return 0;
    }
    out->message[sizeof out->message - 1] = out->source[sizeof out->source - 1] = '\0';
    out->record[sizeof out->record - 1] = out->secret[sizeof out->secret - 1] = '\0';
    out->error[sizeof out->error - 1] = out->field_id[sizeof out->field_id - 1] = '\0';
    out->action_id[sizeof out->action_id - 1] = out->confirm_action[sizeof out->confirm_action - 1] = '\0';
    out->confirm_record[sizeof out->confirm_record - 1] = out->confirm_params[sizeof out->confirm_params - 1] = '\0';
    return 1;
}

void web_flash_close(void)
{
    pthread_mutex_lock(&flash_lock);
    sqlite3_close(flash_db);
    flash_db = NULL;
    pthread_mutex_unlock(&flash_lock);
}
