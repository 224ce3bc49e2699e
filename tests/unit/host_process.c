/* host_process.c - unit tests of the entry points for bindings (host.h, "bindings"): the process-wide host
 * (one handle per config across calls, a failed first open keeping nothing, extension changes made elsewhere
 * applied at the next call, a fresh handle after fork() and after panelhost_process_close, plugins unloaded at
 * exit with PANELHOST_PROCESS_CLOSE_AT_EXIT), authentication from header arrays, and rows collected without a
 * callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_test.h"

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

/* A scratch folder with a panel.ini loading the given fixtures (space-separated names). */
typedef struct scratch {
    char *dir;
    char *config;
} scratch_t;

static scratch_t scratch_with(const char *fixtures)
{
    char plugins[2048] = "";
    char names[256];
    snprintf(names, sizeof names, "%s", fixtures);
    for (char *save = NULL, *name = strtok_r(names, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
        size_t used = strlen(plugins);
        snprintf(plugins + used, sizeof plugins - used, "%s%s", used ? " " : "", support_fixture(name));
    }
    char text[4096];
    snprintf(text, sizeof text,
             "[host]\ndata_dir = data\nplugins = %s\n[role:owner]\npermissions = *\n[role:support]\n"
             "permissions = orders.*\n[user:admin]\nrole = owner\n[user:helpdesk]\nrole = support\n",
             plugins);
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

static panelhost_t *process_host(const scratch_t *s, uint32_t flags)
{
    panelhost_t *host = NULL;
    char err[1024] = "";
    if (panelhost_process_open(s->config, flags, &host, err, sizeof err) != PANEL_OK)
        fail_msg("panelhost_process_open: %s", err);
    return host;
}

static panelhost_auth_outcome_t auth_with(panelhost_t *host, const char *name, const char *value)
{
    int32_t rc;
    panelhost_auth_outcome_t out =
        host_test_auth(host, "GET", "/api/v1/ping", "127.0.0.1", PANEL_SCOPE_NONE, name, value, &rc);
    assert_int_equal(rc, PANEL_OK);
    return out;
}

static void same_handle_across_calls(void **unused)
{
    (void)unused;
    scratch_t s = scratch_with("good");
    panelhost_t *first = process_host(&s, 0);
    panelhost_t *again = process_host(&s, 0);
    assert_ptr_equal(first, again);
    assert_int_equal(panelhost_plugin_count(first), 1);
    /* the same file under another spelling is the same host */
    char *other = NULL;
    assert_true(asprintf(&other, "%s/./panel.ini", s.dir) > 0);
    panelhost_t *third = NULL;
    char err[512] = "";
    assert_int_equal(panelhost_process_open(other, 0, &third, err, sizeof err), PANEL_OK);
    assert_ptr_equal(first, third);
    free(other);
    panelhost_process_close();
    panelhost_t *fresh = process_host(&s, 0);
    assert_non_null(fresh);
    assert_int_equal(panelhost_plugin_count(fresh), 1);
    panelhost_process_close();
    panelhost_process_close(); /* closing with none open does nothing */
    scratch_free(&s);
}

static void failed_first_open_keeps_nothing(void **unused)
{
    (void)unused;
    scratch_t s = scratch_with("good wrong_major");
    panelhost_t *host = (panelhost_t *)&s; /* must be reset to NULL */
    char err[1024] = "";
    assert_int_equal(panelhost_process_open(s.config, 0, &host, err, sizeof err), PANEL_E_STATE);
    assert_null(host);
    assert_contains(err, "wrong_major.so");
    assert_contains(err, "ABI 2.0");
    err[0] = '\0';
    assert_int_equal(panelhost_process_open(s.config, 0, &host, err, sizeof err), PANEL_E_STATE);
    assert_contains(err, "ABI 2.0"); /* tried again, not a cached failure */

    char missing[4096];
    snprintf(missing, sizeof missing, "%s/nope.ini", s.dir);
    assert_int_not_equal(panelhost_process_open(missing, 0, &host, err, sizeof err), PANEL_OK);
    assert_contains(err, "nope.ini");
    assert_int_equal(panelhost_process_open(s.config, 0x80, &host, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "unknown flags");
    assert_int_equal(panelhost_process_open(s.config, 0, NULL, err, sizeof err), PANEL_E_INVALID);
    scratch_free(&s);
}

static void change_by_another_process_is_applied(void **unused)
{
    (void)unused;
    scratch_t s = scratch_with("good");
    panelhost_t *host = process_host(&s, 0);
    assert_int_equal(auth_with(host, "X-Fixture", "letmein").allowed, 1);

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
    panelhost_close(other);

    panelhost_t *next = process_host(&s, 0);
    assert_ptr_equal(host, next);
    panelhost_auth_outcome_t out = auth_with(next, "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 503);
    assert_string_equal(out.error_code, "no_auth_provider");
    assert_int_equal(panelhost_plugin_count(next), 0);
    panelhost_process_close();
    scratch_free(&s);
}

static void child_of_fork_opens_its_own(void **unused)
{
    (void)unused;
    scratch_t s = scratch_with("good fini_marker");
    panelhost_t *parent = process_host(&s, 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        panelhost_t *mine = NULL;
        char err[1024] = "";
        int ok = panelhost_process_open(s.config, 0, &mine, err, sizeof err) == PANEL_OK && mine != NULL &&
                 panelhost_plugin_count(mine) == 2 && auth_with(mine, "x-fixture", "letmein").allowed == 1;
        panelhost_process_close(); /* closes the child's own host only */
        free(s.dir);
        free(s.config);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* the child unloaded its own copy (its marker), never the parent's */
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/data/fini-ran.%ld", s.dir, (long)child);
    assert_int_equal(access(marker, F_OK), 0);
    snprintf(marker, sizeof marker, "%s/data/fini-ran.%ld", s.dir, (long)getpid());
    assert_int_not_equal(access(marker, F_OK), 0);
    assert_int_equal(auth_with(parent, "X-Fixture", "letmein").allowed, 1);
    panelhost_process_close();
    assert_int_equal(access(marker, F_OK), 0);
    scratch_free(&s);
}

static void close_at_exit_runs_fini(void **unused)
{
    (void)unused;
    scratch_t s = scratch_with("fini_marker");
    pid_t children[2];
    for (int with_flag = 0; with_flag < 2; with_flag++) {
        children[with_flag] = fork();
        assert_true(children[with_flag] >= 0);
        if (children[with_flag] == 0) {
            panelhost_t *host = NULL;
            char err[1024] = "";
            uint32_t flags = with_flag ? PANELHOST_PROCESS_CLOSE_AT_EXIT : 0;
            int32_t rc = panelhost_process_open(s.config, flags, &host, err, sizeof err);
            free(s.dir);
            free(s.config);
            exit(rc == PANEL_OK ? 0 : 1);
        }
        int status = 0;
        assert_int_equal(waitpid(children[with_flag], &status, 0), children[with_flag]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/data/fini-ran.%ld", s.dir, (long)children[0]);
    assert_int_not_equal(access(marker, F_OK), 0); /* without the flag: exit does not unload */
    snprintf(marker, sizeof marker, "%s/data/fini-ran.%ld", s.dir, (long)children[1]);
    assert_int_equal(access(marker, F_OK), 0);
    scratch_free(&s);
}

static void authenticate_on_the_process_host(void **unused)
{
    (void)unused;
    scratch_t s = scratch_with("good");
    panelhost_t *host = process_host(&s, 0);
    panelhost_auth_outcome_t out = auth_with(host, "x-FIXTURE", "letmein");
    assert_int_equal(out.allowed, 1);
    assert_string_equal(out.principal, "fixture:good");
    out = auth_with(host, "X-Fixture", "nope");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 401);
    assert_string_equal(out.error_code, "fixture_denied");
    out = auth_with(host, NULL, NULL); /* no headers at all */
    assert_int_equal(out.allowed, 0);
    assert_string_equal(out.error_code, "missing");

    /* a NULL host or outcome: refused, nothing asked (the request's own checks: host_auth.c) */
    panelhost_header_t header = {"X-Fixture", "letmein"};
    panelhost_request_t rq = {.method = "GET", .path = "/p", .client_addr = "::1", .scope = PANEL_SCOPE_NONE,
                              .headers = &header, .n_headers = 1};
    out = (panelhost_auth_outcome_t){.struct_size = sizeof out};
    assert_int_equal(panelhost_authenticate(NULL, &rq, &out), PANEL_E_INVALID);
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 400);
    assert_string_equal(out.error_code, "bad_request");
    assert_int_equal(panelhost_authenticate(host, &rq, NULL), PANEL_E_INVALID);
    assert_int_equal(panelhost_authenticate(host, NULL, &out), PANEL_E_INVALID);
    assert_int_equal(out.http_status, 400);
    panelhost_process_close();
    scratch_free(&s);
}

static void rows_without_callback(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    panel_caller_t admin = host_test_caller(t, "admin", 0);
    panelhost_rows_t *rows = NULL;
    char err[512] = "";
    assert_int_equal(panelhost_table_rows(t->host, &admin, "fixture/good", "log", 1, 3, &rows, err, sizeof err),
                     PANEL_OK);
    assert_int_equal(panelhost_rows_count(rows), 3);
    assert_int_equal(panelhost_rows_width(rows, 0), 2);
    assert_string_equal(panelhost_rows_cell(rows, 0, 0), "4");
    assert_string_equal(panelhost_rows_cell(rows, 2, 1), "event");
    assert_null(panelhost_rows_cell(rows, 0, 2));
    assert_null(panelhost_rows_cell(rows, 3, 0));
    assert_int_equal(panelhost_rows_width(rows, 3), 0);
    panelhost_rows_free(rows);

    assert_int_equal(panelhost_page_status_rows(t->host, &admin, "fixture/good", &rows, err, sizeof err), PANEL_OK);
    assert_int_equal(panelhost_rows_count(rows), 1);
    assert_string_equal(panelhost_rows_cell(rows, 0, 0), "Calls");
    panelhost_rows_free(rows);

    panel_caller_t helpdesk = host_test_caller(t, "helpdesk", 0);
    rows = (panelhost_rows_t *)t; /* must be reset to NULL */
    assert_int_equal(panelhost_table_rows(t->host, &helpdesk, "fixture/good", "log", 0, 5, &rows, err, sizeof err),
                     PANEL_E_DENIED);
    assert_null(rows);
    assert_int_equal(panelhost_page_status_rows(t->host, &admin, "no/such", &rows, err, sizeof err),
                     PANEL_E_NOT_FOUND);
    assert_null(rows);
    assert_int_equal(panelhost_table_rows(t->host, &admin, "fixture/good", "nope", 0, 5, &rows, err, sizeof err),
                     PANEL_E_NOT_FOUND);
    assert_int_equal(panelhost_table_rows(t->host, &admin, "fixture/good", "log", 0, 5, NULL, err, sizeof err),
                     PANEL_E_INVALID);
    assert_int_equal(panelhost_rows_count(NULL), 0);
    panelhost_rows_free(NULL);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_handle_across_calls),
        cmocka_unit_test(failed_first_open_keeps_nothing),
        cmocka_unit_test(change_by_another_process_is_applied),
        cmocka_unit_test(child_of_fork_opens_its_own),
        cmocka_unit_test(close_at_exit_runs_fini),
        cmocka_unit_test(authenticate_on_the_process_host),
        cmocka_unit_test(rows_without_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
