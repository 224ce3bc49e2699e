/* bench_http.c - http_auth_vs_open: requests per second of GET /api/v1/ping carrying a valid key over
 * GET /healthz, against one `sample-host serve` on loopback, measured with the bench's own busy-polling
 * client (bench_http_client.c, which says why not wrk). Both paths are sent the very same header (X-API-Key
 * with the valid key), on the same keep-alive connections; they alternate in 0.25 s slices (ABBA order), so
 * drift and passing disturbances fall on both, and the only difference is the path and its key check.
 * The server is pinned to CPU 0 (taskset, util-linux) and the client to CPU 1, so they do not fight for a
 * core, and the server runs one worker thread (`workers = 1`) for its one core: with the default 4 workers
 * on one core, which worker each connection landed on changed from run to run, and so did the number of
 * thread switches per request. The server's CPU time per request of each path is read from
 * /proc/PID/stat, which shows that its core, not the client, is the bottleneck. The data directory is set
 * up through the sample host's own CLI (`action settings/api-key enable`). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"
#include "bench_http_client.h"

extern char **environ;

#define CONNECTIONS 4
#define SLICE_SECONDS 0.25
#define PAIRS 40          /* 40 slices of each path: 20 s */
#define QUICK_PAIRS 3

/* Starts argv with stdout into a new pipe (*out_fd) and stderr to /dev/null. 0 or -1. */
static int start(char *const argv[], pid_t *pid, int *out_fd)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    *out_fd = fds[0];
    return 0;
}

/* Runs argv to completion, its stdout into out (NUL-terminated). Exit status, or -1. */
static int run_capture(char *const argv[], char *out, size_t out_len)
{
    pid_t pid;
    int fd;
    if (start(argv, &pid, &fd) != 0)
        return -1;
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, out + used, out_len - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
        if (used == out_len - 1) {
            char sink[4096];
            while (read(fd, sink, sizeof sink) > 0) {
            }
            break;
        }
    }
    out[used] = '\0';
    close(fd);
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int write_private_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    return close(fd) == 0 && ok ? 0 : -1;
}

/* The value of "secret":"..." in the CLI's JSON answer into key (a key is base62 and '_': no escapes). */
static int parse_secret(const char *json, char *key, size_t key_len)
{
    const char *p = strstr(json, "\"secret\":\"");
    if (!p)
        return -1;
    p += strlen("\"secret\":\"");
    const char *end = strchr(p, '"');
    if (!end || end == p || (size_t)(end - p) >= key_len)
        return -1;
    memcpy(key, p, (size_t)(end - p));
    key[end - p] = '\0';
    return 0;
}

/* Reads the server's stdout until its URL line; "http://HOST:PORT" into base. What was read (it may hold the
 * generated admin password the server prints on its first run) is wiped. 0 or -1. */
