/* bench_usage.c - usage_flush_ms (issue 21): the time of one usage flush (apikeys_flush_usage: the guard slots'
 * records and the keyring's counters harvested, then one store transaction) after 100 key values each took
 * requests allowed and denied, on a store whose usage table already holds 24 hours of every key's counts (23
 * earlier hours written through the store's own flush). Reported only (no limit). Repeated: each repetition
 * sends the 100 keys their requests again, then times the one flush. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define USAGE_KEYS 100u
#define USAGE_HOURS 24u
#define USAGE_REPS 9u
#define USAGE_REPS_QUICK 3u
#define USAGE_PER_KEY 10u      /* requests per key and repetition */

/* Writes hour `h` hours ago for every key (ids from 1, as the store gave them) through the store's flush. */
static int32_t fill_hour(apikeys_state_t *st, int64_t now, unsigned h, char *err, size_t err_len)
{
    store_usage_t items[USAGE_KEYS];
    memset(items, 0, sizeof items);
    for (unsigned i = 0; i < USAGE_KEYS; i++) {
        items[i].key_id = (int64_t)i + 1;
        items[i].label = i == 0 ? STORE_USAGE_SITE : STORE_USAGE_SITE_PREVIOUS;
        items[i].allowed = 50 + i;
        items[i].denied[DENIAL_RATE_LIMITED] = i % 7;
    }
    uint64_t denials[DENIAL_REASONS] = {0}, keyless[DENIAL_REASONS] = {0};
    int64_t last[DENIAL_REASONS] = {0};
    denials[DENIAL_UNKNOWN] = keyless[DENIAL_UNKNOWN] = 3;
    const store_flush_t flush = {items, USAGE_KEYS, now - (int64_t)h * 3600, denials, last, keyless};
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = store_flush_usage(&st->store, &flush, err, err_len);
    pthread_mutex_unlock(&st->write_mutex);
    return rc;
}

void bench_run_usage(const bench_env_t *env)
{
    char dir[2400], err[512] = "";
    apikeys_state_t *st = NULL;
    char *keys = calloc(USAGE_KEYS, BENCH_KEY_STRIDE);
    if (!keys || bench_fresh_dir(env, "usage", dir, sizeof dir) != 0 ||
        bench_open_state(dir, &st, err, sizeof err) != PANEL_OK || bench_enable(st, keys, err, sizeof err) != PANEL_OK ||
        bench_add_keys(st, USAGE_KEYS - 1, keys + BENCH_KEY_STRIDE, err, sizeof err) != PANEL_OK) {
        bench_missing(FIG_USAGE_FLUSH_MS, err[0] ? err : "the usage fixture could not be set up");
        goto out;
    }
    int64_t now = apikeys_now(st);
    for (unsigned h = USAGE_HOURS - 1; h >= 1; h--)
        if (fill_hour(st, now, h, err, sizeof err) != PANEL_OK) {
            bench_missing(FIG_USAGE_FLUSH_MS, err);
            goto out;
        }
    size_t reps = env->quick ? USAGE_REPS_QUICK : USAGE_REPS;
    double samples[USAGE_REPS];
    for (size_t r = 0; r < reps; r++) {
        for (unsigned i = 0; i < USAGE_KEYS; i++)
            for (unsigned n = 0; n < USAGE_PER_KEY; n++)
                if (bench_authenticate(st, keys + (size_t)i * BENCH_KEY_STRIDE) != PANEL_AUTH_ALLOW) {
                    bench_missing(FIG_USAGE_FLUSH_MS, "a fixture key was not allowed");
                    goto out;
                }
        uint64_t t0 = bench_now_ns();
        int32_t rc = apikeys_flush_usage(st, err, sizeof err);
        samples[r] = (double)(bench_now_ns() - t0) / 1e6;
        if (rc != PANEL_OK) {
            bench_missing(FIG_USAGE_FLUSH_MS, err);
            goto out;
        }
    }
    bench_set(FIG_USAGE_FLUSH_MS, samples, reps);
    snprintf(bench_figures[FIG_USAGE_FLUSH_MS].detail, sizeof bench_figures[0].detail,
             "one flush of %u key values (%u requests each) over %u hours of usage rows", USAGE_KEYS, USAGE_PER_KEY,
             USAGE_HOURS);
out:
    apikeys_state_close(st);
    free(keys);
}
