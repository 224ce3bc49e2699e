/* host_process_verdict.c - unit tests of the per-request entry points for bindings (host.h, after the rows):
 * panelhost_process_host (the open host found by its config path, never opening one, extension changes of
 * other processes applied, other spellings resolved, a fork child opening its own) and panelhost_process_verdict
 * (the request as one buffer, the route's scope required, the outcome as one text, a NUL inside a string
 * refused by the count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include "host_test.h"

/* The good fixture's ALLOW as a verdict: principal, label, scopes. */
#define ALLOWED_GOOD "Afixture:good\nGood fixture\nfixture.read\n0\n0" /* the fixture announces no Deprecation or Sunset */

static void assert_starts(const char *text, const char *prefix)
{
    if (strncmp(text, prefix, strlen(prefix)) != 0)
        fail_msg("expected \"%s\" to start with \"%s\"", text, prefix);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

typedef struct scratch {
    char *dir;
    char *config;
} scratch_t;

static scratch_t scratch_good(void)
{
    char text[4096];
    snprintf(text, sizeof text,
             "[host]\ndata_dir = data\nplugins = %s\n[role:owner]\npermissions = *\n[user:admin]\nrole = owner\n",
             support_fixture("good"));
    scratch_t s;
    s.dir = support_tmpdir();
    assert_non_null(s.dir);
    s.config = support_write_file(s.dir, "panel.ini", text, strlen(text), 0600);
    assert_non_null(s.config);
    return s;
}

static void scratch_free(scratch_t *s)
{
    support_rmtree(s->dir);
    free(s->dir);
    free(s->config);
}

static panelhost_t *process_open(const char *config)
{
    panelhost_t *host = NULL;
    char err[1024] = "";
    if (panelhost_process_open(config, 0, &host, err, sizeof err) != PANEL_OK)
        fail_msg("panelhost_process_open: %s", err);
    return host;
}

/* "GET", "/api/v1/ping", "127.0.0.1", each NUL-terminated, then name NUL value NUL for the given pairs
 * (a NULL-terminated list). */
static size_t request_of(char *buf, size_t len, const char *const *pairs)
{
    static const char head[] = "GET\0/api/v1/ping\0" "127.0.0.1";
    memcpy(buf, head, sizeof head);
    size_t at = sizeof head;
    for (size_t i = 0; pairs && pairs[i]; i++) {
        size_t n = strlen(pairs[i]) + 1;
        assert_true(at + n <= len);
        memcpy(buf + at, pairs[i], n);
        at += n;
    }
    return at;
}

static void host_found_by_path_never_opened(void **unused)
{
    (void)unused;
    scratch_t s = scratch_good();
    assert_null(panelhost_process_host(s.config)); /* nothing open: NULL, and nothing is opened */
    assert_null(panelhost_process_host(s.config));
    panelhost_t *host = process_open(s.config);
    assert_ptr_equal(panelhost_process_host(s.config), host);

    char *other = NULL;
    assert_true(asprintf(&other, "%s/./panel.ini", s.dir) > 0);
    assert_ptr_equal(panelhost_process_host(other), host); /* another spelling: resolved, the same host */
    assert_ptr_equal(panelhost_process_host(s.config), host);
    free(other);
    char *missing = NULL;
    assert_true(asprintf(&missing, "%s/nope.ini", s.dir) > 0);
    assert_null(panelhost_process_host(missing));
    free(missing);

    /* a relative path is resolved each time (it depends on the working directory) */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(s.dir), 0);
    assert_ptr_equal(panelhost_process_host("panel.ini"), host);
    assert_ptr_equal(process_open("panel.ini"), host);
    assert_int_equal(chdir(cwd), 0);
    assert_ptr_equal(panelhost_process_host(s.config), host);

    panelhost_process_close();
    assert_null(panelhost_process_host(s.config));
    scratch_free(&s);
}

