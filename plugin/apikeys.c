/* apikeys.c - the plugin's one exported symbol: the entry descriptor (id "apikeys"), init and fini.
 * init reads [plugin:apikeys], opens the state on the host's data directory, takes the site key's scopes from
 * the host's catalogue and registers the page (ABI 1.1 fields are read only when the host's structs hold them);
 * fini joins the flusher, flushes usage, closes the store. */
#include <stdio.h>

#include "admin.h"
#include "panel/plugin.h"
#include "plugin_state.h"
#include "site_scopes.h"

static const char *host_config_get(void *ctx, const char *key)
{
    const panel_host_t *host = ctx;
    return host->config_get ? host->config_get(host, key) : NULL;
}

static int64_t host_now(void *ctx)
{
    const panel_host_t *host = ctx;
    return host->now(host);
}

static void host_log(void *ctx, int32_t level, const char *msg)
{
    const panel_host_t *host = ctx;
    if (host->log)
        host->log(host, level, msg);
}

static int32_t apikeys_init(const panel_host_t *host, void **state, char *err, size_t err_len)
{
    if (!host || host->struct_size < sizeof(panel_host_t) || !host->data_dir || !host->now || !host->add_page ||
        !host->add_menu_entry || !host->add_field || !host->add_table || !host->add_action ||
        !host->add_auth_provider) {
        snprintf(err, err_len, "the host's function table is incomplete (the API Keys plugin needs ABI 1.0 or later)");
        return PANEL_E_VERSION;
    }
    apikeys_options_t options = {
        .data_dir = host->data_dir,
        .config_get = host_config_get,
        .now = host_now,
        .log = host_log,
        .ctx = (void *)host,
        .start_flusher = 1,
    };
    apikeys_state_t *st = NULL;
    int32_t rc = apikeys_state_open(&options, &st, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    st->host = host;
    apikeys_site_scopes_init(st, host);
    rc = admin_register(st, host, err, err_len);
    if (rc != PANEL_OK) {
        apikeys_state_close(st);
        return rc;
    }
    *state = st;
    return PANEL_OK;
}

static void apikeys_fini(void *state)
{
    apikeys_state_close(state);
}

PANEL_EXPORT const panel_plugin_entry_t panel_plugin_entry = {
    .abi_major = PANEL_ABI_MAJOR,
    .abi_minor = PANEL_ABI_MINOR,
    .struct_size = sizeof(panel_plugin_entry_t),
    .id = "apikeys",
    .name = "API Keys",
    .version = "1.0.0",
    .description = "Settings > API Key: enable the store API and manage the key external tools send",
    .init = apikeys_init,
    .fini = apikeys_fini,
    .get_extension = NULL,
};
