/* fuzz_config.c - libFuzzer target: loading panel.ini. Each input is written as the config file (mode 0600)
 * and opened with panelhost_open (data directory overridden), then a few values, a caller and a permission
 * check are read from it and the host is closed. Findings besides sanitizer reports (overflows, leaks,
 * undefined behaviour): a failure without a message, or a message not NUL-terminated within its buffer. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_support.h"
#include "panel/host.h"

static char config_path[128];
static char data_dir[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    snprintf(config_path, sizeof config_path, "%s/panel.ini", fuzz_temp_dir());
    snprintf(data_dir, sizeof data_dir, "%s/data", fuzz_temp_dir());
    return 0;
}

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

static void silent(void *ctx, int32_t level, const char *plugin_id, const char *msg)
{
    (void)ctx; (void)level; (void)plugin_id; (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = open(config_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        perror("fuzz setup: writing the config");
        abort();
    }
    close(fd);
    panelhost_options_t options = {.config_path = config_path, .data_dir = data_dir, .fixed_now = 1700000000,
                                   .log = silent, .min_log_level = PANEL_LOG_DEBUG};
    panelhost_t *host = NULL;
    char err[512];
    memset(err, 'x', sizeof err);
    int32_t rc = panelhost_open(&options, &host, err, sizeof err);
    if (rc != PANEL_OK) {
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0')
            finding("panelhost_open failed without a NUL-terminated message");
        if (host)
            finding("panelhost_open failed but returned a host");
        return 0;
    }
    (void)panelhost_config_get(host, "host", "listen");
    (void)panelhost_config_get(host, "plugin:apikeys", "key_prefix");
    (void)panelhost_config_get(host, "role:admin", "permissions");
    (void)panelhost_data_dir(host);
    panel_caller_t caller = {.struct_size = sizeof caller};
    char cerr[256];
    if (panelhost_caller_init(host, &caller, "admin", PANEL_ORIGIN_WEB, -1, "127.0.0.1", 0, cerr, sizeof cerr) ==
        PANEL_OK)
        (void)panelhost_role_allows(host, caller.role, "settings.api_key");
    else if (!memchr(cerr, '\0', sizeof cerr))
        finding("panelhost_caller_init failed without a NUL-terminated message");
    panelhost_close(host);
    return 0;
}
