/* bench_pg.c - the bench part "pg" (issue 14): a private PostgreSQL 15 (bench_pg_server.c), three nodes on it
 * (bench_pg_nodes.c: A and B connect to the server directly, C first directly and then through the proxy), and
 * the three figures:
 *   pg_verify_vs_hash          ns per verification on node A over ns per verification on the SQLite state of
 *                              verify_vs_hash (the fixture "one"), both timed with verify_vs_hash's own loops and
 *                              counts (21 repetitions of the bare hash and 100,000 verifications of each), the two
 *                              sides in alternating slices of each repetition; the ratio is taken within each
 *                              repetition. "Within 5% of the SQLite figure" is this ratio <= 1.05; the detail
 *                              also shows both over the bare hash (the verify_vs_hash way);
 *   pg_reset_3nodes_vs_commit  and pg_fenced_reset_s: bench_pg_reset.c;
 *   pg_ratelimit_accuracy      bench_pg_ratelimit.c.
 * When PostgreSQL 15 (or, for the fenced figure, socat) is not installed, the figures are skipped with the
 * reason and the command that installs it; they neither pass nor fail the run. */
#include <sodium.h>
#include <string.h>

#include "auth_provider.h"
#include "bench_pg.h"

static void skip_all(const char *why)
{
    bench_progress("PostgreSQL figures skipped: %s", why);
    bench_skip(FIG_PG_VERIFY_VS_HASH, why);
    bench_skip(FIG_PG_RESET_3NODES_VS_COMMIT, why);
    bench_skip(FIG_PG_FENCED_RESET_S, why);
    bench_skip(FIG_PG_RATELIMIT_ACCURACY, why);
}

static void missing_all(const char *why)
{
    bench_progress("PostgreSQL figures not measured: %s", why);
    bench_missing(FIG_PG_VERIFY_VS_HASH, why);
    bench_missing(FIG_PG_RESET_3NODES_VS_COMMIT, why);
    bench_missing(FIG_PG_FENCED_RESET_S, why);
    bench_missing(FIG_PG_RATELIMIT_ACCURACY, why);
}

static void pg_verify_vs_sqlite(const bench_env_t *env, bench_fixtures_t *fx, apikeys_state_t *pg, const char *pg_key)
{
    apikeys_state_t *lite = fx->one;
    const char *lite_key = fx->one_key;
    size_t len = strlen(lite_key);
    if (strlen(pg_key) != len || apikeys_verify_key(pg, pg_key, len) != VERIFY_OK ||
        apikeys_verify_key(lite, lite_key, len) != VERIFY_OK) {
        bench_missing(FIG_PG_VERIFY_VS_HASH, "the PostgreSQL node or the SQLite state does not verify its key");
        return;
    }
    enum { MAX_REPS = 31, SLICES = 10 };
    size_t reps = env->quick ? 5 : 21, n = env->quick ? 20000 : 100000, unexpected = 0;
    double ratio[MAX_REPS], ns_hash[MAX_REPS], ns_pg[MAX_REPS], ns_lite[MAX_REPS], pg_hash[MAX_REPS],
        lite_hash[MAX_REPS];
    bench_hash_ns(lite_key, len, n / 4); /* warm-up, as verify_vs_hash */
    bench_auth_ns(lite, lite_key, PANEL_AUTH_ALLOW, n / 4, &unexpected);
    bench_auth_ns(pg, pg_key, PANEL_AUTH_ALLOW, n / 4, &unexpected);
    for (size_t r = 0; r < reps; r++) {
        ns_hash[r] = bench_hash_ns(lite_key, len, n);
        /* n verifications on each side, in SLICES alternating slices (ABBA), so a busy moment of the machine
         * falls on both sides alike */
        double pg_sum = 0, lite_sum = 0;
        for (size_t i = 0; i < SLICES; i++) {
            if ((i + r) % 4 == 0 || (i + r) % 4 == 3) {
                pg_sum += bench_auth_ns(pg, pg_key, PANEL_AUTH_ALLOW, n / SLICES, &unexpected);
                lite_sum += bench_auth_ns(lite, lite_key, PANEL_AUTH_ALLOW, n / SLICES, &unexpected);
            } else {
                lite_sum += bench_auth_ns(lite, lite_key, PANEL_AUTH_ALLOW, n / SLICES, &unexpected);
                pg_sum += bench_auth_ns(pg, pg_key, PANEL_AUTH_ALLOW, n / SLICES, &unexpected);
            }
        }
        ns_pg[r] = pg_sum / SLICES;
        ns_lite[r] = lite_sum / SLICES;
        ratio[r] = ns_pg[r] / ns_lite[r];
        pg_hash[r] = ns_pg[r] / ns_hash[r];
        lite_hash[r] = ns_lite[r] / ns_hash[r];
    }
    if (unexpected) {
        bench_missing(FIG_PG_VERIFY_VS_HASH, "a verification had an unexpected outcome during the run");
        return;
    }
    bench_set(FIG_PG_VERIFY_VS_HASH, ratio, reps);
    snprintf(bench_figures[FIG_PG_VERIFY_VS_HASH].detail, sizeof bench_figures[0].detail,
             "PostgreSQL node verify %.0f ns / SQLite verify %.0f ns; over BLAKE2b-256 %.0f ns: %.3f vs %.3f",
             bench_median(ns_pg, reps), bench_median(ns_lite, reps), bench_median(ns_hash, reps),
             bench_median(pg_hash, reps), bench_median(lite_hash, reps));
}

