/* deliveries.c - the delivery queue in DATA_DIR/host-deliveries.db (see deliveries.h): the file created 0600
 * and checked before SQLite opens it (as admin_db.c does), WAL, a 5 s busy timeout, one table, prepared
 * statements, and a mutex around the one connection. */
#include "deliveries.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "panel/host.h"

#define BUSY_TIMEOUT_MS 5000

struct deliveries {
    pthread_mutex_t lock;
    sqlite3 *db;
    sqlite3_stmt *add, *pull, *ack, *list;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS deliveries("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " username TEXT NOT NULL, command TEXT NOT NULL,"
    " created INTEGER NOT NULL, delivered INTEGER);"
    "CREATE INDEX IF NOT EXISTS deliveries_waiting ON deliveries(id) WHERE delivered IS NULL;";

static int db_fail(sqlite3 *db, const char *what, char *err, size_t err_len)
{
    snprintf(err, err_len, "the delivery queue %s could not %s: %s", sqlite3_db_filename(db, "main"), what,
             sqlite3_errmsg(db));
    return -1;
}

static int exec_sql(sqlite3 *db, const char *sql, char *err, size_t err_len)
{
    char *why = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &why) == SQLITE_OK)
        return 0;
    snprintf(err, err_len, "the delivery queue %s failed: %s", sqlite3_db_filename(db, "main"),
             why != NULL ? why : sqlite3_errmsg(db));
    sqlite3_free(why);
    return -1;
}

void deliveries_close(deliveries_t *d)
{
    if (d == NULL)
        return;
    sqlite3_finalize(d->add);
    sqlite3_finalize(d->pull);
    sqlite3_finalize(d->ack);
    sqlite3_finalize(d->list);
    sqlite3_close(d->db);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

int deliveries_open(const char *data_dir, deliveries_t **out, char *err, size_t err_len)
{
    *out = NULL;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, DELIVERIES_FILE);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, err_len, "the data directory path is too long");
        return -1;
    }
    /* Created by us when missing, so SQLite never makes it with a wider mode or follows a planted link; then
     * checked through an O_PATH descriptor (closing a real one would drop this process's SQLite locks). */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST) {
        snprintf(err, err_len, "cannot create the delivery queue %s: %s", path, strerror(errno));
        return -1;
    }
    fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "cannot open the delivery queue %s: %s", path, strerror(errno));
        return -1;
    }
    int32_t checked = panelhost_check_open_file(fd, path, err, err_len);
    close(fd);
    if (checked != PANEL_OK)
        return -1;

    deliveries_t *d = calloc(1, sizeof *d);
    if (d == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    pthread_mutex_init(&d->lock, NULL);
    if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, err_len, "cannot open the delivery queue %s: %s", path,
                 d->db != NULL ? sqlite3_errmsg(d->db) : "out of memory");
        deliveries_close(d);
        return -1;
    }
    sqlite3_busy_timeout(d->db, BUSY_TIMEOUT_MS);
    if (exec_sql(d->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err, err_len) != 0 ||
        exec_sql(d->db, schema, err, err_len) != 0) {
        deliveries_close(d);
        return -1;
    }
    static const char *const sql[] = {
        "INSERT INTO deliveries(username, command, created) VALUES(?1, ?2, ?3)",
        "SELECT id, username, command, created, 0 FROM deliveries WHERE delivered IS NULL ORDER BY id LIMIT ?1",
        "UPDATE deliveries SET delivered = ?2 WHERE id = ?1 AND delivered IS NULL",
        "SELECT id, username, command, created, coalesce(delivered, 0) FROM deliveries ORDER BY id DESC LIMIT ?1",
    };
    sqlite3_stmt **stmts[] = {&d->add, &d->pull, &d->ack, &d->list};
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (sqlite3_prepare_v2(d->db, sql[i], -1, stmts[i], NULL) != SQLITE_OK) {
            db_fail(d->db, "be prepared", err, err_len);
            deliveries_close(d);
            return -1;
        }
    *out = d;
    return 0;
}

/* 1 when s is valid UTF-8 without control characters (C0, DEL, C1). */
static int printable_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char b = *p;
        if (b < 0x20 || b == 0x7F)
            return 0;
        if (b < 0x80) {
            p++;
            continue;
        }
        size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
        if (n == 0 || b > 0xF4)
            return 0;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        if ((n == 3 && ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] >= 0xA0))) ||
            (n == 4 && ((b == 0xF0 && p[1] < 0x90) || (b == 0xF4 && p[1] >= 0x90))) ||
            (n == 2 && b == 0xC2 && p[1] < 0xA0))
            return 0;
        p += n;
    }
    return 1;
}

