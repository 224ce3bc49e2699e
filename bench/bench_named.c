/* bench_named.c - the named keys' figures:
 *   verify_policy_vs_hash: a named key with 2 scopes, 4 CIDRs and a rate limit, verified through the plugin's
 *     auth provider (the route's scope is its second scope, the client address inside its fourth CIDR), over
 *     one bare BLAKE2b-256 of the same key string; timed as verify_vs_hash is (bench_hash_ns and the same
 *     kind of auth loop back to back in each repetition, the ratio taken within the repetition).
 *   keys_100_vs_1: ns per verification with 100 named keys, each presented key drawn at random from them,
 *     over ns per verification with 1 named key; timed as keys_100k_vs_1 is (both sides read their presented
 *     keys from an array of the same size in the same order, alternating which side runs first).
 * Every named key here has the same policy, so keys_100_vs_1 differs only in how many keys there are.
 *
 * The rate limit is exact (plugin/limiter.c: GCRA, a burst of N, refilled at N a minute), and the highest one
 * an owner can set, KEY_RATE_LIMIT_MAX (1,000,000 a minute), is below what a run of verify_vs_hash's size sends
 * (21 x 100,000): so each figure sends one key at most POLICY_BUDGET requests, which its fresh bucket (a fresh
 * data directory per run) grants without counting on any refill; a refusal would show as a missing figure.
 * Each figure gets its own data directory, so its own limiter file and buckets. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "key_policy.h"

#define NAMED_SCOPES "store.read,deliveries.pull"
#define NAMED_SCOPE "deliveries.pull"                     /* the route's scope: the key's second */
#define NAMED_CIDRS "10.0.0.0/8,192.168.0.0/16,2001:db8::/32,203.0.113.0/24"
#define NAMED_CLIENT "203.0.113.7"                        /* inside the fourth CIDR */
#define NAMED_RATE KEY_RATE_LIMIT_MAX                     /* 1,000,000 a minute */
#define NAMED_MANY 100u                                   /* STORE_NAMED_MAX: the most a store keeps */

/* What one key may be sent in one run: below its bucket's burst, with room for the fixture checks. */
#define POLICY_BUDGET (NAMED_RATE - 50000u)

/* verify_policy_vs_hash: repetitions x rounds (+ a quarter-size warm-up) per key. */
#define POLICY_REPS 21u
#define POLICY_ROUNDS 40000u
#define POLICY_REPS_QUICK 5u
#define POLICY_ROUNDS_QUICK 10000u
_Static_assert(POLICY_REPS * POLICY_ROUNDS + POLICY_ROUNDS / 4 <= POLICY_BUDGET,
               "verify_policy_vs_hash sends its key no more than its rate limit grants");

/* keys_100_vs_1: repetitions x presented keys (+ a quarter-size warm-up); the 1-key side sends all to one key. */
#define MANY_REPS 11u
#define MANY_PRESENTED 64000u
#define MANY_REPS_QUICK 3u
#define MANY_PRESENTED_QUICK 16000u
_Static_assert(MANY_REPS * MANY_PRESENTED + MANY_PRESENTED / 4 <= POLICY_BUDGET,
               "keys_100_vs_1 sends its single key no more than its rate limit grants");

/* A state on a fresh data directory `name`: the API enabled (a site key) and n named keys with the policy
 * above, their plaintexts into keys (n * BENCH_KEY_STRIDE bytes), each checked to be allowed once; the site
 * key's plaintext into site_key. NULL with the reason in err. */
