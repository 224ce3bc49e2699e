/* store_postgresql.h - the PostgreSQL backend's state and what its files share (nothing else includes it but its
 * tests):
 *   pg_settings.c       its settings: pg_conninfo (never with a password), lease_seconds, max_clock_offset,
 *                       node_id
 *   pg_conn.c           connecting (timeouts), queries with actionable errors, the schema and its migrations,
 *                       the shared digest secret and its check value
 *   store_postgresql.c  the admin connection, open and close, transactions, the page, the method table
 *   pg_commit.c         a changing transaction's commit, and the wait for every live node's acknowledgement
 *   pg_rows.c           the site key's rows, settings, audit trail and counters
 *   pg_named.c          named keys
 *   pg_pipeline.c       a changing transaction's statements queued in libpq's pipeline mode (few round trips)
 *   pg_ratelimit.c      the rate-limit shares' part of a renewal: demand reported, shares taken
 *   pg_node.c           this process as a node: the lease thread (its own connection, LISTEN, reload, renew =
 *                       acknowledge) and the fence watchdog that turns the node to 503 when its lease ends
 *   pg_snapshot.c       the snapshot: its statement, and reading its rows and the leaked digests into a sink
 *   pg_trace.c          a timeline of round trips and waits, built only with -DAPIKEYS_PG_TRACE (pg_trace.h)
 *
 * Tables (all under the prefix apikeys_, so they can share the panel's own database):
 *   apikeys_meta(name, value)            schema_version, secret_check, secret_origin
 *   apikeys_state(id = 1, change, api_enabled, allowed_ips, rate_limit)   change: bumped by every committing
 *                                        action; allowed_ips, rate_limit: the site key's policy (schema 2)
 *   apikeys_named(id, label, scopes, allowed_ips, rate_limit, created_at, expires_at, revoked_at)   the named
 *                                        keys (schema 3); their key rows are apikeys_keys rows with named_key set
 *   apikeys_keys, apikeys_audit, apikeys_denials  as in the SQLite store (apikeys_keys.named_key: NULL for the
 *                                        site key's rows; a named key's rows keep role NULL and have their own
 *                                        named_role 'current'/'grace', NULL once revoked or replaced)
 *   apikeys_nodes(instance, node_id, address, pid, started_at, lease_end, loaded, clock_offset_ms, clock_fenced)
 *                                        clock_offset_ms: the node's wall clock's offset from the database's as it
 *                                        measured it at its previous renewal (NULL: not yet); clock_fenced: it
 *                                        refuses every key because that offset is over max_clock_offset (schema 4);
 *                                        rl_keys, rl_demand, rl_shares: per limited key (0: the site key, else
 *                                        the named key's id) the node's demand (requests a minute) over its last
 *                                        renewal interval and the share of the limit it enforced then (schema 7)
 *
 * The guarantee: when an action that changes the valid keys returns success, every node either acknowledged
 * the change (it reloaded and published the new snapshot first) or its lease has ended by the database's
 * clock, and a node whose lease ended refuses every key (it measures the lease on its own monotonic clock
 * from before the renewal it sent, so it stops no later than the database says). A node renews only with a
 * snapshot of the committed change number it read under FOR SHARE, so no renewal can race a commit.
 *
 * Clocks: expiry and grace are decided on each node's wall clock, so each renewal also reads the database's clock
 * and the node estimates its offset from it (the midpoint of its send and receive times, within half the round
 * trip); apikeys_now() adds it. A node serves only while its offset is surely within max_clock_offset: before its
 * first measurement, while it is surely over, or while it cannot tell, it refuses every key (503). */
#ifndef APIKEYS_STORE_POSTGRESQL_H
#define APIKEYS_STORE_POSTGRESQL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "clock_offset.h"
#include "ratelimit_share.h"
#include "store.h"

