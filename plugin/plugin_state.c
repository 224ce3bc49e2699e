/* plugin_state.c - opening and closing the plugin state, the writer window, reads on the write connection and
 * usage flushing (see plugin_state.h; snapshot refresh is snapshot.c's). */
#include "plugin_state.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_provider.h"
#include "crc32c.h"

/* The wall clock for expiry and grace: the host's, corrected on a node of a shared store by its measured offset
 * from the store's clock (rounded to the second), so a node whose clock is set back does not revive a key. */
int64_t apikeys_now(const apikeys_state_t *st)
{
    int64_t now = st->options.now ? st->options.now(st->options.ctx) : (int64_t)time(NULL);
    int64_t off = store_clock_offset_ms(&st->store);
    return now + (off >= 0 ? (off + 500) / 1000 : -((500 - off) / 1000));
}

void apikeys_log(const apikeys_state_t *st, int32_t level, const char *msg)
{
    if (st->options.log)
        st->options.log(st->options.ctx, level, msg);
}

int32_t apikeys_write(apikeys_state_t *st, apikeys_write_fn fn, void *ctx, char *msg, size_t msg_len, char *report,
                      size_t report_len)
{
    if (report && report_len)
        report[0] = '\0';
    if (atomic_load(&st->files_replaced)) {
        snprintf(msg, msg_len, "nothing was changed: the key store's files were replaced while this server ran, so "
                 "other processes would not see the change; restart it");
        return PANEL_E_STORE;
    }
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc;
    for (int attempt = 0;; attempt++) {
        rc = store_begin(&st->store, 1, msg, msg_len);
        if (rc == PANEL_OK) {
            rc = fn(st, ctx, msg, msg_len);
            if (rc == PANEL_OK)
                rc = store_commit(&st->store, report, report_len, msg, msg_len);
            else
                store_rollback(&st->store);
        }
        /* A read answered from memory was out of date (another process changed the keys): nothing was written;
         * once more, reading this time. fn starts from its ctx again: it sets what it says, never appends. */
        if (rc == PANEL_OK || attempt > 0 || !store_retry_wanted(&st->store))
            break;
    }
    pthread_mutex_unlock(&st->write_mutex);
    keyring_t *private_ring = apikeys_refresh(st); /* our own next verification is fast and current */
    keyring_free(private_ring);
    return rc;
}

int32_t apikeys_read(apikeys_state_t *st, apikeys_read_fn fn, void *ctx, char *err, size_t err_len)
{
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = fn(st, ctx, err, err_len);
    pthread_mutex_unlock(&st->write_mutex);
    return rc;
}

int32_t apikeys_audit_only(apikeys_state_t *st, const char *actor, const char *origin, const char *action,
                           const char *outcome, const char *key_hint)
{
    char err[512];
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = store_begin(&st->store, 0, err, sizeof err);
    if (rc == PANEL_OK) {
        rc = store_audit(&st->store, apikeys_now(st), actor, origin, action, outcome, key_hint, err, sizeof err);
        if (rc == PANEL_OK)
            rc = store_commit(&st->store, NULL, 0, err, sizeof err);
        else
            store_rollback(&st->store);
    }
    pthread_mutex_unlock(&st->write_mutex);
    if (rc != PANEL_OK) {
        char line[640];
        snprintf(line, sizeof line, "could not write an audit row: %s", err);
        apikeys_log(st, PANEL_LOG_ERROR, line);
    }
    return rc;
}

int32_t apikeys_flush_usage(apikeys_state_t *st, char *err, size_t err_len)
{
    pthread_mutex_lock(&st->reload_mutex);
    guard_reclaim(&st->guard, usage_add_harvest, &st->usage);
    pthread_mutex_unlock(&st->reload_mutex);

    store_usage_t *items = NULL;
    size_t n = 0;
    uint64_t denials[DENIAL_REASONS], keyless[DENIAL_REASONS];
    int64_t last_at[DENIAL_REASONS];
    usage_take(&st->usage, &items, &n, denials, last_at, keyless);
    int any = n > 0;
    for (int r = 0; r < DENIAL_REASONS; r++)
        any |= denials[r] != 0;
    if (!any) {
        free(items);
        return PANEL_OK;
    }
    const store_flush_t flush = {items, n, apikeys_now(st), denials, last_at, keyless};
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = store_flush_usage(&st->store, &flush, err, err_len);
    int damaged = rc != PANEL_OK && store_last_failure_is_damage(&st->store);
    pthread_mutex_unlock(&st->write_mutex);
    if (rc == PANEL_OK) {
        free(items);
        return PANEL_OK;
    }
    usage_restore(&st->usage, items, n, denials, last_at, keyless);
    if (damaged) {
        /* Fail closed: deny every request until a reload from the store succeeds. */
        pthread_mutex_lock(&st->reload_mutex);
        keyring_t *failed = keyring_new_failed(store_counter(&st->store));
        if (failed)
            guard_publish(&st->guard, failed, usage_add_harvest, &st->usage);
        pthread_mutex_unlock(&st->reload_mutex);
    }
    return rc;
}

/* A snapshot from a backend that keeps them fresh on its own thread (PostgreSQL): publish it. */
static void publish_from_backend(void *ctx, keyring_t *ring)
{
    apikeys_state_t *st = ctx;
    pthread_mutex_lock(&st->reload_mutex);
    guard_publish(&st->guard, ring, usage_add_harvest, &st->usage);
    pthread_mutex_unlock(&st->reload_mutex);
}

static void log_from_backend(void *ctx, int32_t level, const char *msg)
{
    apikeys_log(ctx, level, msg);
}

