/* bench_memory.c - bytes_per_key: resident memory (/proc/self/statm) that opening the plugin state adds
 * with 100,000 stored keys, minus what it adds with one key, per extra key. Each opening runs in a fresh
 * child process (this program with --rss-probe DIR), so memory freed earlier in the run cannot hide or
 * inflate the growth. */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

static long resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = -1;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = -1;
        fclose(f);
    }
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

int bench_rss_probe_main(const char *dir)
{
    char err[512];
    long before = resident_bytes();
    apikeys_state_t *st = NULL;
    if (bench_open_state(dir, &st, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "bench: rss probe: %s\n", err);
        return 1;
    }
    long after = resident_bytes();
    keyring_t *ring = guard_current(&st->guard);
    printf("%ld %zu %zu\n", after - before, ring ? keyring_memory(ring) : 0u, ring ? ring->count : 0u);
    apikeys_state_close(st);
    return before < 0 || after < 0;
}

/* Runs one probe child; 0 with its numbers, or -1. */
static int probe(const bench_env_t *env, const char *dir, double *rss, double *ring_bytes, double *keys)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *argv[] = {(char *)env->self_exe, (char *)"--rss-probe", (char *)dir, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, env->self_exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    FILE *f = fdopen(fds[0], "r");
    int got = f ? fscanf(f, "%lf %lf %lf", rss, ring_bytes, keys) : 0;
    if (f)
        fclose(f);
    else
        close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return got == 3 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void bench_run_memory(const bench_env_t *env, bench_fixtures_t *fx)
{
    enum { MAX_REPS = 9 };
    size_t reps = env->quick ? 1 : 5;
    double per_key[MAX_REPS], ring_per_key = 0;
    for (size_t r = 0; r < reps; r++) {
        double rss_one, rss_many, ring_one, ring_many, keys_one, keys_many;
        if (probe(env, fx->one_dir, &rss_one, &ring_one, &keys_one) != 0 ||
            probe(env, fx->many_dir, &rss_many, &ring_many, &keys_many) != 0) {
            bench_missing(FIG_BYTES_PER_KEY, "the memory probe child failed");
            return;
        }
        /* Per stored key (the keyring's own count may include empty table slots). */
        double extra_keys = (double)fx->many_count - 1.0;
        per_key[r] = (rss_many - rss_one) / extra_keys;
        ring_per_key = (ring_many - ring_one) / extra_keys;
    }
    bench_set(FIG_BYTES_PER_KEY, per_key, reps);
    snprintf(bench_figures[FIG_BYTES_PER_KEY].detail, sizeof bench_figures[0].detail,
             "RSS growth of opening 100,000 keys vs 1 (statm); keyring itself %.0f B/key", ring_per_key);
}
