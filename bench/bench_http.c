/* bench_http.c - http_auth_vs_open: requests per second of GET /api/v1/ping carrying a valid key over
 * GET /healthz, against one `sample-host serve` on loopback, measured with Debian's wrk (the load
 * generator; `apt-get install -y wrk`). Both runs send the very same header (X-API-Key with the valid key,
 * set from a wrk script file in the bench's 0700 directory, so the key is on no command line), keep-alive,
 * same connections and duration; they alternate, so the only difference is the path and its key check.
 * The server is pinned to CPU 0 and wrk to CPU 1 (taskset, util-linux), so the two do not fight for a core.
 * The data directory is set up through the sample host's own CLI (`action settings/api-key enable`). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

#define WRK_SECONDS "2"
#define WRK_CONNECTIONS "4"

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

/* Requests/s of one wrk run on url; -1 when wrk failed or any answer was not 2xx/3xx. */
static double wrk_rate(const char *script, const char *url, char *why, size_t why_len)
{
    char out[8192];
    /* wrk on the second core, the server on the first (see below), so neither steals the other's time */
    char *argv[] = {(char *)"taskset", (char *)"-c", (char *)"1", (char *)"wrk", (char *)"-t1", (char *)"-c" WRK_CONNECTIONS, (char *)"-d" WRK_SECONDS "s",
                    (char *)"-s", (char *)script, (char *)url, NULL};
    int rc = run_capture(argv, out, sizeof out);
    if (rc != 0) {
        snprintf(why, why_len, rc < 0 ? "wrk is not installed (apt-get install -y wrk)" : "wrk failed");
        return -1;
    }
    if (strstr(out, "Non-2xx") || strstr(out, "Socket errors")) {
        snprintf(why, why_len, "the server answered errors to %s", url);
        return -1;
    }
    const char *p = strstr(out, "Requests/sec:");
    if (!p) {
        snprintf(why, why_len, "unexpected wrk output");
        return -1;
    }
    return strtod(p + strlen("Requests/sec:"), NULL);
}

/* Reads the server's stdout until its URL line; "http://HOST:PORT" into base. */
static int read_base_url(int fd, char *base, size_t base_len)
{
    char buf[4096];
    size_t used = 0;
    while (used < sizeof buf - 1) {
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
        const char *p = strstr(buf, "http://");
        const char *end = p ? strchr(p + 7, '/') : NULL;
        if (end) {
            if ((size_t)(end - p) >= base_len)
                return -1;
            memcpy(base, p, (size_t)(end - p));
            base[end - p] = '\0';
            return 0;
        }
    }
    return -1;
}

void bench_run_http(const bench_env_t *env)
{
    char dir[2400], ini[2600], data[2600], script[2600], sample[2200], text[8192], key[BENCH_KEY_STRIDE];
    snprintf(sample, sizeof sample, "%s/sample-host", env->build_dir);
    if (access(sample, X_OK) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "sample-host is not built");
        return;
    }
    if (bench_fresh_dir(env, "http", dir, sizeof dir) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot create the directory");
        return;
    }
    snprintf(ini, sizeof ini, "%s/panel.ini", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(script, sizeof script, "%s/key.lua", dir);
    snprintf(text, sizeof text,
             "[host]\ndata_dir = %s\nplugins = %s/plugins/apikeys.so\n\n[role:owner]\npermissions = *\n\n"
             "[user:admin]\nrole = owner\n",
             data, env->build_dir);
    if (write_private_file(ini, text) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot write the config");
        return;
    }
    char *enable[] = {sample, (char *)"-c", ini, (char *)"--json", (char *)"action", (char *)"settings/api-key",
                      (char *)"enable", NULL};
    if (run_capture(enable, text, sizeof text) != 0 || parse_secret(text, key, sizeof key) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "`sample-host action settings/api-key enable` gave no key");
        return;
    }
    snprintf(text, sizeof text, "wrk.headers[\"X-API-Key\"] = \"%s\"\n", key);
    memset(key, 0, sizeof key);
    int written = write_private_file(script, text);
    memset(text, 0, sizeof text);
    if (written != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot write the wrk script");
        return;
    }

    char *serve[] = {(char *)"taskset", (char *)"-c", (char *)"0", sample, (char *)"-c", ini, (char *)"serve",
                     (char *)"--listen", (char *)"127.0.0.1:0", NULL};
    pid_t server;
    int server_out;
    if (start(serve, &server, &server_out) != 0) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, "cannot start sample-host serve");
        return;
    }
    char base[256], ping[320], healthz[320], why[256] = "";
    int ok = read_base_url(server_out, base, sizeof base) == 0;
    snprintf(ping, sizeof ping, "%s/api/v1/ping", ok ? base : "");
    snprintf(healthz, sizeof healthz, "%s/healthz", ok ? base : "");
    if (!ok)
        snprintf(why, sizeof why, "sample-host serve printed no URL");

    enum { MAX_REPS = 15 };
    size_t reps = env->quick ? 1 : 15;
    double ratio[MAX_REPS], auth[MAX_REPS], open_rate[MAX_REPS];
    if (ok) /* warm-up: both paths, connections, page cache */
        ok = wrk_rate(script, ping, why, sizeof why) > 0 && wrk_rate(script, healthz, why, sizeof why) > 0;
    for (size_t r = 0; ok && r < reps; r++) {
        if (r % 2) {
            auth[r] = wrk_rate(script, ping, why, sizeof why);
            open_rate[r] = wrk_rate(script, healthz, why, sizeof why);
        } else {
            open_rate[r] = wrk_rate(script, healthz, why, sizeof why);
            auth[r] = wrk_rate(script, ping, why, sizeof why);
        }
        ok = auth[r] > 0 && open_rate[r] > 0;
        if (ok)
            ratio[r] = auth[r] / open_rate[r];
    }
    kill(server, SIGTERM);
    close(server_out);
    waitpid(server, NULL, 0);
    unlink(script);
    if (!ok) {
        bench_missing(FIG_HTTP_AUTH_VS_OPEN, why);
        return;
    }
    bench_set(FIG_HTTP_AUTH_VS_OPEN, ratio, reps);
    snprintf(bench_figures[FIG_HTTP_AUTH_VS_OPEN].detail, sizeof bench_figures[0].detail,
             "wrk -t1 -c" WRK_CONNECTIONS " -d" WRK_SECONDS "s: ping+key %.0f req/s / healthz %.0f req/s",
             bench_median(auth, reps), bench_median(open_rate, reps));
}
