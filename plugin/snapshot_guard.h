/* snapshot_guard.h - lock-free publication and safe reclamation of keyring snapshots (hazard slots).
 *
 * Readers ([thread-safe]): guard_enter() picks a slot by hashing pthread_self() into GUARD_SLOTS
 * cache-line-padded slots, claims it (CAS 0 -> snapshot), re-checks that the snapshot is still current and
 * returns it; guard_leave() releases the slot. While a thread holds a slot it also owns the slot's usage
 * records (guard_count, usage.h), so two threads verifying the same key never write a shared cache line.
 * Writers (serialised by the caller): guard_publish() swaps the current snapshot and retires the old one;
 * guard_reclaim() frees retired snapshots no slot refers to, first handing their use counts to `harvest`. */
#ifndef APIKEYS_SNAPSHOT_GUARD_H
#define APIKEYS_SNAPSHOT_GUARD_H

#include <stdatomic.h>
#include <stdint.h>

#include "keyring.h"
#include "usage.h"

#define GUARD_SLOTS 64u

/* Receives harvested usage: one key value's counts and last caller (usage.h). */
typedef usage_harvest_fn guard_harvest_fn;

typedef struct guard_slot {
    _Alignas(64) _Atomic(uintptr_t) hazard;     /* 0 free; a keyring pointer; GUARD_BUSY when a writer holds it */
    _Atomic(keyring_t *) pending_ring;         /* the snapshot the records' entries are in (kept alive by this) */
    usage_record_t records[USAGE_RECORDS];     /* owned by the slot holder */
} guard_slot_t;

typedef struct snapshot_guard {
    _Alignas(64) _Atomic(keyring_t *) current;
    _Atomic int current_locates;               /* keyring_locates(current), for guard_hint_locates */
    guard_slot_t slots[GUARD_SLOTS];
    keyring_t *retired;                        /* writer-owned list */
} snapshot_guard_t;

/* Initialises with an initial snapshot (ownership passes to the guard). */
void guard_init(snapshot_guard_t *g, keyring_t *initial);
/* Frees every snapshot after handing remaining counts to harvest. No reader may be active. */
void guard_destroy(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx);

/* [thread-safe] Claims a slot and returns the protected current snapshot; *slot receives the slot index. */
keyring_t *guard_enter(snapshot_guard_t *g, unsigned *slot);
/* [thread-safe] A hint read without a slot: 1 when the current snapshot is placed by locators (keyring_locates), so
 * a verification can hash its key's locator before it holds the snapshot. It may be one publication old: the caller
 * asks keyring_locates of the snapshot guard_enter then gives it. */
static inline int guard_hint_locates(snapshot_guard_t *g)
{
    return atomic_load_explicit(&g->current_locates, memory_order_relaxed);
}
/* [thread-safe] Releases the slot claimed by guard_enter. */
void guard_leave(snapshot_guard_t *g, unsigned slot);
/* [thread-safe, slot holder] Counts one request with `entry` (which belongs to the held snapshot `ring`):
 * allowed (denial USAGE_ALLOWED) or denied for a DENIAL_* reason; see usage_count. Two common cases are inline:
 * another allowed request with the key this slot counted last, within the same second (one increment), and, with
 * many keys, an allowed request usage_count would add to the key's entry (usage_count_direct). */
void guard_count_slow(snapshot_guard_t *g, unsigned slot, keyring_t *ring, const keyring_entry_t *entry, int denial,
                      int64_t now, const char *client_addr, const panel_request_t *request);
static inline void guard_count(snapshot_guard_t *g, unsigned slot, keyring_t *ring, const keyring_entry_t *entry,
                               int denial, int64_t now, const char *client_addr, const panel_request_t *request)
{
    guard_slot_t *s = &g->slots[slot];
    usage_record_t *r = &s->records[0];
    if (denial < 0 && r->entry == entry && r->u.last_at == now &&
        atomic_load_explicit(&s->pending_ring, memory_order_relaxed) == ring) {
        r->u.allowed++;
        return;
    }
    if (denial < 0 && atomic_load_explicit(&s->pending_ring, memory_order_relaxed) == ring &&
        usage_count_direct(s->records, entry, now))
        return;
    guard_count_slow(g, slot, ring, entry, denial, now, client_addr, request);
}

/* [writer] The current snapshot (valid until the writer publishes another). */
keyring_t *guard_current(snapshot_guard_t *g);
/* [writer] Makes `next` current and retires the previous snapshot, then reclaims what it can. */
void guard_publish(snapshot_guard_t *g, keyring_t *next, guard_harvest_fn harvest, void *ctx);
/* [writer] Harvests the records of every slot no reader holds and the current snapshot's counters,
 * and frees retired snapshots no reader holds. Slots held by readers at that instant are left for later. */
void guard_reclaim(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx);

#endif
