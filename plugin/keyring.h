/* keyring.h - an immutable in-memory snapshot of the valid keys (and the API switch) for verification.
 * The 64-byte entries themselves form the hash table, so a lookup's first memory access is the entry it is looking
 * for: no index to read first. The table is bucketized cuckoo hashing: buckets of two entries (one 128-byte pair of
 * cache lines), and every key sits in one of its two buckets, which the two halves of its placement hash pick (a
 * power-of-two bucket count, load <= 0.8). A lookup therefore reads 4 lines it knows in advance, however full the
 * table (linear probing left 12 % of keys past the lines a verification fetched early, each one more miss); 4 more
 * only for a key placed by its digest (below), or for a key not found while the table holds such keys.
 * In a table of KEYRING_LOCATED_BYTES or more (about 13,000 keys and up, past what stays in a core's cache) the
 * placement hash is the key's stored locator (key_locator.h, a SipHash of the key), which a verification computes
 * before the digest, so both buckets' lines are fetched while BLAKE2b runs; a row stored without one (made before
 * the store kept locators), and a key whose locator's buckets stay full (keys sharing a locator), is placed by its
 * digest (bytes 4..11) and found by a second look when the first finds nothing. A smaller table is placed by digest
 * alone: its lines are in cache, so the locator would only cost its hash. Tables of 2 MiB or more get their own
 * 2 MiB-aligned mapping advised for transparent huge pages. About 84 bytes per key at 100,000 keys (131,072 slots x
 * 64 B). */
#ifndef APIKEYS_KEYRING_H
#define APIKEYS_KEYRING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "key_digest.h"

/* One table slot: a valid key when `occupied` is not 0, empty when 0 (every field zero). 64 bytes, 64-byte
 * aligned, so two keys never share a cache line. The empty marker is its own field, so no key id or digest
 * value can be mistaken for an empty slot. */
typedef struct keyring_entry {
    uint8_t digest[KEY_DIGEST_LEN];
    int64_t key_id;                /* keys.id in the store */
    int64_t expires_at;            /* Unix seconds; 0 = never (the current key) */
    /* Allowed uses a verifying thread's usage record handed over when it needed the room, or counted here by a
     * thread whose records all serve other values this second (usage.c; the line is in cache, just compared); the
     * flusher takes it with an exchange. */
    _Atomic uint64_t spilled;
    uint16_t occupied;             /* KEYRING_VALUE or KEYRING_SUPERSEDED: a key; 0: an empty slot */
    /* The low 16 bits of the second (never 0) in which a verifying thread last took this value's caller into a usage
     * record (usage_records.c): written when a record takes it (at most once a second per record), read only by a
     * thread with no record for the value. 0 in a new snapshot: no caller taken yet. */
    _Atomic uint16_t caller_tick;
    uint32_t named;                /* 0: a site key (ring->site_policy); else 1 + its index in ring->named */
} __attribute__((aligned(64))) keyring_entry_t;

/* A value reported as leaked (keyring_leaks.c): a request with it is answered 401 leaked, naming the date,
 * instead of unknown, while the report is recent (LEAK_KEEP_SECONDS of store.h). */
typedef struct keyring_leak {
    uint8_t digest[KEY_DIGEST_LEN];
    int64_t reported_at;
    char date[24];                 /* reported_at as "YYYY-MM-DD HH:MM UTC" */
    size_t date_len;
} keyring_leak_t;
#define KEYRING_VALUE 1u       /* keyring_entry_t.occupied: a valid key value */
#define KEYRING_SUPERSEDED 2u  /* ... one that was replaced and is in its grace period (Deprecation, Sunset) */

/* The denials a verifying thread's usage record hands over for one table slot's key when it needs the room
 * (usage.c; its allowed uses go to the entry's `spilled`): the denials a key that was found can get (usage.c maps
 * the reasons). Written only on such an eviction of a record that has denials; the flusher takes them with an
 * exchange. */
#define KEYRING_USAGE_COUNTS 8
typedef struct keyring_usage {
    _Atomic uint32_t counts[KEYRING_USAGE_COUNTS];
} keyring_usage_t;

#define KEYRING_OK 0
#define KEYRING_FAILED 1           /* the store could not be read: deny everything (fail closed) */

