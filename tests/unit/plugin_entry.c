/* plugin_entry.c - the API Keys plugin driven through its exported entry with a fake host: registrations,
 * every action and its audit row, the api_key field's validation messages, every authentication outcome,
 * status lines and usage batching, permission re-checks, restart persistence, a second "process" on the same
 * data directory, fail-closed on a damaged store, and that no plaintext key reaches a file or the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

#define PAGE "settings/api-key"

typedef struct fixture {
    char *dir;
    fake_host_t host;
    panel_caller_t owner, owner_yes, stranger;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->dir = support_tmpdir();
    fake_host_init(&f->host, f->dir);
    f->host.now = 1800000000;
    char err[512];
    if (fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "init failed: %s\n", err);
        return -1;
    }
    f->owner = fake_caller(1, 0);
    f->owner_yes = fake_caller(1, 1);
    f->stranger = fake_caller(0, 1);
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

static int auth_status(fake_host_t *h, const char *key, char code[32])
{
    int32_t status;
    char message[256];
    fake_auth(h, key, NULL, &status, code, message);
    if (key && key[0])
        assert_null(strstr(message, key)); /* never echoed */
    return status;
}

static void enable_key(fixture_t *f, char secret[256])
{
    char msg[1024];
    assert_int_equal(fake_run(&f->host, "enable", &f->owner, NULL, msg, secret), PANEL_OK);
    assert_int_equal(strlen(secret), 53);
}

