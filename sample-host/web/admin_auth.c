/* admin_auth.c - web-panel password hashes, login checks, throttling (per user, per address, per device
 * cookie), device cookies and the pwhash concurrency limit (see admin_auth.h). The password file holds one "USER:HASH" line per user; it is re-read whenever another
 * process (`sample-host passwd`) has replaced it. */
#include "admin_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "admin_auth_file.h"
#include "admin_auth_throttle.h"

#define PWHASH_CONCURRENCY 2
#define MAX_USERS 256

typedef struct password_entry {
    char user[ADMIN_USER_MAX + 1];
    char hash[crypto_pwhash_STRBYTES];
} password_entry_t;

struct admin_auth {
    panelhost_t *host;
    char path[4096];
    pthread_mutex_t lock;           /* guards entries and the file identity */
    password_entry_t entries[MAX_USERS];
    size_t n_entries;
    struct stat loaded;             /* identity of the file last read; st_ino 0 when none */
    int loaded_ok;
    char dummy_hash[crypto_pwhash_STRBYTES];
    sem_t pwhash_slots;
    login_throttle_t *by_user;
    login_throttle_t *by_addr;
    login_throttle_t *by_device;    /* failures of browsers presenting a valid device cookie, per cookie */
    unsigned char *device_key;      /* DEVICE_KEY_LEN bytes that sign device cookies (DATA_DIR/admin-device.secret),
                                     * in libsodium's guarded memory: out of core dumps, wiped when freed */
};

#define DEVICE_KEY_LEN 32

static int valid_user_name(const char *user)
{
    size_t n = user != NULL ? strlen(user) : 0;
    if (n == 0 || n > ADMIN_USER_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)user[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.' || c == '@'))
            return 0;
    }
    return 1;
}

