/* keyring.c - building and searching the immutable key snapshot (see keyring.h). */
#include "keyring.h"

#include <stdlib.h>
#include <string.h>

static uint32_t load_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t load_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* 1 when the two 32-byte digests are equal. Constant time: the four 64-bit words are XORed and ORed together
 * without a branch on the data; only the final result is tested. memcpy loads: no alignment assumption. */
static int digest_equal(const uint8_t *a, const uint8_t *b)
{
    uint64_t diff = 0;
    for (size_t i = 0; i < KEY_DIGEST_LEN; i += sizeof(uint64_t))
        diff |= load_u64(a + i) ^ load_u64(b + i);
    return diff == 0;
}

keyring_t *keyring_new(size_t capacity)
{
    keyring_t *ring = calloc(1, sizeof *ring);
    if (!ring)
        return NULL;
    if (capacity < 4)
        capacity = 4;
    ring->entries = aligned_alloc(64, capacity * sizeof(keyring_entry_t));
    if (!ring->entries) {
        free(ring);
        return NULL;
    }
    ring->capacity = capacity;
    return ring;
}

keyring_t *keyring_new_failed(uint64_t epoch)
{
    keyring_t *ring = keyring_new(0);
    if (ring) {
        ring->status = KEYRING_FAILED;
        ring->epoch = epoch;
        if (keyring_seal(ring) != 0) {
            keyring_free(ring);
            return NULL;
        }
    }
    return ring;
}

int keyring_add(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], int64_t key_id, int64_t expires_at)
{
    if (ring->count == ring->capacity) {
        size_t cap = ring->capacity * 2;
        keyring_entry_t *grown = aligned_alloc(64, cap * sizeof(keyring_entry_t));
        if (!grown)
            return -1;
        memcpy(grown, ring->entries, ring->count * sizeof(keyring_entry_t));
        free(ring->entries);
        ring->entries = grown;
        ring->capacity = cap;
    }
    keyring_entry_t *e = &ring->entries[ring->count++];
    memset(e, 0, sizeof *e);
    memcpy(e->digest, digest, KEY_DIGEST_LEN);
    e->key_id = key_id;
    e->expires_at = expires_at;
    atomic_init(&e->uses, 0);
    return 0;
}

int keyring_seal(keyring_t *ring)
{
    size_t slots = 16;
    while (slots < ring->count * 2)
        slots *= 2;
    ring->index = calloc(slots, sizeof(keyring_slot_t));
    if (!ring->index)
        return -1;
    ring->index_mask = slots - 1;
    for (size_t i = 0; i < ring->count; i++) {
        const uint8_t *d = ring->entries[i].digest;
        size_t pos = (size_t)load_u64(d + 4) & ring->index_mask;
        while (ring->index[pos].entry_plus1 != 0)
            pos = (pos + 1) & ring->index_mask;
        ring->index[pos].fingerprint = load_u32(d);
        ring->index[pos].entry_plus1 = (uint32_t)(i + 1);
    }
    return 0;
}

keyring_entry_t *keyring_find(const keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN])
{
    uint32_t fingerprint = load_u32(digest);
    size_t pos = (size_t)load_u64(digest + 4) & ring->index_mask;
    for (;;) {
        const keyring_slot_t *slot = &ring->index[pos];
        if (slot->entry_plus1 == 0)
            return NULL;
        if (slot->fingerprint == fingerprint) {
            keyring_entry_t *e = &ring->entries[slot->entry_plus1 - 1];
            if (digest_equal(e->digest, digest))
                return e;
        }
        pos = (pos + 1) & ring->index_mask;
    }
}

void keyring_free(keyring_t *ring)
{
    if (!ring)
        return;
    free(ring->entries);
    free(ring->index);
    free(ring);
}

size_t keyring_memory(const keyring_t *ring)
{
    return sizeof *ring + ring->capacity * sizeof(keyring_entry_t) + (ring->index_mask + 1) * sizeof(keyring_slot_t);
}
