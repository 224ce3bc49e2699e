/* snapshot.c - building the verify path's snapshot (a sealed keyring) from a backend's rows, and keeping the
 * published one current (see snapshot.h). Every stored policy (the site key's allow-list and rate limit, each
 * named key's scopes, allow-list, rate limit and expiry) is parsed once here, so the verify path only compares;
 * a stored value this plugin would not accept fails the snapshot (every request 503) rather than dropping a
 * restriction the owner set. */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "key_policy.h"
#include "panel/plugin.h"
#include "plugin_state.h"
#include "time_format.h"
#include "usage.h"

/* ----- building a keyring from snapshot rows ------------------------------------------------------------ */

typedef struct ring_builder {
    keyring_t *ring;
    int api_enabled;
    key_policy_t *policy;        /* the site key's, precomputed (NULL: none) */
    named_policy_t *named;       /* the named keys' (sink.named), in the order they came */
    size_t n_named, cap_named;
    keyring_leak_t *leaks;       /* the values reported as leaked (sink.leaked) */
    size_t n_leaks, cap_leaks;
    char *err;
    size_t err_len;
} ring_builder_t;

static int32_t builder_start(void *vctx, int64_t rows, int api_enabled)
{
    ring_builder_t *b = vctx;
    b->api_enabled = api_enabled;
    b->ring = keyring_new(rows > 0 ? (size_t)rows : 0);
    if (!b->ring) {
        snprintf(b->err, b->err_len, "out of memory while loading %lld keys", (long long)rows);
        return PANEL_E_NOMEM;
    }
    return PANEL_OK;
}

/* The index + 1 of named key `id` in b->named, or 0. From the back: a backend sends a named key just before
 * its rows. */
static uint32_t named_index(const ring_builder_t *b, int64_t id)
{
    for (size_t i = b->n_named; i > 0; i--)
        if (b->named[i - 1].named_id == id)
            return (uint32_t)i;
    return 0;
}

static int32_t builder_key(void *vctx, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, int64_t id,
                           int64_t expires_at, int64_t named_key, int64_t superseded_at)
{
    ring_builder_t *b = vctx;
    uint32_t named = 0;
    if (named_key != 0) {
        named = named_index(b, named_key);
        if (!named)
            return PANEL_OK; /* a row of a named key that is not live: it can never match */
        int64_t own = b->named[named - 1].expires_at;
        if (own != 0 && (expires_at == 0 || own < expires_at))
            expires_at = own; /* a grace key ends with its named key at the latest */
    }
    const keyring_entry_t *twin = keyring_find(b->ring, locator, digest);
    if (twin) { /* both stores keep digests unique: only a damaged store holds one twice (fail closed) */
        snprintf(b->err, b->err_len,
                 "the key store holds the same key value twice (rows %lld and %lld): it is damaged; restore it from a "
                 "backup",
                 (long long)twin->key_id, (long long)id);
        return PANEL_E_STORE;
    }
    keyring_entry_t *e = keyring_add(b->ring, digest, locator, id, expires_at);
    if (!e) {
        snprintf(b->err, b->err_len, "out of memory while loading keys");
        return PANEL_E_NOMEM;
    }
    e->named = named;
    if (superseded_at) { /* a grace value: its reset's time is its owner's */
        e->occupied = KEYRING_SUPERSEDED;
        if (named)
            b->named[named - 1].superseded_at = superseded_at;
        else
            b->ring->site_superseded_at = superseded_at;
    }
    return PANEL_OK;
}

/* Parses a named key's stored policy once, here. A stored value this plugin would not accept fails the snapshot
 * (every request 503) rather than dropping a restriction the owner set. */
