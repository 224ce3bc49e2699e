/* store.h - the plugin's storage, behind one interface with one implementation per backend (the shape of
 * SQLite's sqlite3_vfs: a struct of methods, and a thin dispatcher beside the implementations, store.c):
 *   store_sqlite*.c     the embedded default: one file in the data directory, one machine
 *   store_postgresql.c  many web nodes sharing one PostgreSQL database, with lease-fenced revocation (+ pg_*.c)
 * snapshot.c builds the verify path's keyring from any backend's snapshot rows.
 * Nothing else in the plugin knows which one runs. What every backend provides: its own settings, opening
 * (schema, migrations, the digest secret), write transactions that may signal a change of the valid keys, the rows each action
 * changes, the audit trail, batched usage and denial counters, reading a snapshot of the valid keys through a
 * row callback, and the change signal the verify path reads with one atomic load.
 *
 * Threads: the write methods and the admin reads (status, fields, audit, nodes) run under the caller's write
 * mutex (apikeys_write, apikeys_read); read_snapshot under its reload mutex; the counter is read from any thread. Every failure is
 * PANEL_E_STORE (or PANEL_E_NOMEM) with a message a person can act on, never containing a secret. */
#ifndef APIKEYS_STORE_H
#define APIKEYS_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "denials.h"
#include "key_digest.h"
#include "keyring.h"
#include "plugin_config.h"

#define STORE_ALLOWED_IPS_MAX 4096   /* bytes of a canonical allow-list text, with its NUL */

/* A key row (never the key itself: only its hint). */
typedef struct store_key {
    int64_t id;
    char hint[32];
    int64_t created_at;
    int64_t expires_at;      /* 0 = never */
    int64_t last_used_at;    /* 0 = never */
    int64_t use_count;
} store_key_t;

/* What the store knows of a digest: found = 0 when no key of this store ever had it. */
typedef struct store_digest_row {
    int found;
    int64_t id;
    char role[16];           /* "current", "grace", "named" (a named key's row), or "" (replaced) */
    int64_t created_at;
    int64_t revoked_at;      /* 0 unless replaced */
} store_digest_row_t;

/* The site key's state in one read: the API switch, the current key and the grace key. */
typedef struct store_site {
    int enabled, has_current, has_grace;
    store_key_t current, grace;
} store_site_t;

/* One audit row as stored. Strings valid during the callback. */
typedef struct store_audit_row {
    int64_t at;
    const char *actor, *origin, *action, *outcome, *key_hint;
} store_audit_row_t;
typedef int32_t (*store_audit_fn)(void *ctx, const store_audit_row_t *row);

/* One node of a shared store (PostgreSQL): strings valid during the callback. */
typedef struct store_node_row {
    const char *node_id, *address, *lease_end, *loaded;
    const char *clock_offset;  /* its wall clock's measured offset from the database's ("+0.0 s"), and a fence */
    const char *rate_share;    /* its share of the busiest limited key ("64.5 % of 'bot' (600/min)"), or "-" */
} store_node_row_t;
typedef int32_t (*store_node_fn)(void *ctx, const store_node_row_t *row);

/* The usage of one key value since the last flush (usage.h): its requests allowed and denied by reason, and
 * its last allowed request's time, client address and User-Agent (only the last one is ever kept). */
#define STORE_USAGE_SITE 0               /* label: the site key's current value */
#define STORE_USAGE_SITE_PREVIOUS (-1)   /* label: the site key's value in its grace period */
#define STORE_ADDR_MAX 48                /* a client address with its NUL (IPv6 text is at most 45 bytes) */
#define STORE_AGENT_MAX 81               /* a User-Agent's first 80 bytes with its NUL */
#define STORE_USAGE_DAYS 30              /* hours older than this are pruned at a flush */
typedef struct store_usage {
    int64_t key_id;                      /* the value's row (keys.id) */
    int64_t label;                       /* > 0: the named key's id; else STORE_USAGE_SITE or _SITE_PREVIOUS */
    uint64_t allowed;
    uint64_t denied[DENIAL_REASONS];
    int64_t last_at;                     /* the last allowed request (0: none, or known only as "at the flush") */
    char addr[STORE_ADDR_MAX];           /* "" when not known */
    char agent[STORE_AGENT_MAX];         /* "" when not sent */
} store_usage_t;

