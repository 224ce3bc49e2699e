/* ratelimit_share.h - a web node's share of each rate limit on a shared (PostgreSQL) store: one limit holds across
 * the nodes, not N nodes x the limit.
 *
 * Each live node enforces a share s of each limited key's rate (the site key's and every named key's): a token
 * bucket of its own, in this process's memory, of rate s x limit and capacity s x limit (a bucket of the limit's
 * one-minute burst, split). The verify path stays one compare-and-swap of that bucket's word (GCRA, as limiter.h)
 * plus a relaxed count of the request as demand, then (limiter.h) one of the machine's bucket of the whole limit, as
 * on one machine, which this machine's processes share: short-lived processes, each a node with a fresh bucket of
 * its own, still never pass the limit on one machine. It never touches the network.
 * At each lease renewal (the round trip that already exists) the node reports its demand per limited key over the
 * last interval (requests a minute, denied ones included) and reads the sum of the other live nodes' demands and
 * their number n; its share of key k becomes
 *     s = f + (1 - n f) x mine_k / (mine_k + others_k)      (1 / n when nobody asked for k),  f = min(2 %, 1/(2n))
 * so the shares of the live nodes add up to 1, follow demand within one renewal, and never fall under the floor f
 * (a node that starts getting traffic is served at once, and gets its proportional share at its next renewal).
 * When a node's lease ends its row stops counting, so its share goes to the others at their next renewals. A node
 * cut off from the database keeps its last shares until it fences.
 * When a share changes, the bucket keeps the requests it owes (its debt in requests, not in time): a node whose
 * share shrinks owes the capacity it gives up, which the nodes whose shares grow get, so the live nodes' tokens
 * still add up to what one shared bucket would hold and moving shares neither creates nor loses requests. When a
 * node has gone (fewer live nodes than at the previous renewal) the shares that grow keep their fill instead (their
 * debt in time): a dead node's tokens are not handed out again, since what it had taken is unknown (a busy node's
 * bucket is empty). The bound: one shared bucket's, plus the demand shifts the nodes have not reported yet (a
 * renewal interval), minus a floor share per node that gets no traffic; a debt is kept for at most
 * RATELIMIT_DEBT_MAX_NS of waiting.
 * One machine (SQLite) does not use this: its buckets are the shared memory file's (limiter.h), exact. */
#ifndef APIKEYS_RATELIMIT_SHARE_H
#define APIKEYS_RATELIMIT_SHARE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_SHARE_SLOTS 1024u         /* limited keys one process can hold (a store has at most 101 live) */
#define RATELIMIT_SHARE_ONE (1u << 20)      /* a share is parts of this */
#define RATELIMIT_DEBT_MAX_NS (600ull * 1000000000ull)
#define RATELIMIT_REPORT_MAX 128u           /* keys one renewal reports */

typedef struct ratelimit_slot {
    _Atomic int64_t bucket;                 /* 0: free; else the limiter's bucket id (key_policy.c) */
    _Atomic uint64_t tat;                   /* GCRA's theoretical arrival time, limiter_now_ns() clock */
    _Atomic uint64_t demand;                /* requests of this key this process saw (the verify path counts) */
    _Atomic uint32_t share;                 /* parts of RATELIMIT_SHARE_ONE; 0: not taken yet (default share) */
    uint32_t reported;                      /* lease thread: 1 when it was in the last renewal's report */
    uint64_t demand_then;                   /* lease thread: demand at the previous renewal */
    double per_minute;                      /* lease thread: demand over the last interval, requests a minute */
    uint8_t pad[64 - 8 - 8 - 8 - 4 - 4 - 8 - 8];
} __attribute__((aligned(64))) ratelimit_slot_t;

_Static_assert(sizeof(ratelimit_slot_t) == 64, "one slot, one cache line");

typedef struct ratelimit_shares {
    ratelimit_slot_t *_Atomic slots;        /* NULL: not a node of a shared store (one machine: limiter.h) */
    _Atomic uint32_t default_share;         /* 1 / live nodes, for a key nobody asked for yet */
    uint64_t reported_at_ns;                /* lease thread: when the last report was taken */
    uint32_t other_nodes;                   /* lease thread: the other live nodes at the last renewal */
} ratelimit_shares_t;

/* A node's demand for one key, and the share it holds of it, as reported at a renewal. */
typedef struct ratelimit_demand {
    int64_t key;                            /* 0: the site key; else the named key's id */
    double per_minute;                      /* requests a minute over the last interval */
    double share;                           /* the share it enforces now, 0..1 */
} ratelimit_demand_t;

/* What the other live nodes reported of one key: their summed demand (requests a minute). */
typedef struct ratelimit_others {
    int64_t key;
    double demand;
} ratelimit_others_t;

/* Makes this process a node that enforces shares (every share 1 until the first renewal says otherwise).
 * 0, or -1 without memory (the caller fails closed: limited keys get 503). */
int ratelimit_shares_start(ratelimit_shares_t *s);
/* Frees the slots; no verification may run any more. */
void ratelimit_shares_stop(ratelimit_shares_t *s);

/* [thread-safe] Takes one token of `bucket` (> 0), a key limited to per_minute (> 0), from this node's share, at
 * now_ns; counts the request as demand. LIMIT_OK, LIMIT_EXCEEDED (*retry_after_s), LIMIT_UNAVAILABLE (no slot). */
int ratelimit_share_take(ratelimit_shares_t *s, int64_t bucket, uint32_t per_minute, uint64_t now_ns,
                         int64_t *retry_after_s);

/* [lease thread] This node's demand per limited key since the previous call, with the shares it holds now (at most
 * max rows; the keys with demand, then the others it holds a share of). Returns the count. */
size_t ratelimit_share_report(ratelimit_shares_t *s, uint64_t now_ns, ratelimit_demand_t *out, size_t max);

/* [lease thread] Takes the shares after a renewal: the other live nodes' number and their summed demand per key
 * (others[0..n)), with this node's report mine[0..n_mine). */
void ratelimit_share_take_shares(ratelimit_shares_t *s, uint32_t other_nodes, const ratelimit_others_t *others,
                                 size_t n, const ratelimit_demand_t *mine, size_t n_mine, uint64_t now_ns);

/* The share s (0..1) a node holds of a key: its demand, the others' summed demand, and the live nodes' number. */
double ratelimit_share_of(double mine, double others, uint32_t nodes);

/* The bucket id of key (0: the site key) and back, as key_policy.c numbers them. */
#define RATELIMIT_SITE_BUCKET (INT64_C(1) << 62)

#endif
