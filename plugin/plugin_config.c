/* plugin_config.c - reading and validating [plugin:apikeys] (see plugin_config.h). */
#include "plugin_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"

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

/* A whole number from lo to hi, or -1. */
static long whole_number(const char *text, long lo, long hi)
{
    char *end = NULL;
    if (!text || text[0] < '0' || text[0] > '9')
        return -1;
    long v = strtol(text, &end, 10);
    return *end == '\0' && v >= lo && v <= hi ? v : -1;
}

static int32_t load_store_settings(apikeys_config_t *cfg, const char *store, const char *conninfo, const char *lease,
                                   const char *secret_file, const char *node_id, char *err, size_t err_len)
{
    if (!store)
        store = "sqlite";
    if (strcmp(store, "sqlite") != 0 && strcmp(store, "postgresql") != 0) {
        snprintf(err, err_len, "[plugin:apikeys] store \"%.40s\" is not valid: use sqlite (the default, one machine) "
                 "or postgresql (many web nodes)", store);
        return PANEL_E_INVALID;
    }
    snprintf(cfg->store, sizeof cfg->store, "%s", store);
    if (strcmp(store, "postgresql") == 0 && (!conninfo || conninfo[0] == '\0')) {
        snprintf(err, err_len, "[plugin:apikeys] store = postgresql needs pg_conninfo, e.g. "
                 "\"host=db.internal dbname=panel user=panel\" or a postgresql:// URI");
        return PANEL_E_INVALID;
    }
    if (conninfo && strlen(conninfo) >= sizeof cfg->pg_conninfo) {
        snprintf(err, err_len, "[plugin:apikeys] pg_conninfo is too long (at most %zu bytes)",
                 sizeof cfg->pg_conninfo - 1);
        return PANEL_E_INVALID;
    }
    snprintf(cfg->pg_conninfo, sizeof cfg->pg_conninfo, "%s", conninfo ? conninfo : "");
    cfg->lease_seconds = 3;
    if (lease) {
        long v = whole_number(lease, 1, 60);
        if (v < 0) {
            snprintf(err, err_len, "[plugin:apikeys] lease_seconds \"%.20s\" is not valid: give a whole number of "
                     "seconds from 1 to 60 (default 3)", lease);
            return PANEL_E_INVALID;
        }
        cfg->lease_seconds = (uint32_t)v;
    }
    if (secret_file && (secret_file[0] != '/' || strlen(secret_file) >= sizeof cfg->secret_file)) {
        snprintf(err, err_len, "[plugin:apikeys] secret_file \"%.80s\" is not valid: give an absolute path "
                 "(default: DATA_DIR/apikeys.secret)", secret_file);
        return PANEL_E_INVALID;
    }
    snprintf(cfg->secret_file, sizeof cfg->secret_file, "%s", secret_file ? secret_file : "");
    if (node_id) {
        size_t n = strlen(node_id);
        int ok = n >= 1 && n < sizeof cfg->node_id;
        for (size_t i = 0; ok && i < n; i++) {
            char ch = node_id[i];
            ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                 ch == '-' || ch == '_';
        }
        if (!ok) {
            snprintf(err, err_len, "[plugin:apikeys] node_id \"%.40s\" is not valid: use 1 to 63 letters, digits, "
                     "'.', '-' or '_' (e.g. web-1)", node_id);
            return PANEL_E_INVALID;
        }
        snprintf(cfg->node_id, sizeof cfg->node_id, "%s", node_id);
    }
    return PANEL_OK;
}

/* plugin.h: a plugin's files in the shared data directory start with its entry id ("apikeys"), which also keeps
 * them out of the host's reserved names (host-, admin-, extensions.). Printable ASCII without '/', and none of
 * the plugin's own other files. */
static int32_t check_database_name(const char *database, char *err, size_t err_len)
{
    static const char *const own_files[] = {"apikeys.secret", "apikeys.epoch", NULL};
    size_t n = strlen(database);
    int printable = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)database[i] < 0x21 || (unsigned char)database[i] > 0x7E || database[i] == '/')
            printable = 0;
    if (!printable || n >= sizeof(((apikeys_config_t *)0)->database)) {
        snprintf(err, err_len,
                 "[plugin:apikeys] database is not valid: give a file name of printable characters without spaces "
                 "or '/' (it is created in the data directory), e.g. \"apikeys.db\"");
        return PANEL_E_INVALID;
    }
    if (strncmp(database, "apikeys", 7) != 0 || n == 7) {
        snprintf(err, err_len,
                 "[plugin:apikeys] database \"%.60s\" is not valid: the plugin's files in the shared data directory "
                 "must start with its id \"apikeys\" (names starting with host-, admin- or extensions. are the "
                 "host's), e.g. \"apikeys.db\" or \"apikeys-shop2.db\"",
                 database);
        return PANEL_E_INVALID;
    }
    for (size_t i = 0; own_files[i]; i++)
        if (strcmp(database, own_files[i]) == 0 || (strncmp(database, own_files[i], strlen(own_files[i])) == 0 &&
                                                    database[strlen(own_files[i])] == '-')) {
            snprintf(err, err_len,
                     "[plugin:apikeys] database \"%s\" is the name of another of the plugin's files; choose e.g. "
                     "\"apikeys.db\"",
                     database);
            return PANEL_E_INVALID;
        }
    return PANEL_OK;
}

int32_t apikeys_config_load(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err,
                            size_t err_len)
{
    memset(cfg, 0, sizeof *cfg);
    const char *prefix = get ? get(ctx, "key_prefix") : NULL;
    const char *database = get ? get(ctx, "database") : NULL;
    const char *grace = get ? get(ctx, "default_grace") : NULL;
    const char *flush = get ? get(ctx, "flush_interval") : NULL;
    const char *store = get ? get(ctx, "store") : NULL;
    const char *conninfo = get ? get(ctx, "pg_conninfo") : NULL;
    const char *lease = get ? get(ctx, "lease_seconds") : NULL;
    const char *secret_file = get ? get(ctx, "secret_file") : NULL;
    const char *node_id = get ? get(ctx, "node_id") : NULL;

    if (!prefix)
        prefix = APIKEYS_DEFAULT_PREFIX;
    int32_t rc = check_prefix(prefix, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    snprintf(cfg->key_prefix, sizeof cfg->key_prefix, "%s", prefix);
    cfg->prefix_len = strlen(cfg->key_prefix);

    if (!database)
        database = APIKEYS_DEFAULT_DATABASE;
    rc = check_database_name(database, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    snprintf(cfg->database, sizeof cfg->database, "%s", database);

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
    return load_store_settings(cfg, store, conninfo, lease, secret_file, node_id, err, err_len);
}
