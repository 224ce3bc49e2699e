/* bench_main.c - the benchmark program (issues 6 and 14): sets up the plugin fixtures in <build>/bench-data, runs
 * every figure in one run, prints the table (or with --json one JSON object), and exits 1 when a figure
 * misses its "must be" or could not be measured (a figure skipped because a tool is not installed, with the
 * reason printed, is neither).
 *   bench [--json] [--quick] [--only PART] [--build-dir DIR]   (DIR: where plugins/apikeys.so and
 *   sample-host are; default: the folder this program is in. PART: run one part, e.g. under perf) */
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
    fprintf(out, "Usage: bench [--json] [--quick] [--only PART] [--build-dir DIR]\n"
                 "Measures the API Keys plugin's performance figures (issue 6) side by side and prints a table\n"
                 "(median, min, max of repeated measurements; must be; aim). --json prints one JSON object whose\n"
                 "figures are {\"median\",\"min\",\"max\"} (null when not measured). --quick: fewer repetitions.\n"
                 "DIR holds plugins/apikeys.so and sample-host (default: this program's folder); the bench data\n"
                 "goes to DIR/bench-data. --only PART runs one part (for profiling): hash, scaling, threads, peer,\n"
                 "memory, pg, named, reset, usage, load, http, php (pg starts its own PostgreSQL 15 and is skipped, saying\n"
                 "why, when it or socat is not installed; named: verify_policy_vs_hash and keys_100_vs_1, on data\n"
                 "directories of their own; php, run from the repository root, starts nginx + php-fpm and is skipped\n"
                 "likewise without them). Exit status: 0 when every figure holds its \"must be\" or is skipped,\n"
                 "else 1.\n");
}

/* The machine's load, for the progress lines: figures that need both cores are unreliable when busy. */
static void note_load(const char *when)
{
    char line[128] = "";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    bench_progress("load average %s: %s (threads2_vs_1 and http_auth_vs_open need an otherwise idle machine)",
                   when, line);
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
    const char *build_dir = NULL, *only = NULL;
    bench_env_t env;
    memset(&env, 0, sizeof env);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--quick") == 0) {
            env.quick = 1;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
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
    note_load("at start");
    static const struct {
        const char *part, *what;
        void (*with_fixtures)(const bench_env_t *, bench_fixtures_t *);
        void (*alone)(const bench_env_t *);
    } parts[] = {
        {"hash", "verify / malformed / unknown vs BLAKE2b-256", bench_run_hash_ratios, NULL},
        {"scaling", "100,000 keys vs 1", bench_run_scaling, NULL},
        {"threads", "2 threads vs 1", bench_run_threads, NULL},
        {"peer", "the store panels' way (SHA-256 + SELECT + UPDATE per request)", bench_run_peer, NULL},
        {"memory", "resident memory per key", bench_run_memory, NULL},
        {"pg", "PostgreSQL: verification on a node, reset with 3 nodes, reset with a node cut off", bench_run_pg,
         NULL},
        {"named", "named keys: a key with scopes, allowed IPs and a rate limit vs BLAKE2b-256; 100 named keys vs 1",
         NULL, bench_run_named},
        {"reset", "reset vs one-row commit", NULL, bench_run_reset},
        {"usage", "one usage flush: 100 keys over 24 hours of usage rows", NULL, bench_run_usage},
        {"load", "load + init + fini + unload", NULL, bench_run_load},
        {"http", "HTTP: /api/v1/ping with a key vs /healthz (polling client)", NULL, bench_run_http},
        {"php", "PHP: nginx + php-fpm, /api/v1/ping with a key vs a plain PHP route; first and later requests", NULL,
         bench_run_php},
    };
    const size_t n_parts = sizeof parts / sizeof parts[0];
    int known = !only, need_fixtures = 0;
    for (size_t i = 0; i < n_parts; i++) {
        int selected = !only || strcmp(only, parts[i].part) == 0;
        known |= selected;
        need_fixtures |= selected && parts[i].with_fixtures;
    }
    if (!known) {
        fprintf(stderr, "bench: unknown part '%s'\n", only);
        usage(stderr);
        return 2;
    }
    bench_fixtures_t fx;
    memset(&fx, 0, sizeof fx);
    if (need_fixtures) {
        bench_progress("setting up 1 and %u stored keys in %s", BENCH_MANY_KEYS, env.data_root);
        if (bench_fixtures_open(&env, &fx, err, sizeof err) != 0) {
            fprintf(stderr, "bench: setup failed: %s\n", err);
            bench_fixtures_close(&fx);
            return 1;
        }
    }
    for (size_t i = 0; i < n_parts; i++) {
        if (only && strcmp(only, parts[i].part) != 0)
            continue;
        if (!parts[i].with_fixtures && need_fixtures) { /* the fixtures' states are closed before the rest */
            bench_fixtures_close(&fx);
            need_fixtures = 0;
        }
        bench_progress("%s", parts[i].what);
        if (parts[i].with_fixtures)
            parts[i].with_fixtures(&env, &fx);
        else
            parts[i].alone(&env);
    }
    if (need_fixtures)
        bench_fixtures_close(&fx);
    note_load("at end");
    bench_progress("done in %.1f s", (double)(bench_now_ns() - t0) / 1e9);

    if (json)
        bench_print_json(stdout);
    else
        bench_print_table(stdout);
    int all_pass = 1;
    for (int i = 0; i < FIG_COUNT; i++)
        all_pass &= bench_passes(&bench_figures[i]) || bench_figures[i].skipped ||
                    (only && !bench_figures[i].measured);
    return all_pass ? 0 : 1;
}
