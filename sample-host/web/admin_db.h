/* admin_db.h - the web panel's shared state: one SQLite database, DATA_DIR/admin-sessions.db (0600, WAL, a
 * busy timeout), holding the sessions (by digest only) and the failed-login throttle, so that every sample-host
 * process on one data directory sees the same logouts, expiries, password changes and lockouts. */
#ifndef SAMPLE_HOST_ADMIN_DB_H
#define SAMPLE_HOST_ADMIN_DB_H

#include <stddef.h>

#include <sqlite3.h>

#define ADMIN_DB_FILE "admin-sessions.db"

/* Opens (creating it 0600 when missing, refusing one that another uid owns or others may write) the database
 * of data_dir with its schema. One connection: use it from one thread at a time. Returns 0, or -1 with err. */
int admin_db_open(const char *data_dir, sqlite3 **out, char *err, size_t err_len);

/* Runs SQL without results (e.g. BEGIN IMMEDIATE); returns 0, or -1 with err naming the database. */
int admin_db_exec(sqlite3 *db, const char *sql, char *err, size_t err_len);

#endif /* SAMPLE_HOST_ADMIN_DB_H */
