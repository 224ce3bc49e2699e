/* keyring.c - building and searching the immutable key snapshot: the one-level open-addressing table of
 * entries and its memory (see keyring.h). */
#include "keyring.h"

#include "key_policy.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

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

/* The home slot of a key: from its locator, or when it has none (0) from its digest (bytes 4..11). Both are keyed
 * hashes, so uniformly distributed. */
static size_t home_slot(uint64_t locator, const uint8_t *digest, size_t mask)
{
    return (size_t)(locator ? locator : load_u64(digest + 4)) & mask;
}

/* The slot count for n keys: a power of two, at least 16, with n * 5 <= slots * 4 (load <= 0.8). 0 when n is
 * too large to index. */
static size_t slots_for(size_t n)
{
    if (n > SIZE_MAX / (8 * sizeof(keyring_entry_t)))
        return 0;
    size_t slots = 16;
    while (n * 5 > slots * 4)
        slots *= 2;
    return slots;
}

/* A zeroed table of `bytes` (a multiple of 64). From 2 MiB on, its own mapping, 2 MiB aligned (the unaligned
 * head and tail are unmapped again) and advised for transparent huge pages; when the advice is refused the
 * table works the same on small pages. *mapped tells keyring_free how to release it. */
static keyring_entry_t *table_alloc(size_t bytes, int32_t *mapped)
{
    *mapped = 0;
    if (bytes >= HUGE_PAGE && bytes % HUGE_PAGE == 0) {
        size_t span = bytes + HUGE_PAGE;
        void *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map != MAP_FAILED) {
            uintptr_t start = (uintptr_t)map;
            uintptr_t aligned = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
            size_t head = aligned - start, tail = span - head - bytes;
            if (head)
                munmap(map, head);
            if (tail)
                munmap((void *)(aligned + bytes), tail);
#ifdef MADV_HUGEPAGE
            (void)madvise((void *)aligned, bytes, MADV_HUGEPAGE);
#endif
            *mapped = 1;
            return (keyring_entry_t *)aligned; /* anonymous memory is zeroed */
        }
    }
    keyring_entry_t *table = aligned_alloc(64, bytes);
    if (table)
        memset(table, 0, bytes);
    return table;
}

static void table_free(keyring_entry_t *table, size_t bytes, int32_t mapped)
{
    if (!table)
        return;
    if (mapped)
        munmap(table, bytes);
    else
        free(table);
}

/* Puts a copy of `e` (occupied) into the first empty slot of its probe sequence from its locator's home (when the
 * table is `located` and the key has one) or its digest's; the table has room. locators[] (the table's build-time
 * side array) keeps the locator for a resize. */
static keyring_entry_t *table_insert(keyring_entry_t *table, uint64_t *locators, size_t mask, int located,
                                     const keyring_entry_t *e, uint64_t locator)
{
    size_t pos = home_slot(located ? locator : 0, e->digest, mask);
    while (table[pos].occupied)
        pos = (pos + 1) & mask;
    keyring_entry_t *slot = &table[pos];
    memcpy(slot->digest, e->digest, KEY_DIGEST_LEN);
    slot->key_id = e->key_id;
    slot->expires_at = e->expires_at;
    atomic_init(&slot->spilled, atomic_load_explicit(&e->spilled, memory_order_relaxed));
    slot->named = e->named;
    slot->occupied = e->occupied ? e->occupied : KEYRING_VALUE;
    locators[pos] = locator;
    return slot;
}

