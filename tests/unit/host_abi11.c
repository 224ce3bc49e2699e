/* host_abi11.c - ABI 1.1 in libpanelhost, both directions: a fixture built against the frozen 1.0 header works
 * unchanged (its descriptors' 1.1 fields read as NULL / 0), and every 1.1 registration of the abi11 fixture with
 * its refusals: row-id columns and row actions, records in results, availability, list parameters, choice
 * labels, the scope catalogue, the request's scope, retry_after and the principal's scopes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "host_test.h"

#define PAGE "abi11/page"

static const char *header_value; /* the X-Abi10 / X-Abi11 value of the next request; NULL: none */

/* Authenticates `path` for a route of `scope` with header_value in `header`. */
static panelhost_auth_outcome_t auth(host_test_t *t, const char *header, const char *path, const char *scope)
{
    int32_t rc;
    panelhost_auth_outcome_t out =
        host_test_auth(t->host, "GET", path, "127.0.0.1", scope, header_value ? header : NULL, header_value, &rc);
    assert_int_equal(rc, PANEL_OK);
    return out;
}

static host_test_t *open_abi11(const char *which, int with_scopes)
{
    char config[4096];
    snprintf(config, sizeof config, "%s[role:abi]\npermissions = fixture.*\n[plugin:abi11]\ncase = %s\n",
             HOST_TEST_CONFIG, which);
    host_test_t *t = host_test_open(config);
    if (with_scopes) {
        const char *ids[] = {"store.read", "deliveries.pull"}, *descriptions[] = {"Read the store", "Pull"};
        char err[512] = "";
        assert_int_equal(panelhost_set_api_scopes(t->host, ids, descriptions, 2, err, sizeof err), PANEL_OK);
    }
    return t;
}

/* Loads abi11 with case `which`, expecting it to be refused with `expect` in the message. */
static void expect_refused(const char *which, const char *expect)
{
    host_test_t *t = open_abi11(which, 0);
    char err[1024] = "";
    assert_int_not_equal(panelhost_load(t->host, support_fixture("abi11"), err, sizeof err), PANEL_OK);
    if (!strstr(err, expect))
        fail_msg("case %s: expected \"%s\" in: %s", which, expect, err);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    host_test_close(t);
}

typedef struct run_out {
    panel_result_t result;
    char message[512], secret[PANEL_SECRET_MAX], record[PANEL_RECORD_ID_MAX + 1];
} run_out_t;

static int32_t run(host_test_t *t, const char *action, const char *record, const char *name, const char *value,
                   run_out_t *out)
{
    memset(out, 0, sizeof *out);
    out->result = (panel_result_t){.struct_size = sizeof out->result, .message = out->message,
                                   .message_len = sizeof out->message, .secret = out->secret,
                                   .secret_len = sizeof out->secret, .record = out->record,
                                   .record_len = sizeof out->record};
    strcpy(out->record, "stale");
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    const char *names[] = {name}, *values[] = {value};
    return panelhost_action_run_record(t->host, &owner, PAGE, action, record, names, values, name ? 1 : 0,
                                       &out->result);
}

/* ----- the 1.0 plugin in the 1.1 host ----- */

