/* bench_threads.c - threads2_vs_1: verification throughput of two threads (pthreads, each verifying the
 * store's valid key through the auth provider) over one thread, on the same plugin state, in wall-clock
 * time. The detail also gives the same ratio in CPU time per verification (each thread's own clock), which
 * shows contention inside the plugin even when other processes share the cores, and the wall-clock
 * scaling of bare BLAKE2b-256 hashing on 2 threads measured in the same repetitions: what the machine itself
 * gives two threads at that moment. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "bench.h"

typedef struct worker {
    apikeys_state_t *st;
    const char *key;
    int hash_only;           /* 1: bare crypto_generichash of the key instead of the auth provider */
    size_t n;
    size_t refused;
    uint64_t cpu_ns;
    volatile unsigned sink;  /* keeps the bare hashing from being optimised away */
    pthread_barrier_t *start;
    pthread_t thread;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    pthread_barrier_wait(w->start);
    struct timespec c0, c1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    size_t bad = 0;
    if (w->hash_only) {
        unsigned char out[crypto_generichash_BYTES];
        unsigned acc = 0;
        size_t len = strlen(w->key);
        for (size_t i = 0; i < w->n; i++) {
            crypto_generichash(out, sizeof out, (const unsigned char *)w->key, len, NULL, 0);
            acc += out[0];
        }
        w->sink = acc;
    } else {
        for (size_t i = 0; i < w->n; i++)
            bad += bench_authenticate(w->st, w->key) != PANEL_AUTH_ALLOW;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    w->refused = bad;
    w->cpu_ns = (uint64_t)((c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec));
    return NULL;
}

/* Verifications per microsecond with `threads` workers doing n each; -1 on failure. *cpu_ns_per_op: CPU
 * time per verification, averaged over the workers. */
static double throughput(apikeys_state_t *st, const char *key, int hash_only, unsigned threads, size_t n,
                         size_t *refused, double *cpu_ns_per_op)
{
    worker_t w[2];
    pthread_barrier_t start;
    if (pthread_barrier_init(&start, NULL, threads + 1) != 0)
        return -1;
    unsigned started = 0;
    for (; started < threads; started++) {
        w[started] = (worker_t){st, key, hash_only, n, 0, 0, 0, &start, 0};
        if (pthread_create(&w[started].thread, NULL, worker_main, &w[started]) != 0)
            break;
    }
    if (started < threads) { /* cannot happen in practice; let the started ones finish */
        for (unsigned i = started; i < threads; i++) {
            w[i] = (worker_t){st, key, hash_only, 0, 0, 0, 0, &start, 0};
            pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
        }
    }
    pthread_barrier_wait(&start);
    uint64_t t0 = bench_now_ns(), cpu = 0;
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(w[i].thread, NULL);
        *refused += w[i].refused;
        cpu += w[i].cpu_ns;
    }
    *cpu_ns_per_op = (double)cpu / ((double)threads * (double)n);
    uint64_t t1 = bench_now_ns();
    pthread_barrier_destroy(&start);
    return (double)threads * (double)n * 1e3 / (double)(t1 - t0);
}

void bench_run_threads(const bench_env_t *env, bench_fixtures_t *fx)
{
    enum { MAX_REPS = 15 };
    size_t reps = env->quick ? 3 : 11, n = env->quick ? 50000 : 300000, refused = 0;
    double ratio[MAX_REPS], one[MAX_REPS], two[MAX_REPS], cpu_ratio[MAX_REPS], machine[MAX_REPS], cpu1, cpu2;
    throughput(fx->one, fx->one_key, 0, 2, n / 4, &refused, &cpu2); /* warm-up */
    for (size_t r = 0; r < reps; r++) {
        if (r % 2) {
            two[r] = throughput(fx->one, fx->one_key, 0, 2, n, &refused, &cpu2);
            one[r] = throughput(fx->one, fx->one_key, 0, 1, n, &refused, &cpu1);
        } else {
            one[r] = throughput(fx->one, fx->one_key, 0, 1, n, &refused, &cpu1);
            two[r] = throughput(fx->one, fx->one_key, 0, 2, n, &refused, &cpu2);
        }
        cpu_ratio[r] = 2.0 * cpu1 / cpu2;
        double hash_cpu, hash1 = throughput(fx->one, fx->one_key, 1, 1, n, &refused, &hash_cpu);
        double hash2 = throughput(fx->one, fx->one_key, 1, 2, n, &refused, &hash_cpu);
        machine[r] = hash2 / hash1;
        if (one[r] <= 0 || two[r] <= 0) {
            bench_missing(FIG_THREADS2_VS_1, "cannot start threads");
            return;
        }
        ratio[r] = two[r] / one[r];
    }
    if (refused) {
        bench_missing(FIG_THREADS2_VS_1, "the valid key was refused during the run");
        return;
    }
    bench_set(FIG_THREADS2_VS_1, ratio, reps);
    snprintf(bench_figures[FIG_THREADS2_VS_1].detail, sizeof bench_figures[0].detail,
             "%.2f M/s on 2 threads / %.2f M/s on 1; CPU-time scaling %.2f; bare BLAKE2b 2 threads / 1 now: %.2f",
             bench_median(two, reps), bench_median(one, reps), bench_median(cpu_ratio, reps),
             bench_median(machine, reps));
}
