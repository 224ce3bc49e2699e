/* host_loader.c - unit tests of plugin loading and unloading: the good fixture and every failure fixture
 * (wrong ABI major, newer minor, no entry symbol, failing init, invalid registrations), each refused with a
 * message a person can act on while the host keeps running, and 1000 load/unload cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>

#include "host_test.h"

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

/* Nothing at all is registered. */
static void assert_registry_empty(host_test_t *t)
{
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    assert_int_equal(panelhost_menu(t->host, &owner, NULL, 0), 0);
    assert_int_equal(panelhost_auth_provider_count(t->host), 0);
    assert_null(panelhost_page(t->host, "fixture/good"));
}

/* Loads fixture `name`, expects `rc` and returns the message. */
static const char *load_failing(host_test_t *t, const char *name, int32_t rc)
{
    static char err[2048];
    err[0] = '\0';
    assert_int_equal(panelhost_load(t->host, support_fixture(name), err, sizeof err), rc);
    return err;
}

static void good_plugin_loads_and_registers(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    assert_int_equal(panelhost_plugin_count(t->host), 1);
    panelhost_plugin_info_t info;
    assert_int_equal(panelhost_plugin_at(t->host, 0, &info), PANEL_OK);
    assert_string_equal(info.id, "good");
    assert_string_equal(info.name, "Good Fixture");
    assert_string_equal(info.version, "1.0.0");
    assert_string_equal(info.path, support_fixture("good"));
    assert_int_equal(info.abi_major, 1);
    assert_int_equal(info.abi_minor, PANEL_ABI_MINOR); /* built against the current header */
    assert_int_equal(panelhost_plugin_at(t->host, 1, &info), PANEL_E_NOT_FOUND);

    const panel_page_t *page = panelhost_page(t->host, "fixture/good");
    assert_non_null(page);
    assert_string_equal(page->title, "Good Fixture");
    assert_string_equal(page->permission, "fixture.good");
    assert_string_equal(panelhost_page_plugin(t->host, "fixture/good"), "good");
    assert_string_equal(panelhost_field_at(t->host, "fixture/good", 0)->id, "text");
    assert_int_equal(panelhost_field_at(t->host, "fixture/good", 1)->type, PANEL_FIELD_READONLY);
    assert_null(panelhost_field_at(t->host, "fixture/good", 3));
    const panel_action_t *wipe = panelhost_action_at(t->host, "fixture/good", 0);
    assert_string_equal(wipe->id, "wipe");
    assert_int_equal(wipe->flags & PANEL_FLAG_DANGEROUS, PANEL_FLAG_DANGEROUS);
    assert_string_equal(wipe->confirm, "Wiping cannot be undone.");
    assert_int_equal(wipe->n_params, 2);
    assert_string_equal(wipe->params[0]->choices, "0|1h|24h|7d");
    const panel_table_t *table = panelhost_table_at(t->host, "fixture/good", 0);
    assert_string_equal(table->columns[1], "What");
    assert_int_equal(panelhost_auth_provider_count(t->host), 1);

    panel_caller_t owner = host_test_caller(t, "admin", 0);
    const panel_menu_entry_t *menu[4];
    assert_int_equal(panelhost_menu(t->host, &owner, menu, 4), 1);
    assert_string_equal(menu[0]->path, "Tools > Good Fixture");
    assert_string_equal(menu[0]->page_id, "fixture/good");
    host_test_close(t);
}

/* The plugin's path is kept resolved, so listings never show "dir/../x.so". */
static void plugin_path_is_resolved(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char resolved[PATH_MAX], dir[PATH_MAX], roundabout[3 * PATH_MAX], err[1024] = "";
    assert_non_null(realpath(support_fixture("good"), resolved));
    snprintf(dir, sizeof dir, "%s", resolved);
    *strrchr(dir, '/') = '\0';                 /* .../fixtures */
    const char *dir_name = strrchr(dir, '/') + 1; /* fixtures */
    snprintf(roundabout, sizeof roundabout, "%s/../%s/good.so", dir, dir_name);
    assert_int_equal(panelhost_load(t->host, roundabout, err, sizeof err), PANEL_OK);
    panelhost_plugin_info_t info;
    assert_int_equal(panelhost_plugin_at(t->host, 0, &info), PANEL_OK);
    assert_string_equal(info.path, resolved);
    host_test_close(t);
}

static void wrong_major_is_refused_before_any_call(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "wrong_major", PANEL_E_VERSION);
    char expected[1024];
    snprintf(expected, sizeof expected, "plugin %s was built for ABI 2.0; this host speaks ABI 1.x",
             support_fixture("wrong_major"));
    assert_contains(err, expected); /* and its init, which aborts, was never called */
    assert_registry_empty(t);
    host_test_close(t);
}

