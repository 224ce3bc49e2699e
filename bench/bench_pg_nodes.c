/* bench_pg_nodes.c - the PostgreSQL figures' nodes: plugin states opened in the bench process as a host opens
 * them ([plugin:apikeys] store = postgresql, pg_conninfo, lease_seconds, node_id; flusher running), each on its
 * own data directory holding its own copy of the shared digest secret (as an owner copies it to every web
 * node), each made a node by one verification (lease thread, LISTEN/NOTIFY). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_pg.h"
#include "key_digest.h"

static const char *node_setting(void *ctx, const char *key)
{
    const bench_pg_node_t *node = ctx;
    if (strcmp(key, "store") == 0)
        return "postgresql";
    if (strcmp(key, "pg_conninfo") == 0)
        return node->conninfo;
    if (strcmp(key, "lease_seconds") == 0)
        return node->lease;
    if (strcmp(key, "node_id") == 0)
        return node->node_id;
    return NULL;
}

/* Copies the digest secret from_dir/apikeys.secret to to_dir/apikeys.secret (0600, never over a file). */
static int copy_secret(const char *from_dir, const char *to_dir, char *err, size_t err_len)
{
    char from[2600], to[2600];
    snprintf(from, sizeof from, "%s/apikeys.secret", from_dir);
    snprintf(to, sizeof to, "%s/apikeys.secret", to_dir);
    uint8_t secret[KEY_SECRET_LEN];
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t got = in >= 0 ? read(in, secret, sizeof secret) : -1;
    if (in >= 0)
        close(in);
    if (got != (ssize_t)sizeof secret) {
        snprintf(err, err_len, "cannot read the digest secret %s: %s", from, got < 0 ? strerror(errno) : "short");
        sodium_memzero(secret, sizeof secret);
        return -1;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    ssize_t put = out >= 0 ? write(out, secret, sizeof secret) : -1;
    sodium_memzero(secret, sizeof secret);
    if (out < 0 || put != (ssize_t)sizeof secret || close(out) != 0) {
        snprintf(err, err_len, "cannot write the digest secret %s: %s", to, strerror(errno));
        return -1;
    }
    return 0;
}

int32_t bench_pg_node_open(const bench_env_t *env, bench_pg_node_t *node, const char *node_id, const char *conninfo,
                           const char *secret_from, int reopen, char *err, size_t err_len)
{
    node->st = NULL;
    snprintf(node->node_id, sizeof node->node_id, "%s", node_id);
    snprintf(node->lease, sizeof node->lease, "%d", BENCH_PG_LEASE_SECONDS);
    if ((size_t)snprintf(node->conninfo, sizeof node->conninfo, "%s", conninfo) >= sizeof node->conninfo) {
        snprintf(err, err_len, "the conninfo is too long");
        return PANEL_E_INVALID;
    }
    char name[32];
    snprintf(name, sizeof name, "pg-%s", node_id);
    if (!reopen) {
        if (bench_fresh_dir(env, name, node->dir, sizeof node->dir) != 0) {
            snprintf(err, err_len, "cannot create %s/%s: %s", env->data_root, name, strerror(errno));
            return PANEL_E_STORE;
        }
        if (secret_from && copy_secret(secret_from, node->dir, err, err_len) != 0)
            return PANEL_E_STORE;
    }
    return bench_open_state_with(node->dir, node_setting, node, &node->st, err, err_len);
}

int32_t bench_pg_node_serve(bench_pg_node_t *node, const char *key, char *err, size_t err_len)
{
    if (bench_authenticate(node->st, key) != PANEL_AUTH_ALLOW) {
        snprintf(err, err_len, "node %s refuses the current key after its first lease", node->node_id);
        return PANEL_E_STATE;
    }
    return PANEL_OK;
}

void bench_pg_node_close(bench_pg_node_t *node)
{
    apikeys_state_close(node->st);
    node->st = NULL;
}
