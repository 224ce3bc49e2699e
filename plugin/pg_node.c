/* pg_node.c - this process as a node of a shared PostgreSQL store (see store_postgresql.h).
 *
 * The lease thread, on its own connection: LISTENs for changes; whenever it is behind (a change notification, a
 * renewal that read a newer change number, a reconnect, a fence) it loads a new snapshot (one REPEATABLE READ
 * transaction, one round trip) and publishes it at once while its lease is valid (else holds it), then
 * acknowledges with a notification "<change> <instance>" (committed without waiting for the disk: a lost one
 * only makes the writer read the lease row instead). It renews its lease in one statement every third of the
 * lease: lease_end = now + lease_seconds and loaded = its change number, only when the committed change number,
 * read under FOR SHARE (which waits for a committing writer), is the loaded one; that row is the durable
 * acknowledgement. The same statement returns the database's clock: the node's offset from it (NTP's midpoint
 * estimate) corrects apikeys_now(). A node serves only while a measurement shows it surely within max_clock_offset
 * (clock_offset.c): before its first measurement, surely over, or unable to tell (a slow round trip's error
 * straddles the bound), it refuses every key (503) until a renewal measures it within.
 * The fence watchdog: when the lease deadline passes without a renewal (measured on this process's monotonic
 * clock from before the renewal was sent), publishes a failed snapshot: every key gets 503 until a renewal
 * succeeds with a freshly loaded snapshot.
 * Every publication happens under the node mutex, so the two threads agree on what is served. The verify path
 * never sees any of this: it reads the counter, which follows the published snapshot's epoch. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock_offset.h"
#include "panel/plugin.h"
#include "snapshot.h"
#include "pg_trace.h"
#include "store_postgresql.h"

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / NS_PER_MS;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static struct timespec abs_time(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S)};
    return ts;
}

static void node_log(pg_store_t *p, int32_t level, const char *msg)
{
    if (p->args.log)
        p->args.log(p->args.ctx, level, msg);
}

int pg_node_init(pg_store_t *p)
{
    pg_node_t *n = &p->node;
    n->loaded_change = -1;
    n->clock_verdict = -1; /* none yet: the node refuses until a measurement is surely within */
    n->offered_change = -1;
    snprintf(n->status, sizeof n->status, "not a node yet: it becomes one at its first API request");
    if (pipe2(n->wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&n->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&n->mutex, NULL);
    return 0;
}

/* [node mutex] Publishes ring (ownership passes) and moves the counter to its epoch. */
static void publish_locked(pg_store_t *p, keyring_t *ring)
{
    pg_node_t *n = &p->node;
    ring->epoch = ++n->epoch_seq;
    p->args.publish(p->args.ctx, ring);
    atomic_store_explicit(&p->counter, n->epoch_seq, memory_order_release);
}

/* [node mutex] Every key gets 503 from now on; the next renewal needs a freshly loaded snapshot. */
static void fence_locked(pg_store_t *p, const char *why)
{
    pg_node_t *n = &p->node;
    keyring_t *failed = keyring_new_failed(0);
    if (failed)
        publish_locked(p, failed);
    else /* no memory for a failed snapshot: a counter no snapshot has makes every request take the slow path,
          * which denies with 503 when the current snapshot is not servable... so make it not servable */
        atomic_store_explicit(&p->counter, ++n->epoch_seq, memory_order_release);
    n->serving = 0;
    n->loaded_change = -1;
    n->lease_deadline_ns = 0;
    snprintf(n->status, sizeof n->status, "refusing every key (503): %s", why);
}

static void first_attempt_done(pg_store_t *p)
{
    pthread_mutex_lock(&p->node.mutex);
    if (!p->node.first_attempt_done) {
        p->node.first_attempt_done = 1;
        pthread_cond_broadcast(&p->node.cond);
    }
    pthread_mutex_unlock(&p->node.mutex);
}

static int stopping(pg_store_t *p)
{
    pthread_mutex_lock(&p->node.mutex);
    int stop = p->node.stop;
    pthread_mutex_unlock(&p->node.mutex);
    return stop;
}

