/* plugin_state.h - the plugin's state and its life cycle, independent of any host: open on a data
 * directory (config, the store backend with its digest secret and change signal, first snapshot, flusher thread), the
 * writer window every state-changing action runs in, reads on the write connection, usage flushing, and close
 * (snapshot refresh: snapshot.h).
 * The benchmark and unit tests use this directly (no host needed). */
#ifndef APIKEYS_PLUGIN_STATE_H
#define APIKEYS_PLUGIN_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "key_digest.h"
#include "key_locator.h"
#include "keyring.h"
#include "limiter.h"
#include "panel/plugin.h"
#include "plugin_config.h"
#include "snapshot.h"
#include "snapshot_guard.h"
#include "store.h"
#include "usage.h"

typedef struct apikeys_options {
    const char *data_dir;                                   /* non-NULL; must exist */
    const char *(*config_get)(void *ctx, const char *key);  /* nullable: defaults */
    int64_t (*now)(void *ctx);                              /* nullable: time(NULL) */
    void (*log)(void *ctx, int32_t level, const char *msg); /* nullable: silent */
    void *ctx;
    int32_t start_flusher;                                  /* 1: start the usage flusher thread */
} apikeys_options_t;

/* Room for a newly generated key, with its NUL (a prefix of up to 16 characters, '_', 43 + 6 base62 digits). */
#define APIKEYS_NEW_KEY_MAX 80

typedef struct apikeys_state {
    snapshot_guard_t guard;          /* first: 64-byte aligned hot data */
    apikeys_config_t config;
    /* The secrets, in one region of libsodium's guarded memory (sodium_malloc: kept out of core dumps and, where
     * the limit allows, out of swap; wiped when freed): the digest secret (KEY_SECRET_LEN bytes), and the key an
     * admin action generates, until it is handed to the host (APIKEYS_NEW_KEY_MAX bytes; admin calls are
     * [serialised] per plugin, so one buffer serves them all); between them the locator key (KEY_LOCATOR_KEY_LEN
     * bytes, derived from the digest secret once the store has it: key_locator.h). */
    uint8_t *secret;
    uint8_t *locator_key;
    char *new_key;
    char data_dir[4096];
    store_t store;                   /* the backend the config names; its counter is the change signal */
    usage_t usage;
    pthread_mutex_t reload_mutex;    /* serialises snapshot reloads, publication and reclamation */
    pthread_mutex_t write_mutex;     /* serialises writes on the store's write connection */
    apikeys_options_t options;
    const panel_host_t *host;        /* set by the entry; NULL without a host */
    /* The site key's scopes: every id of the host's scope catalogue (PANEL_EXT_API_SCOPES), comma-separated,
     * built at init (site_scopes.c); "" when the host has none (a 1.0 host). Read by the verify path. */
    char site_scopes[PANEL_SCOPES_MAX];
    size_t site_scopes_len;
    char scope_choices[PANEL_SCOPES_MAX]; /* the same ids '|'-separated: the choices of a named key's scopes */
    /* "id: description|..." in the same order (site_scopes.c), the choice labels of those scopes; "" when the
     * catalogue's descriptions do not fit (hosts then show the bare ids) */
    char scope_labels[4 * PANEL_SCOPES_MAX];
    /* The machine-wide buckets (apikeys.ratelimit): key rate limits and the invalid-key throttle. When the file
     * cannot be used, keys with a rate limit get 503 (limiter.error says why; logged once per process). */
    limiter_t limiter;
    _Atomic int limiter_logged;
    /* 1 once the usage flusher saw the store's files replaced under this process (store_check_files): from then
     * on every request is denied (503) and every change refused, until the process or the extension restarts. */
    _Atomic int files_replaced;
} apikeys_state_t;

/* Opens the state. PANEL_OK, or a negative code with a message (never containing a secret). */
int32_t apikeys_state_open(const apikeys_options_t *options, apikeys_state_t **out, char *err, size_t err_len);
/* Stops the flusher, flushes usage, closes everything, wipes the secret, frees. NULL is ignored. */
void apikeys_state_close(apikeys_state_t *st);

int64_t apikeys_now(const apikeys_state_t *st);
void apikeys_log(const apikeys_state_t *st, int32_t level, const char *msg);

/* A state change run in one store transaction that signals the change (every verifier sees it before this
 * returns). fn writes the change and its audit row; on failure it fills msg and nothing is committed. On
 * success report (nullable) receives what the store did to make every node see it ("" on one machine). */
typedef int32_t (*apikeys_write_fn)(apikeys_state_t *st, void *ctx, char *msg, size_t msg_len);
int32_t apikeys_write(apikeys_state_t *st, apikeys_write_fn fn, void *ctx, char *msg, size_t msg_len, char *report,
                      size_t report_len);
/* A read on the store's write connection (status, fields, tables), which the write mutex serialises like every use
 * of that connection: runs fn(st, ctx, err, err_len) under it and returns its status. */
typedef int32_t (*apikeys_read_fn)(apikeys_state_t *st, void *ctx, char *err, size_t err_len);
int32_t apikeys_read(apikeys_state_t *st, apikeys_read_fn fn, void *ctx, char *err, size_t err_len);
/* Writes one audit row in its own small transaction (refusals); no change signal. */
int32_t apikeys_audit_only(apikeys_state_t *st, const char *actor, const char *origin, const char *action,
                           const char *outcome, const char *key_hint);

/* [thread-safe] Writes harvested usage counts and denial counters to the store. */
int32_t apikeys_flush_usage(apikeys_state_t *st, char *err, size_t err_len);

#endif
