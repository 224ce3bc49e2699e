/* usage.h - batched usage accounting: harvested per-key use counts waiting to be written, per-reason denial
 * counters striped across cache lines (so verifying threads do not share a written line), and the flusher
 * thread that calls a tick function every flush_interval seconds until stopped.
 * What a crash can lose: the counts of at most one flush interval (default 10 s). Last-used times are
 * recorded at flush time, so they are precise to one interval. */
#ifndef APIKEYS_USAGE_H
#define APIKEYS_USAGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h" /* store_usage_t, DENIAL_REASONS */

#define USAGE_STRIPES 16u

typedef struct usage_stripe {
    _Alignas(64) _Atomic uint64_t denials[DENIAL_REASONS];
    _Atomic int64_t last_at[DENIAL_REASONS];
} usage_stripe_t;

typedef struct usage {
    usage_stripe_t stripes[USAGE_STRIPES];
    pthread_mutex_t pending_mutex;
    store_usage_t *pending;          /* harvested key counts not yet written */
    size_t n_pending, cap_pending;
    /* flusher thread */
    pthread_mutex_t tick_mutex;
    pthread_cond_t tick_cond;
    pthread_t thread;
    int thread_running;
    int stop;
    uint32_t interval;
    void (*tick)(void *ctx);
    void *tick_ctx;
} usage_t;

int usage_init(usage_t *u);
void usage_destroy(usage_t *u);

/* [thread-safe] Counts one denial for `reason` at time `now`. */
void usage_note_denial(usage_t *u, int reason, int64_t now);

/* [writer] Adds a harvested count (a guard_harvest_fn; ctx = usage_t). */
void usage_add_harvest(void *usage, int64_t key_id, uint64_t count);

/* [writer] Takes the pending key counts and denial deltas for writing; the caller frees *items.
 * usage_restore() puts them back when the write failed. */
void usage_take(usage_t *u, store_usage_t **items, size_t *n, uint64_t denials[DENIAL_REASONS],
                int64_t last_at[DENIAL_REASONS]);
void usage_restore(usage_t *u, store_usage_t *items, size_t n, const uint64_t denials[DENIAL_REASONS],
                   const int64_t last_at[DENIAL_REASONS]);

/* Starts the flusher: tick(ctx) every `interval` seconds. 0 or -1. */
int usage_start(usage_t *u, uint32_t interval, void (*tick)(void *ctx), void *ctx);
/* Wakes and joins the flusher (no-op if not running). */
void usage_stop(usage_t *u);

#endif
