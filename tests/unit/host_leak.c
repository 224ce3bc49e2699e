/* host_leak.c - unit tests of leak reports in libpanelhost 2.1 (ABI 1.3): panelhost_report_leak hands the report
 * to every provider with report_leak (the good fixture then refuses "letmein"), skips a provider built against the
 * 1.0 header, passes the reporter's place and source cut to 2048 / 64 bytes with control characters replaced,
 * refuses a malformed credential before any provider, returns a provider's failure with its id and reason, and
 * panelhost_process_report_leak does the same on the process-wide host (or says it is not open). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_test.h"

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

static panelhost_auth_outcome_t ask(panelhost_t *host, const char *value)
{
    panelhost_header_t header = {"X-Fixture", value};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                              .scope = PANEL_SCOPE_NONE, .headers = &header, .n_headers = 1};
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    assert_int_equal(panelhost_authenticate(host, &rq, &out), PANEL_OK);
    return out;
}

static int32_t report(panelhost_t *host, const char *credential, size_t len, const char *found_at,
                      const char *source, char *err, size_t err_len)
{
    const panel_leak_report_t r = {.struct_size = sizeof r, .credential = credential, .credential_len = len,
                                   .found_at = found_at, .source = source, .reporter_addr = "203.0.113.9"};
    return panelhost_report_leak(host, &r, err, err_len);
}

static void report_reaches_providers(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "abi10"); /* a provider without report_leak (1.0 layout): skipped, never called */
    host_test_load(t, "good");
    char err[1024] = "x";
    assert_int_equal(ask(t->host, "letmein").allowed, 1);
    /* not the fixture's credential: accepted, nothing changes */
    assert_int_equal(report(t->host, "someone_else", 12, NULL, NULL, err, sizeof err), PANEL_OK);
    assert_string_equal(err, "");
    assert_int_equal(ask(t->host, "letmein").allowed, 1);

    assert_int_equal(report(t->host, "letmein", 7, "https://example.com/a\nb", "github", err, sizeof err),
                     PANEL_OK);
    panelhost_auth_outcome_t out = ask(t->host, "letmein");
    assert_int_equal(out.allowed, 0);
    assert_string_equal(out.error_code, "fixture_leaked");
    /* the place's newline became '?'; the reporter's address and the source as given */
    assert_string_equal(out.message, "leaked (23): from 203.0.113.9 by github at https://example.com/a?b");
    host_test_close(t);
}

static void long_place_is_cut(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    static char place[5000];
    memset(place, 'u', sizeof place - 1);
    memcpy(place + 2047, "\xc3\xa9", 2); /* an e-acute across the 2048-byte cut: cut before it */
    char err[1024] = "";
    assert_int_equal(report(t->host, "letmein", 7, place, NULL, err, sizeof err), PANEL_OK);
    panelhost_auth_outcome_t out = ask(t->host, "letmein");
    assert_contains(out.message, "leaked (2047): from 203.0.113.9 by (none) at uuu");
    host_test_close(t);
}

static void malformed_credential_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    char err[1024] = "";
    assert_int_equal(report(t->host, "", 0, NULL, NULL, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "empty");
    assert_int_equal(report(t->host, "letmein\0x", 9, NULL, NULL, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "control character");
    static char big[PANEL_VALUE_MAX + 2];
    memset(big, 'k', sizeof big - 1);
    assert_int_equal(report(t->host, big, sizeof big - 1, NULL, NULL, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "longer");
    assert_int_equal(panelhost_report_leak(t->host, NULL, err, sizeof err), PANEL_E_INVALID);
    panel_leak_report_t no_addr = {.struct_size = sizeof no_addr, .credential = "letmein", .credential_len = 7};
    assert_int_equal(panelhost_report_leak(t->host, &no_addr, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(ask(t->host, "letmein").allowed, 1); /* no provider was asked */
    host_test_close(t);
}

static void provider_failure_is_returned(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char err[1024] = "";
    /* no provider at all: nothing can know the credential, the reporter is answered as usual */
    assert_int_equal(report(t->host, "letmein", 7, NULL, NULL, err, sizeof err), PANEL_OK);
    host_test_load(t, "good");
    assert_int_equal(report(t->host, "storefail", 9, NULL, NULL, err, sizeof err), PANEL_E_STORE);
    assert_string_equal(err, "authentication provider fixture-header could not handle the leak report: the "
                             "fixture's store is down");
    host_test_close(t);
}

static void process_host_reports(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    assert_non_null(dir);
    char text[4096];
    snprintf(text, sizeof text, "[host]\ndata_dir = data\nplugins = %s\n", support_fixture("good"));
    char *config = support_write_file(dir, "panel.ini", text, strlen(text), 0600);
    assert_non_null(config);
    char err[1024] = "";
    assert_int_equal(panelhost_process_report_leak(config, "letmein", 7, NULL, NULL, "local", err, sizeof err),
                     PANEL_E_STATE);
    assert_contains(err, "panelhost_process_open");
    panelhost_t *host = NULL;
    assert_int_equal(panelhost_process_open(config, 0, &host, err, sizeof err), PANEL_OK);
    assert_int_equal(panelhost_process_report_leak(config, "letmein", 7, "https://x.test/", "content", "local",
                                                   err, sizeof err),
                     PANEL_OK);
    panelhost_auth_outcome_t out = ask(host, "letmein");
    assert_string_equal(out.error_code, "fixture_leaked");
    assert_string_equal(out.message, "leaked (15): from local by content at https://x.test/");
    assert_int_equal(panelhost_process_report_leak(config, "storefail", 9, NULL, NULL, "local", err, sizeof err),
                     PANEL_E_STORE);
    panelhost_process_close();
    support_rmtree(dir);
    free(dir);
    free(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_reaches_providers),
        cmocka_unit_test(long_place_is_cut),
        cmocka_unit_test(malformed_credential_is_refused),
        cmocka_unit_test(provider_failure_is_returned),
        cmocka_unit_test(process_host_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