#define PG_SCHEMA_VERSION 8   /* 1: the tables; 2: the site key policy (apikeys_state.allowed_ips, rate_limit);
                               * 3: named keys (apikeys_named, apikeys_keys.named_key, named_role);
                               * 4: each node's clock offset (apikeys_nodes.clock_offset_ms, clock_fenced);
                               * 5: usage per hour and last callers (apikeys_usage, apikeys_usage_recent,
                               *    apikeys_keys.last_addr, last_agent);
                               * 6: leaked keys (apikeys_leaked, pg_leaks.c);
                               * 7: each node's rate-limit demand and shares (apikeys_nodes.rl_*);
                               * 8: each key row's locator (apikeys_keys.locator, key_locator.h) */
#define PG_CHANGE_CHANNEL "apikeys_change"
#define PG_ACK_CHANNEL "apikeys_ack"
#define PG_ADMIN_STATEMENTS 56        /* room for every statement the admin connection keeps prepared */

typedef struct pg_node {
    pthread_t lease_thread, watchdog_thread;
    int threads_started;
    pthread_mutex_t mutex;            /* guards everything below, and every publication */
    pthread_cond_t cond;              /* CLOCK_MONOTONIC: lease changes, stop, first lease */
    int stop;
    int wake_pipe[2];                 /* wakes the lease thread out of poll() at close */
    PGconn *conn;                     /* the lease thread's own connection */
    int64_t lease_deadline_ns;        /* monotonic: serve until then; 0 = no lease */
    int serving;                      /* 1 while a servable snapshot is published */
    int first_attempt_done;           /* the first lease attempt finished (serve() waits for it) */
    int64_t loaded_change;            /* the change number of the newest snapshot loaded (-1: none) */
    int64_t offered_change;           /* the newest change a writer of this process published here itself
                                       * (pg_node_offer; -1: none): its notification needs no reload */
    int writer_committing;            /* a writer of this process is inside its commit (pg_node_committing) */
    keyring_t *held;                  /* a snapshot loaded while fenced, published once a renewal succeeds */
    uint64_t epoch_seq;               /* epochs of published snapshots (the counter follows them) */
    char status[640];                 /* what this node is doing, for the page */
    clock_offset_t clock;             /* the kept measurement of the offset, and its error bound */
    int clock_verdict;                /* CLOCK_* of the last renewal (-1: none yet); it serves only on WITHIN */
    int clock_fenced;                 /* 1 while the offset is surely over max_clock_offset (refusing every key) */
    struct pg_ratelimit_round *ratelimit_round; /* the lease thread's: its renewal's rate-limit part */
} pg_node_t;

#define PG_PIPE_MAX 48                /* statements (and their prepares) one changing transaction may queue */

typedef struct pg_pipeline {
    PGconn *conn;
    int active;                       /* in libpq's pipeline mode */
    int sent, read;                   /* statements queued, and results read so far */
    const char *doing[PG_PIPE_MAX];   /* what each queued statement does, for the message of a failure */
    unsigned char keep[PG_PIPE_MAX];  /* 1: the caller takes its rows */
    PGresult *kept[PG_PIPE_MAX];
    int failed;
    int failed_at;                    /* the first failed statement's index (-1: not one statement's failure) */
    const char *failed_doing;
    char failed_sqlstate[6];          /* the server's SQLSTATE of that failure ("" when it gave none) */
    char reason[256];
} pg_pipeline_t;