static void abi10_plugin_works_unchanged(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "abi10");
    panelhost_plugin_info_t info;
    assert_int_equal(panelhost_plugin_at(t->host, 0, &info), PANEL_OK);
    assert_int_equal(info.abi_minor, 0);
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    char value[PANEL_VALUE_MAX + 1], err[512], msg[512];
    assert_int_equal(panelhost_field_set(t->host, &owner, "abi10/page", "note", "hi", 2, msg, sizeof msg), PANEL_OK);
    assert_int_equal(panelhost_field_get(t->host, &owner, "abi10/page", "note", value, sizeof value, err, sizeof err),
                     PANEL_OK);
    assert_string_equal(value, "hi");
    host_test_rows_t rows = {0};
    assert_int_equal(panelhost_table_read(t->host, &owner, "abi10/page", "log", 0, 10, host_test_collect, &rows, err,
                                          sizeof err),
                     PANEL_OK);
    assert_string_equal(rows.text, "started\n");
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_page_status(t->host, &owner, "abi10/page", host_test_collect, &rows, err, sizeof err),
                     PANEL_OK);
    assert_string_equal(rows.text, "Built for|ABI 1.0\n");

    /* its descriptors, as the 1.1 host holds them: the 1.1 fields are NULL / 0 */
    const panel_table_t *table = panelhost_table_at(t->host, "abi10/page", 0);
    assert_int_equal(table->struct_size, sizeof(panel_table_t));
    assert_int_equal(table->row_id_column, 0);
    const panel_action_t *stamp = panelhost_action_at(t->host, "abi10/page", 0);
    assert_null(stamp->row_table);
    assert_null(stamp->available);
    assert_null(stamp->params[0]->choice_labels);
    char choice[16], label[16];
    assert_int_equal(panelhost_param_choice(stamp->params[0], 1, choice, sizeof choice, label, sizeof label), PANEL_OK);
    assert_string_equal(choice, "b");
    assert_string_equal(label, "b");

    /* an action: the 1.1 host hands over 1.1-sized args and result, which a 1.0 plugin reads as 1.0 ones */
    run_out_t out;
    memset(&out, 0, sizeof out);
    out.result = (panel_result_t){.struct_size = sizeof out.result, .message = out.message,
                                  .message_len = sizeof out.message, .secret = out.secret,
                                  .secret_len = sizeof out.secret, .record = out.record,
                                  .record_len = sizeof out.record};
    const char *names[] = {"mode"}, *values[] = {"b"};
    assert_int_equal(panelhost_action_run(t->host, &owner, "abi10/page", "stamp", names, values, 1, &out.result),
                     PANEL_OK);
    assert_string_equal(out.message, "stamped b (args 32, result 56)");
    assert_string_equal(out.record, "");
    assert_int_equal(panelhost_action_available(t->host, &owner, "abi10/page", "stamp", NULL, msg, sizeof msg),
                     PANEL_OK);

    /* API authentication: the 1.0 provider gets a request and a result of the host's size */
    header_value = "yes";
    panelhost_auth_outcome_t outcome = auth(t, "X-Abi10", "/api/v1/store", "store.read");
    assert_int_equal(outcome.allowed, 1);
    assert_string_equal(outcome.principal, "abi10:user");
    assert_string_equal(outcome.scopes, "");
    header_value = "no";
    outcome = auth(t, "X-Abi10", "/api/v1/store", "store.read");
    assert_int_equal(outcome.allowed, 0);
    assert_int_equal(outcome.http_status, 401);
    assert_int_equal(outcome.retry_after, 0);
    host_test_close(t);
}

/* ----- row actions and records ----- */

static void row_action_needs_a_record_id(void **unused)
{
    (void)unused;
    host_test_t *t = open_abi11("good", 0);
    host_test_load(t, "abi11");
    assert_int_equal(panelhost_table_at(t->host, PAGE, 0)->row_id_column, 1);
    assert_string_equal(panelhost_action_at(t->host, PAGE, 0)->row_table, "rows");
    assert_null(panelhost_action_at(t->host, PAGE, 1)->row_table);
    run_out_t out;
    assert_int_equal(run(t, "drop", NULL, NULL, NULL, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "acts on one row of table 'rows': give the record id of that row (its 'Id' "
                                        "column)"));
    assert_int_equal(run(t, "drop", "k1", NULL, NULL, &out), PANEL_OK);
    assert_string_equal(out.message, "dropped k1");
    assert_string_equal(out.record, "");
    assert_int_equal(run(t, "drop", "zz", NULL, NULL, &out), PANEL_E_NOT_FOUND);
    assert_string_equal(out.message, "no row zz");
    assert_int_equal(run(t, "drop", "bad id!", NULL, NULL, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "'bad id!' is not a record id"));
    assert_int_equal(run(t, "make", "k1", NULL, NULL, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "is a page action: it takes no record id"));
    host_test_close(t);
}

