/* plugin_usage_counts.c - usage counting is exact (issue 21, section 1; issue 23, section 2): two threads verifying
 * the same 20 keys over and over (more keys than a guard slot's records hold, so records hand their counts to the
 * keyring's counters), with a new snapshot published between two phases (records leave their ring), and keys no
 * store knows: after one flush the keys' use counts and the usage table's hour rows hold exactly the requests
 * sent, allowed under "site" and the unknown ones under "none". And a busy value keeps its last caller while one
 * thread sees more values than it has usage records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/auth_provider.h"
#include "../../plugin/plugin_state.h"
#include "fixture_site_keys.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

#define N_KEYS 20
#define ROUNDS 300
#define UNKNOWN_PER_THREAD 7

typedef struct keys {
    char k[N_KEYS + 1][64];
    char unknown[64];
    apikeys_state_t *st;
    int bad;
} keys_t;

static void keep_key(void *ctx, size_t i, const char *key, size_t len)
{
    keys_t *keys = ctx;
    if (i < N_KEYS + 1)
        snprintf(keys->k[i], sizeof keys->k[i], "%.*s", (int)len, key);
}

static void *verify_all(void *arg)
{
    keys_t *keys = arg;
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < N_KEYS; i++)
            if (apikeys_verify_key(keys->st, keys->k[i], strlen(keys->k[i])) != VERIFY_OK)
                __atomic_fetch_add(&keys->bad, 1, __ATOMIC_RELAXED);
    for (int u = 0; u < UNKNOWN_PER_THREAD; u++)
        if (apikeys_verify_key(keys->st, keys->unknown, strlen(keys->unknown)) != DENIAL_UNKNOWN)
            __atomic_fetch_add(&keys->bad, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void two_threads(keys_t *keys)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, verify_all, keys), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
}

static long long sql_int(const char *dir, const char *sql)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/apikeys.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A state on a fresh store in dir with the API on; the keys' write signals a change, so the snapshot after it has
 * the switch on too. */
static keys_t *open_with_api_on(const char *dir)
{
    apikeys_options_t o = {.data_dir = dir};
    keys_t *keys = calloc(1, sizeof *keys);
    char err[512];
    assert_non_null(keys);
    assert_int_equal(apikeys_state_open(&o, &keys->st, err, sizeof err), PANEL_OK);
    assert_int_equal(fixture_enable_api(dir), SQLITE_OK);
    return keys;
}

static void counts_are_exact_across_threads_evictions_and_snapshots(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    keys_t *keys = open_with_api_on(dir);
    apikeys_state_t *st = keys->st;
    char err[512];
    assert_int_equal(fixture_add_site_keys(st, N_KEYS, keep_key, keys, err, sizeof err), PANEL_OK);
    key_generate(st->config.key_prefix, st->config.prefix_len, keys->unknown, sizeof keys->unknown);

    two_threads(keys);
    /* a new snapshot (one more key) between the phases: the threads' records leave the old ring */
    keys_t more;
    memset(&more, 0, sizeof more);
    assert_int_equal(fixture_add_site_keys(st, 1, keep_key, &more, err, sizeof err), PANEL_OK);
    two_threads(keys);
    assert_int_equal(keys->bad, 0);
    assert_int_equal(apikeys_flush_usage(st, err, sizeof err), PANEL_OK);

    const long long allowed = 2LL * 2 * ROUNDS * N_KEYS;
    assert_int_equal(sql_int(dir, "SELECT SUM(use_count) FROM keys"), allowed);
    assert_int_equal(sql_int(dir, "SELECT count FROM usage_hourly WHERE key = 'site' AND code = 'allowed'"),
                     allowed);
    assert_int_equal(sql_int(dir, "SELECT count FROM usage_hourly WHERE key = 'none' AND code = 'unknown'"),
                     2 * 2 * UNKNOWN_PER_THREAD);
    assert_int_equal(sql_int(dir, "SELECT count(*) FROM usage_hourly WHERE key = 'site' AND code <> 'allowed'"), 0);
    /* nothing is counted twice: a second flush adds nothing */
    assert_int_equal(apikeys_flush_usage(st, err, sizeof err), PANEL_OK);
    assert_int_equal(sql_int(dir, "SELECT SUM(use_count) FROM keys"), allowed);
    apikeys_state_close(st);
    free(keys);
    support_rmtree(dir);
    free(dir);
}

/* ----- a busy value keeps its caller among many values seen once ------------------------------------------------ */

static int authenticate_from(apikeys_state_t *st, const char *key, const char *addr)
{
    fake_request_t r;
    fake_request_init(&r, addr, key, NULL, "busy-bot/1.0");
    char principal[64], code[32], message[320];
    panel_auth_result_t result = {.struct_size = sizeof result, .principal = principal,
                                  .principal_len = sizeof principal, .error_code = code,
                                  .error_code_len = sizeof code, .message = message, .message_len = sizeof message};
    return apikeys_authenticate(st, &r.req, &result);
}

/* One thread, one busy value sent 10 times between each of 12 values sent once (more values than its 4 usage records,
 * all within a second or two): the busy value's record, with its caller, is never the one that makes room, so after
 * the flush its row names its caller. The values seen once are counted too. */
static void a_busy_value_keeps_its_caller_among_many(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    keys_t *keys = open_with_api_on(dir);
    apikeys_state_t *st = keys->st;
    char err[512];
    assert_int_equal(fixture_add_site_keys(st, 13, keep_key, keys, err, sizeof err), PANEL_OK);
    for (int i = 1; i <= 12; i++) {
        for (int n = 0; n < 10; n++)
            assert_int_equal(authenticate_from(st, keys->k[0], "203.0.113.7"), PANEL_AUTH_ALLOW);
        assert_int_equal(authenticate_from(st, keys->k[i], "198.51.100.9"), PANEL_AUTH_ALLOW);
    }
    assert_int_equal(apikeys_flush_usage(st, err, sizeof err), PANEL_OK);
    assert_int_equal(sql_int(dir, "SELECT count(*) FROM keys WHERE last_addr = '203.0.113.7' AND "
                                  "last_agent = 'busy-bot/1.0' AND use_count = 120"),
                     1);
    assert_int_equal(sql_int(dir, "SELECT SUM(use_count) FROM keys"), 120 + 12);
    apikeys_state_close(st);
    free(keys);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_are_exact_across_threads_evictions_and_snapshots),
        cmocka_unit_test(a_busy_value_keeps_its_caller_among_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
