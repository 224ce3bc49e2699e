/* store_postgresql.c - the shared store backend for many web nodes (see store_postgresql.h): the store methods
 * on the admin connection, and after a committed change the wait until every node with a live lease has
 * acknowledged it or its lease has ended, with a report of both for the owner. Snapshots are loaded and
 * published by pg_node.c, never by a verifying thread (demand_reload = 0). */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

static pg_store_t *P(store_t *s)
{
    return s->impl;
}

static int64_t monotonic_ms(void);

/* The admin connection, (re)connected and prepared (schema, secret) when needed. After a failed attempt the
 * next second fails at once with the same message, so a page of several reads does not wait for each. */
static int32_t admin_conn(pg_store_t *p, char *err, size_t err_len)
{
    if (p->conn && PQstatus(p->conn) != CONNECTION_OK) {
        PQfinish(p->conn);
        p->conn = NULL;
    }
    if (!p->conn) {
        if (p->unreachable[0] && monotonic_ms() - p->failed_at_ms < 1000) {
            snprintf(err, err_len, "%s", p->unreachable);
            return PANEL_E_STORE;
        }
        p->n_prepared = 0; /* prepared statements belong to a connection */
        p->conn = pg_connect(p->config, err, err_len);
        if (!p->conn) {
            snprintf(p->unreachable, sizeof p->unreachable, "%s", err);
            p->failed_at_ms = monotonic_ms();
            return PANEL_E_STORE;
        }
        /* Acknowledgements of changes arrive here as notifications (one per node and change: few). */
        int32_t rc = pg_exec(p->conn, "LISTEN " PG_ACK_CHANNEL, 0, NULL, NULL, "listening for acknowledgements", err,
                             err_len);
        if (rc != PANEL_OK) {
            PQfinish(p->conn);
            p->conn = NULL;
            return rc;
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
static void drain_notifications(PGconn *conn)
{
    PGnotify *note;
    while ((note = PQnotifies(conn)) != NULL)
        PQfreemem(note);
}

/* Queues one of this file's statements (a string literal) in the open pipeline, prepared on the connection on
 * first use (the prepare travels in the same queue). Returns its index, or -1. */
static int queue_prepared(pg_store_t *p, const char *sql, int n, const char *const *values, int keep,
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
static int32_t exec_admin(pg_store_t *p, const char *sql, int n, const char *const *values, PGresult **res,
                          const char *doing, char *err, size_t err_len)
{
    if (!p->in_tx) {
        int32_t rc = admin_conn(p, err, err_len);
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
        int index = queue_prepared(p, sql, n, values, res != NULL, doing);
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
        drain_notifications(p->conn); /* acknowledgements nobody waits for */
    return rc;
}

static const char *i64(char *buf, size_t len, int64_t v)
{
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

/* ----- open, close --------------------------------------------------------------------------------------- */

static int32_t pg_open(store_t *s, const store_open_args_t *args, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    p->args = *args;
    p->config = args->config;
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
    /* Reachable now: prepare the schema and check the secret, and refuse to load on a mismatch. Unreachable:
     * load anyway; every request is refused (503) until the node reaches the store by itself. */
    char why[512];
    rc = admin_conn(p, why, sizeof why);
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
}

/* ----- transactions --------------------------------------------------------------------------------------- */

static void pg_rollback(store_t *s);

static int32_t pg_begin(store_t *s, int signals_change, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    int32_t rc = admin_conn(p, err, err_len);
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
     * statements are pipelined: BEGIN and the lock travel with its first read. The connection LISTENs for
     * acknowledgements since it connected, so none of this change is missed. */
    rc = pg_pipe_start(&p->pipe, p->conn, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    p->in_tx = 1;
    p->tx_signals = 1;
    if (pg_pipe_queue(&p->pipe, NULL, NULL, "BEGIN", 0, NULL, 0, "starting a transaction") < 0 ||
        queue_prepared(p, "SELECT change FROM apikeys_state WHERE id = 1 FOR UPDATE", 0, NULL, 0,
                       "waiting for another node's change") < 0) {
        rc = pg_pipe_wait(&p->pipe, -1, err, err_len);
        pg_rollback(s);
        return rc;
    }
    return PANEL_OK;
}

/* Ends a transaction that did not commit. After a failed pipeline the statements it prepared may not exist:
 * forget them all (the server's and ours). */
static void pg_rollback(store_t *s)
{
    pg_store_t *p = P(s);
    int pipelined = p->pipe.active || p->pipe.sent;
    if (p->pipe.active) {
        char ignored[256];
        (void)pg_pipe_end(&p->pipe, ignored, sizeof ignored);
    }
    pg_pipe_discard(&p->pipe);
    memset(&p->pipe, 0, sizeof p->pipe);
    if (p->in_tx && p->conn && PQstatus(p->conn) == CONNECTION_OK)
        PQclear(PQexec(p->conn, pipelined ? "ROLLBACK; DEALLOCATE ALL" : "ROLLBACK"));
    if (pipelined)
        p->n_prepared = 0;
    p->in_tx = 0;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends text to out[0..len) (truncating). */
static void append(char *out, size_t len, const char *text)
{
    size_t n = strnlen(out, len);
    if (n + 1 < len)
        snprintf(out + n, len - n, "%s", text);
}

#define WAIT_MAX_NODES 64

/* The nodes whose lease was live when the change committed, and what is known of each since. */
typedef struct node_wait {
    char instance[160], node_id[64], lease_end[16];
    int acked, fenced, already_fenced;
    int left;                         /* its row is gone: it stopped serving, then left (a clean shutdown) */
} node_wait_t;

typedef struct wait_state {
    node_wait_t nodes[WAIT_MAX_NODES];
    int n;
    int64_t change;
} wait_state_t;

/* An acknowledgement notification: "<change> <instance>". */
static void note_ack(wait_state_t *w, const char *payload)
{
    char *end = NULL;
    long long change = strtoll(payload, &end, 10);
    if (!end || *end != ' ' || change < w->change)
        return;
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->nodes[i].instance, end + 1) == 0)
            w->nodes[i].acked = 1;
}

static void drain_acks(pg_store_t *p, wait_state_t *w)
{
    PGnotify *note;
    while ((note = PQnotifies(p->conn)) != NULL) {
        if (strcmp(note->relname, PG_ACK_CHANNEL) == 0 && note->extra)
            note_ack(w, note->extra);
        PQfreemem(note);
    }
}

/* Re-reads the nodes (their durable acknowledgements and whether their lease has ended by the database's clock).
 * *nearest_ms: time until the nearest pending lease ends. */
static int32_t refresh_nodes(pg_store_t *p, wait_state_t *w, int64_t *nearest_ms, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = pg_exec(p->conn,
                         "SELECT instance, loaded, lease_end > clock_timestamp(),"
                         " GREATEST(0, EXTRACT(EPOCH FROM lease_end - clock_timestamp()) * 1000)::bigint"
                         " FROM apikeys_nodes",
                         0, NULL, &r, "reading the nodes' acknowledgements", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    *nearest_ms = 200;
    for (int i = 0; i < w->n; i++) {
        node_wait_t *nw = &w->nodes[i];
        int seen = 0;
        for (int row = 0; row < PQntuples(r); row++) {
            if (strcmp(PQgetvalue(r, row, 0), nw->instance) != 0)
                continue;
            seen = 1;
            if (strtoll(PQgetvalue(r, row, 1), NULL, 10) >= w->change)
                nw->acked = 1;
            else if (PQgetvalue(r, row, 2)[0] != 't')
                nw->fenced = 1;
            else if (strtoll(PQgetvalue(r, row, 3), NULL, 10) + 5 < *nearest_ms)
                *nearest_ms = strtoll(PQgetvalue(r, row, 3), NULL, 10) + 5;
        }
        if (!seen && !nw->acked)
            nw->fenced = nw->left = 1; /* it fenced itself, then deleted its row: nothing to wait for or report */
    }
    PQclear(r);
    return PANEL_OK;
}

static void write_report(const wait_state_t *w, char *report, size_t report_len)
{
    int acked = 0;
    for (int i = 0; i < w->n; i++)
        acked += w->nodes[i].acked;
    int live = 0;
    for (int i = 0; i < w->n; i++)
        live += !w->nodes[i].already_fenced && !w->nodes[i].left;
    if (live == 0) {
        snprintf(report, report_len,
                 "No node is serving the API right now; each node loads the change when it starts");
        for (int i = 0; i < w->n; i++) {
            if (w->nodes[i].left)
                continue;
            char line[320];
            snprintf(line, sizeof line, "; node %s refuses every key since its lease ended at %s UTC",
                     w->nodes[i].node_id, w->nodes[i].lease_end);
            append(report, report_len, line);
        }
        append(report, report_len, ".");
        return;
    }
    snprintf(report, report_len, "Confirmed on %d node%s", acked, acked == 1 ? "" : "s");
    for (int i = 0; i < w->n; i++) {
        const node_wait_t *nw = &w->nodes[i];
        if (nw->acked || nw->left)
            continue;
        char line[320];
        if (nw->already_fenced)
            snprintf(line, sizeof line, "; node %s refuses every key since its lease ended at %s UTC", nw->node_id,
                     nw->lease_end);
        else if (nw->fenced)
            snprintf(line, sizeof line,
                     "; node %s did not answer; its lease ended at %s UTC, so it refuses every key until it reconnects",
                     nw->node_id, nw->lease_end);
        else
            snprintf(line, sizeof line,
                     "; node %s has not answered; its lease ends at %s UTC, when it refuses every key unless it has "
                     "loaded the change",
                     nw->node_id, nw->lease_end);
        append(report, report_len, line);
    }
    append(report, report_len, ".");
}

/* After the change committed: waits until every node whose lease was live at the commit has acknowledged it
 * (a notification, or loaded >= change in its lease row) or its lease has ended by the database's clock, and
 * says which. Notifications wake the wait; every 200 ms (or when the nearest lease ends) the lease rows are read
 * again. Never longer than lease_seconds + 2 s. */
static void wait_for_nodes(pg_store_t *p, wait_state_t *w, int64_t commit_sent_ms, char *report, size_t report_len)
{
    int64_t give_up = monotonic_ms() + (int64_t)p->config->lease_seconds * 1000 + 2000;
    int64_t next_read = 0, nearest = 200;
    char err[512];
    for (;;) {
        drain_acks(p, w); /* a query may have read notifications into libpq's queue: never poll past them */
        int pending = 0;
        for (int i = 0; i < w->n; i++)
            pending += !w->nodes[i].acked && !w->nodes[i].fenced;
        if (pending == 0 || monotonic_ms() >= give_up)
            break;
        int64_t now = monotonic_ms();
        if (next_read && now >= next_read) {
            if (refresh_nodes(p, w, &nearest, err, sizeof err) != PANEL_OK) {
                /* Cannot tell who has the change: wait out one lease from before the commit. Every node that did
                 * not load it renewed last before our commit, so by then its own clock has fenced it. */
                int64_t until = commit_sent_ms + (int64_t)p->config->lease_seconds * 1000 + 100;
                for (now = monotonic_ms(); now < until; now = monotonic_ms()) {
                    struct timespec nap = {(until - now) / 1000, ((until - now) % 1000) * 1000000};
                    nanosleep(&nap, NULL);
                }
                snprintf(report, report_len,
                         "The change is saved, but the nodes' acknowledgements could not be read (%s), so this "
                         "waited %u s: every node that has not loaded the change now refuses every key until it "
                         "reconnects.",
                         err, p->config->lease_seconds);
                return;
            }
            next_read = 0;
            continue;
        }
        if (!next_read)
            next_read = now + nearest;
        struct pollfd pfd = {PQsocket(p->conn), POLLIN, 0};
        int64_t timeout = next_read - now;
        if (pfd.fd >= 0 && poll(&pfd, 1, (int)(timeout < 1 ? 1 : timeout)) > 0)
            PQconsumeInput(p->conn);
    }
    write_report(w, report, report_len);
}

/* The commit of a changing transaction: with the queued writes, in one round trip, bump the change number and
 * NOTIFY, list the nodes whose lease is live or ended lately (under our lock on the state row no node can renew
 * or join meanwhile), COMMIT. */
static int32_t commit_change(pg_store_t *p, wait_state_t *w, char *err, size_t err_len)
{
    int change = queue_prepared(p,
                               "WITH u AS (UPDATE apikeys_state SET change = change + 1 WHERE id = 1 RETURNING change)"
                               " SELECT change, pg_notify('" PG_CHANGE_CHANNEL "', change::text) FROM u",
                               0, NULL, 1, "recording the change");
    int nodes = queue_prepared(p,
                              "SELECT instance, node_id, loaded, to_char(lease_end AT TIME ZONE 'UTC', 'HH24:MI:SS'),"
                              " lease_end > clock_timestamp() FROM apikeys_nodes"
                              " WHERE lease_end > clock_timestamp() - interval '10 minutes' ORDER BY node_id, instance",
                              0, NULL, 1, "listing the nodes");
    (void)pg_pipe_queue(&p->pipe, NULL, NULL, "COMMIT", 0, NULL, 0, "committing");
    int32_t rc = pg_pipe_end(&p->pipe, err, err_len);
    PGresult *changed = rc == PANEL_OK ? pg_pipe_take(&p->pipe, change) : NULL;
    PGresult *listed = rc == PANEL_OK ? pg_pipe_take(&p->pipe, nodes) : NULL;
    if (rc == PANEL_OK && (!changed || PQntuples(changed) != 1 || !listed)) {
        snprintf(err, err_len, "the PostgreSQL key store has no state row (apikeys_state is empty)");
        rc = PANEL_E_STORE;
    }
    if (rc == PANEL_OK) {
        w->change = strtoll(PQgetvalue(changed, 0, 0), NULL, 10);
        for (int i = 0; i < PQntuples(listed) && w->n < WAIT_MAX_NODES; i++) {
            if (strtoll(PQgetvalue(listed, i, 2), NULL, 10) >= w->change)
                continue; /* cannot happen: no node has the change before it committed */
            node_wait_t *nw = &w->nodes[w->n++];
            snprintf(nw->instance, sizeof nw->instance, "%s", PQgetvalue(listed, i, 0));
            snprintf(nw->node_id, sizeof nw->node_id, "%s", PQgetvalue(listed, i, 1));
            snprintf(nw->lease_end, sizeof nw->lease_end, "%s", PQgetvalue(listed, i, 3));
            /* A lease that had already ended (in the last 10 minutes: a node that crashed or lost the store and
             * has not left): that node refuses every key already; the report names it too. */
            nw->already_fenced = nw->fenced = PQgetvalue(listed, i, 4)[0] != 't';
        }
    }
    PQclear(changed);
    PQclear(listed);
    return rc;
}

static int32_t pg_commit(store_t *s, char *report, size_t report_len, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    int32_t rc;
    if (!p->tx_signals) {
        rc = pg_exec(p->conn, "COMMIT", 0, NULL, NULL, "committing", err, err_len);
        if (rc != PANEL_OK)
            pg_rollback(s);
        p->in_tx = 0;
        return rc;
    }
    wait_state_t w;
    memset(&w, 0, sizeof w);
    drain_notifications(p->conn); /* acknowledgements of earlier changes */
    int64_t commit_sent_ms = monotonic_ms();
    rc = commit_change(p, &w, err, err_len);
    if (rc != PANEL_OK) {
        pg_rollback(s);
        return rc;
    }
    pg_pipe_discard(&p->pipe);
    memset(&p->pipe, 0, sizeof p->pipe);
    p->in_tx = 0;
    char ignored[8];
    wait_for_nodes(p, &w, commit_sent_ms, report && report_len ? report : ignored,
                   report && report_len ? report_len : sizeof ignored);
    return PANEL_OK;
}

/* ----- rows ------------------------------------------------------------------------------------------------ */

static int32_t pg_get_enabled(store_t *s, int *enabled, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = exec_admin(P(s), "SELECT api_enabled FROM apikeys_state WHERE id = 1", 0, NULL, &r,
                            "reading the API switch", err, err_len);
    if (rc == PANEL_OK) {
        *enabled = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
        PQclear(r);
    }
    return rc;
}

static int32_t pg_set_enabled(store_t *s, int enabled, char *err, size_t err_len)
{
    const char *params[] = {enabled ? "true" : "false"};
    return exec_admin(P(s), "UPDATE apikeys_state SET api_enabled = $1::boolean WHERE id = 1", 1, params, NULL,
                      "saving the API switch", err, err_len);
}

static int32_t pg_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    PGresult *r;
    const char *params[] = {role};
    int32_t rc = exec_admin(P(s),
                            "SELECT id, hint, created_at, COALESCE(expires_at, 0), COALESCE(last_used_at, 0),"
                            " use_count FROM apikeys_keys WHERE role = $1",
                            1, params, &r, "reading the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        *found = 1;
        out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->hint, sizeof out->hint, "%s", PQgetvalue(r, 0, 1));
        out->created_at = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        out->expires_at = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        out->last_used_at = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
        out->use_count = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
    }
    PQclear(r);
    return PANEL_OK;
}

static void key_from_row(PGresult *r, int i, store_key_t *out)
{
    out->id = strtoll(PQgetvalue(r, i, 2), NULL, 10);
    snprintf(out->hint, sizeof out->hint, "%s", PQgetvalue(r, i, 3));
    out->created_at = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    out->expires_at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    out->last_used_at = strtoll(PQgetvalue(r, i, 6), NULL, 10);
    out->use_count = strtoll(PQgetvalue(r, i, 7), NULL, 10);
}

static int32_t pg_get_site(store_t *s, store_site_t *out, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = exec_admin(P(s),
                            "SELECT s.api_enabled, COALESCE(k.role, ''), k.id, k.hint, k.created_at,"
                            " COALESCE(k.expires_at, 0), COALESCE(k.last_used_at, 0), k.use_count"
                            " FROM apikeys_state s LEFT JOIN apikeys_keys k ON k.role IN ('current', 'grace')"
                            " WHERE s.id = 1",
                            0, NULL, &r, "reading the key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        out->enabled = PQgetvalue(r, i, 0)[0] == 't';
        const char *role = PQgetvalue(r, i, 1);
        if (strcmp(role, "current") == 0) {
            out->has_current = 1;
            key_from_row(r, i, &out->current);
        } else if (strcmp(role, "grace") == 0) {
            out->has_grace = 1;
            key_from_row(r, i, &out->grace);
        }
    }
    PQclear(r);
    return PANEL_OK;
}

static int32_t pg_get_site_policy(store_t *s, store_site_policy_t *out, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = exec_admin(P(s), "SELECT allowed_ips, rate_limit FROM apikeys_state WHERE id = 1", 0, NULL, &r,
                            "reading the key policy", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    out->allowed_ips[0] = '\0';
    out->rate_limit = 0;
    if (PQntuples(r) == 1) {
        snprintf(out->allowed_ips, sizeof out->allowed_ips, "%s", PQgetvalue(r, 0, 0));
        out->rate_limit = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return PANEL_OK;
}

/* In the changing transaction: the row it updates is the one the commit bumps (apikeys_state). */
static int32_t pg_set_site_policy(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err,
                                  size_t err_len)
{
    char rate[24];
    const char *params[] = {allowed_ips, i64(rate, sizeof rate, rate_limit)};
    return exec_admin(P(s),
                      "UPDATE apikeys_state SET allowed_ips = COALESCE($1, allowed_ips),"
                      " rate_limit = CASE WHEN $2::bigint < 0 THEN rate_limit ELSE $2::bigint END WHERE id = 1",
                      2, params, NULL, "saving the key policy", err, err_len);
}

static void digest_hex(const uint8_t digest[KEY_DIGEST_LEN], char out[2 * KEY_DIGEST_LEN + 3])
{
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < KEY_DIGEST_LEN; i++)
        snprintf(out + 2 + 2 * i, 3, "%02x", digest[i]);
}

/* One statement: a digest this store has seen becomes current again, else a new row. Never a named key's row
 * (find_digest reports those as role "named", so no action gets here with one; the schema refuses a row that is
 * both). */
static int32_t pg_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], const char *hint, int64_t now,
                              int64_t *id, char *err, size_t err_len)
{
    char hex[2 * KEY_DIGEST_LEN + 3], when[24];
    digest_hex(digest, hex);
    const char *params[] = {hex, hint, i64(when, sizeof when, now)};
    PGresult *r = NULL;
    int32_t rc = exec_admin(P(s),
                            "INSERT INTO apikeys_keys(name, digest, hint, created_at, role)"
                            " VALUES ('site', $1::bytea, $2, $3::bigint, 'current')"
                            " ON CONFLICT (digest) DO UPDATE SET role = 'current', revoked_at = NULL, expires_at = NULL"
                            " RETURNING id",
                            3, params, id ? &r : NULL, "saving the new key", err, err_len);
    if (rc == PANEL_OK && id) {
        *id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
    }
    return rc;
}

/* A named key's row reports role "named" (its role is NULL, its named_role its own): it is never the site
 * key's, current or replaced. */
static int32_t pg_find_digest(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                              char *err, size_t err_len)
{
    char hex[2 * KEY_DIGEST_LEN + 3];
    digest_hex(digest, hex);
    const char *params[] = {hex};
    PGresult *r;
    int32_t rc = exec_admin(P(s),
                            "SELECT id, CASE WHEN named_key IS NULL THEN COALESCE(role, '') ELSE 'named' END, created_at,"
                            " COALESCE(revoked_at, 0) FROM apikeys_keys"
                            " WHERE digest = $1::bytea",
                            1, params, &r, "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        out->found = 1;
        out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->role, sizeof out->role, "%s", PQgetvalue(r, 0, 1));
        out->created_at = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
        out->revoked_at = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    }
    PQclear(r);
    return PANEL_OK;
}

static int32_t pg_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {i64(a, sizeof a, id), i64(b, sizeof b, now)};
    return exec_admin(P(s), "UPDATE apikeys_keys SET role = NULL, revoked_at = $2::bigint WHERE id = $1::bigint", 2,
                      params, NULL, "revoking the key", err, err_len);
}

static int32_t pg_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {i64(a, sizeof a, id), i64(b, sizeof b, expires_at)};
    return exec_admin(P(s), "UPDATE apikeys_keys SET role = 'grace', expires_at = $2::bigint WHERE id = $1::bigint",
                      2, params, NULL, "keeping the previous key for the grace period", err, err_len);
}

static int32_t pg_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                        const char *outcome, const char *key_hint, char *err, size_t err_len)
{
    char when[24];
    const char *params[] = {i64(when, sizeof when, now), actor, origin, action, outcome,
                            key_hint && key_hint[0] ? key_hint : NULL};
    return exec_admin(P(s),
                      "INSERT INTO apikeys_audit(at, actor, origin, action, outcome, key_hint)"
                      " VALUES ($1::bigint, $2, $3, $4, $5, $6)",
                      6, params, NULL, "writing the audit row", err, err_len);
}

