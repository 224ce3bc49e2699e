/* keyring.h - an immutable in-memory snapshot of the valid keys (and the API switch) for verification:
 * a dense array of 64-byte entries plus an open-addressing index of (fingerprint, entry index + 1).
 * About 80-96 bytes per key; a lookup touches one or two index slots and one entry. */
#ifndef APIKEYS_KEYRING_H
#define APIKEYS_KEYRING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "key_digest.h"

/* One valid key. 64 bytes, 64-byte aligned, so two keys never share a cache line. */
typedef struct keyring_entry {
    uint8_t digest[KEY_DIGEST_LEN];
    int64_t key_id;                /* keys.id in the store */
    int64_t expires_at;            /* Unix seconds; 0 = never (the current key) */
    _Atomic uint64_t uses;         /* verified uses not yet harvested for the store */
    uint64_t reserved;
} __attribute__((aligned(64))) keyring_entry_t;

typedef struct keyring_slot {
    uint32_t fingerprint;          /* digest bytes 0..3 */
    uint32_t entry_plus1;          /* 0 = empty */
} keyring_slot_t;

#define KEYRING_OK 0
#define KEYRING_FAILED 1           /* the store could not be read: deny everything (fail closed) */

typedef struct keyring {
    keyring_entry_t *entries;
    size_t count;
    size_t capacity;
    keyring_slot_t *index;
    size_t index_mask;
    int32_t api_enabled;           /* 1 when the API accepts requests */
    int32_t status;                /* KEYRING_OK or KEYRING_FAILED */
    uint64_t epoch;                /* the freshness counter value this snapshot reflects */
    struct keyring *next_retired;  /* owned by the snapshot guard */
} keyring_t;

/* A new empty keyring able to hold `capacity` keys without growing, or NULL (out of memory). */
keyring_t *keyring_new(size_t capacity);
/* A keyring that denies everything (status KEYRING_FAILED), or NULL. */
keyring_t *keyring_new_failed(uint64_t epoch);
/* Appends a key (before keyring_seal). 0, or -1 when out of memory. */
int keyring_add(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], int64_t key_id, int64_t expires_at);
/* Builds the index; after this the keyring is read-only (except the atomic use counters). 0 or -1. */
int keyring_seal(keyring_t *ring);
/* [thread-safe] The entry whose digest equals `digest` (constant-time comparison of all 32 bytes), or NULL. */
keyring_entry_t *keyring_find(const keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN]);
/* Frees the keyring (NULL is ignored). */
void keyring_free(keyring_t *ring);
/* Bytes used by the keyring (entries + index), for the benchmark. */
size_t keyring_memory(const keyring_t *ring);

#endif