/* ----- snapshot reads on the node's connection ------------------------------------------------------------ */

typedef struct snapshot_read {
    PGconn *conn;
    int64_t change;
} snapshot_read_t;

/* The node connection's statements, prepared once per connection in connect_node(). */
static const char ack_sql[] =
    "SELECT set_config('synchronous_commit', 'off', true), pg_notify('" PG_ACK_CHANNEL "', $1)";
static const char renew_sql[] =
    /* Also records the clock offset measured at the previous renewal ($7, NULL: none yet) and its fence ($8), and
     * this node's rate-limit demand and shares ($9..$11, pg_ratelimit.c); returns the other live nodes' number and
     * their summed demand per key (the shares this node takes), and the database's clock (milliseconds since the
     * epoch) last, for this renewal's measurement. */
    "WITH c AS (SELECT change FROM apikeys_state WHERE id = 1 FOR SHARE),"
    " ins AS (INSERT INTO apikeys_nodes(instance, node_id, address, pid, lease_end, loaded, clock_offset_ms,"
    " clock_fenced, rl_keys, rl_demand, rl_shares)"
    " SELECT $1, $2, $3, $4::integer, clock_timestamp() + $5::interval, $6::bigint, $7::bigint, $8::boolean,"
    " $9::bigint[], $10::float8[], $11::float8[] FROM c WHERE c.change = $6::bigint"
    " ON CONFLICT (instance) DO UPDATE SET lease_end = excluded.lease_end, loaded = excluded.loaded,"
    " clock_offset_ms = excluded.clock_offset_ms, clock_fenced = excluded.clock_fenced,"
    " rl_keys = excluded.rl_keys, rl_demand = excluded.rl_demand, rl_shares = excluded.rl_shares"
    " RETURNING 1),"
    " o AS (SELECT rl_keys, rl_demand FROM apikeys_nodes WHERE instance <> $1 AND lease_end > clock_timestamp()"
    " AND NOT clock_fenced),"
    " d AS (SELECT u.k, sum(u.r) AS r FROM o, unnest(o.rl_keys, o.rl_demand) AS u(k, r) GROUP BY u.k)"
    " SELECT (SELECT change FROM c), (SELECT count(*) FROM ins), (SELECT count(*) FROM o),"
    " (SELECT array_agg(k ORDER BY k) FROM d), (SELECT array_agg(r ORDER BY k) FROM d),"
    " floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

static int32_t read_snapshot(void *vctx, const store_snapshot_sink_t *sink, char *err, size_t err_len)
{
    snapshot_read_t *r = vctx;
    return pg_node_read_snapshot(r->conn, 1, sink, &r->change, err, err_len);
}

/* ----- one cycle: reload when behind, acknowledge, renew ------------------------------------------------- */

/* Loads the committed snapshot; publishes it now while the lease is valid, else holds it for the renewal.
 * *published = 1 when it is served now; *serving_change: the change number served then (a writer of this process
 * may have published a newer one meanwhile, pg_node_offer: that one stays). */
