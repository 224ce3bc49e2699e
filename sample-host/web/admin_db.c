/* admin_db.c - opening the web panel's shared database DATA_DIR/admin-sessions.db (see admin_db.h): the file
 * created 0600 and checked before SQLite opens it, WAL journal, a 5 s busy timeout, and the schema. */
#include "admin_db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "panel/host.h"

#define BUSY_TIMEOUT_MS 5000

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS sessions("
    " digest TEXT PRIMARY KEY,"          /* BLAKE2b of the session id; the id itself is never stored */
    " user TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " created INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user);"
    "CREATE TABLE IF NOT EXISTS throttle("
    " scope TEXT NOT NULL, key TEXT NOT NULL,"
    " failures INTEGER NOT NULL, last_failure INTEGER NOT NULL,"
    " PRIMARY KEY(scope, key)) WITHOUT ROWID;";

int admin_db_exec(sqlite3 *db, const char *sql, char *err, size_t err_len)
{
    char *why = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &why) == SQLITE_OK)
        return 0;
    snprintf(err, err_len, "the web panel's database %s failed: %s", sqlite3_db_filename(db, "main"),
             why != NULL ? why : sqlite3_errmsg(db));
    sqlite3_free(why);
    return -1;
}

int admin_db_open(const char *data_dir, sqlite3 **out, char *err, size_t err_len)
{
    *out = NULL;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, ADMIN_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, err_len, "the data directory path is too long");
        return -1;
    }
    /* Created by us when missing, so SQLite never makes it with a wider mode or follows a planted link. Then
     * checked through an O_PATH descriptor: closing an ordinary descriptor of a database file would drop the
     * POSIX locks every SQLite connection of this process holds on it (and let writers corrupt it). */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd); /* it did not exist: no connection of ours has it open */
    else if (errno != EEXIST) {
        snprintf(err, err_len, "cannot create the web panel's database %s: %s", path, strerror(errno));
        return -1;
    }
    fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "cannot open the web panel's database %s: %s", path, strerror(errno));
        return -1;
    }
    int32_t checked = panelhost_check_open_file(fd, path, err, err_len);
    close(fd);
    if (checked != PANEL_OK)
        return -1;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, err_len, "cannot open the web panel's database %s: %s", path,
                 db != NULL ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (admin_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err, err_len) != 0 ||
        admin_db_exec(db, schema, err, err_len) != 0) {
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}
