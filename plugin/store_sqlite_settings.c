/* store_sqlite_settings.c - the SQLite backend's own [plugin:apikeys] setting (see store_sqlite_internal.h): database,
 * the file's name in the data directory. Read at config load, before the store opens. */
#include <stdio.h>
#include <string.h>

#include "freshness.h"
#include "key_digest.h"
#include "limiter.h"
#include "panel/plugin.h"
#include "store_sqlite_internal.h"

/* plugin.h: a plugin's files in the shared data directory start with its entry id ("apikeys"), which also keeps
 * them out of the host's reserved names (host-, admin-, extensions.). Printable ASCII without '/', and none of
 * the other files the plugin keeps there (the digest secret, the change counter, the rate limit buckets: a
 * database on one of those is written over by its owner, as the limiter would zero pages of it), nor the side
 * files SQLite keeps beside a database (-wal, -shm, -journal). */
static int32_t check_database_name(const char *database, char *err, size_t err_len)
{
    static const char *const own_files[] = {KEY_SECRET_FILE, FRESHNESS_FILE, LIMITER_FILE, NULL};
    static const char *const side_files[] = {"-wal", "-shm", "-journal", NULL};
    size_t n = strlen(database);
    int printable = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)database[i] < 0x21 || (unsigned char)database[i] > 0x7E || database[i] == '/')
            printable = 0;
    if (!printable || n >= sizeof(((apikeys_config_t *)0)->database)) {
        snprintf(err, err_len,
                 "[plugin:apikeys] database is not valid: give a file name of printable characters without spaces "
                 "or '/' (it is created in the data directory), e.g. \"apikeys.db\"");
        return PANEL_E_INVALID;
    }
    if (strncmp(database, "apikeys", 7) != 0 || n == 7) {
        snprintf(err, err_len,
                 "[plugin:apikeys] database \"%.60s\" is not valid: the plugin's files in the shared data directory "
                 "must start with its id \"apikeys\" (names starting with host-, admin- or extensions. are the "
                 "host's), e.g. \"apikeys.db\" or \"apikeys-shop2.db\"",
                 database);
        return PANEL_E_INVALID;
    }
    for (size_t i = 0; own_files[i]; i++)
        if (strcmp(database, own_files[i]) == 0 || (strncmp(database, own_files[i], strlen(own_files[i])) == 0 &&
                                                    database[strlen(own_files[i])] == '-')) {
            snprintf(err, err_len,
                     "[plugin:apikeys] database \"%s\" is the name of another of the plugin's files; choose e.g. "
                     "\"apikeys.db\"",
                     database);
            return PANEL_E_INVALID;
        }
    for (size_t i = 0; side_files[i]; i++) {
        size_t k = strlen(side_files[i]);
        if (n > k && strcmp(database + n - k, side_files[i]) == 0) {
            snprintf(err, err_len,
                     "[plugin:apikeys] database \"%s\" is the name of a file SQLite keeps beside a database (its "
                     "%s file); choose e.g. \"apikeys.db\"",
                     database, side_files[i] + 1);
            return PANEL_E_INVALID;
        }
    }
    return PANEL_OK;
}

int32_t sqlite_load_settings(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err,
                             size_t err_len)
{
    const char *database = get(ctx, "database");
    if (!database)
        database = APIKEYS_DEFAULT_DATABASE;
    int32_t rc = check_database_name(database, err, err_len);
    if (rc == PANEL_OK)
        snprintf(cfg->database, sizeof cfg->database, "%s", database);
    return rc;
}
