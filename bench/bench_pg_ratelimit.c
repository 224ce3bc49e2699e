/* bench_pg_ratelimit.c - the figure pg_ratelimit_accuracy (issue 23, item 1): a named key limited to 600 requests a
 * minute on the three PostgreSQL nodes of the part "pg", sent 90 requests a second split 70/20/10 over them (open
 * loop, through each node's auth provider) for 30 s (10 s with --quick); the requests accepted over the one-bucket
 * allowance, burst + limit x minutes (900 over 30 s). 1.00 is one shared limit; nodes counting alone gave 1.90. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_pg.h"

#define LIMIT_PER_MINUTE 600

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_pg_ratelimit_accuracy(const bench_env_t *env, bench_pg_node_t *nodes)
{
    char err[512], key[BENCH_KEY_STRIDE];
    if (bench_add_named(nodes[0].st, 1, "store.read", "", LIMIT_PER_MINUTE, key, err, sizeof err) != PANEL_OK) {
        bench_missing(FIG_PG_RATELIMIT_ACCURACY, err);
        return;
    }
    static const double rates[BENCH_PG_NODES] = {63, 18, 9}; /* per second: 90, split 70/20/10 */
    double seconds = env->quick ? 10 : 30, start = now_s(), elapsed;
    long sent[BENCH_PG_NODES] = {0}, accepted[BENCH_PG_NODES] = {0}, other = 0;
    while ((elapsed = now_s() - start) < seconds) {
        for (int i = 0; i < BENCH_PG_NODES; i++)
            while (sent[i] < (long)(rates[i] * elapsed)) {
                int32_t outcome = bench_authenticate_from(nodes[i].st, key, "127.0.0.1", "store.read");
                sent[i]++;
                accepted[i] += outcome == PANEL_AUTH_ALLOW;
                other += outcome != PANEL_AUTH_ALLOW && outcome != PANEL_AUTH_DENY;
            }
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
    sodium_memzero(key, sizeof key);
    if (other) {
        bench_missing(FIG_PG_RATELIMIT_ACCURACY, "a request had an unexpected outcome during the run");
        return;
    }
    double allowance = LIMIT_PER_MINUTE + LIMIT_PER_MINUTE * seconds / 60.0;
    double ratio = (double)(accepted[0] + accepted[1] + accepted[2]) / allowance;
    bench_set(FIG_PG_RATELIMIT_ACCURACY, &ratio, 1);
    snprintf(bench_figures[FIG_PG_RATELIMIT_ACCURACY].detail, sizeof bench_figures[0].detail,
             "accepted %ld (a %ld/%ld, b %ld/%ld, c %ld/%ld) of an allowance of %.0f (600/min, %.0f s)",
             accepted[0] + accepted[1] + accepted[2], accepted[0], sent[0], accepted[1], sent[1], accepted[2], sent[2],
             allowance, seconds);
    bench_progress("pg_ratelimit_accuracy %.3f", ratio);
}