typedef struct pg_store {
    store_open_args_t args;
    const apikeys_config_t *config;
    char node_id[64];
    char instance[160];               /* node_id/pid@host: one lease row per process */
    char address[128];                /* host name and pid */
    PGconn *conn;                     /* admin reads and writes (the caller's write mutex) */
    int in_tx, tx_signals;
    int listening;                    /* conn LISTENs for acknowledgements (since its first changing commit) */
    pg_pipeline_t pipe;               /* a changing transaction's queue (pg_pipeline.c) */
    const char *prepared[PG_ADMIN_STATEMENTS]; /* the statements prepared on conn, by their (static) text */
    int n_prepared;
    pthread_mutex_t ready_mutex;      /* schema and secret checked once, by whichever connection is first */
    int ready;
    char unreachable[320];            /* why the admin connection failed last ("" when it works) */
    int64_t failed_at_ms;             /* monotonic time of that failure */
    _Atomic uint64_t counter;         /* the change signal the verify path reads */
    _Atomic int64_t clock_offset_ms;  /* the database's clock minus this machine's (store_t.clock_offset_ms) */
    pg_node_t node;
    /* The site (API switch, current and grace key) as this connection's last changing commit left it, read in
     * that commit's round trip: the next changing transaction takes it from here (pg_get_site) with a guard
     * instead of a round trip of its own. Use counts and last use in it are as of that commit. */
    struct {
        int valid;
        int64_t change;               /* the change number it is the site of */
        store_site_t site;
    } site_seen;
    int guard_at;                     /* the guard's index in pipe in this transaction, -1: none queued */
    int stale;                        /* the last transaction failed at its guard: run it again (pg_retry_wanted) */
} pg_store_t;

/* The backend's state of a store. */
static inline pg_store_t *P(store_t *s)
{
    return s->impl;
}

/* ----- pg_commit.c ----- */
int32_t pg_commit(store_t *s, char *report, size_t report_len, char *err, size_t err_len);

/* ----- pg_rows.c ----- */
int32_t pg_get_enabled(store_t *s, int *enabled, char *err, size_t err_len);
int32_t pg_set_enabled(store_t *s, int enabled, char *err, size_t err_len);
int32_t pg_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len);
int32_t pg_get_site(store_t *s, store_site_t *out, char *err, size_t err_len);
extern const char pg_site_sql[];                     /* the rows pg_site_from reads */
void pg_site_from(PGresult *r, store_site_t *out);
int32_t pg_get_site_policy(store_t *s, store_site_policy_t *out, char *err, size_t err_len);
int32_t pg_set_site_policy(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err,
                           size_t err_len);
void pg_digest_hex(const uint8_t digest[KEY_DIGEST_LEN], char out[2 * KEY_DIGEST_LEN + 3]);
int32_t pg_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                       int64_t now, int64_t *id, char *err, size_t err_len);
int32_t pg_find_digest(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out,
                       char *err, size_t err_len);
int32_t pg_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
int32_t pg_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len);
int32_t pg_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                 const char *outcome, const char *key_hint, char *err, size_t err_len);
int32_t pg_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                      size_t err_len);
int32_t pg_flush_usage(store_t *s, const store_flush_t *flush, char *err, size_t err_len);
int32_t pg_read_usage(store_t *s, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len);
int32_t pg_read_caller(store_t *s, int64_t key_id, int64_t since, store_caller_t *out, char *err, size_t err_len);
int32_t pg_read_named_caller(store_t *s, int64_t named_id, int grace, int64_t since, store_caller_t *out, int *found,
                             char *err, size_t err_len);
int32_t pg_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS],
                       char *err, size_t err_len);

/* ----- pg_named.c ----- */
int32_t pg_named_count(store_t *s, int64_t *count, char *err, size_t err_len);
int32_t pg_named_create(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                        const char *hint, int64_t *id, char *err, size_t err_len);
int32_t pg_named_get(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len);
int32_t pg_named_update(store_t *s, const store_named_t *key, char *err, size_t err_len);
int32_t pg_named_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
int32_t pg_named_reset(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                       int64_t now, int64_t grace_expires_at, char *err, size_t err_len);
int32_t pg_read_named(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                      size_t err_len);

/* ----- pg_revoked.c ----- */
int32_t pg_read_revoked_named(store_t *s, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                              void *ctx, char *err, size_t err_len);
int32_t pg_get_option(store_t *s, const char *name, char *value, size_t value_len, char *err, size_t err_len);
int32_t pg_set_option(store_t *s, const char *name, const char *value, char *err, size_t err_len);

