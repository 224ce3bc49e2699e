/* bench_php.c - the PHP figures (issue 15, bench --only php): the example PHP panel (examples/php-panel)
 * under nginx + php-fpm with the binding's preload setup, on loopback, the server side pinned to CPU 0 (nginx
 * with one worker process, php-fpm with 4 static workers, all through taskset) and the bench's own busy-polling
 * load client (bench_http_client.c) on CPU 1, as http_auth_vs_open does for the sample host.
 *   php_auth_vs_open: requests/s of GET /api/v1/ping with the valid key (Panel\Host::open + authenticate) over
 *     GET /healthz (plain PHP, no host), the same X-API-Key header on both, alternating 0.25 s slices (ABBA).
 *   php_first_request_ms / php_request_ms: the wall time of a worker's first GET /api/v1/ping (it opens the
 *     process-wide host: loads and initialises the plugin) and of later ones (median of 20), each on a fresh
 *     connection, with a pool of one worker started afresh for each repetition.
 * Skipped, with the reason and the apt-get command, when php, php-fpm or nginx is missing. Everything lives in
 * <build>/bench-data/php; the key stays in the bench's memory. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "bench.h"
#include "bench_http_client.h"

extern char **environ;

#define PHP_WORKERS 4
#define PHP_CONNECTIONS 4
#define PHP_SLICE_SECONDS 0.25
#define PHP_PAIRS 20
#define PHP_QUICK_PAIRS 3
#define PHP_LATENCY_REPS 7
#define PHP_LATER_REQUESTS 20

typedef struct php_setup {
    char dir[2400];          /* bench-data/php */
    char fpm[256], nginx[256];
    char binding[2100];      /* <repo>/bindings/php */
    char panel[2100];        /* <repo>/examples/php-panel */
    char lib_dir[2100];      /* <build>/lib */
    unsigned port;
    char key[BENCH_KEY_STRIDE];
} php_setup_t;

static void skip_all(const char *why)
{
    bench_progress("php: skipped: %s", why);
    bench_skip(FIG_PHP_AUTH_VS_OPEN, why);
    bench_skip(FIG_PHP_FIRST_REQUEST_MS, why);
    bench_skip(FIG_PHP_REQUEST_MS, why);
}

static void missing_all(const char *why)
{
    bench_missing(FIG_PHP_AUTH_VS_OPEN, why);
    bench_missing(FIG_PHP_FIRST_REQUEST_MS, why);
    bench_missing(FIG_PHP_REQUEST_MS, why);
}

/* The first executable among candidates into out; 0, or -1. */
static int find_tool(const char *const *candidates, char *out, size_t out_len)
{
    for (size_t i = 0; candidates[i]; i++) {
        if (access(candidates[i], X_OK) == 0) {
            snprintf(out, out_len, "%s", candidates[i]);
            return 0;
        }
    }
    return -1;
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    return close(fd) == 0 && ok ? 0 : -1;
}

/* Starts argv (stdout and stderr to log_path). 0, or -1. */
static int spawn_logged(char *const argv[], const char *log_path, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? 0 : -1;
}

static void stop(pid_t *pid, int sig)
{
    if (*pid <= 0)
        return;
    kill(*pid, sig);
    for (int i = 0; i < 200; i++) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = 0;
            return;
        }
        usleep(10000);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
}