/* Is `needle` anywhere in any file under dir? */
static int occurs_in_dir(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d))) {
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

static void registers_menu_page_fields_actions_table_provider(void **state)
{
    fixture_t *f = *state;
    fake_host_t *h = &f->host;
    assert_int_equal(h->n_pages, 1);
    assert_string_equal(h->page.id, PAGE);
    assert_string_equal(h->page.title, "API Key");
    assert_string_equal(h->page.permission, "settings.api_key");
    assert_non_null(strstr(h->page.description, "Enable API access and manage the site API key"));
    assert_string_equal(h->menu.path, "Settings > API Key");
    assert_string_equal(h->menu.id, "apikeys.settings");
    assert_int_equal(fake_field(h, "api_status")->type, PANEL_FIELD_READONLY);
    assert_null(fake_field(h, "api_status")->set);
    const panel_field_t *key = fake_field(h, "api_key");
    assert_int_equal(key->type, PANEL_FIELD_SECRET);
    assert_true(key->flags & PANEL_FLAG_DANGEROUS);
    /* the same confirmation as reset, worded for a pasted key: it too breaks tools using the old key */
    assert_non_null(strstr(key->confirm, "every external tool that still uses the old key"));
    assert_non_null(strstr(key->confirm, "Update connected integrations"));
    assert_true(fake_action(h, "reset")->flags & PANEL_FLAG_DANGEROUS);
    assert_non_null(strstr(fake_action(h, "reset")->confirm, "breaks every external tool"));
    assert_non_null(fake_action(h, "enable"));
    assert_non_null(fake_action(h, "disable"));
    assert_non_null(fake_action(h, "end-grace"));
    assert_int_equal(h->n_tables, 2);
    /* usage: a time series (ABI 1.3) of hour, key, allowed, denied and one column per counted denial code */
    const panel_table_t *usage = &h->tables[0];
    assert_string_equal(usage->id, "usage");
    static const char *const codes[] = {"missing", "malformed", "unknown", "expired", "disabled", "store_unavailable",
                                        "ip_not_allowed", "rate_limited", "too_many_invalid",
                                        "rate_limit_unavailable", "scope", "leaked"};
    assert_int_equal(usage->n_columns, 4 + 12);
    assert_string_equal(usage->columns[0], "hour");
    assert_string_equal(usage->columns[1], "key");
    assert_string_equal(usage->columns[2], "allowed");
    assert_string_equal(usage->columns[3], "denied");
    for (int r = 0; r < 11; r++)
        assert_string_equal(usage->columns[4 + r], codes[r]);
    assert_int_equal(usage->time_column, 1);
    assert_int_equal(usage->group_column, 2);
    assert_int_equal(usage->series_columns, (1u << 2) | (1u << 3));
    assert_int_equal(usage->series_flags, PANEL_SERIES_STACKED);
    assert_string_equal(usage->series_unit, "requests");
    assert_string_equal(h->tables[1].id, "audit");
    assert_int_equal(h->tables[1].n_columns, 6);
    assert_int_equal(h->n_providers, 1);
    assert_string_equal(panel_plugin_entry.id, "apikeys");
}

static void enable_creates_a_key_once_and_it_authenticates(void **state)
{
    fixture_t *f = *state;
    char msg[1024], secret[256], code[32], out[256];
    assert_int_equal(fake_get(&f->host, "api_key", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "(no key)");
    enable_key(f, secret);
    assert_int_equal(auth_status(&f->host, secret, code), 200);
    assert_string_equal(code, "apikeys:site");
    /* Bearer works too */
    char bearer[300];
    snprintf(bearer, sizeof bearer, "Bearer %s", secret);
    int32_t status;
    char message[256];
    assert_int_equal(fake_auth(&f->host, NULL, bearer, &status, code, message), PANEL_AUTH_ALLOW);
    /* again: already enabled, no new secret */
    char again[256];
    assert_int_equal(fake_run(&f->host, "enable", &f->owner, NULL, msg, again), PANEL_OK);
    assert_string_equal(again, "");
    assert_non_null(strstr(msg, "already enabled"));
    assert_int_equal(fake_get(&f->host, "api_status", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "enabled");
    assert_int_equal(fake_get(&f->host, "api_key", &f->owner, out, sizeof out), PANEL_OK);
    char hint[64];
    snprintf(hint, sizeof hint, "sak_\xE2\x80\xA6%.4s", secret + 49);
    assert_string_equal(out, hint);
    assert_false(occurs_in_dir(f->dir, secret));
    assert_null(strstr(f->host.log, secret));
}

static void every_denial_outcome(void **state)
{
    fixture_t *f = *state;
    char secret[256], code[32];
    int32_t status;
    char message[256];
    /* before any key exists */
    assert_int_equal(auth_status(&f->host, "sak_whatever", code), 401);
    assert_string_equal(code, "malformed");
    enable_key(f, secret);
    /* no credential of ours at all: abstain (plugin.h); the host answers 401 missing */
    assert_int_equal(fake_auth(&f->host, NULL, NULL, &status, code, message), PANEL_AUTH_ABSTAIN);
    assert_int_equal(fake_auth(&f->host, "", NULL, &status, code, message), PANEL_AUTH_ABSTAIN);
    /* an empty Bearer credential is ours, and missing */
    assert_int_equal(fake_auth(&f->host, NULL, "Bearer ", &status, code, message), PANEL_AUTH_DENY);
    assert_string_equal(code, "missing");
    assert_non_null(strstr(message, "X-API-Key"));
    assert_int_equal(fake_auth(&f->host, NULL, "Basic dXNlcjpwYXNz", &status, code, message), PANEL_AUTH_ABSTAIN);
    /* the valid key in X-API-Key and another value in Authorization: Bearer: refused, 400 */
    {
        char both[300];
        snprintf(both, sizeof both, "Bearer %s", "sak_someotherkeyvalue");
        assert_int_equal(fake_auth(&f->host, secret, both, &status, code, message), PANEL_AUTH_DENY);
        assert_int_equal(status, 400);
        assert_string_equal(code, "conflicting_credentials");
        assert_non_null(strstr(message, "one header only"));
        snprintf(both, sizeof both, "Bearer %s", secret); /* the same key twice is one credential */
        assert_int_equal(fake_auth(&f->host, secret, both, &status, code, message), PANEL_AUTH_ALLOW);
        /* X-API-Key with another scheme in Authorization (e.g. a proxy's Basic): the key decides */
        assert_int_equal(fake_auth(&f->host, secret, "Basic dXNlcjpwYXNz", &status, code, message), PANEL_AUTH_ALLOW);
    }
    char bad[64];
    snprintf(bad, sizeof bad, "%.53s", secret);
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_status(&f->host, bad, code), 401);
    assert_string_equal(code, "malformed");
    bad[52] = '\0';
    assert_int_equal(auth_status(&f->host, bad, code), 401);
    assert_string_equal(code, "malformed");
    char other[64];
    assert_int_equal(auth_status(&f->host, "an-imported-key-that-nobody-ever-saved-here", code), 401);
    assert_string_equal(code, "unknown");
    /* a well-formed key of ours that is not stored */
    {
        char msg[1024], s2[256];
        assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "0", msg, s2), PANEL_OK);
        snprintf(other, sizeof other, "%.53s", secret);
        assert_int_equal(auth_status(&f->host, other, code), 401);
        assert_string_equal(code, "unknown");
        assert_non_null(strstr(msg, "stopped working"));
        snprintf(secret, 256, "%s", s2);
    }
    /* a stale key in Authorization beside the current one in X-API-Key: two credentials, refused */
    char bearer[300];
    snprintf(bearer, sizeof bearer, "Bearer %s", other);
    assert_int_equal(fake_auth(&f->host, secret, bearer, &status, code, message), PANEL_AUTH_DENY);
    assert_string_equal(code, "conflicting_credentials");
    /* disabled: 403 only for a valid key */
    char msg[1024], none[256];
    assert_int_equal(fake_run(&f->host, "disable", &f->owner, NULL, msg, none), PANEL_OK);
    assert_int_equal(auth_status(&f->host, secret, code), 403);
    assert_string_equal(code, "disabled");
    assert_int_equal(auth_status(&f->host, other, code), 401);
    assert_string_equal(code, "unknown");
    assert_int_equal(fake_run(&f->host, "disable", &f->owner, NULL, msg, none), PANEL_OK);
    assert_non_null(strstr(msg, "already disabled"));
    assert_int_equal(fake_run(&f->host, "enable", &f->owner, NULL, msg, none), PANEL_OK);
    assert_string_equal(none, ""); /* the same key is restored, nothing revealed */
    assert_int_equal(auth_status(&f->host, secret, code), 200);
}