/* ----- store_postgresql.c ----- */
int32_t pg_admin_conn(pg_store_t *p, char *err, size_t err_len);
void pg_drain_notifications(PGconn *conn);
int pg_queue_prepared(pg_store_t *p, const char *sql, int n, const char *const *values, int keep,
                      const char *doing);
int32_t pg_exec_admin(pg_store_t *p, const char *sql, int n, const char *const *values, PGresult **res,
                      const char *doing, char *err, size_t err_len);
const char *pg_i64(char *buf, size_t len, int64_t v);
void pg_rollback(store_t *s);
int64_t pg_monotonic_ms(void);

/* ----- pg_settings.c ----- */
/* Refuses a conninfo with a password or that libpq cannot parse. */
int32_t pg_check_conninfo(const char *conninfo, char *err, size_t err_len);
/* store_backend_t.load_settings: pg_conninfo, lease_seconds, node_id. */
int32_t pg_load_settings(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err, size_t err_len);

/* ----- pg_conn.c ----- */
/* A new connection with this project's timeouts (the conninfo may override them), or NULL with err. */
PGconn *pg_connect(const apikeys_config_t *cfg, char *err, size_t err_len);
/* Runs sql with text parameters; PANEL_OK with *res (PQclear it; may be NULL out) or PANEL_E_STORE. */
int32_t pg_exec(PGconn *conn, const char *sql, int n, const char *const *values, PGresult **res, const char *doing,
                char *err, size_t err_len);
/* Runs one statement prepared on conn under `name` (prepare = 1: prepares it first, once per connection). */
int32_t pg_exec_prepared(PGconn *conn, const char *name, int prepare, const char *sql, int n,
                         const char *const *values, PGresult **res, const char *doing, char *err, size_t err_len);
/* Migrations (one transaction under an advisory lock) and the shared secret (created with the store, else
 * checked against the store's check value); once per process, on whichever connection comes first. */
int32_t pg_prepare_store(pg_store_t *p, PGconn *conn, char *err, size_t err_len);
/* Decodes a bytea in text (hex) form into out[len]; 0, or -1 when it is not exactly len bytes. */
int pg_decode_bytea(const char *text, uint8_t *out, size_t len);
/* Copies text into out[0..len) (NUL-terminated); 0, or -1 when it did not fit and was cut at a UTF-8 character
 * boundary. */
int pg_copy_text(char *out, size_t len, const char *text);

/* ----- pg_leaks.c ----- */
int32_t pg_migrate_leaks(PGconn *conn, char *err, size_t err_len);
int32_t pg_leak_revoke(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found, char *err,
                       size_t err_len);
int32_t pg_last_site_leak(store_t *s, store_leak_t *out, int *found, char *err, size_t err_len);
/* The statement that reads the reported digests (no parameters), read with every snapshot (pg_snapshot.c). */
extern const char pg_leaked_sql[];
/* Its rows into sink->leaked (when set). */
int32_t pg_take_leaked(PGresult *r, const store_snapshot_sink_t *sink);

/* ----- pg_pipeline.c ----- */
int32_t pg_pipe_start(pg_pipeline_t *pl, PGconn *conn, char *err, size_t err_len);
/* Queues a statement: by name (prepared; prepare_sql non-NULL prepares it first, in the same queue) or as sql
 * with parameters (libpq copies them at once). keep = 1: the caller takes its rows with pg_pipe_take. Returns its
 * index, or -1. `doing` must outlive the pipeline (a string literal). */
int pg_pipe_queue(pg_pipeline_t *pl, const char *name, const char *prepare_sql, const char *sql, int n,
                  const char *const *values, int keep, const char *doing);
/* Makes room for `slots` more queued statements (a prepare counts as one), reading what is queued when the queue
 * is that full: indices given out before are spent. 0, or -1 when that read failed (the pipeline says why). */