static int32_t pg_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                             size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {i64(a, sizeof a, limit), i64(b, sizeof b, offset > INT64_MAX ? INT64_MAX : (int64_t)offset)};
    PGresult *r;
    int32_t rc = exec_admin(P(s),
                            "SELECT at, actor, origin, action, outcome, COALESCE(key_hint, '') FROM apikeys_audit"
                            " ORDER BY id DESC LIMIT $1::bigint OFFSET $2::bigint",
                            2, params, &r, "reading the audit trail", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        store_audit_row_t row = {strtoll(PQgetvalue(r, i, 0), NULL, 10), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                                 PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5)};
        rc = fn(ctx, &row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the audit trail");
    }
    PQclear(r);
    return rc;
}

static int32_t pg_flush_usage(store_t *s, const store_usage_t *usage, size_t n_usage, int64_t now,
                              const uint64_t denials[DENIAL_REASONS], const int64_t denial_last[DENIAL_REASONS],
                              char *err, size_t err_len)
{
    /* One round trip (pipelined, BEGIN to COMMIT): a node cut off mid-flush must not hold key rows locked that a
     * reset elsewhere revokes. */
    pg_store_t *p = P(s);
    int32_t rc = admin_conn(p, err, err_len);
    if (rc == PANEL_OK)
        rc = pg_pipe_start(&p->pipe, p->conn, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    p->in_tx = 1;
    p->tx_signals = 0;
    if (pg_pipe_queue(&p->pipe, NULL, NULL, "BEGIN", 0, NULL, 0, "saving usage counts") < 0)
        rc = pg_pipe_wait(&p->pipe, -1, err, err_len);
    char a[24], b[24], c[24];
    for (size_t i = 0; rc == PANEL_OK && i < n_usage; i++) {
        const char *params[] = {i64(a, sizeof a, usage[i].key_id), i64(b, sizeof b, (int64_t)usage[i].count),
                                i64(c, sizeof c, now)};
        rc = exec_admin(P(s),
                        "UPDATE apikeys_keys SET use_count = use_count + $2::bigint,"
                        " last_used_at = GREATEST(COALESCE(last_used_at, 0), $3::bigint) WHERE id = $1::bigint",
                        3, params, NULL, "saving usage counts", err, err_len);
    }
    for (int r = 0; rc == PANEL_OK && r < DENIAL_REASONS; r++) {
        if (!denials[r])
            continue;
        const char *params[] = {denial_names[r], i64(a, sizeof a, (int64_t)denials[r]),
                                i64(b, sizeof b, denial_last[r])};
        rc = exec_admin(P(s),
                        "INSERT INTO apikeys_denials(reason, count, last_at) VALUES ($1, $2::bigint, $3::bigint)"
                        " ON CONFLICT (reason) DO UPDATE SET count = apikeys_denials.count + excluded.count,"
                        " last_at = GREATEST(COALESCE(apikeys_denials.last_at, 0), excluded.last_at)",
                        3, params, NULL, "saving denial counts", err, err_len);
    }
    if (rc == PANEL_OK && pg_pipe_queue(&p->pipe, NULL, NULL, "COMMIT", 0, NULL, 0, "saving usage counts") < 0)
        rc = pg_pipe_wait(&p->pipe, -1, err, err_len);
    if (rc == PANEL_OK)
        rc = pg_pipe_end(&p->pipe, err, err_len);
    if (rc != PANEL_OK) {
        pg_rollback(s);
        return rc;
    }
    pg_pipe_discard(&p->pipe);
    memset(&p->pipe, 0, sizeof p->pipe);
    p->in_tx = 0;
    return PANEL_OK;
}

static int32_t pg_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS],
                              char *err, size_t err_len)
{
    for (int r = 0; r < DENIAL_REASONS; r++)
        counts[r] = last_at[r] = 0;
    PGresult *res;
    int32_t rc = exec_admin(P(s), "SELECT reason, count, COALESCE(last_at, 0) FROM apikeys_denials", 0, NULL, &res,
                            "reading denial counts", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; i < PQntuples(res); i++)
        for (int r = 0; r < DENIAL_REASONS; r++)
            if (strcmp(PQgetvalue(res, i, 0), denial_names[r]) == 0) {
                counts[r] = strtoll(PQgetvalue(res, i, 1), NULL, 10);
                last_at[r] = strtoll(PQgetvalue(res, i, 2), NULL, 10);
            }
    PQclear(res);
    return PANEL_OK;
}