/* What a flush writes besides the values' usage: the denial totals (and last times) by reason, and the denials
 * no key was found for (missing, malformed, unknown, ...), by reason, counted under the key "none". */
typedef struct store_flush {
    const store_usage_t *usage;
    size_t n_usage;
    int64_t now;
    const uint64_t *denials;             /* DENIAL_REASONS */
    const int64_t *denial_last;          /* DENIAL_REASONS */
    const uint64_t *keyless;             /* DENIAL_REASONS */
} store_flush_t;

/* One (hour, key, code) count of the usage table; code "allowed" or a denial's code; key "site",
 * "site-previous", "none" or a named key's id. Strings valid during the callback. */
typedef struct store_usage_row {
    int64_t hour;                        /* Unix seconds, a multiple of 3600 */
    const char *key, *code;
    int64_t count;
} store_usage_row_t;
typedef int32_t (*store_usage_fn)(void *ctx, const store_usage_row_t *row);

/* A key value's last caller and its recent requests (the page's status, a grace period's end). */
typedef struct store_caller {
    int64_t last_used_at;                /* 0: never */
    char addr[STORE_ADDR_MAX];
    char agent[STORE_AGENT_MAX];
    int64_t last_hour;                   /* allowed requests in the 60 minutes before now */
} store_caller_t;

/* A named key (Settings > API Key, table "keys"; never the key itself). Up to STORE_NAMED_MAX live ones; a
 * revoked one keeps its row (and its key rows keep theirs, role NULL) but is never listed or loaded again. */
#define STORE_NAMED_MAX 100
#define STORE_LABEL_MAX 41          /* bytes of a label with its NUL: 1..40 printable bytes */
typedef struct store_named {
    int64_t id;
    char label[STORE_LABEL_MAX];
    char scopes[1024];               /* comma-separated ids of the host's catalogue, at least one */
    char allowed_ips[STORE_ALLOWED_IPS_MAX];  /* canonical CIDR list, "" = any address */
    int64_t rate_limit;              /* requests per minute; 0 = none */
    int64_t created_at;
    int64_t expires_at;              /* 0 = never */
    /* Filled by named_get and read_named (ignored by named_create and named_update): */
    char hint[32];                   /* the hint of its current key */
    int64_t last_used_at;            /* 0 = never; the latest over its key rows */
    int64_t use_count;               /* the sum over its key rows */
    int has_grace;                   /* a replaced key of it still works until grace_expires_at */
    int64_t grace_expires_at;
    char grace_hint[32];
    /* Filled by read_revoked_named only (0 for a live key): when it was revoked, and 1 when a value of it was
     * reported as leaked (a leak report still kept names it). */
    int64_t revoked_at;
    int32_t leaked;
} store_named_t;
/* How long a revoked named key stays listed (the page's table "keys", filter "Show revoked keys"). */
#define STORE_REVOKED_LISTED_SECONDS (30 * 86400)
/* The owner's view settings kept in the store (name, value "0"/"1"): the page's filter "Show revoked keys". */
#define STORE_OPTION_SHOW_REVOKED "show_revoked"
typedef int32_t (*store_named_fn)(void *ctx, const store_named_t *row);

/* A value reported as leaked (leak_report.c), as the store keeps it for LEAK_KEEP_SECONDS: never the key, its
 * digest is kept beside it. A live named key without a current key row is one whose value was reported. */
#define LEAK_KEEP_SECONDS (90 * 86400)
#define LEAK_PLACE_MAX 201           /* bytes of the escaped place (URL) with its NUL: 200 characters */
typedef struct store_leak {
    int64_t reported_at;
    char role[16];                   /* "current", "grace" (the site key's), "named", "named-grace" */
    int64_t named_key;               /* the named key's id (role "named"), else 0 */
    char hint[32];
    char reporter[64];               /* the reporting client's address */
    char found_at[LEAK_PLACE_MAX];   /* where it was found, escaped ("" when not said) */
} store_leak_t;

/* Receives a snapshot of the valid keys: start() once (an upper bound of the rows that follow, and the API
 * switch), then key() per valid key. A non-zero return stops the read with that status. */