/* What a host hands the provider (RFC 9110): a header sent twice as its values joined by ", ", each value maybe
 * still with whitespace around it. The key is the value without it; one X-API-Key sent twice is one key; two
 * different ones are two credentials (400 conflicting_credentials), whichever comes first. */
static void repeated_and_padded_key_headers(void **state)
{
    fixture_t *f = *state;
    char key[256], other[256], code[32], message[256], value[700], bearer[700];
    int32_t status;
    enable_key(f, key);
    snprintf(other, sizeof other, "%s", key);
    other[10] = other[10] == 'A' ? 'B' : 'A'; /* a different (malformed) value */
    const char *same[] = {" %s", "%s\t", " \t%s \t", "%s, %s", "%s,%s", "%s ,\t%s", "%s, ", ", %s", "%s, %s, %s"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        snprintf(value, sizeof value, same[i], key, key, key);
        if (fake_auth(&f->host, value, NULL, &status, code, message) != PANEL_AUTH_ALLOW)
            fail_msg("X-API-Key \"%s\" (the key padded or repeated): %d %s", same[i], status, code);
    }
    const char *differ[][3] = {{key, ", ", other}, {other, ", ", key}, {key, ",", other}, {key, ", , ", other}};
    for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++) {
        snprintf(value, sizeof value, "%s%s%s", differ[i][0], differ[i][1], differ[i][2]);
        assert_int_equal(fake_auth(&f->host, value, NULL, &status, code, message), PANEL_AUTH_DENY);
        assert_int_equal(status, 400);
        assert_string_equal(code, "conflicting_credentials");
        assert_null(strstr(message, key));
    }
    /* Authorization: Bearer is trimmed too, and compared with X-API-Key after trimming */
    snprintf(bearer, sizeof bearer, "Bearer  %s \t", key);
    assert_int_equal(fake_auth(&f->host, NULL, bearer, &status, code, message), PANEL_AUTH_ALLOW);
    snprintf(value, sizeof value, " %s, %s", key, key);
    assert_int_equal(fake_auth(&f->host, value, bearer, &status, code, message), PANEL_AUTH_ALLOW);
    snprintf(bearer, sizeof bearer, "Bearer %s", other);
    assert_int_equal(fake_auth(&f->host, value, bearer, &status, code, message), PANEL_AUTH_DENY);
    assert_string_equal(code, "conflicting_credentials");
    /* only whitespace and commas: no credential of ours */
    assert_int_equal(fake_auth(&f->host, " , \t", NULL, &status, code, message), PANEL_AUTH_ABSTAIN);
}