static int32_t builder_named(void *vctx, const store_named_t *key)
{
    ring_builder_t *b = vctx;
    if (named_index(b, key->id))
        return PANEL_OK; /* sent twice (one row per key of it): the first one holds */
    if (b->n_named == b->cap_named) {
        size_t cap = b->cap_named ? b->cap_named * 2 : 8;
        named_policy_t *grown = realloc(b->named, cap * sizeof *grown);
        if (!grown) {
            snprintf(b->err, b->err_len, "out of memory while loading the named keys");
            return PANEL_E_NOMEM;
        }
        b->named = grown;
        b->cap_named = cap;
    }
    int32_t rc = named_policy_build(&b->named[b->n_named], &b->ring->scopes, key->id, key->label, key->scopes,
                                    key->allowed_ips, key->rate_limit, key->expires_at, b->err, b->err_len);
    if (rc != PANEL_OK)
        return rc == PANEL_E_INVALID ? PANEL_E_STORE : rc;
    b->n_named++;
    return PANEL_OK;
}

/* Parses the stored policy once, here, so the verify path only compares. A stored value this plugin would not
 * accept fails the snapshot (every request 503) rather than dropping a restriction the owner set. */
static int32_t builder_policy(void *vctx, const char *allowed_ips, int64_t rate_limit)
{
    ring_builder_t *b = vctx;
    key_policy_free(b->policy);
    b->policy = NULL;
    int32_t rc = key_policy_build(allowed_ips, rate_limit, &b->policy, b->err, b->err_len);
    return rc == PANEL_E_INVALID ? PANEL_E_STORE : rc;
}

/* A value reported as leaked: kept with its date formatted once, here, so a denial copies it. */
static int32_t builder_leaked(void *vctx, const uint8_t digest[KEY_DIGEST_LEN], int64_t reported_at)
{
    ring_builder_t *b = vctx;
    if (b->n_leaks == b->cap_leaks) {
        size_t cap = b->cap_leaks ? b->cap_leaks * 2 : 8;
        keyring_leak_t *grown = realloc(b->leaks, cap * sizeof *grown);
        if (!grown) {
            snprintf(b->err, b->err_len, "out of memory while loading the leaked keys");
            return PANEL_E_NOMEM;
        }
        b->leaks = grown;
        b->cap_leaks = cap;
    }
    keyring_leak_t *l = &b->leaks[b->n_leaks++];
    memcpy(l->digest, digest, KEY_DIGEST_LEN);
    l->reported_at = reported_at;
    apikeys_format_time(reported_at, l->date, sizeof l->date);
    l->date_len = strlen(l->date);
    return PANEL_OK;
}

int32_t snapshot_build_keyring(int32_t (*read)(void *rctx, const store_snapshot_sink_t *sink, char *err,
                                            size_t err_len),
                            void *rctx, uint64_t epoch, keyring_t **out, char *err, size_t err_len)
{
    *out = NULL;
    ring_builder_t b = {NULL, 0, NULL, NULL, 0, 0, NULL, 0, 0, err, err_len};
    const store_snapshot_sink_t sink = {&b, builder_start, builder_key, builder_named, builder_policy,
                                        builder_leaked};
    int32_t rc = read(rctx, &sink, err, err_len);
    if (rc == PANEL_OK && !b.ring) {
        snprintf(err, err_len, "the key store returned no snapshot");
        rc = PANEL_E_STORE;
    }
    if (rc == PANEL_OK && keyring_seal(b.ring) != 0) {
        snprintf(err, err_len, "out of memory while indexing keys");
        rc = PANEL_E_NOMEM;
    }
    if (rc != PANEL_OK) {
        keyring_free(b.ring);
        key_policy_free(b.policy);
        free(b.named);
        free(b.leaks);
        return rc;
    }
    keyring_set_leaks(b.ring, b.leaks, b.n_leaks);
    b.ring->site_policy = b.policy;
    b.ring->named = b.named;
    b.ring->n_named = b.n_named;
    b.ring->api_enabled = b.api_enabled;
    b.ring->epoch = epoch;
    b.ring->status = KEYRING_OK;
    *out = b.ring;
    return PANEL_OK;
}

