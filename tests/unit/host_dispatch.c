/* host_dispatch.c - unit tests of admin dispatch: permission refusals that never reach the plugin (and are
 * written to the host audit log),
 * read-only and validator refusals, confirmation of dangerous fields and actions, action argument checks
 * (unknown names, enum values, missing required, defaults), tables, status lines and the menu. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_test.h"

#define PAGE "fixture/good"

static int setup(void **state)
{
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    host_test_close(*state);
    return 0;
}

/* How many admin callbacks reached the plugin (its read-only field "calls" does not count itself). */
static int plugin_calls(host_test_t *t)
{
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char value[PANEL_VALUE_MAX + 1], err[256];
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "calls", value, sizeof value, err, sizeof err),
                     PANEL_OK);
    return atoi(value);
}

typedef struct action_out {
    char message[512];
    char secret[PANEL_SECRET_MAX];
    panel_result_t result;
} action_out_t;

static int32_t run_action(host_test_t *t, const panel_caller_t *caller, const char *action, const char *const *names,
                          const char *const *values, size_t n, action_out_t *out)
{
    memset(out, 0, sizeof *out);
    out->result = (panel_result_t){sizeof out->result, out->message, sizeof out->message, out->secret,
                                   sizeof out->secret, NULL, 0};
    return panelhost_action_run(t->host, caller, PAGE, action, names, values, n, &out->result);
}

static void field_get_and_set(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char value[PANEL_VALUE_MAX + 1], msg[512];
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "text", value, sizeof value, msg, sizeof msg),
                     PANEL_OK);
    assert_string_equal(value, "from config");
    assert_int_equal(panelhost_field_set(t->host, &owner, PAGE, "text", "new text", 8, msg, sizeof msg), PANEL_OK);
    assert_string_equal(msg, "text saved by admin");
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "text", value, sizeof value, msg, sizeof msg),
                     PANEL_OK);
    assert_string_equal(value, "new text");
}

static void no_permission_never_reaches_the_plugin(void **state)
{
    host_test_t *t = *state;
    int before = plugin_calls(t);
    panel_caller_t support = host_test_caller(t, "helpdesk", 1);
    char value[PANEL_VALUE_MAX + 1] = "untouched", msg[512];
    assert_int_equal(panelhost_field_get(t->host, &support, PAGE, "text", value, sizeof value, msg, sizeof msg),
                     PANEL_E_DENIED);
    assert_string_equal(msg, "user 'helpdesk' (role 'support') may not use page 'fixture/good': it needs "
                             "permission 'fixture.good'");
    assert_string_equal(value, "");
    assert_int_equal(panelhost_field_set(t->host, &support, PAGE, "text", "x", 1, msg, sizeof msg), PANEL_E_DENIED);
    action_out_t out;
    assert_int_equal(run_action(t, &support, "wipe", NULL, NULL, 0, &out), PANEL_E_DENIED);
    assert_string_equal(out.secret, "");
    host_test_rows_t rows = {0};
    assert_int_equal(panelhost_table_read(t->host, &support, PAGE, "log", 0, 10, host_test_collect, &rows, msg,
                                          sizeof msg), PANEL_E_DENIED);
    assert_int_equal(panelhost_page_status(t->host, &support, PAGE, host_test_collect, &rows, msg, sizeof msg),
                     PANEL_E_DENIED);
    assert_int_equal(rows.count, 0);
    assert_int_equal(plugin_calls(t), before);
    const panel_menu_entry_t *menu[4];
    assert_int_equal(panelhost_menu(t->host, &support, menu, 4), 0);

    /* a role holding exactly fixture.* may */
    panel_caller_t tester = host_test_caller(t, "tester", 0);
    assert_int_equal(panelhost_field_get(t->host, &tester, PAGE, "text", value, sizeof value, msg, sizeof msg),
                     PANEL_OK);
    assert_int_equal(panelhost_menu(t->host, &tester, menu, 4), 1);
}

typedef struct audit_text {
    char text[4096];
} audit_text_t;

