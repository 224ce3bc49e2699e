/* host_extensions.c - unit tests of libpanelhost's extensions: the installed list (config plugins and
 * [host] plugin_dir extras, defaults, load errors, no init for a disabled one), enabling and disabling
 * (permission, confirmation, unloading everything the plugin registered, the state file surviving a new
 * host), reload of a change made by another host on the same data directory (the shared change counter; an
 * edit by hand through the stat() of panelhost_extensions_changed; no counter: stat() only, and changes
 * refused), the host audit log, and a damaged state file failing closed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

/* A config with the good fixture in [host] plugins and plugin_dir = extra. */
static host_test_t *open_with_extensions(void)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "[host]\n"
             "data_dir = data\n"
             "plugins = %s\n"
             "plugin_dir = extra\n"
             "[role:owner]\n"
             "permissions = *\n"
             "[role:support]\n"
             "permissions = orders.*\n"
             "[role:manager]\n"
             "permissions = extensions.manage\n"
             "[user:admin]\n"
             "role = owner\n"
             "[user:helpdesk]\n"
             "role = support\n"
             "[user:ops]\n"
             "role = manager\n",
             support_fixture("good"));
    host_test_t *t = host_test_open(text);
    char *extra = support_join(t->dir, "extra");
    assert_int_equal(mkdir(extra, 0700), 0);
    const char *copies[] = {"init_fails", "no_entry"};
    for (size_t i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.so", copies[i]);
        char *copy = support_copy_file(support_fixture(copies[i]), extra, name, 0755);
        assert_non_null(copy);
        free(copy);
    }
    free(extra);
    return t;
}

/* Collected listing: "id enabled loaded configured error?" per line. */
typedef struct listing {
    char text[4096];
    char errors[4096];
    uint32_t providers_of_good;
    uint32_t menus_of_good;
} listing_t;

static int32_t collect(void *ctx, const panelhost_extension_info_t *info)
{
    listing_t *l = ctx;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s %d %d %d %s\n", info->id, (int)info->enabled,
             (int)info->loaded, (int)info->configured, info->load_error[0] ? "error" : "-");
    used = strlen(l->errors);
    snprintf(l->errors + used, sizeof l->errors - used, "%s\n", info->load_error);
    if (strcmp(info->id, "good") == 0) {
        l->providers_of_good = info->n_auth_providers;
        l->menus_of_good = info->n_menu_entries;
    }
    return PANEL_OK;
}

static listing_t list(host_test_t *t, const panel_caller_t *caller)
{
    listing_t l;
    memset(&l, 0, sizeof l);
    char err[1024] = "";
    if (panelhost_extensions_list(t->host, caller, collect, &l, err, sizeof err) != PANEL_OK)
        fail_msg("panelhost_extensions_list: %s", err);
    return l;
}

static void configured_enabled_and_extras_disabled_without_init(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    assert_int_equal(panelhost_extensions_load(t->host, NULL, NULL), 0);
    assert_int_equal(panelhost_plugin_count(t->host), 1);
    listing_t l = list(t, NULL);
    assert_string_equal(l.text, "good 1 1 1 -\n"
                                "init_fails 0 0 0 -\n"
                                "no_entry 0 0 0 error\n");
    assert_contains(l.errors, "does not export the symbol panel_plugin_entry");
    assert_int_equal(l.providers_of_good, 1);
    assert_int_equal(l.menus_of_good, 1);
    /* init_fails was read (its id is known) but its init never ran */
    if (strstr(t->log, "failed to initialise"))
        fail_msg("a disabled extension was initialised: %s", t->log);
    host_test_close(t);
}

