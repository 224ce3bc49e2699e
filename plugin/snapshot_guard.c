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

/* Adds the slot's pending uses to their entry. Only the slot holder calls this. */
static void slot_spill(guard_slot_t *s)
{
    if (s->pending_entry && s->pending_count)
        atomic_fetch_add_explicit(&s->pending_entry->uses, s->pending_count, memory_order_relaxed);
    s->pending_entry = NULL;
    s->pending_count = 0;
    atomic_store_explicit(&s->pending_ring, NULL, memory_order_release);
}

void guard_count_use(snapshot_guard_t *g, unsigned slot, keyring_t *ring, keyring_entry_t *entry)
{
    guard_slot_t *s = &g->slots[slot];
    if (s->pending_entry == entry && atomic_load_explicit(&s->pending_ring, memory_order_relaxed) == ring) {
        s->pending_count++;
        return;
    }
    slot_spill(s);
    s->pending_entry = entry;
    s->pending_count = 1;
    atomic_store_explicit(&s->pending_ring, ring, memory_order_release);
}

keyring_t *guard_current(snapshot_guard_t *g)
{
    return atomic_load(&g->current);
}

static void harvest_ring(keyring_t *ring, guard_harvest_fn harvest, void *ctx)
{
    if (!ring)
        return;
    for (size_t i = 0; i < ring->slots; i++) { /* every table slot; empty ones hold no key */
        keyring_entry_t *e = &ring->entries[i];
        if (!e->occupied)
            continue;
        uint64_t n = atomic_exchange_explicit(&e->uses, 0, memory_order_relaxed);
        if (n && harvest)
            harvest(ctx, e->key_id, n);
    }
}

/* Spills every slot nobody holds; returns 0 when some slot was held (its pending ring is then kept). */
static void spill_free_slots(snapshot_guard_t *g)
{
    for (unsigned i = 0; i < GUARD_SLOTS; i++) {
        guard_slot_t *s = &g->slots[i];
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong(&s->hazard, &expected, GUARD_BUSY)) {
            slot_spill(s);
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
    spill_free_slots(g);
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
