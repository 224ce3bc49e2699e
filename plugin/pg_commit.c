/* pg_commit.c - the PostgreSQL backend's commit-and-wait (see store_postgresql.h): a changing transaction's
 * commit (its queued writes, the change number and the notification in one round trip; when this process serves
 * as a node, also the snapshot its node then serves at once), then the wait until every other node whose lease
 * was live has acknowledged the change or its lease has ended (fenced), and the report of both for the owner. */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "pg_trace.h"
#include "store_postgresql.h"

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
        if (strcmp(note->relname, PG_ACK_CHANNEL) == 0 && note->extra) {
            PG_TRACE("acknowledgement \"%.80s\"", note->extra);
            note_ack(w, note->extra);
        }
        PQfreemem(note);
    }
}

/* Re-reads the nodes (their durable acknowledgements and whether their lease has ended by the database's clock).
 * *nearest_ms: time until the nearest pending lease ends. */
static int32_t refresh_nodes(pg_store_t *p, wait_state_t *w, int64_t *nearest_ms, char *err, size_t err_len)
{
    PGresult *r;
    PG_TRACE("reading the lease rows");
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
    int64_t give_up = pg_monotonic_ms() + (int64_t)p->config->lease_seconds * 1000 + 2000;
    int64_t next_read = 0, nearest = 200;
    char err[512];
    for (;;) {
        drain_acks(p, w); /* a query may have read notifications into libpq's queue: never poll past them */
        int pending = 0;
        for (int i = 0; i < w->n; i++)
            pending += !w->nodes[i].acked && !w->nodes[i].fenced;
        if (pending == 0 || pg_monotonic_ms() >= give_up)
            break;
        int64_t now = pg_monotonic_ms();
        if (next_read && now >= next_read) {
            if (refresh_nodes(p, w, &nearest, err, sizeof err) != PANEL_OK) {
                /* Cannot tell who has the change: wait out one lease from before the commit. Every node that did
                 * not load it renewed last before our commit, so by then its own clock has fenced it. */
                int64_t until = commit_sent_ms + (int64_t)p->config->lease_seconds * 1000 + 100;
                for (now = pg_monotonic_ms(); now < until; now = pg_monotonic_ms()) {
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
        PG_TRACE("waiting for %d acknowledgement%s (at most %d ms)", pending, pending == 1 ? "" : "s", (int)timeout);
        if (pfd.fd >= 0 && poll(&pfd, 1, (int)(timeout < 1 ? 1 : timeout)) > 0)
            PQconsumeInput(p->conn);
    }
    PG_TRACE("every node confirmed or fenced");
    write_report(w, report, report_len);
}

/* Publishes the snapshot read inside the committed transaction on this process's own node; its entry in w is then
 * acknowledged. Any doubt (rows missing, a snapshot that does not build, not serving) leaves it to the node's own
 * reload and acknowledgement. */
static void confirm_own_node(pg_store_t *p, wait_state_t *w, PGresult *rows, PGresult *leaked)
{
    keyring_t *ring = NULL;
    int64_t seen = -1;
    char ignored[256];
    if (!rows || !leaked || pg_snapshot_keyring(rows, leaked, &ring, &seen, ignored, sizeof ignored) != PANEL_OK ||
        seen != w->change) {
        keyring_free(ring);
        return;
    }
    if (!pg_node_offer(p, ring, seen))
        return;
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->nodes[i].instance, p->instance) == 0)
            w->nodes[i].acked = 1;
}

/* The commit of a changing transaction: with the queued writes, in one round trip, bump the change number and
 * NOTIFY, list the nodes whose lease is live or ended lately (under our lock on the state row no node can renew
 * or join meanwhile), COMMIT; then, when this process serves as a node, read the snapshot it will serve (after
 * the COMMIT, so the other nodes hear of the change no later than without it). */
static int32_t commit_change(pg_store_t *p, wait_state_t *w, char *err, size_t err_len)
{
    /* the statements below (and their prepares) in one queue, so no result they keep is read and dropped early */
    (void)pg_pipe_reserve(&p->pipe, 11);
    int change = pg_queue_prepared(p,
                               "WITH u AS (UPDATE apikeys_state SET change = change + 1 WHERE id = 1 RETURNING change)"
                               " SELECT change, pg_notify('" PG_CHANGE_CHANNEL "', change::text) FROM u",
                               0, NULL, 1, "recording the change");
    int nodes = pg_queue_prepared(p,
                              "SELECT instance, node_id, loaded, to_char(lease_end AT TIME ZONE 'UTC', 'HH24:MI:SS'),"
                              " lease_end > clock_timestamp() FROM apikeys_nodes"
                              " WHERE lease_end > clock_timestamp() - interval '10 minutes' ORDER BY node_id, instance",
                              0, NULL, 1, "listing the nodes");
    /* the site as this commit leaves it, for the next changing transaction (pg_get_site); under the lock */
    int site = pg_queue_prepared(p, pg_site_sql, 0, NULL, 1, "reading the key");
    int committed = pg_pipe_queue(&p->pipe, NULL, NULL, "COMMIT", 0, NULL, 0, "committing");
    int own = pg_node_serving(p);
    int rows = own ? pg_queue_prepared(p, pg_snapshot_sql, 0, NULL, 1, "reading the valid keys") : -1;
    int leaked = own ? pg_queue_prepared(p, pg_leaked_sql, 0, NULL, 1, "reading the leaked keys") : -1;
    int committing = own;
    if (committing)
        pg_node_committing(p, 1);
    int32_t rc = pg_pipe_end(&p->pipe, err, err_len);
    if (rc != PANEL_OK && committed >= 0 && p->pipe.failed_at > committed) {
        rc = PANEL_OK; /* the COMMIT succeeded; only reading the snapshot afterwards failed: the node reloads it */
        own = 0;
    }
    PGresult *changed = rc == PANEL_OK ? pg_pipe_take(&p->pipe, change) : NULL;
    PGresult *site_rows = rc == PANEL_OK ? pg_pipe_take(&p->pipe, site) : NULL;
    PGresult *listed = rc == PANEL_OK ? pg_pipe_take(&p->pipe, nodes) : NULL;
    if (rc == PANEL_OK && (!changed || PQntuples(changed) != 1 || !listed)) {
        snprintf(err, err_len, "the PostgreSQL key store has no state row (apikeys_state is empty)");
        rc = PANEL_E_STORE;
    }
    if (rc == PANEL_OK) {
        w->change = strtoll(PQgetvalue(changed, 0, 0), NULL, 10);
        if (site_rows) {
            pg_site_from(site_rows, &p->site_seen.site);
            p->site_seen.change = w->change;
            p->site_seen.valid = 1;
        }
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
    if (rc == PANEL_OK && own) {
        PGresult *snapshot = pg_pipe_take(&p->pipe, rows), *digests = pg_pipe_take(&p->pipe, leaked);
        confirm_own_node(p, w, snapshot, digests);
        PQclear(snapshot);
        PQclear(digests);
    }
    if (committing)
        pg_node_committing(p, 0);
    PQclear(changed);
    PQclear(site_rows);
    PQclear(listed);
    return rc;
}

int32_t pg_commit(store_t *s, char *report, size_t report_len, char *err, size_t err_len)
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
    pg_drain_notifications(p->conn); /* acknowledgements of earlier changes */
    int64_t commit_sent_ms = pg_monotonic_ms();
    rc = commit_change(p, &w, err, err_len);
    if (rc != PANEL_OK) {
        pg_rollback(s);
        return rc;
    }
    pg_pipe_discard(&p->pipe);
    memset(&p->pipe, 0, sizeof p->pipe);
    p->in_tx = 0;
    p->guard_at = -1;
    p->listening = 1; /* the LISTEN queued with BEGIN (pg_begin) committed with the change */
    char ignored[8];
    wait_for_nodes(p, &w, commit_sent_ms, report && report_len ? report : ignored,
                   report && report_len ? report_len : sizeof ignored);
    return PANEL_OK;
}
