/* bench_pg.h - what the PostgreSQL figures of issue 14 share (bench_pg*.c): the bench's private server (a
 * child script that owns it and its cuttable proxy), the nodes (plugin states opened in this process, each on
 * its own data directory with a copy of the digest secret and its own node_id), and the two reset figures. */
#ifndef BENCH_PG_H
#define BENCH_PG_H

#include <stddef.h>
#include <sys/types.h>

#include "bench.h"

/* ----- the server (bench_pg_server.c) ----------------------------------------------------------------- */

typedef struct bench_pg_server {
    pid_t pid;                 /* bench/bench_pg_server.sh, 0 when not running */
    int to_script;             /* its standard input: commands; closing it stops the server */
    FILE *from_script;         /* its standard output: one line per answer */
    char sockdir[1024];
    char passfile[1200];
    int port;                  /* 127.0.0.1:port, the server itself */
    int proxy_port;            /* 127.0.0.1:proxy_port, the socat proxy to port (0: socat is not installed) */
    char fs[64];               /* the file system the cluster lives on */
    char no_proxy[256];        /* why there is no proxy ("" when there is one) */
} bench_pg_server_t;

#define BENCH_PG_STARTED 0
#define BENCH_PG_SKIPPED 1     /* PostgreSQL 15 is not installed: why (with the apt-get command) in err */
#define BENCH_PG_FAILED -1     /* installed but could not be started: why in err */

/* Starts a private PostgreSQL 15 in data_root/pg (unix socket there, 127.0.0.1 only). BENCH_PG_*. */
int bench_pg_start(const bench_env_t *env, bench_pg_server_t *srv, char *err, size_t err_len);
/* "cut" (SIGSTOP the proxy: a network partition) or "restore" (SIGCONT). 0, or -1 with err. */
int bench_pg_command(bench_pg_server_t *srv, const char *command, char *err, size_t err_len);
/* Stops the server and removes its directory (waits for it). Safe on a server that never started. */
void bench_pg_stop(bench_pg_server_t *srv);
/* The libpq conninfo of role panel over TCP loopback (scram-sha-256 with the passfile): to the server itself
 * (via_proxy 0) or through the proxy (1). 0, or -1 when it does not fit. */
int bench_pg_conninfo(const bench_pg_server_t *srv, int via_proxy, char *out, size_t out_len);

/* ----- the nodes (bench_pg_nodes.c) ------------------------------------------------------------------- */

#define BENCH_PG_NODES 3

typedef struct bench_pg_node {
    apikeys_state_t *st;       /* NULL when closed */
    char node_id[16];          /* "bench-a", ... */
    char dir[2400];            /* its data directory (its copy of apikeys.secret lives there) */
    char conninfo[1400];
    char lease[8];             /* lease_seconds */
} bench_pg_node_t;

/* Opens a node's plugin state (store = postgresql) on data_root/pg-NODE_ID, fresh when secret_from is given
 * (the secret file copied there first, mode 0600) or when it is the first node (it creates the store and
 * the secret); with reopen = 1 on the existing directory. PANEL_OK or an error in err. */
int32_t bench_pg_node_open(const bench_env_t *env, bench_pg_node_t *node, const char *node_id, const char *conninfo,
                           const char *secret_from, int reopen, char *err, size_t err_len);
/* Makes it a node (its first verification, which waits for its first lease) and checks it accepts key. */
int32_t bench_pg_node_serve(bench_pg_node_t *node, const char *key, char *err, size_t err_len);
void bench_pg_node_close(bench_pg_node_t *node);

/* ----- the reset figures (bench_pg_reset.c) ----------------------------------------------------------- */

/* pg_reset_3nodes_vs_commit: resets on nodes[0] with all BENCH_PG_NODES nodes live, alternating with a bare
 * one-row commit over bare_conninfo. key: the current key (in), the newest key (out). */
void bench_pg_reset_vs_commit(const bench_env_t *env, bench_pg_node_t *nodes, const char *bare_conninfo,
                              char *key);
/* pg_fenced_reset_s: resets on nodes[0] while nodes[BENCH_PG_NODES - 1], which reaches the server through the
 * proxy, is cut off. A reset still waiting long after the bound is released by restoring the proxy (what it
 * waited for is read over direct_conninfo) and counted with the time it took. key as above. */
void bench_pg_fenced_reset(const bench_env_t *env, bench_pg_server_t *srv, bench_pg_node_t *nodes,
                           const char *direct_conninfo, char *key);

/* ----- the rate-limit figure (bench_pg_ratelimit.c) ------------------------------------------------- */

/* pg_ratelimit_accuracy: a named key limited to 600 a minute, 90 requests a second split 70/20/10 over the
 * nodes for 30 s; accepted over burst + limit x minutes. */
void bench_pg_ratelimit_accuracy(const bench_env_t *env, bench_pg_node_t *nodes);

#endif