/* A host that hands the provider no state, or a request without its header function, made a bad request: 400
 * bad_request says so (not 503 store_unavailable, which would send the owner looking at the key store). */
static void an_incomplete_request_is_a_bad_request(void **state)
{
    fixture_t *f = *state;
    char key[256], principal[64], code[32], message[256];
    enable_key(f, key);
    panel_request_t r = {sizeof(panel_request_t), "GET", "/api/v1/ping", "127.0.0.1", NULL, NULL, NULL};
    panel_auth_result_t res = {sizeof res, 0, principal, sizeof principal, code, sizeof code, message, sizeof message,
                               0, NULL, 0, NULL, 0, 0, 0};
    assert_int_equal(f->host.provider.authenticate(f->host.state, &r, &res), PANEL_AUTH_DENY);
    assert_int_equal(res.http_status, 400);
    assert_string_equal(code, "bad_request");
    assert_non_null(strstr(message, "incomplete request"));
    res.http_status = 0;
    code[0] = '\0';
    assert_int_equal(f->host.provider.authenticate(NULL, &r, &res), PANEL_AUTH_DENY);
    assert_int_equal(res.http_status, 400);
    assert_string_equal(code, "bad_request");
}

static void grace_reset_keeps_old_key_until_it_expires_or_ends(void **state)
{
    fixture_t *f = *state;
    char old[256], fresh[256], msg[1024], none[256], code[32];
    enable_key(f, old);
    assert_int_equal(fake_run(&f->host, "end-grace", &f->owner, NULL, msg, none), PANEL_E_STATE);
    assert_string_equal(msg, "No previous key is in a grace period; nothing changed.");
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "1h", msg, fresh), PANEL_OK);
    assert_non_null(strstr(msg, "valid until 2027-01-15 09:00 UTC"));
    assert_int_equal(auth_status(&f->host, old, code), 200);
    assert_int_equal(auth_status(&f->host, fresh, code), 200);
    char status[4096];
    assert_int_equal(fake_status(&f->host, &f->owner, status, sizeof status), PANEL_OK);
    assert_non_null(strstr(status, "Previous key valid until=2027-01-15 09:00 UTC"));
    assert_non_null(strstr(status, "Previous key last used=2027-01-15 08:00 UTC (1 requests)"));
    f->host.now += 3600;
    assert_int_equal(auth_status(&f->host, old, code), 401);
    assert_string_equal(code, "expired");
    assert_int_equal(auth_status(&f->host, fresh, code), 200);
    f->host.now -= 3600;
    assert_int_equal(auth_status(&f->host, old, code), 200);
    assert_int_equal(fake_run(&f->host, "end-grace", &f->owner, NULL, msg, none), PANEL_OK);
    assert_int_equal(auth_status(&f->host, old, code), 401);
    assert_string_equal(code, "unknown");
    assert_int_equal(auth_status(&f->host, fresh, code), 200);
}