static int32_t collect_audit(void *ctx, const panelhost_audit_entry_t *e)
{
    audit_text_t *a = ctx;
    size_t used = strlen(a->text);
    snprintf(a->text + used, sizeof a->text - used, "%s|%s|%s|%s|%s|%s\n", e->user, e->origin, e->action,
             e->target, e->outcome, e->detail);
    return PANEL_OK;
}

/* Issue 11 item 16: every refusal for lack of permission lands in the host audit log (who, what, when), so an
 * owner sees attempts the plugin never saw; allowed calls add nothing. */
static void refusals_are_written_to_the_host_audit_log(void **state)
{
    host_test_t *t = *state;
    panel_caller_t support = host_test_caller(t, "helpdesk", 1);
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char value[PANEL_VALUE_MAX + 1], msg[512];
    action_out_t out;
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "text", value, sizeof value, msg, sizeof msg),
                     PANEL_OK);
    assert_int_equal(panelhost_field_set(t->host, &support, PAGE, "text", "x", 1, msg, sizeof msg), PANEL_E_DENIED);
    assert_int_equal(run_action(t, &support, "wipe", NULL, NULL, 0, &out), PANEL_E_DENIED);
    host_test_rows_t rows = {0};
    assert_int_equal(panelhost_table_read(t->host, &support, PAGE, "log", 0, 10, host_test_collect, &rows, msg,
                                          sizeof msg), PANEL_E_DENIED);
    audit_text_t a = {""};
    char err[256];
    assert_int_equal(panelhost_audit_read(t->host, NULL, 0, collect_audit, &a, err, sizeof err), PANEL_OK);
    assert_string_equal(a.text,
                        "helpdesk|cli uid=1000|table.read|fixture/good/log|denied|needs permission fixture.good\n"
                        "helpdesk|cli uid=1000|action.run|fixture/good/wipe|denied|needs permission fixture.good\n"
                        "helpdesk|cli uid=1000|field.set|fixture/good/text|denied|needs permission fixture.good\n");
}

static void unknown_page_and_field(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char value[PANEL_VALUE_MAX + 1], msg[512];
    assert_int_equal(panelhost_field_get(t->host, &owner, "nope", "text", value, sizeof value, msg, sizeof msg),
                     PANEL_E_NOT_FOUND);
    assert_non_null(strstr(msg, "no page 'nope'"));
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "nope", value, sizeof value, msg, sizeof msg),
                     PANEL_E_NOT_FOUND);
    assert_string_equal(msg, "page 'fixture/good' has no field 'nope'");
}

static void readonly_and_validator_refusals(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    int before = plugin_calls(t);
    char msg[512];
    assert_int_equal(panelhost_field_set(t->host, &owner, PAGE, "calls", "5", 1, msg, sizeof msg),
                     PANEL_E_INVALID);
    assert_string_equal(msg, "field 'calls' (Calls) is read-only; it cannot be set");
    assert_int_equal(panelhost_field_set(t->host, &owner, PAGE, "text", "trailing ", 9, msg, sizeof msg),
                     PANEL_E_INVALID);
    assert_string_equal(msg, "the text has a trailing space or a NUL byte");
    assert_int_equal(panelhost_field_set(t->host, &owner, PAGE, "text", "a\0b", 3, msg, sizeof msg),
                     PANEL_E_INVALID);
    assert_int_equal(panelhost_field_set(t->host, &owner, PAGE, "enabled", "yes", 3, msg, sizeof msg),
                     PANEL_E_INVALID);
    assert_string_equal(msg, "'enabled' is a toggle: give 1 (on) or 0 (off)");
    assert_int_equal(plugin_calls(t), before);
}