typedef struct keyring {
    keyring_entry_t *entries;      /* the table: `slots` slots, walk all of them and skip the empty ones */
    size_t count;                  /* keys stored */
    size_t unlocated;              /* of them, placed by their digest: stored without a locator, or left out by theirs */
    int32_t located;               /* 1: table_bytes >= KEYRING_LOCATED_BYTES, keys placed by their locators */
    size_t slots;                  /* table size, a power of two; count * 5 <= slots * 4 */
    size_t bucket_mask;            /* slots / KEYRING_BUCKET - 1 */
    size_t table_bytes;            /* slots * sizeof(keyring_entry_t) */
    uint64_t *locators;            /* while building: each slot's locator (0: placed by digest), to move it */
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
    /* The values reported as leaked, sorted by digest (keyring_find_leak); NULL when none. Owned. */
    keyring_leak_t *leaks;
    size_t n_leaks;
    /* One keyring_usage_t per table slot (entries[i] counts in usage[i]); allocated by keyring_seal, NULL before
     * (counts handed over to a keyring without it are dropped). Owned: freed with it. */
    keyring_usage_t *usage;
    int64_t site_superseded_at;    /* when the site key's grace value was replaced (its reset); 0: none */
    struct keyring *next_retired;  /* owned by the snapshot guard */
} keyring_t;

/* A new empty keyring able to hold `capacity` keys without growing, or NULL (out of memory). */
keyring_t *keyring_new(size_t capacity);
/* A keyring that denies everything (status KEYRING_FAILED), or NULL. */
keyring_t *keyring_new_failed(uint64_t epoch);
/* Inserts a key (before keyring_seal) into one of the two buckets of its locator in a table that keyring_locates (of
 * its digest in a smaller one, or when it has none: 0), moving other keys to their other bucket as needed; grows the
 * table when it would pass the load limit, or (rarely) when the moves find no room. The new entry (valid until the
 * next keyring_add, which may move it), where the caller sets `named` and `occupied` = KEYRING_SUPERSEDED; NULL when
 * out of memory. The caller adds each digest once (keyring_find tells whether a digest is in already): a digest added
 * twice could never be placed in a table small enough to allocate, and yields NULL. */
keyring_entry_t *keyring_add(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, int64_t key_id,
                             int64_t expires_at);
/* Ends building (allocates the usage counters); after this the keyring is read-only (except those counters).
 * 0 or -1 (out of memory). */
int keyring_seal(keyring_t *ring);
/* From this table size on (32,768 slots, 2 MiB: a core's second-level cache here) keys are placed by their
 * locators and a verification computes one to prefetch its lines (keyring_locates). */
#define KEYRING_LOCATED_BYTES ((size_t)2 * 1024 * 1024)

/* [thread-safe] 1 when lookups in ring want the key's locator (and a prefetch); else keyring_find ignores it. */
static inline int keyring_locates(const keyring_t *ring)
{
    return ring->located;
}

/* Entries a bucket holds: two, one pair of 64-byte lines (the adjacent-line prefetcher's unit). */
#define KEYRING_BUCKET 2u

/* [thread-safe] The index of the first entry of a key's first (which 0) or second (which 1) bucket, from the low or
 * high 32 bits of its placement hash. */
static inline size_t keyring_bucket_index(uint64_t hash, int which, size_t bucket_mask)
{
    return ((size_t)(which ? hash >> 32 : hash & 0xffffffffu) & bucket_mask) * KEYRING_BUCKET;
}

/* [thread-safe] Starts fetching the cache lines of both buckets where a key with this locator would be (before its
 * digest is computed): independent loads, so the misses overlap each other and the hash. always_inline: GCC 12 finds
 * a function of prefetches alone free of side effects and drops the call before it would inline it. */
static inline __attribute__((always_inline)) void keyring_prefetch(const keyring_t *ring, uint64_t locator)
{
    const keyring_entry_t *first = &ring->entries[keyring_bucket_index(locator, 0, ring->bucket_mask)];
    const keyring_entry_t *second = &ring->entries[keyring_bucket_index(locator, 1, ring->bucket_mask)];
    for (size_t i = 0; i < KEYRING_BUCKET; i++) {
        __builtin_prefetch(&first[i]);
        __builtin_prefetch(&second[i]);
    }
}
/* [thread-safe] The entry whose digest equals `digest` (constant-time comparison of all 32 bytes), or NULL; in a
 * table that keyring_locates, the key's locator (key_locator of the same key) says where to look first; else it is
 * ignored (pass 0). */
keyring_entry_t *keyring_find(const keyring_t *ring, uint64_t locator, const uint8_t digest[KEY_DIGEST_LEN]);
/* keyring_leaks.c: hands the keyring its leaked values (n of them, taken over and sorted here; before the keyring
 * is published), and finds one by digest (NULL: not reported). Off the hot path: only a request whose key is not
 * valid asks. */
void keyring_set_leaks(keyring_t *ring, keyring_leak_t *leaks, size_t n);
const keyring_leak_t *keyring_find_leak(const keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN]);
/* Frees the keyring (NULL is ignored). */
void keyring_free(keyring_t *ring);
/* Bytes used by the keyring (the table and the header), for the benchmark. */
size_t keyring_memory(const keyring_t *ring);

#endif