static void listing_needs_the_permission(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    panel_caller_t helpdesk = host_test_caller(t, "helpdesk", 0);
    listing_t l;
    memset(&l, 0, sizeof l);
    char err[512] = "";
    assert_int_equal(panelhost_extensions_list(t->host, &helpdesk, collect, &l, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, "extensions.manage");
    assert_string_equal(l.text, "");
    panel_caller_t ops = host_test_caller(t, "ops", 0);
    l = list(t, &ops);
    assert_contains(l.text, "good 1");
    host_test_close(t);
}


static void disable_needs_confirmation_and_permission_then_unloads(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    panelhost_extensions_load(t->host, NULL, NULL);
    char msg[2048] = "";

    panel_caller_t helpdesk = host_test_caller(t, "helpdesk", 1);
    assert_int_equal(panelhost_extension_set_enabled(t->host, &helpdesk, "good", 0, msg, sizeof msg),
                     PANEL_E_DENIED);
    assert_contains(msg, "extensions.manage");
    assert_int_equal(panelhost_plugin_count(t->host), 1);

    panel_caller_t admin = host_test_caller(t, "admin", 0);
    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "good", 0, msg, sizeof msg),
                     PANEL_E_CONFIRM);
    assert_contains(msg, "Tools > Good Fixture");
    assert_contains(msg, "503");
    assert_int_equal(panelhost_plugin_count(t->host), 1);

    char effects[2048];
    assert_int_equal(panelhost_extension_effects(t->host, "good", effects, sizeof effects), PANEL_OK);
    assert_string_equal(effects, msg);
    assert_int_equal(panelhost_extension_effects(t->host, "nosuch", effects, sizeof effects), PANEL_E_NOT_FOUND);

    admin.confirmed = 1;
    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "good", 0, msg, sizeof msg), PANEL_OK);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    assert_null(panelhost_page(t->host, "fixture/good"));
    assert_int_equal(panelhost_menu(t->host, &admin, NULL, 0), 0);
    assert_int_equal(panelhost_auth_provider_count(t->host), 0);

    panelhost_auth_outcome_t out = host_test_auth(t->host, "GET", "/api/v1/ping", "local", PANEL_SCOPE_NONE, NULL,
                                                  NULL, NULL);
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 503);

    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "nosuch", 1, msg, sizeof msg),
                     PANEL_E_NOT_FOUND);
    assert_contains(msg, "installed: good, init_fails, no_entry");

    /* the state file: 0600, in the data directory */
    char *state = support_join(panelhost_data_dir(t->host), "extensions.state");
    struct stat st;
    assert_int_equal(stat(state, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(state);
    host_test_close(t);
}

static void state_survives_a_new_host_and_enable_loads_again(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    panelhost_extensions_load(t->host, NULL, NULL);
    panel_caller_t admin = host_test_caller(t, "admin", 1);
    char msg[2048] = "";
    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "good", 0, msg, sizeof msg), PANEL_OK);
    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "init_fails", 1, msg, sizeof msg),
                     PANEL_E_STATE);
    assert_contains(msg, "failed to load");

    /* a second host on the same config and data directory: a restart */
    panelhost_options_t options = {.config_path = t->config, .log = host_test_log, .log_ctx = t,
                                   .min_log_level = PANEL_LOG_ERROR};
    panelhost_t *again = NULL;
    char err[1024] = "";
    assert_int_equal(panelhost_open(&options, &again, err, sizeof err), PANEL_OK);
    assert_int_equal(panelhost_extensions_load(again, NULL, NULL), 1); /* init_fails, enabled, fails */
    assert_int_equal(panelhost_plugin_count(again), 0);
    listing_t l;
    memset(&l, 0, sizeof l);
    assert_int_equal(panelhost_extensions_list(again, NULL, collect, &l, err, sizeof err), PANEL_OK);
    assert_string_equal(l.text, "good 0 0 1 -\n"
                                "init_fails 1 0 0 error\n"
                                "no_entry 0 0 0 error\n");
    assert_contains(l.errors, "failed to initialise");
    panelhost_close(again);

    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "good", 1, msg, sizeof msg), PANEL_OK);
    assert_non_null(panelhost_page(t->host, "fixture/good"));
    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "good", 1, msg, sizeof msg), PANEL_OK);
    assert_contains(msg, "already enabled");
    host_test_close(t);
}

