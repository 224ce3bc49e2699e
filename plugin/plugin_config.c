/* plugin_config.c - reading and validating [plugin:apikeys] (see plugin_config.h): the settings of every store;
 * store.c picks the backend, which reads its own (store_backend_t.load_settings). */
#include "plugin_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store.h"

/* Prefixes that other vendors' secret scanners already claim. */
static const char *const vendor_prefixes[] = {"sk_", "pk_", "rk_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
                                              "xoxb_", "xoxp_", "xoxa_", "xapp_", "glpat_", "npm_", "pypi_",
                                              "whsec_", "shpat_", "shpss_", "sq0atp_", NULL};

int64_t apikeys_grace_seconds(const char *text)
{
    if (!text)
        return -1;
    if (strcmp(text, "0") == 0)
        return 0;
    if (strcmp(text, "1h") == 0)
        return 3600;
    if (strcmp(text, "24h") == 0)
        return 86400;
    if (strcmp(text, "7d") == 0)
        return 7 * 86400;
    return -1;
}

static int32_t check_prefix(const char *v, char *err, size_t err_len)
{
    size_t n = strlen(v);
    int shape_ok = n >= 2 && n <= 12 && v[n - 1] == '_';
    for (size_t i = 0; shape_ok && i + 1 < n; i++)
        if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9')))
            shape_ok = 0;
    if (!shape_ok) {
        snprintf(err, err_len,
                 "[plugin:apikeys] key_prefix \"%.40s\" is not valid: use 1 to 11 lowercase letters or digits "
                 "followed by one '_' (e.g. \"sak_\")",
                 v);
        return PANEL_E_INVALID;
    }
    for (size_t i = 0; vendor_prefixes[i]; i++)
        if (strcmp(v, vendor_prefixes[i]) == 0) {
            snprintf(err, err_len,
                     "[plugin:apikeys] key_prefix \"%s\" is claimed by another vendor's secret scanners; choose "
                     "your own (e.g. \"sak_\")",
                     v);
            return PANEL_E_INVALID;
        }
    return PANEL_OK;
}

int32_t apikeys_config_load(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err,
                            size_t err_len)
{
    memset(cfg, 0, sizeof *cfg);
    const char *prefix = get ? get(ctx, "key_prefix") : NULL;
    const char *grace = get ? get(ctx, "default_grace") : NULL;
    const char *flush = get ? get(ctx, "flush_interval") : NULL;
    const char *secret_file = get ? get(ctx, "secret_file") : NULL;

    if (!prefix)
        prefix = APIKEYS_DEFAULT_PREFIX;
    int32_t rc = check_prefix(prefix, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    snprintf(cfg->key_prefix, sizeof cfg->key_prefix, "%s", prefix);
    cfg->prefix_len = strlen(cfg->key_prefix);

    if (!grace)
        grace = "0";
    if (apikeys_grace_seconds(grace) < 0) {
        snprintf(err, err_len,
                 "[plugin:apikeys] default_grace \"%.20s\" is not valid: allowed values are 0, 1h, 24h, 7d", grace);
        return PANEL_E_INVALID;
    }
    snprintf(cfg->default_grace, sizeof cfg->default_grace, "%s", grace);

    cfg->flush_interval = 10;
    if (flush) {
        char *end = NULL;
        long v = strtol(flush, &end, 10);
        if (flush[0] < '0' || flush[0] > '9' || *end != '\0' || v < 1 || v > 3600) {
            snprintf(err, err_len,
                     "[plugin:apikeys] flush_interval \"%.20s\" is not valid: give a whole number of seconds "
                     "from 1 to 3600 (default 10)",
                     flush);
            return PANEL_E_INVALID;
        }
        cfg->flush_interval = (uint32_t)v;
    }
    if (secret_file && (secret_file[0] != '/' || strlen(secret_file) >= sizeof cfg->secret_file)) {
        snprintf(err, err_len, "[plugin:apikeys] secret_file \"%.80s\" is not valid: give an absolute path "
                 "(default: DATA_DIR/apikeys.secret)", secret_file);
        return PANEL_E_INVALID;
    }
    snprintf(cfg->secret_file, sizeof cfg->secret_file, "%s", secret_file ? secret_file : "");
    return store_load_settings(cfg, get, ctx, err, err_len); /* store, and the settings of the store it names */
}