int deliveries_check_item(const char *username, const char *command, char *err, size_t err_len)
{
    size_t ulen = strlen(username), clen = strlen(command);
    if (ulen == 0 || ulen > DELIVERIES_USERNAME_MAX || !printable_utf8(username)) {
        snprintf(err, err_len, "the username must be 1 to %d bytes of UTF-8 text without control characters, "
                 "e.g. Steve", DELIVERIES_USERNAME_MAX);
        return -1;
    }
    if (clen == 0 || clen > DELIVERIES_COMMAND_MAX || !printable_utf8(command)) {
        snprintf(err, err_len, "the command must be 1 to %d bytes of UTF-8 text on one line without control "
                 "characters, e.g. 'give Steve diamond 1'", DELIVERIES_COMMAND_MAX);
        return -1;
    }
    return 0;
}

int deliveries_add(deliveries_t *d, const char *username, const char *command, int64_t now, int64_t *id,
                   char *err, size_t err_len)
{
    if (deliveries_check_item(username, command, err, err_len) != 0)
        return -1;
    pthread_mutex_lock(&d->lock);
    sqlite3_reset(d->add);
    sqlite3_bind_text(d->add, 1, username, -1, SQLITE_STATIC);
    sqlite3_bind_text(d->add, 2, command, -1, SQLITE_STATIC);
    sqlite3_bind_int64(d->add, 3, now);
    int rc = sqlite3_step(d->add) == SQLITE_DONE ? 0 : db_fail(d->db, "queue the delivery", err, err_len);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(d->db);
    sqlite3_reset(d->add);
    sqlite3_clear_bindings(d->add);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

/* Steps a SELECT of (id, username, command, created, delivered) and hands each row to fn. */
static int each_row(deliveries_t *d, sqlite3_stmt *stmt, deliveries_fn fn, void *ctx, char *err,
                    size_t err_len)
{
    int rc = 0;
    for (;;) {
        int step = sqlite3_step(stmt);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = db_fail(d->db, "be read", err, err_len);
            break;
        }
        const char *username = (const char *)sqlite3_column_text(stmt, 1);
        const char *command = (const char *)sqlite3_column_text(stmt, 2);
        delivery_t item = {
            .id = sqlite3_column_int64(stmt, 0),
            .username = username != NULL ? username : "",
            .command = command != NULL ? command : "",
            .created = sqlite3_column_int64(stmt, 3),
            .delivered = sqlite3_column_int64(stmt, 4),
        };
        if (fn(ctx, &item) != 0)
            break;
    }
    sqlite3_reset(stmt);
    return rc;
}

int deliveries_pull(deliveries_t *d, int limit, deliveries_fn fn, void *ctx, char *err, size_t err_len)
{
    pthread_mutex_lock(&d->lock);
    sqlite3_bind_int(d->pull, 1, limit);
    int rc = each_row(d, d->pull, fn, ctx, err, err_len);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

int deliveries_list(deliveries_t *d, uint32_t limit, deliveries_fn fn, void *ctx, char *err, size_t err_len)
{
    pthread_mutex_lock(&d->lock);
    sqlite3_bind_int64(d->list, 1, limit == 0 ? -1 : (int64_t)limit);
    int rc = each_row(d, d->list, fn, ctx, err, err_len);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

int deliveries_ack(deliveries_t *d, const int64_t *ids, size_t n, int64_t now, size_t *acked, char *err,
                   size_t err_len)
{
    *acked = 0;
    if (n == 0)
        return 0;
    pthread_mutex_lock(&d->lock);
    int rc = exec_sql(d->db, "BEGIN IMMEDIATE", err, err_len);
    size_t count = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(d->ack, 1, ids[i]);
        sqlite3_bind_int64(d->ack, 2, now);
        if (sqlite3_step(d->ack) == SQLITE_DONE)
            count += (size_t)sqlite3_changes(d->db);
        else
            rc = db_fail(d->db, "mark the deliveries delivered", err, err_len);
        sqlite3_reset(d->ack);
    }
    if (rc == 0)
        rc = exec_sql(d->db, "COMMIT", err, err_len);
    if (rc != 0)
        sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
    else
        *acked = count;
    pthread_mutex_unlock(&d->lock);
    return rc;
}
