/* plugin_leak.c - the API Keys plugin's leak reports (ABI 1.3 panel_auth_provider_t.report_leak) through its entry
 * with a fake host: the provider offers report_leak; a reported site key is refused as 401 leaked naming the
 * report's date, and so it stays for 90 days (then unknown); the page shows the status line until Enable makes a
 * new key; a grace value's grace ends; unknown, malformed and already dead values change nothing (no audit row);
 * the audit row has the reporter's address, the escaped URL cut to 200 characters and the hint; no key is in any
 * file of the data directory or in the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

#define T0 1800000000
#define DAY 86400

typedef struct fixture {
    char *dir;
    fake_host_t host;
    panel_caller_t owner, owner_yes;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->dir = support_tmpdir();
    fake_host_init(&f->host, f->dir);
    f->host.now = T0;
    char err[512];
    if (fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "init failed: %s\n", err);
        return -1;
    }
    f->owner = fake_caller(1, 0);
    f->owner_yes = fake_caller(1, 1);
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

static int32_t report(fixture_t *f, const char *key, const char *url)
{
    const panel_leak_report_t r = {.struct_size = sizeof r, .credential = key, .credential_len = strlen(key),
                                   .found_at = url, .source = "github", .reporter_addr = "198.51.100.4"};
    char err[512] = "";
    assert_non_null(f->host.provider.report_leak);
    int32_t rc = f->host.provider.report_leak(f->host.state, &r, err, sizeof err);
    if (rc != PANEL_OK)
        fprintf(stderr, "report_leak: %s\n", err);
    return rc;
}

/* The status of a request with key; code and message filled. */
static int32_t ask(fixture_t *f, const char *key, char code[32], char message[256])
{
    int32_t status = 0;
    fake_auth(&f->host, key, NULL, &status, code, message);
    assert_null(strstr(message, key));
    return status;
}

static void run_action(fixture_t *f, const char *id, const char *grace, char secret[256])
{
    char msg[1024];
    secret[0] = '\0';
    assert_int_equal(fake_run(&f->host, id, &f->owner_yes, grace, msg, secret), PANEL_OK);
}

static int occurs_in_dir(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)) && !found) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        size_t m = strlen(needle);
        for (size_t i = 0; i + m <= n && !found; i++)
            found = memcmp(buf + i, needle, m) == 0;
    }
    if (d)
        closedir(d);
    return found;
}

static void site_key_is_leaked_for_90_days(void **state)
{
    fixture_t *f = *state;
    char key[256], code[32], message[256];
    run_action(f, "enable", NULL, key);
    assert_int_equal(ask(f, key, code, message), 200);
    assert_int_equal(report(f, key, "https://example.com/repo/.env"), PANEL_OK);
    assert_int_equal(ask(f, key, code, message), 401);
    assert_string_equal(code, "leaked");
    assert_string_equal(message, "this key was reported as leaked on 2027-01-15 08:00 UTC and revoked; ask the "
                                 "store owner for a new key");
    f->host.now = T0 + 90 * DAY - 1;
    assert_int_equal(ask(f, key, code, message), 401);
    assert_string_equal(code, "leaked");
    f->host.now = T0 + 90 * DAY;
    assert_int_equal(ask(f, key, code, message), 401);
    assert_string_equal(code, "unknown");
    assert_false(occurs_in_dir(f->dir, key));
    assert_null(strstr(f->host.log, key));
}

