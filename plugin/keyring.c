/* keyring.c - building and searching the immutable key snapshot: the bucketized cuckoo table of
 * entries and its memory (see keyring.h). */
#include "keyring.h"

#include "key_policy.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

_Static_assert(sizeof(keyring_entry_t) == 64, "an entry is one cache line");

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

/* The placement hash of a key: its locator in a table that is placed by locators (when the key has one), else its
 * digest's bytes 4..11. Both are keyed hashes, so uniformly distributed; its two halves pick the key's two buckets. */
static uint64_t placement(int located, uint64_t locator, const uint8_t *digest)
{
    return located && locator ? locator : load_u64(digest + 4);
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

/* A zeroed table of `bytes` (a multiple of a bucket, 128 bytes), bucket-aligned. From 2 MiB on, its own mapping,
 * 2 MiB aligned (the unaligned head and tail are unmapped again) and advised for transparent huge pages; when the
 * advice is refused the table works the same on small pages. *mapped tells keyring_free how to release it. */
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
    keyring_entry_t *table = aligned_alloc(sizeof(keyring_entry_t) * KEYRING_BUCKET, bytes);
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

/* A table while it is built: its entries, the side array of each slot's stored locator (0: none, or placed by its
 * digest), and how keys are placed in it. */
typedef struct table {
    keyring_entry_t *entries;
    uint64_t *locators;
    size_t bucket_mask;
    int located;
} table_t;

/* Moves without which a key's two buckets stay full are given up after this many (cuckoo hashing at load 0.8 with
 * buckets of 2 needs a handful; see table_place). */
#define KICKS_MAX 500u

static void entry_copy(keyring_entry_t *to, const keyring_entry_t *from)
{
    memcpy(to->digest, from->digest, KEY_DIGEST_LEN);
    to->key_id = from->key_id;
    to->expires_at = from->expires_at;
    atomic_init(&to->spilled, atomic_load_explicit(&from->spilled, memory_order_relaxed));
    atomic_init(&to->caller_tick, atomic_load_explicit(&from->caller_tick, memory_order_relaxed));
    to->named = from->named;
    to->occupied = from->occupied ? from->occupied : KEYRING_VALUE;
}

static keyring_entry_t *free_slot_in(keyring_entry_t *bucket)
{
    for (size_t i = 0; i < KEYRING_BUCKET; i++)
        if (!bucket[i].occupied)
            return &bucket[i];
    return NULL;
}

/* Puts `item` (its stored locator in *locator) into a free slot of one of its two buckets; when both are full,
 * takes the place of one of their keys, which goes to its other bucket the same way (cuckoo hashing, a random walk:
 * the key that moves on is picked by the moving key's digest and the move's number, never in the bucket it just
 * left), up to KICKS_MAX times. 0; -1 when no room was found: then *item and *locator hold the key left out
 * (perhaps another one) and the table holds all the others. */
static int table_place(table_t *t, keyring_entry_t *item, uint64_t *locator)
{
    size_t left = SIZE_MAX; /* the bucket (its first entry's index) the key in hand was just taken out of */
    for (unsigned kick = 0;; kick++) {
        uint64_t hash = placement(t->located, *locator, item->digest);
        size_t first = keyring_bucket_index(hash, 0, t->bucket_mask);
        size_t second = keyring_bucket_index(hash, 1, t->bucket_mask);
        keyring_entry_t *slot = free_slot_in(&t->entries[first]);
        if (!slot)
            slot = free_slot_in(&t->entries[second]);
        if (slot) {
            entry_copy(slot, item);
            t->locators[slot - t->entries] = *locator;
            return 0;
        }
        if (kick == KICKS_MAX)
            return -1;
        unsigned pick = (item->digest[kick % KEY_DIGEST_LEN] ^ kick) % (2 * KEYRING_BUCKET);
        size_t bucket = pick < KEYRING_BUCKET ? first : second;
        if (bucket == left && first != second)
            bucket = bucket == first ? second : first;
        keyring_entry_t *taken = &t->entries[bucket + pick % KEYRING_BUCKET];
        keyring_entry_t moved;
        entry_copy(&moved, taken);
        uint64_t moved_locator = t->locators[taken - t->entries];
        entry_copy(taken, item);
        t->locators[taken - t->entries] = *locator;
        entry_copy(item, &moved);
        *locator = moved_locator;
        left = bucket;
    }
}

/* table_place, and when a key placed by its locator is left out, that key placed by its digest instead (found by
 * the second look, as a row stored without a locator; *unlocated counts it): keys sharing a locator (imported keys
 * with the same last 16 bytes) never fill their two buckets for good. -1 only when a key placed by its digest is
 * left out (the table must grow); *item then holds it. */
static int table_place_any(table_t *t, keyring_entry_t *item, uint64_t *locator, size_t *unlocated)
{
    while (table_place(t, item, locator) != 0) {
        if (!t->located || !*locator)
            return -1;
        *locator = 0;
        (*unlocated)++;
    }
    return 0;
}

static table_t table_of(const keyring_t *ring)
{
    table_t t = {ring->entries, ring->locators, ring->bucket_mask, ring->located};
    return t;
}

/* How many times the slots its load needs a table may grow to when the moves find no room (keyring_add). */
#define GROWTH_MAX 8u

/* Replaces the table with one of `slots` slots (or more: doubled, at most GROWTH_MAX times, until every key found a
 * place) holding the same keys. 0 or -1 (out of memory; the old table is kept). */
static int table_resize(keyring_t *ring, size_t slots)
{
    size_t most = slots * GROWTH_MAX;
    for (;; slots *= 2) {
        size_t bytes = slots * sizeof(keyring_entry_t);
        if (slots > most || slots > SIZE_MAX / (8 * sizeof(keyring_entry_t)))
            return -1;
        int32_t mapped;
        uint64_t *locators = calloc(slots, sizeof *locators);
        keyring_entry_t *table = locators ? table_alloc(bytes, &mapped) : NULL;
        if (!table) {
            free(locators);
            return -1;
        }
        table_t t = {table, locators, slots / KEYRING_BUCKET - 1, bytes >= KEYRING_LOCATED_BYTES};
        size_t unlocated = ring->unlocated;
        int placed = 1;
        for (size_t i = 0; placed && ring->entries && i < ring->slots; i++) {
            if (!ring->entries[i].occupied)
                continue;
            keyring_entry_t item;
            entry_copy(&item, &ring->entries[i]);
            uint64_t locator = ring->locators[i];
            placed = table_place_any(&t, &item, &locator, &unlocated) == 0;
        }
        if (!placed) { /* try twice the room */
            table_free(table, bytes, mapped);
            free(locators);
            continue;
        }
        table_free(ring->entries, ring->table_bytes, ring->mapped);
        free(ring->locators);
        ring->entries = table;
        ring->locators = locators;
        ring->slots = slots;
        ring->bucket_mask = t.bucket_mask;
        ring->table_bytes = bytes;
        ring->mapped = mapped;
        ring->located = t.located;
        ring->unlocated = unlocated;
        return 0;
    }
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

/* The entry of the key with this digest and id in its two buckets by `hash`, or NULL. */
static keyring_entry_t *find_added(const keyring_t *ring, uint64_t hash, const uint8_t *digest, int64_t key_id)
{
    for (int which = 0; which < 2; which++) {
        keyring_entry_t *bucket = &ring->entries[keyring_bucket_index(hash, which, ring->bucket_mask)];
        for (size_t i = 0; i < KEYRING_BUCKET; i++)
            if (bucket[i].occupied && bucket[i].key_id == key_id && digest_equal(bucket[i].digest, digest))
                return &bucket[i];
    }
    return NULL;
}

keyring_entry_t *keyring_add(keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, int64_t key_id,
                             int64_t expires_at)
{
    if ((ring->count + 1) * 5 > ring->slots * 4) {
        size_t slots = slots_for(ring->count + 1);
        if (!slots || table_resize(ring, slots) != 0)
            return NULL;
    }
    keyring_entry_t item;
    memset(&item, 0, sizeof item);
    memcpy(item.digest, digest, KEY_DIGEST_LEN);
    item.key_id = key_id;
    item.expires_at = expires_at;
    atomic_init(&item.spilled, 0);
    uint64_t item_locator = locator;
    ring->unlocated += locator == 0;
    for (;;) {
        table_t t = table_of(ring);
        if (table_place_any(&t, &item, &item_locator, &ring->unlocated) == 0)
            break;
        /* A key placed by its digest was left out: the table holds all the others; twice the room, then place it.
         * Distinct digests find room long before GROWTH_MAX times the slots the load needs; a digest added twice
         * (which the caller must not do) never would. */
        if (ring->slots >= GROWTH_MAX * slots_for(ring->count + 1) || table_resize(ring, ring->slots * 2) != 0)
            return NULL; /* the key left out is lost with the keyring the caller now frees */
    }
    ring->count++;
    /* The new key was placed last or moved by later moves: look where its placement hash says. The side array says
     * whether it kept its locator. */
    keyring_entry_t *e = find_added(ring, placement(ring->located, locator, digest), digest, key_id);
    if (!e && locator)
        e = find_added(ring, placement(ring->located, 0, digest), digest, key_id);
    return e;
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

/* The entry whose digest equals `digest` in the two buckets of `hash`, or NULL: a branch per slot, in order, so a
 * predictable table (a few keys, in cache) starts on the entry before its compare has finished. */
static keyring_entry_t *find_by_branch(const keyring_t *ring, uint64_t hash, const uint8_t digest[KEY_DIGEST_LEN])
{
    for (int which = 0; which < 2; which++) {
        keyring_entry_t *bucket = &ring->entries[keyring_bucket_index(hash, which, ring->bucket_mask)];
        for (size_t i = 0; i < KEYRING_BUCKET; i++)
            if (bucket[i].occupied && digest_equal(bucket[i].digest, digest))
                return &bucket[i];
    }
    return NULL;
}

/* The same without a branch on where the key is: all four slots compared, the first match selected by masks. In a
 * large table which of the four holds a key is a coin toss for the branch predictor; a mispredicted branch cost more
 * than waiting for all four compares. */
static keyring_entry_t *find_by_select(const keyring_t *ring, uint64_t hash, const uint8_t digest[KEY_DIGEST_LEN])
{
    keyring_entry_t *first = &ring->entries[keyring_bucket_index(hash, 0, ring->bucket_mask)];
    keyring_entry_t *second = &ring->entries[keyring_bucket_index(hash, 1, ring->bucket_mask)];
    keyring_entry_t *slots[2 * KEYRING_BUCKET] = {first, first + 1, second, second + 1};
    uint64_t d0 = load_u64(digest), d1 = load_u64(digest + 8), d2 = load_u64(digest + 16), d3 = load_u64(digest + 24);
    uintptr_t found = 0;
    for (int i = 2 * KEYRING_BUCKET - 1; i >= 0; i--) { /* backwards: the first match in slot order wins */
        const keyring_entry_t *e = slots[i];
        uint64_t diff = (load_u64(e->digest) ^ d0) | (load_u64(e->digest + 8) ^ d1) | (load_u64(e->digest + 16) ^ d2) |
                        (load_u64(e->digest + 24) ^ d3);
        uintptr_t mask = (uintptr_t)0 - (uintptr_t)((diff == 0) & (e->occupied != 0));
        found = (found & ~mask) | ((uintptr_t)e & mask);
    }
    return (keyring_entry_t *)found;
}

keyring_entry_t *keyring_find(const keyring_t *ring, uint64_t locator, const uint8_t digest[KEY_DIGEST_LEN])
{
    if (!ring->located)
        return find_by_branch(ring, placement(0, 0, digest), digest);
    keyring_entry_t *e = find_by_select(ring, placement(1, locator, digest), digest);
    if (!e && ring->unlocated)
        e = find_by_select(ring, placement(1, 0, digest), digest); /* a key placed by its digest */
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