typedef struct store_snapshot_sink {
    void *ctx;
    int32_t (*start)(void *ctx, int64_t rows, int api_enabled);
    /* locator: the key's stored locator (key_locator.h), 0 for a row stored without one.
     * named_key: the id of the named key the row belongs to, 0 for the site key's rows (current, grace).
     * superseded_at: for a grace row, when its owner's current row was created (the reset); else 0. */
    int32_t (*key)(void *ctx, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, int64_t id, int64_t expires_at,
                   int64_t named_key, int64_t superseded_at);
    /* A live named key (id, label, scopes, allowed_ips, rate_limit, created_at, expires_at set; the listing
     * fields zero), once per named key, before the first key() of its rows, in the same read. Nullable. */
    int32_t (*named)(void *ctx, const store_named_t *key);
    /* The site key's policy settings as stored (allowed_ips as its canonical text, "" = any; rate_limit per
     * minute, 0 = none), once, in the same read. Nullable (a sink that does not want them). */
    int32_t (*site_policy)(void *ctx, const char *allowed_ips, int64_t rate_limit);
    /* A value reported as leaked within LEAK_KEEP_SECONDS (its digest and when), in the same read or right after
     * it (a leaked digest is never valid again, so a later read can only add some). Nullable. */
    int32_t (*leaked)(void *ctx, const uint8_t digest[KEY_DIGEST_LEN], int64_t reported_at);
} store_snapshot_sink_t;

/* The site key's policy settings (Settings > API Key: allowed_ips, rate_limit). */
typedef struct store_site_policy {
    char allowed_ips[STORE_ALLOWED_IPS_MAX];  /* "" = any address */
    int64_t rate_limit;                       /* requests per minute; 0 = none */
} store_site_policy_t;

/* What a backend is opened with. The strings and the config outlive the store. */
typedef struct store_open_args {
    const char *data_dir;
    const apikeys_config_t *config;
    uint8_t *secret;                       /* KEY_SECRET_LEN bytes the backend fills with the digest secret */
    uint8_t *locator_key;                  /* KEY_LOCATOR_KEY_LEN bytes it fills, derived from it, with it */
    /* Backends that keep snapshots fresh themselves (demand_reload == 0) hand each new one here, from their
     * own thread; the callee publishes it for the verify path and owns it. */
    void (*publish)(void *ctx, keyring_t *ring);
    void (*log)(void *ctx, int32_t level, const char *msg);
    int64_t (*now)(void *ctx);
    void *ctx;
    /* A backend with nodes makes this process enforce its shares of the rate limits here (started when it
     * becomes a node, stopped at close); NULL: none. */
    struct ratelimit_shares *rate_shares;
} store_open_args_t;

typedef struct store store_t;

#define STORE_SIGNAL_SETTLED 1        /* the counter is even again (*now = its value): cache what you read */
#define STORE_SIGNAL_WRITER_ACTIVE 0  /* a live writer is inside its window: do not cache what you read */

