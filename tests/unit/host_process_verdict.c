/* host_process_verdict.c - unit tests of the per-request entry points for bindings (host.h, after the rows):
 * panelhost_process_host (the open host found by its config path, never opening one, extension changes of
 * other processes applied, other spellings resolved), the panelhost_process_named hint (set by an absolute
 * path, cleared by close and in a fork child), panelhost_authenticate_verdict (the request as one buffer, the
 * verdict as one text, a NUL inside a string refused by the count) and panelhost_process_verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include "host_test.h"

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
    assert_null(panelhost_process_named);
    panelhost_t *host = process_open(s.config);
    assert_ptr_equal(panelhost_process_host(s.config), host);
    assert_non_null(panelhost_process_named);
    assert_string_equal(panelhost_process_named, s.config);

    char *other = NULL;
    assert_true(asprintf(&other, "%s/./panel.ini", s.dir) > 0);
    assert_ptr_equal(panelhost_process_host(other), host); /* another spelling: resolved, the same host */
    assert_string_equal(panelhost_process_named, s.config); /* the hint keeps the first spelling */
    free(other);
    char *missing = NULL;
    assert_true(asprintf(&missing, "%s/nope.ini", s.dir) > 0);
    assert_null(panelhost_process_host(missing));
    free(missing);

    /* a relative path is resolved each time (it depends on the working directory) and is never the hint */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(s.dir), 0);
    assert_ptr_equal(panelhost_process_host("panel.ini"), host);
    assert_ptr_equal(process_open("panel.ini"), host);
    assert_string_equal(panelhost_process_named, s.config);
    assert_int_equal(chdir(cwd), 0);

    panelhost_process_close();
    assert_null(panelhost_process_named);
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
    const char *verdict = panelhost_process_verdict(s.config, request, len, 1);
    assert_starts(verdict, "D503no_auth_provider\n"); /* the fast path applied the change before asking */
    assert_ptr_equal(panelhost_process_host(s.config), host);
    assert_int_equal(panelhost_plugin_count(host), 0);

    assert_int_equal(panelhost_extension_set_enabled(other, &admin, "good", 1, err, sizeof err), PANEL_OK);
    panelhost_close(other);
    assert_ptr_equal(panelhost_process_host(s.config), host);
    assert_int_equal(panelhost_plugin_count(host), 1);
    assert_string_equal(panelhost_process_verdict(s.config, request, len, 1), "Afixture:good");
    panelhost_process_close();
    scratch_free(&s);
}

static void fork_child_has_no_hint(void **unused)
{
    (void)unused;
    scratch_t s = scratch_good();
    panelhost_t *parent = process_open(s.config);
    assert_non_null(panelhost_process_named);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        int ok = panelhost_process_named == NULL && panelhost_process_host(s.config) == NULL;
        panelhost_t *mine = NULL;
        char err[1024] = "";
        ok = ok && panelhost_process_open(s.config, 0, &mine, err, sizeof err) == PANEL_OK && mine != parent &&
             panelhost_process_host(s.config) == mine && panelhost_process_named != NULL &&
             strcmp(panelhost_process_named, s.config) == 0;
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
    char request[1024];
    static const char *const key[] = {"X-Fixture", "letmein", NULL};
    size_t len = request_of(request, sizeof request, key);
    assert_starts(panelhost_process_verdict(s.config, request, len, 1), "D503host_not_open\n");

    panelhost_t *host = process_open(s.config);
    assert_string_equal(panelhost_authenticate_verdict(host, request, len, 1), "Afixture:good");
    assert_string_equal(panelhost_process_verdict(s.config, request, len, 1), "Afixture:good");

    static const char *const several[] = {"Accept", "*/*", "x-FIXTURE", "letmein", "X-Fixture", "nope", NULL};
    len = request_of(request, sizeof request, several);
    assert_string_equal(panelhost_authenticate_verdict(host, request, len, 3), "Afixture:good");

    static const char *const wrong[] = {"X-Fixture", "nope", NULL};
    len = request_of(request, sizeof request, wrong);
    const char *verdict = panelhost_authenticate_verdict(host, request, len, 1);
    assert_starts(verdict, "D401fixture_denied\n");
    assert_true(strlen(verdict) > strlen("D401fixture_denied\n"));

    len = request_of(request, sizeof request, NULL); /* no headers */
    verdict = panelhost_authenticate_verdict(host, request, len, 0);
    assert_starts(verdict, "D401missing\n");
    assert_contains(verdict, "X-Fixture");

    /* a NUL inside a value: one string more than 3 + 2 * n_headers */
    static const char nul_inside[] = "GET\0/p\0::1\0X-Fixture\0let\0me\0";
    verdict = panelhost_authenticate_verdict(host, nul_inside, sizeof nul_inside - 1, 1);
    assert_starts(verdict, "D400bad_request\n");
    assert_contains(verdict, "NUL byte");
    verdict = panelhost_authenticate_verdict(host, nul_inside, sizeof nul_inside - 1, 2); /* 6 strings, not 7 */
    assert_starts(verdict, "D400bad_request\n");
    /* no final NUL, too few strings, nothing at all, too many headers, no host */
    assert_starts(panelhost_authenticate_verdict(host, nul_inside, sizeof nul_inside - 2, 1), "D400bad_request\n");
    verdict = panelhost_authenticate_verdict(host, "GET\0/p", 7, 0);
    assert_starts(verdict, "D400bad_request\n");
    assert_contains(verdict, "incomplete");
    assert_starts(panelhost_authenticate_verdict(host, NULL, 0, 0), "D400bad_request\n");
    assert_starts(panelhost_authenticate_verdict(host, "", 1, 0), "D400bad_request\n");
    len = request_of(request, sizeof request, key);
    assert_starts(panelhost_authenticate_verdict(host, request, len, PANELHOST_HEADERS_MAX + 1),
                  "D400bad_request\n");
    assert_starts(panelhost_authenticate_verdict(NULL, request, len, 1), "D400bad_request\n");

    panelhost_process_close();
    assert_starts(panelhost_process_verdict(s.config, request, len, 1), "D503host_not_open\n");
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
    assert_string_equal(panelhost_process_verdict_scoped(config, "store.read", request, len, 1), "Aabi11:store.read");
    assert_string_equal(panelhost_process_verdict_scoped(config, NULL, request, len, 1), "Aabi11:-");
    assert_string_equal(panelhost_process_verdict(config, request, len, 1), "Aabi11:-");
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
        cmocka_unit_test(fork_child_has_no_hint),
        cmocka_unit_test(verdict_as_one_text),
        cmocka_unit_test(catalogue_from_config_and_scoped_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
