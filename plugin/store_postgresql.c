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
        p->conn = pg_connect(p->config, err, err_len);
        if (!p->conn) {
            snprintf(p->unreachable, sizeof p->unreachable, "%s", err);
            p->failed_at_ms = monotonic_ms();
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
static void drain_notifications(PGconn *conn)
{
    PGnotify *note;
    while ((note = PQnotifies(conn)) != NULL)
        PQfreemem(note);
}

static int32_t exec_admin(pg_store_t *p, const char *sql, int n, const char *const *values, PGresult **res,
                          const char *doing, char *err, size_t err_len)
{
    if (!p->in_tx) {
        int32_t rc = admin_conn(p, err, err_len);
        if (rc != PANEL_OK)
            return rc;
    }
    return pg_exec(p->conn, sql, n, values, res, doing, err, err_len);
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

static int32_t pg_begin(store_t *s, int signals_change, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    int32_t rc = admin_conn(p, err, err_len);
    if (rc == PANEL_OK)
        rc = pg_exec(p->conn, "BEGIN", 0, NULL, NULL, "starting a transaction", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    p->in_tx = 1;
    p->tx_signals = signals_change;
    /* Writers of every node queue here; a renewing node's FOR SHARE waits for us, so no lease can be renewed
     * with the snapshot this transaction replaces. */
    if (signals_change)
        rc = pg_exec(p->conn, "SELECT change FROM apikeys_state WHERE id = 1 FOR UPDATE", 0, NULL, NULL,
                     "waiting for another node's change", err, err_len);
    /* Acknowledgements arrive as notifications while the commit waits; LISTEN takes effect at our commit,
     * before any node can acknowledge it, and ends after the wait (an idle connection collects none). */
    if (signals_change && rc == PANEL_OK)
        rc = pg_exec(p->conn, "LISTEN " PG_ACK_CHANNEL, 0, NULL, NULL, "listening for acknowledgements", err,
                     err_len);
    if (rc != PANEL_OK) {
        PQclear(PQexec(p->conn, "ROLLBACK"));
        p->in_tx = 0;
    }
    return rc;
}

static void pg_rollback(store_t *s)
{
    pg_store_t *p = P(s);
    if (p->in_tx && p->conn)
        PQclear(PQexec(p->conn, "ROLLBACK"));
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

/* After change `change` committed at `committed_at` (the database's clock): waits until every node whose lease
 * was live then has acknowledged it (loaded >= change) or its lease has ended by the database's clock, and
 * says which. Acknowledgements wake us as notifications; a 200 ms poll covers a notification lost with a
 * connection. Never longer than lease_seconds + 2 s. */
static void wait_for_nodes(pg_store_t *p, const char *change, const char *committed_at, int64_t commit_sent_ms,
                           char *report, size_t report_len)
{
    const char *params[] = {change, committed_at};
    int64_t give_up = monotonic_ms() + (int64_t)p->config->lease_seconds * 1000 + 2000;
    char err[512];
    for (;;) {
        PGresult *r;
        int32_t rc = pg_exec(p->conn,
                             "SELECT node_id, loaded >= $1::bigint, lease_end > clock_timestamp(),"
                             " to_char(lease_end AT TIME ZONE 'UTC', 'HH24:MI:SS'),"
                             " GREATEST(0, EXTRACT(EPOCH FROM lease_end - clock_timestamp()) * 1000)::bigint"
                             " FROM apikeys_nodes WHERE lease_end > $2::timestamptz ORDER BY node_id",
                             2, params, &r, "reading the nodes' acknowledgements", err, sizeof err);
        if (rc != PANEL_OK) {
            /* Cannot tell who has the change: wait out one lease from before the commit. Every node that did not
             * load it renewed last before our commit, so by then its own clock has fenced it. */
            int64_t until = commit_sent_ms + (int64_t)p->config->lease_seconds * 1000 + 100;
            for (int64_t now = monotonic_ms(); now < until; now = monotonic_ms()) {
                struct timespec nap = {(until - now) / 1000, ((until - now) % 1000) * 1000000};
                nanosleep(&nap, NULL);
            }
            snprintf(report, report_len,
                     "The change is saved, but the nodes' acknowledgements could not be read (%s), so this waited "
                     "%u s: every node that has not loaded the change now refuses every key until it reconnects.",
                     err, p->config->lease_seconds);
            return;
        }
        int n = PQntuples(r), acked = 0, pending = 0, fenced = 0;
        int64_t wait_ms = 200;
        for (int i = 0; i < n; i++) {
            int ok = PQgetvalue(r, i, 1)[0] == 't', live = PQgetvalue(r, i, 2)[0] == 't';
            if (ok) {
                acked++;
            } else if (live) {
                pending++;
                int64_t left = strtoll(PQgetvalue(r, i, 4), NULL, 10) + 5;
                if (left < wait_ms)
                    wait_ms = left;
            } else {
                fenced++;
            }
        }
        if (pending == 0 || monotonic_ms() >= give_up) {
            report[0] = '\0';
            if (acked == 0 && fenced == 0 && pending == 0)
                snprintf(report, report_len,
                         "No node is serving the API right now; each node loads the change when it starts.");
            else
                snprintf(report, report_len, "Confirmed on %d node%s", acked, acked == 1 ? "" : "s");
            for (int i = 0; i < n; i++) {
                int ok = PQgetvalue(r, i, 1)[0] == 't', live = PQgetvalue(r, i, 2)[0] == 't';
                if (ok)
                    continue;
                char line[320];
                if (live)
                    snprintf(line, sizeof line, "; node %s has not answered yet; its lease ends at %s UTC, when it "
                             "refuses every key unless it has loaded the change",
                             PQgetvalue(r, i, 0), PQgetvalue(r, i, 3));
                else
                    snprintf(line, sizeof line, "; node %s did not answer; its lease ended at %s UTC, so it refuses "
                             "every key until it reconnects",
                             PQgetvalue(r, i, 0), PQgetvalue(r, i, 3));
                append(report, report_len, line);
            }
            if (acked || fenced || pending)
                append(report, report_len, ".");
            PQclear(r);
            return;
        }
        PQclear(r);
        /* Sleep until a notification arrives (an acknowledgement) or the nearest lease could end. */
        struct pollfd pfd = {PQsocket(p->conn), POLLIN, 0};
        if (pfd.fd >= 0 && poll(&pfd, 1, (int)(wait_ms < 1 ? 1 : wait_ms)) > 0)
            PQconsumeInput(p->conn);
        drain_notifications(p->conn);
    }
}

static int32_t pg_commit(store_t *s, char *report, size_t report_len, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    PGresult *r = NULL;
    int32_t rc = PANEL_OK;
    char change[32] = "", committed_at[64] = "";
    if (p->tx_signals) {
        rc = pg_exec(p->conn,
                     "UPDATE apikeys_state SET change = change + 1 WHERE id = 1"
                     " RETURNING change, clock_timestamp()::text",
                     0, NULL, &r, "recording the change", err, err_len);
        if (rc == PANEL_OK && PQntuples(r) == 1) {
            snprintf(change, sizeof change, "%s", PQgetvalue(r, 0, 0));
            snprintf(committed_at, sizeof committed_at, "%s", PQgetvalue(r, 0, 1));
        }
        PQclear(r);
        const char *params[] = {change};
        if (rc == PANEL_OK)
            rc = pg_exec(p->conn, "SELECT pg_notify('" PG_CHANGE_CHANNEL "', $1)", 1, params, NULL,
                         "telling the nodes", err, err_len);
    }
    int64_t commit_sent_ms = monotonic_ms();
    if (rc == PANEL_OK)
        rc = pg_exec(p->conn, "COMMIT", 0, NULL, NULL, "committing", err, err_len);
    if (rc != PANEL_OK) {
        pg_rollback(s);
        return rc;
    }
    p->in_tx = 0;
    if (p->tx_signals) {
        char ignored[8];
        wait_for_nodes(p, change, committed_at, commit_sent_ms, report && report_len ? report : ignored,
                       report && report_len ? report_len : sizeof ignored);
        PQclear(PQexec(p->conn, "UNLISTEN " PG_ACK_CHANNEL));
        drain_notifications(p->conn);
    }
    return PANEL_OK;
}

/* ----- rows ------------------------------------------------------------------------------------------------ */

static int32_t pg_key_rows(store_t *s, int64_t *count, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = exec_admin(P(s), "SELECT count(*) FROM apikeys_keys", 0, NULL, &r, "counting keys", err, err_len);
    if (rc == PANEL_OK) {
        *count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    return rc;
}

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

static void digest_hex(const uint8_t digest[KEY_DIGEST_LEN], char out[2 * KEY_DIGEST_LEN + 3])
{
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < KEY_DIGEST_LEN; i++)
        snprintf(out + 2 + 2 * i, 3, "%02x", digest[i]);
}

static int32_t pg_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], const char *hint, int64_t now,
                              int64_t *id, char *err, size_t err_len)
{
    pg_store_t *p = P(s);
    char hex[2 * KEY_DIGEST_LEN + 3], when[24];
    digest_hex(digest, hex);
    PGresult *r;
    const char *find[] = {hex};
    int32_t rc = exec_admin(p, "SELECT id FROM apikeys_keys WHERE digest = $1::bytea", 1, find, &r,
                            "looking the key up", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    int64_t existing = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    char idbuf[24];
    if (existing) {
        *id = existing;
        const char *params[] = {i64(idbuf, sizeof idbuf, existing)};
        return exec_admin(p, "UPDATE apikeys_keys SET role = 'current', revoked_at = NULL, expires_at = NULL"
                             " WHERE id = $1::bigint",
                          1, params, NULL, "reactivating the key", err, err_len);
    }
    const char *params[] = {hex, hint, i64(when, sizeof when, now)};
    rc = exec_admin(p,
                    "INSERT INTO apikeys_keys(name, digest, hint, created_at, role)"
                    " VALUES ('site', $1::bytea, $2, $3::bigint, 'current') RETURNING id",
                    3, params, &r, "saving the new key", err, err_len);
    if (rc == PANEL_OK) {
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    return rc;
}

static int32_t pg_find_digest(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                              char *err, size_t err_len)
{
    char hex[2 * KEY_DIGEST_LEN + 3];
    digest_hex(digest, hex);
    const char *params[] = {hex};
    PGresult *r;
    int32_t rc = exec_admin(P(s),
                            "SELECT id, COALESCE(role, ''), created_at, COALESCE(revoked_at, 0) FROM apikeys_keys"
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

static int32_t pg_insert_extra(store_t *s, const uint8_t *digests, size_t n, const char *hint, int64_t now,
                               char *err, size_t err_len)
{
    char when[24], hex[2 * KEY_DIGEST_LEN + 3];
    int32_t rc = PANEL_OK;
    for (size_t i = 0; rc == PANEL_OK && i < n; i++) {
        digest_hex(digests + i * KEY_DIGEST_LEN, hex);
        const char *params[] = {hex, hint, i64(when, sizeof when, now)};
        rc = exec_admin(P(s),
                        "INSERT INTO apikeys_keys(name, digest, hint, created_at, role)"
                        " VALUES ('extra', $1::bytea, $2, $3::bigint, 'extra')",
                        3, params, NULL, "saving keys", err, err_len);
    }
    return rc;
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
    int32_t rc = pg_begin(s, 0, err, err_len);
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
    if (rc == PANEL_OK)
        return pg_commit(s, NULL, 0, err, err_len);
    pg_rollback(s);
    return rc;
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

static void pg_serve(store_t *s)
{
    pg_node_serve(P(s));
}

const store_backend_t store_postgresql_backend = {
    .version = STORE_BACKEND_VERSION,
    .kind = "postgresql",
    .title = "PostgreSQL",
    .demand_reload = 0,
    .impl_size = sizeof(pg_store_t),
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .key_rows = pg_key_rows,
    .get_enabled = pg_get_enabled,
    .set_enabled = pg_set_enabled,
    .get_role = pg_get_role,
    .put_current = pg_put_current,
    .find_digest = pg_find_digest,
    .revoke = pg_revoke,
    .make_grace = pg_make_grace,
    .insert_extra = pg_insert_extra,
    .audit = pg_audit,
    .read_audit = pg_read_audit,
    .flush_usage = pg_flush_usage,
    .get_denials = pg_get_denials,
    .read_snapshot = NULL,
    .settle = NULL,
    .drop_read_cache = NULL,
    .last_failure_is_damage = pg_last_failure_is_damage,
    .describe = pg_describe,
    .read_nodes = pg_read_nodes,
    .serve = pg_serve,
};