static void reset_needs_confirmation_and_permission(void **state)
{
    fixture_t *f = *state;
    char key[256], msg[1024], none[256], code[32], out[256];
    enable_key(f, key);
    assert_int_equal(fake_run(&f->host, "reset", &f->owner, "0", msg, none), PANEL_E_CONFIRM);
    assert_string_equal(none, "");
    assert_non_null(strstr(msg, "Update connected integrations"));
    assert_int_equal(auth_status(&f->host, key, code), 200);
    const char *actions[] = {"enable", "disable", "reset", "end-grace"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fake_run(&f->host, actions[i], &f->stranger, "0", msg, none), PANEL_E_DENIED);
        assert_string_equal(none, "");
    }
    assert_int_equal(fake_set(&f->host, "api_key", &f->stranger, "abcdefghijklmnopqrstuvwxyz0123456789", 36, msg,
                              sizeof msg),
                     PANEL_E_DENIED);
    assert_int_equal(fake_get(&f->host, "api_key", &f->stranger, out, sizeof out), PANEL_E_DENIED);
    assert_int_equal(fake_get(&f->host, "api_status", &f->stranger, out, sizeof out), PANEL_E_DENIED);
    char text[4096];
    assert_int_equal(fake_status(&f->host, &f->stranger, text, sizeof text), PANEL_E_DENIED);
    assert_int_equal(fake_table(&f->host, "audit", &f->stranger, 0, 10, text, sizeof text), PANEL_E_DENIED);
    assert_int_equal(auth_status(&f->host, key, code), 200); /* nothing changed */
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 3, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "helpdesk|uid 1000|key change|refused: your role lacks the permission"));
}

static void pasted_key_validation_messages(void **state)
{
    fixture_t *f = *state;
    const panel_field_t *field = fake_field(&f->host, "api_key");
    struct {
        const char *value;
        size_t len;
        const char *message;
    } cases[] = {
        {"", 0, "the key is empty"},
        {"abcdefghijklmnopqrstuvwxyz0123456789 ", 37, "the key has a trailing space; paste it exactly, without spaces"},
        {" abcdefghijklmnopqrstuvwxyz0123456789", 37, "the key has a leading space"},
        {"\tabcdefghijklmnopqrstuvwxyz0123456789", 37, "the key has a leading tab"},
        {"abcdefghijklmnopqrstuvwxyz0123456789\n", 37, "the key has a trailing newline"},
        {"abcdefghijklmnop\0rstuvwxyz0123456789", 36, "NUL byte at position 17"},
        {"abcdefghijklmnop\x01qrstuvwxyz0123456789", 37, "outside printable ASCII at position 17"},
        {"abcdefghijklmnop\xC3\xA9qrstuvwxyz0123456789", 38, "outside printable ASCII at position 17"},
        {"abcdefghijklmnop qrstuvwxyz0123456789", 37, "space at position 17"},
        {"short-key", 9, "too short (9 characters; at least 32"},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 40, "the key is too weak: it uses only 1 different character "},
        {"abababababababababababababababababababab", 40, "too weak: it uses only 2 different characters (at least 12"},
        {"0123456789012345678901234567890123456789", 40, "too weak: it uses only 10 different characters"},
        {"sak_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 53,
         "looks like a sak_ key but its checksum does not match; it was probably mistyped or truncated"},
    };
    char err[512], msg[1024], code[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(field->validate(f->host.state, cases[i].value, cases[i].len, err, sizeof err),
                         PANEL_E_INVALID);
        if (!strstr(err, cases[i].message))
            fail_msg("case %zu: got \"%s\"", i, err);
        assert_int_equal(fake_set(&f->host, "api_key", &f->owner_yes, cases[i].value, cases[i].len, msg, sizeof msg),
                         PANEL_E_INVALID);
        assert_non_null(strstr(msg, cases[i].message));
    }
    char out[256];
    assert_int_equal(fake_get(&f->host, "api_key", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "(no key)"); /* nothing changed */
    /* a valid pasted key replaces the current one */
    char key[256];
    enable_key(f, key);
    const char *imported = "imported-key-0123456789-abcdefghijklmnopqrstuv";
    assert_int_equal(field->validate(f->host.state, imported, strlen(imported), err, sizeof err), PANEL_OK);
    assert_int_equal(fake_set(&f->host, "api_key", &f->owner, imported, strlen(imported), msg, sizeof msg),
                     PANEL_E_CONFIRM);
    assert_int_equal(fake_set(&f->host, "api_key", &f->owner_yes, imported, strlen(imported), msg, sizeof msg),
                     PANEL_OK);
    assert_non_null(strstr(msg, "the previous key no longer works"));
    assert_int_equal(auth_status(&f->host, imported, code), 200);
    assert_int_equal(auth_status(&f->host, key, code), 401);
    assert_int_equal(fake_get(&f->host, "api_key", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "\xE2\x80\xA6stuv");
    /* pasting the replaced key back is refused: a retired (maybe leaked) key never comes back to life */
    assert_int_equal(fake_set(&f->host, "api_key", &f->owner_yes, key, strlen(key), msg, sizeof msg),
                     PANEL_E_INVALID);
    assert_non_null(strstr(msg, "this key was replaced on 2027-01-15 08:00 UTC; paste a key that was never used here, "
                                "or use Reset"));
    assert_int_equal(auth_status(&f->host, key, code), 401);
    assert_int_equal(auth_status(&f->host, imported, code), 200);
    /* so is a key still in its grace period */
    char fresh[256];
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "1h", msg, fresh), PANEL_OK);
    assert_int_equal(fake_set(&f->host, "api_key", &f->owner_yes, imported, strlen(imported), msg, sizeof msg),
                     PANEL_E_INVALID);
    assert_non_null(strstr(msg, "this key was replaced on"));
    assert_int_equal(auth_status(&f->host, fresh, code), 200);
    /* the current key pasted again changes nothing */
    assert_int_equal(fake_set(&f->host, "api_key", &f->owner_yes, fresh, strlen(fresh), msg, sizeof msg), PANEL_OK);
    assert_non_null(strstr(msg, "already the current key"));
    assert_false(occurs_in_dir(f->dir, imported));
    assert_false(occurs_in_dir(f->dir, key));
    assert_false(occurs_in_dir(f->dir, fresh));
    char audit[8192];
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 100, audit, sizeof audit), PANEL_OK);
    assert_non_null(strstr(audit, "key change|ok|"));
    assert_non_null(strstr(audit, "key change|refused: this key was replaced on"));
    assert_non_null(strstr(audit, "key change|refused: the key has a trailing space"));
    assert_null(strstr(audit, imported));
}

