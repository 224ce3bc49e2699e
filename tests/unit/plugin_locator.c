/* plugin_locator.c - key locators (key_locator.h) from the store to a verification: a key the plugin makes is stored
 * with its locator (the keyed SipHash of that key, never the key), a key reset or pasted again gets one, and keys
 * stored before the store kept locators (a database from an older plugin: locator NULL) still verify, beside keys
 * that have one, while an unknown key is still refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/auth_provider.h"
#include "../../plugin/key_locator.h"
#include "../../plugin/plugin_state.h"
#include "fixture_site_keys.h"
#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

/* Enough keys for a keyring of KEYRING_LOCATED_BYTES (keys placed by their locators; fewer are placed by digest). */
#define N_KEYS 14000

typedef struct keys {
    char k[N_KEYS][64];
} keys_t;

static void keep_key(void *ctx, size_t i, const char *key, size_t len)
{
    keys_t *keys = ctx;
    if (i < N_KEYS)
        snprintf(keys->k[i], sizeof keys->k[i], "%.*s", (int)len, key);
}


static apikeys_state_t *open_state(const char *dir)
{
    apikeys_options_t o = {.data_dir = dir};
    apikeys_state_t *st = NULL;
    char err[512];
    if (apikeys_state_open(&o, &st, err, sizeof err) != PANEL_OK)
        fail_msg("open: %s", err);
    return st;
}

static int32_t forget_locators_tx(apikeys_state_t *st, void *ctx, char *msg, size_t msg_len)
{
    (void)ctx;
    /* every other row, as a database written partly by an older plugin holds them */
    if (sqlite3_exec(store_sqlite_db(&st->store), "UPDATE keys SET locator = NULL WHERE id % 2 = 0", NULL, NULL,
                     NULL) != SQLITE_OK) {
        snprintf(msg, msg_len, "%s", sqlite3_errmsg(store_sqlite_db(&st->store)));
        return PANEL_E_STORE;
    }
    return PANEL_OK;
}

static int64_t sql_int(apikeys_state_t *st, const char *sql)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(&st->store), sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void keys_without_a_stored_locator_still_verify(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    char err[512];
    apikeys_state_t *st = open_state(dir);
    keys_t *keys = calloc(1, sizeof *keys);
    assert_non_null(keys);
    assert_int_equal(fixture_add_site_keys(st, N_KEYS, keep_key, keys, err, sizeof err), PANEL_OK);
    assert_int_equal(apikeys_write(st, forget_locators_tx, NULL, err, sizeof err, NULL, 0), PANEL_OK);
    int64_t without = sql_int(st, "SELECT count(*) FROM keys WHERE locator IS NULL");
    assert_true(without > 0 && without < N_KEYS); /* both kinds in one snapshot */
    for (size_t i = 0; i < N_KEYS; i++)
        assert_int_equal(apikeys_verify_key(st, keys->k[i], strlen(keys->k[i])), DENIAL_DISABLED);
    const keyring_t *ring = guard_current(&st->guard); /* this test is the only thread: the snapshot stays */
    assert_non_null(ring);
    assert_int_equal(keyring_locates(ring), 1);         /* the keyring places by locator, and */
    assert_int_equal(ring->unlocated, (size_t)without); /* holds the rows without one */
    /* an unknown key of the same form is still unknown (the second probe finds nothing either) */
    char unknown[64];
    snprintf(unknown, sizeof unknown, "%s", keys->k[0]);
    unknown[strlen(unknown) / 2] = unknown[strlen(unknown) / 2] == 'a' ? 'b' : 'a';
    int outcome = apikeys_verify_key(st, unknown, strlen(unknown));
    assert_true(outcome == DENIAL_UNKNOWN || outcome == DENIAL_MALFORMED);
    sodium_memzero(keys, sizeof *keys);
    free(keys);
    apikeys_state_close(st);
    support_rmtree(dir);
    free(dir);
}

/* The key the owner gets from Enable, Reset and a pasted value: each row holds the locator of that key. */
static void keys_the_plugin_makes_are_stored_with_their_locator(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    char err[512], msg[1024], key[256];
    fake_host_t fh;
    fake_host_init(&fh, dir);
    assert_int_equal(fake_host_load(&fh, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    panel_caller_t owner = fake_caller(1, 1);
    assert_int_equal(fake_run(&fh, "enable", &owner, NULL, msg, key), PANEL_OK);
    apikeys_state_t *st = open_state(dir);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT locator = %lld FROM keys WHERE role = 'current'",
             (long long)key_locator(st->locator_key, key, strlen(key)));
    assert_int_equal(sql_int(st, sql), 1);
    apikeys_state_close(st);

    assert_int_equal(fake_run(&fh, "reset", &owner, "0", msg, key), PANEL_OK);
    st = open_state(dir);
    snprintf(sql, sizeof sql, "SELECT locator = %lld FROM keys WHERE role = 'current'",
             (long long)key_locator(st->locator_key, key, strlen(key)));
    assert_int_equal(sql_int(st, sql), 1);
    assert_int_equal(sql_int(st, "SELECT count(*) FROM keys WHERE locator IS NULL OR locator = 0"), 0);
    apikeys_state_close(st);
    fake_host_unload(&fh);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_without_a_stored_locator_still_verify),
        cmocka_unit_test(keys_the_plugin_makes_are_stored_with_their_locator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
