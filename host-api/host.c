/* host.c - the panelhost_t object: opening (config, data directory, options), closing (unloading every
 * plugin in reverse load order), config lookups for host programs, the data directory and the clock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_DATA_DIR "data"

int32_t panelhost_open(const panelhost_options_t *options, panelhost_t **out, char *err, size_t err_len)
{
    if (!out) {
        ph_errf(err, err_len, "panelhost_open: out must not be NULL");
        return PANEL_E_INVALID;
    }
    *out = NULL;
    panelhost_options_t defaults = {.min_log_level = PANEL_LOG_WARN};
    if (!options)
        options = &defaults;
    panelhost_t *host = calloc(1, sizeof *host);
    if (!host) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    host->fixed_now = options->fixed_now;
    host->log = options->log;
    host->log_ctx = options->log_ctx;
    host->min_log_level = options->min_log_level;
    atomic_init(&host->auth_snapshot, NULL);
    host->auth_slots = aligned_alloc(_Alignof(ph_auth_slot_t), PH_AUTH_SLOTS * sizeof *host->auth_slots);
    if (!host->auth_slots) {
        ph_errf(err, err_len, "out of memory");
        free(host);
        return PANEL_E_NOMEM;
    }
    for (unsigned i = 0; i < PH_AUTH_SLOTS; i++)
        atomic_init(&host->auth_slots[i].snapshot, 0);
    if (pthread_mutex_init(&host->ext_lock, NULL) != 0) {
        ph_errf(err, err_len, "cannot create a mutex");
        free(host->auth_slots);
        free(host);
        return PANEL_E_INTERNAL;
    }

    int32_t rc;
    if (options->config_path) {
        rc = ph_config_read(options->config_path, &host->config, err, err_len);
        if (rc != PANEL_OK) {
            pthread_mutex_destroy(&host->ext_lock);
            free(host->auth_slots);
            free(host);
            return rc;
        }
    } else {
        host->config.folder = getcwd(NULL, 0);
        if (!host->config.folder) {
            ph_errf(err, err_len, "cannot read the current directory: %s", strerror(errno));
            pthread_mutex_destroy(&host->ext_lock);
            free(host->auth_slots);
            free(host);
            return PANEL_E_INTERNAL;
        }
    }

    char *wanted;
    if (options->data_dir)
        wanted = ph_strdup(options->data_dir); /* relative to the current directory, like any option */
    else {
        const char *configured = ph_config_lookup(&host->config, "host", "data_dir");
        wanted = ph_path_resolve(host->config.folder, configured ? configured : DEFAULT_DATA_DIR);
    }
    if (!wanted) {
        ph_errf(err, err_len, "out of memory");
        rc = PANEL_E_NOMEM;
    } else {
        host->data_dir = ph_data_dir_prepare(wanted, &rc, err, err_len);
        if (rc == PANEL_OK)
            rc = ph_check_data_dir_tree(host->data_dir, err, err_len);
        if (rc != PANEL_OK) {
            free(host->data_dir);
            host->data_dir = NULL;
        }
    }
    free(wanted);
    if (rc != PANEL_OK) {
        ph_config_free(&host->config);
        pthread_mutex_destroy(&host->ext_lock);
        free(host->auth_slots);
        free(host);
        return rc;
    }
    *out = host;
    return PANEL_OK;
}

void panelhost_close(panelhost_t *host)
{
    if (!host)
        return;
    while (host->n_plugins > 0) {
        char id[PANEL_ID_MAX + 1];
        ph_errf(id, sizeof id, "%s", host->plugins[host->n_plugins - 1]->id);
        panelhost_unload(host, id, NULL, 0);
    }
    ph_auth_free(host);
    free(host->auth_slots);
    ph_registry_free_all(host);
    ph_extensions_free(host);
    ph_api_scopes_free(host);
    pthread_mutex_destroy(&host->ext_lock);
    free(host->plugins);
    ph_config_free(&host->config);
    free(host->data_dir);
    free(host);
}

const char *panelhost_config_get(const panelhost_t *host, const char *section, const char *key)
{
    return host ? ph_config_lookup(&host->config, section, key) : NULL;
}

const char *panelhost_data_dir(const panelhost_t *host)
{
    return host ? host->data_dir : NULL;
}

int64_t panelhost_now(const panelhost_t *host)
{
    if (host && host->fixed_now != 0)
        return host->fixed_now;
    return (int64_t)time(NULL);
}
