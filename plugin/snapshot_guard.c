/* snapshot_guard.c - hazard-slot protection of keyring snapshots and per-slot use accumulation. */
#include "snapshot_guard.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_BUSY ((uintptr_t)1)

static unsigned slot_for_thread(void)
{
    pthread_t self = pthread_self();
    uint64_t h = 0;
    memcpy(&h, &self, sizeof self < sizeof h ? sizeof self : sizeof h);
    h *= 0x9E3779B97F4A7C15ull;
    return (unsigned)(h >> 58); /* 6 bits: 0..63 */
}

void guard_init(snapshot_guard_t *g, keyring_t *initial)
{
    memset(g, 0, sizeof *g);
    atomic_init(&g->current, initial);
    atomic_init(&g->current_locates, initial ? keyring_locates(initial) : 0);
    for (unsigned i = 0; i < GUARD_SLOTS; i++) {
        atomic_init(&g->slots[i].hazard, 0);
        atomic_init(&g->slots[i].pending_ring, NULL);
    }
    g->retired = NULL;
}

keyring_t *guard_enter(snapshot_guard_t *g, unsigned *slot)
{
    unsigned i = slot_for_thread();
    for (;;) {
        guard_slot_t *s = &g->slots[i];
        keyring_t *ring = atomic_load(&g->current);
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong(&s->hazard, &expected, (uintptr_t)ring)) {
            for (;;) {
                keyring_t *now = atomic_load(&g->current);
                if (now == ring) {
                    *slot = i;
                    return ring;
                }
                ring = now;
                atomic_store(&s->hazard, (uintptr_t)ring);
            }
        }
        i = (i + 1) % GUARD_SLOTS; /* slot taken by another thread: try the next one */
    }
}

void guard_leave(snapshot_guard_t *g, unsigned slot)
{
    atomic_store_explicit(&g->slots[slot].hazard, 0, memory_order_release);
}

void guard_count_slow(snapshot_guard_t *g, unsigned slot, keyring_t *ring, const keyring_entry_t *entry, int denial,
                      int64_t now, const char *client_addr, const panel_request_t *request)
{
    guard_slot_t *s = &g->slots[slot];
    keyring_t *pending = atomic_load_explicit(&s->pending_ring, memory_order_relaxed);
    if (pending != ring) {
        usage_records_leave(s->records, pending); /* its counts go to the ring their entries are in */
        atomic_store_explicit(&s->pending_ring, ring, memory_order_release);
    }
    usage_count(s->records, ring, entry, denial, now, client_addr, request);
}

keyring_t *guard_current(snapshot_guard_t *g)
{
    return atomic_load(&g->current);
}

static void harvest_ring(keyring_t *ring, guard_harvest_fn harvest, void *ctx)
{
    usage_ring_harvest(ring, harvest, ctx);
}

/* Harvests the records of every slot nobody holds (a held one keeps its pending ring for later). */
static void harvest_free_slots(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx)
{
    for (unsigned i = 0; i < GUARD_SLOTS; i++) {
        guard_slot_t *s = &g->slots[i];
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong(&s->hazard, &expected, GUARD_BUSY)) {
            usage_records_harvest(s->records, harvest, ctx);
            atomic_store_explicit(&s->pending_ring, NULL, memory_order_release);
            atomic_store(&s->hazard, 0);
        }
    }
}

static int ring_in_use(snapshot_guard_t *g, keyring_t *ring)
{
    for (unsigned i = 0; i < GUARD_SLOTS; i++) {
        guard_slot_t *s = &g->slots[i];
        if (atomic_load(&s->hazard) == (uintptr_t)ring)
            return 1;
        if (atomic_load(&s->pending_ring) == ring)
            return 1;
    }
    return 0;
}

void guard_reclaim(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx)
{
    harvest_free_slots(g, harvest, ctx);
    harvest_ring(atomic_load(&g->current), harvest, ctx);
    keyring_t **link = &g->retired;
    while (*link) {
        keyring_t *ring = *link;
        if (ring_in_use(g, ring)) {
            link = &ring->next_retired;
            continue;
        }
        *link = ring->next_retired;
        harvest_ring(ring, harvest, ctx);
        keyring_free(ring);
    }
}

void guard_publish(snapshot_guard_t *g, keyring_t *next, guard_harvest_fn harvest, void *ctx)
{
    keyring_t *old = atomic_exchange(&g->current, next);
    atomic_store_explicit(&g->current_locates, next ? keyring_locates(next) : 0, memory_order_relaxed);
    if (old && old != next) {
        old->next_retired = g->retired;
        g->retired = old;
    }
    guard_reclaim(g, harvest, ctx);
}

void guard_destroy(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx)
{
    guard_reclaim(g, harvest, ctx);
    while (g->retired) { /* no reader is active any more */
        keyring_t *ring = g->retired;
        g->retired = ring->next_retired;
        harvest_ring(ring, harvest, ctx);
        keyring_free(ring);
    }
    keyring_t *cur = atomic_exchange(&g->current, NULL);
    if (cur) {
        harvest_ring(cur, harvest, ctx);
        keyring_free(cur);
    }
}
