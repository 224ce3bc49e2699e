/* bench_pg_reset.c - the reset figures of a shared PostgreSQL store (issue 14):
 *   pg_reset_3nodes_vs_commit  the reset action on node A (owner, grace 0) while 3 nodes are live, which returns
 *                              once every node acknowledged the change, over one bare one-row INSERT committed
 *                              through libpq on the same kind of connection (TCP loopback, the same passfile) to
 *                              the same server, alternating (ABBA) like reset_vs_commit;
 *   pg_fenced_reset_s          seconds of a reset on node A while node C, which reaches the server through the
 *                              socat proxy, is cut off (the proxy SIGSTOPped) right after C renewed its lease (it
 *                              just came back from the previous cut, or just became a node): the worst case, the
 *                              reset waits out C's whole lease and says that C was fenced.
 * Both also check what a reset promises: every report names the nodes as expected, and right after a reset
 * returns no node accepts the previous key (a cut-off node refuses every key). A fenced reset that is still
 * running 3 s past its bound is released by a guard thread that restores the proxy, after reading from the
 * server what the reset waits for; it counts with the time it took.
 * Built with -DAPIKEYS_PG_TRACE (plugin/pg_trace.h), the first figure also prints the timeline of its median reset:
 * every round trip and wait of the writer and the nodes, in ms since the action started. */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_pg.h"
#include "pg_trace.h"

/* ----- the bare commit --------------------------------------------------------------------------------- */

