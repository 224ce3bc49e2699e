/* usage.c - denial counters, the pending list of harvested key values and the flusher thread (the per-thread
 * records: usage_records.c). */
#include "usage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned stripe_for_thread(void)
{
    pthread_t self = pthread_self();
    uint64_t h = 0;
    memcpy(&h, &self, sizeof self < sizeof h ? sizeof self : sizeof h);
    return (unsigned)((h * 0x9E3779B97F4A7C15ull) >> 60); /* 0..15 */
}

int usage_init(usage_t *u)
{
    memset(u, 0, sizeof *u);
    for (unsigned s = 0; s < USAGE_STRIPES; s++)
        for (int r = 0; r < DENIAL_REASONS; r++) {
            atomic_init(&u->stripes[s].denials[r], 0);
            atomic_init(&u->stripes[s].last_at[r], 0);
            atomic_init(&u->stripes[s].keyless[r], 0);
        }
    if (pthread_mutex_init(&u->pending_mutex, NULL) != 0)
        return -1;
    if (pthread_mutex_init(&u->tick_mutex, NULL) != 0) {
        pthread_mutex_destroy(&u->pending_mutex);
        return -1;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&u->tick_cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_destroy(&u->tick_mutex);
        pthread_mutex_destroy(&u->pending_mutex);
        return -1;
    }
    return 0;
}

void usage_destroy(usage_t *u)
{
    usage_stop(u);
    free(u->pending);
    u->pending = NULL;
    pthread_cond_destroy(&u->tick_cond);
    pthread_mutex_destroy(&u->tick_mutex);
    pthread_mutex_destroy(&u->pending_mutex);
}

void usage_note_denial(usage_t *u, int reason, int64_t now, int keyless)
{
    if (reason < 0 || reason >= DENIAL_REASONS)
        return;
    usage_stripe_t *s = &u->stripes[stripe_for_thread()];
    atomic_fetch_add_explicit(&s->denials[reason], 1, memory_order_relaxed);
    if (keyless)
        atomic_fetch_add_explicit(&s->keyless[reason], 1, memory_order_relaxed);
    if (atomic_load_explicit(&s->last_at[reason], memory_order_relaxed) < now)
        atomic_store_explicit(&s->last_at[reason], now, memory_order_relaxed);
}

static void append_pending(usage_t *u, const store_usage_t *item)
{
    if (u->n_pending == u->cap_pending) {
        size_t cap = u->cap_pending ? u->cap_pending * 2 : 16;
        store_usage_t *grown = realloc(u->pending, cap * sizeof *grown);
        if (!grown)
            return; /* out of memory: these counts are lost (usage statistics only) */
        u->pending = grown;
        u->cap_pending = cap;
    }
    u->pending[u->n_pending++] = *item;
}

void usage_add_harvest(void *usage, const store_usage_t *item)
{
    usage_t *u = usage;
    pthread_mutex_lock(&u->pending_mutex);
    append_pending(u, item);
    pthread_mutex_unlock(&u->pending_mutex);
}

void usage_take(usage_t *u, store_usage_t **items, size_t *n, uint64_t denials[DENIAL_REASONS],
                int64_t last_at[DENIAL_REASONS], uint64_t keyless[DENIAL_REASONS])
{
    pthread_mutex_lock(&u->pending_mutex);
    *items = u->pending;
    *n = u->n_pending;
    u->pending = NULL;
    u->n_pending = u->cap_pending = 0;
    pthread_mutex_unlock(&u->pending_mutex);
    for (int r = 0; r < DENIAL_REASONS; r++) {
        denials[r] = 0;
        last_at[r] = 0;
        keyless[r] = 0;
        for (unsigned s = 0; s < USAGE_STRIPES; s++) {
            denials[r] += atomic_exchange_explicit(&u->stripes[s].denials[r], 0, memory_order_relaxed);
            keyless[r] += atomic_exchange_explicit(&u->stripes[s].keyless[r], 0, memory_order_relaxed);
            int64_t t = atomic_load_explicit(&u->stripes[s].last_at[r], memory_order_relaxed);
            if (t > last_at[r])
                last_at[r] = t;
        }
    }
}

void usage_restore(usage_t *u, store_usage_t *items, size_t n, const uint64_t denials[DENIAL_REASONS],
                   const int64_t last_at[DENIAL_REASONS], const uint64_t keyless[DENIAL_REASONS])
{
    pthread_mutex_lock(&u->pending_mutex);
    for (size_t i = 0; i < n; i++)
        append_pending(u, &items[i]);
    pthread_mutex_unlock(&u->pending_mutex);
    free(items);
    for (int r = 0; r < DENIAL_REASONS; r++) {
        atomic_fetch_add_explicit(&u->stripes[0].denials[r], denials[r], memory_order_relaxed);
        atomic_fetch_add_explicit(&u->stripes[0].keyless[r], keyless[r], memory_order_relaxed);
        if (atomic_load_explicit(&u->stripes[0].last_at[r], memory_order_relaxed) < last_at[r])
            atomic_store_explicit(&u->stripes[0].last_at[r], last_at[r], memory_order_relaxed);
    }
}

static void *flusher_main(void *arg)
{
    usage_t *u = arg;
    pthread_mutex_lock(&u->tick_mutex);
    while (!u->stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += u->interval;
        while (!u->stop) {
            int rc = pthread_cond_timedwait(&u->tick_cond, &u->tick_mutex, &deadline);
            if (rc == ETIMEDOUT)
                break;
        }
        if (u->stop)
            break;
        pthread_mutex_unlock(&u->tick_mutex);
        u->tick(u->tick_ctx);
        pthread_mutex_lock(&u->tick_mutex);
    }
    pthread_mutex_unlock(&u->tick_mutex);
    return NULL;
}

int usage_start(usage_t *u, uint32_t interval, void (*tick)(void *ctx), void *ctx)
{
    u->interval = interval;
    u->tick = tick;
    u->tick_ctx = ctx;
    u->stop = 0;
    if (pthread_create(&u->thread, NULL, flusher_main, u) != 0)
        return -1;
    u->thread_running = 1;
    return 0;
}

void usage_stop(usage_t *u)
{
    if (!u->thread_running)
        return;
    pthread_mutex_lock(&u->tick_mutex);
    u->stop = 1;
    pthread_cond_signal(&u->tick_cond);
    pthread_mutex_unlock(&u->tick_mutex);
    pthread_join(u->thread, NULL);
    u->thread_running = 0;
}