static void extension_change_seen_by_the_lookup(void **unused)
{
    (void)unused;
    scratch_t s = scratch_good();
    panelhost_t *host = process_open(s.config);
    assert_int_equal(panelhost_plugin_count(host), 1);

    /* "another process": a separate host on the same config disables the extension */
    panelhost_options_t options = {.config_path = s.config, .min_log_level = PANEL_LOG_ERROR};
    panelhost_t *other = NULL;
    char err[1024] = "";
    assert_int_equal(panelhost_open(&options, &other, err, sizeof err), PANEL_OK);
    assert_int_equal(panelhost_extensions_load(other, NULL, NULL), 0);
    panel_caller_t admin = {.struct_size = sizeof admin};
    assert_int_equal(panelhost_caller_init(other, &admin, "admin", PANEL_ORIGIN_CLI, 0, NULL, 1, err, sizeof err),
                     PANEL_OK);
    assert_int_equal(panelhost_extension_set_enabled(other, &admin, "good", 0, err, sizeof err), PANEL_OK);

    char request[512];
    static const char *const key[] = {"X-Fixture", "letmein", NULL};
    size_t len = request_of(request, sizeof request, key);
    const char *verdict = panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len);
    assert_starts(verdict, "D503no_auth_provider\n"); /* the fast path applied the change before asking */
    assert_ptr_equal(panelhost_process_host(s.config), host);
    assert_int_equal(panelhost_plugin_count(host), 0);

    assert_int_equal(panelhost_extension_set_enabled(other, &admin, "good", 1, err, sizeof err), PANEL_OK);
    panelhost_close(other);
    assert_ptr_equal(panelhost_process_host(s.config), host);
    assert_int_equal(panelhost_plugin_count(host), 1);
    assert_string_equal(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len), ALLOWED_GOOD);
    panelhost_process_close();
    scratch_free(&s);
}

static void fork_child_opens_its_own(void **unused)
{
    (void)unused;
    scratch_t s = scratch_good();
    panelhost_t *parent = process_open(s.config);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        int ok = panelhost_process_host(s.config) == NULL;
        panelhost_t *mine = NULL;
        char err[1024] = "";
        ok = ok && panelhost_process_open(s.config, 0, &mine, err, sizeof err) == PANEL_OK && mine != parent &&
             panelhost_process_host(s.config) == mine;
        panelhost_process_close();
        free(s.dir);
        free(s.config);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_ptr_equal(panelhost_process_host(s.config), parent);
    panelhost_process_close();
    scratch_free(&s);
}

