/* host_abi13.c - ABI 1.3 descriptors in libpanelhost, both directions: the abi13 fixture's time-series table, the
 * parameter that edits a column and the provider with report_leak are kept as registered, and every bad 1.3
 * registration is refused with a message naming the problem; the abi12 fixture, built against the frozen 1.2
 * header (with 0xff bytes where the 1.3 fields would be), loads with plain tables, parameters that edit no column
 * and a provider without report_leak, and its authentication works. The owner page's 1.3 fields: the status
 * summary count is kept, the page's reserved zeroed, panelhost_field_available gives the field's availability and
 * reason, and an available action's note reaches the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "host_test.h"
#include "../../host-api/internal.h"

static host_test_t *open_with(const char *plugin, const char *which)
{
    char config[4096];
    snprintf(config, sizeof config, "%s[role:abi]\npermissions = fixture.*\n[plugin:%s]\ncase = %s\n",
             HOST_TEST_CONFIG, plugin, which);
    return host_test_open(config);
}

/* Loads abi13 with case `which`, expecting it to be refused with `expect` in the message. */
static void expect_refused(const char *which, const char *expect)
{
    host_test_t *t = open_with("abi13", which);
    char err[1024] = "";
    assert_int_not_equal(panelhost_load(t->host, support_fixture("abi13"), err, sizeof err), PANEL_OK);
    if (!strstr(err, expect))
        fail_msg("case %s: expected \"%s\" in: %s", which, expect, err);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    host_test_close(t);
}

/* The only provider's kept descriptor. */
static const panel_auth_provider_t *only_provider(host_test_t *t)
{
    assert_int_equal(t->host->n_providers, 1);
    return &t->host->providers[0]->desc;
}

static panelhost_auth_outcome_t auth(host_test_t *t, const char *header, const char *value)
{
    int32_t rc;
    panelhost_auth_outcome_t out = host_test_auth(t->host, "GET", "/api/v1/store", "127.0.0.1", "store.read",
                                                  header, value, &rc);
    assert_int_equal(rc, PANEL_OK);
    return out;
}

static void time_series_and_edits_column_are_kept(void **unused)
{
    (void)unused;
    host_test_t *t = open_with("abi13", "good");
    host_test_load(t, "abi13");
    const panel_table_t *keys = panelhost_table_at(t->host, "abi13/page", 0);
    const panel_table_t *usage = panelhost_table_at(t->host, "abi13/page", 1);
    assert_string_equal(keys->id, "keys");
    assert_int_equal(keys->time_column, 0); /* a plain table stays plain */
    assert_int_equal(keys->series_columns, 0);
    assert_null(keys->series_unit);
    assert_string_equal(usage->id, "usage");
    assert_int_equal(usage->struct_size, sizeof(panel_table_t));
    assert_int_equal(usage->time_column, 1);
    assert_int_equal(usage->group_column, 2);
    assert_int_equal(usage->series_columns, (1u << 2) | (1u << 3));
    assert_int_equal(usage->series_flags, PANEL_SERIES_STACKED);
    assert_string_equal(usage->series_unit, "requests");
    assert_string_equal(usage->title, "Requests in the last 30 days");

    const panel_action_t *rename = panelhost_action_at(t->host, "abi13/page", 0);
    assert_string_equal(rename->row_table, "keys");
    assert_int_equal(rename->params[0]->struct_size, sizeof(panel_param_t));
    assert_int_equal(rename->params[0]->edits_column, 2);
    assert_int_equal(rename->params[0]->reserved, 0);

    /* the time series reads as any table: newest first, the current hour's "site" row first */
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    host_test_rows_t rows = {0};
    char err[512] = "";
    assert_int_equal(panelhost_table_read(t->host, &owner, "abi13/page", "usage", 0, 2, host_test_collect, &rows,
                                          err, sizeof err),
                     PANEL_OK);
    assert_int_equal(rows.count, 2);
    assert_non_null(strstr(rows.text, "|site|1|0|0|0\n"));
    assert_non_null(strstr(rows.text, "|3|0|2|0|2\n"));
    host_test_close(t);
}

