/* limiter.h - the machine-wide request limits in shared memory: the file `apikeys.ratelimit` (data dir, 0600,
 * checked like the plugin's other files), mapped MAP_SHARED by every process of this machine, so a limit is
 * exact across them (not N processes x the limit).
 *
 * Two fixed-size tables (bounded memory whatever the traffic):
 *   - a token bucket per key with a rate limit (LIMITER_KEY_SLOTS): N requests a minute, a burst of N; keyed
 *     by the key's bucket id and its database (limiter_open), so databases sharing the file never share one;
 *   - a bucket per client address that sent invalid keys (LIMITER_ADDR_SLOTS): 30 a minute, then 429
 *     too_many_invalid; with the address, its count and last time, for the page.
 * Each bucket is GCRA (the token bucket as one "theoretical arrival time" word): a request at time t with
 * period T = 60 s / N is allowed when max(tat, t) + T - t <= N * T, and then tat becomes max(tat, t) + T; it
 * is one compare-and-swap of a 64-bit word, no lock and no system call. A slot is claimed by CAS of its tag
 * (0 -> tag); a slot idle for 2 minutes (its bucket full again, so nothing is lost) may be taken over.
 *
 * The clock is CLOCK_MONOTONIC_COARSE (a vDSO read of the kernel's last tick, a few ns, 1..4 ms resolution,
 * which a bucket refilling in 60 us steps at most tolerates: a coarse clock can delay a refill by a tick, never
 * grant more): on Linux it is one clock for the whole machine, so every process agrees on it, and it never
 * steps (NTP only slews it), so changing the wall clock can neither refill nor drain a bucket, as
 * CLOCK_REALTIME would. It restarts at boot, so the file records the boot id (and the boot's wall-clock instant,
 * which tells a reboot when the boot id cannot be read) and is reset when it differs; a bucket time further
 * ahead than a full minute (impossible otherwise: a clock from before a reboot the file survived, another clock
 * namespace) is repaired to an empty bucket, never to a full one, and written back. */
#ifndef APIKEYS_LIMITER_H
#define APIKEYS_LIMITER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cidr.h"
#include "ratelimit_share.h"

#define LIMITER_FILE "apikeys.ratelimit"
#define LIMITER_KEY_SLOTS 1024u
#define LIMITER_ADDR_SLOTS 4096u
#define LIMITER_INVALID_PER_MINUTE 30u

#define LIMIT_OK 0            /* allowed (a token was taken) */
#define LIMIT_EXCEEDED 1      /* over the limit: *retry_after_s says when to try again */
#define LIMIT_UNAVAILABLE 2   /* no shared file or no free slot: the caller fails closed (rate limits) */

typedef struct limiter_file limiter_file_t;   /* the mapped layout (limiter.c) */

typedef struct limiter {
    limiter_file_t *map;      /* NULL when the file could not be used */
    int fd;
    uint64_t database_salt;   /* mixed into every key bucket's tag: the buckets are this database's */
    char error[512];          /* why map is NULL ("" when it is usable) */
    /* A node of a shared store also takes a token of its share of the limit here (its own buckets, in this
     * process's memory: ratelimit_share.h) before the machine's bucket; slots NULL on one machine. Started and
     * stopped by the store. */
    ratelimit_shares_t shares;
} limiter_t;

/* Opens (creating, sizing or resetting under flock) and maps the file. database (nullable: "") names the
 * database whose keys the key buckets count: two databases sharing a data directory (and so the file) never
 * share a bucket, although their key ids do coincide. PANEL_OK, or PANEL_E_STORE with a message; on failure
 * the limiter stays usable as "unavailable" (l->error says why). */
int32_t limiter_open(limiter_t *l, const char *data_dir, const char *database, char *err, size_t err_len);
void limiter_close(limiter_t *l);

/* [thread-safe] The clock of the buckets: CLOCK_MONOTONIC_COARSE in nanoseconds (inline: one vDSO call). */
static inline uint64_t limiter_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* [thread-safe] Takes one token of bucket `key_id` (> 0) of this limiter's database (per_minute > 0) at time
 * now_ns; on a node of a shared store, first one of this node's share of the limit (ratelimit_share.h). */
int limiter_take_key(limiter_t *l, int64_t key_id, uint32_t per_minute, uint64_t now_ns, int64_t *retry_after_s);

/* [thread-safe] Notes an invalid key from addr at now_ns: LIMIT_OK while it is within 30 a minute (answer 401
 * as usual), LIMIT_EXCEEDED beyond (answer 429 with *retry_after_s), LIMIT_UNAVAILABLE when it cannot be
 * counted (answer 401 as usual: an invalid key is denied either way). */
int limiter_note_invalid(limiter_t *l, const cidr_addr_t *addr, uint64_t now_ns, int64_t *retry_after_s);

/* One address that sent invalid keys. */
typedef struct limiter_addr_row {
    cidr_addr_t addr;
    uint64_t count;           /* invalid keys since the slot was claimed */
    uint64_t age_s;           /* seconds since the last one */
} limiter_addr_row_t;

/* The addresses that sent invalid keys within max_age_s, most first, at most max rows. Returns the count. */
size_t limiter_top_invalid(const limiter_t *l, uint64_t now_ns, uint64_t max_age_s, limiter_addr_row_t *rows,
                           size_t max);

#endif
