/* store_postgresql.c - the shared store backend for many web nodes (see store_postgresql.h): the admin connection
 * and its statements, opening and closing, transactions, the status line and the Live nodes table, and the method
 * table. Snapshots are loaded and published by pg_node.c, never by a verifying thread (demand_reload = 0). The
 * rest, by concern: pg_settings.c (settings), pg_conn.c (connections, schema, secret), pg_pipeline.c (a changing
 * transaction's queue), pg_commit.c (commit and wait for the nodes), pg_rows.c (the site key's rows, audit,
 * counters), pg_named.c (named keys), pg_node.c (this process as a node). */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

/* The admin connection, (re)connected and prepared (schema, secret) when needed. After a failed attempt the
 * next second fails at once with the same message, so a page of several reads does not wait for each. */
int32_t pg_admin_conn(pg_store_t *p, char *err, size_t err_len)
{
    if (p->conn && PQstatus(p->conn) != CONNECTION_OK) {
        PQfinish(p->conn);
        p->conn = NULL;
    }
    if (!p->conn) {
        if (p->unreachable[0] && pg_monotonic_ms() - p->failed_at_ms < 1000) {
            snprintf(err, err_len, "%s", p->unreachable);
            return PANEL_E_STORE;
        }
        p->n_prepared = 0; /* prepared statements belong to a connection, and so does LISTEN */
        p->listening = 0;
        p->site_seen.valid = 0; /* and what its last change left: the next change reads */
        p->conn = pg_connect(p->config, err, err_len);
        if (!p->conn) {
            snprintf(p->unreachable, sizeof p->unreachable, "%s", err);
            p->failed_at_ms = pg_monotonic_ms();
            return PANEL_E_STORE;
        }
    }
    int32_t rc = pg_prepare_store(p, p->conn, err, err_len);
    if (rc == PANEL_OK)
        p->unreachable[0] = '\0';
    else if (PQstatus(p->conn) != CONNECTION_OK)
        snprintf(p->unreachable, sizeof p->unreachable, "%s", err);
    return rc;
}

/* Drops notifications nobody waits for (libpq would keep them). */
void pg_drain_notifications(PGconn *conn)
{
    PGnotify *note;
    while ((note = PQnotifies(conn)) != NULL)
        PQfreemem(note);
}

/* Queues one of this file's statements (a string literal) in the open pipeline, prepared on the connection on
 * first use (the prepare travels in the same queue). Returns its index, or -1. */
int pg_queue_prepared(pg_store_t *p, const char *sql, int n, const char *const *values, int keep,
                      const char *doing)
{
    int slot = 0;
    while (slot < p->n_prepared && p->prepared[slot] != sql)
        slot++;
    if (slot == PG_ADMIN_STATEMENTS)
        return pg_pipe_queue(&p->pipe, NULL, NULL, sql, n, values, keep, doing);
    char name[24];
    snprintf(name, sizeof name, "apikeys_%d", slot);
    int fresh = slot == p->n_prepared;
    int index = pg_pipe_queue(&p->pipe, name, fresh ? sql : NULL, NULL, n, values, keep, doing);
    if (index >= 0 && fresh)
        p->prepared[p->n_prepared++] = sql; /* forgotten again if the transaction fails (pg_rollback) */
    return index;
}

/* Runs one of this file's statements (always a string literal) on the admin connection, prepared there on first
 * use and kept (parsing and planning each action's dozen statements again would be most of its time). */