static void newer_minor_loads_and_extra_fields_are_ignored(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "newer_minor");
    panelhost_plugin_info_t info;
    assert_int_equal(panelhost_plugin_at(t->host, 0, &info), PANEL_OK);
    assert_string_equal(info.id, "newer_minor");
    assert_int_equal(info.abi_minor, 99);
    const panel_page_t *page = panelhost_page(t->host, "fixture/newer");
    assert_non_null(page);
    assert_int_equal(page->struct_size, sizeof(panel_page_t)); /* the host's own copy */
    assert_string_equal(page->title, "Newer Fixture");
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    char value[PANEL_VALUE_MAX + 1], err[512];
    assert_int_equal(panelhost_field_get(t->host, &owner, "fixture/newer", "value", value, sizeof value, err,
                                         sizeof err), PANEL_OK);
    assert_string_equal(value, "newer");
    char message[256], secret[PANEL_SECRET_MAX];
    panel_result_t result = {sizeof result, message, sizeof message, secret, sizeof secret, NULL, 0};
    const char *names[] = {"speed"}, *values[] = {"fast"};
    assert_int_equal(panelhost_action_run(t->host, &owner, "fixture/newer", "go", names, values, 1, &result),
                     PANEL_OK);
    assert_string_equal(message, "went fast");
    host_test_close(t);
}

static void no_entry_symbol_is_not_a_plugin(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "no_entry", PANEL_E_NOT_FOUND);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s is not a panel plugin: it does not export the symbol panel_plugin_entry", support_fixture("no_entry"));
    assert_string_equal(err, expected);
    assert_registry_empty(t);
    host_test_close(t);
}

static void missing_file_is_reported(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char err[512];
    assert_int_equal(panelhost_load(t->host, "/nonexistent/x.so", err, sizeof err), PANEL_E_NOT_FOUND);
    assert_string_equal(err, "cannot load plugin /nonexistent/x.so: No such file or directory");
    host_test_close(t);
}

static void failing_init_drops_everything(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "init_fails", PANEL_E_STORE);
    assert_contains(err, "(init_fails) failed to initialise: the fixture's storage is unreachable "
                         "(init_fails fixture)");
    assert_registry_empty(t); /* its page, menu entry and provider are gone; fini (which aborts) not called */
    assert_null(panelhost_page(t->host, "fixture/init-fails"));
    /* Without an error buffer the failure is still logged, from the library's own copy. */
    t->log[0] = '\0';
    assert_int_equal(panelhost_load(t->host, support_fixture("init_fails"), NULL, 0), PANEL_E_STORE);
    assert_contains(t->log, "failed to initialise: the fixture's storage is unreachable");
    host_test_close(t);
}

/* A plugin's log line with a level beyond DEBUG is clamped to DEBUG; a NULL message is ignored. */
static void plugin_log_levels_are_clamped(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(HOST_TEST_CONFIG "[plugin:probe]\ncase = log\n");
    host_test_load(t, "probe");
    assert_contains(t->log, "3 probe level 99 is clamped\n");
    host_test_close(t);
}

/* A flag bit the host does not know is refused, not silently dropped. */
static void unknown_flag_bits_are_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(HOST_TEST_CONFIG "[plugin:probe]\ncase = bad_flags\n");
    const char *err = load_failing(t, "probe", PANEL_E_INVALID);
    assert_contains(err, "action 'pick' refused: flags 0x4 has bits this host does not know (0x4)");
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    assert_null(panelhost_page(t->host, "probe/page"));
    host_test_close(t);
}

static void empty_id_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "bad_empty_id", PANEL_E_INVALID);
    assert_contains(err, "failed to initialise: plugin bad_empty_id: page '' refused: the id must be 1-64 bytes");
    assert_contains(t->log, "plugin bad_empty_id: page '' refused");
    assert_registry_empty(t);
    host_test_close(t);
}

static void duplicate_id_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "bad_duplicate_id", PANEL_E_CONFLICT);
    assert_contains(err, "plugin bad_duplicate_id: field 'twice' refused: page 'fixture/dup' already has a "
                         "field with this id");
    assert_null(panelhost_page(t->host, "fixture/dup"));
    assert_registry_empty(t);
    host_test_close(t);
}

static void insane_struct_sizes_are_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "bad_struct_size", PANEL_E_VERSION);
    assert_contains(err, "small: plugin bad_struct_size: page refused: struct_size is 4, smaller than the "
                         "ABI 1.0 size of 48 bytes");
    assert_contains(err, "large: plugin bad_struct_size: page refused: struct_size is 1073741824, larger than "
                         "65536 bytes");
    assert_registry_empty(t);
    host_test_close(t);
}