static void verdict_as_one_text(void **unused)
{
    (void)unused;
    scratch_t s = scratch_good();
    char request[8192];
    static const char *const key[] = {"X-Fixture", "letmein", NULL};
    size_t len = request_of(request, sizeof request, key);
    assert_starts(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len), "D503host_not_open\n0\n");

    process_open(s.config);
    /* allowed: principal, label and scopes */
    assert_string_equal(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len), ALLOWED_GOOD);
    assert_string_equal(panelhost_process_verdict(s.config, "fixture.read", request, len), ALLOWED_GOOD);
    /* the route's scope reaches the provider: a credential without it is refused; no scope is no route */
    const char *verdict = panelhost_process_verdict(s.config, "fixture.write", request, len);
    assert_starts(verdict, "D403scope\n0\n");
    assert_contains(verdict, "fixture.write");
    verdict = panelhost_process_verdict(s.config, NULL, request, len);
    assert_starts(verdict, "D400bad_request\n0\n");
    assert_contains(verdict, "PANEL_SCOPE_NONE");
    assert_starts(panelhost_process_verdict(s.config, "", request, len), "D400bad_request\n0\n");

    static const char *const several[] = {"Accept", "*/*", "x-FIXTURE", " letmein\t", NULL};
    len = request_of(request, sizeof request, several);
    assert_string_equal(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len), ALLOWED_GOOD);
    /* a credential sent twice with different values: one joined value, which the provider refuses */
    static const char *const twice[] = {"X-Fixture", "letmein", "X-Fixture", "nope", NULL};
    len = request_of(request, sizeof request, twice);
    assert_starts(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len), "D401fixture_denied\n0\n");

    static const char *const wrong[] = {"X-Fixture", "nope", NULL};
    len = request_of(request, sizeof request, wrong);
    verdict = panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len);
    assert_starts(verdict, "D401fixture_denied\n0\n");
    assert_true(strlen(verdict) > strlen("D401fixture_denied\n0\n"));

    len = request_of(request, sizeof request, NULL); /* no headers */
    verdict = panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len);
    assert_starts(verdict, "D401missing\n0\n");
    assert_contains(verdict, "X-Fixture");

    /* a NUL inside a value: an even number of strings */
    static const char nul_inside[] = "GET\0/p\0::1\0X-Fixture\0let\0me\0";
    verdict = panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, nul_inside, sizeof nul_inside - 1);
    assert_starts(verdict, "D400bad_request\n0\n");
    assert_contains(verdict, "NUL byte");
    /* no final NUL, too few strings, nothing at all */
    assert_starts(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, nul_inside, sizeof nul_inside - 2),
                  "D400bad_request\n");
    verdict = panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, "GET\0/p", 7);
    assert_starts(verdict, "D400bad_request\n");
    assert_contains(verdict, "incomplete");
    assert_starts(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, NULL, 0), "D400bad_request\n");
    assert_starts(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, "", 1), "D400bad_request\n");
    /* more headers than the library accepts */
    len = request_of(request, sizeof request, NULL);
    for (unsigned i = 0; i <= PANELHOST_HEADERS_MAX; i++) {
        memcpy(request + len, "A\0b", 4);
        len += 4;
    }
    verdict = panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len);
    assert_starts(verdict, "D400bad_request\n");
    assert_contains(verdict, "more headers");

    panelhost_process_close();
    len = request_of(request, sizeof request, key);
    assert_starts(panelhost_process_verdict(s.config, PANEL_SCOPE_NONE, request, len), "D503host_not_open\n");
    scratch_free(&s);
}

/* The process host takes the catalogue of [host] api_scopes before its plugins load (a bad one refuses to open,
 * naming the item), and a scoped verdict passes the route's scope to the providers. */
static void catalogue_from_config_and_scoped_verdict(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    char text[4096];
    snprintf(text, sizeof text,
             "[host]\ndata_dir = data\nplugins = %s\napi_scopes = store.read: Read the store; deliveries.pull: Pull\n"
             "[plugin:abi11]\ncase = good\n[role:owner]\npermissions = *\n[user:admin]\nrole = owner\n",
             support_fixture("abi11"));
    char *config = support_write_file(dir, "panel.ini", text, strlen(text), 0600);
    panelhost_t *host = process_open(config);
    const panel_api_scopes_t *cat = panelhost_api_scopes(host);
    assert_non_null(cat);
    assert_int_equal(cat->n_scopes, 2);
    assert_string_equal(cat->scopes[1]->id, "deliveries.pull");
    assert_string_equal(cat->scopes[1]->description, "Pull");

    char request[1024];
    static const char *const ok[] = {"X-Abi11", "ok", NULL};
    size_t len = request_of(request, sizeof request, ok);
    assert_starts(panelhost_process_verdict(config, "store.read", request, len), "Aabi11:store.read\n");
    assert_starts(panelhost_process_verdict(config, PANEL_SCOPE_NONE, request, len), "Aabi11:-\n");
    panelhost_process_close();

    snprintf(text, sizeof text, "[host]\ndata_dir = data\nplugins = %s\napi_scopes = store.read Read it\n",
             support_fixture("abi11"));
    free(config);
    config = support_write_file(dir, "panel.ini", text, strlen(text), 0600);
    panelhost_t *none = NULL;
    char err[1024] = "";
    assert_int_not_equal(panelhost_process_open(config, 0, &none, err, sizeof err), PANEL_OK);
    assert_null(none);
    assert_contains(err, "[host] api_scopes item 1");
    free(config);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_found_by_path_never_opened),
        cmocka_unit_test(extension_change_seen_by_the_lookup),
        cmocka_unit_test(fork_child_opens_its_own),
        cmocka_unit_test(verdict_as_one_text),
        cmocka_unit_test(catalogue_from_config_and_scoped_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