static PGconn *bare_open(const char *conninfo, char *err, size_t err_len)
{
    PGconn *c = PQconnectdb(conninfo);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        snprintf(err, err_len, "bare commit connection: %s", c ? PQerrorMessage(c) : "out of memory");
        err[strcspn(err, "\n")] = '\0';
        PQfinish(c);
        return NULL;
    }
    PGresult *r = PQexec(c, "CREATE TABLE IF NOT EXISTS bench_commit(id bigint GENERATED ALWAYS AS IDENTITY"
                            " PRIMARY KEY, at bigint NOT NULL)");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) {
        r = PQprepare(c, "bare_insert", "INSERT INTO bench_commit(at) VALUES ($1::bigint)", 1, NULL);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok) {
        snprintf(err, err_len, "bare commit table: %s", PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* One autocommit INSERT (one row, durable commit: one round trip and one WAL flush); its ns, or -1. */
static double bare_commit_ns(PGconn *c)
{
    char at[24];
    uint64_t t0 = bench_now_ns();
    snprintf(at, sizeof at, "%llu", (unsigned long long)t0);
    const char *params[] = {at};
    PGresult *r = PQexecPrepared(c, "bare_insert", 1, params, NULL, NULL, 0);
    uint64_t t1 = bench_now_ns();
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok ? (double)(t1 - t0) : -1;
}

/* ----- the timeline of each reset (only built with -DAPIKEYS_PG_TRACE) ---------------------------------- */

#ifdef APIKEYS_PG_TRACE
#define TRACES_MAX 160
static char *traces[TRACES_MAX];
static double traced_ns[TRACES_MAX];
static size_t n_traces;
static int tracing; /* during pg_reset_3nodes_vs_commit */

static void trace_keep(double ns)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = tracing && n_traces < TRACES_MAX ? open_memstream(&text, &len) : NULL;
    if (!f)
        return;
    pg_trace_print(f);
    fclose(f);
    traced_ns[n_traces] = ns;
    traces[n_traces++] = text;
}

/* Prints the timeline of the reset that took the median time, then forgets them all. */
static void trace_report(void)
{
    long best = -1;
    size_t pick = 0;
    for (size_t i = 0; i < n_traces; i++) {
        long below = 0; /* resets faster than this one: the median has n / 2 */
        for (size_t j = 0; j < n_traces; j++)
            below += traced_ns[j] < traced_ns[i];
        if (below <= (long)n_traces / 2 && below > best) {
            best = below;
            pick = i;
        }
    }
    if (n_traces)
        bench_progress("the timeline of the median reset (%.3f ms; ms since the action started, by thread):\n%s",
                       traced_ns[pick] / 1e6, traces[pick]);
    for (size_t i = 0; i < n_traces; i++)
        free(traces[i]);
    n_traces = 0;
}
#endif

/* ----- resets ------------------------------------------------------------------------------------------- */

typedef struct reset_check {
    size_t failed, unconfirmed, old_key_accepted;
    char example[512];        /* the first report that was not as expected */
} reset_check_t;

/* One reset on nodes[0]; key in: the current key, out: the new one. Its ns, or -1. The report must contain
 * `expect`; afterwards every node in [0, n_check) must refuse the previous key. */
static double reset_ns(bench_pg_node_t *nodes, size_t n_check, char *key, const char *expect, reset_check_t *chk)
{
    char message[2048], previous[BENCH_KEY_STRIDE], fresh[BENCH_KEY_STRIDE];
    memcpy(previous, key, BENCH_KEY_STRIDE);
#ifdef APIKEYS_PG_TRACE
    pg_trace_start();
#endif
    uint64_t t0 = bench_now_ns();
    int32_t rc = bench_reset_reporting(nodes[0].st, fresh, message, sizeof message);
    uint64_t t1 = bench_now_ns();
    double ns = (double)(t1 - t0);
#ifdef APIKEYS_PG_TRACE
    PG_TRACE("the reset action returned");
    if (rc == PANEL_OK)
        trace_keep(ns);
#endif
    if (rc != PANEL_OK) {
        chk->failed++;
        ns = -1;
    } else {
        memcpy(key, fresh, BENCH_KEY_STRIDE);
        if (!strstr(message, expect))
            chk->unconfirmed++;
        for (size_t i = 0; i < n_check; i++)
            chk->old_key_accepted += bench_authenticate(nodes[i].st, previous) == PANEL_AUTH_ALLOW;
    }
    if ((rc != PANEL_OK || !strstr(message, expect)) && !chk->example[0])
        snprintf(chk->example, sizeof chk->example, "%.500s", message);
    sodium_memzero(previous, sizeof previous);
    sodium_memzero(fresh, sizeof fresh);
    return ns;
}

/* Why a reset check failed, or NULL. */
static const char *check_problem(const reset_check_t *chk, size_t resets, char *out, size_t out_len)
{
    if (chk->failed)
        snprintf(out, out_len, "%zu of %zu resets failed: %.300s", chk->failed, resets, chk->example);
    else if (chk->old_key_accepted)
        snprintf(out, out_len, "a node accepted the previous key after a reset returned (%zu times)",
                 chk->old_key_accepted);
    else if (chk->unconfirmed)
        snprintf(out, out_len, "%zu of %zu reports were not as expected: %.300s", chk->unconfirmed, resets,
                 chk->example);
    else
        return NULL;
    return out;
}

void bench_pg_reset_vs_commit(const bench_env_t *env, bench_pg_node_t *nodes, const char *bare_conninfo,
                              char *key)
{
    char err[1024];
    PGconn *bare = bare_open(bare_conninfo, err, sizeof err);
    if (!bare) {
        bench_missing(FIG_PG_RESET_3NODES_VS_COMMIT, err);
        return;
    }
    char expect[64];
    snprintf(expect, sizeof expect, "Confirmed on %d nodes.", BENCH_PG_NODES);
    enum { MAX_REPS = 15, PAIRS = 8 };
    size_t reps = env->quick ? 3 : 9, bare_failures = 0;
    double ratio[MAX_REPS], rep_reset[MAX_REPS], rep_commit[MAX_REPS];
    reset_check_t chk;
    memset(&chk, 0, sizeof chk);
    reset_ns(nodes, BENCH_PG_NODES, key, expect, &chk); /* warm-up */
#ifdef APIKEYS_PG_TRACE
    tracing = 1;
#endif
    bare_commit_ns(bare);
    for (size_t r = 0; r < reps; r++) {
        double sum_reset = 0, sum_commit = 0;
        for (int i = 0; i < PAIRS; i++) {
            double a, c;
            if (i % 4 == 0 || i % 4 == 3) { /* ABBA */
                a = reset_ns(nodes, BENCH_PG_NODES, key, expect, &chk);
                c = bare_commit_ns(bare);
            } else {
                c = bare_commit_ns(bare);
                a = reset_ns(nodes, BENCH_PG_NODES, key, expect, &chk);
            }
            bare_failures += c < 0;
            sum_reset += a;
            sum_commit += c;
        }
        rep_reset[r] = sum_reset / PAIRS;
        rep_commit[r] = sum_commit / PAIRS;
        ratio[r] = sum_reset / sum_commit;
    }
    PQfinish(bare);
#ifdef APIKEYS_PG_TRACE
    tracing = 0;
    trace_report();
#endif
    const char *problem = check_problem(&chk, reps * PAIRS + 1, err, sizeof err);
    if (problem || bare_failures) {
        bench_missing(FIG_PG_RESET_3NODES_VS_COMMIT, problem ? problem : "a bare commit failed during the run");
        return;
    }
    bench_set(FIG_PG_RESET_3NODES_VS_COMMIT, ratio, reps);
    snprintf(bench_figures[FIG_PG_RESET_3NODES_VS_COMMIT].detail, sizeof bench_figures[0].detail,
             "reset confirmed on %d nodes %.2f ms / one-row INSERT commit %.2f ms (TCP loopback, fsync=on)",
             BENCH_PG_NODES, bench_median(rep_reset, reps) / 1e6, bench_median(rep_commit, reps) / 1e6);
}

/* ----- a reset with one node cut off --------------------------------------------------------------------- */

/* Waits until the node accepts key (it reconnected, reloaded and renewed); seconds waited, or -1 after 10 s. */
static double wait_serving(bench_pg_node_t *node, const char *key)
{
    uint64_t t0 = bench_now_ns();
    while (bench_authenticate(node->st, key) != PANEL_AUTH_ALLOW) {
        if (bench_now_ns() - t0 > 10000000000ull)
            return -1;
        struct timespec nap = {0, 2000000};
        nanosleep(&nap, NULL);
    }
    return (double)(bench_now_ns() - t0) / 1e9;
}

/* Releases a reset that outlives its bound: at the deadline, reads what blocks it, then restores the proxy. */
typedef struct guard {
    pthread_mutex_t mutex;
    pthread_cond_t cond;           /* CLOCK_MONOTONIC */
    int done, fired;
    uint64_t deadline_ns;
    bench_pg_server_t *srv;
    const char *conninfo;
    char blocker[200];             /* what the reset waited for, when fired */
} guard_t;

static void describe_blocker(const char *conninfo, char *out, size_t out_len)
{
    snprintf(out, out_len, "it waited for nothing the server shows as a lock");
    PGconn *c = PQconnectdb(conninfo);
    PGresult *r = PQstatus(c) == CONNECTION_OK
                      ? PQexec(c, "SELECT b.state, left(regexp_replace(b.query, '\\s+', ' ', 'g'), 48)"
                                  " FROM pg_stat_activity w"
                                  " CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp(pid)"
                                  " JOIN pg_stat_activity b ON b.pid = bp.pid WHERE w.wait_event_type = 'Lock'"
                                  " LIMIT 1")
                      : NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(out, out_len, "its lock held by a session %s after \"%s\"", PQgetvalue(r, 0, 0),
                 PQgetvalue(r, 0, 1));
    PQclear(r);
    PQfinish(c);
}

static void *guard_main(void *arg)
{
    guard_t *g = arg;
    struct timespec until = {(time_t)(g->deadline_ns / 1000000000u), (long)(g->deadline_ns % 1000000000u)};
    pthread_mutex_lock(&g->mutex);
    while (!g->done && bench_now_ns() < g->deadline_ns)
        pthread_cond_timedwait(&g->cond, &g->mutex, &until);
    int fire = !g->done;
    g->fired = fire;
    pthread_mutex_unlock(&g->mutex);
    if (fire) { /* the bench's thread is inside the reset: the script's pipe is ours now */
        char err[256];
        describe_blocker(g->conninfo, g->blocker, sizeof g->blocker);
        (void)bench_pg_command(g->srv, "restore", err, sizeof err);
    }
    return NULL;
}

/* One reset with the proxy cut, under the guard; its ns (or -1), and whether the guard had to restore. */
static double guarded_reset_ns(bench_pg_server_t *srv, const char *conninfo, bench_pg_node_t *nodes, char *key,
                               const char *expect, reset_check_t *chk, int *released, char *blocker,
                               size_t blocker_len)
{
    guard_t g;
    memset(&g, 0, sizeof g);
    pthread_mutex_init(&g.mutex, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g.cond, &attr);
    pthread_condattr_destroy(&attr);
    g.srv = srv;
    g.conninfo = conninfo;
    g.deadline_ns = bench_now_ns() + (uint64_t)(BENCH_PG_LEASE_SECONDS + 1 + 3) * 1000000000u;
    pthread_t thread;
    int guarded = pthread_create(&thread, NULL, guard_main, &g) == 0;
    /* the live nodes must refuse the previous key afterwards; the cut-off one is checked by the caller */
    double ns = reset_ns(nodes, BENCH_PG_NODES - 1, key, expect, chk);
    pthread_mutex_lock(&g.mutex);
    g.done = 1;
    pthread_cond_broadcast(&g.cond);
    pthread_mutex_unlock(&g.mutex);
    if (guarded)
        pthread_join(thread, NULL);
    *released = g.fired;
    if (g.fired)
        snprintf(blocker, blocker_len, "%s", g.blocker);
    pthread_cond_destroy(&g.cond);
    pthread_mutex_destroy(&g.mutex);
    return ns;
}

void bench_pg_fenced_reset(const bench_env_t *env, bench_pg_server_t *srv, bench_pg_node_t *nodes,
                           const char *direct_conninfo, char *key)
{
    bench_pg_node_t *cut = &nodes[BENCH_PG_NODES - 1];
    char expect[160], err[1024];
    snprintf(expect, sizeof expect, "Confirmed on %d nodes; node %s did not answer; its lease ended at",
             BENCH_PG_NODES - 1, cut->node_id);
    enum { MAX_REPS = 7 };
    size_t reps = env->quick ? 2 : 5, refused_after = 0, released = 0;
    char blocker[200] = "";
    double seconds[MAX_REPS], back[MAX_REPS];
    reset_check_t chk;
    memset(&chk, 0, sizeof chk);
    for (size_t r = 0; r < reps; r++) {
        if (wait_serving(cut, key) < 0) {
            bench_missing(FIG_PG_FENCED_RESET_S, "the node behind the proxy does not serve the current key");
            return;
        }
        if (bench_pg_command(srv, "cut", err, sizeof err) != 0) {
            bench_missing(FIG_PG_FENCED_RESET_S, err);
            return;
        }
        char previous[BENCH_KEY_STRIDE];
        memcpy(previous, key, sizeof previous);
        int was_released = 0;
        seconds[r] = guarded_reset_ns(srv, direct_conninfo, nodes, key, expect, &chk, &was_released, blocker,
                                      sizeof blocker) / 1e9;
        released += was_released;
        /* the cut-off node refuses every key by now (unless the guard already let it back) */
        refused_after += was_released || (bench_authenticate(cut->st, previous) != PANEL_AUTH_ALLOW &&
                                          bench_authenticate(cut->st, key) != PANEL_AUTH_ALLOW);
        sodium_memzero(previous, sizeof previous);
        if (!was_released && bench_pg_command(srv, "restore", err, sizeof err) != 0) {
            bench_missing(FIG_PG_FENCED_RESET_S, err);
            return;
        }
        back[r] = wait_serving(cut, key);
        if (back[r] < 0) {
            bench_missing(FIG_PG_FENCED_RESET_S, "the cut-off node did not serve the new key within 10 s after the "
                                                 "proxy came back");
            return;
        }
    }
    if (released) { /* measured, and over the bound: the figure fails and says why */
        bench_set(FIG_PG_FENCED_RESET_S, seconds, reps);
        snprintf(bench_figures[FIG_PG_FENCED_RESET_S].detail, sizeof bench_figures[0].detail,
                 "lease_seconds = %d; %zu/%zu resets (%.10s cut) returned only once the proxy came back, "
                 "3 s past the bound: %.110s",
                 BENCH_PG_LEASE_SECONDS, released, reps, cut->node_id, blocker);
        bench_progress("pg_fenced_reset_s: a reset blocked until the proxy came back: %s", blocker);
        return;
    }
    const char *problem = check_problem(&chk, reps, err, sizeof err);
    if (!problem && refused_after != reps) {
        snprintf(err, sizeof err, "the cut-off node still accepted a key when the reset returned (%zu of %zu times)",
                 reps - refused_after, reps);
        problem = err;
    }
    if (problem) {
        bench_missing(FIG_PG_FENCED_RESET_S, problem);
        return;
    }
    bench_set(FIG_PG_FENCED_RESET_S, seconds, reps);
    snprintf(bench_figures[FIG_PG_FENCED_RESET_S].detail, sizeof bench_figures[0].detail,
             "lease_seconds = %d; node %s cut off (proxy SIGSTOPped) right after it renewed: %d nodes confirmed, "
             "%s fenced and refusing every key; back %.0f ms after the proxy returned",
             BENCH_PG_LEASE_SECONDS, cut->node_id, BENCH_PG_NODES - 1, cut->node_id, bench_median(back, reps) * 1e3);
}
