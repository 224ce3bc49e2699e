/* web_flash.c - the one-shot results a form post leaves for the next GET of its session (see web_flash.h). The
 * entries live in libsodium's guarded, locked memory (no swap, no core dump), keyed by a BLAKE2b digest of the
 * session id so the table never holds a cookie value; each is wiped when taken, replaced or expired. */
#include "web_flash.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#define FLASH_SLOTS 64

typedef struct flash_slot {
    unsigned char key[crypto_generichash_BYTES]; /* digest of the session id */
    int64_t expires;                             /* 0: a free slot */
    web_flash_t flash;
} flash_slot_t;

static pthread_mutex_t flash_lock = PTHREAD_MUTEX_INITIALIZER;
static flash_slot_t *slots; /* FLASH_SLOTS entries from sodium_malloc, made at the first put; never freed */

static void session_key(const char *session, unsigned char key[crypto_generichash_BYTES])
{
    static const unsigned char context[] = "sample-host flash v1";
    crypto_generichash(key, crypto_generichash_BYTES, (const unsigned char *)session, strlen(session), context,
                       sizeof context - 1);
}

static void wipe_slot(flash_slot_t *s)
{
    sodium_memzero(s, sizeof *s);
}

int web_flash_put(const char *session, web_flash_t *flash, int64_t now)
{
    unsigned char key[crypto_generichash_BYTES];
    session_key(session, key);
    pthread_mutex_lock(&flash_lock);
    if (slots == NULL) {
        slots = sodium_malloc(FLASH_SLOTS * sizeof *slots);
        if (slots != NULL)
            sodium_memzero(slots, FLASH_SLOTS * sizeof *slots);
    }
    flash_slot_t *use = NULL, *oldest = NULL;
    for (size_t i = 0; slots != NULL && i < FLASH_SLOTS; i++) {
        flash_slot_t *s = &slots[i];
        if (s->expires != 0 && s->expires <= now)
            wipe_slot(s);
        if (s->expires != 0 && sodium_memcmp(s->key, key, sizeof key) == 0)
            wipe_slot(s); /* one entry per session: the newer result replaces the older */
        if (use == NULL && s->expires == 0)
            use = s;
        if (s->expires != 0 && (oldest == NULL || s->expires < oldest->expires))
            oldest = s;
    }
    if (use == NULL && oldest != NULL) {
        wipe_slot(oldest); /* full: the oldest unread result goes */
        use = oldest;
    }
    if (use != NULL) {
        memcpy(use->key, key, sizeof key);
        use->expires = now + WEB_FLASH_TTL;
        use->flash = *flash;
    }
    pthread_mutex_unlock(&flash_lock);
    sodium_memzero(flash, sizeof *flash);
    return use != NULL ? 0 : -1;
}

int web_flash_take(const char *session, const char *page_id, web_flash_t *out, int64_t now)
{
    unsigned char key[crypto_generichash_BYTES];
    session_key(session, key);
    memset(out, 0, sizeof *out);
    int found = 0;
    pthread_mutex_lock(&flash_lock);
    for (size_t i = 0; slots != NULL && i < FLASH_SLOTS; i++) {
        flash_slot_t *s = &slots[i];
        if (s->expires != 0 && s->expires <= now)
            wipe_slot(s);
        if (s->expires == 0 || sodium_memcmp(s->key, key, sizeof key) != 0)
            continue;
        if (strcmp(s->flash.page_id, page_id) == 0) {
            *out = s->flash;
            found = 1;
        }
        wipe_slot(s); /* read once: another page's GET drops it too, so a secret is never shown later */
    }
    pthread_mutex_unlock(&flash_lock);
    return found;
}