static void dangerous_field_needs_confirmation(void **state)
{
    host_test_t *t = *state;
    panel_caller_t unconfirmed = host_test_caller(t, "admin", 0);
    panel_caller_t confirmed = host_test_caller(t, "admin", 1);
    int before = plugin_calls(t);
    char msg[512], value[PANEL_VALUE_MAX + 1];
    assert_int_equal(panelhost_field_set(t->host, &unconfirmed, PAGE, "enabled", "1", 1, msg, sizeof msg),
                     PANEL_E_CONFIRM);
    assert_string_equal(msg, "Switching this changes everything.");
    assert_int_equal(plugin_calls(t), before);
    assert_int_equal(panelhost_field_set(t->host, &confirmed, PAGE, "enabled", "1", 1, msg, sizeof msg), PANEL_OK);
    assert_string_equal(msg, "enabled");
    assert_int_equal(panelhost_field_get(t->host, &confirmed, PAGE, "enabled", value, sizeof value, msg,
                                         sizeof msg), PANEL_OK);
    assert_string_equal(value, "1");
}

static void dangerous_action_needs_confirmation(void **state)
{
    host_test_t *t = *state;
    panel_caller_t unconfirmed = host_test_caller(t, "admin", 0);
    panel_caller_t confirmed = host_test_caller(t, "admin", 1);
    int before = plugin_calls(t);
    action_out_t out;
    assert_int_equal(run_action(t, &unconfirmed, "wipe", NULL, NULL, 0, &out), PANEL_E_CONFIRM);
    assert_string_equal(out.message, "Wiping cannot be undone.");
    assert_string_equal(out.secret, "");
    assert_int_equal(plugin_calls(t), before);

    assert_int_equal(run_action(t, &confirmed, "wipe", NULL, NULL, 0, &out), PANEL_OK);
    assert_string_equal(out.message, "wiped with mode 0, note ''"); /* defaults filled */
    assert_string_equal(out.secret, "fixture-secret-0");
    const char *names[] = {"mode", "note"}, *values[] = {"24h", "hi"};
    assert_int_equal(run_action(t, &confirmed, "wipe", names, values, 2, &out), PANEL_OK);
    assert_string_equal(out.message, "wiped with mode 24h, note 'hi'");
}

static void action_arguments_are_checked(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    int before = plugin_calls(t);
    action_out_t out;
    const char *bad_enum_n[] = {"mode"}, *bad_enum_v[] = {"2h"};
    assert_int_equal(run_action(t, &owner, "wipe", bad_enum_n, bad_enum_v, 1, &out), PANEL_E_INVALID);
    assert_string_equal(out.message, "'2h' is not a valid value for mode (Mode); choose one of: 0, 1h, 24h, 7d");
    const char *unknown_n[] = {"bogus"}, *unknown_v[] = {"1"};
    assert_int_equal(run_action(t, &owner, "wipe", unknown_n, unknown_v, 1, &out), PANEL_E_INVALID);
    assert_string_equal(out.message, "action 'wipe' has no parameter 'bogus'; its parameters are: mode, note");
    const char *twice_n[] = {"mode", "mode"}, *twice_v[] = {"0", "1h"};
    assert_int_equal(run_action(t, &owner, "wipe", twice_n, twice_v, 2, &out), PANEL_E_INVALID);
    assert_string_equal(out.message, "parameter 'mode' is given twice");
    assert_int_equal(run_action(t, &owner, "echo", NULL, NULL, 0, &out), PANEL_E_INVALID);
    assert_string_equal(out.message, "action 'echo' needs parameter 'text' (Text)");
    assert_int_equal(run_action(t, &owner, "nope", NULL, NULL, 0, &out), PANEL_E_NOT_FOUND);
    assert_int_equal(plugin_calls(t), before);
    const char *echo_n[] = {"text"}, *echo_v[] = {"hello"};
    assert_int_equal(run_action(t, &owner, "echo", echo_n, echo_v, 1, &out), PANEL_OK);
    assert_string_equal(out.message, "echo: hello");
    assert_string_equal(out.secret, "");
}

/* No parameter value holds a control or bidirectional formatting character (a label "Minecraft\u202eserver"
 * would read reversed in the audit trail): refused before the plugin is called, naming the character. */