static void the_provider_keeps_report_leak(void **unused)
{
    (void)unused;
    host_test_t *t = open_with("abi13", "good");
    host_test_load(t, "abi13");
    const panel_auth_provider_t *p = only_provider(t);
    assert_int_equal(p->struct_size, sizeof(panel_auth_provider_t));
    assert_non_null(p->report_leak);
    assert_int_equal(auth(t, "X-Abi13", "leaked-abi13").allowed, 1);

    /* the kept callback is the plugin's: a report of its credential makes it refused from then on */
    panel_leak_report_t report = {.struct_size = sizeof report, .credential = "leaked-abi13", .credential_len = 12,
                                  .reporter_addr = "203.0.113.7"};
    char err[512] = "";
    assert_int_equal(p->report_leak(t->host->plugins[0]->state, &report, err, sizeof err), PANEL_OK);
    panelhost_auth_outcome_t out = auth(t, "X-Abi13", "leaked-abi13");
    assert_int_equal(out.allowed, 0);
    assert_string_equal(out.error_code, "leaked");
    report.credential = "store-down";
    report.credential_len = 10;
    assert_int_equal(p->report_leak(t->host->plugins[0]->state, &report, err, sizeof err), PANEL_E_STORE);
    assert_string_equal(err, "the abi13 store is down");
    assert_int_equal(auth(t, "X-Abi13", "ok").allowed, 1);
    host_test_close(t);
}

static void bad_1_3_registrations_are_refused(void **unused)
{
    (void)unused;
    expect_refused("time_out_of_range", "table 'usage' refused: time_column 7 or group_column 2 is beyond the "
                                        "table's 6 columns");
    expect_refused("group_out_of_range", "time_column 1 or group_column 9 is beyond the table's 6 columns");
    expect_refused("group_is_time", "group_column is the time column");
    expect_refused("series_time", "series_columns 0xd must name at least one of the table's 6 columns (bit i for "
                                  "column i), and neither the time nor the group column");
    expect_refused("series_group", "series_columns 0xe must name");
    expect_refused("series_none", "series_columns 0x0 must name at least one");
    expect_refused("series_beyond", "series_columns 0x4c must name");
    expect_refused("unknown_flags", "series_flags 0x3 has unknown bits; use 0 or PANEL_SERIES_STACKED");
    expect_refused("series_without_time", "group_column, series_columns, series_flags and series_unit are for a "
                                          "time series; set time_column too");
    expect_refused("unit_without_time", "are for a time series; set time_column too");
    expect_refused("edits_page_action", "action 'rename' refused: parameter 0 'label' sets edits_column but the "
                                        "action is a page action");
    expect_refused("edits_beyond_table", "'label' has edits_column 4 but table 'keys' has 3 columns");
}

/* ----- the owner page: status summary, field availability, an available action's note ----- */

static void owner_page_summary_and_availability(void **unused)
{
    (void)unused;
    host_test_t *t = open_with("abi13", "good");
    host_test_load(t, "abi13");
    const panel_page_t *page = panelhost_page(t->host, "abi13/owner");
    assert_non_null(page);
    assert_int_equal(page->struct_size, sizeof(panel_page_t));
    assert_int_equal(page->status_summary_lines, 2);
    assert_int_equal(page->reserved, 0); /* the fixture gave 7 */
    assert_int_equal(panelhost_page(t->host, "abi13/page")->status_summary_lines, 0);

    panel_caller_t owner = host_test_caller(t, "admin", 1);
    char reason[512] = "x";
    assert_int_equal(panelhost_field_available(t->host, &owner, "abi13/owner", "note", reason, sizeof reason),
                     PANEL_OK);
    assert_string_equal(reason, "");
    assert_int_equal(panelhost_field_available(t->host, &owner, "abi13/owner", "replace", reason, sizeof reason),
                     PANEL_E_STATE);
    assert_string_equal(reason, "Enable the API first: there is no key to replace.");
    assert_int_equal(panelhost_field_available(t->host, &owner, "abi13/owner", "nope", reason, sizeof reason),
                     PANEL_E_NOT_FOUND);
    assert_string_equal(reason, "page 'abi13/owner' has no field 'nope'");
    assert_int_equal(panelhost_field_available(t->host, &owner, "abi13/none", "note", reason, sizeof reason),
                     PANEL_E_NOT_FOUND);
    /* no reason buffer: the answer alone */
    assert_int_equal(panelhost_field_available(t->host, &owner, "abi13/owner", "note", NULL, 0), PANEL_OK);

    /* an action available with a note, one unavailable with its reason */
    assert_int_equal(
        panelhost_action_available(t->host, &owner, "abi13/owner", "end-grace", NULL, reason, sizeof reason),
        PANEL_OK);
    assert_non_null(strstr(reason, "from 203.0.113.7 (ZonelyPlugin/1.2); ending the grace period now breaks"));
    assert_int_equal(
        panelhost_action_available(t->host, &owner, "abi13/owner", "disable", NULL, reason, sizeof reason),
        PANEL_E_STATE);
    assert_string_equal(reason, "The API is already off.");
    host_test_close(t);
}