static void result_names_the_created_record(void **unused)
{
    (void)unused;
    host_test_t *t = open_abi11("good", 0);
    host_test_load(t, "abi11");
    run_out_t out;
    assert_int_equal(run(t, "make", NULL, NULL, NULL, &out), PANEL_OK);
    assert_string_equal(out.record, "k3");
    assert_int_equal(run(t, "bad-record", NULL, NULL, NULL, &out), PANEL_OK);
    assert_string_equal(out.record, ""); /* not a record id: dropped, and logged */
    assert_non_null(strstr(t->log, "named a created record whose id is not a record id"));

    /* a program built against 1.0 (result of 40 bytes): its memory past them is never touched */
    out.result.struct_size = offsetof(panel_result_t, record);
    strcpy(out.record, "untouched");
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    assert_int_equal(panelhost_action_run(t->host, &owner, PAGE, "make", NULL, NULL, 0, &out.result), PANEL_OK);
    assert_string_equal(out.message, "made k3");
    assert_string_equal(out.record, "untouched");
    host_test_close(t);
}

/* ----- availability ----- */

static void availability_says_why_not(void **unused)
{
    (void)unused;
    host_test_t *t = open_abi11("good", 0);
    host_test_load(t, "abi11");
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char reason[256];
    assert_int_equal(panelhost_action_available(t->host, &owner, PAGE, "drop", "k1", reason, sizeof reason), PANEL_OK);
    assert_string_equal(reason, "");
    assert_int_equal(panelhost_action_available(t->host, &owner, PAGE, "drop", "k2", reason, sizeof reason),
                     PANEL_E_STATE);
    assert_string_equal(reason, "k2 is locked");
    assert_int_equal(panelhost_action_available(t->host, &owner, PAGE, "drop", NULL, reason, sizeof reason),
                     PANEL_E_INVALID);
    assert_int_equal(panelhost_action_available(t->host, &owner, PAGE, "make", NULL, reason, sizeof reason), PANEL_OK);
    assert_int_equal(panelhost_action_available(t->host, &owner, PAGE, "unsure", NULL, reason, sizeof reason),
                     PANEL_E_STORE);
    assert_string_equal(reason, "the store is down");
    assert_int_equal(panelhost_action_available(t->host, &owner, PAGE, "nope", NULL, reason, sizeof reason),
                     PANEL_E_NOT_FOUND);
    panel_caller_t helpdesk = host_test_caller(t, "helpdesk", 0);
    assert_int_equal(panelhost_action_available(t->host, &helpdesk, PAGE, "drop", "k1", reason, sizeof reason),
                     PANEL_E_DENIED);
    /* running an unavailable action anyway gets the action's own answer */
    run_out_t out;
    assert_int_equal(run(t, "drop", "k2", NULL, NULL, &out), PANEL_OK);
    assert_string_equal(out.message, "dropped k2");
    host_test_close(t);
}

/* ----- list parameters and choice labels ----- */

