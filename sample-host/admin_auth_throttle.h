/* admin_auth_throttle.h - failed-login throttling for the web panel: counts recent failures per key (a user
 * name, or a client address) and says how long the next attempt must wait. In memory, bounded, thread-safe. */
#ifndef SAMPLE_HOST_ADMIN_AUTH_THROTTLE_H
#define SAMPLE_HOST_ADMIN_AUTH_THROTTLE_H

#include <stdint.h>

typedef struct login_throttle login_throttle_t;

/* free_failures: failures before attempts are delayed; from then on the next attempt waits base_delay seconds
 * after the last failure, doubled for each further failure, up to max_delay. Failures older than max_delay are forgotten. */
login_throttle_t *login_throttle_new(uint32_t free_failures, int64_t base_delay, int64_t max_delay);
void login_throttle_free(login_throttle_t *t);

/* Seconds until `key` may try again at time `now` (0: now). */
int64_t login_throttle_wait(login_throttle_t *t, const char *key, int64_t now);
/* Records a failure of `key` at `now`. */
void login_throttle_failed(login_throttle_t *t, const char *key, int64_t now);
/* Forgets `key` (after a successful login). */
void login_throttle_clear(login_throttle_t *t, const char *key);

#endif /* SAMPLE_HOST_ADMIN_AUTH_THROTTLE_H */
