/* bench_durable.c - reset_vs_commit: the latency of the reset action (owner, grace 0: new key, old one
 * revoked, audit row, change signal, snapshot reload) over a bare one-row SQLite commit with the durability
 * settings plugin/store.c uses (WAL, synchronous=FULL), both on the real disk under the build folder.
 * Resets and bare commits alternate, so both see the same disk at the same moments. */
#include <sqlite3.h>
#include <string.h>

#include "bench.h"

typedef struct bare {
    sqlite3 *db;
    sqlite3_stmt *insert;
} bare_t;

static int bare_open(bare_t *b, const char *path, char *err, size_t err_len)
{
    memset(b, 0, sizeof *b);
    int rc = sqlite3_open(path, &b->db);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(b->db, 2000);
        rc = sqlite3_exec(b->db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "CREATE TABLE t(id INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
                          NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(b->db, "INSERT INTO t(at) VALUES(?)", -1, &b->insert, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_len, "bare commit database: %s", b->db ? sqlite3_errmsg(b->db) : "cannot open");
        sqlite3_finalize(b->insert);
        sqlite3_close(b->db);
        return -1;
    }
    return 0;
}

/* One autocommit INSERT (BEGIN, one row, durable COMMIT); its ns, or -1. */
static double bare_commit_ns(bare_t *b)
{
    uint64_t t0 = bench_now_ns();
    sqlite3_bind_int64(b->insert, 1, (sqlite3_int64)t0);
    int step = sqlite3_step(b->insert);
    sqlite3_reset(b->insert);
    uint64_t t1 = bench_now_ns();
    return step == SQLITE_DONE ? (double)(t1 - t0) : -1;
}

static double reset_ns(apikeys_state_t *st)
{
    char err[512];
    uint64_t t0 = bench_now_ns();
    int32_t rc = bench_reset(st, err, sizeof err);
    uint64_t t1 = bench_now_ns();
    return rc == PANEL_OK ? (double)(t1 - t0) : -1;
}

void bench_run_reset(const bench_env_t *env)
{
    char dir[2400], bare_dir[2400], path[2600], err[512], key[BENCH_KEY_STRIDE];
    if (bench_fresh_dir(env, "reset", dir, sizeof dir) != 0 ||
        bench_fresh_dir(env, "commit", bare_dir, sizeof bare_dir) != 0) {
        bench_missing(FIG_RESET_VS_COMMIT, "cannot create the directories");
        return;
    }
    apikeys_state_t *st = NULL;
    if (bench_open_state(dir, &st, err, sizeof err) != PANEL_OK || bench_enable(st, key, err, sizeof err) != PANEL_OK) {
        apikeys_state_close(st);
        bench_missing(FIG_RESET_VS_COMMIT, err);
        return;
    }
    memset(key, 0, sizeof key);
    snprintf(path, sizeof path, "%s/commit.db", bare_dir);
    bare_t b;
    if (bare_open(&b, path, err, sizeof err) != 0) {
        apikeys_state_close(st);
        bench_missing(FIG_RESET_VS_COMMIT, err);
        return;
    }
    enum { MAX_REPS = 15, PAIRS = 8 };
    size_t reps = env->quick ? 3 : 9, failures = 0;
    double ratio[MAX_REPS], rep_reset[MAX_REPS], rep_commit[MAX_REPS];
    reset_ns(st); /* warm-up */
    bare_commit_ns(&b);
    for (size_t r = 0; r < reps; r++) {
        double sum_reset = 0, sum_commit = 0;
        for (int i = 0; i < PAIRS; i++) {
            double a = reset_ns(st), c = bare_commit_ns(&b);
            failures += a < 0 || c < 0;
            sum_reset += a;
            sum_commit += c;
        }
        rep_reset[r] = sum_reset / PAIRS;
        rep_commit[r] = sum_commit / PAIRS;
        ratio[r] = sum_reset / sum_commit;
    }
    sqlite3_finalize(b.insert);
    sqlite3_close(b.db);
    apikeys_state_close(st);
    if (failures) {
        bench_missing(FIG_RESET_VS_COMMIT, "a reset or a commit failed during the run");
        return;
    }
    bench_set(FIG_RESET_VS_COMMIT, ratio, reps);
    snprintf(bench_figures[FIG_RESET_VS_COMMIT].detail, sizeof bench_figures[0].detail,
             "reset %.2f ms / one-row commit %.2f ms (WAL, synchronous=FULL)", bench_median(rep_reset, reps) / 1e6,
             bench_median(rep_commit, reps) / 1e6);
}