static apikeys_state_t *open_named(const bench_env_t *env, const char *name, size_t n, char *keys, char *site_key,
                                   char *err, size_t err_len)
{
    char dir[2400];
    apikeys_state_t *st = NULL;
    if (bench_fresh_dir(env, name, dir, sizeof dir) != 0) {
        snprintf(err, err_len, "cannot create the bench data directory %s under %.900s", name, env->data_root);
        return NULL;
    }
    if (bench_open_state(dir, &st, err, err_len) != PANEL_OK || bench_enable(st, site_key, err, err_len) != PANEL_OK ||
        bench_add_named(st, n, NAMED_SCOPES, NAMED_CIDRS, NAMED_RATE, keys, err, err_len) != PANEL_OK) {
        apikeys_state_close(st);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (bench_authenticate_from(st, keys + i * BENCH_KEY_STRIDE, NAMED_CLIENT, NAMED_SCOPE) != PANEL_AUTH_ALLOW) {
            snprintf(err, err_len, "named key %zu of \"%s\" is refused by the auth provider", i + 1, name);
            apikeys_state_close(st);
            return NULL;
        }
    /* The policy is really checked: the same key from outside its CIDRs and on a scope it lacks is refused. */
    if (bench_authenticate_from(st, keys, "198.51.100.1", NAMED_SCOPE) != PANEL_AUTH_DENY ||
        bench_authenticate_from(st, keys, NAMED_CLIENT, "store.write") != PANEL_AUTH_DENY) {
        snprintf(err, err_len, "named key 1 of \"%s\" is allowed outside its CIDRs or scopes", name);
        apikeys_state_close(st);
        return NULL;
    }
    return st;
}

/* ns per authentication of key from NAMED_CLIENT on a NAMED_SCOPE route over n rounds (*refused counts the
 * outcomes other than ALLOW). */
static double policy_auth_ns(apikeys_state_t *st, const char *key, size_t n, size_t *refused)
{
    size_t bad = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++)
        bad += bench_authenticate_from(st, key, NAMED_CLIENT, NAMED_SCOPE) != PANEL_AUTH_ALLOW;
    uint64_t t1 = bench_now_ns();
    *refused += bad;
    return (double)(t1 - t0) / (double)n;
}

/* ns per verification over the whole array of presented keys (keys_100k_vs_1's pass, with the request above). */
static double pass_ns(apikeys_state_t *st, const char *keys, size_t n, size_t *refused)
{
    size_t bad = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++)
        bad += bench_authenticate_from(st, keys + i * BENCH_KEY_STRIDE, NAMED_CLIENT, NAMED_SCOPE) !=
               PANEL_AUTH_ALLOW;
    uint64_t t1 = bench_now_ns();
    *refused += bad;
    return (double)(t1 - t0) / (double)n;
}

static void run_policy_vs_hash(const bench_env_t *env)
{
    char err[1024], key[BENCH_KEY_STRIDE], site_key[BENCH_KEY_STRIDE];
    apikeys_state_t *st = open_named(env, "named_policy", 1, key, site_key, err, sizeof err);
    if (!st) {
        bench_missing(FIG_VERIFY_POLICY_VS_HASH, err);
        return;
    }
    size_t len = strlen(key);
    size_t reps = env->quick ? POLICY_REPS_QUICK : POLICY_REPS, n = env->quick ? POLICY_ROUNDS_QUICK : POLICY_ROUNDS;
    double ratio[POLICY_REPS], ns_hash[POLICY_REPS], ns_policy[POLICY_REPS], ns_site[POLICY_REPS];
    size_t refused = 0, site_unexpected = 0;

    bench_hash_ns(key, len, n / 4); /* warm-up: caches, branch predictors, CPU frequency */
    policy_auth_ns(st, key, n / 4, &refused);
    for (size_t r = 0; r < reps; r++) {
        ns_hash[r] = bench_hash_ns(key, len, n);
        ns_policy[r] = policy_auth_ns(st, key, n, &refused);
        /* For the detail only: the site key (no policy) of the same state, same request. */
        ns_site[r] = bench_auth_ns(st, site_key, PANEL_AUTH_ALLOW, n, &site_unexpected);
        ratio[r] = ns_policy[r] / ns_hash[r];
    }
    apikeys_state_close(st);
    sodium_memzero(key, sizeof key);
    sodium_memzero(site_key, sizeof site_key);
    if (refused || site_unexpected) {
        snprintf(err, sizeof err, "the auth provider refused %zu of the named key's and %zu of the site key's requests",
                 refused, site_unexpected);
        bench_missing(FIG_VERIFY_POLICY_VS_HASH, err);
        return;
    }
    bench_set(FIG_VERIFY_POLICY_VS_HASH, ratio, reps);
    snprintf(bench_figures[FIG_VERIFY_POLICY_VS_HASH].detail, sizeof bench_figures[0].detail,
             "named key (2 scopes, 4 CIDRs, %u/min) %.0f ns / BLAKE2b-256 of the %zu-byte key %.0f ns (site key, no "
             "policy: %.0f ns); %zu x %zu rounds",
             NAMED_RATE, bench_median(ns_policy, reps), len, bench_median(ns_hash, reps), bench_median(ns_site, reps),
             reps, n);
}