int32_t pg_exec_admin(pg_store_t *p, const char *sql, int n, const char *const *values, PGresult **res,
                      const char *doing, char *err, size_t err_len)
{
    if (!p->in_tx) {
        int32_t rc = pg_admin_conn(p, err, err_len);
        if (rc != PANEL_OK)
            return rc;
    }
    if (res)
        *res = NULL;
    int slot = 0;
    while (slot < p->n_prepared && p->prepared[slot] != sql)
        slot++;
    if (slot == PG_ADMIN_STATEMENTS && !p->pipe.active)
        return pg_exec(p->conn, sql, n, values, res, doing, err, err_len);
    char name[24];
    snprintf(name, sizeof name, "apikeys_%d", slot);
    int fresh = slot == p->n_prepared;
    if (p->pipe.active) {
        /* In a changing transaction: queue it; only a statement whose rows are needed costs a round trip. */
        int index = pg_queue_prepared(p, sql, n, values, res != NULL, doing);
        if (!res)
            return index >= 0 ? PANEL_OK : pg_pipe_wait(&p->pipe, index, err, err_len);
        int32_t rc = pg_pipe_wait(&p->pipe, index, err, err_len);
        if (rc == PANEL_OK)
            *res = pg_pipe_take(&p->pipe, index);
        if (rc == PANEL_OK && !*res) {
            snprintf(err, err_len, "the PostgreSQL key store returned no rows while %s", doing);
            rc = PANEL_E_STORE;
        }
        return rc;
    }
    int32_t rc = pg_exec_prepared(p->conn, name, fresh, sql, n, values, res, doing, err, err_len);
    if (fresh && rc == PANEL_OK)
        p->prepared[p->n_prepared++] = sql;
    if (!p->in_tx)
        pg_drain_notifications(p->conn); /* acknowledgements nobody waits for */
    return rc;
}

