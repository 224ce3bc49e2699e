/* bench.h - what the benchmark's modules share: the figures of issues 6 and 14 and of named keys (each a
 * min/median/max summary of repeated side-by-side measurements, or skipped with the reason), the clock, the
 * bench data directories under the build folder, and
 * the plugin fixtures (states opened on those directories, with their plaintext test keys). */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "plugin_state.h"

/* ----- figures ---------------------------------------------------------------------------------------- */

#define BENCH_AT_MOST 0   /* the figure passes when it is <= its limit */
#define BENCH_AT_LEAST 1  /* ... when it is >= its limit */
#define BENCH_REPORT 2    /* no limit: reported only */
#define BENCH_NEAR_1 3    /* ... when it is within its limit of 1 (must 0.15: 0.85..1.15) */

typedef struct bench_figure {
    const char *name;
    const char *unit;        /* "x" for ratios, "ms", "B" */
    int direction;           /* BENCH_* */
    double must, aim;        /* limits (BENCH_REPORT: aim only, must ignored) */
    int measured;            /* 1 when min/median/max are set */
    double median, min, max;
    char detail[256];        /* the raw numbers behind the ratio, or why the figure is missing or skipped */
    int skipped;             /* 1: not measured because a tool it needs is not installed (neither pass nor
                              * failure; the detail names the tool and the command that installs it) */
    int bound;               /* 1: a promise that holds every time, so the max, not the median, must hold */
} bench_figure_t;

/* The lease the PostgreSQL figures' nodes run with (pg_fenced_reset_s must be <= it + 1 s). */
#define BENCH_PG_LEASE_SECONDS 2

typedef enum {
    FIG_VERIFY_VS_HASH,
    FIG_MALFORMED_VS_HASH,
    FIG_UNKNOWN_VS_HASH,
    FIG_PEER_VS_VERIFY,
    FIG_KEYS_100K_VS_1,
    FIG_THREADS2_VS_1,
    FIG_HTTP_AUTH_VS_OPEN,
    FIG_RESET_VS_COMMIT,
    FIG_LOAD_MS,
    FIG_BYTES_PER_KEY,
    FIG_PG_VERIFY_VS_HASH,
    FIG_PG_RESET_3NODES_VS_COMMIT,
    FIG_PG_FENCED_RESET_S,
    FIG_PHP_AUTH_VS_OPEN,
    FIG_PHP_FIRST_REQUEST_MS,
    FIG_PHP_REQUEST_MS,
    FIG_VERIFY_POLICY_VS_HASH,
    FIG_KEYS_100_VS_1,
    FIG_USAGE_FLUSH_MS,
    FIG_PG_RATELIMIT_ACCURACY,
    FIG_COUNT
} bench_figure_id;

extern bench_figure_t bench_figures[FIG_COUNT];

/* Sets figure id from n samples (sorted in place): median, min, max. */
void bench_set(bench_figure_id id, double *samples, size_t n);
/* Marks a figure as not measured, with the reason (a failure of the run). */
void bench_missing(bench_figure_id id, const char *why);
/* Marks a figure as skipped, with the reason (what is not installed and how to install it). */
void bench_skip(bench_figure_id id, const char *why);
/* 1 when the figure holds its "must be" (its median, or for a bound its max; BENCH_REPORT: always 1; not
 * measured or skipped: 0). */
int bench_passes(const bench_figure_t *f);
/* The median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);

void bench_print_table(FILE *out);
void bench_print_json(FILE *out);

/* ----- clock and progress ------------------------------------------------------------------------------ */

/* Monotonic nanoseconds. */
static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A progress line on stderr (the table or JSON goes to stdout). */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ----- environment ------------------------------------------------------------------------------------- */

typedef struct bench_env {
    char build_dir[2048];    /* where bench, plugins/apikeys.so and sample-host live */
    char data_root[2304];    /* build_dir/bench-data: recreated at each run (real disk, not tmpfs) */
    char self_exe[2048];     /* this program, for the memory probe child */
    int quick;               /* --quick: fewer repetitions (for a smoke test) */
} bench_env_t;

/* Path data_root/name into out; 0, or -1 when too long. */
int bench_path(const bench_env_t *env, const char *name, char *out, size_t out_len);
/* Creates data_root/name (0700) after removing any previous one; its path into out. 0 or -1 (errno). */
int bench_fresh_dir(const bench_env_t *env, const char *name, char *out, size_t out_len);

/* ----- plugin fixtures (bench_fixture.c) --------------------------------------------------------------- */

#define BENCH_KEY_STRIDE 64u     /* a presented key in a key array: 53 chars + NUL, padded to a cache line */

/* A caller the plugin accepts for every admin action (owner, CLI, confirmed). */
const panel_caller_t *bench_owner(void);
/* Opens the plugin state on dir (flusher thread running, as in a host). PANEL_OK or an error in err. */
int32_t bench_open_state(const char *dir, apikeys_state_t **out, char *err, size_t err_len);
/* Runs the enable action: the API accepts requests and a current key exists; the new key into key_out
 * (>= BENCH_KEY_STRIDE bytes). PANEL_OK or an error in err. */