typedef struct store_backend {
    const char *kind;                 /* "sqlite", "postgresql": the [plugin:apikeys] store value */
    const char *title;                /* "SQLite", "PostgreSQL" */
    /* 1: a verifying thread that sees the counter move reloads the snapshot itself (read_snapshot, settle);
     * 0: the backend's own thread publishes every snapshot through store_open_args_t.publish. */
    int32_t demand_reload;
    /* 1: a shared store whose web nodes hold leases (read_nodes, serve); 0: one machine. */
    int32_t has_nodes;
    size_t impl_size;                 /* bytes of backend state store_open allocates (zeroed) for open */
    /* Every method is required, except two groups: read_snapshot, settle and drop_read_cache exactly when
     * demand_reload, read_nodes and serve exactly when has_nodes. store_open checks this once. */

    /* Reads and checks this backend's own [plugin:apikeys] settings into cfg, at config load (before open):
     * PANEL_E_INVALID naming the setting, the problem and the allowed values. get(ctx, key) is NULL when unset. */
    int32_t (*load_settings)(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err,
                             size_t err_len);
    int32_t (*open)(store_t *s, const store_open_args_t *args, char *err, size_t err_len);
    void (*close)(store_t *s);

    /* A write transaction. signals_change = 1 when it may change which keys are valid: the commit then makes
     * every verifier (every process, every node) see the change before it returns, and writes what it did
     * to make sure into report (one sentence for the owner, or "" when there is nothing to say). */
    int32_t (*begin)(store_t *s, int signals_change, char *err, size_t err_len);
    int32_t (*commit)(store_t *s, char *report, size_t report_len, char *err, size_t err_len);
    void (*rollback)(store_t *s);
    /* Optional (NULL: never). 1, once, when the transaction just rolled back failed only because a read in it was
     * answered from memory that another process had since made out of date (a backend that saves a round trip
     * that way): the caller runs the same transaction again, and this time it reads. */
    int (*retry_wanted)(store_t *s);

    int32_t (*get_enabled)(store_t *s, int *enabled, char *err, size_t err_len);
    int32_t (*set_enabled)(store_t *s, int enabled, char *err, size_t err_len);
    int32_t (*get_role)(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len);
    /* get_enabled and get_role twice, in one read (one round trip across a network). */
    int32_t (*get_site)(store_t *s, store_site_t *out, char *err, size_t err_len);
    int32_t (*put_current)(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                           int64_t now, int64_t *id, char *err, size_t err_len);
    int32_t (*find_digest)(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out, char *err,
                           size_t err_len);
    int32_t (*revoke)(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
    int32_t (*make_grace)(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len);
    int32_t (*audit)(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                     const char *outcome, const char *key_hint, char *err, size_t err_len);
    int32_t (*read_audit)(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                          size_t err_len);
    /* One transaction of its own: adds every count (never overwrites: nodes add theirs), keeps each value's last
     * caller, adds the hourly rows and the minute counts, prunes hours older than STORE_USAGE_DAYS and minutes
     * older than an hour. */
    int32_t (*flush_usage)(store_t *s, const store_flush_t *flush, char *err, size_t err_len);
    /* The usage table's counts from hour `since` on, newest hour first, then by key and code. */
    int32_t (*read_usage)(store_t *s, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len);
    /* The last caller of key value (row) `key_id` and its allowed requests since `since` (zeros when none). */
    int32_t (*read_caller)(store_t *s, int64_t key_id, int64_t since, store_caller_t *out, char *err,
                           size_t err_len);
    /* The same for the live named key `named_id`'s current (grace 0) or grace (grace 1) value; *found = 0 when it
     * has none. */
    int32_t (*read_named_caller)(store_t *s, int64_t named_id, int grace, int64_t since, store_caller_t *out,
                                 int *found, char *err, size_t err_len);
    int32_t (*get_denials)(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS],
                           char *err, size_t err_len);

    /* Snapshot reads (demand_reload backends): the valid keys and the API switch in one read transaction. */
    int32_t (*read_snapshot)(store_t *s, const store_snapshot_sink_t *sink, char *err, size_t err_len);
    /* The counter was seen odd (value seen): STORE_SIGNAL_SETTLED or STORE_SIGNAL_WRITER_ACTIVE. */
    int (*settle)(store_t *s, uint64_t seen, uint64_t *now);
    /* After a failed snapshot: forget cached pages so the next read goes to the medium. */
    void (*drop_read_cache)(store_t *s);
    /* Off the hot path (the usage flusher): PANEL_OK while the files this process reads and signals through are
     * still the ones at their paths; PANEL_E_STORE with why when one was replaced or removed (this process would
     * no longer see what the others write). */
    int32_t (*check_files)(store_t *s, char *why, size_t why_len);
    /* 1 when the last failure means the store is damaged or unreadable (deny until a reload succeeds). */
    int (*last_failure_is_damage)(const store_t *s);

    /* The page: one "Store" status line (kind, where, health), and the live nodes (has_nodes). */
    int32_t (*describe)(store_t *s, char *out, size_t out_len);
    int32_t (*read_nodes)(store_t *s, store_node_fn fn, void *ctx, char *err, size_t err_len);
    /* [thread-safe] This process is about to verify keys: become a node (has_nodes).
     * Returns once the node serves or after a bounded wait; the verify path then reads the counter as usual. */
    void (*serve)(store_t *s);

    /* The site key's policy settings (read on the write connection, in the current transaction if any), and
     * saving them inside a change-signalling transaction: allowed_ips NULL keeps it, rate_limit < 0 keeps it. */
    int32_t (*get_site_policy)(store_t *s, store_site_policy_t *out, char *err, size_t err_len);
    int32_t (*set_site_policy)(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err, size_t err_len);

    /* Named keys (all inside a transaction the caller began with signals_change = 1, except read_named). */
    int32_t (*named_count)(store_t *s, int64_t *count, char *err, size_t err_len);   /* live ones */
    /* Inserts the named key (label, scopes, allowed_ips, rate_limit, created_at, expires_at of key) and its
     * current key row (digest, hint); *id receives the named key's id. */
    int32_t (*named_create)(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN],
                            uint64_t locator, const char *hint, int64_t *id, char *err, size_t err_len);
    /* The live named key `id` with its listing fields; *found = 0 when there is none (or it was revoked). */
    int32_t (*named_get)(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len);
    /* Saves label, scopes, allowed_ips and rate_limit of the live named key key->id (never its key). */
    int32_t (*named_update)(store_t *s, const store_named_t *key, char *err, size_t err_len);
    /* Revokes the named key and every key row of it (role NULL, revoked_at now). */
    int32_t (*named_revoke)(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
    /* A new current key row for named key id (digest, hint, created now). Its old current row becomes its grace
     * row until grace_expires_at (> 0), or is revoked (0); an older grace row is revoked either way. */
    int32_t (*named_reset)(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                           const char *hint, int64_t now, int64_t grace_expires_at, char *err, size_t err_len);
    /* The live named keys by id, with their listing fields (on the write connection; no transaction needed). */
    int32_t (*read_named)(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                          size_t err_len);
    /* The named keys revoked at `since` or later, the latest revoked first (then by id, descending), with their
     * listing fields: hint of their newest key row, usage over all their rows, revoked_at, leaked; no grace. */
    int32_t (*read_revoked_named)(store_t *s, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                                  void *ctx, char *err, size_t err_len);
    /* An owner's view setting (STORE_OPTION_*): get writes "" when unset; set saves it (inside a transaction). */
    int32_t (*get_option)(store_t *s, const char *name, char *value, size_t value_len, char *err, size_t err_len);
    int32_t (*set_option)(store_t *s, const char *name, const char *value, char *err, size_t err_len);

    /* Leak reports (leak_report.c), inside a transaction the caller began with signals_change = 1. leak_revoke:
     * when digest is a live value (the site key's current or grace value, or a live named key's current or grace
     * value), revokes that value, keeps its digest with leak's reported_at, reporter and found_at, fills leak's
     * role ("current", "grace", "named", "named-grace"), named_key and hint, and sets *found = 1; else *found = 0
     * and nothing is kept. Either way forgets reports older than LEAK_KEEP_SECONDS before leak->reported_at.
     * last_site_leak: the newest report of the site key's current value; *found = 0 when there is none. */
    int32_t (*leak_revoke)(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found,
                           char *err, size_t err_len);
    int32_t (*last_site_leak)(store_t *s, store_leak_t *out, int *found, char *err, size_t err_len);
} store_backend_t;

