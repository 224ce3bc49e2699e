/* support_plugin_host.h - a tiny fake host for the API Keys plugin's unit tests: a panel_host_t whose
 * registration calls record what the plugin registered, a config map, a settable clock and a log buffer,
 * plus helpers that build callers, action arguments, requests and sinks. Depends only on panel/plugin.h
 * (these helper objects are linked into every unit test). */
#ifndef SUPPORT_PLUGIN_HOST_H
#define SUPPORT_PLUGIN_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "panel/plugin.h"

#define FAKE_MAX 16

typedef struct fake_host {
    panel_host_t table;              /* first: the plugin gets &table */
    char data_dir[1024];
    const char *config_keys[FAKE_MAX];
    const char *config_values[FAKE_MAX];
    int n_config;
    int64_t now;                     /* 0: the real clock */
    char log[16384];
    /* registrations (shallow copies; the plugin's strings are literals or live in its state) */
    panel_page_t page;
    int n_pages;
    panel_menu_entry_t menu;
    int n_menus;
    panel_field_t fields[FAKE_MAX];
    int n_fields;
    panel_action_t actions[FAKE_MAX];
    char action_param_default[FAKE_MAX][16];
    int n_actions;
    panel_table_t tables[FAKE_MAX];
    int n_tables;
    panel_auth_provider_t provider;
    int n_providers;
    const panel_plugin_entry_t *entry;
    void *state;
} fake_host_t;

void fake_host_init(fake_host_t *fh, const char *data_dir);
void fake_host_config(fake_host_t *fh, const char *key, const char *value);
/* Calls entry->init; PANEL_OK or its error (err filled). */
int32_t fake_host_load(fake_host_t *fh, const panel_plugin_entry_t *entry, char *err, size_t err_len);
void fake_host_unload(fake_host_t *fh);

const panel_field_t *fake_field(fake_host_t *fh, const char *id);
const panel_action_t *fake_action(fake_host_t *fh, const char *id);

/* A caller: allowed = has settings.api_key; confirmed = --yes. */
panel_caller_t fake_caller(int allowed, int confirmed);

/* Runs action `id` with optional grace (NULL: the declared default). msg >= 1024, secret >= 256 bytes. */
int32_t fake_run(fake_host_t *fh, const char *id, const panel_caller_t *caller, const char *grace, char *msg,
                 char *secret);
int32_t fake_set(fake_host_t *fh, const char *id, const panel_caller_t *caller, const char *value, size_t len,
                 char *msg, size_t msg_len);
int32_t fake_get(fake_host_t *fh, const char *id, const panel_caller_t *caller, char *out, size_t out_len);

/* A request for a provider's authenticate: pass &req. Its headers are the three below (NULL: absent). */
typedef struct fake_request {
    panel_request_t req;
    const char *x_api_key;
    const char *authorization;
    const char *user_agent;
} fake_request_t;
/* Fills r as GET /api/v1/ping from addr (ABI 1.1 layout, no scope) with those headers. */
void fake_request_init(fake_request_t *r, const char *addr, const char *x_api_key, const char *authorization,
                       const char *user_agent);

/* Authenticates a request with the given headers (NULL = absent). Returns PANEL_AUTH_*; fills status/code. */
int32_t fake_auth(fake_host_t *fh, const char *x_api_key, const char *authorization, int32_t *status,
                  char code[32], char message[256]);

/* Status lines "label=value\n"... concatenated into out. Returns the status callback's code. */
int32_t fake_status(fake_host_t *fh, const panel_caller_t *caller, char *out, size_t out_len);
/* Audit rows as "cell|cell|...\n". */
int32_t fake_table(fake_host_t *fh, const char *id, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                   char *out, size_t out_len);

#endif
