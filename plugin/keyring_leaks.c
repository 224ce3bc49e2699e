/* keyring_leaks.c - the values reported as leaked in a snapshot (keyring.h): kept sorted by digest and found by a
 * binary search, so a request with a reported value is told it leaked (denials.c "leaked") rather than unknown.
 * Only a request whose key matched no valid entry looks here. The digests are keyed (key_digest.c), so the
 * comparisons' timing tells nothing about any key. */
#include <stdlib.h>
#include <string.h>

#include "keyring.h"

static int by_digest(const void *a, const void *b)
{
    return memcmp(((const keyring_leak_t *)a)->digest, ((const keyring_leak_t *)b)->digest, KEY_DIGEST_LEN);
}

void keyring_set_leaks(keyring_t *ring, keyring_leak_t *leaks, size_t n)
{
    if (n > 1)
        qsort(leaks, n, sizeof *leaks, by_digest);
    free(ring->leaks);
    ring->leaks = leaks;
    ring->n_leaks = n;
}

const keyring_leak_t *keyring_find_leak(const keyring_t *ring, const uint8_t digest[KEY_DIGEST_LEN])
{
    size_t lo = 0, hi = ring ? ring->n_leaks : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(digest, ring->leaks[mid].digest, KEY_DIGEST_LEN);
        if (c == 0)
            return &ring->leaks[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
