/* fixture_site_keys.h - a test and benchmark fixture (never part of the plugin): n more valid site keys in a
 * SQLite store, beyond the current and grace key the product ever holds, for figures and races that need many
 * keys or a second one. The rows carry role 'extra', which this plugin's schema no longer allows (it is a
 * fixture's state, written past the CHECK with PRAGMA ignore_check_constraints, as a database made by an older
 * plugin may still hold them); the snapshot loads every row with a role, so they verify like the site key.
 * Written through the state's write connection inside apikeys_write: one transaction, one change signal.
 * Include it in one .c file. */
#ifndef APIKEYS_FIXTURE_SITE_KEYS_H
#define APIKEYS_FIXTURE_SITE_KEYS_H

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

#include "../../plugin/key_digest.h"
#include "../../plugin/key_locator.h"
#include "../../plugin/key_format.h"
#include "panel/plugin.h"
#include "../../plugin/plugin_state.h"
#include "../../plugin/store_sqlite.h"

typedef struct fixture_site_keys {
    size_t n;
    void (*each)(void *ctx, size_t i, const char *key, size_t len); /* every plaintext key (wiped after) */
    void *ctx;
} fixture_site_keys_t;

static int32_t fixture_site_keys_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    const fixture_site_keys_t *f = vctx;
    sqlite3 *db = store_sqlite_db(&st->store);
    sqlite3_stmt *ins = NULL;
    int ok = sqlite3_exec(db, "PRAGMA ignore_check_constraints = 1", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db,
                                "INSERT INTO keys(name, digest, hint, created_at, role, locator)"
                                " VALUES ('extra', ?1, '(bulk)', ?2, 'extra', ?3)",
                                -1, &ins, NULL) == SQLITE_OK;
    char key[64];
    uint8_t digest[KEY_DIGEST_LEN];
    size_t len = key_length(st->config.prefix_len);
    for (size_t i = 0; ok && i < f->n; i++) {
        key_generate(st->config.key_prefix, st->config.prefix_len, key, sizeof key);
        key_digest(st->secret, key, len, digest);
        sqlite3_int64 locator = (sqlite3_int64)key_locator(st->locator_key, key, len);
        if (f->each)
            f->each(f->ctx, i, key, len);
        sodium_memzero(key, sizeof key);
        sqlite3_bind_blob(ins, 1, digest, KEY_DIGEST_LEN, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, apikeys_now(st));
        sqlite3_bind_int64(ins, 3, locator);
        ok = sqlite3_step(ins) == SQLITE_DONE && sqlite3_reset(ins) == SQLITE_OK;
    }
    if (!ok)
        snprintf(msg, msg_len, "fixture: could not insert site keys: %s", sqlite3_errmsg(db));
    sqlite3_finalize(ins);
    sqlite3_exec(db, "PRAGMA ignore_check_constraints = 0", NULL, NULL, NULL);
    return ok ? PANEL_OK : PANEL_E_STORE;
}

/* Turns the API on in the SQLite store of the data directory dir, as a write from another process would (the next
 * change signal brings it into the snapshot). SQLITE_OK or the SQLite error. */
static inline int fixture_enable_api(const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/apikeys.db", dir);
    sqlite3 *db;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "UPDATE settings SET value = '1' WHERE name = 'api_enabled'", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* Adds n valid site keys to the SQLite store of st and calls each(ctx, i, key, len) with every one. */
static inline int32_t fixture_add_site_keys(apikeys_state_t *st, size_t n,
                                            void (*each)(void *ctx, size_t i, const char *key, size_t len),
                                            void *ctx, char *err, size_t err_len)
{
    fixture_site_keys_t f = {n, each, ctx};
    return apikeys_write(st, fixture_site_keys_tx, &f, err, err_len, NULL, 0);
}

#endif
