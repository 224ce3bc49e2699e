/* fuzz_support.h - shared setup of the libFuzzer targets in tests/fuzz/ (each target includes it once):
 * a private temporary data directory removed at exit, and an API Keys plugin state opened on it (no host,
 * no flusher thread) with the API enabled and one current key, whose plaintext the target may compare with. */
#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H

#include <ftw.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugin/admin.h"
#include "../../plugin/plugin_state.h"
#include "panel/plugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fuzz_dir[64];

static int fuzz_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void fuzz_remove_dir(void)
{
    if (fuzz_dir[0])
        nftw(fuzz_dir, fuzz_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates the temporary directory once; aborts (a setup failure is not a finding) when it cannot. */
static inline const char *fuzz_temp_dir(void)
{
    if (!fuzz_dir[0]) {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/panel-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fuzz_remove_dir);
    }
    return fuzz_dir;
}

static int32_t fuzz_allow_all(const panel_caller_t *self, const char *permission)
{
    (void)self; (void)permission;
    return 1;
}

static inline const char *fuzz_no_args(const panel_args_t *self, const char *id)
{
    (void)self;
    return strcmp(id, "grace") == 0 ? "0" : NULL;
}

/* Opens the plugin state on a fresh data directory and enables the API, which creates the current key; its
 * plaintext is copied into key[key_len]. Aborts on failure. */
static inline apikeys_state_t *fuzz_open_state_with_key(char *key, size_t key_len)
{
    char dir[128], err[512];
    snprintf(dir, sizeof dir, "%s/data", fuzz_temp_dir());
    if (mkdir(dir, 0700) != 0) {
        perror("mkdir");
        abort();
    }
    apikeys_options_t options = {.data_dir = dir};
    apikeys_state_t *st = NULL;
    if (apikeys_state_open(&options, &st, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "fuzz setup: %s\n", err);
        abort();
    }
    panel_caller_t caller = {.struct_size = sizeof caller, .user = "fuzz", .role = "admin",
                             .origin = PANEL_ORIGIN_CLI, .confirmed = 1, .os_uid = 0,
                             .has_permission = fuzz_allow_all};
    panel_args_t args = {.struct_size = sizeof args, .get = fuzz_no_args};
    char message[1024], secret[PANEL_SECRET_MAX];
    secret[0] = '\0';
    panel_result_t result = {.struct_size = sizeof result, .message = message, .message_len = sizeof message,
                             .secret = secret, .secret_len = sizeof secret};
    if (admin_action_enable(st, &caller, &args, &result) != PANEL_OK || secret[0] == '\0') {
        fprintf(stderr, "fuzz setup: enable failed: %s\n", message);
        abort();
    }
    snprintf(key, key_len, "%s", secret);
    return st;
}

#endif