int admin_auth_user_exists(const admin_auth_t *auth, const char *user)
{
    char section[ADMIN_USER_MAX + 8];
    if (!valid_user_name(user))
        return 0;
    snprintf(section, sizeof section, "user:%s", user);
    return panelhost_config_get(auth->host, section, "role") != NULL;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Parses "USER:HASH" lines into the table. Lines that do not parse are skipped. */
static void parse_entries(admin_auth_t *auth, const char *text)
{
    auth->n_entries = 0;
    const char *line = text;
    while (*line != '\0' && auth->n_entries < MAX_USERS) {
        const char *end = strchr(line, '\n');
        size_t n = end != NULL ? (size_t)(end - line) : strlen(line);
        const char *colon = memchr(line, ':', n);
        if (colon != NULL) {
            size_t user_len = (size_t)(colon - line);
            size_t hash_len = n - user_len - 1;
            password_entry_t *e = &auth->entries[auth->n_entries];
            if (user_len > 0 && user_len <= ADMIN_USER_MAX && hash_len > 0 && hash_len < sizeof e->hash) {
                memcpy(e->user, line, user_len);
                e->user[user_len] = '\0';
                memcpy(e->hash, colon + 1, hash_len);
                e->hash[hash_len] = '\0';
                auth->n_entries++;
            }
        }
        line += n;
        if (*line == '\n')
            line++;
    }
}

/* Re-reads the password file when it changed. Caller holds auth->lock. */
static int refresh_locked(admin_auth_t *auth, char *err, size_t err_len)
{
    struct stat st;
    if (stat(auth->path, &st) != 0) {
        if (errno != ENOENT) {
            snprintf(err, err_len, "cannot read %s: %s", auth->path, strerror(errno));
            return -1;
        }
        auth->n_entries = 0;
        memset(&auth->loaded, 0, sizeof auth->loaded);
        auth->loaded_ok = 1;
        return 0;
    }
    if (auth->loaded_ok && same_file(&st, &auth->loaded))
        return 0;
    char *text = NULL;
    size_t len = 0;
    if (auth_file_read(auth->path, &text, &len, err, err_len) != 0) {
        auth->loaded_ok = 0;
        return -1;
    }
    parse_entries(auth, text);
    sodium_memzero(text, len);
    free(text);
    auth->loaded = st;
    auth->loaded_ok = 1;
    return 0;
}

/* Copies the stored hash of `user` into hash; 0 when found. Caller holds auth->lock. */
static int lookup_locked(const admin_auth_t *auth, const char *user, char hash[crypto_pwhash_STRBYTES])
{
    for (size_t i = 0; i < auth->n_entries; i++) {
        if (strcmp(auth->entries[i].user, user) == 0) {
            memcpy(hash, auth->entries[i].hash, crypto_pwhash_STRBYTES);
            return 0;
        }
    }
    return -1;
}

/* Hashes a password with the INTERACTIVE limits, at most PWHASH_CONCURRENCY at a time. */
static int hash_password(admin_auth_t *auth, char out[crypto_pwhash_STRBYTES], const char *password, size_t len)
{
    while (sem_wait(&auth->pwhash_slots) != 0 && errno == EINTR) {
    }
    int rc = crypto_pwhash_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sem_post(&auth->pwhash_slots);
    return rc;
}

static int verify_password(admin_auth_t *auth, const char *hash, const char *password, size_t len)
{
    while (sem_wait(&auth->pwhash_slots) != 0 && errno == EINTR) {
    }
    int rc = crypto_pwhash_str_verify(hash, password, len);
    sem_post(&auth->pwhash_slots);
    return rc;
}

/* Reads the device-cookie key DATA_DIR/admin-device.secret (32 bytes, 0600), creating it on first use. */
static int device_secret_load(admin_auth_t *auth, const char *data_dir, char *err, size_t err_len)
{
    char path[4096];
    if (auth_file_path(path, sizeof path, data_dir, "admin-device.secret") != 0) {
        snprintf(err, err_len, "the data directory path is too long");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        unsigned char fresh[DEVICE_KEY_LEN];
        randombytes_buf(fresh, sizeof fresh);
        int wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        int written = wfd >= 0 && write(wfd, fresh, sizeof fresh) == (ssize_t)sizeof fresh && fsync(wfd) == 0;
        if (wfd >= 0)
            close(wfd);
        sodium_memzero(fresh, sizeof fresh);
        if (!written && (wfd >= 0 || errno != EEXIST)) { /* EEXIST: another process made it just now */
            snprintf(err, err_len, "cannot create %s: %s", path, strerror(errno));
            unlink(path);
            return -1;
        }
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = panelhost_check_open_file(fd, path, err, err_len) == PANEL_OK ? 0 : -1;
    if (rc == 0 && read(fd, auth->device_key, DEVICE_KEY_LEN) != (ssize_t)DEVICE_KEY_LEN) {
        snprintf(err, err_len, "%s is damaged (not 32 bytes); remove it (browsers then count as new devices)", path);
        rc = -1;
    }
    close(fd);
    return rc;
}

/* The MAC of a device cookie: keyed BLAKE2b of ("panel-device", user, nonce). */
static void device_mac(const admin_auth_t *auth, const char *user, const unsigned char nonce[16],
                       unsigned char mac[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, auth->device_key, DEVICE_KEY_LEN, 32);
    crypto_generichash_update(&h, (const unsigned char *)"panel-device", 13);
    crypto_generichash_update(&h, (const unsigned char *)user, strlen(user) + 1);
    crypto_generichash_update(&h, nonce, 16);
    crypto_generichash_final(&h, mac, 32);
}

void admin_auth_device_token(const admin_auth_t *auth, const char *user, char token[ADMIN_DEVICE_TOKEN_LEN])
{
    unsigned char nonce[16], mac[32];
    randombytes_buf(nonce, sizeof nonce);
    device_mac(auth, user, nonce, mac);
    sodium_bin2hex(token, 33, nonce, sizeof nonce);
    sodium_bin2hex(token + 32, ADMIN_DEVICE_TOKEN_LEN - 32, mac, sizeof mac);
}

/* 1 when `token` is a device cookie this installation issued to `user`; its nonce (hex) goes into id_hex. */
static int device_token_valid(const admin_auth_t *auth, const char *user, const char *token, char id_hex[33])
{
    unsigned char nonce[16], mac[32], expected[32];
    size_t n1 = 0, n2 = 0;
    if (token == NULL || user == NULL || strlen(token) != ADMIN_DEVICE_TOKEN_LEN - 1 ||
        sodium_hex2bin(nonce, sizeof nonce, token, 32, NULL, &n1, NULL) != 0 || n1 != sizeof nonce ||
        sodium_hex2bin(mac, sizeof mac, token + 32, 64, NULL, &n2, NULL) != 0 || n2 != sizeof mac)
        return 0;
    device_mac(auth, user, nonce, expected);
    int ok = sodium_memcmp(mac, expected, sizeof mac) == 0;
    memcpy(id_hex, token, 32);
    id_hex[32] = '\0';
    return ok;
}

int admin_auth_open(panelhost_t *host, admin_auth_t **out, char *err, size_t err_len)
{
    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, err_len, "libsodium failed to initialise");
        return -1;
    }
    admin_auth_t *auth = calloc(1, sizeof *auth);
    if (auth == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    auth->host = host;
    if (auth_file_path(auth->path, sizeof auth->path, panelhost_data_dir(host), "admin-passwords") != 0) {
        snprintf(err, err_len, "the data directory path is too long");
        free(auth);
        return -1;
    }
    pthread_mutex_init(&auth->lock, NULL);
    sem_init(&auth->pwhash_slots, 0, PWHASH_CONCURRENCY);
    auth->device_key = sodium_malloc(DEVICE_KEY_LEN);
    if (auth->device_key == NULL) {
        snprintf(err, err_len, "out of memory for the device cookie key");
        admin_auth_close(auth);
        return -1;
    }
    const char *data_dir = panelhost_data_dir(host);
    const login_throttle_limits_t per_user = {5, 30, 900, THROTTLE_ENTRIES_MAX};
    const login_throttle_limits_t per_addr = {20, 30, 900, THROTTLE_ENTRIES_MAX};
    if ((auth->by_user = login_throttle_open(data_dir, "user", &per_user, err, err_len)) == NULL ||
        (auth->by_addr = login_throttle_open(data_dir, "addr", &per_addr, err, err_len)) == NULL ||
        (auth->by_device = login_throttle_open(data_dir, "device", &per_user, err, err_len)) == NULL ||
        device_secret_load(auth, data_dir, err, err_len) != 0) {
        admin_auth_close(auth);
        return -1;
    }
    unsigned char random_password[32];
    randombytes_buf(random_password, sizeof random_password);
    int hashed = hash_password(auth, auth->dummy_hash, (const char *)random_password, sizeof random_password);
    sodium_memzero(random_password, sizeof random_password);
    if (hashed != 0) {
        snprintf(err, err_len, "out of memory preparing logins");
        admin_auth_close(auth);
        return -1;
    }
    pthread_mutex_lock(&auth->lock);
    int rc = refresh_locked(auth, err, err_len);
    pthread_mutex_unlock(&auth->lock);
    if (rc != 0) {
        admin_auth_close(auth);
        return -1;
    }
    *out = auth;
    return 0;
}

void admin_auth_close(admin_auth_t *auth)
{
    if (auth == NULL)
        return;
    login_throttle_free(auth->by_user);
    login_throttle_free(auth->by_addr);
    login_throttle_free(auth->by_device);
    sem_destroy(&auth->pwhash_slots);
    pthread_mutex_destroy(&auth->lock);
    sodium_free(auth->device_key); /* wipes it; NULL is ignored */
    sodium_memzero(auth, sizeof *auth);
    free(auth);
}

/* Writes the table with `user` set to `hash` (added or replaced), under the data directory lock, starting
 * from the file's current content so concurrent writers lose nothing. */
static int store_hash(admin_auth_t *auth, const char *user, const char *hash, char *err, size_t err_len)
{
    int lock_fd = auth_file_lock(panelhost_data_dir(auth->host), err, err_len);
    if (lock_fd < 0)
        return -1;
    pthread_mutex_lock(&auth->lock);
    auth->loaded_ok = 0;
    int rc = refresh_locked(auth, err, err_len);
    size_t cap = (auth->n_entries + 1) * (ADMIN_USER_MAX + crypto_pwhash_STRBYTES + 2) + 1;
    char *text = rc == 0 ? malloc(cap) : NULL;
    if (rc == 0 && text == NULL) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        size_t len = 0;
        for (size_t i = 0; i < auth->n_entries; i++) {
            if (strcmp(auth->entries[i].user, user) == 0)
                continue;
            len += (size_t)snprintf(text + len, cap - len, "%s:%s\n", auth->entries[i].user,
                                    auth->entries[i].hash);
        }
        len += (size_t)snprintf(text + len, cap - len, "%s:%s\n", user, hash);
        rc = auth_file_write(auth->path, text, len, err, err_len);
        sodium_memzero(text, cap);
        free(text);
        auth->loaded_ok = 0;
        if (rc == 0)
            rc = refresh_locked(auth, err, err_len);
    }
    pthread_mutex_unlock(&auth->lock);
    auth_file_unlock(lock_fd);
    return rc;
}

