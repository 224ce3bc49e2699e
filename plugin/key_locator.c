/* key_locator.c - the keyring slot locator of a key (see key_locator.h). */
#include "key_locator.h"

#include <sodium.h>
#include <string.h>

_Static_assert(KEY_LOCATOR_KEY_LEN == crypto_shorthash_KEYBYTES, "the locator key is a SipHash key");
_Static_assert(KEY_SECRET_LEN == crypto_kdf_KEYBYTES, "the digest secret is a KDF master key");

void key_locator_key(const uint8_t secret[KEY_SECRET_LEN], uint8_t out[KEY_LOCATOR_KEY_LEN])
{
    (void)crypto_kdf_derive_from_key(out, KEY_LOCATOR_KEY_LEN, 1, "apikslot", secret);
}

uint64_t key_locator(const uint8_t locator_key[KEY_LOCATOR_KEY_LEN], const char *key, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    size_t tail = len < KEY_LOCATOR_TAIL ? len : KEY_LOCATOR_TAIL;
    crypto_shorthash(h, (const unsigned char *)key + len - tail, tail, locator_key);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return v ? v : 1;
}
