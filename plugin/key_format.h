/* key_format.h - the shape of an API key: prefix + 43 base62 chars (256 random bits) + 6 base62 chars of
 * CRC-32C over those 43 chars. With the default prefix "sak_" a key is 53 characters. Classification is
 * cheap (no allocation, table-driven) so a mistyped or truncated key is refused before any hashing. */
#ifndef APIKEYS_KEY_FORMAT_H
#define APIKEYS_KEY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define KEY_RANDOM_BYTES 32u
#define KEY_BODY_CHARS 43u       /* 62^43 > 2^256 */
#define KEY_CHECK_CHARS 6u       /* 62^6 > 2^32 */
#define KEY_PREFIX_MAX 12u
#define KEY_MAX_LEN 1024u        /* anything longer is refused before hashing */
#define KEY_MIN_IMPORT_LEN 32u   /* a pasted key must have at least this many characters */
#define KEY_HINT_MAX 16u         /* hint buffer size: prefix (<=12) + "…" (3 bytes) + 4 + NUL fits in 24 */
#define KEY_HINT_BUF 24u

#define KEY_WELL_FORMED 0        /* our prefix, right length, base62, checksum matches */
#define KEY_MALFORMED 1          /* our prefix but wrong length, bad characters or bad checksum; or too long */
#define KEY_FOREIGN 2            /* without our prefix: an imported key, verified by digest only */

/* Length of a generated key for a prefix of prefix_len bytes. */
static inline size_t key_length(size_t prefix_len) { return prefix_len + KEY_BODY_CHARS + KEY_CHECK_CHARS; }

/* [thread-safe] Writes a new random key (NUL-terminated) into out; out_len >= key_length()+1. 0 or -1. */
int key_generate(const char *prefix, size_t prefix_len, char *out, size_t out_len);

/* [thread-safe] Classifies s[0..len) (KEY_*). No allocation, no hashing. */
int key_parse_class(const char *prefix, size_t prefix_len, const char *s, size_t len);

/* [thread-safe] Display hint: prefix + "…" + last 4 chars for our keys, "…" + last 4 for a foreign key.
 * out_len >= KEY_HINT_BUF. Never reveals more than 4 characters of the secret part. */
void key_hint(const char *prefix, size_t prefix_len, const char *key, size_t len, char *out, size_t out_len);

/* Encodes n big-endian bytes as exactly `chars` base62 digits (leading '0's). Exposed for tests. */
void base62_encode_fixed(const uint8_t *bytes, size_t n, char *out, size_t chars);

#endif