static void null_callback_is_refused_even_if_init_ignores_it(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "bad_null_callback", PANEL_E_INVALID);
    assert_contains(err, "was not loaded: a registration was refused but init went on: plugin "
                         "bad_null_callback: field 'broken' refused: the get callback is NULL");
    assert_null(panelhost_page(t->host, "fixture/null-callback"));
    assert_registry_empty(t); /* fini ran and freed its state: valgrind sees no leak */
    host_test_close(t);
}

static void menu_entry_without_its_page_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *err = load_failing(t, "bad_menu_page", PANEL_E_NOT_FOUND);
    assert_contains(err, "menu entry 'fixture-dangling' points at page 'fixture/missing', which the plugin did "
                         "not register");
    assert_registry_empty(t);
    host_test_close(t);
}

static void host_keeps_running_with_the_good_ones(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    static const char *const bad[] = {"wrong_major", "no_entry", "init_fails", "bad_empty_id",
                                      "bad_duplicate_id", "bad_struct_size", "bad_null_callback",
                                      "bad_menu_page"};
    host_test_load(t, "good");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[1024] = "";
        assert_int_not_equal(panelhost_load(t->host, support_fixture(bad[i]), err, sizeof err), PANEL_OK);
        assert_true(err[0] != '\0');
    }
    host_test_load(t, "newer_minor");
    assert_int_equal(panelhost_plugin_count(t->host), 2);
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    const panel_menu_entry_t *menu[8];
    assert_int_equal(panelhost_menu(t->host, &owner, menu, 8), 2);
    assert_string_equal(menu[0]->id, "fixture-good"); /* same parent "Tools": order 10 before 20 */
    assert_string_equal(menu[1]->id, "fixture-newer");
    char value[PANEL_VALUE_MAX + 1], err[512];
    assert_int_equal(panelhost_field_get(t->host, &owner, "fixture/good", "text", value, sizeof value, err,
                                         sizeof err), PANEL_OK);
    assert_string_equal(value, "from config");
    host_test_close(t);
}

static void loading_twice_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    const char *err = load_failing(t, "good", PANEL_E_CONFLICT);
    assert_contains(err, "has id 'good', which is already loaded from");
    assert_int_equal(panelhost_plugin_count(t->host), 1);
    host_test_close(t);
}

static void unload_removes_everything(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "newer_minor");
    host_test_load(t, "good");
    char err[512];
    assert_int_equal(panelhost_unload(t->host, "good", err, sizeof err), PANEL_OK);
    assert_null(panelhost_page(t->host, "fixture/good"));
    assert_non_null(panelhost_page(t->host, "fixture/newer"));
    assert_int_equal(panelhost_auth_provider_count(t->host), 1);
    assert_int_equal(panelhost_unload(t->host, "good", err, sizeof err), PANEL_E_NOT_FOUND);
    assert_string_equal(err, "no plugin 'good' is loaded");
    assert_int_equal(panelhost_unload(t->host, "newer_minor", err, sizeof err), PANEL_OK);
    assert_registry_empty(t);
    host_test_close(t);
}

static void load_unload_a_thousand_times(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    for (int i = 0; i < 1000; i++) {
        char err[1024] = "";
        int32_t rc = panelhost_load(t->host, support_fixture("good"), err, sizeof err);
        if (rc != PANEL_OK)
            fail_msg("cycle %d: load: %s", i, err);
        assert_non_null(panelhost_page(t->host, "fixture/good"));
        rc = panelhost_unload(t->host, "good", err, sizeof err);
        if (rc != PANEL_OK)
            fail_msg("cycle %d: unload: %s", i, err);
        if (panelhost_plugin_count(t->host) != 0 || panelhost_page(t->host, "fixture/good") ||
            panelhost_auth_provider_count(t->host) != 0)
            fail_msg("cycle %d: something stayed registered", i);
    }
    assert_registry_empty(t);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_plugin_loads_and_registers),
        cmocka_unit_test(plugin_path_is_resolved),
        cmocka_unit_test(wrong_major_is_refused_before_any_call),
        cmocka_unit_test(newer_minor_loads_and_extra_fields_are_ignored),
        cmocka_unit_test(no_entry_symbol_is_not_a_plugin),
        cmocka_unit_test(missing_file_is_reported),
        cmocka_unit_test(failing_init_drops_everything),
        cmocka_unit_test(plugin_log_levels_are_clamped),
        cmocka_unit_test(unknown_flag_bits_are_refused),
        cmocka_unit_test(empty_id_is_refused),
        cmocka_unit_test(duplicate_id_is_refused),
        cmocka_unit_test(insane_struct_sizes_are_refused),
        cmocka_unit_test(null_callback_is_refused_even_if_init_ignores_it),
        cmocka_unit_test(menu_entry_without_its_page_is_refused),
        cmocka_unit_test(host_keeps_running_with_the_good_ones),
        cmocka_unit_test(loading_twice_is_refused),
        cmocka_unit_test(unload_removes_everything),
        cmocka_unit_test(load_unload_a_thousand_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
