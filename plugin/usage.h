/* usage.h - batched usage accounting, with no lock and no allocation per request:
 *   - each verifying thread counts in the usage records of the guard slot it holds (snapshot_guard.h): per key
 *     value its allowed requests, its denials by reason, and its last allowed request's time, client address
 *     and User-Agent (copied at most once a second per value); a record that must make room hands its allowed
 *     uses to the key's keyring entry (its line is in cache) and its denials to the keyring's per-slot counters
 *     (keyring_usage_t), which no request writes otherwise. A thread that sees more values in a second than it
 *     has records (many keys) adds an allowed use of a value whose caller was taken this second straight to the
 *     value's entry (one locked add on a line just compared), so one write to a shared line per such request;
 *     a thread's usual few values cost no shared write;
 *   - denial counters striped across cache lines by thread: every denial by reason (the status page's totals)
 *     and, apart, the denials no key was found for (the usage table's key "none");
 *   - the pending list of harvested values waiting to be written, and the flusher thread that calls a tick
 *     function every flush_interval seconds until stopped.
 * The flush writes them all with one store transaction (store.h, flush_usage): hourly counts, last callers.
 * What a crash can lose: the counts of at most one flush interval (default 10 s). */
#ifndef APIKEYS_USAGE_H
#define APIKEYS_USAGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"
#include "panel/plugin.h"
#include "store.h" /* store_usage_t, DENIAL_REASONS */

#define USAGE_STRIPES 16u
#define USAGE_RECORDS 4u   /* key values one guard slot counts before it hands counts to the keyring */
#define USAGE_ALLOWED (-1) /* usage_count's `denial` for an allowed request */

typedef struct usage_stripe {
    _Alignas(64) _Atomic uint64_t denials[DENIAL_REASONS];
    _Atomic int64_t last_at[DENIAL_REASONS];
    _Atomic uint64_t keyless[DENIAL_REASONS];
} usage_stripe_t;

/* One key value's counts in a guard slot, owned by the slot's holder. entry is the value's entry in the slot's
 * pending ring (NULL once that ring was left: the counts went to its keyring, the last caller stays here). */
typedef struct usage_record {
    const keyring_entry_t *entry;
    int denials;                     /* 1 when u.denied holds a count */
    store_usage_t u;                 /* u.key_id 0: a free record */
} usage_record_t;

typedef struct usage {
    usage_stripe_t stripes[USAGE_STRIPES];
    pthread_mutex_t pending_mutex;
    store_usage_t *pending;          /* harvested values not yet written */
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

/* Receives harvested usage (a guard_harvest_fn). */
typedef void (*usage_harvest_fn)(void *ctx, const store_usage_t *item);

int usage_init(usage_t *u);
void usage_destroy(usage_t *u);

/* [thread-safe] Counts one denial for `reason` at time `now`; keyless: no key was found for it. */
void usage_note_denial(usage_t *u, int reason, int64_t now, int keyless);

/* The value of keyring_entry_t.caller_tick for the second `now`: its low 16 bits, never 0 (a new snapshot's entries
 * start at 0, which must not read as "taken" in any second). */
static inline uint16_t usage_caller_tick(int64_t now)
{
    uint16_t tick = (uint16_t)now;
    return tick ? tick : 1;
}

/* [slot holder] usage_count's direct path for an allowed request with `e` at `now`, inline (snapshot_guard.h's
 * guard_count takes it without a call): when e's caller was taken this second already, no record holds e's value and
 * every record served another value this second, the use is added to e's entry and 1 returned; else 0 (usage_count
 * finds or makes e's record). With many keys that is nearly every request, so it decides without a branch per
 * record. */
static inline int usage_count_direct(const usage_record_t recs[USAGE_RECORDS], const keyring_entry_t *e, int64_t now)
{
    if (atomic_load_explicit(&e->caller_tick, memory_order_relaxed) != usage_caller_tick(now))
        return 0;
    unsigned held = 0, busy = 1;
    for (unsigned i = 0; i < USAGE_RECORDS; i++) {
        held |= recs[i].u.key_id == e->key_id;
        busy &= (recs[i].u.key_id != 0) & (recs[i].u.last_at == now);
    }
    if (held | !busy)
        return 0;
    atomic_fetch_add_explicit(&((keyring_entry_t *)e)->spilled, 1, memory_order_relaxed);
    return 1;
}

/* [slot holder] Counts one request with `e` of `ring` (denial: USAGE_ALLOWED or a DENIAL_* below
 * DENIAL_REASONS) in the slot's records; an allowed one also becomes the value's last caller (client_addr
 * nullable; the User-Agent read from request, nullable), at most once a second per value: an allowed request of a
 * value whose caller some thread took this second, while every record served another value this second, is added
 * to the value's entry instead. No allocation, no lock. */
void usage_count(usage_record_t recs[USAGE_RECORDS], const keyring_t *ring, const keyring_entry_t *e, int denial,
                 int64_t now, const char *client_addr, const panel_request_t *request);
/* [slot holder] The slot moves to another ring: hands the counts to `old` (the ring the records' entries are
 * in, still alive) and keeps the last callers. */
void usage_records_leave(usage_record_t recs[USAGE_RECORDS], keyring_t *old);
/* [writer, the slot held exclusively] Hands every record to harvest and clears them. */
void usage_records_harvest(usage_record_t recs[USAGE_RECORDS], usage_harvest_fn harvest, void *ctx);
/* [writer] Hands the counts in ring's per-slot counters to harvest (and zeroes them). */
void usage_ring_harvest(keyring_t *ring, usage_harvest_fn harvest, void *ctx);

/* [writer] Adds a harvested value (a usage_harvest_fn; ctx = usage_t). */
void usage_add_harvest(void *usage, const store_usage_t *item);

/* [writer] Takes the pending values and the denial deltas for writing; the caller frees *items.
 * usage_restore() puts them back when the write failed. */
void usage_take(usage_t *u, store_usage_t **items, size_t *n, uint64_t denials[DENIAL_REASONS],
                int64_t last_at[DENIAL_REASONS], uint64_t keyless[DENIAL_REASONS]);
void usage_restore(usage_t *u, store_usage_t *items, size_t n, const uint64_t denials[DENIAL_REASONS],
                   const int64_t last_at[DENIAL_REASONS], const uint64_t keyless[DENIAL_REASONS]);

/* Starts the flusher: tick(ctx) every `interval` seconds. 0 or -1. */
int usage_start(usage_t *u, uint32_t interval, void (*tick)(void *ctx), void *ctx);
/* Wakes and joins the flusher (no-op if not running). */
void usage_stop(usage_t *u);

#endif
