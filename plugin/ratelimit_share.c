/* ratelimit_share.c - a node's buckets of its shares of the rate limits, and taking the shares at a renewal (see
 * ratelimit_share.h). */
#include "ratelimit_share.h"

#include <stdlib.h>
#include <string.h>

#include "limiter.h"

#define MINUTE_NS 60000000000ull
#define PROBES 32u
#define GIVEN_UP INT64_C(-1)          /* a slot given up: free for another key, not the end of a probe sequence */
#define IDLE_NS (2 * MINUTE_NS)
#define RATELIMIT_MIN_INTERVAL_NS 250000000ull
#define DEMAND_WEIGHT 0.3 /* of the last interval's measure in the demand reported */

int ratelimit_shares_start(ratelimit_shares_t *s)
{
    ratelimit_slot_t *slots = aligned_alloc(64, RATELIMIT_SHARE_SLOTS * sizeof *slots);
    if (!slots)
        return -1;
    memset(slots, 0, RATELIMIT_SHARE_SLOTS * sizeof *slots);
    atomic_store_explicit(&s->default_share, RATELIMIT_SHARE_ONE, memory_order_relaxed);
    s->reported_at_ns = limiter_now_ns();
    atomic_store_explicit(&s->slots, slots, memory_order_release);
    return 0;
}

void ratelimit_shares_stop(ratelimit_shares_t *s)
{
    free(atomic_exchange_explicit(&s->slots, NULL, memory_order_acq_rel));
}

static size_t home_of(int64_t bucket)
{
    uint64_t x = (uint64_t)bucket * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 40) & (RATELIMIT_SHARE_SLOTS - 1);
}

/* The slot of bucket, claimed when new (the first free or given-up slot of its probe sequence, which ends at a free
 * one); NULL when every probed slot is another key's. */
static ratelimit_slot_t *slot_of(ratelimit_slot_t *slots, int64_t bucket)
{
    size_t home = home_of(bucket);
    for (int attempt = 0; attempt < 2; attempt++) {
        ratelimit_slot_t *claim = NULL;
        for (unsigned i = 0; i < PROBES; i++) {
            ratelimit_slot_t *slot = &slots[(home + i) & (RATELIMIT_SHARE_SLOTS - 1)];
            int64_t seen = atomic_load_explicit(&slot->bucket, memory_order_acquire);
            if (seen == bucket)
                return slot;
            if ((seen == 0 || seen == GIVEN_UP) && !claim)
                claim = slot;
            if (seen == 0)
                break;
        }
        if (!claim)
            return NULL;
        int64_t expected = atomic_load_explicit(&claim->bucket, memory_order_acquire);
        if ((expected == 0 || expected == GIVEN_UP) &&
            atomic_compare_exchange_strong(&claim->bucket, &expected, bucket))
            return claim;
        if (expected == bucket)
            return claim;
    }
    return NULL;
}

/* [lease thread] Gives up the slot of a key idle for IDLE_NS (its bucket full again, so nothing is lost): a slot of
 * a revoked named key is used again, and the table never fills. It stays in its probe sequences (GIVEN_UP, which a
 * new key may claim), so no key further along one is lost. */
static void give_up_if_idle(ratelimit_slot_t *slot, uint64_t now_ns)
{
    if (slot->per_minute > 0 || atomic_load_explicit(&slot->tat, memory_order_relaxed) + IDLE_NS > now_ns)
        return;
    atomic_store_explicit(&slot->share, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->tat, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->bucket, GIVEN_UP, memory_order_release);
}

static uint32_t effective_share(const ratelimit_shares_t *s, const ratelimit_slot_t *slot)
{
    uint32_t share = atomic_load_explicit(&slot->share, memory_order_relaxed);
    return share ? share : atomic_load_explicit(&s->default_share, memory_order_relaxed);
}