struct store {
    const store_backend_t *backend;
    void *impl;                       /* the backend's state, impl_size bytes */
    _Atomic uint64_t *counter;        /* the change signal; the verify path loads it once per request */
    _Atomic int serving;              /* 1 after serve() returned once */
    /* Milliseconds to add to this machine's wall clock to get the store's (a shared store measures it at each
     * lease renewal); NULL: one machine, one clock. */
    _Atomic int64_t *clock_offset_ms;
};

/* Config load: "store" (default sqlite) picks the backend, whose load_settings reads its own settings. */
int32_t store_load_settings(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err, size_t err_len);
/* Opens the backend the config names (after checking it has every method the dispatchers call). */
int32_t store_open(store_t *s, const store_open_args_t *args, char *err, size_t err_len);
void store_close(store_t *s);

/* [thread-safe] The change counter (acquire). */
static inline uint64_t store_counter(const store_t *s)
{
    return atomic_load_explicit(s->counter, memory_order_acquire);
}

/* [thread-safe] The wall clock correction in milliseconds (relaxed: a coarse clock needs no ordering). */
static inline int64_t store_clock_offset_ms(const store_t *s)
{
    return s->clock_offset_ms ? atomic_load_explicit(s->clock_offset_ms, memory_order_relaxed) : 0;
}

static inline int store_reloads_on_demand(const store_t *s)
{
    return s->backend->demand_reload;
}

/* [thread-safe] Makes this process a node before its first verification (cheap after the first call). */
static inline void store_serve(store_t *s)
{
    if (!atomic_load_explicit(&s->serving, memory_order_acquire)) {
        if (s->backend->has_nodes)
            s->backend->serve(s);
        atomic_store_explicit(&s->serving, 1, memory_order_release);
    }
}

