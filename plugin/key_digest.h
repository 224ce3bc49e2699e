/* key_digest.h - the stored form of a key: BLAKE2b-256 over (installation secret || key), and the
 * installation secret file (`apikeys.secret` in the data directory unless [plugin:apikeys] secret_file says). */
#ifndef APIKEYS_KEY_DIGEST_H
#define APIKEYS_KEY_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define KEY_DIGEST_LEN 32u
#define KEY_SECRET_LEN 32u
#define KEY_SECRET_FILE "apikeys.secret"

/* [thread-safe] out = BLAKE2b-256(secret || key[0..len)). len must be <= KEY_MAX_LEN (1024); longer keys
 * are refused by the caller before hashing. The stack copy of the key is wiped before returning. */
void key_digest(const uint8_t secret[KEY_SECRET_LEN], const char *key, size_t len, uint8_t out[KEY_DIGEST_LEN]);

/* Reads the installation secret from path (default DATA_DIR/apikeys.secret); when it is missing and may_create is 1,
 * creates it (32 random bytes, O_EXCL, 0600, fsync of file and directory) and sets *created = 1.
 * Refuses a file of the wrong size or one readable by group or others. PANEL_OK or PANEL_E_* with err. */
int32_t key_secret_load(const char *path, int may_create, uint8_t secret[KEY_SECRET_LEN], int *created,
                        char *err, size_t err_len);

#endif