int admin_auth_set_password(admin_auth_t *auth, const char *user, const char *password, size_t password_len,
                            char *err, size_t err_len)
{
    if (!admin_auth_user_exists(auth, user)) {
        snprintf(err, err_len, "no user '%s' in the config; add a [user:NAME] section with a role first",
                 valid_user_name(user) ? user : "?");
        return -1;
    }
    if (password_len < ADMIN_PASSWORD_MIN || password_len > ADMIN_PASSWORD_MAX) {
        snprintf(err, err_len, "a password must have %u to %u characters", ADMIN_PASSWORD_MIN,
                 ADMIN_PASSWORD_MAX);
        return -1;
    }
    if (memchr(password, '\0', password_len) != NULL || memchr(password, '\n', password_len) != NULL) {
        snprintf(err, err_len, "a password may not contain a NUL byte or a line break");
        return -1;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(auth, hash, password, password_len) != 0) {
        snprintf(err, err_len, "out of memory hashing the password");
        return -1;
    }
    return store_hash(auth, user, hash, err, err_len);
}

int admin_auth_first_run(admin_auth_t *auth, char *password, size_t len, char *err, size_t err_len)
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const size_t length = 20;
    if (!admin_auth_user_exists(auth, "admin") || len < 32)
        return 0;
    char hash[crypto_pwhash_STRBYTES];
    pthread_mutex_lock(&auth->lock);
    int rc = refresh_locked(auth, err, err_len);
    int has = rc == 0 && lookup_locked(auth, "admin", hash) == 0;
    pthread_mutex_unlock(&auth->lock);
    if (rc != 0)
        return -1;
    if (has)
        return 0;
    for (size_t i = 0; i < length; i++)
        password[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    password[length] = '\0';
    if (admin_auth_set_password(auth, "admin", password, length, err, err_len) != 0) {
        sodium_memzero(password, len);
        return -1;
    }
    return 1;
}