/* The lease decides whether this node serves; a failed admin query never fences it. */
static int pg_last_failure_is_damage(const store_t *s)
{
    (void)s;
    return 0;
}

/* ----- the page ------------------------------------------------------------------------------------------ */

static int32_t pg_describe(store_t *s, char *out, size_t out_len)
{
    pg_store_t *p = P(s);
    char node[400], err[512];
    pg_node_describe(p, node, sizeof node);
    PGresult *r;
    if (exec_admin(p, "SELECT change FROM apikeys_state WHERE id = 1", 0, NULL, &r, "reading the change number", err,
                   sizeof err) != PANEL_OK) {
        snprintf(out, out_len, "PostgreSQL: unreachable - %s; this process (node %s): %s", err, p->node_id, node);
        return PANEL_OK;
    }
    snprintf(out, out_len, "PostgreSQL, change %s; a node refuses every key %u s after losing the store; this process (node %s): %s",
             PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?", p->config->lease_seconds, p->node_id, node);
    PQclear(r);
    return PANEL_OK;
}

static int32_t pg_read_nodes(store_t *s, store_node_fn fn, void *ctx, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = exec_admin(P(s),
                            "SELECT node_id, address, to_char(lease_end AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
                            " || ' UTC', loaded::text FROM apikeys_nodes WHERE lease_end > clock_timestamp()"
                            " ORDER BY node_id, instance",
                            0, NULL, &r, "reading the nodes", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        store_node_row_t row = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3)};
        rc = fn(ctx, &row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the nodes");
    }
    PQclear(r);
    return rc;
}

