/* plugin_config.h - the [plugin:apikeys] settings: key_prefix, default_grace, flush_interval, secret_file, and
 * store (sqlite|postgresql) with the settings of the backend it names, which that backend reads and checks itself
 * (store_backend_t.load_settings): database (SQLite); pg_conninfo, lease_seconds, max_clock_offset,
 * node_id (PostgreSQL). */
#ifndef APIKEYS_PLUGIN_CONFIG_H
#define APIKEYS_PLUGIN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define APIKEYS_DEFAULT_PREFIX "sak_"
#define APIKEYS_DEFAULT_DATABASE "apikeys.db"

typedef struct apikeys_config {
    char key_prefix[16];        /* validated: 2..12 chars, [a-z0-9]+ then one '_' */
    size_t prefix_len;
    char database[256];         /* a file name in the data directory */
    char default_grace[8];      /* "0", "1h", "24h" or "7d" */
    uint32_t flush_interval;    /* seconds, 1..3600 */
    char store[16];             /* "sqlite" (default) or "postgresql" */
    char pg_conninfo[1024];     /* libpq keyword/value string or postgresql:// URI (store = postgresql) */
    uint32_t lease_seconds;     /* 1..60 (default 3): how long a node cut off from the store goes on answering */
    uint32_t max_clock_offset;  /* 1..3600 s (default 5): a node whose clock is further off the store's is fenced */
    char secret_file[4096];     /* absolute path of the digest secret; "" = DATA_DIR/apikeys.secret */
    char node_id[64];           /* the name this node shows in leases; "" = hostname/pid */
} apikeys_config_t;

/* Looks a key up; returns NULL when unset. */
typedef const char *(*apikeys_config_get_fn)(void *ctx, const char *key);

/* Fills cfg from get (NULL get: all defaults). PANEL_OK, or PANEL_E_INVALID naming the key, the problem and
 * the allowed values. */
int32_t apikeys_config_load(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err,
                            size_t err_len);

/* "0" -> 0, "1h" -> 3600, "24h" -> 86400, "7d" -> 604800; -1 for anything else. */
int64_t apikeys_grace_seconds(const char *text);

#endif