int admin_auth_login(admin_auth_t *auth, const char *user, const char *password, size_t password_len,
                     const char *client_addr, const char *device_token, int64_t *retry_after)
{
    char user_key[ADMIN_USER_MAX + 8];
    char addr_key[80];
    char device_key[40];
    int64_t now = panelhost_now(auth->host);
    *retry_after = 0;
    snprintf(user_key, sizeof user_key, "u:%.*s", ADMIN_USER_MAX, user != NULL ? user : "");
    snprintf(addr_key, sizeof addr_key, "a:%.64s", client_addr != NULL ? client_addr : "");
    char device_id[33];
    /* A browser that logged in as this user before (a valid device cookie) is throttled only by its own
     * failures: others' failures for the user name, or from its (perhaps shared) address, cannot lock it out. */
    int trusted = device_token_valid(auth, user, device_token, device_id);
    snprintf(device_key, sizeof device_key, "d:%s", trusted ? device_id : "");
    /* Each attempt is reserved (counted as a failure) before its password is hashed, check and count in one
     * transaction, so N parallel attempts get no more guesses than N sequential ones; a success takes its
     * reservation back. */
    login_throttle_ticket_t user_ticket, addr_ticket, device_ticket;
    memset(&user_ticket, 0, sizeof user_ticket);
    memset(&addr_ticket, 0, sizeof addr_ticket);
    memset(&device_ticket, 0, sizeof device_ticket);
    int64_t wait = 0;
    if (trusted) {
        wait = login_throttle_reserve(auth->by_device, device_key, now, &device_ticket);
    } else {
        wait = login_throttle_reserve(auth->by_user, user_key, now, &user_ticket);
        int64_t wait_addr =
            wait > 0 ? login_throttle_wait(auth->by_addr, addr_key, now)
                     : login_throttle_reserve(auth->by_addr, addr_key, now, &addr_ticket);
        if (wait_addr > wait)
            wait = wait_addr;
    }
    if (wait > 0) {
        login_throttle_cancel(auth->by_user, user_key, &user_ticket); /* reserved before the address refused */
        *retry_after = wait;
        return ADMIN_LOGIN_THROTTLED;
    }

    char hash[crypto_pwhash_STRBYTES];
    int real = 0;
    char err[256];
    pthread_mutex_lock(&auth->lock);
    int rc = refresh_locked(auth, err, sizeof err);
    if (rc == 0 && admin_auth_user_exists(auth, user) && lookup_locked(auth, user, hash) == 0)
        real = 1;
    pthread_mutex_unlock(&auth->lock);
    if (rc != 0) {
        login_throttle_cancel(auth->by_user, user_key, &user_ticket);
        login_throttle_cancel(auth->by_addr, addr_key, &addr_ticket);
        login_throttle_cancel(auth->by_device, device_key, &device_ticket);
        return ADMIN_LOGIN_ERROR;
    }
    if (!real)
        memcpy(hash, auth->dummy_hash, sizeof hash);
    size_t checked_len = password_len <= ADMIN_PASSWORD_MAX ? password_len : ADMIN_PASSWORD_MAX;
    int verified = verify_password(auth, hash, password, checked_len) == 0; /* always pay the same cost */
    int ok = verified && password_len <= ADMIN_PASSWORD_MAX;
    sodium_memzero(hash, sizeof hash);
    if (ok && real) {
        login_throttle_clear(trusted ? auth->by_device : auth->by_user, trusted ? device_key : user_key);
        login_throttle_cancel(auth->by_addr, addr_key, &addr_ticket); /* a success is no failure of the address */
        return ADMIN_LOGIN_OK;
    }
    return ADMIN_LOGIN_REFUSED; /* the failure was counted by the reservation */
}

int admin_auth_fingerprint(admin_auth_t *auth, const char *user, char out[ADMIN_FINGERPRINT_LEN])
{
    char hash[crypto_pwhash_STRBYTES];
    char err[256];
    out[0] = '\0';
    if (!admin_auth_user_exists(auth, user))
        return -1;
    pthread_mutex_lock(&auth->lock);
    int rc = refresh_locked(auth, err, sizeof err);
    if (rc == 0)
        rc = lookup_locked(auth, user, hash);
    pthread_mutex_unlock(&auth->lock);
    if (rc != 0)
        return -1;
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)hash, strlen(hash), NULL, 0);
    sodium_bin2hex(out, ADMIN_FINGERPRINT_LEN, digest, sizeof digest);
    sodium_memzero(hash, sizeof hash);
    return 0;
}