static int32_t reload(pg_store_t *p, int *published, int64_t *serving_change, char *err, size_t err_len)
{
    pg_node_t *n = &p->node;
    snapshot_read_t r = {n->conn, 0};
    keyring_t *ring = NULL;
    *published = 0;
    int32_t rc = snapshot_build_keyring(read_snapshot, &r, 0, &ring, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    pthread_mutex_lock(&n->mutex);
    if (n->serving && mono_ns() < n->lease_deadline_ns && r.change < n->loaded_change) {
        keyring_free(ring); /* older than what a writer of this process published: never go back */
        *published = 1;
    } else if (n->serving && mono_ns() < n->lease_deadline_ns) {
        n->loaded_change = r.change;
        publish_locked(p, ring);
        *published = 1;
    } else {
        n->loaded_change = r.change;
        keyring_free(n->held);
        n->held = ring;
    }
    *serving_change = n->loaded_change;
    pthread_mutex_unlock(&n->mutex);
    PG_TRACE("%s change %" PRId64, *published ? "serving" : "holding", r.change);
    return PANEL_OK;
}

int pg_node_offer(pg_store_t *p, keyring_t *ring, int64_t change)
{
    pg_node_t *n = &p->node;
    int confirmed = 0;
    pthread_mutex_lock(&n->mutex);
    if (n->serving && mono_ns() < n->lease_deadline_ns) {
        confirmed = 1;
        if (change > n->loaded_change) {
            n->loaded_change = change;
            publish_locked(p, ring);
            ring = NULL;
        }
        n->offered_change = change; /* its notification needs no reload or acknowledgement */
    }
    pthread_mutex_unlock(&n->mutex);
    keyring_free(ring);
    PG_TRACE("%s change %" PRId64 " on its own node", confirmed ? "serving" : "not serving", change);
    return confirmed;
}

int pg_node_serving(pg_store_t *p)
{
    pthread_mutex_lock(&p->node.mutex);
    int serving = p->node.serving && mono_ns() < p->node.lease_deadline_ns;
    pthread_mutex_unlock(&p->node.mutex);
    return serving;
}

/* Tells a waiting writer that this node serves change `loaded` now: a notification, committed without waiting
 * for the disk (losing it in a crash only makes the writer wait for the lease row instead). */
static int32_t acknowledge(pg_store_t *p, int64_t loaded, char *err, size_t err_len)
{
    char payload[200];
    snprintf(payload, sizeof payload, "%" PRId64 " %s", loaded, p->instance);
    const char *params[] = {payload};
    PG_TRACE("acknowledging change %" PRId64, loaded);
    int32_t rc = pg_exec_prepared(p->node.conn, "apikeys_ack", 0, ack_sql, 1, params, NULL, "acknowledging", err,
                                  err_len);
    PG_TRACE("acknowledgement committed");
    return rc;
}

/* One measurement of the database's clock minus this machine's (offset_ms, over a round trip of round_trip_ms;
 * sampled = 0: the renewal brought none), kept unless it is slow and a better one is kept (clock_offset.c).
 * Publishes the kept offset for apikeys_now(), then judges it: the node serves only while its clock is surely
 * within max_clock_offset. Surely over, it refuses every key and says to fix NTP; unable to tell (nothing
 * measured yet, or an error bound that straddles the bound), it refuses every key and measures again at its next
 * renewal. A refusing node that serves is fenced; one within again serves after this renewal. 1: it may serve. */
static int clock_sample(pg_store_t *p, int sampled, int64_t offset_ms, int64_t round_trip_ms)
{
    pg_node_t *n = &p->node;
    pthread_mutex_lock(&n->mutex);
    if (sampled && clock_offset_take(&n->clock, offset_ms, round_trip_ms))
        atomic_store_explicit(&p->clock_offset_ms, offset_ms, memory_order_relaxed);
    unsigned max = p->config->max_clock_offset;
    int verdict = clock_offset_verdict(&n->clock, (int64_t)max * 1000);
    char why[400];
    clock_offset_explain(&n->clock, verdict, max, why, sizeof why);
    if (verdict != CLOCK_WITHIN) {
        if (verdict != n->clock_verdict || n->serving) {
            char line[500];
            snprintf(line, sizeof line, "node %s refuses every API key: %s", p->node_id, why);
            node_log(p, verdict == CLOCK_OVER ? PANEL_LOG_ERROR : PANEL_LOG_WARN, line);
        }
        if (n->serving)
            fence_locked(p, why);
        else
            snprintf(n->status, sizeof n->status, "refusing every key (503): %s", why);
    } else if (n->clock_verdict == CLOCK_OVER || n->clock_verdict == CLOCK_UNSURE) {
        char how[64], line[200];
        clock_offset_describe(n->clock.offset_ms, how, sizeof how);
        snprintf(line, sizeof line, "node %s: its clock is %swithin max_clock_offset (%s the key store's)",
                 p->node_id, n->clock_verdict == CLOCK_OVER ? "back " : "", how);
        node_log(p, PANEL_LOG_INFO, line);
    }
    n->clock_fenced = verdict == CLOCK_OVER; /* its lease row says so (other nodes leave it out of the shares) */
    n->clock_verdict = verdict;
    pthread_mutex_unlock(&n->mutex);
    return verdict == CLOCK_WITHIN;
}

/* Renews the lease with the loaded snapshot, in one statement (no lock is held across a round trip): only when
 * the committed change number, read under FOR SHARE (which waits for a committing writer), is still the loaded
 * one. *renewed = 1 when it did; *committed = the change number it read. The lease row's `loaded` is also the
 * durable acknowledgement. */
static int32_t renew(pg_store_t *p, int *renewed, int64_t *committed, char *err, size_t err_len)
{
    pg_node_t *n = &p->node;
    *renewed = 0;
    pthread_mutex_lock(&n->mutex);
    int64_t loaded = n->loaded_change;
    pthread_mutex_unlock(&n->mutex);
    char pid[24], lease[32], loaded_text[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    snprintf(lease, sizeof lease, "%u seconds", p->config->lease_seconds);
    snprintf(loaded_text, sizeof loaded_text, "%" PRId64, loaded);
    char offset_text[24];
    pthread_mutex_lock(&n->mutex);
    snprintf(offset_text, sizeof offset_text, "%" PRId64, n->clock.offset_ms);
    const char *offset = n->clock.has ? offset_text : NULL, *fenced = n->clock_fenced ? "true" : "false";
    pthread_mutex_unlock(&n->mutex);
    pg_ratelimit_round_t *rl = n->ratelimit_round;
    pg_ratelimit_report(p, rl);
    const char *params[] = {p->instance, p->node_id, p->address, pid,       lease,     loaded_text,
                            offset,      fenced,     rl->keys,   rl->demand, rl->shares};
    int64_t sent = mono_ns(); /* the lease counts from before the renewal leaves this process */
    int64_t wall_sent = wall_ms();
    PGresult *r;
    int32_t rc = pg_exec_prepared(n->conn, "apikeys_renew", 0, renew_sql, 11, params, &r, "renewing the lease", err,
                                  err_len);
    if (rc != PANEL_OK)
        return rc;
    int64_t round_trip_ms = (mono_ns() - sent) / NS_PER_MS;
    *committed = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    int done = PQntuples(r) == 1 && strtoll(PQgetvalue(r, 0, 1), NULL, 10) == 1;
    int sampled = PQntuples(r) == 1 && PQnfields(r) == 6 && !PQgetisnull(r, 0, 5);
    int may_serve = clock_sample(
        p, sampled, sampled ? strtoll(PQgetvalue(r, 0, 5), NULL, 10) - (wall_sent + round_trip_ms / 2) : 0,
        round_trip_ms);
    if (done)
        pg_ratelimit_take(p, rl, r, 2);
    PQclear(r);
    if (!done)
        return PANEL_OK;
    if (!may_serve) {
        *renewed = 1; /* renewed as a refusing node; measure again at the next renewal */
        return PANEL_OK;
    }
    int64_t deadline = sent + (int64_t)p->config->lease_seconds * NS_PER_S;
    pthread_mutex_lock(&n->mutex);
    if (n->loaded_change == loaded && mono_ns() < deadline) {
        n->lease_deadline_ns = deadline;
        if (n->held) {
            publish_locked(p, n->held);
            n->held = NULL;
        }
        if (!n->serving) {
            char line[160];
            snprintf(line, sizeof line, "node %s serves API requests again (change %" PRId64 ")", p->node_id,
                     loaded);
            node_log(p, PANEL_LOG_INFO, line);
        }
        n->serving = 1;
        snprintf(n->status, sizeof n->status, "serving, change %" PRId64 " loaded and acknowledged", loaded);
        *renewed = 1;
        pthread_cond_broadcast(&n->cond);
    }
    pthread_mutex_unlock(&n->mutex);
    return PANEL_OK;
}

void pg_node_committing(pg_store_t *p, int committing)
{
    pthread_mutex_lock(&p->node.mutex);
    p->node.writer_committing = committing;
    if (!committing)
        pthread_cond_broadcast(&p->node.cond);
    pthread_mutex_unlock(&p->node.mutex);
}

/* The newest change a writer of this process published here itself; while that writer is inside its commit (it
 * holds the state row's lock, so an announced change is most likely its own), waits for it (at most 100 ms). */
static int64_t offered_change(pg_store_t *p)
{
    pg_node_t *n = &p->node;
    pthread_mutex_lock(&n->mutex);
    int64_t until = mono_ns() + 100 * NS_PER_MS;
    while (n->writer_committing && !n->stop && mono_ns() < until) {
        struct timespec ts = abs_time(until);
        pthread_cond_timedwait(&n->cond, &n->mutex, &ts);
    }
    int64_t offered = n->offered_change;
    pthread_mutex_unlock(&n->mutex);
    return offered;
}

/* Drains notifications; 1 when a change was announced that a writer of this process has not published here
 * itself (pg_node_offer). */
static int take_notifications(pg_store_t *p)
{
    PGnotify *note;
    int changed = 0;
    while ((note = PQnotifies(p->node.conn)) != NULL) {
        if (strcmp(note->relname, PG_CHANGE_CHANNEL) == 0) {
            char *end = NULL;
            long long change = note->extra ? strtoll(note->extra, &end, 10) : -1;
            changed |= !end || *end || end == note->extra || change != offered_change(p);
        }
        PQfreemem(note);
    }
    return changed;
}

/* Waits for a change notification, the next renewal time or close. 1: a change was announced, 0: time (or
 * close), -1: the connection broke. */
static int wait_for_work(pg_store_t *p, int64_t until_ns)
{
    pg_node_t *n = &p->node;
    for (;;) {
        if (take_notifications(p)) {
            PG_TRACE("woken: a change was announced");
            return 1;
        }
        int64_t left = until_ns - mono_ns();
        if (left <= 0 || stopping(p))
            return 0;
        struct pollfd fds[2] = {{PQsocket(n->conn), POLLIN, 0}, {n->wake_pipe[0], POLLIN, 0}};
        if (fds[0].fd < 0)
            return -1;
        int ready = poll(fds, 2, (int)((left + NS_PER_MS - 1) / NS_PER_MS));
        if (ready < 0 && errno != EINTR)
            return -1;
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !PQconsumeInput(n->conn))
            return -1;
        if (ready > 0 && fds[1].revents)
            return 0;
    }
}

/* Sleeps until until_ns or close, without a connection. -1 when closing. */
static int wait_for_work_plain(pg_store_t *p, int64_t until_ns)
{
    for (;;) {
        if (stopping(p))
            return -1;
        int64_t left = until_ns - mono_ns();
        if (left <= 0)
            return 0;
        struct pollfd fd = {p->node.wake_pipe[0], POLLIN, 0};
        if (poll(&fd, 1, (int)((left + NS_PER_MS - 1) / NS_PER_MS)) > 0)
            return stopping(p) ? -1 : 0;
    }
}

static void drop_connection(pg_store_t *p, const char *why)
{
    pg_node_t *n = &p->node;
    if (n->conn)
        PQfinish(n->conn);
    n->conn = NULL;
    char line[600];
    pthread_mutex_lock(&n->mutex);
    if (n->serving)
        snprintf(n->status, sizeof n->status, "serving until its lease ends, then refusing every key: %.512s", why);
    else
        snprintf(n->status, sizeof n->status, "refusing every key (503): %.512s", why);
    pthread_mutex_unlock(&n->mutex);
    snprintf(line, sizeof line, "node %s lost the key store: %.400s", p->node_id, why);
    node_log(p, PANEL_LOG_WARN, line);
}

static int32_t connect_node(pg_store_t *p, char *err, size_t err_len)
{
    PGconn *conn = pg_connect(p->config, err, err_len);
    if (!conn)
        return PANEL_E_STORE;
    int32_t rc = pg_prepare_store(p, conn, err, err_len);
    if (rc == PANEL_OK)
        rc = pg_exec(conn, "LISTEN " PG_CHANGE_CHANNEL, 0, NULL, NULL, "listening for changes", err, err_len);
    static const struct {
        const char *name, *sql;
        int n;
    } statements[] = {{"apikeys_snapshot", pg_snapshot_sql, 0}, {"apikeys_leaked", pg_leaked_sql, 0},
                      {"apikeys_ack", ack_sql, 1}, {"apikeys_renew", renew_sql, 11}};
    for (size_t i = 0; rc == PANEL_OK && i < sizeof statements / sizeof statements[0]; i++) {
        PGresult *r = PQprepare(conn, statements[i].name, statements[i].sql, statements[i].n, NULL);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            snprintf(err, err_len, "the PostgreSQL key store refused a statement of the node: %s",
                     r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
            err[strcspn(err, "\n")] = '\0';
            rc = PANEL_E_STORE;
        }
        PQclear(r);
    }
    if (rc != PANEL_OK) {
        PQfinish(conn);
        return rc;
    }
    p->node.conn = conn;
    return PANEL_OK;
}

/* The node's life: connect (and LISTEN), then per cycle: reload when behind (a notification, a renewal that
 * saw a newer change number, or after a fence), acknowledge what it now serves, renew; then wait for the next
 * notification or a third of the lease. */
static void *lease_main(void *arg)
{
    pg_store_t *p = arg;
    pg_node_t *n = &p->node;
    PG_TRACE_NAME(p->node_id);
    const int64_t renew_every = (int64_t)p->config->lease_seconds * NS_PER_S / 3;
    char err[512];
    int behind = 1;
    int64_t next_renewal = 0; /* monotonic; 0: at once */
    while (!stopping(p)) {
        if (!n->conn) {
            if (connect_node(p, err, sizeof err) != PANEL_OK) {
                pthread_mutex_lock(&n->mutex);
                snprintf(n->status, sizeof n->status, "%s: %.512s",
                         n->serving ? "serving until its lease ends" : "refusing every key (503)", err);
                pthread_mutex_unlock(&n->mutex);
                first_attempt_done(p);
                if (wait_for_work_plain(p, mono_ns() + 250 * NS_PER_MS) != 0)
                    break;
                continue;
            }
            behind = 1; /* a notification may have been lost with the old connection */
            next_renewal = 0;
        }
        pthread_mutex_lock(&n->mutex);
        int64_t loaded = n->loaded_change;
        int serving = n->serving;
        pthread_mutex_unlock(&n->mutex);
        int32_t rc = PANEL_OK;
        if (behind || loaded < 0) {
            int published = 0;
            int64_t served = -1;
            rc = reload(p, &published, &served, err, sizeof err);
            if (rc == PANEL_OK && published)
                rc = acknowledge(p, served, err, sizeof err);
            if (!published)
                next_renewal = 0; /* a held snapshot is served only after a renewal: renew now */
            behind = 0;
        }
        /* A change acknowledged while the lease runs needs no renewal of its own: the durable renewal (and its
         * disk flush) waits for its turn, off the writer's path. Not serving (first lease, fenced): now. */
        if (rc == PANEL_OK && (mono_ns() >= next_renewal || !serving)) {
            int renewed = 0;
            int64_t committed = -1;
            rc = renew(p, &renewed, &committed, err, sizeof err);
            if (rc == PANEL_OK && !renewed) {
                behind = 1; /* a change committed meanwhile (or a fence): reload and acknowledge it now */
                next_renewal = 0;
                continue;
            }
            if (rc == PANEL_OK)
                next_renewal = mono_ns() + renew_every;
        }
        if (rc != PANEL_OK) {
            drop_connection(p, err);
            first_attempt_done(p);
            continue;
        }
        first_attempt_done(p);
        int woke = wait_for_work(p, next_renewal);
        if (woke < 0)
            drop_connection(p, "the connection to the key store broke");
        behind = woke != 0;
    }
    return NULL;
}

/* Fences the node when its lease deadline passes without a renewal. */
static void *watchdog_main(void *arg)
{
    pg_store_t *p = arg;
    pg_node_t *n = &p->node;
    pthread_mutex_lock(&n->mutex);
    while (!n->stop) {
        int64_t now = mono_ns();
        if (n->serving && now >= n->lease_deadline_ns) {
            fence_locked(p, "its lease ended without a renewal (the key store did not answer in time)");
            char line[200];
            snprintf(line, sizeof line, "node %s refuses every API key: its lease on the key store ended", p->node_id);
            node_log(p, PANEL_LOG_WARN, line);
            continue;
        }
        struct timespec until = abs_time(n->serving ? n->lease_deadline_ns : now + NS_PER_S);
        pthread_cond_timedwait(&n->cond, &n->mutex, &until);
    }
    pthread_mutex_unlock(&n->mutex);
    return NULL;
}

void pg_node_serve(pg_store_t *p)
{
    pg_node_t *n = &p->node;
    pthread_mutex_lock(&n->mutex);
    if (!n->threads_started && !n->stop) {
        if (!n->ratelimit_round && pg_ratelimit_start(p) != 0) {
            snprintf(n->status, sizeof n->status, "refusing every key (503): out of memory for the rate-limit shares");
        } else if (pthread_create(&n->lease_thread, NULL, lease_main, p) != 0) {
            snprintf(n->status, sizeof n->status, "refusing every key (503): could not start the lease thread");
        } else if (pthread_create(&n->watchdog_thread, NULL, watchdog_main, p) != 0) {
            n->stop = 1;
            pthread_mutex_unlock(&n->mutex);
            (void)!write(n->wake_pipe[1], "x", 1);
            pthread_join(n->lease_thread, NULL);
            pthread_mutex_lock(&n->mutex);
            snprintf(n->status, sizeof n->status, "refusing every key (503): could not start the fence watchdog");
        } else {
            n->threads_started = 1;
            snprintf(n->status, sizeof n->status, "becoming a node: taking its first lease");
        }
    }
    /* The first request waits (bounded) for the first lease, so a node that just started answers it. */
    int64_t until = mono_ns() + (int64_t)p->config->lease_seconds * NS_PER_S;
    while (n->threads_started && !n->first_attempt_done && mono_ns() < until) {
        struct timespec ts = abs_time(until);
        pthread_cond_timedwait(&n->cond, &n->mutex, &ts);
    }
    pthread_mutex_unlock(&n->mutex);
}

void pg_node_close(pg_store_t *p)
{
    pg_node_t *n = &p->node;
    pthread_mutex_lock(&n->mutex);
    n->stop = 1;
    int started = n->threads_started;
    pthread_cond_broadcast(&n->cond);
    pthread_mutex_unlock(&n->mutex);
    if (n->wake_pipe[1] > 0)
        (void)!write(n->wake_pipe[1], "x", 1);
    if (started) {
        pthread_join(n->lease_thread, NULL);
        pthread_join(n->watchdog_thread, NULL);
    }
    if (n->conn) {
        /* Stop serving first, then leave: no writer waits for a node that is gone. */
        pthread_mutex_lock(&n->mutex);
        fence_locked(p, "the plugin is unloading");
        pthread_mutex_unlock(&n->mutex);
        char err[256];
        const char *params[] = {p->instance};
        (void)pg_exec(n->conn, "DELETE FROM apikeys_nodes WHERE instance = $1", 1, params, NULL, "leaving", err,
                      sizeof err);
        PQfinish(n->conn);
        n->conn = NULL;
    }
    keyring_free(n->held);
    n->held = NULL;
    pg_ratelimit_stop(p);
    if (n->wake_pipe[0] > 0) {
        close(n->wake_pipe[0]);
        close(n->wake_pipe[1]);
        n->wake_pipe[0] = n->wake_pipe[1] = -1;
    }
    pthread_cond_destroy(&n->cond);
    pthread_mutex_destroy(&n->mutex);
}

void pg_node_describe(pg_store_t *p, char *out, size_t out_len)
{
    pthread_mutex_lock(&p->node.mutex);
    snprintf(out, out_len, "%s", p->node.status);
    pthread_mutex_unlock(&p->node.mutex);
}