static void run_keys_100_vs_1(const bench_env_t *env)
{
    char err[1024], site_key[BENCH_KEY_STRIDE], one_key[BENCH_KEY_STRIDE];
    size_t n = env->quick ? MANY_PRESENTED_QUICK : MANY_PRESENTED;
    char *many_keys = calloc(NAMED_MANY, BENCH_KEY_STRIDE);
    char *single = malloc(n * BENCH_KEY_STRIDE), *random_keys = malloc(n * BENCH_KEY_STRIDE);
    apikeys_state_t *one = NULL, *many = NULL;
    if (!many_keys || !single || !random_keys) {
        bench_missing(FIG_KEYS_100_VS_1, "out of memory");
        goto out;
    }
    one = open_named(env, "named_1", 1, one_key, site_key, err, sizeof err);
    if (one)
        many = open_named(env, "named_100", NAMED_MANY, many_keys, site_key, err, sizeof err);
    if (!one || !many) {
        bench_missing(FIG_KEYS_100_VS_1, err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(single + i * BENCH_KEY_STRIDE, one_key, BENCH_KEY_STRIDE);
        uint32_t pick = randombytes_uniform(NAMED_MANY);
        memcpy(random_keys + i * BENCH_KEY_STRIDE, many_keys + (size_t)pick * BENCH_KEY_STRIDE, BENCH_KEY_STRIDE);
    }
    size_t reps = env->quick ? MANY_REPS_QUICK : MANY_REPS, refused = 0;
    double ratio[MANY_REPS], ns_one[MANY_REPS], ns_many[MANY_REPS];
    pass_ns(one, single, n / 4, &refused); /* warm-up */
    pass_ns(many, random_keys, n / 4, &refused);
    for (size_t r = 0; r < reps; r++) {
        /* Alternate the order so neither side always runs right after the other's cache footprint. */
        if (r % 2) {
            ns_many[r] = pass_ns(many, random_keys, n, &refused);
            ns_one[r] = pass_ns(one, single, n, &refused);
        } else {
            ns_one[r] = pass_ns(one, single, n, &refused);
            ns_many[r] = pass_ns(many, random_keys, n, &refused);
        }
        ratio[r] = ns_many[r] / ns_one[r]; /* time ratio: above 1 means 100 keys cost more */
    }
    if (refused) {
        snprintf(err, sizeof err, "the auth provider refused %zu named-key requests during the run", refused);
        bench_missing(FIG_KEYS_100_VS_1, err);
        goto out;
    }
    bench_set(FIG_KEYS_100_VS_1, ratio, reps);
    snprintf(bench_figures[FIG_KEYS_100_VS_1].detail, sizeof bench_figures[0].detail,
             "%.0f ns with %u named keys (random) / %.0f ns with 1 named key; each 2 scopes, 4 CIDRs, %u/min",
             bench_median(ns_many, reps), NAMED_MANY, bench_median(ns_one, reps), NAMED_RATE);
out:
    apikeys_state_close(one);
    apikeys_state_close(many);
    sodium_memzero(one_key, sizeof one_key);
    sodium_memzero(site_key, sizeof site_key);
    if (many_keys)
        sodium_memzero(many_keys, NAMED_MANY * BENCH_KEY_STRIDE);
    if (single)
        sodium_memzero(single, n * BENCH_KEY_STRIDE);
    if (random_keys)
        sodium_memzero(random_keys, n * BENCH_KEY_STRIDE);
    free(many_keys);
    free(single);
    free(random_keys);
}

void bench_run_named(const bench_env_t *env)
{
    run_policy_vs_hash(env);
    run_keys_100_vs_1(env);
}