static void status_lines_and_usage_counts(void **state)
{
    fixture_t *f = *state;
    char key[256], code[32], text[4096];
    assert_int_equal(fake_status(&f->host, &f->owner, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "API=disabled"));
    assert_non_null(strstr(text, "Key=none - run Enable or Reset to create one"));
    enable_key(f, key);
    for (int i = 0; i < 5; i++)
        assert_int_equal(auth_status(&f->host, key, code), 200);
    int32_t bearer_status;
    char bearer_message[256];
    fake_auth(&f->host, NULL, "Bearer ", &bearer_status, code, bearer_message); /* missing */
    auth_status(&f->host, NULL, code); /* no credential: abstains, not counted */
    auth_status(&f->host, "sak_x", code);
    auth_status(&f->host, "sak_x", code);
    assert_int_equal(fake_status(&f->host, &f->owner, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "API=enabled"));
    assert_non_null(strstr(text, "Key created=2027-01-15 08:00 UTC"));
    assert_non_null(strstr(text, "Key last used=2027-01-15 08:00 UTC"));
    assert_non_null(strstr(text, "Requests with this key=5"));
    assert_non_null(strstr(text, "Denied requests=missing 1, malformed 2, unknown 0, expired 0, disabled 0"));
    assert_non_null(strstr(text, "Last denied request=2027-01-15 08:00 UTC"));
    assert_non_null(strstr(text, "Send the key in=X-API-Key: <key> or Authorization: Bearer <key>"));
    /* counts are added, not overwritten */
    auth_status(&f->host, key, code);
    assert_int_equal(fake_status(&f->host, &f->owner, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "Requests with this key=6"));
}