/* The dispatchers: each calls the backend's method of the same name. */
int32_t store_begin(store_t *s, int signals_change, char *err, size_t err_len);
int32_t store_commit(store_t *s, char *report, size_t report_len, char *err, size_t err_len);
void store_rollback(store_t *s);
/* After store_rollback: 1 when the transaction should simply run again (store_backend_t.retry_wanted). */
int store_retry_wanted(store_t *s);
int32_t store_get_enabled(store_t *s, int *enabled, char *err, size_t err_len);
int32_t store_set_enabled(store_t *s, int enabled, char *err, size_t err_len);
/* The key with role "current" or "grace"; *found = 0 when there is none. */
int32_t store_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len);
/* The API switch, the current and the grace key (in the current transaction, if any). In a changing transaction a
 * backend may answer from what its last commit left, guarded (store_retry_wanted): use counts and last use are
 * then as of that commit. */
int32_t store_get_site(store_t *s, store_site_t *out, char *err, size_t err_len);
/* Makes the key with this digest the current one: reactivates its row when it exists, else inserts one. id
 * (nullable) receives its row id; without it a backend may defer the write to the commit. */
int32_t store_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                          int64_t now, int64_t *id, char *err, size_t err_len);
/* Every key this store ever had keeps its row (a replaced one with role NULL), so a key used before is found. */
int32_t store_find_digest(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out, char *err,
                          size_t err_len);
int32_t store_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
int32_t store_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len);
int32_t store_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                    const char *outcome, const char *key_hint, char *err, size_t err_len);
/* Audit rows newest first. */
int32_t store_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                         size_t err_len);
/* Adds usage counts and denial deltas in one transaction of its own. */
int32_t store_flush_usage(store_t *s, const store_flush_t *flush, char *err, size_t err_len);
int32_t store_read_usage(store_t *s, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len);
int32_t store_read_caller(store_t *s, int64_t key_id, int64_t since, store_caller_t *out, char *err,
                          size_t err_len);
int32_t store_read_named_caller(store_t *s, int64_t named_id, int grace, int64_t since, store_caller_t *out,
                                int *found, char *err, size_t err_len);
/* Denial totals and last times per reason (0 when never). */
int32_t store_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                          size_t err_len);
int store_settle(store_t *s, uint64_t seen, uint64_t *now);
void store_drop_read_cache(store_t *s);
int32_t store_check_files(store_t *s, char *why, size_t why_len);
int store_last_failure_is_damage(const store_t *s);
int32_t store_describe(store_t *s, char *out, size_t out_len);
/* Only when store_has_nodes(). */
int32_t store_read_nodes(store_t *s, store_node_fn fn, void *ctx, char *err, size_t err_len);
int32_t store_get_site_policy(store_t *s, store_site_policy_t *out, char *err, size_t err_len);
int32_t store_set_site_policy(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err, size_t err_len);
int32_t store_named_count(store_t *s, int64_t *count, char *err, size_t err_len);
int32_t store_named_create(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                           const char *hint, int64_t *id, char *err, size_t err_len);
int32_t store_named_get(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len);
int32_t store_named_update(store_t *s, const store_named_t *key, char *err, size_t err_len);
int32_t store_named_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len);
int32_t store_named_reset(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                          const char *hint, int64_t now, int64_t grace_expires_at, char *err, size_t err_len);
int32_t store_read_revoked_named(store_t *s, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                                 void *ctx, char *err, size_t err_len);
int32_t store_get_option(store_t *s, const char *name, char *value, size_t value_len, char *err, size_t err_len);
int32_t store_set_option(store_t *s, const char *name, const char *value, char *err, size_t err_len);
int32_t store_read_named(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                         size_t err_len);
int32_t store_leak_revoke(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found,
                          char *err, size_t err_len);
int32_t store_last_site_leak(store_t *s, store_leak_t *out, int *found, char *err, size_t err_len);
/* The usage table's key of a label (store_usage_t.label): "site", "site-previous" or the named key's id. */
void store_usage_key(int64_t label, char *out, size_t out_len);
/* 1 when the backend has nodes (the page then lists them). */
int store_has_nodes(const store_t *s);

#endif
