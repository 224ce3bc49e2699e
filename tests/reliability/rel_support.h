/* rel_support.h - helpers shared by the reliability test programs (tests/reliability/): a host with the
 * API Keys plugin loaded and an owner caller, API authentication of one key, running one action, key hints,
 * and line-based messages over pipes. Plain libpanelhost API only (what any host program can do). */
#ifndef REL_SUPPORT_H
#define REL_SUPPORT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "panel/host.h"

#define REL_PAGE "settings/api-key"
#define REL_KEY_MAX 128

typedef struct rel_host {
    panelhost_t *host;
    panel_caller_t caller;
} rel_host_t;

/* Log lines of the plugin saying a dead writer's change signal was repaired (counted in every process). */
extern _Atomic long rel_repairs_logged;

/* Writes a config with one owner user "admin" (mode 0600). 0 or -1. */
int rel_write_config(const char *path);

/* Opens a host on config + data_dir and loads the plugin; the caller is "admin" from the command line,
 * confirmed. Log lines go to `log` (nullable: errors to stderr). PANEL_OK or an error with a message. */
int32_t rel_open(rel_host_t *h, const char *config, const char *data_dir, const char *plugin, FILE *log, char *err,
                 size_t err_len);
void rel_close(rel_host_t *h);

/* Authenticates one API request carrying `key` in X-API-Key. Returns 200 when allowed, else the HTTP status;
 * code (nullable, 32 bytes) receives the error code. */
int rel_auth(rel_host_t *h, const char *key, char *code);

/* Runs action `id` on the API Key page (grace: NULL or the reset parameter). secret (REL_KEY_MAX bytes)
 * receives a revealed key or "". Returns the status; msg receives the message. */
int32_t rel_action(rel_host_t *h, const char *id, const char *grace, char *secret, char *msg, size_t msg_len);

/* The plugin's hint for a key with a 4-char prefix: "sak_" + U+2026 + last 4. */
void rel_hint(const char *key, char *out, size_t out_len);

/* Reads one line (without '\n') from fd into buf; 0 on success, -1 on EOF/error. */
int rel_read_line(int fd, char *buf, size_t len);
/* Writes all of buf; 0 or -1. */
int rel_write_all(int fd, const char *buf, size_t len);

/* Monotonic milliseconds. */
double rel_ms(void);

#endif
