/* bench_verify.c - verify_vs_hash, malformed_vs_hash, unknown_vs_hash: the plugin's auth provider against
 * the physical floor, one bare unkeyed BLAKE2b-256 (crypto_generichash, 32-byte output) of the same key
 * string. Each repetition times the floor and the three cases back to back, and each ratio is taken within
 * one repetition, so a slower moment of the machine moves both sides of a ratio alike. */
#include <sodium.h>
#include <string.h>

#include "auth_provider.h"
#include "bench.h"
#include "key_format.h"

static volatile unsigned bench_sink;

double bench_hash_ns(const char *key, size_t len, size_t n)
{
    unsigned char out[crypto_generichash_BYTES];
    unsigned acc = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        crypto_generichash(out, sizeof out, (const unsigned char *)key, len, NULL, 0);
        acc += out[0];
    }
    uint64_t t1 = bench_now_ns();
    bench_sink += acc;
    return (double)(t1 - t0) / (double)n;
}

double bench_auth_ns(apikeys_state_t *st, const char *key, int32_t expect, size_t n, size_t *unexpected)
{
    size_t bad = 0;
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++)
        bad += bench_authenticate(st, key) != expect;
    uint64_t t1 = bench_now_ns();
    *unexpected += bad;
    return (double)(t1 - t0) / (double)n;
}

void bench_run_hash_ratios(const bench_env_t *env, bench_fixtures_t *fx)
{
    apikeys_state_t *st = fx->one;
    const char *valid = fx->one_key;
    size_t len = strlen(valid);

    char malformed[BENCH_KEY_STRIDE];
    memcpy(malformed, valid, len + 1);
    malformed[len - 1] = malformed[len - 1] == 'a' ? 'b' : 'a'; /* still base62: only the checksum is wrong */
    char unknown[BENCH_KEY_STRIDE];
    key_generate(st->config.key_prefix, st->config.prefix_len, unknown, sizeof unknown);

    if (apikeys_verify_key(st, malformed, len) != DENIAL_MALFORMED ||
        apikeys_verify_key(st, unknown, strlen(unknown)) != DENIAL_UNKNOWN ||
        apikeys_verify_key(st, valid, len) != VERIFY_OK) {
        bench_missing(FIG_VERIFY_VS_HASH, "the fixture keys do not classify as valid/malformed/unknown");
        bench_missing(FIG_MALFORMED_VS_HASH, "see verify_vs_hash");
        bench_missing(FIG_UNKNOWN_VS_HASH, "see verify_vs_hash");
        return;
    }

    enum { MAX_REPS = 31 };
    size_t reps = env->quick ? 5 : 21, n = env->quick ? 20000 : 100000;
    double r_verify[MAX_REPS], r_malformed[MAX_REPS], r_unknown[MAX_REPS];
    double ns_hash[MAX_REPS], ns_verify[MAX_REPS], ns_malformed[MAX_REPS], ns_unknown[MAX_REPS];
    size_t unexpected = 0;

    /* Warm-up: caches, branch predictors, CPU frequency. */
    bench_hash_ns(valid, len, n / 4);
    bench_auth_ns(st, valid, PANEL_AUTH_ALLOW, n / 4, &unexpected);

    for (size_t r = 0; r < reps; r++) {
        ns_hash[r] = bench_hash_ns(valid, len, n);
        ns_verify[r] = bench_auth_ns(st, valid, PANEL_AUTH_ALLOW, n, &unexpected);
        ns_malformed[r] = bench_auth_ns(st, malformed, PANEL_AUTH_DENY, n, &unexpected);
        ns_unknown[r] = bench_auth_ns(st, unknown, PANEL_AUTH_DENY, n, &unexpected);
        r_verify[r] = ns_verify[r] / ns_hash[r];
        r_malformed[r] = ns_malformed[r] / ns_hash[r];
        r_unknown[r] = ns_unknown[r] / ns_hash[r];
    }
    if (unexpected) {
        bench_missing(FIG_VERIFY_VS_HASH, "the auth provider gave unexpected outcomes during the run");
        bench_missing(FIG_MALFORMED_VS_HASH, "see verify_vs_hash");
        bench_missing(FIG_UNKNOWN_VS_HASH, "see verify_vs_hash");
        return;
    }
    bench_set(FIG_VERIFY_VS_HASH, r_verify, reps);
    bench_set(FIG_MALFORMED_VS_HASH, r_malformed, reps);
    bench_set(FIG_UNKNOWN_VS_HASH, r_unknown, reps);
    double hash = bench_median(ns_hash, reps);
    snprintf(bench_figures[FIG_VERIFY_VS_HASH].detail, sizeof bench_figures[0].detail,
             "verify %.0f ns / BLAKE2b-256 of the %zu-byte key %.0f ns", bench_median(ns_verify, reps), len, hash);
    snprintf(bench_figures[FIG_MALFORMED_VS_HASH].detail, sizeof bench_figures[0].detail,
             "bad checksum rejected in %.0f ns / %.0f ns", bench_median(ns_malformed, reps), hash);
    snprintf(bench_figures[FIG_UNKNOWN_VS_HASH].detail, sizeof bench_figures[0].detail,
             "unknown key rejected in %.0f ns / %.0f ns", bench_median(ns_unknown, reps), hash);
    sodium_memzero(malformed, sizeof malformed);
    sodium_memzero(unknown, sizeof unknown);
}
