/* bench_main.c - the benchmark program (issue 6): sets up the plugin fixtures in <build>/bench-data, runs
 * every figure in one run, prints the table (or with --json one JSON object), and exits 1 when a figure
 * misses its "must be" or could not be measured.
 *   bench [--json] [--quick] [--build-dir DIR]      (DIR: where plugins/apikeys.so and sample-host are;
 *                                                    default: the folder this program is in) */
#include <errno.h>
#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: bench [--json] [--quick] [--build-dir DIR]\n"
                 "Measures the API Keys plugin's performance figures (issue 6) side by side and prints a table\n"
                 "(median, min, max of repeated measurements; must be; aim). --json prints one JSON object whose\n"
                 "figures are {\"median\",\"min\",\"max\"} (null when not measured). --quick: fewer repetitions.\n"
                 "DIR holds plugins/apikeys.so and sample-host (default: this program's folder); the bench data\n"
                 "goes to DIR/bench-data. Exit status: 0 when every figure holds its \"must be\", else 1.\n");
}

static int setup_env(bench_env_t *env, const char *build_dir, char *err, size_t err_len)
{
    ssize_t n = readlink("/proc/self/exe", env->self_exe, sizeof env->self_exe - 1);
    if (n <= 0 || (size_t)n >= sizeof env->self_exe - 1) {
        snprintf(err, err_len, "cannot find this program's path");
        return -1;
    }
    env->self_exe[n] = '\0';
    if (!build_dir) {
        char copy[sizeof env->self_exe];
        memcpy(copy, env->self_exe, sizeof copy);
        build_dir = dirname(copy);
        snprintf(env->build_dir, sizeof env->build_dir, "%s", build_dir);
    } else if (!realpath(build_dir, env->build_dir)) {
        snprintf(err, err_len, "build directory %.900s: %s", build_dir, strerror(errno));
        return -1;
    }
    snprintf(env->data_root, sizeof env->data_root, "%s/bench-data", env->build_dir);
    if (mkdir(env->data_root, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "cannot create %.900s: %s", env->data_root, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int json = 0;
    const char *build_dir = NULL;
    bench_env_t env;
    memset(&env, 0, sizeof env);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            env.quick = 1;
        } else if (strcmp(argv[i], "--build-dir") == 0 && i + 1 < argc) {
            build_dir = argv[++i];
        } else if (strcmp(argv[i], "--rss-probe") == 0 && i + 1 < argc) {
            return sodium_init() < 0 ? 1 : bench_rss_probe_main(argv[i + 1]);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "bench: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    char err[1024];
    if (sodium_init() < 0) {
        fprintf(stderr, "bench: libsodium could not be initialised\n");
        return 1;
    }
    if (setup_env(&env, build_dir, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    uint64_t t0 = bench_now_ns();
    bench_progress("setting up 1 and %u stored keys in %s", BENCH_MANY_KEYS, env.data_root);
    bench_fixtures_t fx;
    if (bench_fixtures_open(&env, &fx, err, sizeof err) != 0) {
        fprintf(stderr, "bench: setup failed: %s\n", err);
        bench_fixtures_close(&fx);
        return 1;
    }
    bench_progress("verify / malformed / unknown vs BLAKE2b-256");
    bench_run_hash_ratios(&env, &fx);
    bench_progress("100,000 keys vs 1");
    bench_run_scaling(&env, &fx);
    bench_progress("2 threads vs 1");
    bench_run_threads(&env, &fx);
    bench_progress("the store panels' way (SHA-256 + SELECT + UPDATE per request)");
    bench_run_peer(&env, &fx);
    bench_progress("resident memory per key");
    bench_run_memory(&env, &fx);
    bench_fixtures_close(&fx);
    bench_progress("reset vs one-row commit");
    bench_run_reset(&env);
    bench_progress("load + init + fini + unload");
    bench_run_load(&env);
    bench_progress("HTTP: /api/v1/ping with a key vs /healthz (wrk)");
    bench_run_http(&env);
    bench_progress("done in %.1f s", (double)(bench_now_ns() - t0) / 1e9);

    if (json)
        bench_print_json(stdout);
    else
        bench_print_table(stdout);
    int all_pass = 1;
    for (int i = 0; i < FIG_COUNT; i++)
        all_pass &= bench_passes(&bench_figures[i]);
    return all_pass ? 0 : 1;
}