/* A free loopback port (bound then released). 0 when none. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* One request on a fresh connection; its status into *status (0 when no answer). Returns wall ms, or -1. */
static double one_request(unsigned port, const char *request, int *status)
{
    *status = 0;
    uint64_t t0 = bench_now_ns();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t len = strlen(request);
    char buf[4096];
    size_t got = 0;
    int ok = write(fd, request, len) == (ssize_t)len;
    while (ok && got < sizeof buf - 1) { /* Connection: close: read to the end */
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    if (sscanf(buf, "HTTP/1.%*d %d", status) != 1)
        *status = 0;
    return (double)(bench_now_ns() - t0) / 1e6;
}

/* Waits until /healthz answers 200 (workers up; the host is not opened by it). 0, or -1. */
static int wait_ready(unsigned port)
{
    char req[256];
    snprintf(req, sizeof req, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n\r\n", port);
    for (int i = 0; i < 300; i++) {
        int status;
        if (one_request(port, req, &status) >= 0 && status == 200)
            return 0;
        usleep(10000);
    }
    return -1;
}

static int write_configs(const php_setup_t *s, int workers)
{
    char path[2600];
    static char text[32768]; /* the bench runs one part at a time, on one thread */
    int root = geteuid() == 0;
    snprintf(text, sizeof text,
             "ffi.enable = preload\nffi.preload = %s/panel.h\nopcache.enable = 1\nopcache.preload = %s/preload.php\n"
             "%s%s%sopcache.validate_timestamps = 0\nlog_errors = On\nerror_log = %s/php-errors.log\n",
             s->binding, s->binding, root ? "opcache.preload_user = " : "", root ? "root" : "", root ? "\n" : "",
             s->dir);
    snprintf(path, sizeof path, "%s/php.ini", s->dir);
    if (write_text(path, text) != 0)
        return -1;
    snprintf(text, sizeof text,
             "[global]\nerror_log = %s/fpm.log\ndaemonize = no\n[panel]\n%slisten = %s/fpm.sock\nlisten.mode = 0600\n"
             "listen.backlog = 1024\npm = static\npm.max_children = %d\nclear_env = yes\nenv[PANEL_CONFIG] = %s/panel.ini\n",
             s->dir, root ? "user = root\ngroup = root\n" : "", s->dir, workers, s->dir);
    snprintf(path, sizeof path, "%s/php-fpm.conf", s->dir);
    if (write_text(path, text) != 0)
        return -1;
    snprintf(text, sizeof text,
             "%sworker_processes 1;\nerror_log %s/nginx-error.log;\npid %s/nginx.pid;\nevents { worker_connections 1024; }\n"
             "http {\n  access_log off;\n  keepalive_requests 100000000;\n  client_body_temp_path %s/nb;\n"
             "  fastcgi_temp_path %s/nf;\n  proxy_temp_path %s/np;\n  uwsgi_temp_path %s/nu;\n  scgi_temp_path %s/ns;\n"
             "  server {\n    listen 127.0.0.1:%u;\n    root %s/public;\n"
             "    location / { try_files $uri /index.php$is_args$args; }\n"
             "    location = /index.php { include /etc/nginx/fastcgi_params;\n"
             "      fastcgi_param SCRIPT_FILENAME $document_root/index.php; fastcgi_pass unix:%s/fpm.sock; }\n  }\n}\n",
             root ? "user root root;\n" : "", s->dir, s->dir, s->dir, s->dir, s->dir, s->dir, s->dir, s->port, s->panel,
             s->dir);
    snprintf(path, sizeof path, "%s/nginx.conf", s->dir);
    return write_text(path, text);
}

/* Starts php-fpm with `workers` workers, pinned to CPU 0. 0, or -1. */
static int start_fpm(const php_setup_t *s, int workers, pid_t *pid)
{
    char ini[2600], conf[2600], log[2600];
    if (write_configs(s, workers) != 0)
        return -1;
    snprintf(ini, sizeof ini, "%s/php.ini", s->dir);
    snprintf(conf, sizeof conf, "%s/php-fpm.conf", s->dir);
    snprintf(log, sizeof log, "%s/fpm.out", s->dir);
    char fpm[256];
    snprintf(fpm, sizeof fpm, "%s", s->fpm);
    char *argv[] = {(char *)"taskset", (char *)"-c", (char *)"0", fpm, (char *)"-F", (char *)"-c", ini, (char *)"-y",
                    conf, geteuid() == 0 ? (char *)"-R" : NULL, NULL};
    return spawn_logged(argv, log, pid);
}

static int start_nginx(const php_setup_t *s, pid_t *pid)
{
    char conf[2600], log[2600], prefix[2400], nginx[256];
    snprintf(conf, sizeof conf, "%s/nginx.conf", s->dir);
    snprintf(log, sizeof log, "%s/nginx.out", s->dir);
    snprintf(prefix, sizeof prefix, "%s", s->dir);
    snprintf(nginx, sizeof nginx, "%s", s->nginx);
    char *argv[] = {(char *)"taskset", (char *)"-c", (char *)"0", nginx, (char *)"-p", prefix, (char *)"-c", conf,
                    (char *)"-g", (char *)"daemon off;", NULL};
    return spawn_logged(argv, log, pid);
}

/* Runs the sample host's enable on the config; the key into s->key. 0, or -1. */
static int enable_key(const bench_env_t *env, php_setup_t *s)
{
    char sample[2200], ini[2600], out[8192] = "";
    snprintf(sample, sizeof sample, "%s/sample-host", env->build_dir);
    snprintf(ini, sizeof ini, "%s/panel.ini", s->dir);
    char *argv[] = {sample, (char *)"-c", ini, (char *)"--json", (char *)"action", (char *)"settings/api-key",
                    (char *)"enable", NULL};
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    pid_t pid;
    int rc = posix_spawn(&pid, sample, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    size_t got = 0;
    while (rc == 0 && got < sizeof out - 1) {
        ssize_t n = read(fds[0], out + got, sizeof out - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    if (rc == 0)
        waitpid(pid, NULL, 0);
    out[got] = '\0';
    const char *p = strstr(out, "\"secret\":\"");
    const char *end = p ? strchr(p + 10, '"') : NULL;
    int ok = end && end - (p + 10) > 0 && (size_t)(end - (p + 10)) < sizeof s->key;
    if (ok) {
        memcpy(s->key, p + 10, (size_t)(end - (p + 10)));
        s->key[end - (p + 10)] = '\0';
    }
    sodium_memzero(out, sizeof out);
    return ok ? 0 : -1;
}

/* php_first_request_ms and php_request_ms: a one-worker pool started afresh per repetition. 0, or -1. */
static int measure_latency(const bench_env_t *env, const php_setup_t *s, char *why, size_t why_len)
{
    char ping[512];
    snprintf(ping, sizeof ping, "GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-API-Key: %s\r\nConnection: close\r\n\r\n",
             s->port, s->key);
    size_t reps = env->quick ? 2 : PHP_LATENCY_REPS;
    double first[PHP_LATENCY_REPS], later[PHP_LATENCY_REPS];
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < reps; r++) {
        pid_t fpm = 0;
        if (start_fpm(s, 1, &fpm) != 0 || wait_ready(s->port) != 0) {
            snprintf(why, why_len, "php-fpm (1 worker) did not answer /healthz; see %.300s/fpm.out and fpm.log", s->dir);
            rc = -1;
        }
        int status = 0;
        if (rc == 0) {
            first[r] = one_request(s->port, ping, &status);
            if (status != 200) {
                snprintf(why, why_len, "the first /api/v1/ping answered %d, not 200; see %.300s/php-errors.log", status, s->dir);
                rc = -1;
            }
        }
        double each[PHP_LATER_REQUESTS];
        for (size_t i = 0; rc == 0 && i < PHP_LATER_REQUESTS; i++) {
            each[i] = one_request(s->port, ping, &status);
            if (status != 200) {
                snprintf(why, why_len, "a later /api/v1/ping answered %d, not 200", status);
                rc = -1;
            }
        }
        if (rc == 0)
            later[r] = bench_median(each, PHP_LATER_REQUESTS);
        stop(&fpm, SIGQUIT);
    }
    sodium_memzero(ping, sizeof ping);
    if (rc != 0)
        return -1;
    bench_set(FIG_PHP_FIRST_REQUEST_MS, first, reps);
    bench_set(FIG_PHP_REQUEST_MS, later, reps);
    snprintf(bench_figures[FIG_PHP_FIRST_REQUEST_MS].detail, sizeof bench_figures[0].detail,
             "a fresh worker's first GET /api/v1/ping: opens the host (dlopen+init of apikeys.so), %zu runs", reps);
    snprintf(bench_figures[FIG_PHP_REQUEST_MS].detail, sizeof bench_figures[0].detail,
             "later requests of the same worker (median of %d each), fresh connection, nginx + php-fpm",
             PHP_LATER_REQUESTS);
    return 0;
}

static int run_slice(bench_http_load_t *load, const char *request, double seconds, uint64_t *answers, double *elapsed,
                     double *rate, char *why, size_t why_len)
{
    uint64_t n;
    double t;
    if (bench_http_load_run(load, request, strlen(request), seconds, &n, &t, why, why_len) != 0)
        return -1;
    *answers += n;
    *elapsed += t;
    *rate = (double)n / t;
    return 0;
}

/* php_auth_vs_open with 4 workers. 0, or -1. */
static int measure_ratio(const bench_env_t *env, const php_setup_t *s, char *why, size_t why_len)
{
    char ping[512], healthz[512];
    snprintf(ping, sizeof ping, "GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-API-Key: %s\r\n\r\n", s->port,
             s->key);
    snprintf(healthz, sizeof healthz, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nX-API-Key: %s\r\n\r\n", s->port,
             s->key);
    pid_t fpm = 0;
    int rc = 0;
    if (start_fpm(s, PHP_WORKERS, &fpm) != 0 || wait_ready(s->port) != 0) {
        snprintf(why, why_len, "php-fpm (%d workers) did not answer /healthz; see %.300s/fpm.out", PHP_WORKERS, s->dir);
        rc = -1;
    }
    cpu_set_t saved, second;
    CPU_ZERO(&second);
    CPU_SET(1, &second);
    if (rc == 0 && (sched_getaffinity(0, sizeof saved, &saved) != 0 || sched_setaffinity(0, sizeof second, &second) != 0)) {
        snprintf(why, why_len, "cannot move the load client to CPU 1");
        rc = -1;
    }
    bench_http_load_t *load = NULL;
    if (rc == 0)
        rc = bench_http_load_open(&load, s->port, PHP_CONNECTIONS, why, why_len);
    enum { MAX_PAIRS = PHP_PAIRS > PHP_QUICK_PAIRS ? PHP_PAIRS : PHP_QUICK_PAIRS };
    size_t pairs = env->quick ? PHP_QUICK_PAIRS : PHP_PAIRS;
    double ratio[MAX_PAIRS], auth_rate = 0, open_rate = 0, warm_t = 0, auth_t = 0, open_t = 0;
    uint64_t warm_n = 0, auth_n = 0, open_n = 0;
    /* warm-up: every worker opens its host on its first ping, the connections settle */
    if (rc == 0)
        rc = run_slice(load, ping, 1.0, &warm_n, &warm_t, &auth_rate, why, why_len) ||
             run_slice(load, healthz, 0.5, &warm_n, &warm_t, &open_rate, why, why_len);
    for (size_t r = 0; rc == 0 && r < pairs; r++) {
        if (r % 2)
            rc = run_slice(load, ping, PHP_SLICE_SECONDS, &auth_n, &auth_t, &auth_rate, why, why_len) ||
                 run_slice(load, healthz, PHP_SLICE_SECONDS, &open_n, &open_t, &open_rate, why, why_len);
        else
            rc = run_slice(load, healthz, PHP_SLICE_SECONDS, &open_n, &open_t, &open_rate, why, why_len) ||
                 run_slice(load, ping, PHP_SLICE_SECONDS, &auth_n, &auth_t, &auth_rate, why, why_len);
        if (rc == 0)
            ratio[r] = auth_rate / open_rate;
    }
    if (load)
        bench_http_load_close(load);
    sched_setaffinity(0, sizeof saved, &saved);
    stop(&fpm, SIGQUIT);
    sodium_memzero(ping, sizeof ping);
    sodium_memzero(healthz, sizeof healthz);
    if (rc != 0)
        return -1;
    bench_set(FIG_PHP_AUTH_VS_OPEN, ratio, pairs);
    snprintf(bench_figures[FIG_PHP_AUTH_VS_OPEN].detail, sizeof bench_figures[0].detail,
             "nginx + php-fpm (%d workers) on CPU 0, %d conns, %zu pairs of %.2f s: ping+key %.0f req/s / PHP "
             "healthz %.0f req/s",
             PHP_WORKERS, PHP_CONNECTIONS, pairs, PHP_SLICE_SECONDS, (double)auth_n / auth_t, (double)open_n / open_t);
    return 0;
}

void bench_run_php(const bench_env_t *env)
{
    php_setup_t s;
    memset(&s, 0, sizeof s);
    static const char *const fpms[] = {"/usr/sbin/php-fpm8.4", "/usr/sbin/php-fpm8.3", "/usr/sbin/php-fpm8.2",
                                       "/usr/sbin/php-fpm8.1", "/usr/sbin/php-fpm", "/usr/bin/php-fpm", NULL};
    static const char *const nginxes[] = {"/usr/sbin/nginx", "/usr/bin/nginx", NULL};
    if (find_tool(fpms, s.fpm, sizeof s.fpm) != 0) {
        skip_all("php-fpm is not installed (apt-get install -y php-cli php-fpm nginx)");
        return;
    }
    if (find_tool(nginxes, s.nginx, sizeof s.nginx) != 0) {
        skip_all("nginx is not installed (apt-get install -y nginx)");
        return;
    }
    char cwd[2048];
    if (!getcwd(cwd, sizeof cwd)) {
        missing_all("cannot read the current directory");
        return;
    }
    snprintf(s.binding, sizeof s.binding, "%s/bindings/php", cwd);
    snprintf(s.panel, sizeof s.panel, "%s/examples/php-panel", cwd);
    snprintf(s.lib_dir, sizeof s.lib_dir, "%s/lib", env->build_dir);
    char probe[2600];
    snprintf(probe, sizeof probe, "%s/preload.php", s.binding);
    if (access(probe, R_OK) != 0) {
        missing_all("run the bench from the repository root (bindings/php/preload.php not found)");
        return;
    }
    snprintf(probe, sizeof probe, "%s/libpanelhost.so.2", s.lib_dir);
    if (access(probe, R_OK) != 0) {
        missing_all("libpanelhost.so.2 is not built in <build>/lib");
        return;
    }
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0 || !CPU_ISSET(0, &mask) || !CPU_ISSET(1, &mask)) {
        missing_all("needs CPUs 0 and 1 (the server side on one, the client on the other)");
        return;
    }
    if (bench_fresh_dir(env, "php", s.dir, sizeof s.dir) != 0 || (s.port = free_port()) == 0) {
        missing_all("cannot create bench-data/php or find a free port");
        return;
    }
    char ini[2600];
    static char text[8192];
    snprintf(ini, sizeof ini, "%s/panel.ini", s.dir);
    snprintf(text, sizeof text,
             "[host]\ndata_dir = %s/data\nplugins = %s/plugins/apikeys.so\nstore_name = Bench\ncurrency = EUR\n"
             "[role:owner]\npermissions = *\n[user:admin]\nrole = owner\n",
             s.dir, env->build_dir);
    if (write_text(ini, text) != 0 || enable_key(env, &s) != 0) {
        missing_all("`sample-host action settings/api-key enable` gave no key");
        return;
    }
    /* the preloaded panel.h names libpanelhost.so.2: the master dlopens it from the build's lib folder */
    const char *old = getenv("LD_LIBRARY_PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("LD_LIBRARY_PATH", s.lib_dir, 1);
    pid_t nginx = 0;
    char why[512] = "";
    int ok = write_configs(&s, PHP_WORKERS) == 0 && start_nginx(&s, &nginx) == 0;
    if (!ok)
        snprintf(why, sizeof why, "cannot start nginx; see %.300s/nginx.out", s.dir);
    if (ok && measure_latency(env, &s, why, sizeof why) != 0) {
        bench_missing(FIG_PHP_FIRST_REQUEST_MS, why);
        bench_missing(FIG_PHP_REQUEST_MS, why);
    }
    if (ok && measure_ratio(env, &s, why, sizeof why) != 0)
        bench_missing(FIG_PHP_AUTH_VS_OPEN, why);
    if (!ok)
        missing_all(why);
    stop(&nginx, SIGTERM);
    if (saved) {
        setenv("LD_LIBRARY_PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("LD_LIBRARY_PATH");
    }
    sodium_memzero(s.key, sizeof s.key);
}