int32_t bench_enable(apikeys_state_t *st, char *key_out, char *err, size_t err_len);
/* Runs the reset action with grace 0. PANEL_OK or an error in err. */
int32_t bench_reset(apikeys_state_t *st, char *err, size_t err_len);
/* The same, keeping what the action says: its message (on success the owner's message with the store's
 * report appended, on failure why) into message, and the new key into key_out (nullable; >= BENCH_KEY_STRIDE
 * bytes). */
int32_t bench_reset_reporting(apikeys_state_t *st, char *key_out, char *message, size_t message_len);
/* Opens the plugin state on dir with these [plugin:apikeys] settings (get(ctx, name), NULL when unset),
 * flusher thread running. PANEL_OK or an error in err. */
int32_t bench_open_state_with(const char *dir, const char *(*get)(void *ctx, const char *key), void *ctx,
                              apikeys_state_t **out, char *err, size_t err_len);
/* Adds n extra valid keys; their plaintexts into keys[i * BENCH_KEY_STRIDE]. PANEL_OK or an error. */
int32_t bench_add_keys(apikeys_state_t *st, size_t n, char *keys, char *err, size_t err_len);
/* One pass of the plugin's auth provider over a request carrying `key` in X-API-Key, from 127.0.0.1, on a
 * route that requires no scope. Returns the PANEL_AUTH_* outcome. [thread-safe] */
int32_t bench_authenticate(apikeys_state_t *st, const char *key);
/* The same from client_addr (nullable) on a route that requires scope (nullable: none; ABI 1.1). */
int32_t bench_authenticate_from(apikeys_state_t *st, const char *key, const char *client_addr, const char *scope);
/* Creates n named keys in one change-signalling store transaction (store_named_create, as the action
 * create-key stores one), each with these scopes (comma-separated), allowed_ips (CIDR list, "" = any) and
 * rate_limit (per minute, 0 = none), labelled "bench 1".."bench n"; their plaintexts into
 * keys[i * BENCH_KEY_STRIDE]. PANEL_OK or an error in err. */
int32_t bench_add_named(apikeys_state_t *st, size_t n, const char *scopes, const char *allowed_ips,
                        int64_t rate_limit, char *keys, char *err, size_t err_len);

/* ----- the figures' measurements (one file each) ------------------------------------------------------- */

typedef struct bench_fixtures {
    apikeys_state_t *one;    /* data dir "one": the API enabled, one current key */
    char one_key[BENCH_KEY_STRIDE];
    char one_dir[2400];
    apikeys_state_t *many;   /* data dir "many": one current key + 99,999 extra keys */
    char *many_keys;         /* 100,000 plaintexts, BENCH_KEY_STRIDE apart (index 0 = the current key) */
    size_t many_count;
    char many_dir[2400];
} bench_fixtures_t;

#define BENCH_MANY_KEYS 100000u

int bench_fixtures_open(const bench_env_t *env, bench_fixtures_t *fx, char *err, size_t err_len);
void bench_fixtures_close(bench_fixtures_t *fx);

void bench_run_hash_ratios(const bench_env_t *env, bench_fixtures_t *fx);      /* bench_verify.c */
void bench_run_scaling(const bench_env_t *env, bench_fixtures_t *fx);          /* bench_scaling.c */
void bench_run_threads(const bench_env_t *env, bench_fixtures_t *fx);          /* bench_threads.c */
void bench_run_peer(const bench_env_t *env, bench_fixtures_t *fx);             /* bench_peer.c */
void bench_run_reset(const bench_env_t *env);                                  /* bench_durable.c */
void bench_run_load(const bench_env_t *env);                                   /* bench_load.c */
void bench_run_memory(const bench_env_t *env, bench_fixtures_t *fx);           /* bench_memory.c */
void bench_run_http(const bench_env_t *env);                                   /* bench_http.c */
void bench_run_pg(const bench_env_t *env, bench_fixtures_t *fx);               /* bench_pg.c */
void bench_run_php(const bench_env_t *env);                                    /* bench_php.c */
void bench_run_named(const bench_env_t *env);                                  /* bench_named.c */
void bench_run_usage(const bench_env_t *env);                                  /* bench_usage.c */

/* The timing loops of verify_vs_hash (bench_verify.c), shared with pg_verify_vs_hash so both figures are
 * measured the same way: ns per bare BLAKE2b-256 of key[0..len) over n rounds; ns per authentication of key
 * through the auth provider over n rounds (*unexpected counts outcomes other than expect). */
double bench_hash_ns(const char *key, size_t len, size_t n);
double bench_auth_ns(apikeys_state_t *st, const char *key, int32_t expect, size_t n, size_t *unexpected);

/* The memory probe child (bench --rss-probe DIR): prints "rss_delta_bytes keyring_bytes keys". */
int bench_rss_probe_main(const char *dir);

#endif
