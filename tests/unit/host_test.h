/* host_test.h - shared inline helpers of the libpanelhost unit tests (host_*.c): opening a host on a
 * scratch config, capturing log lines, callers and row collection. Include after cmocka.h. */
#ifndef HOST_TEST_H
#define HOST_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/host.h"
#include "support_host_env.h"

/* A config with the roles and users the tests use; data_dir is relative to the config's folder. */
#define HOST_TEST_CONFIG                                                                                    \
    "[host]\n"                                                                                              \
    "data_dir = data\n"                                                                                     \
    "store_name = Test Store\n"                                                                             \
    "[role:owner]\n"                                                                                        \
    "permissions = *\n"                                                                                     \
    "[role:support]\n"                                                                                      \
    "permissions = orders.*, support.*\n"                                                                   \
    "[role:fixtures]\n"                                                                                     \
    "permissions = fixture.*\n"                                                                             \
    "[user:admin]\n"                                                                                        \
    "role = owner\n"                                                                                        \
    "[user:helpdesk]\n"                                                                                     \
    "role = support\n"                                                                                      \
    "[user:tester]\n"                                                                                       \
    "role = fixtures\n"                                                                                     \
    "[user:ghost]\n"                                                                                        \
    "role = nosuchrole\n"                                                                                   \
    "[plugin:good]\n"                                                                                       \
    "initial_text = from config\n"

typedef struct host_test {
    char *dir;          /* scratch folder holding panel.ini and data/ */
    char *config;       /* path of panel.ini */
    panelhost_t *host;
    char log[8192];     /* captured log lines, one per line */
} host_test_t;

static inline void host_test_log(void *ctx, int32_t level, const char *plugin_id, const char *msg)
{
    host_test_t *t = ctx;
    size_t used = strlen(t->log);
    snprintf(t->log + used, sizeof t->log - used, "%d %s %s\n", (int)level, plugin_id ? plugin_id : "-", msg);
}

/* Opens a host on a scratch copy of `config_text` (HOST_TEST_CONFIG when NULL). Fails the test on error. */
static inline host_test_t *host_test_open(const char *config_text)
{
    host_test_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->dir = support_tmpdir();
    assert_non_null(t->dir);
    const char *text = config_text ? config_text : HOST_TEST_CONFIG;
    t->config = support_write_file(t->dir, "panel.ini", text, strlen(text), 0600);
    assert_non_null(t->config);
    panelhost_options_t options = {.config_path = t->config, .log = host_test_log, .log_ctx = t,
                                   .min_log_level = PANEL_LOG_DEBUG};
    char err[1024] = "";
    int32_t rc = panelhost_open(&options, &t->host, err, sizeof err);
    if (rc != PANEL_OK)
        fail_msg("panelhost_open: %s", err);
    return t;
}

static inline void host_test_close(host_test_t *t)
{
    panelhost_close(t->host);
    support_rmtree(t->dir);
    free(t->dir);
    free(t->config);
    free(t);
}

/* Loads fixture `name`, failing the test when it does not load. */
static inline void host_test_load(host_test_t *t, const char *name)
{
    char err[1024] = "";
    int32_t rc = panelhost_load(t->host, support_fixture(name), err, sizeof err);
    if (rc != PANEL_OK)
        fail_msg("loading %s: %s", name, err);
}

/* A CLI caller for `user`, failing the test when the user is unknown. */
static inline panel_caller_t host_test_caller(host_test_t *t, const char *user, int confirmed)
{
    panel_caller_t caller = {.struct_size = sizeof caller};
    char err[512] = "";
    if (panelhost_caller_init(t->host, &caller, user, PANEL_ORIGIN_CLI, 1000, NULL, confirmed, err, sizeof err) !=
        PANEL_OK)
        fail_msg("caller %s: %s", user, err);
    return caller;
}

/* Rows collected from a status or table call, cells joined by '|', rows by '\n'. */
typedef struct host_test_rows {
    char text[4096];
    int count;
} host_test_rows_t;

static inline int32_t host_test_collect(void *ctx, const char *const *cells, uint32_t n_cells)
{
    host_test_rows_t *rows = ctx;
    size_t used = strlen(rows->text);
    for (uint32_t i = 0; i < n_cells; i++) {
        snprintf(rows->text + used, sizeof rows->text - used, "%s%s", i ? "|" : "", cells[i]);
        used = strlen(rows->text);
    }
    snprintf(rows->text + used, sizeof rows->text - used, "\n");
    rows->count++;
    return PANEL_OK;
}

/* panelhost_authenticate of `method` `path` from `addr` for a route of `scope`, with one header (name NULL:
 * none); *rc (nullable) receives the return value. */
static inline panelhost_auth_outcome_t host_test_auth(panelhost_t *host, const char *method, const char *path,
                                                      const char *addr, const char *scope, const char *name,
                                                      const char *value, int32_t *rc)
{
    panelhost_header_t header = {name, value};
    panelhost_request_t rq = {.method = method, .path = path, .client_addr = addr, .scope = scope,
                              .headers = name ? &header : NULL, .n_headers = name ? 1 : 0};
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    int32_t status = panelhost_authenticate(host, &rq, &out);
    if (rc)
        *rc = status;
    return out;
}

#endif
