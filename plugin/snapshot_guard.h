/* snapshot_guard.h - lock-free publication and safe reclamation of keyring snapshots (hazard slots).
 *
 * Readers ([thread-safe]): guard_enter() picks a slot by hashing pthread_self() into GUARD_SLOTS
 * cache-line-padded slots, claims it (CAS 0 -> snapshot), re-checks that the snapshot is still current and
 * returns it; guard_leave() releases the slot. While a thread holds a slot it also owns the slot's usage
 * accumulator (guard_count_use), so two threads verifying the same key never write a shared cache line.
 * Writers (serialised by the caller): guard_publish() swaps the current snapshot and retires the old one;
 * guard_reclaim() frees retired snapshots no slot refers to, first handing their use counts to `harvest`. */
#ifndef APIKEYS_SNAPSHOT_GUARD_H
#define APIKEYS_SNAPSHOT_GUARD_H

#include <stdatomic.h>
#include <stdint.h>

#include "keyring.h"

#define GUARD_SLOTS 64u

/* Receives harvested use counts: `count` verified uses of key `key_id`. */
typedef void (*guard_harvest_fn)(void *ctx, int64_t key_id, uint64_t count);

typedef struct guard_slot {
    _Alignas(64) _Atomic(uintptr_t) hazard;     /* 0 free; a keyring pointer; GUARD_BUSY when a writer holds it */
    _Atomic(keyring_t *) pending_ring;         /* the snapshot pending_entry belongs to (kept alive by this) */
    keyring_entry_t *pending_entry;            /* owned by the slot holder */
    uint64_t pending_count;                    /* uses of pending_entry not yet added to its counter */
} guard_slot_t;

typedef struct snapshot_guard {
    _Alignas(64) _Atomic(keyring_t *) current;
    guard_slot_t slots[GUARD_SLOTS];
    keyring_t *retired;                        /* writer-owned list */
} snapshot_guard_t;

/* Initialises with an initial snapshot (ownership passes to the guard). */
void guard_init(snapshot_guard_t *g, keyring_t *initial);
/* Frees every snapshot after handing remaining counts to harvest. No reader may be active. */
void guard_destroy(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx);

/* [thread-safe] Claims a slot and returns the protected current snapshot; *slot receives the slot index. */
keyring_t *guard_enter(snapshot_guard_t *g, unsigned *slot);
/* [thread-safe] Releases the slot claimed by guard_enter. */
void guard_leave(snapshot_guard_t *g, unsigned slot);
/* [thread-safe, slot holder] Counts one verified use of `entry` (which belongs to the held snapshot). */
void guard_count_use(snapshot_guard_t *g, unsigned slot, keyring_t *ring, keyring_entry_t *entry);

/* [writer] The current snapshot (valid until the writer publishes another). */
keyring_t *guard_current(snapshot_guard_t *g);
/* [writer] Makes `next` current and retires the previous snapshot, then reclaims what it can. */
void guard_publish(snapshot_guard_t *g, keyring_t *next, guard_harvest_fn harvest, void *ctx);
/* [writer] Moves slot accumulators into their entries, harvests and zeroes the current snapshot's counters,
 * and frees retired snapshots no reader holds. Slots held by readers at that instant are left for later. */
void guard_reclaim(snapshot_guard_t *g, guard_harvest_fn harvest, void *ctx);

#endif
