/* pg_settings.c - the PostgreSQL backend's own [plugin:apikeys] settings (see store_postgresql.h): pg_conninfo
 * (required; a libpq keyword/value string or postgresql:// URI, never with a password in it: a passfile, peer or
 * certificate authentication instead), lease_seconds, max_clock_offset and node_id. Read at config load, before
 * the store opens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

int32_t pg_check_conninfo(const char *conninfo, char *err, size_t err_len)
{
    char *parse_err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &parse_err);
    if (!opts) {
        char reason[256] = "out of memory";
        if (parse_err) {
            snprintf(reason, sizeof reason, "%s", parse_err);
            reason[strcspn(reason, "\n")] = '\0';
            PQfreemem(parse_err);
        }
        snprintf(err, err_len,
                 "[plugin:apikeys] pg_conninfo is not a libpq connection string or postgresql:// URI: %s", reason);
        return PANEL_E_INVALID;
    }
    int32_t rc = PANEL_OK;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0]) {
            snprintf(err, err_len,
                     "[plugin:apikeys] pg_conninfo contains a password, which would sit in panel.ini and in process "
                     "listings: put it in a passfile: passfile=PATH or PGPASSFILE (mode 0600), or use peer or "
                     "certificate authentication");
            rc = PANEL_E_INVALID;
        }
    PQconninfoFree(opts);
    return rc;
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

int32_t pg_load_settings(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err, size_t err_len)
{
    const char *conninfo = get(ctx, "pg_conninfo");
    const char *lease = get(ctx, "lease_seconds");
    const char *node_id = get(ctx, "node_id");
    const char *max_offset = get(ctx, "max_clock_offset");
    if (!conninfo || conninfo[0] == '\0') {
        snprintf(err, err_len, "[plugin:apikeys] store = postgresql needs pg_conninfo, e.g. "
                 "\"host=db.internal dbname=panel user=panel\" or a postgresql:// URI");
        return PANEL_E_INVALID;
    }
    if (strlen(conninfo) >= sizeof cfg->pg_conninfo) {
        snprintf(err, err_len, "[plugin:apikeys] pg_conninfo is too long (at most %zu bytes)",
                 sizeof cfg->pg_conninfo - 1);
        return PANEL_E_INVALID;
    }
    int32_t rc = pg_check_conninfo(conninfo, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    snprintf(cfg->pg_conninfo, sizeof cfg->pg_conninfo, "%s", conninfo);
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
    cfg->max_clock_offset = 5;
    if (max_offset) {
        long v = whole_number(max_offset, 1, 3600);
        if (v < 0) {
            snprintf(err, err_len, "[plugin:apikeys] max_clock_offset \"%.20s\" is not valid: give a whole number of "
                     "seconds from 1 to 3600 (default 5)", max_offset);
            return PANEL_E_INVALID;
        }
        cfg->max_clock_offset = (uint32_t)v;
    }
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