static int64_t now_for_backend(void *ctx)
{
    return apikeys_now(ctx);
}

static void flusher_tick(void *ctx)
{
    apikeys_state_t *st = ctx;
    apikeys_check_files(st);
    char err[512];
    if (apikeys_flush_usage(st, err, sizeof err) != PANEL_OK) {
        char line[640];
        snprintf(line, sizeof line, "could not save API key usage counts (kept for the next attempt): %s", err);
        apikeys_log(st, PANEL_LOG_WARN, line);
    }
}

int32_t apikeys_state_open(const apikeys_options_t *options, apikeys_state_t **out, char *err, size_t err_len)
{
    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, err_len, "libsodium could not be initialised");
        return PANEL_E_INTERNAL;
    }
    crc32c_init();
    if (!options->data_dir || options->data_dir[0] == '\0') {
        snprintf(err, err_len, "no data directory was given");
        return PANEL_E_INVALID;
    }
    apikeys_state_t *st = aligned_alloc(64, (sizeof *st + 63) & ~(size_t)63);
    if (!st) {
        snprintf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    memset(st, 0, sizeof *st);
    st->limiter.fd = -1;
    st->options = *options;
    int32_t rc = apikeys_config_load(&st->config, options->config_get, options->ctx, err, err_len);
    if (rc != PANEL_OK) {
        free(st);
        return rc;
    }
    if ((size_t)snprintf(st->data_dir, sizeof st->data_dir, "%s", options->data_dir) >= sizeof st->data_dir) {
        snprintf(err, err_len, "the data directory path is too long");
        free(st);
        return PANEL_E_INVALID;
    }
    if (usage_init(&st->usage) != 0) {
        snprintf(err, err_len, "could not create the usage counters");
        free(st);
        return PANEL_E_INTERNAL;
    }
    pthread_mutex_init(&st->reload_mutex, NULL);
    pthread_mutex_init(&st->write_mutex, NULL);
    guard_init(&st->guard, NULL);

    st->secret = sodium_malloc(KEY_SECRET_LEN + KEY_LOCATOR_KEY_LEN + APIKEYS_NEW_KEY_MAX);
    if (!st->secret) {
        snprintf(err, err_len, "out of memory for the digest secret");
        rc = PANEL_E_NOMEM;
    } else {
        st->locator_key = st->secret + KEY_SECRET_LEN;
        st->new_key = (char *)st->locator_key + KEY_LOCATOR_KEY_LEN;
        st->new_key[0] = '\0';
    }
    if (rc == PANEL_OK && st->config.secret_file[0] == '\0' &&
        (size_t)snprintf(st->config.secret_file, sizeof st->config.secret_file, "%s/%s", st->data_dir,
                         KEY_SECRET_FILE) >= sizeof st->config.secret_file) {
        snprintf(err, err_len, "the data directory path is too long");
        rc = PANEL_E_INVALID;
    }
    const store_open_args_t store_args = {
        .data_dir = st->data_dir,
        .config = &st->config,
        .secret = st->secret,
        .locator_key = st->locator_key,
        .publish = publish_from_backend,
        .log = log_from_backend,
        .now = now_for_backend,
        .ctx = st,
        .rate_shares = &st->limiter.shares,
    };
    if (rc == PANEL_OK)
        rc = store_open(&st->store, &store_args, err, err_len);
    if (rc == PANEL_OK) {
        char why[640];
        if (limiter_open(&st->limiter, st->data_dir, st->config.database, why, sizeof why) != PANEL_OK) {
            char line[800];
            snprintf(line, sizeof line,
                     "API keys with a rate limit are denied (503) until the shared rate limit file can be used: %s",
                     why);
            apikeys_log(st, PANEL_LOG_ERROR, line);
        }
    }
    if (rc == PANEL_OK) {
        keyring_t *first = apikeys_refresh(st);
        keyring_free(first); /* a private one means a writer is active elsewhere; the next request reloads */
        if (!guard_current(&st->guard)) {
            keyring_t *failed = keyring_new_failed(UINT64_MAX);
            if (!failed) {
                snprintf(err, err_len, "out of memory");
                rc = PANEL_E_NOMEM;
            } else {
                guard_publish(&st->guard, failed, NULL, NULL);
            }
        }
    }
    if (rc == PANEL_OK && options->start_flusher &&
        usage_start(&st->usage, st->config.flush_interval, flusher_tick, st) != 0) {
        snprintf(err, err_len, "could not start the usage flusher thread");
        rc = PANEL_E_INTERNAL;
    }
    if (rc != PANEL_OK) {
        apikeys_state_close(st);
        return rc;
    }
    *out = st;
    return PANEL_OK;
}

void apikeys_state_close(apikeys_state_t *st)
{
    if (!st)
        return;
    usage_stop(&st->usage);
    if (st->store.backend) {
        char err[512];
        if (apikeys_flush_usage(st, err, sizeof err) != PANEL_OK) {
            char line[640];
            snprintf(line, sizeof line, "could not save the last API key usage counts: %s", err);
            apikeys_log(st, PANEL_LOG_WARN, line);
        }
    }
    store_close(&st->store); /* first: a backend's own thread may still publish snapshots */
    limiter_close(&st->limiter);
    guard_destroy(&st->guard, NULL, NULL);
    usage_destroy(&st->usage);
    pthread_mutex_destroy(&st->reload_mutex);
    pthread_mutex_destroy(&st->write_mutex);
    sodium_free(st->secret); /* wipes the secret and the new-key buffer; NULL is ignored */
    free(st);
}