static void reload_applies_another_hosts_change(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    panelhost_extensions_load(t->host, NULL, NULL);
    int32_t changed = 1;
    char err[1024] = "";
    assert_int_equal(panelhost_extensions_changed(t->host), 0);
    assert_int_equal(panelhost_extensions_reload(t->host, &changed, err, sizeof err), PANEL_OK);
    assert_int_equal(changed, 0);

    panelhost_options_t options = {.config_path = t->config, .log = host_test_log, .log_ctx = t,
                                   .min_log_level = PANEL_LOG_ERROR};
    panelhost_t *other = NULL;
    assert_int_equal(panelhost_open(&options, &other, err, sizeof err), PANEL_OK);
    panel_caller_t admin = {.struct_size = sizeof admin};
    assert_int_equal(panelhost_caller_init(other, &admin, "admin", PANEL_ORIGIN_CLI, 1000, NULL, 1, err,
                                           sizeof err),
                     PANEL_OK);
    char msg[2048] = "";
    assert_int_equal(panelhost_extension_set_enabled(other, &admin, "good", 0, msg, sizeof msg), PANEL_OK);

    assert_int_equal(panelhost_extensions_changed(t->host), 1);
    assert_int_equal(panelhost_extensions_reload(t->host, &changed, err, sizeof err), PANEL_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    assert_int_equal(panelhost_extensions_changed(t->host), 0);

    assert_int_equal(panelhost_extension_set_enabled(other, &admin, "good", 1, msg, sizeof msg), PANEL_OK);
    assert_int_equal(panelhost_extensions_reload(t->host, &changed, err, sizeof err), PANEL_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(panelhost_plugin_count(t->host), 1);
    assert_non_null(panelhost_page(t->host, "fixture/good"));
    panelhost_close(other);
    host_test_close(t);
}

static void hand_edit_is_noticed_by_changed(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    panelhost_extensions_load(t->host, NULL, NULL);
    assert_int_equal(panelhost_plugin_count(t->host), 1);
    /* the shared change counter beside the states, 0600 like them */
    char *counter = support_join(panelhost_data_dir(t->host), "extensions.counter");
    struct stat st;
    assert_int_equal(stat(counter, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 8);
    free(counter);
    assert_int_equal(panelhost_extensions_changed(t->host), 0);

    /* no libpanelhost writer, so no count: the stat() tells */
    char *state = support_write_file(panelhost_data_dir(t->host), "extensions.state", "disabled good\n", 14, 0600);
    free(state);
    assert_int_equal(panelhost_extensions_changed(t->host), 1);
    int32_t changed = 0;
    char err[1024] = "";
    assert_int_equal(panelhost_extensions_reload(t->host, &changed, err, sizeof err), PANEL_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    assert_int_equal(panelhost_extensions_changed(t->host), 0);
    host_test_close(t);
}

static void without_the_counter_changes_are_refused(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    /* something else where the counter belongs: it cannot be mapped */
    char *counter = support_join(panelhost_data_dir(t->host), "extensions.counter");
    assert_int_equal(mkdir(counter, 0700), 0);
    assert_int_equal(panelhost_extensions_load(t->host, NULL, NULL), 0);
    assert_int_equal(panelhost_plugin_count(t->host), 1);
    assert_contains(t->log, "extensions.counter");
    assert_int_equal(panelhost_extensions_changed(t->host), 0);

    panel_caller_t admin = host_test_caller(t, "admin", 1);
    char msg[2048] = "";
    assert_int_equal(panelhost_extension_set_enabled(t->host, &admin, "good", 0, msg, sizeof msg), PANEL_E_STORE);
    assert_contains(msg, "extensions.counter");
    char *state = support_join(panelhost_data_dir(t->host), "extensions.state");
    struct stat st;
    assert_int_not_equal(stat(state, &st), 0); /* nothing written */
    free(state);
    assert_int_equal(panelhost_plugin_count(t->host), 1);

    /* another process's edit is still noticed, by the stat() */
    state = support_write_file(panelhost_data_dir(t->host), "extensions.state", "disabled good\n", 14, 0600);
    free(state);
    assert_int_equal(panelhost_extensions_changed(t->host), 1);
    rmdir(counter);
    free(counter);
    host_test_close(t);
}

typedef struct audit_rows {
    char text[8192];
    int n;
} audit_rows_t;

static int32_t collect_audit(void *ctx, const panelhost_audit_entry_t *e)
{
    audit_rows_t *rows = ctx;
    size_t used = strlen(rows->text);
    snprintf(rows->text + used, sizeof rows->text - used, "%s|%s|%s|%s|%s\n", e->user, e->origin, e->action,
             e->target, e->outcome);
    rows->n++;
    return PANEL_OK;
}

static void audit_log_records_who_what_outcome_newest_first(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    panelhost_extensions_load(t->host, NULL, NULL);
    char msg[2048] = "";
    panel_caller_t helpdesk = host_test_caller(t, "helpdesk", 1);
    panelhost_extension_set_enabled(t->host, &helpdesk, "good", 0, msg, sizeof msg);
    panel_caller_t admin = host_test_caller(t, "admin", 0);
    panelhost_extension_set_enabled(t->host, &admin, "good", 0, msg, sizeof msg); /* unconfirmed: not audited */
    admin.confirmed = 1;
    panelhost_extension_set_enabled(t->host, &admin, "good", 0, msg, sizeof msg);
    panel_caller_t web = {.struct_size = sizeof web};
    char err[512] = "";
    assert_int_equal(panelhost_caller_init(t->host, &web, "ops", PANEL_ORIGIN_WEB, -1, "192.0.2.7", 0, err,
                                           sizeof err),
                     PANEL_OK);
    panelhost_extension_set_enabled(t->host, &web, "good", 1, msg, sizeof msg);

    audit_rows_t rows;
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_audit_read(t->host, &admin, 0, collect_audit, &rows, err, sizeof err), PANEL_OK);
    assert_string_equal(rows.text, "ops|web 192.0.2.7|extension.enable|good|ok\n"
                                   "admin|cli uid=1000|extension.disable|good|ok\n"
                                   "helpdesk|cli uid=1000|extension.disable|good|denied\n");
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_audit_read(t->host, NULL, 1, collect_audit, &rows, err, sizeof err), PANEL_OK);
    assert_int_equal(rows.n, 1);
    assert_int_equal(panelhost_audit_read(t->host, &helpdesk, 0, collect_audit, &rows, err, sizeof err),
                     PANEL_E_DENIED);

    /* a host program's own event, flattened to one line */
    assert_int_equal(panelhost_audit_append(t->host, NULL, "host.note", "x\ty", "ok", "two\nlines", err,
                                            sizeof err),
                     PANEL_OK);
    memset(&rows, 0, sizeof rows);
    assert_int_equal(panelhost_audit_read(t->host, NULL, 1, collect_audit, &rows, err, sizeof err), PANEL_OK);
    assert_string_equal(rows.text, "host|host|host.note|x y|ok\n");
    char *log = support_join(panelhost_data_dir(t->host), "host-audit.log");
    struct stat st;
    assert_int_equal(stat(log, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(log);
    host_test_close(t);
}

static void damaged_state_file_loads_nothing(void **unused)
{
    (void)unused;
    host_test_t *t = open_with_extensions();
    char *bad = support_write_file(panelhost_data_dir(t->host), "extensions.state", "enabled good\nbogus line\n",
                                   25, 0600);
    free(bad);
    assert_int_equal(panelhost_extensions_load(t->host, NULL, NULL), 1);
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    assert_contains(t->log, "extensions.state:2");
    listing_t l;
    char err[1024] = "";
    assert_int_equal(panelhost_extensions_list(t->host, NULL, collect, &l, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "extensions.state:2");
    host_test_close(t);
}

static void empty_plugin_dir_is_refused(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    const char text[] = "[host]\nplugin_dir =\n";
    char *config = support_write_file(dir, "panel.ini", text, sizeof text - 1, 0600);
    panelhost_options_t options = {.config_path = config};
    panelhost_t *host = NULL;
    char err[1024] = "";
    assert_int_equal(panelhost_open(&options, &host, err, sizeof err), PANEL_E_INVALID);
    assert_contains(err, "plugin_dir is empty");
    free(config);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(configured_enabled_and_extras_disabled_without_init),
        cmocka_unit_test(listing_needs_the_permission),
        cmocka_unit_test(disable_needs_confirmation_and_permission_then_unloads),
        cmocka_unit_test(state_survives_a_new_host_and_enable_loads_again),
        cmocka_unit_test(reload_applies_another_hosts_change),
        cmocka_unit_test(hand_edit_is_noticed_by_changed),
        cmocka_unit_test(without_the_counter_changes_are_refused),
        cmocka_unit_test(audit_log_records_who_what_outcome_newest_first),
        cmocka_unit_test(damaged_state_file_loads_nothing),
        cmocka_unit_test(empty_plugin_dir_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