static int read_base_url(int fd, char *base, size_t base_len)
{
    char buf[4096];
    size_t used = 0;
    int rc = -1;
    while (rc != 0 && used < sizeof buf - 1) {
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
        buf[used] = '\0';
        const char *p = strstr(buf, "http://");
        const char *end = p ? strchr(p + 7, '/') : NULL;
        if (!end)
            continue;
        if ((size_t)(end - p) >= base_len)
            break;
        memcpy(base, p, (size_t)(end - p));
        base[end - p] = '\0';
        rc = 0;
    }
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* The server's CPU time so far (user + system) in clock ticks, from /proc/PID/stat; -1 when unreadable. */
static long long server_cpu_ticks(pid_t pid)
{
    char path[64], stat[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0)
        return -1;
    stat[n] = '\0';
    const char *p = strrchr(stat, ')'); /* the command name may hold spaces and parentheses */
    if (!p)
        return -1;
    long long utime = 0, stime = 0;
    /* after ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &utime, &stime) != 2)
        return -1;
    return utime + stime;
}

/* One path's totals over all its slices. */
typedef struct path_totals {
    uint64_t answers;
    double seconds;
    long long cpu_ticks;
} path_totals_t;

/* One slice of `request`, added to *totals; its requests/s into *rate. 0, or -1 with why. */
static int run_slice(bench_http_load_t *load, pid_t server, const char *request, double seconds,
                     path_totals_t *totals, double *rate, char *why, size_t why_len)
{
    long long cpu0 = server_cpu_ticks(server);
    uint64_t answers;
    double elapsed;
    if (bench_http_load_run(load, request, strlen(request), seconds, &answers, &elapsed, why, why_len) != 0)
        return -1;
    long long cpu1 = server_cpu_ticks(server);
    if (cpu0 < 0 || cpu1 < 0) {
        snprintf(why, why_len, "cannot read the server's CPU time from /proc");
        return -1;
    }
    totals->answers += answers;
    totals->seconds += elapsed;
    totals->cpu_ticks += cpu1 - cpu0;
    *rate = (double)answers / elapsed;
    return 0;
}

/* The figure from a server listening on port: warm-up, then `pairs` ABBA pairs of slices. 0, or -1 with why. */
static int measure(const bench_env_t *env, pid_t server, unsigned port, const char *key, char *why, size_t why_len)
{
    char ping[512], healthz[512];
    snprintf(ping, sizeof ping, "GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-API-Key: %s\r\n\r\n", port,
             key);
    snprintf(healthz, sizeof healthz, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-API-Key: %s\r\n\r\n", port,
             key);
    bench_http_load_t *load = NULL;
    int rc = bench_http_load_open(&load, port, CONNECTIONS, why, why_len);
    enum { MAX_PAIRS = PAIRS > QUICK_PAIRS ? PAIRS : QUICK_PAIRS };
    size_t pairs = env->quick ? QUICK_PAIRS : PAIRS;
    double ratio[MAX_PAIRS], auth_rate, open_rate;
    path_totals_t auth_totals = {0, 0, 0}, open_totals = {0, 0, 0}, warm = {0, 0, 0};
    if (rc == 0) /* warm-up: both paths, the key table, the connections */
        rc = run_slice(load, server, ping, 0.5, &warm, &auth_rate, why, why_len) ||
             run_slice(load, server, healthz, 0.5, &warm, &open_rate, why, why_len);
    for (size_t r = 0; rc == 0 && r < pairs; r++) {
        if (r % 2)
            rc = run_slice(load, server, ping, SLICE_SECONDS, &auth_totals, &auth_rate, why, why_len) ||
                 run_slice(load, server, healthz, SLICE_SECONDS, &open_totals, &open_rate, why, why_len);
        else
            rc = run_slice(load, server, healthz, SLICE_SECONDS, &open_totals, &open_rate, why, why_len) ||
                 run_slice(load, server, ping, SLICE_SECONDS, &auth_totals, &auth_rate, why, why_len);
        if (rc == 0)
            ratio[r] = auth_rate / open_rate;
    }
    bench_http_load_close(load);
    sodium_memzero(ping, sizeof ping);
    sodium_memzero(healthz, sizeof healthz);
    if (rc != 0)
        return -1;
    bench_set(FIG_HTTP_AUTH_VS_OPEN, ratio, pairs);
    double tick_us = 1e6 / (double)sysconf(_SC_CLK_TCK);
    double auth_cpu = (double)auth_totals.cpu_ticks * tick_us / (double)auth_totals.answers;
    double open_cpu = (double)open_totals.cpu_ticks * tick_us / (double)open_totals.answers;
    double busy = (double)(auth_totals.cpu_ticks + open_totals.cpu_ticks) * tick_us / 1e6 /
                  (auth_totals.seconds + open_totals.seconds);
    snprintf(bench_figures[FIG_HTTP_AUTH_VS_OPEN].detail, sizeof bench_figures[0].detail,
             "%u conns, %zu pairs of %.2f s: ping+key %.0f req/s / healthz %.0f req/s; server CPU per request "
             "%.2f / %.2f us, its core %.0f%% busy",
             (unsigned)CONNECTIONS, pairs, SLICE_SECONDS, (double)auth_totals.answers / auth_totals.seconds,
             (double)open_totals.answers / open_totals.seconds, auth_cpu, open_cpu, 100.0 * busy);
    return 0;
}

void bench_run_http(const bench_env_t *env)
{
    char dir[2400], ini[2600], data[2600], sample[2200], text[8192], key[BENCH_KEY_STRIDE];
    snprintf(sample, sizeof sample, "%s/sample-host", env->build_dir);
    if (access(sample, X_OK) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "sample-host is not built");
        return;
    }
    cpu_set_t saved, second;
    CPU_ZERO(&second);
    CPU_SET(1, &second);
    if (sched_getaffinity(0, sizeof saved, &saved) != 0 || !CPU_ISSET(0, &saved) || !CPU_ISSET(1, &saved)) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "needs CPUs 0 and 1 (the server on one, the client on the other)");
        return;
    }
    if (bench_fresh_dir(env, "http", dir, sizeof dir) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot create the directory");
        return;
    }
    snprintf(ini, sizeof ini, "%s/panel.ini", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(text, sizeof text,
             "[host]\ndata_dir = %s\nplugins = %s/plugins/apikeys.so\nworkers = 1\n\n[role:owner]\npermissions = *\n\n"
             "[user:admin]\nrole = owner\n",
             data, env->build_dir);
    if (write_private_file(ini, text) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot write the config");
        return;
    }
    char *enable[] = {sample, (char *)"-c", ini, (char *)"--json", (char *)"action", (char *)"settings/api-key",
                      (char *)"enable", NULL};
    int have_key = run_capture(enable, text, sizeof text) == 0 && parse_secret(text, key, sizeof key) == 0;
    sodium_memzero(text, sizeof text);
    if (!have_key) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "`sample-host action settings/api-key enable` gave no key");
        return;
    }

    char *serve[] = {(char *)"taskset", (char *)"-c", (char *)"0", sample, (char *)"-c", ini, (char *)"serve",
                     (char *)"--listen", (char *)"127.0.0.1:0", NULL};
    pid_t server; /* taskset execs the server in place, so this is the server's pid */
    int server_out;
    if (start(serve, &server, &server_out) != 0) {
        sodium_memzero(key, sizeof key);
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot start sample-host serve");
        return;
    }
    char base[256], why[256] = "";
    const char *colon = NULL;
    if (read_base_url(server_out, base, sizeof base) == 0)
        colon = strrchr(base, ':');
    unsigned port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
    int ok = port > 0 && sched_setaffinity(0, sizeof second, &second) == 0;
    if (port == 0)
        snprintf(why, sizeof why, "sample-host serve printed no URL");
    else if (!ok)
        snprintf(why, sizeof why, "cannot move the client to CPU 1");
    if (ok)
        ok = measure(env, server, port, key, why, sizeof why) == 0;
    sched_setaffinity(0, sizeof saved, &saved);
    sodium_memzero(key, sizeof key);
    kill(server, SIGTERM);
    close(server_out);
    waitpid(server, NULL, 0);
    if (!ok)
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, why);
}