static int32_t read_through_backend(void *rctx, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    store_t *s = rctx;
    return s->backend->read_snapshot(s, sink, err, err_len);
}

/* Reads the valid keys through the backend's read_snapshot (a demand_reload backend: store_open checked it has
 * one, and apikeys_refresh reads no other). */
static int32_t snapshot_load_keyring(store_t *s, uint64_t epoch, keyring_t **out, char *err, size_t err_len)
{
    return snapshot_build_keyring(read_through_backend, s, epoch, out, err, err_len);
}

/* ----- keeping the published snapshot current ---------------------------------------------------------- */

/* Loads a snapshot for counter value c; on failure a failed snapshot (deny all). NULL only without memory. */
static keyring_t *load_or_failed(apikeys_state_t *st, uint64_t c)
{
    char err[512];
    keyring_t *ring = NULL;
    if (snapshot_load_keyring(&st->store, c, &ring, err, sizeof err) == PANEL_OK)
        return ring;
    char line[640];
    snprintf(line, sizeof line, "API requests are denied until the key store can be read: %s", err);
    apikeys_log(st, PANEL_LOG_ERROR, line);
    return keyring_new_failed(c);
}

void apikeys_check_files(apikeys_state_t *st)
{
    if (!store_reloads_on_demand(&st->store) || atomic_load(&st->files_replaced))
        return;
    char why[4400];
    if (store_check_files(&st->store, why, sizeof why) == PANEL_OK)
        return;
    atomic_store(&st->files_replaced, 1);
    char line[4600];
    snprintf(line, sizeof line, "API requests are denied and changes refused until this server restarts: %s, so it "
             "would no longer see keys changed, reset or revoked by the others", why);
    apikeys_log(st, PANEL_LOG_ERROR, line);
    /* A snapshot that denies everything, or none at all when memory ran out: the verify path denies on both,
     * and the good snapshot it replaces is never served again. */
    pthread_mutex_lock(&st->reload_mutex);
    guard_publish(&st->guard, keyring_new_failed(UINT64_MAX), usage_add_harvest, &st->usage);
    pthread_mutex_unlock(&st->reload_mutex);
}

keyring_t *apikeys_refresh(apikeys_state_t *st)
{
    if (!store_reloads_on_demand(&st->store))
        return NULL; /* the backend's own thread keeps the published snapshot current (or failed) */
    if (atomic_load(&st->files_replaced))
        return NULL; /* apikeys_check_files published a snapshot that denies everything; never load another */
    keyring_t *private_ring = NULL;
    pthread_mutex_lock(&st->reload_mutex);
    uint64_t c = store_counter(&st->store);
    int cacheable = 1;
    if (c & 1u) {
        uint64_t repaired = 0;
        if (store_settle(&st->store, c, &repaired) == STORE_SIGNAL_SETTLED) {
            apikeys_log(st, PANEL_LOG_WARN, "a process died while changing API keys; its change signal was "
                                            "completed and the key snapshot is reloaded");
            c = repaired;
        } else {
            cacheable = 0;
        }
    }
    if (!cacheable) {
        /* A writer is inside its window: read the store as it is now, but do not trust it afterwards. */
        private_ring = load_or_failed(st, c);
    } else {
        keyring_t *cur = guard_current(&st->guard);
        if (!cur || cur->epoch != c || cur->status != KEYRING_OK) {
            /* After a failure, read the file itself: pages the read connection cached from before the damage
             * would otherwise make a reload "succeed" and accept requests from a store that cannot be read. */
            if (cur && cur->status != KEYRING_OK)
                store_drop_read_cache(&st->store);
            keyring_t *next = load_or_failed(st, c);
            if (next)
                guard_publish(&st->guard, next, usage_add_harvest, &st->usage);
        }
    }
    pthread_mutex_unlock(&st->reload_mutex);
    if (!cacheable && !private_ring)
        return keyring_new_failed(c); /* may be NULL: the caller then denies (503) */
    return private_ring;
}
