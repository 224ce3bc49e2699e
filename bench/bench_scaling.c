/* bench_scaling.c - keys_100k_vs_1: verifications per second with 100,000 stored keys, each presented key
 * drawn at random from them, over verifications per second with one stored key. Both sides read their
 * presented keys from an array of the same size in the same sequential order, so the only difference is
 * which keys the plugin has to find.
 * The same run also measures one DRAM miss on this machine (a dependent pointer chase over 256 MiB, on transparent
 * huge pages as the keyring's table is), and the detail gives the 100,000-key case's extra time per verification in
 * units of it, so the figure can be read against the machine: about 1 means one miss left unhidden. A progress line
 * (not a figure) then gives the part of that extra time that is the SipHash locator per verification (which the
 * one-key store, too small to be placed by locators, does not compute). */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "key_locator.h"

#define PRESENTED 200000u

/* ns per verification over the whole array; *refused counts keys the provider did not allow. */
static double pass_ns(apikeys_state_t *st, const char *keys, size_t n, size_t *refused)
{
    size_t bad = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++)
        bad += bench_authenticate(st, keys + i * BENCH_KEY_STRIDE) != PANEL_AUTH_ALLOW;
    uint64_t t1 = bench_now_ns();
    *refused += bad;
    return (double)(t1 - t0) / (double)n;
}

/* ns per step of a dependent chase through a random cycle over `bytes` (one pointer per 64-byte line): one DRAM
 * miss each. NAN without the memory. */
static double dram_miss_ns(size_t bytes)
{
    size_t lines = bytes / 64, stride = 64 / sizeof(size_t);
    size_t *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return NAN;
#ifdef MADV_HUGEPAGE
    (void)madvise(mem, bytes, MADV_HUGEPAGE);
#endif
    for (size_t i = 0; i < lines; i++)
        mem[i * stride] = i;
    for (size_t i = lines - 1; i > 0; i--) { /* Sattolo: one cycle through every line */
        size_t j = randombytes_uniform((uint32_t)i), t = mem[i * stride];
        mem[i * stride] = mem[j * stride];
        mem[j * stride] = t;
    }
    size_t at = 0, steps = 4000000;
    for (size_t i = 0; i < steps / 4; i++) /* warm the page tables */
        at = mem[at * stride];
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < steps; i++)
        at = mem[at * stride];
    uint64_t t1 = bench_now_ns();
    volatile size_t sink = at;
    (void)sink;
    munmap(mem, bytes);
    return (double)(t1 - t0) / (double)steps;
}

/* ns per SipHash locator as verify_in computes it, n times over the first LOCATOR_KEYS presented keys (which stay
 * in cache: streaming the whole array would time the memory instead). */
#define LOCATOR_KEYS 256u
static double locator_ns(const apikeys_state_t *st, const char *keys, size_t n)
{
    uint64_t sum = 0, t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        const char *key = keys + (i % LOCATOR_KEYS) * BENCH_KEY_STRIDE;
        sum += key_locator(st->locator_key, key, strlen(key));
    }
    uint64_t t1 = bench_now_ns();
    volatile uint64_t sink = sum;
    (void)sink;
    return (double)(t1 - t0) / (double)n;
}

/* The SipHash locator's part of the extra time (a progress line). */
static void split_extra(const bench_env_t *env, bench_fixtures_t *fx, const char *random_keys, size_t n)
{
    enum { SPLIT_REPS = 7 };
    size_t reps = env->quick ? 3 : SPLIT_REPS;
    double hash[SPLIT_REPS];
    for (size_t r = 0; r < reps; r++)
        hash[r] = locator_ns(fx->many, random_keys, n);
    bench_progress("keys_100k_vs_1: of the 100,000-key case's extra time, the SipHash locator (the one-key store, too "
                   "small to be placed by locators, computes none) takes %.0f ns a verification",
                   bench_median(hash, reps));
}

static void report(const bench_env_t *env, const bench_fixtures_t *fx, double *ratio, double *ns_one, double *ns_many,
                   size_t reps);

void bench_run_scaling(const bench_env_t *env, bench_fixtures_t *fx)
{
    size_t n = env->quick ? PRESENTED / 4 : PRESENTED;
    char *single = malloc(n * BENCH_KEY_STRIDE), *random_keys = malloc(n * BENCH_KEY_STRIDE);
    if (!single || !random_keys) {
        free(single);
        free(random_keys);
        bench_missing(FIG_KEYS_100K_VS_1, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(single + i * BENCH_KEY_STRIDE, fx->one_key, BENCH_KEY_STRIDE);
        uint32_t pick = randombytes_uniform((uint32_t)fx->many_count);
        memcpy(random_keys + i * BENCH_KEY_STRIDE, fx->many_keys + (size_t)pick * BENCH_KEY_STRIDE,
               BENCH_KEY_STRIDE);
    }
    enum { MAX_REPS = 15 };
    size_t reps = env->quick ? 3 : 11, refused = 0;
    double ratio[MAX_REPS], ns_one[MAX_REPS], ns_many[MAX_REPS];
    pass_ns(fx->one, single, n / 4, &refused); /* warm-up */
    pass_ns(fx->many, random_keys, n / 4, &refused);
    for (size_t r = 0; r < reps; r++) {
        /* Alternate the order so neither side always runs right after the other's cache footprint. */
        if (r % 2) {
            ns_many[r] = pass_ns(fx->many, random_keys, n, &refused);
            ns_one[r] = pass_ns(fx->one, single, n, &refused);
        } else {
            ns_one[r] = pass_ns(fx->one, single, n, &refused);
            ns_many[r] = pass_ns(fx->many, random_keys, n, &refused);
        }
        ratio[r] = ns_one[r] / ns_many[r]; /* throughput ratio = inverse of the time ratio */
    }
    if (refused) {
        bench_missing(FIG_KEYS_100K_VS_1, "a stored key was refused during the run");
    } else {
        report(env, fx, ratio, ns_one, ns_many, reps);
        split_extra(env, fx, random_keys, n);
    }
    sodium_memzero(single, n * BENCH_KEY_STRIDE);
    sodium_memzero(random_keys, n * BENCH_KEY_STRIDE);
    free(single);
    free(random_keys);
}

/* The figure, its detail and the extra time in DRAM misses. */
static void report(const bench_env_t *env, const bench_fixtures_t *fx, double *ratio, double *ns_one, double *ns_many,
                   size_t reps)
{
    bench_set(FIG_KEYS_100K_VS_1, ratio, reps);
    double one = bench_median(ns_one, reps), many = bench_median(ns_many, reps);
    double miss = dram_miss_ns((size_t)(env->quick ? 64 : 256) << 20);
    snprintf(bench_figures[FIG_KEYS_100K_VS_1].detail, sizeof bench_figures[0].detail,
             "%.2f M/s with %zu keys (random) / %.2f M/s with 1 key; extra %.0f ns = %.2f DRAM misses (one: %.0f ns, "
             "pointer chase over %d MiB)",
             1e3 / many, fx->many_count, 1e3 / one, many - one, (many - one) / miss, miss, env->quick ? 64 : 256);
    bench_progress("keys_100k_vs_1: the 100,000-key case's extra %.0f ns per verification is %.2f DRAM misses of "
                   "this machine (%.0f ns each)",
                   many - one, (many - one) / miss, miss);
}
