/* support_pg_store.h - what the PostgreSQL store's unit tests share (include it in one .c file; the test defines
 * `publish`, declared here, what its node does with a snapshot): the config pointing at the private server
 * tests/cli/pg_*_store.sh starts (APIKEYS_TEST_PG, a conninfo of a fresh database; APIKEYS_TEST_DIR, a directory
 * for the digest secret), the secrets the store fills, a fixed clock, opening the store, a connection of the
 * test's own for looking at the tables, and OK(call), which fails the test with the store's message. */
#ifndef APIKEYS_SUPPORT_PG_STORE_H
#define APIKEYS_SUPPORT_PG_STORE_H

#include <stdio.h>
#include <stdlib.h>

#include "../../plugin/key_locator.h"
#include "../../plugin/store.h"
#include "../../plugin/store_postgresql.h"
#include "panel/plugin.h"

static apikeys_config_t cfg;
static uint8_t secret[KEY_SECRET_LEN];
static uint8_t locator_key[KEY_LOCATOR_KEY_LEN]; /* the store derives it with the secret */

static void publish(void *ctx, keyring_t *ring);

static int64_t fixed_now(void *ctx)
{
    (void)ctx;
    return 1000;
}

static void open_store(store_t *s)
{
    store_open_args_t args = {getenv("APIKEYS_TEST_DIR"), &cfg, secret, locator_key, publish, NULL, fixed_now, NULL,
                              NULL};
    char err[512] = "";
    if (store_open(s, &args, err, sizeof err) != PANEL_OK)
        fail_msg("store_open: %s", err);
}

/* A connection of our own for looking at the tables. */
static PGconn *sql_conn(void)
{
    char err[512];
    PGconn *c = pg_connect(&cfg, err, sizeof err);
    if (!c)
        fail_msg("pg_connect: %s", err);
    return c;
}

#define OK(call)                                                                                                   \
    do {                                                                                                           \
        char err_[512] = "";                                                                                       \
        char *err = err_;                                                                                          \
        size_t err_len = sizeof err_;                                                                              \
        int32_t rc_ = (call);                                                                                      \
        if (rc_ != PANEL_OK)                                                                                       \
            fail_msg("%s -> %d: %s", #call, (int)rc_, err_);                                                     \
    } while (0)

/* Fills cfg from the environment the test script sets (node "unit", lease 2 s). 0, or 2 with the reason on
 * standard error (the test cannot run). */
static int support_pg_config(const char *test)
{
    const char *conninfo = getenv("APIKEYS_TEST_PG"), *dir = getenv("APIKEYS_TEST_DIR");
    if (!conninfo || !dir) {
        fprintf(stderr, "%s: set APIKEYS_TEST_PG and APIKEYS_TEST_DIR (its tests/cli/pg_*_store.sh does)\n", test);
        return 2;
    }
    char err[512];
    if (apikeys_config_load(&cfg, NULL, NULL, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "config: %s\n", err);
        return 2;
    }
    snprintf(cfg.store, sizeof cfg.store, "postgresql");
    snprintf(cfg.pg_conninfo, sizeof cfg.pg_conninfo, "%s", conninfo);
    snprintf(cfg.secret_file, sizeof cfg.secret_file, "%s/apikeys.secret", dir);
    snprintf(cfg.node_id, sizeof cfg.node_id, "unit");
    cfg.lease_seconds = 2;
    return 0;
}

#endif
