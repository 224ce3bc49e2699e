/* admin_auth_session.c - web-panel sessions (see admin_auth_session.h). Sessions live in memory and are
 * written through to DATA_DIR/admin-sessions as lines "DIGEST USER FINGERPRINT CREATED LAST_SEEN"; the id
 * itself is never stored. Last-seen times are written at most once a minute per session. */
#include "admin_auth_session.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin_auth_file.h"

#define SESSION_DIGEST_HEX 65
#define TOUCH_WRITE_INTERVAL 60

typedef struct session {
    char digest[SESSION_DIGEST_HEX];
    char user[ADMIN_USER_MAX + 1];
    char fingerprint[ADMIN_FINGERPRINT_LEN];
    int64_t created;
    int64_t last_seen;
    int64_t last_written;
} session_t;

struct session_store {
    pthread_mutex_t lock;
    char data_dir[4096];
    char path[4096];
    session_t *items;
    size_t n;
    size_t cap;
    int dirty;
};

/* Parses the sessions file text; lines that do not parse are dropped. */
static size_t parse_sessions(const char *text, session_t **items, size_t *cap)
{
    size_t n = 0;
    const char *line = text;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        char copy[512];
        session_t s;
        memset(&s, 0, sizeof s);
        if (len < sizeof copy) {
            memcpy(copy, line, len);
            copy[len] = '\0';
            if (sscanf(copy, "%64s %64s %32s %" SCNd64 " %" SCNd64, s.digest, s.user, s.fingerprint,
                       &s.created, &s.last_seen) == 5 && strlen(s.digest) == 64) {
                if (n == *cap) {
                    size_t grown = *cap ? *cap * 2 : 16;
                    session_t *more = realloc(*items, grown * sizeof *more);
                    if (more == NULL)
                        break;
                    *items = more;
                    *cap = grown;
                }
                s.last_written = s.last_seen;
                (*items)[n++] = s;
            }
        }
        line += len;
        if (*line == '\n')
            line++;
    }
    return n;
}

/* Serialises sessions into a malloc'd text. */
static char *format_sessions(const session_t *items, size_t n, size_t *len)
{
    size_t cap = n * 200 + 1;
    char *text = malloc(cap);
    if (text == NULL)
        return NULL;
    *len = 0;
    text[0] = '\0';
    for (size_t i = 0; i < n; i++)
        *len += (size_t)snprintf(text + *len, cap - *len, "%s %s %s %" PRId64 " %" PRId64 "\n", items[i].digest,
                                 items[i].user, items[i].fingerprint, items[i].created, items[i].last_seen);
    return text;
}

/* Writes the in-memory sessions to the file. Caller holds store->lock. */
static int persist_locked(session_store_t *store, char *err, size_t err_len)
{
    int lock_fd = auth_file_lock(store->data_dir, err, err_len);
    if (lock_fd < 0)
        return -1;
    size_t len = 0;
    char *text = format_sessions(store->items, store->n, &len);
    int rc = -1;
    if (text == NULL)
        snprintf(err, err_len, "out of memory");
    else
        rc = auth_file_write(store->path, text, len, err, err_len);
    free(text);
    auth_file_unlock(lock_fd);
    if (rc == 0) {
        for (size_t i = 0; i < store->n; i++)
            store->items[i].last_written = store->items[i].last_seen;
        store->dirty = 0;
    }
    return rc;
}

int session_store_open(const char *data_dir, session_store_t **out, char *err, size_t err_len)
{
    *out = NULL;
    session_store_t *store = calloc(1, sizeof *store);
    if (store == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    snprintf(store->data_dir, sizeof store->data_dir, "%s", data_dir);
    if (auth_file_path(store->path, sizeof store->path, data_dir, "admin-sessions") != 0) {
        snprintf(err, err_len, "the data directory path is too long");
        free(store);
        return -1;
    }
    pthread_mutex_init(&store->lock, NULL);
    int lock_fd = auth_file_lock(data_dir, err, err_len);
    if (lock_fd < 0) {
        session_store_close(store);
        return -1;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = auth_file_read(store->path, &text, &len, err, err_len);
    auth_file_unlock(lock_fd);
    if (rc != 0) {
        session_store_close(store);
        return -1;
    }
    store->n = parse_sessions(text, &store->items, &store->cap);
    free(text);
    *out = store;
    return 0;
}

void session_store_close(session_store_t *store)
{
    if (store == NULL)
        return;
    char err[256];
    if (store->dirty)
        persist_locked(store, err, sizeof err);
    pthread_mutex_destroy(&store->lock);
    if (store->items != NULL) {
        sodium_memzero(store->items, store->cap * sizeof *store->items);
        free(store->items);
    }
    free(store);
}

/* The stored digest of a session id given as 64 hex digits; -1 when the id is not 64 hex digits. */
static int id_digest(const char *id_hex, char digest[SESSION_DIGEST_HEX])
{
    unsigned char id[32];
    size_t id_len = 0;
    if (id_hex == NULL || strlen(id_hex) != 64 ||
        sodium_hex2bin(id, sizeof id, id_hex, 64, NULL, &id_len, NULL) != 0 || id_len != sizeof id)
        return -1;
    unsigned char d[32];
    crypto_generichash(d, sizeof d, id, sizeof id, (const unsigned char *)"panel-session-id", 16);
    sodium_bin2hex(digest, SESSION_DIGEST_HEX, d, sizeof d);
    sodium_memzero(id, sizeof id);
    return 0;
}

void session_csrf_token(const char *id_hex, char token[SESSION_ID_HEX_LEN])
{
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)id_hex, strlen(id_hex),
                       (const unsigned char *)"panel-csrf-token", 16);
    sodium_bin2hex(token, SESSION_ID_HEX_LEN, d, sizeof d);
}

