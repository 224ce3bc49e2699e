/* host_permissions.c - unit tests of roles and permissions: the wildcard matrix ("*", "prefix.*", exact),
 * callers built from the config's users, and the has_permission query plugins get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host_test.h"

static const char *const matrix_config =
    "[role:all]\npermissions = *\n"
    "[role:settings]\npermissions = settings.*\n"
    "[role:exact]\npermissions = settings.api_key\n"
    "[role:mixed]\npermissions = orders.* , support.tickets.*,reports\n"
    "[role:nothing]\npermissions =\n"
    "[user:alice]\nrole = exact\n"
    "[user:bob]\nrole = missing\n";

static void wildcard_matrix(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(matrix_config);
    static const struct {
        const char *role, *permission;
        int allowed;
    } cases[] = {
        {"all", "settings.api_key", 1},     {"all", "anything", 1},
        {"all", "a.b.c", 1},                {"settings", "settings", 1},
        {"settings", "settings.api_key", 1}, {"settings", "settings.x.y", 1},
        {"settings", "settingsx", 0},       {"settings", "settingsx.y", 0},
        {"settings", "orders", 0},          {"exact", "settings.api_key", 1},
        {"exact", "settings.api_key.x", 0}, {"exact", "settings", 0},
        {"exact", "settings.api", 0},       {"mixed", "orders.view", 1},
        {"mixed", "orders", 1},             {"mixed", "support.tickets.close", 1},
        {"mixed", "support.chat", 0},       {"mixed", "reports", 1},
        {"mixed", "reports.daily", 0},      {"nothing", "settings", 0},
        {"undefined", "settings", 0},       {"all", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t got = panelhost_role_allows(t->host, cases[i].role, cases[i].permission);
        if (got != cases[i].allowed)
            fail_msg("role %s, permission '%s': got %d, expected %d", cases[i].role, cases[i].permission,
                     (int)got, cases[i].allowed);
    }
    host_test_close(t);
}

static void caller_comes_from_config(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(matrix_config);
    panel_caller_t caller = {.struct_size = sizeof caller};
    char err[512];
    assert_int_equal(panelhost_caller_init(t->host, &caller, "alice", PANEL_ORIGIN_CLI, 1234, NULL, 1, err,
                                           sizeof err), PANEL_OK);
    assert_int_equal(caller.struct_size, sizeof caller);
    assert_string_equal(caller.user, "alice");
    assert_string_equal(caller.role, "exact");
    assert_int_equal(caller.origin, PANEL_ORIGIN_CLI);
    assert_int_equal(caller.os_uid, 1234);
    assert_null(caller.client_addr);
    assert_int_equal(caller.confirmed, 1);
    assert_int_equal(caller.has_permission(&caller, "settings.api_key"), 1);
    assert_int_equal(caller.has_permission(&caller, "settings.other"), 0);

    assert_int_equal(panelhost_caller_init(t->host, &caller, "alice", PANEL_ORIGIN_WEB, 1234, "10.0.0.1", 0, err,
                                           sizeof err), PANEL_OK);
    assert_int_equal(caller.os_uid, -1);
    assert_string_equal(caller.client_addr, "10.0.0.1");
    /* plugin.h promises a web caller's client_addr is set */
    assert_int_equal(panelhost_caller_init(t->host, &caller, "alice", PANEL_ORIGIN_WEB, -1, NULL, 0, err,
                                           sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "a PANEL_ORIGIN_WEB caller needs the client address"));
    assert_int_equal(panelhost_caller_init(t->host, &caller, "alice", PANEL_ORIGIN_WEB, -1, "", 0, err,
                                           sizeof err), PANEL_E_INVALID);

    assert_int_equal(panelhost_caller_init(t->host, &caller, "carol", PANEL_ORIGIN_CLI, 0, NULL, 0, err,
                                           sizeof err), PANEL_E_NOT_FOUND);
    assert_non_null(strstr(err, "no admin user 'carol' in the config"));
    assert_int_equal(panelhost_caller_init(t->host, &caller, "bob", PANEL_ORIGIN_CLI, 0, NULL, 0, err,
                                           sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "role 'missing', which the config does not define"));
    host_test_close(t);
}

/* The program's struct_size bounds what panelhost_caller_init writes: a program built against a newer
 * plugin.h keeps its appended fields, and one that did not set struct_size is refused. */
static void caller_init_honours_the_program_struct_size(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(matrix_config);
    char err[512];
    struct {
        panel_caller_t caller;
        unsigned char newer_fields[16];
    } newer;
    memset(&newer, 0xab, sizeof newer);
    newer.caller.struct_size = sizeof newer;
    assert_int_equal(panelhost_caller_init(t->host, &newer.caller, "alice", PANEL_ORIGIN_CLI, 7, NULL, 0, err,
                                           sizeof err), PANEL_OK);
    assert_int_equal(newer.caller.struct_size, sizeof newer);
    assert_string_equal(newer.caller.user, "alice");
    for (size_t i = 0; i < sizeof newer.newer_fields; i++)
        assert_int_equal(newer.newer_fields[i], 0xab);

    panel_caller_t unset;
    memset(&unset, 0, sizeof unset);
    assert_int_equal(panelhost_caller_init(t->host, &unset, "alice", PANEL_ORIGIN_CLI, 7, NULL, 0, err, sizeof err),
                     PANEL_E_VERSION);
    assert_non_null(strstr(err, "set it to sizeof(panel_caller_t)"));
    assert_null(unset.user);
    host_test_close(t);
}

static void without_config_there_are_no_users(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    char *data = support_join(dir, "data");
    panelhost_options_t options = {.data_dir = data};
    panelhost_t *host = NULL;
    char err[512];
    assert_int_equal(panelhost_open(&options, &host, err, sizeof err), PANEL_OK);
    panel_caller_t caller = {.struct_size = sizeof caller};
    assert_int_equal(panelhost_caller_init(host, &caller, "admin", PANEL_ORIGIN_CLI, 0, NULL, 0, err, sizeof err),
                     PANEL_E_NOT_FOUND);
    assert_int_equal(panelhost_role_allows(host, "owner", "settings"), 0);
    panelhost_close(host);
    free(data);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wildcard_matrix),
        cmocka_unit_test(caller_comes_from_config),
        cmocka_unit_test(caller_init_honours_the_program_struct_size),
        cmocka_unit_test(without_config_there_are_no_users),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
