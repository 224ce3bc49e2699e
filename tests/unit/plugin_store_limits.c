/* plugin_store_limits.c - stored values longer than the plugin reads (issue 20 item 9): a site allow-list, or a
 * named key's allowed IPs or scopes, written to the SQLite file by hand past the plugin's own bounds, is never
 * used cut short (which could widen it: "64.0.0.0/20" cut to "64.0.0.0/2" admits 127.0.0.1); the snapshot fails
 * closed (every request 503) with the reason in the log, and the admin reads say why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/key_format.h"
#include "../../plugin/plugin_state.h"
#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

typedef struct fixture {
    char *dir;
    fake_host_t host;
    panel_caller_t owner;
    char key[256];
} fixture_t;

static void load(fixture_t *f)
{
    fake_host_init(&f->host, f->dir);
    char err[512];
    if (fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err) != PANEL_OK)
        fail_msg("init failed: %s", err);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->dir = support_tmpdir();
    load(f);
    f->owner = fake_caller(1, 0);
    char msg[1024];
    if (fake_run(&f->host, "enable", &f->owner, NULL, msg, f->key) != PANEL_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fake_host_unload(&f->host);
    support_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* The status a request with key from addr gets (200 when allowed). */
static int status_of(fake_host_t *h, const char *key, const char *addr)
{
    fake_request_t r;
    fake_request_init(&r, addr, key, NULL, NULL);
    char principal[64] = "", code[32] = "", message[256] = "";
    panel_auth_result_t res = {sizeof res, 0, principal, sizeof principal, code, sizeof code, message, sizeof message,
                               0, NULL, 0, NULL, 0, 0, 0};
    int32_t verdict = h->provider.authenticate(h->state, &r.req, &res);
    return verdict == PANEL_AUTH_ALLOW ? 200 : res.http_status;
}

/* Runs one statement on the store's file from outside the plugin, as a person with sqlite3 would. */
static void sql_by_hand(const char *dir, const char *sql)
{
    char *path = support_join(dir, "apikeys.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *why = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &why) != SQLITE_OK)
        fail_msg("%s: %s", sql, why);
    sqlite3_close(db);
    free(path);
}

/* An allow-list of 4096 bytes (one more than the plugin reads) whose first 4095 end in "64.0.0.0/2", a network
 * holding 127.0.0.1, while the whole list ends in "64.0.0.0/20", which does not. Spaces around items are allowed. */
static char long_list[4097];
static const char *long_allow_list(void)
{
    static const char head[] = "192.0.2.1", tail[] = ",64.0.0.0/20";
    memset(long_list, ' ', sizeof long_list - 1);
    memcpy(long_list, head, sizeof head - 1);
    memcpy(long_list + sizeof long_list - sizeof tail, tail, sizeof tail);
    assert_int_equal(strlen(long_list), 4096);
    assert_memory_equal(long_list + 4095 - 10, "64.0.0.0/2", 10);
    return long_list;
}

static void a_site_allow_list_too_long_to_read_fails_closed(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(status_of(&f->host, f->key, "127.0.0.1"), 200);
    const char *list = long_allow_list();
    static char sql[4096 + 1200];
    snprintf(sql, sizeof sql, "UPDATE settings SET value = '%s' WHERE name = 'allowed_ips'", list);
    sql_by_hand(f->dir, sql);
    fake_host_unload(&f->host);
    load(f); /* a new process reads the file */
    assert_int_equal(status_of(&f->host, f->key, "127.0.0.1"), 503); /* never 200 through "64.0.0.0/2" */
    assert_int_equal(status_of(&f->host, f->key, "64.0.0.1"), 503);
    assert_non_null(strstr(f->host.log, "allowed IPs for the site key longer than this plugin reads"));
    char out[PANEL_VALUE_MAX + 1];
    assert_int_equal(fake_get(&f->host, "allowed_ips", &f->owner, out, sizeof out), PANEL_E_STORE);
    /* Set again from the panel, the key works as before. */
    char msg[512];
    assert_int_equal(fake_set(&f->host, "allowed_ips", &f->owner, "127.0.0.1", 9, msg, sizeof msg), PANEL_OK);
    assert_int_equal(status_of(&f->host, f->key, "127.0.0.1"), 200);
    assert_int_equal(status_of(&f->host, f->key, "64.0.0.1"), 403);
}

typedef struct named_create {
    store_named_t key;
    uint8_t digest[KEY_DIGEST_LEN];
    int64_t id;
} named_create_t;

static int32_t create_named_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_create_t *c = vctx;
    return store_named_create(&st->store, &c->key, c->digest, 0, "sak_..test", &c->id, msg, msg_len);
}

static int32_t count_row(void *ctx, const store_named_t *row)
{
    (void)row;
    ++*(int *)ctx;
    return PANEL_OK;
}

static void named_key_settings_too_long_to_read_fail_closed(void **state)
{
    int rows = 0;
    fixture_t *f = *state;
    apikeys_state_t *st = f->host.state;
    named_create_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.key.label, sizeof c.key.label, "bot");
    snprintf(c.key.scopes, sizeof c.key.scopes, "store.read");
    snprintf(c.key.allowed_ips, sizeof c.key.allowed_ips, "64.0.0.0/20");
    char named[80], msg[512];
    assert_int_equal(key_generate(st->config.key_prefix, st->config.prefix_len, named, sizeof named), 0);
    key_digest(st->secret, named, strlen(named), c.digest);
    assert_int_equal(apikeys_write(st, create_named_tx, &c, msg, sizeof msg, NULL, 0), PANEL_OK);
    assert_int_equal(status_of(&f->host, named, "127.0.0.1"), 403);
    assert_int_equal(status_of(&f->host, named, "64.0.0.1"), 200);

    const char *list = long_allow_list();
    static char sql[4096 + 1200];
    snprintf(sql, sizeof sql, "UPDATE named_keys SET allowed_ips = '%s' WHERE id = %lld", list, (long long)c.id);
    sql_by_hand(f->dir, sql);
    fake_host_unload(&f->host);
    load(f);
    assert_int_equal(status_of(&f->host, named, "127.0.0.1"), 503); /* never 200 through "64.0.0.0/2" */
    assert_int_equal(status_of(&f->host, f->key, "127.0.0.1"), 503); /* the snapshot as a whole */
    assert_non_null(strstr(f->host.log, "with scopes or allowed IPs longer than this plugin reads"));
    /* The listing (the Named keys table, and the record an edit starts from) refuses it too. */
    st = f->host.state;
    assert_int_equal(store_read_named(&st->store, 0, 10, count_row, &rows, msg, sizeof msg), PANEL_E_STORE);
    assert_int_equal(rows, 0);
    assert_non_null(strstr(msg, "longer than this plugin reads"));

    /* Scopes too long to read are refused the same way (cut, a scope list could change meaning). */
    char scopes[1100];
    memset(scopes, 'a', 1099);
    scopes[1099] = '\0';
    snprintf(sql, sizeof sql, "UPDATE named_keys SET allowed_ips = '', scopes = 'store.read,%s' WHERE id = %lld", scopes,
            (long long)c.id);
    sql_by_hand(f->dir, sql);
    fake_host_unload(&f->host);
    load(f);
    assert_int_equal(status_of(&f->host, named, "127.0.0.1"), 503);
    assert_non_null(strstr(f->host.log, "with scopes or allowed IPs longer than this plugin reads"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_site_allow_list_too_long_to_read_fails_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(named_key_settings_too_long_to_read_fail_closed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