static void field_available_checks_the_permission(void **unused)
{
    (void)unused;
    host_test_t *t = open_with("abi13", "good");
    host_test_load(t, "abi13");
    panel_caller_t viewer = host_test_caller(t, "helpdesk", 1);
    char reason[512] = "";
    assert_int_equal(panelhost_field_available(t->host, &viewer, "abi13/owner", "replace", reason, sizeof reason),
                     PANEL_E_DENIED);
    assert_non_null(strstr(reason, "it needs permission 'fixture.abi13'"));
    host_test_close(t);
}

/* ----- the 1.2 plugin in the 1.3 host ----- */

static void abi12_plugin_reads_as_plain(void **unused)
{
    (void)unused;
    host_test_t *t = open_with("abi12", "-");
    host_test_load(t, "abi12");
    panelhost_plugin_info_t info;
    assert_int_equal(panelhost_plugin_at(t->host, 0, &info), PANEL_OK);
    assert_int_equal(info.abi_minor, 2);
    for (size_t i = 0; i < 2; i++) {
        const panel_table_t *table = panelhost_table_at(t->host, "abi12/page", i);
        assert_non_null(table);
        assert_int_equal(table->struct_size, sizeof(panel_table_t));
        assert_int_equal(table->time_column, 0);
        assert_int_equal(table->group_column, 0);
        assert_int_equal(table->series_columns, 0);
        assert_int_equal(table->series_flags, 0);
        assert_null(table->series_unit);
    }
    assert_int_equal(panelhost_table_at(t->host, "abi12/page", 0)->row_id_column, 1);
    const panel_action_t *rename = panelhost_action_at(t->host, "abi12/page", 0);
    assert_string_equal(rename->row_table, "keys");
    assert_int_equal(rename->params[0]->edits_column, 0);
    assert_null(rename->params[0]->choice_labels);
    const panel_auth_provider_t *p = only_provider(t);
    assert_int_equal(p->struct_size, sizeof(panel_auth_provider_t));
    assert_null(p->report_leak);

    panel_caller_t owner = host_test_caller(t, "admin", 1);
    host_test_rows_t rows = {0};
    char err[512] = "";
    assert_int_equal(panelhost_table_read(t->host, &owner, "abi12/page", "usage", 0, 10, host_test_collect, &rows,
                                          err, sizeof err),
                     PANEL_OK);
    assert_string_equal(rows.text, "2026-12-06T23:00:00Z|site|7|3\n");
    panel_result_t result;
    char message[512], secret[PANEL_SECRET_MAX], record[PANEL_RECORD_ID_MAX + 1];
    result = (panel_result_t){.struct_size = sizeof result, .message = message, .message_len = sizeof message,
                              .secret = secret, .secret_len = sizeof secret, .record = record,
                              .record_len = sizeof record};
    const char *names[] = {"label"}, *values[] = {"Survival"};
    assert_int_equal(panelhost_action_run_record(t->host, &owner, "abi12/page", "rename", "3", names, values, 1,
                                                 &result),
                     PANEL_OK);
    assert_string_equal(message, "renamed 3 to Survival");

    panelhost_auth_outcome_t out = auth(t, "X-Abi12", "ok");
    assert_int_equal(out.allowed, 1);
    assert_string_equal(out.principal, "abi12:user");
    assert_string_equal(out.label, "Abi12 key");
    assert_int_equal(out.deprecation, 0);
    assert_int_equal(out.sunset, 0);
    out = auth(t, "X-Abi12", "no");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 401);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_series_and_edits_column_are_kept),
        cmocka_unit_test(the_provider_keeps_report_leak),
        cmocka_unit_test(bad_1_3_registrations_are_refused),
        cmocka_unit_test(abi12_plugin_reads_as_plain),
        cmocka_unit_test(owner_page_summary_and_availability),
        cmocka_unit_test(field_available_checks_the_permission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
