/* usage_records.c - the per-thread side of usage counting (see usage.h): a guard slot's records of the key
 * values its holder verified (counts, last caller), where a record hands its counts when it must make room or its
 * ring is left (allowed uses to the key's entry, denials to the keyring's per-slot counters), and harvesting them
 * all for the flush. */
#include <string.h>

#include "key_policy.h"
#include "usage.h"

/* The keyring counter index of a denial a found key can get (1..7; keyring_usage_t.counts[0] is unused), or 0. */
static unsigned ring_index(int denial)
{
    switch (denial) {
    case DENIAL_EXPIRED:
        return 1;
    case DENIAL_DISABLED:
        return 2;
    case DENIAL_IP_NOT_ALLOWED:
        return 3;
    case DENIAL_RATE_LIMITED:
        return 4;
    case DENIAL_TOO_MANY_INVALID:
        return 5;
    case DENIAL_LIMITER_UNAVAILABLE:
        return 6;
    case DENIAL_SCOPE:
        return 7;
    default:
        return 0;
    }
}

/* The usage label of a value: the named key's id, or STORE_USAGE_SITE / STORE_USAGE_SITE_PREVIOUS. */
static int64_t usage_label(const keyring_t *ring, const keyring_entry_t *e)
{
    if (e->named && e->named <= ring->n_named)
        return ring->named[e->named - 1].named_id;
    return e->expires_at != 0 ? STORE_USAGE_SITE_PREVIOUS : STORE_USAGE_SITE;
}

static void usage_copy_addr(char out[STORE_ADDR_MAX], const char *addr)
{
    size_t n = addr ? strnlen(addr, STORE_ADDR_MAX - 1) : 0;
    memcpy(out, addr ? addr : "", n);
    out[n] = '\0';
}

/* Copies a User-Agent for keeping: at most STORE_AGENT_MAX - 1 bytes, not cutting a UTF-8 character, control
 * characters as '?'. */
static void usage_copy_agent(char out[STORE_AGENT_MAX], const char *agent)
{
    size_t n = agent ? strnlen(agent, STORE_AGENT_MAX) : 0;
    if (n > STORE_AGENT_MAX - 1) {
        n = STORE_AGENT_MAX - 1;
        while (n > 0 && ((unsigned char)agent[n] & 0xC0u) == 0x80u)
            n--; /* the cut would fall inside a UTF-8 character: end before it */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)agent[i];
        out[i] = c < 0x20u || c == 0x7Fu ? '?' : (char)c;
    }
    out[n] = '\0';
}

/* Hands a record's counts to its entry in `ring` (the ring the entry is in) and zeroes them: the allowed uses to
 * the entry itself (its line is in cache: the digest was just compared), denials (rare) to the ring's counters. */
static void spill(usage_record_t *r, keyring_t *ring)
{
    if (r->entry && ring) {
        if (r->u.allowed)
            atomic_fetch_add_explicit(&((keyring_entry_t *)r->entry)->spilled, r->u.allowed, memory_order_relaxed);
        if (r->denials && ring->usage) {
            keyring_usage_t *c = &ring->usage[r->entry - ring->entries];
            for (int d = 0; d < DENIAL_REASONS; d++) {
                unsigned at = ring_index(d);
                if (r->u.denied[d] && at)
                    atomic_fetch_add_explicit(&c->counts[at], (uint32_t)r->u.denied[d], memory_order_relaxed);
            }
        }
    }
    r->entry = NULL;
    r->u.allowed = 0;
    if (r->denials)
        memset(r->u.denied, 0, sizeof r->u.denied);
    r->denials = 0;
}

/* The record for e: its own, else a free one, else the one used longest ago, of those the one with the fewest
 * allowed uses (a value busy this second keeps its record, and its caller, against values seen once); its counts go
 * to the ring. */
