/* plugin_secret_memory.c - the plugin's secrets stay out of core dumps (issue 20 item 11): the digest secret and
 * the buffer an admin action generates a new key in live in memory the kernel leaves out of a core dump
 * (MADV_DONTDUMP, shown as "dd" in the VmFlags of /proc/self/smaps), and a generated key is wiped from it once
 * handed to the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/plugin_state.h"
#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

/* 1 when the mapping holding addr has the VmFlag "dd" (do not dump), 0 when not, -1 when no mapping holds it. */
static int excluded_from_core_dumps(const void *addr)
{
    FILE *smaps = fopen("/proc/self/smaps", "r");
    assert_non_null(smaps);
    char line[512];
    int inside = 0, found = -1;
    uintptr_t at = (uintptr_t)addr;
    while (fgets(line, sizeof line, smaps)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) { /* a mapping's first line; its fields follow */
            inside = at >= lo && at < hi;
            continue;
        }
        if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            found = strstr(line, " dd") != NULL;
            break;
        }
    }
    fclose(smaps);
    return found;
}

static void secrets_are_left_out_of_core_dumps(void **unused)
{
    (void)unused;
    char *dir = support_tmpdir();
    fake_host_t host;
    fake_host_init(&host, dir);
    char err[512];
    if (fake_host_load(&host, &panel_plugin_entry, err, sizeof err) != PANEL_OK)
        fail_msg("init failed: %s", err);
    const apikeys_state_t *st = host.state;
    assert_int_equal(excluded_from_core_dumps(st->secret), 1);
    assert_int_equal(excluded_from_core_dumps(st->new_key), 1);
    /* the plugin's state itself is ordinary memory: the check tells the two apart */
    assert_int_equal(excluded_from_core_dumps(st), 0);

    /* a new key is generated there and wiped once handed over */
    panel_caller_t owner = fake_caller(1, 0);
    char msg[1024], key[256] = "";
    assert_int_equal(fake_run(&host, "enable", &owner, NULL, msg, key), PANEL_OK);
    assert_true(strncmp(key, "sak_", 4) == 0);
    for (size_t i = 0; i < APIKEYS_NEW_KEY_MAX; i++)
        assert_int_equal(st->new_key[i], 0);

    fake_host_unload(&host);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secrets_are_left_out_of_core_dumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