int pg_pipe_reserve(pg_pipeline_t *pl, int slots);
/* Sends the queue and reads results up to and including statement index (one round trip). */
int32_t pg_pipe_wait(pg_pipeline_t *pl, int index, char *err, size_t err_len);
/* The rows of a kept statement that has been read (the caller PQclears them), or NULL. */
PGresult *pg_pipe_take(pg_pipeline_t *pl, int index);
/* Syncs, reads every result, leaves pipeline mode. PANEL_OK when every queued statement succeeded. */
int32_t pg_pipe_end(pg_pipeline_t *pl, char *err, size_t err_len);
/* Frees kept rows nobody took. */
void pg_pipe_discard(pg_pipeline_t *pl);

/* ----- pg_ratelimit.c ----- */
typedef struct pg_ratelimit_round {
    ratelimit_demand_t mine[RATELIMIT_REPORT_MAX];
    size_t n_mine;
    char keys[4096], demand[4096], shares[4096];   /* PostgreSQL text arrays: the renewal's $9, $10, $11 */
} pg_ratelimit_round_t;
/* Makes this process enforce its shares (pg_node_serve, before the lease thread starts); 0, or -1 without memory.
 * pg_ratelimit_stop undoes it (pg_node_close, after the threads are joined). */
int pg_ratelimit_start(pg_store_t *p);
void pg_ratelimit_stop(pg_store_t *p);
/* [lease thread] This node's demand per limited key since the last renewal, as the renewal's parameters. */
void pg_ratelimit_report(pg_store_t *p, pg_ratelimit_round_t *r);
/* [lease thread] Takes this node's shares from a renewal's result: columns col (the other live nodes' number),
 * col + 1 (the keys they reported) and col + 2 (their summed demand per key). */
void pg_ratelimit_take(pg_store_t *p, const pg_ratelimit_round_t *r, PGresult *res, int col);

/* ----- pg_node.c ----- */
int pg_node_init(pg_store_t *p);
/* Starts the node (once) and waits a bounded time for its first lease. [thread-safe] */
void pg_node_serve(pg_store_t *p);
/* Stops the threads and removes this node's lease row. */
void pg_node_close(pg_store_t *p);
/* [the writer] 1 while this process serves as a node under a valid lease. */
int pg_node_serving(pg_store_t *p);
/* [the writer] Says that it is inside its commit (1: a change it will offer may be announced meanwhile, so the
 * lease thread waits for it, briefly, before reloading) or no longer (0). */
void pg_node_committing(pg_store_t *p, int committing);
/* [the writer] Offers ring, the snapshot of change that the writer read inside its own transaction, which has
 * committed: published here when this process serves as a node under a valid lease and has loaded nothing newer
 * (never an older one). Returns 1 when this node serves change (or newer) now, so it needs no notification,
 * reload or acknowledgement of it; 0 when it does not serve. Takes ring either way. */
int pg_node_offer(pg_store_t *p, keyring_t *ring, int64_t change);
/* This node's state for the page ("serving, lease renewed ...", "not a node: ..."). */
void pg_node_describe(pg_store_t *p, char *out, size_t out_len);

/* ----- pg_snapshot.c ----- */
/* The snapshot statement (no parameters): the change number, the switch, the site key's policy, the valid keys
 * and their live named keys, as one snapshot. */
extern const char pg_snapshot_sql[];
/* Reads one snapshot into sink on conn in one round trip: that statement and the leaked digests (pg_leaked_sql)
 * (prepared = 1: the node's prepared statements apikeys_snapshot and apikeys_leaked; 0: sent as text, e.g. on any
 * connection of a test). *change receives the change number it saw. */
int32_t pg_node_read_snapshot(PGconn *conn, int prepared, const store_snapshot_sink_t *sink, int64_t *change,
                              char *err, size_t err_len);
/* Builds a keyring from the rows of pg_snapshot_sql and pg_leaked_sql read elsewhere (a writer's transaction);
 * *change receives the change number they show. */
int32_t pg_snapshot_keyring(PGresult *rows, PGresult *leaked, keyring_t **ring, int64_t *change, char *err,
                            size_t err_len);

#endif
