/* admin_auth_throttle.c - failed-login throttling per key (see admin_auth_throttle.h). A fixed table; when
 * full, the entry with the oldest failure is reused. */
#include "admin_auth_throttle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define THROTTLE_SLOTS 4096
#define THROTTLE_KEY_MAX 96

typedef struct throttle_entry {
    char key[THROTTLE_KEY_MAX];
    uint32_t failures;
    int64_t last_failure;
} throttle_entry_t;

struct login_throttle {
    pthread_mutex_t lock;
    uint32_t free_failures;
    int64_t base_delay;
    int64_t max_delay;
    throttle_entry_t slots[THROTTLE_SLOTS];
};

login_throttle_t *login_throttle_new(uint32_t free_failures, int64_t base_delay, int64_t max_delay)
{
    login_throttle_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    t->free_failures = free_failures;
    t->base_delay = base_delay;
    t->max_delay = max_delay;
    return t;
}

void login_throttle_free(login_throttle_t *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static throttle_entry_t *find(login_throttle_t *t, const char *key)
{
    for (size_t i = 0; i < THROTTLE_SLOTS; i++)
        if (t->slots[i].failures > 0 && strncmp(t->slots[i].key, key, THROTTLE_KEY_MAX - 1) == 0)
            return &t->slots[i];
    return NULL;
}

/* The wait of an entry at `now`: none before free_failures failures, then base_delay doubling per failure. */
static int64_t wait_after(const login_throttle_t *t, const throttle_entry_t *e, int64_t now)
{
    if (e->failures < t->free_failures)
        return 0;
    int64_t delay = t->base_delay;
    for (uint32_t i = t->free_failures; i < e->failures && delay < t->max_delay; i++)
        delay *= 2;
    if (delay > t->max_delay)
        delay = t->max_delay;
    int64_t until = e->last_failure + delay;
    return until > now ? until - now : 0;
}

int64_t login_throttle_wait(login_throttle_t *t, const char *key, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    const throttle_entry_t *e = find(t, key);
    int64_t wait = e != NULL ? wait_after(t, e, now) : 0;
    pthread_mutex_unlock(&t->lock);
    return wait;
}

void login_throttle_failed(login_throttle_t *t, const char *key, int64_t now)
{
    pthread_mutex_lock(&t->lock);
    throttle_entry_t *e = find(t, key);
    if (e != NULL && now - e->last_failure > t->max_delay)
        e->failures = 0;            /* an old streak is forgotten */
    if (e == NULL) {
        e = &t->slots[0];
        for (size_t i = 0; i < THROTTLE_SLOTS; i++) {
            if (t->slots[i].failures == 0) {
                e = &t->slots[i];
                break;
            }
            if (t->slots[i].last_failure < e->last_failure)
                e = &t->slots[i];
        }
        memset(e, 0, sizeof *e);
        strncpy(e->key, key, THROTTLE_KEY_MAX - 1);
    }
    if (e->failures < UINT32_MAX)
        e->failures++;
    e->last_failure = now;
    pthread_mutex_unlock(&t->lock);
}

void login_throttle_clear(login_throttle_t *t, const char *key)
{
    pthread_mutex_lock(&t->lock);
    throttle_entry_t *e = find(t, key);
    if (e != NULL)
        memset(e, 0, sizeof *e);
    pthread_mutex_unlock(&t->lock);
}