/* The nodes A, B, C (all direct), the API enabled on A, each a node. key: the current key. */
static int open_nodes(const bench_env_t *env, const char *direct, bench_pg_node_t *nodes, char *key, char *err,
                      size_t err_len)
{
    static const char *const ids[BENCH_PG_NODES] = {"bench-a", "bench-b", "bench-c"};
    for (int i = 0; i < BENCH_PG_NODES; i++)
        if (bench_pg_node_open(env, &nodes[i], ids[i], direct, i ? nodes[0].dir : NULL, 0, err, err_len) != PANEL_OK)
            return -1;
    if (bench_enable(nodes[0].st, key, err, err_len) != PANEL_OK)
        return -1;
    for (int i = 0; i < BENCH_PG_NODES; i++)
        if (bench_pg_node_serve(&nodes[i], key, err, err_len) != PANEL_OK)
            return -1;
    return 0;
}

void bench_run_pg(const bench_env_t *env, bench_fixtures_t *fx)
{
    char err[1024], direct[1400], proxied[1400], key[BENCH_KEY_STRIDE] = "";
    bench_pg_server_t srv;
    int started = bench_pg_start(env, &srv, err, sizeof err);
    if (started == BENCH_PG_SKIPPED) {
        skip_all(err);
        return;
    }
    if (started != BENCH_PG_STARTED) {
        missing_all(err);
        return;
    }
    bench_progress("PostgreSQL 15 on 127.0.0.1:%d (fsync=on, %s), proxy %d; %d nodes, lease_seconds = %d", srv.port,
                   srv.fs, srv.proxy_port, BENCH_PG_NODES, BENCH_PG_LEASE_SECONDS);
    bench_pg_node_t nodes[BENCH_PG_NODES];
    memset(nodes, 0, sizeof nodes);
    if (bench_pg_conninfo(&srv, 0, direct, sizeof direct) != 0 ||
        bench_pg_conninfo(&srv, 1, proxied, sizeof proxied) != 0) {
        missing_all("the data folder's path is too long for a conninfo");
    } else if (open_nodes(env, direct, nodes, key, err, sizeof err) != 0) {
        missing_all(err);
    } else {
        pg_verify_vs_sqlite(env, fx, nodes[0].st, key);
        bench_pg_reset_vs_commit(env, nodes, direct, key);
        bench_pg_ratelimit_accuracy(env, nodes);
        /* C again, now through the proxy (same data folder and node id), for the partition */
        bench_pg_node_t *c = &nodes[BENCH_PG_NODES - 1];
        if (srv.proxy_port == 0) {
            bench_progress("pg_fenced_reset_s skipped: %s", srv.no_proxy);
            bench_skip(FIG_PG_FENCED_RESET_S, srv.no_proxy);
        } else {
            char id[sizeof c->node_id];
            snprintf(id, sizeof id, "%s", c->node_id);
            bench_pg_node_close(c);
            if (bench_pg_node_open(env, c, id, proxied, NULL, 1, err, sizeof err) != PANEL_OK ||
                bench_pg_node_serve(c, key, err, sizeof err) != PANEL_OK)
                bench_missing(FIG_PG_FENCED_RESET_S, err);
            else
                bench_pg_fenced_reset(env, &srv, nodes, direct, key);
        }
    }
    for (int i = 0; i < BENCH_PG_NODES; i++)
        bench_pg_node_close(&nodes[i]);
    sodium_memzero(key, sizeof key);
    bench_pg_stop(&srv);
}