static void control_and_bidi_characters_are_refused(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    int before = plugin_calls(t);
    action_out_t out;
    const char *n[] = {"text"};
    const char *rlo[] = {"Minecraft\xe2\x80\xaerevres"};
    assert_int_equal(run_action(t, &owner, "echo", n, rlo, 1, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "U+202E (RIGHT-TO-LEFT OVERRIDE)"));
    assert_non_null(strstr(out.message, "'text'"));
    const char *isolate[] = {"a\xe2\x81\xa6" "b"};
    assert_int_equal(run_action(t, &owner, "echo", n, isolate, 1, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "U+2066"));
    const char *newline[] = {"two\nlines"};
    assert_int_equal(run_action(t, &owner, "echo", n, newline, 1, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "control character U+000A at byte 4"));
    const char *c1[] = {"x\xc2\x85"};
    assert_int_equal(run_action(t, &owner, "echo", n, c1, 1, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "U+0085"));
    const char *wn[] = {"note"}, *tab[] = {"a\tb"};
    assert_int_equal(run_action(t, &owner, "wipe", wn, tab, 1, &out), PANEL_E_INVALID);
    assert_int_equal(plugin_calls(t), before);
    const char *fine[] = {"Caf\xc3\xa9 \xe2\x80\x94 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"}; /* é, em dash, Hebrew */
    assert_int_equal(run_action(t, &owner, "echo", n, fine, 1, &out), PANEL_OK);
}

/* plugin.h promises field getters a value buffer of PANEL_VALUE_MAX + 1 bytes: a smaller one never reaches
 * the plugin. */
static void small_value_buffer_is_refused(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    int before = plugin_calls(t);
    char value[PANEL_VALUE_MAX], err[512];
    assert_int_equal(panelhost_field_get(t->host, &owner, PAGE, "text", value, sizeof value, err, sizeof err),
                     PANEL_E_INVALID);
    assert_string_equal(err, "panelhost_field_get: the value buffer has 4096 bytes; it needs PANEL_VALUE_MAX + 1 "
                             "(4097)");
    assert_int_equal(plugin_calls(t), before);
}

/* plugin.h promises actions a message buffer of >= 256 bytes and a secret buffer of >= PANEL_SECRET_MAX. */
static void small_result_buffers_are_refused(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    int before = plugin_calls(t);
    char message[255], big_message[512], secret[PANEL_SECRET_MAX - 1], big_secret[PANEL_SECRET_MAX];
    const char *echo_n[] = {"text"}, *echo_v[] = {"hello"};
    panel_result_t small_message = {sizeof small_message, message, sizeof message, big_secret, sizeof big_secret, NULL, 0};
    assert_int_equal(panelhost_action_run(t->host, &owner, PAGE, "echo", echo_n, echo_v, 1, &small_message),
                     PANEL_E_INVALID);
    assert_non_null(strstr(message, "a message buffer of >= 256 bytes"));
    panel_result_t small_secret = {sizeof small_secret, big_message, sizeof big_message, secret, sizeof secret, NULL, 0};
    assert_int_equal(panelhost_action_run(t->host, &owner, PAGE, "echo", echo_n, echo_v, 1, &small_secret),
                     PANEL_E_INVALID);
    assert_non_null(strstr(big_message, "a secret buffer of >= 256 bytes"));
    assert_int_equal(plugin_calls(t), before);
}

/* A host program that stops reading rows early gets PANEL_OK and the rows it took, not a plugin failure. */
static int32_t take_one_row(void *ctx, const char *const *cells, uint32_t n_cells)
{
    host_test_rows_t *rows = ctx;
    host_test_collect(rows, cells, n_cells);
    return PANEL_E_STATE;
}

static void host_can_stop_reading_rows_early(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    host_test_rows_t rows = {0};
    char err[512] = "stale";
    assert_int_equal(panelhost_table_read(t->host, &owner, PAGE, "log", 0, 5, take_one_row, &rows, err,
                                          sizeof err), PANEL_OK);
    assert_string_equal(rows.text, "5|event\n");
    assert_string_equal(err, "");
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_page_status(t->host, &owner, PAGE, take_one_row, &rows, err, sizeof err), PANEL_OK);
    assert_int_equal(rows.count, 1);
}

