/* plugin_keyring_hints.c - unit tests of the keyring's slot hints (issue 23, item 2; plugin/keyring.c): a table that
 * does not fit the caches keeps hints, a key's first lookup learns its hint and the next one finds the entry at the
 * slot it names (prefetched before the digest); a hint never decides: a key whose hint names another key's slot, or
 * an unknown key, is still found or refused by its digest; a small table keeps none (nothing added to its lookups). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../../plugin/keyring.h"

#define KEYS 20000 /* 32768 slots x 64 B: a 2 MiB table */

static void digest_of(const char *key, uint8_t out[KEY_DIGEST_LEN])
{
    crypto_generichash(out, KEY_DIGEST_LEN, (const unsigned char *)key, strlen(key), NULL, 0);
}

static keyring_t *ring_of(size_t n)
{
    keyring_t *ring = keyring_new(n);
    assert_non_null(ring);
    for (size_t i = 0; i < n; i++) {
        char key[32];
        uint8_t d[KEY_DIGEST_LEN];
        snprintf(key, sizeof key, "key-%zu", i);
        digest_of(key, d);
        assert_int_equal(keyring_add(ring, d, (int64_t)i + 1, 0), 0);
    }
    assert_int_equal(keyring_seal(ring), 0);
    return ring;
}

static keyring_entry_t *lookup(const keyring_t *ring, const char *key, keyring_hint_t *hint)
{
    uint8_t d[KEY_DIGEST_LEN];
    *hint = keyring_prefetch(ring, key, strlen(key));
    digest_of(key, d);
    return keyring_find_hinted(ring, d, *hint);
}

static void a_large_table_learns_each_keys_slot(void **state)
{
    (void)state;
    keyring_t *ring = ring_of(KEYS);
    assert_non_null(ring->hints);
    for (size_t i = 0; i < KEYS; i += 97) {
        char key[32];
        snprintf(key, sizeof key, "key-%zu", i);
        keyring_hint_t first, second;
        keyring_entry_t *e = lookup(ring, key, &first);
        assert_non_null(e);
        assert_int_equal(e->key_id, (int64_t)i + 1);
        assert_ptr_equal(lookup(ring, key, &second), e);
        assert_int_equal(second.slot, (size_t)(e - ring->entries)); /* the hint named its slot */
    }
    keyring_hint_t hint;
    assert_null(lookup(ring, "not-a-key", &hint));
    keyring_free(ring);
}

static void a_hint_never_decides(void **state)
{
    (void)state;
    keyring_t *ring = ring_of(KEYS);
    keyring_hint_t a, b;
    keyring_entry_t *ea = lookup(ring, "key-1", &a);
    (void)lookup(ring, "key-1", &a); /* a now names key-1's slot */
    assert_int_not_equal(a.slot, SIZE_MAX);
    uint8_t d[KEY_DIGEST_LEN];
    digest_of("key-2", d);
    keyring_entry_t *eb = keyring_find_hinted(ring, d, a); /* key-2's digest with key-1's hint */
    assert_non_null(eb);
    assert_int_equal(eb->key_id, 3);
    assert_ptr_not_equal(eb, ea);
    digest_of("not-a-key", d);
    assert_null(keyring_find_hinted(ring, d, a)); /* an unknown digest with a valid key's hint */
    (void)b;
    keyring_free(ring);
}

static void a_small_table_keeps_no_hints(void **state)
{
    (void)state;
    keyring_t *ring = ring_of(100);
    assert_null(ring->hints);
    keyring_hint_t hint;
    keyring_entry_t *e = lookup(ring, "key-7", &hint);
    assert_non_null(e);
    assert_int_equal(e->key_id, 8);
    assert_int_equal(hint.slot, SIZE_MAX);
    keyring_free(ring);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_large_table_learns_each_keys_slot),
        cmocka_unit_test(a_hint_never_decides),
        cmocka_unit_test(a_small_table_keeps_no_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