/* The summary an owner reads comes first, always the same 5 lines (status_summary_lines), then the details. */
static void status_summary_first_then_details(void **state)
{
    fixture_t *f = *state;
    char key[256], code[32], text[4096], s2[256], msg[1024];
    assert_int_equal(f->host.page.status_summary_lines, 5);
    assert_int_equal(fake_status(&f->host, &f->owner, text, sizeof text), PANEL_OK);
    assert_true(strncmp(text, "API=disabled (requests with a valid key get 403)\n"
                              "Key=none - run Enable or Reset to create one\n"
                              "Last request with this key=never\n"
                              "Old key=none\n"
                              "Refused requests=none\n"
                              "Store=",
                        strlen("API=disabled (requests with a valid key get 403)\n"
                               "Key=none - run Enable or Reset to create one\n"
                               "Last request with this key=never\n"
                               "Old key=none\n"
                               "Refused requests=none\n"
                               "Store=")) == 0);
    enable_key(f, key);
    auth_status(&f->host, key, code);
    auth_status(&f->host, key, code);
    auth_status(&f->host, "sak_x", code);
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "1h", msg, s2), PANEL_OK);
    assert_int_equal(fake_status(&f->host, &f->owner, text, sizeof text), PANEL_OK);
    char *lines[6];
    char *save = NULL;
    lines[0] = strtok_r(text, "\n", &save);
    for (int i = 1; i < 6; i++)
        lines[i] = strtok_r(NULL, "\n", &save);
    assert_string_equal(lines[0], "API=enabled");
    assert_true(strncmp(lines[1], "Key=present (sak_", 17) == 0);
    assert_string_equal(lines[2], "Last request with this key=never"); /* the new value was not used yet */
    assert_non_null(strstr(lines[3], "works until 2027-01-15 09:00 UTC; last request 2027-01-15 08:00 UTC"));
    assert_true(strncmp(lines[3], "Old key=sak_", 12) == 0);
    assert_string_equal(lines[4], "Refused requests=1 (by reason in the details below)");
    assert_true(strncmp(lines[5], "Store=SQLite", 12) == 0);
}

/* The API key field is offered once the API is enabled (ABI 1.3 panel_field_t.available). */
static void key_field_available_once_enabled(void **state)
{
    fixture_t *f = *state;
    char key[256], reason[PANEL_MESSAGE_MAX];
    const panel_field_t *field = fake_field(&f->host, "api_key");
    assert_non_null(field->available);
    assert_null(fake_field(&f->host, "allowed_ips")->available);
    assert_int_equal(field->available(f->host.state, &f->owner, reason, sizeof reason), PANEL_E_STATE);
    assert_non_null(strstr(reason, "Enable the API first"));
    enable_key(f, key);
    assert_int_equal(field->available(f->host.state, &f->owner, reason, sizeof reason), PANEL_OK);
    assert_int_equal(field->available(f->host.state, &f->stranger, reason, sizeof reason), PANEL_E_DENIED);
}

static void state_survives_a_restart(void **state)
{
    fixture_t *f = *state;
    char key[256], code[32], err[512], text[4096];
    enable_key(f, key);
    auth_status(&f->host, key, code);
    fake_host_unload(&f->host);
    assert_int_equal(fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    assert_int_equal(auth_status(&f->host, key, code), 200);
    assert_int_equal(fake_status(&f->host, &f->owner, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "Requests with this key=2"));
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 10, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "enable|ok: new key created"));
}

static void a_second_process_sees_a_reset_at_its_next_verification(void **state)
{
    fixture_t *f = *state;
    char key[256], code[32], err[512], msg[1024], fresh[256];
    enable_key(f, key);
    fake_host_t *other = calloc(1, sizeof *other);
    fake_host_init(other, f->dir);
    assert_int_equal(fake_host_load(other, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    assert_int_equal(auth_status(other, key, code), 200);
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "0", msg, fresh), PANEL_OK);
    assert_int_equal(auth_status(other, key, code), 401);
    assert_int_equal(auth_status(other, fresh, code), 200);
    assert_int_equal(fake_run(&f->host, "disable", &f->owner, NULL, msg, err), PANEL_OK);
    assert_int_equal(auth_status(other, fresh, code), 403);
    fake_host_unload(other);
    free(other);
}