const char *pg_i64(char *buf, size_t len, int64_t v)
{
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

static int32_t pg_open(store_t *s, const store_open_args_t *args, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    p->args = *args;
    p->config = args->config;
    p->guard_at = -1;
    int32_t rc = pg_check_conninfo(p->config->pg_conninfo, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    char host[64] = "";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    long pid = (long)getpid();
    if (p->config->node_id[0])
        snprintf(p->node_id, sizeof p->node_id, "%s", p->config->node_id);
    else
        snprintf(p->node_id, sizeof p->node_id, "%.40s/%ld", host, pid);
    snprintf(p->address, sizeof p->address, "%s pid %ld", host, pid);
    snprintf(p->instance, sizeof p->instance, "%s/%ld@%s", p->node_id, pid, host);
    pthread_mutex_init(&p->ready_mutex, NULL);
    if (pg_node_init(p) != 0) {
        pthread_mutex_destroy(&p->ready_mutex);
        snprintf(err, err_len, "could not create the node's lease state");
        return PANEL_E_INTERNAL;
    }
    s->counter = &p->counter;
    s->clock_offset_ms = &p->clock_offset_ms;
    /* Reachable now: prepare the schema and check the secret, and refuse to load on a mismatch. Unreachable:
     * load anyway; every request is refused (503) until the node reaches the store by itself. */
    char why[512];
    rc = pg_admin_conn(p, why, sizeof why);
    if (rc != PANEL_OK && p->conn) {
        snprintf(err, err_len, "%s", why);
        pg_node_close(p);
        PQfinish(p->conn);
        p->conn = NULL;
        pthread_mutex_destroy(&p->ready_mutex);
        return rc;
    }
    if (rc != PANEL_OK && p->args.log) {
        char line[640];
        snprintf(line, sizeof line, "API requests are refused until the key store is reachable: %s", why);
        p->args.log(p->args.ctx, PANEL_LOG_ERROR, line);
    }
    return PANEL_OK;
}

static void pg_close(store_t *s)
{
    pg_store_t *p = P(s);
    pg_node_close(p);
    if (p->conn)
        PQfinish(p->conn);
    p->conn = NULL;
    pthread_mutex_destroy(&p->ready_mutex);
    s->counter = NULL;
    s->clock_offset_ms = NULL;
}

static int32_t pg_begin(store_t *s, int signals_change, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    p->guard_at = -1;
    p->stale = 0;
    int32_t rc = pg_admin_conn(p, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (!signals_change) {
        rc = pg_exec(p->conn, "BEGIN", 0, NULL, NULL, "starting a transaction", err, err_len);
        if (rc != PANEL_OK)
            return rc;
        p->in_tx = 1;
        p->tx_signals = 0;
        return PANEL_OK;
    }
    /* A changing transaction queues behind every other node's writer on the state row (FOR UPDATE), and a
     * renewing node's FOR SHARE waits for it, so no lease can be renewed with the snapshot it replaces. Its
     * statements are pipelined: BEGIN and the lock travel with its first read. The connection's first changing
     * transaction also LISTENs for acknowledgements: that takes effect as it commits, before any node can hear of
     * the change, so none is missed; a connection that never changes anything never listens (PostgreSQL wakes
     * every listener of the database for each notification, and an unread one would pile up there). */
    rc = pg_pipe_start(&p->pipe, p->conn, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    p->in_tx = 1;
    p->tx_signals = 1;
    if (pg_pipe_queue(&p->pipe, NULL, NULL, "BEGIN", 0, NULL, 0, "starting a transaction") < 0 ||
        (!p->listening && pg_pipe_queue(&p->pipe, NULL, NULL, "LISTEN " PG_ACK_CHANNEL, 0, NULL, 0,
                                        "listening for acknowledgements") < 0) ||
        pg_queue_prepared(p, "SELECT change FROM apikeys_state WHERE id = 1 FOR UPDATE", 0, NULL, 0,
                          "waiting for another node's change") < 0) {
        rc = pg_pipe_wait(&p->pipe, -1, err, err_len);
        pg_rollback(s);
        return rc;
    }
    return PANEL_OK;
}

/* Ends a transaction that did not commit. After a failed pipeline the statements it prepared may not exist:
 * forget them all (the server's and ours). */
void pg_rollback(store_t *s)
{
    pg_store_t *p = P(s);
    int pipelined = p->pipe.active || p->pipe.sent;
    if (p->pipe.active) {
        char ignored[256];
        (void)pg_pipe_end(&p->pipe, ignored, sizeof ignored); /* reads every result, the guard's too */
    }
    /* Failed at the guard of a site given from memory (pg_get_site), with the guard's own error (division by zero)
     * on a connection still up: another process changed the keys since, the pipeline stopped there (so no COMMIT
     * ran), and whatever the transaction decided from that site is void; it may run again. A lost connection is
     * not that: it may have committed. */
    p->stale = p->guard_at >= 0 && p->pipe.failed && p->pipe.failed_at == p->guard_at &&
               strcmp(p->pipe.failed_sqlstate, "22012") == 0 && p->conn && PQstatus(p->conn) == CONNECTION_OK;
    p->guard_at = -1;
    p->site_seen.valid = 0;
    pg_pipe_discard(&p->pipe);
    memset(&p->pipe, 0, sizeof p->pipe);
    if (p->in_tx && p->conn && PQstatus(p->conn) == CONNECTION_OK)
        PQclear(PQexec(p->conn, pipelined ? "ROLLBACK; DEALLOCATE ALL" : "ROLLBACK"));
    if (pipelined)
        p->n_prepared = 0;
    p->in_tx = 0;
}

int64_t pg_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* store_backend_t.retry_wanted: the last transaction failed only because the site it was given from memory was out
 * of date (pg_get_site); once. */
static int pg_retry_wanted(store_t *s)
{
    pg_store_t *p = P(s);
    int stale = p->stale;
    p->stale = 0;
    return stale;
}

/* The lease decides whether this node serves; a failed admin query never fences it. */
static int pg_last_failure_is_damage(const store_t *s)
{
    (void)s;
    return 0;
}

static int32_t pg_describe(store_t *s, char *out, size_t out_len)
{
    pg_store_t *p = P(s);
    char node[400], err[512];
    pg_node_describe(p, node, sizeof node);
    PGresult *r;
    if (pg_exec_admin(p, "SELECT change FROM apikeys_state WHERE id = 1", 0, NULL, &r, "reading the change number", err,
                      sizeof err) != PANEL_OK) {
        snprintf(out, out_len, "PostgreSQL: unreachable - %s; this process (node %s): %s", err, p->node_id, node);
        return PANEL_OK;
    }
    snprintf(out, out_len, "PostgreSQL, change %s; a node refuses every key %u s after losing the store; this process (node %s): %s",
             PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?", p->config->lease_seconds, p->node_id, node);
    PQclear(r);
    return PANEL_OK;
}

/* The live nodes; each one's share of the busiest limited key (the most demand over the live nodes' last
 * renewals), as it reported it at its last renewal. */
static const char nodes_sql[] =
    "WITH live AS (SELECT * FROM apikeys_nodes WHERE lease_end > clock_timestamp()),"
    " busy AS (SELECT u.k FROM live, unnest(live.rl_keys, live.rl_demand) AS u(k, d) GROUP BY u.k"
    " ORDER BY sum(u.d) DESC, u.k LIMIT 1),"
    " what AS (SELECT b.k, CASE WHEN b.k = 0 THEN 'the site key (' || s.rate_limit || '/min)'"
    " ELSE '''' || n.label || ''' (' || n.rate_limit || '/min)' END AS name"
    " FROM busy b CROSS JOIN apikeys_state s LEFT JOIN apikeys_named n ON n.id = b.k WHERE s.id = 1)"
    " SELECT l.node_id, l.address, to_char(l.lease_end AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    " || ' UTC', l.loaded::text, CASE WHEN l.clock_offset_ms IS NULL THEN 'not measured yet'"
    " ELSE to_char(-l.clock_offset_ms / 1000.0, 'FMS9999990.0') || ' s' || CASE WHEN"
    " l.clock_fenced THEN ' (over max_clock_offset: refusing every key)' ELSE '' END END,"
    " COALESCE((SELECT to_char(100 * u.s, 'FM990.0') || ' % of ' || what.name FROM what,"
    " unnest(l.rl_keys, l.rl_shares) AS u(k, s) WHERE u.k = what.k LIMIT 1),"
    " CASE WHEN EXISTS (SELECT 1 FROM what) THEN 'not reported yet' ELSE '-' END)"
    " FROM live l ORDER BY l.node_id, l.instance";

static int32_t pg_read_nodes(store_t *s, store_node_fn fn, void *ctx, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s),
                               nodes_sql,
                            0, NULL, &r, "reading the nodes", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        store_node_row_t row = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                                PQgetvalue(r, i, 4), PQgetvalue(r, i, 5)};
        rc = fn(ctx, &row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the nodes");
    }
    PQclear(r);
    return rc;
}

static void pg_serve(store_t *s)
{
    pg_node_serve(P(s));
}

const store_backend_t store_postgresql_backend = {
    .kind = "postgresql",
    .title = "PostgreSQL",
    .demand_reload = 0,
    .has_nodes = 1,
    .impl_size = sizeof(pg_store_t),
    .load_settings = pg_load_settings,
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .retry_wanted = pg_retry_wanted,
    .get_enabled = pg_get_enabled,
    .set_enabled = pg_set_enabled,
    .get_role = pg_get_role,
    .get_site = pg_get_site,
    .put_current = pg_put_current,
    .find_digest = pg_find_digest,
    .revoke = pg_revoke,
    .make_grace = pg_make_grace,
    .audit = pg_audit,
    .read_audit = pg_read_audit,
    .flush_usage = pg_flush_usage,
    .read_usage = pg_read_usage,
    .read_caller = pg_read_caller,
    .read_named_caller = pg_read_named_caller,
    .get_denials = pg_get_denials,
    .last_failure_is_damage = pg_last_failure_is_damage,
    .describe = pg_describe,
    .read_nodes = pg_read_nodes,
    .serve = pg_serve,
    .get_site_policy = pg_get_site_policy,
    .set_site_policy = pg_set_site_policy,
    .named_count = pg_named_count,
    .named_create = pg_named_create,
    .named_get = pg_named_get,
    .named_update = pg_named_update,
    .named_revoke = pg_named_revoke,
    .named_reset = pg_named_reset,
    .read_named = pg_read_named,
    .read_revoked_named = pg_read_revoked_named,
    .get_option = pg_get_option,
    .set_option = pg_set_option,
    .leak_revoke = pg_leak_revoke,
    .last_site_leak = pg_last_site_leak,
};