static void owner_sees_the_report_until_a_new_key(void **state)
{
    fixture_t *f = *state;
    char key[256], status[8192], audit[8192];
    run_action(f, "enable", NULL, key);
    static char url[400];
    snprintf(url, sizeof url, "https://example.com/<b>%s", "x");
    assert_int_equal(report(f, key, url), PANEL_OK);
    assert_int_equal(fake_status(&f->host, &f->owner, status, sizeof status), PANEL_OK);
    assert_non_null(strstr(status, "Leak report=The API key was reported as leaked on 2027-01-15 08:00 UTC from "
                                    "198.51.100.4 (found at https://example.com/%3Cb%3Ex) and revoked. Reset API "
                                    "key to make a new one.\n"));
    /* the summary's Key line says so in the owner's words */
    assert_non_null(strstr(status, "\nKey=revoked: reported as leaked on 2027-01-15 08:00 UTC. Reset API key to make "
                                    "a new one.\n"));
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 10, audit, sizeof audit), PANEL_OK);
    assert_non_null(strstr(audit, "leak report|198.51.100.4|leak-report|ok: the site key was revoked; found at "
                                  "https://example.com/%3Cb%3Ex|"));
    assert_null(strstr(audit, key));
    assert_null(strstr(status, key));
    f->host.now += 60;
    char fresh[256];
    run_action(f, "enable", NULL, fresh);
    assert_int_equal(strlen(fresh), 53);
    assert_int_equal(fake_status(&f->host, &f->owner, status, sizeof status), PANEL_OK);
    assert_null(strstr(status, "Leak report="));
}

static void long_place_is_cut_to_200(void **state)
{
    fixture_t *f = *state;
    char key[256], audit[8192];
    run_action(f, "enable", NULL, key);
    char url[600];
    memset(url, 'a', sizeof url - 1);
    url[sizeof url - 1] = '\0';
    memcpy(url + 198, " ", 1); /* an escape (%20) that would pass the 200th character: left out whole */
    assert_int_equal(report(f, key, url), PANEL_OK);
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 1, audit, sizeof audit), PANEL_OK);
    const char *at = strstr(audit, "found at ");
    assert_non_null(at);
    at += strlen("found at ");
    assert_int_equal(strcspn(at, "|"), 198);
}

static void grace_value_has_its_grace_ended(void **state)
{
    fixture_t *f = *state;
    char old[256], cur[256], code[32], message[256], status[8192];
    run_action(f, "enable", NULL, old);
    f->host.now += 10;
    run_action(f, "reset", "24h", cur);
    assert_int_equal(ask(f, old, code, message), 200);
    assert_int_equal(report(f, old, NULL), PANEL_OK);
    assert_int_equal(ask(f, old, code, message), 401);
    assert_string_equal(code, "leaked");
    assert_int_equal(ask(f, cur, code, message), 200);
    assert_int_equal(fake_status(&f->host, &f->owner, status, sizeof status), PANEL_OK);
    assert_null(strstr(status, "Previous key valid until"));
    assert_null(strstr(status, "Leak report=")); /* the current key was not reported */
}

static void unknown_malformed_and_dead_change_nothing(void **state)
{
    fixture_t *f = *state;
    char key[256], fresh[256], code[32], message[256], before[8192], after[8192];
    run_action(f, "enable", NULL, key);
    f->host.now += 10;
    run_action(f, "reset", "0", fresh); /* key is now dead (replaced) */
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 50, before, sizeof before), PANEL_OK);
    assert_int_equal(report(f, key, "https://x.test/"), PANEL_OK);   /* dead */
    assert_int_equal(report(f, "sak_short", NULL), PANEL_OK);      /* malformed */
    assert_int_equal(report(f, "a string that is no key", NULL), PANEL_OK);
    char unknown[64];
    memcpy(unknown, fresh, 54);
    unknown[10] = unknown[10] == 'A' ? 'B' : 'A'; /* a checksum mismatch: malformed */
    assert_int_equal(report(f, unknown, NULL), PANEL_OK);
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 50, after, sizeof after), PANEL_OK);
    assert_string_equal(before, after);
    assert_int_equal(ask(f, fresh, code, message), 200);
    assert_int_equal(ask(f, key, code, message), 401);
    assert_string_equal(code, "unknown"); /* a replaced key reported afterwards is not marked leaked */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(site_key_is_leaked_for_90_days, setup, teardown),
        cmocka_unit_test_setup_teardown(owner_sees_the_report_until_a_new_key, setup, teardown),
        cmocka_unit_test_setup_teardown(long_place_is_cut_to_200, setup, teardown),
        cmocka_unit_test_setup_teardown(grace_value_has_its_grace_ended, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_malformed_and_dead_change_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