static usage_record_t *record_for(usage_record_t recs[USAGE_RECORDS], const keyring_t *ring, const keyring_entry_t *e)
{
    usage_record_t *victim = &recs[0];
    for (unsigned i = 0; i < USAGE_RECORDS; i++) {
        const usage_record_t *r = &recs[i];
        if (r->u.key_id == e->key_id) {
            recs[i].entry = e;
            return &recs[i];
        }
        if (victim->u.key_id != 0 &&
            (r->u.key_id == 0 || r->u.last_at < victim->u.last_at ||
             (r->u.last_at == victim->u.last_at && r->u.allowed < victim->u.allowed)))
            victim = &recs[i];
    }
    spill(victim, (keyring_t *)ring); /* no memset of the whole record: the caller fields are reset one by one */
    victim->entry = e;
    victim->u.key_id = e->key_id;
    victim->u.label = usage_label(ring, e);
    victim->u.last_at = 0;
    victim->u.addr[0] = victim->u.agent[0] = '\0';
    return victim;
}

void usage_count(usage_record_t recs[USAGE_RECORDS], const keyring_t *ring, const keyring_entry_t *e, int denial,
                 int64_t now, const char *client_addr, const panel_request_t *request)
{
    usage_record_t *r;
    if (recs[0].u.key_id == e->key_id && recs[0].entry == e)
        r = &recs[0];
    else if (denial < 0 && usage_count_direct(recs, e, now))
        return; /* many values this second: counted in e's entry, no eviction, caller copy or User-Agent lookup */
    else
        r = record_for(recs, ring, e);
    if (denial >= 0) {
        if (denial < DENIAL_REASONS) {
            r->u.denied[denial]++;
            r->denials = 1;
        }
        return;
    }
    r->u.allowed++;
    if (r->u.last_at == now)
        return; /* the caller is kept once a second: no copy per request */
    r->u.last_at = now;
    atomic_store_explicit(&((keyring_entry_t *)e)->caller_tick, usage_caller_tick(now), memory_order_relaxed);
    usage_copy_addr(r->u.addr, client_addr);
    usage_copy_agent(r->u.agent, request && request->header ? request->header(request, "User-Agent") : NULL);
}

void usage_records_leave(usage_record_t recs[USAGE_RECORDS], keyring_t *old)
{
    for (unsigned i = 0; i < USAGE_RECORDS; i++)
        if (recs[i].entry)
            spill(&recs[i], old);
}

void usage_records_harvest(usage_record_t recs[USAGE_RECORDS], usage_harvest_fn harvest, void *ctx)
{
    for (unsigned i = 0; i < USAGE_RECORDS; i++) {
        usage_record_t *r = &recs[i];
        if (r->u.key_id != 0 && harvest)
            harvest(ctx, &r->u);
        memset(r, 0, sizeof *r); /* [writer] off the hot path */
    }
}

void usage_ring_harvest(keyring_t *ring, usage_harvest_fn harvest, void *ctx)
{
    if (!ring || !ring->usage)
        return;
    static const int reason_of[KEYRING_USAGE_COUNTS] = {
        -1, DENIAL_EXPIRED, DENIAL_DISABLED, DENIAL_IP_NOT_ALLOWED, DENIAL_RATE_LIMITED, DENIAL_TOO_MANY_INVALID,
        DENIAL_LIMITER_UNAVAILABLE, DENIAL_SCOPE};
    for (size_t i = 0; i < ring->slots; i++) { /* every table slot; empty ones hold no key */
        const keyring_entry_t *e = &ring->entries[i];
        if (!e->occupied)
            continue;
        store_usage_t item;
        int any = 0;
        memset(&item, 0, sizeof item);
        if (atomic_load_explicit(&e->spilled, memory_order_relaxed)) {
            item.allowed = atomic_exchange_explicit(&((keyring_entry_t *)e)->spilled, 0, memory_order_relaxed);
            any = item.allowed != 0;
        }
        for (unsigned c = 1; c < KEYRING_USAGE_COUNTS; c++) {
            _Atomic uint32_t *count = &ring->usage[i].counts[c];
            if (!atomic_load_explicit(count, memory_order_relaxed))
                continue; /* most keys have nothing: read, write only what has counts */
            uint32_t n = atomic_exchange_explicit(count, 0, memory_order_relaxed);
            any = 1;
            item.denied[reason_of[c]] = n;
        }
        if (!any || !harvest)
            continue;
        item.key_id = e->key_id;
        item.label = usage_label(ring, e);
        harvest(ctx, &item);
    }
}