int session_token_equal(const char *expected, const char *presented)
{
    size_t n = strlen(expected);
    if (presented == NULL || n == 0 || strlen(presented) != n)
        return 0;
    return sodium_memcmp(expected, presented, n) == 0;
}

static void remove_at(session_store_t *store, size_t i)
{
    store->items[i] = store->items[store->n - 1];
    sodium_memzero(&store->items[store->n - 1], sizeof store->items[0]);
    store->n--;
}

static int expired(const session_t *s, int64_t now)
{
    return now - s->last_seen > SESSION_IDLE_SECONDS || now - s->created > SESSION_MAX_SECONDS ||
           s->last_seen > now + 300;
}

int session_create(session_store_t *store, const char *user, const char *fingerprint, int64_t now,
                   char id_hex[SESSION_ID_HEX_LEN], char *err, size_t err_len)
{
    unsigned char id[32];
    randombytes_buf(id, sizeof id);
    sodium_bin2hex(id_hex, SESSION_ID_HEX_LEN, id, sizeof id);
    sodium_memzero(id, sizeof id);
    session_t s;
    memset(&s, 0, sizeof s);
    id_digest(id_hex, s.digest);
    snprintf(s.user, sizeof s.user, "%s", user);
    snprintf(s.fingerprint, sizeof s.fingerprint, "%s", fingerprint);
    s.created = s.last_seen = s.last_written = now;

    pthread_mutex_lock(&store->lock);
    for (size_t i = store->n; i-- > 0;)         /* drop expired sessions on the way */
        if (expired(&store->items[i], now))
            remove_at(store, i);
    int rc = 0;
    if (store->n == store->cap) {
        size_t grown = store->cap ? store->cap * 2 : 16;
        session_t *more = grown <= 100000 ? realloc(store->items, grown * sizeof *more) : NULL;
        if (more == NULL) {
            snprintf(err, err_len, "too many sessions");
            rc = -1;
        } else {
            store->items = more;
            store->cap = grown;
        }
    }
    if (rc == 0) {
        store->items[store->n++] = s;
        rc = persist_locked(store, err, err_len);
        if (rc != 0)
            remove_at(store, store->n - 1);
    }
    pthread_mutex_unlock(&store->lock);
    if (rc != 0)
        sodium_memzero(id_hex, SESSION_ID_HEX_LEN);
    return rc;
}

int session_lookup(session_store_t *store, admin_auth_t *auth, const char *id_hex, int64_t now, char *user,
                   size_t user_len)
{
    char digest[SESSION_DIGEST_HEX];
    char err[256];
    if (id_digest(id_hex, digest) != 0)
        return -1;
    pthread_mutex_lock(&store->lock);
    int rc = -1;
    for (size_t i = 0; i < store->n; i++) {
        session_t *s = &store->items[i];
        if (sodium_memcmp(s->digest, digest, 64) != 0)
            continue;
        char fingerprint[ADMIN_FINGERPRINT_LEN];
        if (expired(s, now) || admin_auth_fingerprint(auth, s->user, fingerprint) != 0 ||
            strcmp(fingerprint, s->fingerprint) != 0) {
            remove_at(store, i);
            persist_locked(store, err, sizeof err);
            break;
        }
        s->last_seen = now;
        snprintf(user, user_len, "%s", s->user);
        if (now - s->last_written >= TOUCH_WRITE_INTERVAL)
            persist_locked(store, err, sizeof err);
        else if (s->last_seen != s->last_written)
            store->dirty = 1;
        rc = 0;
        break;
    }
    pthread_mutex_unlock(&store->lock);
    return rc;
}

void session_end(session_store_t *store, const char *id_hex)
{
    char digest[SESSION_DIGEST_HEX];
    char err[256];
    if (id_digest(id_hex, digest) != 0)
        return;
    pthread_mutex_lock(&store->lock);
    for (size_t i = 0; i < store->n; i++) {
        if (sodium_memcmp(store->items[i].digest, digest, 64) == 0) {
            remove_at(store, i);
            persist_locked(store, err, sizeof err);
            break;
        }
    }
    pthread_mutex_unlock(&store->lock);
}

int session_end_user(const char *data_dir, const char *user, char *err, size_t err_len)
{
    char path[4096];
    if (auth_file_path(path, sizeof path, data_dir, "admin-sessions") != 0) {
        snprintf(err, err_len, "the data directory path is too long");
        return -1;
    }
    int lock_fd = auth_file_lock(data_dir, err, err_len);
    if (lock_fd < 0)
        return -1;
    char *text = NULL;
    size_t len = 0;
    int rc = auth_file_read(path, &text, &len, err, err_len);
    if (rc == 0) {
        session_t *items = NULL;
        size_t cap = 0;
        size_t n = parse_sessions(text, &items, &cap);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(items[i].user, user) != 0)
                items[kept++] = items[i];
        char *out = format_sessions(items, kept, &len);
        rc = out != NULL ? auth_file_write(path, out, len, err, err_len) : -1;
        if (out == NULL)
            snprintf(err, err_len, "out of memory");
        free(out);
        free(items);
    }
    free(text);
    auth_file_unlock(lock_fd);
    return rc;
}