/* The probe fixture with config `case = probe_case`, loaded into a fresh host. */
static host_test_t *open_probe(const char *probe_case)
{
    char config[4096];
    snprintf(config, sizeof config, "%s[plugin:probe]\ncase = %s\n", HOST_TEST_CONFIG, probe_case);
    host_test_t *t = host_test_open(config);
    host_test_load(t, "probe");
    return t;
}

/* An enum parameter without a default is required: accepted at registration, demanded at run time. */
static void enum_parameter_without_default_is_required(void **unused)
{
    (void)unused;
    host_test_t *t = open_probe("plain");
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char message[512], secret[PANEL_SECRET_MAX];
    panel_result_t result = {sizeof result, message, sizeof message, secret, sizeof secret, NULL, 0};
    assert_int_equal(panelhost_action_run(t->host, &owner, "probe/page", "pick", NULL, NULL, 0, &result),
                     PANEL_E_INVALID);
    assert_string_equal(message, "action 'pick' needs parameter 'size' (Size)");
    const char *names[] = {"size"}, *bad[] = {"xl"}, *good[] = {"m"};
    assert_int_equal(panelhost_action_run(t->host, &owner, "probe/page", "pick", names, bad, 1, &result),
                     PANEL_E_INVALID);
    assert_string_equal(message, "'xl' is not a valid value for size (Size); choose one of: s, m, l");
    assert_int_equal(panelhost_action_run(t->host, &owner, "probe/page", "pick", names, good, 1, &result),
                     PANEL_OK);
    assert_string_equal(message, "picked m");
    assert_null(panelhost_action_at(t->host, "probe/page", 0)->params[0]->default_value);
    host_test_close(t);
}

/* A plugin that ignores the sink's refusal of a malformed row and returns PANEL_OK still fails the call. */
static void refused_row_fails_the_call_even_if_the_plugin_says_ok(void **unused)
{
    (void)unused;
    host_test_t *t = open_probe("plain");
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    host_test_rows_t rows = {0};
    char err[512];
    assert_int_equal(panelhost_table_read(t->host, &owner, "probe/page", "sloppy", 0, 5, host_test_collect, &rows,
                                          err, sizeof err), PANEL_E_INVALID);
    assert_string_equal(err, "the plugin emitted a row of 2 cells; 1 were expected");
    assert_int_equal(rows.count, 0);
    host_test_close(t);
}

static void tables_and_status_lines(void **state)
{
    host_test_t *t = *state;
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    host_test_rows_t rows = {0};
    char err[512];
    assert_int_equal(panelhost_table_read(t->host, &owner, PAGE, "log", 0, 3, host_test_collect, &rows, err,
                                          sizeof err), PANEL_OK);
    assert_string_equal(rows.text, "5|event\n4|event\n3|event\n");
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_table_read(t->host, &owner, PAGE, "log", 3, 10, host_test_collect, &rows, err,
                                          sizeof err), PANEL_OK);
    assert_string_equal(rows.text, "2|event\n1|event\n");
    assert_int_equal(panelhost_table_read(t->host, &owner, PAGE, "nope", 0, 3, host_test_collect, &rows, err,
                                          sizeof err), PANEL_E_NOT_FOUND);
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_page_status(t->host, &owner, PAGE, host_test_collect, &rows, err, sizeof err),
                     PANEL_OK);
    assert_int_equal(rows.count, 1);
    assert_non_null(strstr(rows.text, "Calls|"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(field_get_and_set, setup, teardown),
        cmocka_unit_test_setup_teardown(no_permission_never_reaches_the_plugin, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_are_written_to_the_host_audit_log, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_page_and_field, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_and_validator_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(dangerous_field_needs_confirmation, setup, teardown),
        cmocka_unit_test_setup_teardown(dangerous_action_needs_confirmation, setup, teardown),
        cmocka_unit_test_setup_teardown(control_and_bidi_characters_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(action_arguments_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(small_result_buffers_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(small_value_buffer_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(tables_and_status_lines, setup, teardown),
        cmocka_unit_test(enum_parameter_without_default_is_required),
        cmocka_unit_test(refused_row_fails_the_call_even_if_the_plugin_says_ok),
        cmocka_unit_test_setup_teardown(host_can_stop_reading_rows_early, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
