/* bench_pg_server.c - the PostgreSQL figures' private server: runs bench/bench_pg_server.sh (which uses the
 * tests' tests/pg/pg_server.sh) as a child with pipes on its standard input and output, reads where the server
 * listens, sends it "cut"/"restore" for the proxy, and stops it by closing its input, so the server is stopped
 * and its directory removed however the bench ends (normal end, failure, SIGINT, or SIGKILL: end of input).
 * The script prints "skip REASON" when PostgreSQL 15 is not installed; that reason reaches the figures. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_pg.h"

#ifndef BENCH_SOURCE_DIR
#error "BENCH_SOURCE_DIR (the bench/ folder of the source tree) is set by the Makefile"
#endif

static char tmp_parent[64]; /* a mkdtemp folder when data_root is too long for a unix socket path */

/* One line of the script's output without its newline; 0, or -1 at end of output. */
static int read_line(bench_pg_server_t *srv, char *line, size_t len)
{
    if (!srv->from_script || !fgets(line, (int)len, srv->from_script))
        return -1;
    line[strcspn(line, "\n")] = '\0';
    return 0;
}

/* Where the cluster goes: data_root/pg, unless its socket path (DIR/.s.PGSQL.65535) would pass the 107 bytes
 * of sun_path; then a fresh folder under /tmp. */
static int cluster_dir(const bench_env_t *env, char *dir, size_t len, char *err, size_t err_len)
{
    char path[2400];
    if (bench_fresh_dir(env, "pg", path, sizeof path) == 0 && strlen(path) + strlen("/.s.PGSQL.65535") < 108) {
        snprintf(dir, len, "%s", path);
        return 0;
    }
    rmdir(path);
    snprintf(tmp_parent, sizeof tmp_parent, "/tmp/apikeys-bench-pg.XXXXXX");
    if (!mkdtemp(tmp_parent)) {
        snprintf(err, err_len, "cannot create a folder for the PostgreSQL cluster: %s", strerror(errno));
        tmp_parent[0] = '\0';
        return -1;
    }
    snprintf(dir, len, "%s/pg", tmp_parent);
    return 0;
}

static int spawn(bench_pg_server_t *srv, const char *script, const char *dir, char *err, size_t err_len)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_len, "fork: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (pid == 0) { /* only async-signal-safe calls until exec: the bench has threads */
        dup2(in[0], 0);
        dup2(out[1], 1);
        char *argv[] = {"bash", (char *)script, (char *)dir, NULL};
        execv("/bin/bash", argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    srv->pid = pid;
    srv->to_script = in[1];
    srv->from_script = fdopen(out[0], "r");
    if (!srv->from_script) {
        close(out[0]);
        snprintf(err, err_len, "fdopen: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int bench_pg_start(const bench_env_t *env, bench_pg_server_t *srv, char *err, size_t err_len)
{
    memset(srv, 0, sizeof *srv);
    srv->to_script = -1;
    signal(SIGPIPE, SIG_IGN); /* a dead script must not kill the bench when it is told something */
    const char *script = BENCH_SOURCE_DIR "/bench_pg_server.sh";
    if (access(script, R_OK) != 0) {
        snprintf(err, err_len, "%s is missing (%s): the bench runs from its source tree", script, strerror(errno));
        return BENCH_PG_FAILED;
    }
    if (access("/bin/bash", X_OK) != 0) {
        snprintf(err, err_len, "bash is not installed (run: apt-get install -y bash)");
        return BENCH_PG_SKIPPED;
    }
    char dir[2400];
    if (cluster_dir(env, dir, sizeof dir, err, err_len) != 0 || spawn(srv, script, dir, err, err_len) != 0) {
        bench_pg_stop(srv);
        return BENCH_PG_FAILED;
    }
    char line[4096];
    while (read_line(srv, line, sizeof line) == 0) {
        if (strncmp(line, "noproxy ", 8) == 0) {
            snprintf(srv->no_proxy, sizeof srv->no_proxy, "%.250s", line + 8);
            continue;
        }
        if (strncmp(line, "skip ", 5) == 0) {
            snprintf(err, err_len, "%s", line + 5);
            bench_pg_stop(srv);
            return BENCH_PG_SKIPPED;
        }
        if (strncmp(line, "ready ", 6) == 0) {
            char *save = NULL, *sock = strtok_r(line + 6, " ", &save), *port = strtok_r(NULL, " ", &save),
                 *pass = strtok_r(NULL, " ", &save), *proxy = strtok_r(NULL, " ", &save),
                 *fs = strtok_r(NULL, " ", &save);
            if (!sock || !port || !pass || !proxy || !fs)
                break;
            snprintf(srv->sockdir, sizeof srv->sockdir, "%s", sock);
            snprintf(srv->passfile, sizeof srv->passfile, "%s", pass);
            snprintf(srv->fs, sizeof srv->fs, "%s", fs);
            srv->port = atoi(port);
            srv->proxy_port = atoi(proxy);
            return BENCH_PG_STARTED;
        }
        snprintf(err, err_len, "PostgreSQL: %s", strncmp(line, "fail ", 5) == 0 ? line + 5 : line);
        bench_pg_stop(srv);
        return BENCH_PG_FAILED;
    }
    snprintf(err, err_len, "bench/bench_pg_server.sh ended without starting PostgreSQL");
    bench_pg_stop(srv);
    return BENCH_PG_FAILED;
}

int bench_pg_command(bench_pg_server_t *srv, const char *command, char *err, size_t err_len)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s\n", command);
    if (srv->to_script < 0 || write(srv->to_script, line, (size_t)n) != n) {
        snprintf(err, err_len, "the PostgreSQL script is gone (%s)", command);
        return -1;
    }
    char answer[256], expect[256];
    snprintf(expect, sizeof expect, "ok %s", command);
    if (read_line(srv, answer, sizeof answer) != 0 || strcmp(answer, expect) != 0) {
        snprintf(err, err_len, "the PostgreSQL script could not %s the proxy", command);
        return -1;
    }
    return 0;
}

void bench_pg_stop(bench_pg_server_t *srv)
{
    if (srv->to_script >= 0)
        close(srv->to_script); /* end of input: the script stops the server and removes its folder */
    srv->to_script = -1;
    if (srv->pid > 0) {
        int status;
        while (waitpid(srv->pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    srv->pid = 0;
    if (srv->from_script)
        fclose(srv->from_script);
    srv->from_script = NULL;
    if (tmp_parent[0]) {
        rmdir(tmp_parent);
        tmp_parent[0] = '\0';
    }
}

int bench_pg_conninfo(const bench_pg_server_t *srv, int via_proxy, char *out, size_t out_len)
{
    int n = snprintf(out, out_len, "host=127.0.0.1 port=%d dbname=panel user=panel passfile=%s",
                     via_proxy ? srv->proxy_port : srv->port, srv->passfile);
    return n < 0 || (size_t)n >= out_len ? -1 : 0;
}
