/* key_locator.h - where a key's keyring slot is: a 64-bit SipHash-2-4 (libsodium's crypto_shorthash) of the key,
 * keyed with a secret of its own derived from the installation secret. The store keeps it beside the digest, so a
 * verification can start fetching the key's slot from memory before it computes the digest (BLAKE2b), and the
 * miss is hidden behind the hash. Keyed, so a slot position says nothing about any key; a derived key, so the
 * locator key reveals nothing about the digest secret. */
#ifndef APIKEYS_KEY_LOCATOR_H
#define APIKEYS_KEY_LOCATOR_H

#include <stddef.h>
#include <stdint.h>

#include "key_digest.h"

#define KEY_LOCATOR_KEY_LEN 16u /* crypto_shorthash_KEYBYTES */
/* The bytes of a key the locator hashes: its last 16 (all of a shorter one). Of a key this plugin makes they are 10
 * random base62 characters (59 bits) and the checksum, as unique among a store's keys as the whole key, and the
 * hash takes half the time (it runs before the prefetch it starts). Two keys sharing them share their two buckets
 * and are told apart by the digest; past what those buckets hold, such keys are placed by digest (keyring.h). */
#define KEY_LOCATOR_TAIL 16u

/* The locator key of an installation: libsodium's KDF (BLAKE2b) of the digest secret, context "apikslot". */
void key_locator_key(const uint8_t secret[KEY_SECRET_LEN], uint8_t out[KEY_LOCATOR_KEY_LEN]);

/* [thread-safe] The key's locator; never 0 (0 stands for "none stored" in the keyring and the stores). */
uint64_t key_locator(const uint8_t locator_key[KEY_LOCATOR_KEY_LEN], const char *key, size_t len);

#endif