static void list_parameters_are_checked_and_canonical(void **unused)
{
    (void)unused;
    host_test_t *t = open_abi11("good", 0);
    host_test_load(t, "abi11");
    run_out_t out;
    assert_int_equal(run(t, "pick", NULL, NULL, NULL, &out), PANEL_OK);
    assert_string_equal(out.message, "scopes=[a] cidrs=[] size=[m]");
    assert_int_equal(run(t, "pick", NULL, "scopes", " b , c", &out), PANEL_OK);
    assert_string_equal(out.message, "scopes=[b,c] cidrs=[] size=[m]");
    assert_int_equal(run(t, "pick", NULL, "scopes", "", &out), PANEL_OK);
    assert_string_equal(out.message, "scopes=[] cidrs=[] size=[m]");
    assert_int_equal(run(t, "pick", NULL, "cidrs", "10.0.0.0/8, 192.168.1.7/32", &out), PANEL_OK);
    assert_string_equal(out.message, "scopes=[a] cidrs=[10.0.0.0/8,192.168.1.7/32] size=[m]");
    assert_int_equal(run(t, "pick", NULL, "scopes", "a,z", &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "'z' is not a valid item for scopes (Scopes); choose from: a, b, c"));
    assert_int_equal(run(t, "pick", NULL, "scopes", "a,,b", &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "has an empty item"));
    assert_int_equal(run(t, "pick", NULL, "cidrs", "x,x", &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "lists an item twice"));
    assert_int_equal(run(t, "pick", NULL, "cidrs", "a,\tb\x01", &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "control character"));
    char many[PANEL_VALUE_MAX];
    size_t used = 0;
    for (int i = 0; i < 257; i++)
        used += (size_t)snprintf(many + used, sizeof many - used, "%s%d", i ? "," : "", i);
    assert_int_equal(run(t, "pick", NULL, "cidrs", many, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "more than 256 items"));

    const panel_action_t *pick = panelhost_action_at(t->host, PAGE, 3);
    assert_string_equal(pick->id, "pick");
    assert_int_equal(pick->params[0]->type, PANEL_PARAM_LIST);
    char value[32], label[32];
    assert_int_equal(panelhost_param_choice(pick->params[0], 0, value, sizeof value, label, sizeof label), PANEL_OK);
    assert_string_equal(value, "a");
    assert_string_equal(label, "Alpha");
    assert_int_equal(panelhost_param_choice(pick->params[2], 2, value, sizeof value, label, sizeof label), PANEL_OK);
    assert_string_equal(value, "l");
    assert_string_equal(label, "large");
    assert_int_equal(panelhost_param_choice(pick->params[2], 3, value, sizeof value, label, sizeof label),
                     PANEL_E_NOT_FOUND);
    assert_int_equal(panelhost_param_choice(pick->params[1], 0, value, sizeof value, NULL, 0), PANEL_E_NOT_FOUND);
    host_test_close(t);
}

/* ----- refusals of 1.1 registrations ----- */

static void bad_1_1_registrations_are_refused(void **unused)
{
    (void)unused;
    expect_refused("row_unknown_table", "action 'drop' refused: row_table 'nope' is not a table of page 'abi11/page'");
    expect_refused("row_before_table", "row_table 'rows' is not a table of page 'abi11/page'; register the table");
    expect_refused("row_plain_table", "row_table 'plain' does not name its row-id column");
    expect_refused("row_id_too_big", "table 'rows' refused: row_id_column is 3 but the table has 2 columns");
    expect_refused("labels_count", "parameter 2 'size': choice_labels has 2 labels for 3 choices");
    expect_refused("labels_empty", "choice_labels has an empty label (number 2)");
    expect_refused("labels_on_text", "choice_labels is set on a text parameter");
    expect_refused("list_comma_choice", "a list parameter's choices must not contain ','");
    expect_refused("list_default_noncanonical", "default_value is not in canonical form (write it as "
                                                "\"10.0.0.0/8,10.1.0.0/16\")");
    expect_refused("list_default_not_choice", "'z' is not a valid item for scopes");
    expect_refused("list_default_twice", "lists an item twice");
}

/* ----- scopes, retry_after ----- */

static void the_scope_catalogue_reaches_plugins(void **unused)
{
    (void)unused;
    host_test_t *t = open_abi11("good", 1);
    const panel_api_scopes_t *cat = panelhost_api_scopes(t->host);
    assert_non_null(cat);
    assert_int_equal(cat->n_scopes, 2);
    assert_string_equal(cat->scopes[1]->id, "deliveries.pull");
    host_test_load(t, "abi11");
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char value[PANEL_VALUE_MAX + 1], err[512];
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "scopes", value, sizeof value, err, sizeof err),
                     PANEL_OK);
    assert_string_equal(value, "store.read=Read the store;deliveries.pull=Pull");
    const char *ids[] = {"x"};
    assert_int_equal(panelhost_set_api_scopes(t->host, ids, NULL, 1, err, sizeof err), PANEL_E_STATE);
    assert_non_null(strstr(err, "before any plugin is loaded"));
    host_test_close(t);

    t = open_abi11("good", 0); /* no catalogue: the plugin gets NULL */
    assert_null(panelhost_api_scopes(t->host));
    host_test_load(t, "abi11");
    owner = host_test_caller(t, "admin", 0);
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "scopes", value, sizeof value, err, sizeof err),
                     PANEL_OK);
    assert_string_equal(value, "none");
    host_test_close(t);
}

