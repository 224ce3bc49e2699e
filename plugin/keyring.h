/* keyring.h - an immutable in-memory snapshot of the valid keys (and the API switch) for verification.
 * The 64-byte entries themselves form an open-addressing hash table (power-of-two slot count, load <= 0.8,
 * linear probing, the home slot taken from digest bytes 4..11), so a lookup's first memory access is the
 * entry it is looking for: one dependent random read, not two (an index slot, then the entry). Tables of
 * 2 MiB or more get their own 2 MiB-aligned mapping advised for transparent huge pages, so lookups at
 * 100,000 keys do not miss the TLB. About 84 bytes per key at 100,000 keys (131,072 slots x 64 B). */
#ifndef APIKEYS_KEYRING_H
#define APIKEYS_KEYRING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "key_digest.h"

/* One table slot: a valid key when `occupied` is 1, empty when 0 (every field zero). 64 bytes, 64-byte
 * aligned, so two keys never share a cache line. The empty marker is its own field, so no key id or digest
 * value can be mistaken for an empty slot. */
typedef struct keyring_entry {
    uint8_t digest[KEY_DIGEST_LEN];
    int64_t key_id;                /* keys.id in the store */
    int64_t expires_at;            /* Unix seconds; 0 = never (the current key) */
    _Atomic uint64_t uses;         /* verified uses not yet harvested for the store */
    uint32_t occupied;             /* 1: a key; 0: an empty slot */
    uint32_t named;                /* 0: a site key (ring->site_policy); else 1 + its index in ring->named */
} __attribute__((aligned(64))) keyring_entry_t;

#define KEYRING_OK 0
#define KEYRING_FAILED 1           /* the store could not be read: deny everything (fail closed) */

typedef struct keyring {
    keyring_entry_t *entries;      /* the table: `slots` slots, walk all of them and skip the empty ones */
    size_t count;                  /* keys stored */
    size_t slots;                  /* table size, a power of two; count * 5 <= slots * 4 */
    size_t mask;                   /* slots - 1 */
    size_t table_bytes;            /* slots * sizeof(keyring_entry_t) */
    int32_t mapped;                /* 1: the table is its own mmap (munmap it); 0: aligned_alloc */
    int32_t api_enabled;           /* 1 when the API accepts requests */
    int32_t status;                /* KEYRING_OK or KEYRING_FAILED */
    uint64_t epoch;                /* the freshness counter value this snapshot reflects */
    /* The site key's policy (allow-list, rate limit), applied to every key of this snapshot; NULL when it
     * has none, so a key without a policy costs one test of this pointer. Owned: keyring_free frees it. */
    struct key_policy *site_policy;
    /* The named keys of this snapshot (their policies, scopes and principals); entries point in by index. */
    struct named_policy *named;
    size_t n_named;
    /* The scopes those named keys hold, one bit each (key_policy.h); NULL when none. Owned: freed with it. */
    struct scope_table *scopes;
    struct keyring *next_retired;  /* owned by the snapshot guard */
} keyring_t;

/* A new empty keyring able to hold `capacity` keys without growing, or NULL (out of memory). */
keyring_t *keyring_new(size_t capacity);
/* A keyring that denies everything (status KEYRING_FAILED), or NULL. */
keyring_t *keyring_new_failed(uint64_t epoch);
/* Inserts a key (before keyring_seal); grows the table when it would pass the load limit. 0, or -1 when out
 * of memory. */
int keyring_add(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], int64_t key_id, int64_t expires_at);
/* Sets the named index (1 + index in ring->named) of the key just added with keyring_add. */
void keyring_set_named(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], uint32_t named);
/* Ends building; after this the keyring is read-only (except the atomic use counters). 0 or -1. */
int keyring_seal(keyring_t *ring);
/* [thread-safe] The entry whose digest equals `digest` (constant-time comparison of all 32 bytes), or NULL. */
keyring_entry_t *keyring_find(const keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN]);
/* Frees the keyring (NULL is ignored). */
void keyring_free(keyring_t *ring);
/* Bytes used by the keyring (the table and the header), for the benchmark. */
size_t keyring_memory(const keyring_t *ring);

#endif
