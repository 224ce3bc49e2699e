/* key_digest.c - key digests and the installation secret.
 *
 * Why BLAKE2b(secret || key) and not BLAKE2b keyed mode: BLAKE2's keyed mode pads the key to a whole
 * 128-byte block, so every verification would cost two compressions. Prefixing a fixed-length secret is an
 * equally sound keyed construction for BLAKE2 (it has no length-extension weakness, and the secret has a
 * fixed length so no two (secret, key) pairs collide as strings), and keeps secret (32) + a 53-byte key
 * within a single 128-byte compression. The secret lives in its own 0600 file, so a copy of the database
 * alone cannot be used to test guesses against a weak imported key. */
#include "key_digest.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_check.h"
#include "key_format.h"
#include "panel/plugin.h"

/* Copies the key in 8-byte words. Not memcpy: with the length bounded by KEY_MAX_LEN, GCC 12 inlines that memcpy
 * as `rep movsq`, whose microcode start is slow and also waits for the keyring lines just prefetched
 * (keyring_prefetch, before the digest): it cost 4 ns a verification with one key and 22 ns with 100,000 keys
 * (perf on build/bench's keys_100k_vs_1). */
static void copy_key(unsigned char *to, const char *key, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8)
        memcpy(to + i, key + i, 8);
    for (; i < len; i++)
        to[i] = (unsigned char)key[i];
}

void key_digest(const uint8_t secret[KEY_SECRET_LEN], const char *key, size_t len, uint8_t out[KEY_DIGEST_LEN])
{
    unsigned char buf[KEY_SECRET_LEN + KEY_MAX_LEN];
    if (len > KEY_MAX_LEN)
        len = KEY_MAX_LEN;
    memcpy(buf, secret, KEY_SECRET_LEN);
    copy_key(buf + KEY_SECRET_LEN, key, len);
    crypto_generichash(out, KEY_DIGEST_LEN, buf, KEY_SECRET_LEN + len, NULL, 0);
    sodium_memzero(buf, KEY_SECRET_LEN + len);
}

static int32_t read_secret(int fd, const char *path, uint8_t secret[KEY_SECRET_LEN], char *err, size_t err_len)
{
    int32_t owner_ok = apikeys_check_file(fd, path, err, err_len);
    if (owner_ok != PANEL_OK)
        return owner_ok;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, err_len, "cannot inspect %s: %s", path, strerror(errno));
        return PANEL_E_STORE;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != (off_t)KEY_SECRET_LEN) {
        snprintf(err, err_len,
                 "%s has the wrong size (%lld bytes, expected %u); restore it from a backup (without it no "
                 "existing key can be verified)",
                 path, (long long)st.st_size, KEY_SECRET_LEN);
        return PANEL_E_STORE;
    }
    if (st.st_mode & 077) {
        snprintf(err, err_len, "%s is accessible by group or others (mode %03o); run chmod 600 on it", path,
                 (unsigned)(st.st_mode & 0777));
        return PANEL_E_STORE;
    }
    size_t got = 0;
    while (got < KEY_SECRET_LEN) {
        ssize_t n = read(fd, secret + got, KEY_SECRET_LEN - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, err_len, "cannot read %s: %s", path, n < 0 ? strerror(errno) : "short file");
            return PANEL_E_STORE;
        }
        got += (size_t)n;
    }
    return PANEL_OK;
}

static int32_t create_secret(const char *path, uint8_t secret[KEY_SECRET_LEN], char *err,
                             size_t err_len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST)
        return PANEL_E_CONFLICT; /* another process created it at the same moment */
    if (fd < 0) {
        snprintf(err, err_len, "cannot create %s: %s; check the data directory's owner and permissions", path,
                 strerror(errno));
        return PANEL_E_STORE;
    }
    randombytes_buf(secret, KEY_SECRET_LEN);
    size_t put = 0;
    int ok = 1;
    while (put < KEY_SECRET_LEN) {
        ssize_t n = write(fd, secret + put, KEY_SECRET_LEN - put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = 0;
            break;
        }
        put += (size_t)n;
    }
    if (ok && fsync(fd) != 0)
        ok = 0;
    int saved = errno;
    close(fd);
    if (!ok) {
        unlink(path);
        sodium_memzero(secret, KEY_SECRET_LEN);
        snprintf(err, err_len, "could not write %s (%s); the disk may be full; nothing was changed", path,
                 strerror(saved));
        return PANEL_E_STORE;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return PANEL_OK;
}

int32_t key_secret_load(const char *path, int may_create, uint8_t secret[KEY_SECRET_LEN], int *created,
                        char *err, size_t err_len)
{
    *created = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        int32_t rc = read_secret(fd, path, secret, err, err_len);
        close(fd);
        if (rc != PANEL_OK)
            sodium_memzero(secret, KEY_SECRET_LEN);
        return rc;
    }
    if (errno != ENOENT) {
        snprintf(err, err_len, "cannot open %s: %s; check the data directory's owner and permissions", path,
                 strerror(errno));
        return PANEL_E_STORE;
    }
    if (!may_create) {
        snprintf(err, err_len,
                 "%s is missing but the key store holds keys; restore it from a backup (or remove the key "
                 "store to start over; every key then has to be reset)",
                 path);
        return PANEL_E_STORE;
    }
    int32_t rc = create_secret(path, secret, err, err_len);
    if (rc == PANEL_OK)
        *created = 1;
    else if (rc == PANEL_E_CONFLICT) /* read the one the other process created */
        return key_secret_load(path, 0, secret, created, err, err_len);
    return rc;
}
