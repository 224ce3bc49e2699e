/* admin_auth_throttle.h - failed-login throttling for the web panel: counts recent failures per key (a user
 * name, a client address, or a device cookie) within a scope and says how long the next attempt must wait; an
 * attempt is reserved (counted) before its password is checked, so parallel attempts get no extra guesses.
 * Kept in the shared database (admin_db.h), so every process on a data directory sees the same lockouts;
 * bounded: at most max_entries keys per scope, and when full the entry evicted is an unlocked one before any
 * locked one, the least-failed first, so junk failures from many addresses cannot flush a real lockout.
 * Thread-safe. */
#ifndef SAMPLE_HOST_ADMIN_AUTH_THROTTLE_H
#define SAMPLE_HOST_ADMIN_AUTH_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_ENTRIES_MAX 4096u

typedef struct login_throttle login_throttle_t;

typedef struct login_throttle_limits {
    uint32_t free_failures;    /* failures before attempts are delayed */
    int64_t base_delay;        /* then the next attempt waits this long after the last failure, doubled for
                                * each further failure, up to max_delay; streaks older than max_delay are
                                * forgotten */
    int64_t max_delay;
    uint32_t max_entries;      /* keys kept per scope */
} login_throttle_limits_t;

/* Opens the throttle of `scope` (e.g. "user", "addr", "device") in data_dir's database. NULL with err. */
login_throttle_t *login_throttle_open(const char *data_dir, const char *scope, const login_throttle_limits_t *limits,
                                      char *err, size_t err_len);
void login_throttle_free(login_throttle_t *t);

/* What a reservation changed, so that it can be taken back. */
typedef struct login_throttle_ticket {
    int held;                  /* 1: an attempt was reserved (counted as a failure) */
    int had_row;               /* the key had a row before */
    int64_t failures, last;    /* the row before (when had_row) */
    int64_t at;                /* the time of the reservation */
} login_throttle_ticket_t;

/* Seconds until `key` may try again at time `now` (0: now). When the database cannot be read it fails
 * closed: base_delay. */
int64_t login_throttle_wait(login_throttle_t *t, const char *key, int64_t now);
/* Check and act in one write transaction: when `key` may try now, counts the attempt as a failure at once
 * (so a parallel attempt already sees it), fills *ticket (held = 1) and returns 0; else returns the wait and
 * counts nothing (held = 0). Fails closed: base_delay when the database cannot be written. */
int64_t login_throttle_reserve(login_throttle_t *t, const char *key, int64_t now, login_throttle_ticket_t *ticket);
/* Takes back a reserved attempt that turned out not to be a failure (a successful login, or one another
 * scope refused): the key's row as it was, when nothing else counted for it since; else one failure fewer. */
void login_throttle_cancel(login_throttle_t *t, const char *key, const login_throttle_ticket_t *ticket);
/* Forgets `key` (after a successful login). */
void login_throttle_clear(login_throttle_t *t, const char *key);

#endif /* SAMPLE_HOST_ADMIN_AUTH_THROTTLE_H */