/* ----- named keys ---------------------------------------------------------------------------------------- */

/* A store_named_t string as a statement parameter: NULL when it is not terminated inside its buffer. */
static const char *bounded(const char *text, size_t size)
{
    return memchr(text, '\0', size) ? text : NULL;
}

static int32_t check_named_strings(const store_named_t *key, char *err, size_t err_len)
{
    if (bounded(key->label, sizeof key->label) && bounded(key->scopes, sizeof key->scopes) &&
        bounded(key->allowed_ips, sizeof key->allowed_ips))
        return PANEL_OK;
    snprintf(err, err_len, "a named key's label, scopes or allowed IPs are not terminated text");
    return PANEL_E_INVALID;
}

static int32_t pg_named_count(store_t *s, int64_t *count, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = exec_admin(P(s), "SELECT count(*) FROM apikeys_named WHERE revoked_at IS NULL", 0, NULL, &r,
                            "counting the named keys", err, err_len);
    if (rc == PANEL_OK) {
        *count = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
    }
    return rc;
}

/* One statement: the named key and its current key row (created when the named key is). */
static int32_t pg_named_create(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN],
                               const char *hint, int64_t *id, char *err, size_t err_len)
{
    int32_t rc = check_named_strings(key, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    char hex[2 * KEY_DIGEST_LEN + 3], rate[24], created[24], expires[24];
    digest_hex(digest, hex);
    const char *params[] = {key->label, key->scopes, key->allowed_ips, i64(rate, sizeof rate, key->rate_limit),
                            i64(created, sizeof created, key->created_at),
                            i64(expires, sizeof expires, key->expires_at), hex, hint};
    PGresult *r = NULL;
    rc = exec_admin(P(s),
                    "WITH n AS (INSERT INTO apikeys_named(label, scopes, allowed_ips, rate_limit, created_at, expires_at)"
                    " VALUES ($1, $2, $3, $4::bigint, $5::bigint, NULLIF($6::bigint, 0)) RETURNING id)"
                    " INSERT INTO apikeys_keys(name, digest, hint, created_at, named_role, named_key)"
                    " SELECT 'named', $7::bytea, $8, $5::bigint, 'current', id FROM n RETURNING named_key",
                    8, params, id ? &r : NULL, "saving the new named key", err, err_len);
    if (rc == PANEL_OK && id) {
        *id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
        if (*id <= 0) {
            snprintf(err, err_len, "the PostgreSQL key store did not return the new named key's id");
            rc = PANEL_E_STORE;
        }
    }
    return rc;
}

/* The live named keys with their listing fields: the hint of the current row, the grace row's hint and end, and
 * the usage over all their key rows (apikeys_keys_named_role keeps one current and one grace row per named key;
 * a named key's rows have role NULL, so the joins go by named_role). */
#define NAMED_LISTING                                                                                              \
    "SELECT n.id, n.label, n.scopes, n.allowed_ips, n.rate_limit, n.created_at, COALESCE(n.expires_at, 0),"       \
    " COALESCE(c.hint, ''), g.id IS NOT NULL, COALESCE(g.expires_at, 0), COALESCE(g.hint, ''),"                  \
    " COALESCE(u.last_used_at, 0), COALESCE(u.use_count, 0)"                                                      \
    " FROM apikeys_named n"                                                                                       \
    " LEFT JOIN apikeys_keys c ON c.named_key = n.id AND c.named_role = 'current'"                                \
    " LEFT JOIN apikeys_keys g ON g.named_key = n.id AND g.named_role = 'grace'"                                  \
    " LEFT JOIN LATERAL (SELECT max(last_used_at) AS last_used_at, sum(use_count)::bigint AS use_count"           \
    " FROM apikeys_keys WHERE named_key = n.id) u ON true"                                                        \
    " WHERE n.revoked_at IS NULL"

/* Listing values are for the page: a value longer than its buffer (which the schema's CHECKs rule out) is cut. */
static void named_from_listing(PGresult *r, int i, store_named_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    (void)pg_copy_text(out->label, sizeof out->label, PQgetvalue(r, i, 1));
    (void)pg_copy_text(out->scopes, sizeof out->scopes, PQgetvalue(r, i, 2));
    (void)pg_copy_text(out->allowed_ips, sizeof out->allowed_ips, PQgetvalue(r, i, 3));
    out->rate_limit = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    out->created_at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    out->expires_at = strtoll(PQgetvalue(r, i, 6), NULL, 10);
    (void)pg_copy_text(out->hint, sizeof out->hint, PQgetvalue(r, i, 7));
    out->has_grace = PQgetvalue(r, i, 8)[0] == 't';
    out->grace_expires_at = strtoll(PQgetvalue(r, i, 9), NULL, 10);
    (void)pg_copy_text(out->grace_hint, sizeof out->grace_hint, PQgetvalue(r, i, 10));
    out->last_used_at = strtoll(PQgetvalue(r, i, 11), NULL, 10);
    out->use_count = strtoll(PQgetvalue(r, i, 12), NULL, 10);
}

static int32_t pg_named_get(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    char a[24];
    const char *params[] = {i64(a, sizeof a, id)};
    PGresult *r;
    int32_t rc = exec_admin(P(s), NAMED_LISTING " AND n.id = $1::bigint", 1, params, &r, "reading the named key",
                            err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        *found = 1;
        named_from_listing(r, 0, out);
    }
    PQclear(r);
    return PANEL_OK;
}

static int32_t pg_named_update(store_t *s, const store_named_t *key, char *err, size_t err_len)
{
    int32_t rc = check_named_strings(key, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    char a[24], b[24];
    const char *params[] = {i64(a, sizeof a, key->id), key->label, key->scopes, key->allowed_ips,
                            i64(b, sizeof b, key->rate_limit)};
    return exec_admin(P(s),
                      "UPDATE apikeys_named SET label = $2, scopes = $3, allowed_ips = $4, rate_limit = $5::bigint"
                      " WHERE id = $1::bigint AND revoked_at IS NULL",
                      5, params, NULL, "saving the named key", err, err_len);
}

/* The named key and its valid key rows (named_role NULL; a row replaced before keeps the time it was). */
static int32_t pg_named_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {i64(a, sizeof a, id), i64(b, sizeof b, now)};
    int32_t rc = exec_admin(P(s),
                            "UPDATE apikeys_named SET revoked_at = $2::bigint WHERE id = $1::bigint"
                            " AND revoked_at IS NULL",
                            2, params, NULL, "revoking the named key", err, err_len);
    if (rc == PANEL_OK)
        rc = exec_admin(P(s),
                        "UPDATE apikeys_keys SET named_role = NULL, revoked_at = $2::bigint"
                        " WHERE named_key = $1::bigint AND named_role IS NOT NULL",
                        2, params, NULL, "revoking the named key's key rows", err, err_len);
    return rc;
}

/* Three statements in this order, so each leaves one current and one grace row at most (apikeys_keys_named_role
 * allows no more at any moment): the old grace row is revoked, the current row becomes the grace row (or is
 * revoked), the new current row is inserted (none for a revoked named key). */
static int32_t pg_named_reset(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], const char *hint,
                              int64_t now, int64_t grace_expires_at, char *err, size_t err_len)
{
    char a[24], b[24], c[24], hex[2 * KEY_DIGEST_LEN + 3];
    const char *params[] = {i64(a, sizeof a, id), i64(b, sizeof b, now),
                            i64(c, sizeof c, grace_expires_at > 0 ? grace_expires_at : 0)};
    int32_t rc = exec_admin(P(s),
                            "UPDATE apikeys_keys SET named_role = NULL, revoked_at = $2::bigint"
                            " WHERE named_key = $1::bigint AND named_role = 'grace'",
                            2, params, NULL, "revoking the named key's previous grace key", err, err_len);
    if (rc == PANEL_OK)
        rc = exec_admin(P(s),
                        "UPDATE apikeys_keys SET"
                        " named_role = CASE WHEN $3::bigint > 0 THEN 'grace' END,"
                        " expires_at = CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE expires_at END,"
                        " revoked_at = CASE WHEN $3::bigint > 0 THEN revoked_at ELSE $2::bigint END"
                        " WHERE named_key = $1::bigint AND named_role = 'current'",
                        3, params, NULL, "replacing the named key's key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    digest_hex(digest, hex);
    const char *insert[] = {hex, hint, i64(b, sizeof b, now), i64(a, sizeof a, id)};
    return exec_admin(P(s),
                      "INSERT INTO apikeys_keys(name, digest, hint, created_at, named_role, named_key)"
                      " SELECT 'named', $1::bytea, $2, $3::bigint, 'current', id FROM apikeys_named"
                      " WHERE id = $4::bigint AND revoked_at IS NULL",
                      4, insert, NULL, "saving the named key's new key", err, err_len);
}

static int32_t pg_read_named(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                             size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {i64(a, sizeof a, limit), i64(b, sizeof b, offset > INT64_MAX ? INT64_MAX : (int64_t)offset)};
    PGresult *r;
    int32_t rc = exec_admin(P(s), NAMED_LISTING " ORDER BY n.id LIMIT $1::bigint OFFSET $2::bigint", 2, params, &r,
                            "reading the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *row = malloc(sizeof *row);
    if (!row) {
        PQclear(r);
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        named_from_listing(r, i, row);
        rc = fn(ctx, row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the named keys");
    }
    free(row);
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
};
