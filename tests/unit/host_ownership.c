/* host_ownership.c - unit tests of libpanelhost's StrictModes checks (issue 11 item 8): a data directory, a
 * file in it or a plugin (or a folder above it) owned by another uid or writable by group/others is refused
 * with a message naming the path, owner, mode and the fix; the loader's check that what dlopen mapped is the
 * file it checked (device and inode). Run as root (as CI does) for the foreign-owner cases; as another user
 * those cases are skipped, since only root can give a file away. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"
#include "../../host-api/internal.h"

#define OTHER_UID 65534

static void assert_contains(const char *haystack, const char *needle)
{
    if (!needle || !haystack || !strstr(haystack, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle ? needle : "(a path that could not be made)",
                 haystack ? haystack : "(no message)");
}

/* A scratch folder with panel.ini (data_dir = data) and an existing data/ folder; returns the folder. */
static char *scratch_with_data(char **config, char **data)
{
    char *dir = support_tmpdir();
    assert_non_null(dir);
    *config = support_write_file(dir, "panel.ini", "[host]\ndata_dir = data\n", 23, 0600);
    *data = support_join(dir, "data");
    assert_int_equal(mkdir(*data, 0700), 0);
    return dir;
}

static int32_t open_host(const char *config, char *err, size_t err_len)
{
    panelhost_options_t options = {.config_path = config};
    panelhost_t *host = NULL;
    int32_t rc = panelhost_open(&options, &host, err, err_len);
    panelhost_close(host);
    return rc;
}

static void data_dir_writable_by_group_is_refused(void **unused)
{
    (void)unused;
    char *config, *data, *dir = scratch_with_data(&config, &data);
    assert_int_equal(chmod(data, 0770), 0);
    char err[1024] = "";
    assert_int_equal(open_host(config, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, "refusing the data directory");
    assert_contains(err, data);
    assert_contains(err, "writable by its group (mode 0770)");
    assert_contains(err, "chmod go-w");
    assert_int_equal(chmod(data, 0750), 0); /* readable only: narrowed, accepted */
    assert_int_equal(open_host(config, err, sizeof err), PANEL_OK);
    struct stat st;
    assert_int_equal(stat(data, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    support_rmtree(dir);
    free(dir);
    free(config);
    free(data);
}

static void file_in_data_dir_writable_by_others_is_refused(void **unused)
{
    (void)unused;
    char *config, *data, *dir = scratch_with_data(&config, &data);
    char *secret = support_write_file(data, "apikeys.secret", "x", 1, 0622);
    char err[1024] = "";
    assert_int_equal(open_host(config, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, secret);
    assert_contains(err, "writable by every user (mode 0622)");
    assert_contains(err, "chmod go-w");
    assert_int_equal(chmod(secret, 0600), 0);
    char *sub = support_join(data, "apikeys.d");
    assert_int_equal(mkdir(sub, 0700), 0);
    char *deep = support_write_file(sub, "part", "x", 1, 0660); /* also below a folder of the data dir */
    assert_int_equal(open_host(config, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, deep);
    assert_int_equal(chmod(deep, 0600), 0);
    assert_int_equal(open_host(config, err, sizeof err), PANEL_OK);
    support_rmtree(dir);
    free(dir);
    free(config);
    free(data);
    free(secret);
    free(sub);
    free(deep);
}

static void foreign_owner_is_refused_even_for_root(void **unused)
{
    (void)unused;
    if (geteuid() != 0)
        skip(); /* only root can give a file to another uid */
    char *config, *data, *dir = scratch_with_data(&config, &data);
    char err[1024] = "";
    /* the data directory itself */
    assert_int_equal(chown(data, OTHER_UID, OTHER_UID), 0);
    assert_int_equal(open_host(config, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, "refusing the data directory");
    assert_contains(err, "owned by uid 65534 (mode 0700)");
    assert_contains(err, "chown 0 ");
    assert_int_equal(chown(data, 0, 0), 0);
    /* a password file planted by another user */
    char *planted = support_write_file(data, "admin-passwords", "admin:x\n", 8, 0600);
    assert_int_equal(chown(planted, OTHER_UID, OTHER_UID), 0);
    assert_int_equal(open_host(config, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, planted);
    assert_contains(err, "owned by uid 65534 (mode 0600), neither root nor you (uid 0)");
    assert_contains(err, "fix it with: chown 0 ");
    /* a symlink of another user (e.g. pointing the key store elsewhere) */
    assert_int_equal(unlink(planted), 0);
    char *link = support_join(data, "apikeys.db");
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_int_equal(lchown(link, OTHER_UID, OTHER_UID), 0);
    assert_int_equal(open_host(config, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, link);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(open_host(config, err, sizeof err), PANEL_OK);

    /* a plugin owned by another uid */
    host_test_t *t = host_test_open(NULL);
    char *copy = support_copy_file(support_fixture("good"), t->dir, "theirs.so", 0755);
    assert_int_equal(chown(copy, OTHER_UID, OTHER_UID), 0);
    assert_int_equal(panelhost_load(t->host, copy, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, "owned by uid 65534 (mode 0755)");
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    free(copy);
    host_test_close(t);
    support_rmtree(dir);
    free(dir);
    free(config);
    free(data);
    free(planted);
    free(link);
}

static void plugin_below_a_writable_folder_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char *shared = support_join(t->dir, "shared");
    assert_int_equal(mkdir(shared, 0700), 0);
    assert_int_equal(chmod(shared, 0775), 0);
    char *copy = support_copy_file(support_fixture("good"), shared, "good.so", 0755);
    char err[1024] = "";
    assert_int_equal(panelhost_load(t->host, copy, err, sizeof err), PANEL_E_DENIED);
    assert_contains(err, "refusing the folder holding a plugin");
    assert_contains(err, shared);
    assert_contains(err, "writable by its group (mode 0775)");
    assert_int_equal(panelhost_plugin_count(t->host), 0);
    /* a sticky world-writable folder (like /tmp) above is fine: others cannot rename what is ours */
    assert_int_equal(chmod(shared, 01777), 0);
    assert_int_equal(panelhost_load(t->host, copy, err, sizeof err), PANEL_OK);
    free(copy);
    free(shared);
    host_test_close(t);
}

static void mapped_file_is_compared_by_device_and_inode(void **unused)
{
    (void)unused;
    const char *good = support_fixture("good");
    void *dl = dlopen(good, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(dl);
    struct link_map *map = NULL;
    assert_int_equal(dlinfo(dl, RTLD_DI_LINKMAP, &map), 0);
    struct stat same, other;
    assert_int_equal(stat(good, &same), 0);
    assert_int_equal(stat(support_fixture("wrong_major"), &other), 0);
    assert_int_equal(ph_mapped_file_is(map->l_ld, &same), 1);
    assert_int_equal(ph_mapped_file_is(map->l_ld, &other), 0); /* a file swapped in after the check */
    dlclose(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_dir_writable_by_group_is_refused),
        cmocka_unit_test(file_in_data_dir_writable_by_others_is_refused),
        cmocka_unit_test(foreign_owner_is_refused_even_for_root),
        cmocka_unit_test(plugin_below_a_writable_folder_is_refused),
        cmocka_unit_test(mapped_file_is_compared_by_device_and_inode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