/* Replaces the table with one of `slots` slots holding the same keys. 0 or -1 (the old table is kept). */
static int table_resize(keyring_t *ring, size_t slots)
{
    size_t bytes = slots * sizeof(keyring_entry_t);
    int32_t mapped;
    uint64_t *locators = calloc(slots, sizeof *locators);
    keyring_entry_t *table = locators ? table_alloc(bytes, &mapped) : NULL;
    if (!table) {
        free(locators);
        return -1;
    }
    int located = bytes >= KEYRING_LOCATED_BYTES;
    for (size_t i = 0; ring->entries && i < ring->slots; i++)
        if (ring->entries[i].occupied)
            table_insert(table, locators, slots - 1, located, &ring->entries[i], ring->locators[i]);
    table_free(ring->entries, ring->table_bytes, ring->mapped);
    free(ring->locators);
    ring->entries = table;
    ring->locators = locators;
    ring->slots = slots;
    ring->mask = slots - 1;
    ring->table_bytes = bytes;
    ring->mapped = mapped;
    ring->located = located;
    return 0;
}

keyring_t *keyring_new(size_t capacity)
{
    size_t slots = slots_for(capacity);
    if (!slots)
        return NULL;
    keyring_t *ring = calloc(1, sizeof *ring);
    if (!ring)
        return NULL;
    if (table_resize(ring, slots) != 0) {
        free(ring);
        return NULL;
    }
    return ring;
}

keyring_t *keyring_new_failed(uint64_t epoch)
{
    keyring_t *ring = keyring_new(0);
    if (ring) {
        ring->status = KEYRING_FAILED;
        ring->epoch = epoch;
    }
    return ring;
}

keyring_entry_t *keyring_add(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, int64_t key_id,
                             int64_t expires_at)
{
    if ((ring->count + 1) * 5 > ring->slots * 4) {
        size_t slots = slots_for(ring->count + 1);
        if (!slots || table_resize(ring, slots) != 0)
            return NULL;
    }
    keyring_entry_t e;
    memset(&e, 0, sizeof e);
    memcpy(e.digest, digest, KEY_DIGEST_LEN);
    e.key_id = key_id;
    e.expires_at = expires_at;
    atomic_init(&e.spilled, 0);
    ring->count++;
    ring->unlocated += locator == 0;
    return table_insert(ring->entries, ring->locators, ring->mask, ring->located, &e, locator);
}

int keyring_seal(keyring_t *ring)
{
    /* entries are inserted in place: the locators were only needed to move them; the usage counters are left */
    free(ring->locators);
    ring->locators = NULL;
    if (!ring->usage) {
        ring->usage = calloc(ring->slots, sizeof *ring->usage);
        if (!ring->usage)
            return -1;
    }
    return 0;
}

/* The entry with this digest on the probe sequence from `pos`, or NULL at the first empty slot (the load limit
 * guarantees one, so the probe ends). */
static keyring_entry_t *probe(const keyring_t *ring, size_t pos, const uint8_t digest[KEY_DIGEST_LEN])
{
    for (;;) {
        keyring_entry_t *e = &ring->entries[pos];
        if (!e->occupied)
            return NULL;
        if (digest_equal(e->digest, digest))
            return e;
        pos = (pos + 1) & ring->mask;
    }
}

keyring_entry_t *keyring_find(const keyring_t *ring, uint64_t locator, const uint8_t digest[KEY_DIGEST_LEN])
{
    if (!ring->located)
        return probe(ring, home_slot(0, digest, ring->mask), digest);
    keyring_entry_t *e = probe(ring, home_slot(locator, digest, ring->mask), digest);
    if (!e && ring->unlocated)
        e = probe(ring, home_slot(0, digest, ring->mask), digest); /* a row stored without a locator */
    return e;
}

void keyring_free(keyring_t *ring)
{
    if (!ring)
        return;
    table_free(ring->entries, ring->table_bytes, ring->mapped);
    key_policy_free(ring->site_policy);
    free(ring->named);
    free(ring->scopes);
    free(ring->leaks);
    free(ring->usage);
    free(ring->locators);
    free(ring);
}

size_t keyring_memory(const keyring_t *ring)
{
    return sizeof *ring + ring->table_bytes + (ring->usage ? ring->slots * sizeof(keyring_usage_t) : 0) +
           ring->n_named * sizeof(named_policy_t);
}
