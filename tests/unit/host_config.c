/* host_config.c - unit tests of panel.ini handling: values, relative paths, the data directory, refusals
 * naming file and line (parser errors, unknown keys, duplicate keys, over-long lines, a 10 MB line), and
 * refusal of config and plugin files other users can write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"

/* Tries to open a host on `text`; returns the status and leaves the message in err. */
static int32_t open_text(const char *text, mode_t mode, char *err, size_t err_len, char **dir_out)
{
    char *dir = support_tmpdir();
    assert_non_null(dir);
    char *config = support_write_file(dir, "panel.ini", text, strlen(text), mode);
    assert_non_null(config);
    panelhost_options_t options = {.config_path = config, .min_log_level = PANEL_LOG_ERROR};
    panelhost_t *host = NULL;
    err[0] = '\0';
    int32_t rc = panelhost_open(&options, &host, err, err_len);
    if (rc == PANEL_OK)
        assert_non_null(host);
    else
        assert_null(host);
    panelhost_close(host);
    free(config);
    if (dir_out)
        *dir_out = dir;
    else {
        support_rmtree(dir);
        free(dir);
    }
    return rc;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

static void values_are_read(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    assert_string_equal(panelhost_config_get(t->host, "host", "store_name"), "Test Store");
    assert_string_equal(panelhost_config_get(t->host, "role:support", "permissions"), "orders.*, support.*");
    assert_string_equal(panelhost_config_get(t->host, "user:admin", "role"), "owner");
    assert_string_equal(panelhost_config_get(t->host, "plugin:good", "initial_text"), "from config");
    assert_null(panelhost_config_get(t->host, "host", "listen"));
    assert_null(panelhost_config_get(t->host, "plugin:other", "initial_text"));
    host_test_close(t);
}

static void data_dir_resolves_against_config_folder_and_is_private(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open("[host]\ndata_dir = sub/../nested/data\n");
    char expected[PATH_MAX];
    snprintf(expected, sizeof expected, "%s/nested/data", t->dir);
    char *real_expected = realpath(expected, NULL);
    assert_non_null(real_expected);
    assert_string_equal(panelhost_data_dir(t->host), real_expected);
    struct stat st;
    assert_int_equal(stat(real_expected, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    free(real_expected);
    host_test_close(t);
}

static void data_dir_option_overrides_config(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    char *config = support_write_file(dir, "panel.ini", "[host]\ndata_dir = data\n", 23, 0600);
    char *override = support_join(dir, "elsewhere");
    panelhost_options_t options = {.config_path = config, .data_dir = override};
    panelhost_t *host = NULL;
    char err[512] = "";
    assert_int_equal(panelhost_open(&options, &host, err, sizeof err), PANEL_OK);
    char *real = realpath(override, NULL);
    assert_non_null(real);
    assert_string_equal(panelhost_data_dir(host), real);
    assert_string_equal(panelhost_config_get(host, "host", "data_dir"), "data"); /* as given */
    panelhost_close(host);
    free(real);
    free(override);
    free(config);
    support_rmtree(dir);
    free(dir);
}

static void parser_error_names_file_and_line(void **unused)
{
    (void)unused;
    char err[1024];
    assert_int_equal(open_text("[host]\nstore_name = A\nthis line has no equals sign\n", 0600, err, sizeof err,
                               NULL),
                     PANEL_E_INVALID);
    assert_contains(err, "panel.ini:3: cannot parse this line");
    assert_int_equal(open_text("[host\n", 0600, err, sizeof err, NULL), PANEL_E_INVALID);
    assert_contains(err, "panel.ini:1:");
}

static void unknown_and_duplicate_keys_are_refused_with_line(void **unused)
{
    (void)unused;
    char err[1024];
    assert_int_equal(open_text("[host]\nstore_name = A\ndata_dri = x\n", 0600, err, sizeof err, NULL),
                     PANEL_E_INVALID);
    assert_contains(err, "panel.ini:3: unknown key 'data_dri' in [host]");
    assert_int_equal(open_text("[host]\nstore_name = A\n\n[hots]\nx = 1\n", 0600, err, sizeof err, NULL),
                     PANEL_E_INVALID);
    assert_contains(err, "panel.ini:5: unknown section [hots]");
    assert_int_equal(open_text("[host]\nstore_name = A\nstore_name = B\n", 0600, err, sizeof err, NULL),
                     PANEL_E_INVALID);
    assert_contains(err, "panel.ini:3: 'store_name' is set twice in [host]");
    assert_int_equal(open_text("store_name = A\n", 0600, err, sizeof err, NULL), PANEL_E_INVALID);
    assert_contains(err, "panel.ini:1: 'store_name' is outside any section");
    assert_int_equal(open_text("[role:x]\npermissions = orders.*, *x\n", 0600, err, sizeof err, NULL),
                     PANEL_E_INVALID);
    assert_contains(err, "panel.ini:2: permission pattern '*x' is not valid");
    assert_int_equal(open_text("[role:x]\npermissions = orders.*,,support\n", 0600, err, sizeof err, NULL),
                     PANEL_E_INVALID);
    assert_contains(err, "panel.ini:2: an empty permission");
}

static void over_long_line_is_refused_with_line(void **unused)
{
    (void)unused;
    char text[512];
    char value[251];
    memset(value, 'x', 250);
    value[250] = '\0';
    snprintf(text, sizeof text, "[host]\n; comment\nstore_name = %s\n", value);
    char err[1024];
    assert_int_equal(open_text(text, 0600, err, sizeof err, NULL), PANEL_E_INVALID);
    assert_contains(err, "panel.ini:3: the line is 263 bytes long; lines may be at most 197 bytes");

    /* 197 bytes is still fine */
    char fits[198];
    memset(fits, 'y', 197);
    fits[197] = '\0';
    memcpy(fits, "store_name = ", 13);
    snprintf(text, sizeof text, "[host]\n%s\n", fits);
    assert_int_equal(open_text(text, 0600, err, sizeof err, NULL), PANEL_OK);
}

static void ten_megabyte_line_is_refused_without_crashing(void **unused)
{
    (void)unused;
    size_t n = 10u * 1024 * 1024;
    char *text = malloc(n + 32);
    assert_non_null(text);
    memcpy(text, "[host]\nstore_name = ", 20);
    memset(text + 20, 'z', n);
    memcpy(text + 20 + n, "\n", 2);
    char err[1024];
    assert_int_equal(open_text(text, 0600, err, sizeof err, NULL), PANEL_E_INVALID);
    assert_contains(err, "panel.ini:2: the line is 10485773 bytes long");
    free(text);
}

static void nul_byte_is_refused(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    char *config = support_write_file(dir, "panel.ini", "[host]\nstore_name = a\0b\n", 24, 0600);
    panelhost_options_t options = {.config_path = config};
    panelhost_t *host = NULL;
    char err[512] = "";
    assert_int_equal(panelhost_open(&options, &host, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "panel.ini:2: the line contains a NUL byte");
    free(config);
    support_rmtree(dir);
    free(dir);
}

static void writable_config_is_refused_saying_why(void **unused)
{
    (void)unused;
    char err[1024];
    assert_int_equal(open_text("[host]\nstore_name = A\n", 0664, err, sizeof err, NULL), PANEL_E_DENIED);
    assert_contains(err, "refusing config");
    assert_contains(err, "writable by its group (mode 0664)");
    assert_contains(err, "chmod go-w");
    assert_int_equal(open_text("[host]\nstore_name = A\n", 0606, err, sizeof err, NULL), PANEL_E_DENIED);
    assert_contains(err, "writable by every user (mode 0606)");
    assert_int_equal(open_text("[host]\nstore_name = A\n", 0644, err, sizeof err, NULL), PANEL_OK);
}

static void missing_config_is_reported(void **unused)
{
    (void)unused;
    panelhost_options_t options = {.config_path = "/nonexistent/panel.ini"};
    panelhost_t *host = NULL;
    char err[512] = "";
    assert_int_equal(panelhost_open(&options, &host, err, sizeof err), PANEL_E_NOT_FOUND);
    assert_contains(err, "cannot open config /nonexistent/panel.ini: No such file or directory");
}

static void configured_plugins_resolve_against_config_folder(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    char *sub = support_join(dir, "plugins");
    assert_int_equal(mkdir(sub, 0700), 0);
    char *copy = support_copy_file(support_fixture("good"), sub, "good.so", 0755);
    assert_non_null(copy);
    const char *text = "[host]\ndata_dir = data\nplugins = plugins/good.so plugins/missing.so\n"
                       "[plugin:good]\ninitial_text = configured\n[role:owner]\npermissions = *\n"
                       "[user:admin]\nrole = owner\n";
    char *config = support_write_file(dir, "panel.ini", text, strlen(text), 0600);
    panelhost_options_t options = {.config_path = config};
    panelhost_t *host = NULL;
    char err[512] = "";
    assert_int_equal(panelhost_open(&options, &host, err, sizeof err), PANEL_OK);
    assert_int_equal(panelhost_load_configured(host, NULL, NULL), 1); /* missing.so fails, good loads */
    assert_int_equal(panelhost_plugin_count(host), 1);
    /* the plugin read its [plugin:good] section through the host table */
    panel_caller_t caller = {.struct_size = sizeof caller};
    assert_int_equal(panelhost_caller_init(host, &caller, "admin", PANEL_ORIGIN_CLI, 0, NULL, 0, err, sizeof err),
                     PANEL_OK);
    char value[PANEL_VALUE_MAX + 1];
    assert_int_equal(panelhost_field_get(host, &caller, "fixture/good", "text", value, sizeof value, err,
                                         sizeof err), PANEL_OK);
    assert_string_equal(value, "configured");
    panelhost_close(host);
    free(config);
    free(copy);
    free(sub);
    support_rmtree(dir);
    free(dir);
}

static void writable_plugin_is_refused_saying_why(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char *copy = support_copy_file(support_fixture("good"), t->dir, "shared.so", 0775);
    assert_non_null(copy);
    char err[1024] = "";
    assert_int_equal(panelhost_load(t->host, copy, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, "refusing plugin");
    assert_contains(err, "writable by its group (mode 0775)");
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    free(copy);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_are_read),
        cmocka_unit_test(data_dir_resolves_against_config_folder_and_is_private),
        cmocka_unit_test(data_dir_option_overrides_config),
        cmocka_unit_test(parser_error_names_file_and_line),
        cmocka_unit_test(unknown_and_duplicate_keys_are_refused_with_line),
        cmocka_unit_test(over_long_line_is_refused_with_line),
        cmocka_unit_test(ten_megabyte_line_is_refused_without_crashing),
        cmocka_unit_test(nul_byte_is_refused),
        cmocka_unit_test(writable_config_is_refused_saying_why),
        cmocka_unit_test(missing_config_is_reported),
        cmocka_unit_test(configured_plugins_resolve_against_config_folder),
        cmocka_unit_test(writable_plugin_is_refused_saying_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