int ratelimit_share_take(ratelimit_shares_t *s, int64_t bucket, uint32_t per_minute, uint64_t now_ns,
                         int64_t *retry_after_s)
{
    ratelimit_slot_t *slots = atomic_load_explicit(&s->slots, memory_order_acquire);
    ratelimit_slot_t *slot = slots && bucket > 0 && per_minute ? slot_of(slots, bucket) : NULL;
    if (!slot)
        return LIMIT_UNAVAILABLE;
    atomic_fetch_add_explicit(&slot->demand, 1, memory_order_relaxed);
    /* GCRA at rate per_minute x share: period T = 1 min / (per_minute x share); the capacity is one minute of that
     * rate (at least one request). */
    uint64_t share = effective_share(s, slot);
    uint64_t period = MINUTE_NS * RATELIMIT_SHARE_ONE / ((uint64_t)per_minute * share);
    uint64_t horizon = period > MINUTE_NS ? period : MINUTE_NS;
    for (;;) {
        uint64_t old = atomic_load_explicit(&slot->tat, memory_order_relaxed);
        uint64_t start = old > now_ns ? old : now_ns;
        uint64_t next = start + period;
        if (next - now_ns > horizon) {
            uint64_t wait = next - now_ns - horizon;
            *retry_after_s = (int64_t)((wait + 999999999ull) / 1000000000ull);
            return LIMIT_EXCEEDED;
        }
        if (atomic_compare_exchange_weak_explicit(&slot->tat, &old, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            return LIMIT_OK;
    }
}

static int64_t key_of(int64_t bucket)
{
    return bucket - RATELIMIT_SITE_BUCKET;
}

size_t ratelimit_share_report(ratelimit_shares_t *s, uint64_t now_ns, ratelimit_demand_t *out, size_t max)
{
    ratelimit_slot_t *slots = atomic_load_explicit(&s->slots, memory_order_acquire);
    if (!slots)
        return 0;
    double minutes = (double)(now_ns - s->reported_at_ns) / (double)MINUTE_NS;
    /* A renewal right after another (one that found a newer change and is repeated at once) reports the demand
     * measured before: a few milliseconds would say little. */
    int measure = now_ns - s->reported_at_ns >= RATELIMIT_MIN_INTERVAL_NS;
    if (measure)
        s->reported_at_ns = now_ns;
    for (size_t i = 0; i < RATELIMIT_SHARE_SLOTS && measure; i++) {
        ratelimit_slot_t *slot = &slots[i];
        uint64_t demand = atomic_load_explicit(&slot->demand, memory_order_relaxed);
        double measured = minutes > 0 ? (double)(demand - slot->demand_then) / minutes : 0;
        /* Smoothed: a renewal interval holds a handful of requests, whose count jitters by one or two, and each
         * change of share moves requests between the nodes' buckets. A key newly asked for takes its measure. */
        slot->per_minute = slot->per_minute > 0 ? DEMAND_WEIGHT * measured + (1 - DEMAND_WEIGHT) * slot->per_minute
                                                : measured;
        if (measured == 0 && slot->per_minute < 1)
            slot->per_minute = 0; /* idle now */
        slot->demand_then = demand;
    }
    size_t n = 0;
    /* The keys asked for in this interval first, so a full report leaves out only idle ones. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < RATELIMIT_SHARE_SLOTS && n < max; i++) {
            ratelimit_slot_t *slot = &slots[i];
            if (pass == 0)
                slot->reported = 0;
            int64_t bucket = atomic_load_explicit(&slot->bucket, memory_order_acquire);
            int busy = slot->per_minute > 0;
            if (bucket <= 0 || (pass == 0 ? !busy : busy || !atomic_load(&slot->share)))
                continue;
            slot->reported = 1;
            out[n].key = key_of(bucket);
            out[n].per_minute = slot->per_minute;
            out[n].share = (double)effective_share(s, slot) / RATELIMIT_SHARE_ONE;
            n++;
        }
    return n;
}

double ratelimit_share_of(double mine, double others, uint32_t nodes)
{
    if (nodes <= 1)
        return 1.0;
    double floor = 0.5 / nodes < 0.02 ? 0.5 / nodes : 0.02;
    double total = mine + others;
    if (!(total > 0))
        return 1.0 / nodes;
    return floor + (1.0 - nodes * floor) * mine / total;
}

/* Sets a slot's share. A bucket keeps the requests it owes: a debt of D ns at the old rate is D x old / new at the
 * new one (bounded by RATELIMIT_DEBT_MAX_NS); when keep_fill, a share that grows keeps its debt in time instead (up
 * to an empty bucket; requests owed beyond that stay owed). */
static void set_share(ratelimit_shares_t *s, ratelimit_slot_t *slot, double share, int keep_fill, uint64_t now_ns)
{
    uint64_t next = (uint64_t)(share * RATELIMIT_SHARE_ONE + 0.5);
    next = next < 1 ? 1 : next > RATELIMIT_SHARE_ONE ? RATELIMIT_SHARE_ONE : next;
    uint32_t before = effective_share(s, slot);
    atomic_store_explicit(&slot->share, (uint32_t)next, memory_order_relaxed);
    if (before == next)
        return;
    for (;;) {
        uint64_t old = atomic_load_explicit(&slot->tat, memory_order_relaxed);
        if (old <= now_ns)
            return; /* a full bucket: full at the new rate too */
        double debt = (double)(old - now_ns) * before / (double)next;
        if (keep_fill && next > before) /* its tokens stay a fraction of its capacity; what it owes beyond it, owed */
            debt = old - now_ns <= MINUTE_NS ? (double)(old - now_ns)
                                             : (double)MINUTE_NS + (double)(old - now_ns - MINUTE_NS) * before / next;
        uint64_t tat = now_ns + (debt > (double)RATELIMIT_DEBT_MAX_NS ? RATELIMIT_DEBT_MAX_NS : (uint64_t)debt);
        if (atomic_compare_exchange_weak_explicit(&slot->tat, &old, tat, memory_order_relaxed, memory_order_relaxed))
            return;
    }
}

static double mine_of(const ratelimit_demand_t *mine, size_t n_mine, int64_t key)
{
    for (size_t i = 0; i < n_mine; i++)
        if (mine[i].key == key)
            return mine[i].per_minute;
    return 0;
}

void ratelimit_share_take_shares(ratelimit_shares_t *s, uint32_t other_nodes, const ratelimit_others_t *others,
                                 size_t n, const ratelimit_demand_t *mine, size_t n_mine, uint64_t now_ns)
{
    ratelimit_slot_t *slots = atomic_load_explicit(&s->slots, memory_order_acquire);
    if (!slots)
        return;
    uint32_t nodes = other_nodes + 1;
    int node_gone = other_nodes < s->other_nodes;
    s->other_nodes = other_nodes;
    atomic_store_explicit(&s->default_share, (uint32_t)(RATELIMIT_SHARE_ONE / nodes), memory_order_relaxed);
    /* Keys others asked for: this node holds its share of each (the floor when it saw none), so its first requests
     * of such a key take no more than that. */
    for (size_t i = 0; i < n; i++) {
        ratelimit_slot_t *slot = others[i].key >= 0 ? slot_of(slots, others[i].key + RATELIMIT_SITE_BUCKET) : NULL;
        if (slot)
            set_share(s, slot, ratelimit_share_of(mine_of(mine, n_mine, others[i].key), others[i].demand, nodes),
                      node_gone, now_ns);
    }
    /* Keys only this node asked for, or nobody. */
    for (size_t i = 0; i < RATELIMIT_SHARE_SLOTS; i++) {
        ratelimit_slot_t *slot = &slots[i];
        int64_t bucket = atomic_load_explicit(&slot->bucket, memory_order_acquire);
        if (bucket <= 0)
            continue;
        int64_t key = key_of(bucket);
        int asked_by_others = 0;
        for (size_t j = 0; j < n && !asked_by_others; j++)
            asked_by_others = others[j].key == key;
        if (!asked_by_others) {
            set_share(s, slot, ratelimit_share_of(slot->reported ? slot->per_minute : 0, 0, nodes), node_gone,
                      now_ns);
            give_up_if_idle(slot, now_ns);
        }
    }
}