static void config_errors_fail_init_with_a_clear_message(void **state)
{
    fixture_t *f = *state;
    fake_host_t *h = calloc(1, sizeof *h);
    fake_host_init(h, f->dir);
    fake_host_config(h, "key_prefix", "sk_");
    char err[512];
    assert_int_equal(fake_host_load(h, &panel_plugin_entry, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "key_prefix"));
    fake_host_init(h, f->dir);
    fake_host_config(h, "key_prefix", "shop_");
    fake_host_config(h, "default_grace", "24h");
    assert_int_equal(fake_host_load(h, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    char key[256], msg[1024], code[32];
    panel_caller_t owner = fake_caller(1, 1);
    assert_int_equal(fake_run(h, "enable", &owner, NULL, msg, key), PANEL_OK);
    assert_memory_equal(key, "shop_", 5);
    char fresh[256];
    assert_int_equal(fake_run(h, "reset", &owner, NULL, msg, fresh), PANEL_OK); /* default grace 24h */
    assert_non_null(strstr(msg, "grace 24h"));
    assert_int_equal(auth_status(h, key, code), 200);
    fake_host_unload(h);
    free(h);
}

static void secret_file_permissions_are_checked(void **state)
{
    fixture_t *f = *state;
    fake_host_unload(&f->host);
    char path[2048], err[512];
    snprintf(path, sizeof path, "%s/apikeys.secret", f->dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/apikeys.db", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/apikeys.secret", f->dir);
    chmod(path, 0644);
    assert_int_not_equal(fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    assert_non_null(strstr(err, "chmod 600"));
    chmod(path, 0600);
    assert_int_equal(fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err), PANEL_OK);
}

static void damaged_store_denies_everything(void **state)
{
    fixture_t *f = *state;
    char key[256], code[32], err[512];
    enable_key(f, key);
    fake_host_unload(&f->host);
    assert_int_equal(fake_host_load(&f->host, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    /* Another process damages the store (its keys table is gone) and signals a change. */
    char path[2048];
    snprintf(path, sizeof path, "%s/apikeys.db", f->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE keys", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    int fd;
    snprintf(path, sizeof path, "%s/apikeys.epoch", f->dir);
    fd = open(path, O_RDWR);
    uint64_t c = 0;
    assert_int_equal(pread(fd, &c, 8, 0), 8);
    c += 2;
    assert_int_equal(pwrite(fd, &c, 8, 0), 8);
    close(fd);
    assert_int_equal(auth_status(&f->host, key, code), 503);
    assert_string_equal(code, "store_unavailable");
    assert_int_equal(auth_status(&f->host, key, code), 503);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(registers_menu_page_fields_actions_table_provider, setup, teardown),
        cmocka_unit_test_setup_teardown(enable_creates_a_key_once_and_it_authenticates, setup, teardown),
        cmocka_unit_test_setup_teardown(every_denial_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(repeated_and_padded_key_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(an_incomplete_request_is_a_bad_request, setup, teardown),
        cmocka_unit_test_setup_teardown(grace_reset_keeps_old_key_until_it_expires_or_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_needs_confirmation_and_permission, setup, teardown),
        cmocka_unit_test_setup_teardown(pasted_key_validation_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(status_lines_and_usage_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(status_summary_first_then_details, setup, teardown),
        cmocka_unit_test_setup_teardown(key_field_available_once_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(state_survives_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(a_second_process_sees_a_reset_at_its_next_verification, setup, teardown),
        cmocka_unit_test_setup_teardown(config_errors_fail_init_with_a_clear_message, setup, teardown),
        cmocka_unit_test_setup_teardown(secret_file_permissions_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(damaged_store_denies_everything, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