static void bad_scope_catalogues_are_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char err[512];
    const char *bad_id[] = {"Store.Read"}, *twice[] = {"a.b", "a.b"}, *star[] = {"a.*"}, *dot[] = {"a..b"};
    const char *line[] = {"two\nlines"};
    assert_int_equal(panelhost_set_api_scopes(t->host, bad_id, NULL, 1, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "API scope 1 ('Store.Read'): an id is 1-64 bytes"));
    assert_int_equal(panelhost_set_api_scopes(t->host, twice, NULL, 2, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "'a.b' is listed twice"));
    assert_int_equal(panelhost_set_api_scopes(t->host, star, NULL, 1, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(panelhost_set_api_scopes(t->host, dot, NULL, 1, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(panelhost_set_api_scopes(t->host, twice, line, 1, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "one line"));
    assert_null(panelhost_api_scopes(t->host));
    const char *ok[] = {"a.b", "c"};
    assert_int_equal(panelhost_set_api_scopes(t->host, ok, NULL, 2, err, sizeof err), PANEL_OK);
    assert_string_equal(panelhost_api_scopes(t->host)->scopes[1]->description, "");
    assert_int_equal(panelhost_set_api_scopes(t->host, NULL, NULL, 0, err, sizeof err), PANEL_OK);
    assert_null(panelhost_api_scopes(t->host));
    host_test_close(t);
}

static void scope_retry_after_and_scopes_travel(void **unused)
{
    (void)unused;
    host_test_t *t = open_abi11("good", 1);
    host_test_load(t, "abi11");
    header_value = "ok";
    panelhost_auth_outcome_t out = auth(t, "X-Abi11", "/api/v1/deliveries/pull", "deliveries.pull");
    assert_int_equal(out.allowed, 1);
    assert_string_equal(out.principal, "abi11:deliveries.pull");
    assert_string_equal(out.scopes, "x,y");
    out = auth(t, "X-Abi11", "/api/v1/deliveries/pull", PANEL_SCOPE_NONE); /* reaches the provider as NULL */
    assert_string_equal(out.principal, "abi11:-");
    header_value = "slow";
    out = auth(t, "X-Abi11", "/api/v1/deliveries/pull", "deliveries.pull");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 429);
    assert_int_equal(out.retry_after, 30);
    assert_string_equal(out.scopes, "");
    header_value = "huge";
    out = auth(t, "X-Abi11", "/api/v1/deliveries/pull", "deliveries.pull");
    assert_int_equal(out.retry_after, 86400);
    header_value = NULL; /* every provider abstains: 401 missing, no Retry-After */
    out = auth(t, "X-Abi11", "/api/v1/deliveries/pull", "deliveries.pull");
    assert_int_equal(out.http_status, 401);
    assert_int_equal(out.retry_after, 0);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abi10_plugin_works_unchanged),
        cmocka_unit_test(row_action_needs_a_record_id),
        cmocka_unit_test(result_names_the_created_record),
        cmocka_unit_test(availability_says_why_not),
        cmocka_unit_test(list_parameters_are_checked_and_canonical),
        cmocka_unit_test(bad_1_1_registrations_are_refused),
        cmocka_unit_test(the_scope_catalogue_reaches_plugins),
        cmocka_unit_test(bad_scope_catalogues_are_refused),
        cmocka_unit_test(scope_retry_after_and_scopes_travel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
