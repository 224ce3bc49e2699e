/* bench_peer.c - peer_vs_verify: the way store panels verify API keys today, implemented faithfully, over
 * our verification. Per request, as Paymenter's API middleware does: SHA-256 of the presented key
 * (crypto_hash_sha256, hex as the token column holds it), SELECT the key row by that digest, then
 * UPDATE its last_used_at. SQLite file on the real disk under the build folder, WAL mode, SQLite's default
 * `synchronous` (not set: FULL), each UPDATE its own autocommit transaction (InnoDB's default).
 * Statements are prepared once (kinder to the peer than a PHP request). last_used_at is written in
 * microseconds so that every UPDATE changes the row: with whole seconds SQLite notices that a same-second
 * UPDATE rewrites identical bytes and skips the write and its fsync (as Eloquent's dirty check would skip
 * the query), which only happens when one key sends many requests per second. */
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include "bench.h"

typedef struct peer {
    sqlite3 *db;
    sqlite3_stmt *select;
    sqlite3_stmt *update;
    int synchronous;  /* as SQLite reports it (2 = FULL) */
} peer_t;

static void peer_close(peer_t *p)
{
    sqlite3_finalize(p->select);
    sqlite3_finalize(p->update);
    sqlite3_close(p->db);
}

static void sha256_hex(const char *key, size_t len, char hex[2 * crypto_hash_sha256_BYTES + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)key, len);
    sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, digest, sizeof digest);
}

static int peer_open(peer_t *p, const char *path, const char *key, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sha256_hex(key, strlen(key), hex);
    int rc = sqlite3_open(path, &p->db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(p->db,
                          "PRAGMA journal_mode=WAL;"
                          "CREATE TABLE api_keys(id INTEGER PRIMARY KEY, name TEXT NOT NULL, token TEXT NOT NULL"
                          " UNIQUE, last_used_at INTEGER, created_at INTEGER NOT NULL)",
                          NULL, NULL, NULL);
    sqlite3_stmt *insert = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(p->db, "INSERT INTO api_keys(name, token, created_at) VALUES('site', ?, ?)", -1,
                                &insert, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(insert, 1, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 2, (sqlite3_int64)time(NULL));
        rc = sqlite3_step(insert) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(insert);
    sqlite3_stmt *pragma = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(p->db, "PRAGMA synchronous", -1, &pragma, NULL);
    if (rc == SQLITE_OK && sqlite3_step(pragma) == SQLITE_ROW)
        p->synchronous = sqlite3_column_int(pragma, 0);
    sqlite3_finalize(pragma);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(p->db, "SELECT id, name, last_used_at FROM api_keys WHERE token = ?", -1, &p->select,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(p->db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?", -1, &p->update, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, err_len, "peer database: %s", p->db ? sqlite3_errmsg(p->db) : "cannot open");
        peer_close(p);
        return -1;
    }
    return 0;
}

/* One request the peers' way; 1 when the key was accepted, 0 when refused, -1 on a database error. */
static int peer_verify(peer_t *p, const char *key, size_t len)
{
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sha256_hex(key, len, hex);
    sqlite3_bind_text(p->select, 1, hex, -1, SQLITE_STATIC);
    int step = sqlite3_step(p->select);
    sqlite3_int64 id = step == SQLITE_ROW ? sqlite3_column_int64(p->select, 0) : 0;
    sqlite3_reset(p->select);
    if (step != SQLITE_ROW)
        return step == SQLITE_DONE ? 0 : -1;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    sqlite3_bind_int64(p->update, 1, (sqlite3_int64)tv.tv_sec * 1000000 + tv.tv_usec);
    sqlite3_bind_int64(p->update, 2, id);
    step = sqlite3_step(p->update);
    sqlite3_reset(p->update);
    return step == SQLITE_DONE ? 1 : -1;
}

void bench_run_peer(const bench_env_t *env, bench_fixtures_t *fx)
{
    char dir[2400], path[2600], err[512];
    if (bench_fresh_dir(env, "peer", dir, sizeof dir) != 0) {
        bench_missing(FIG_PEER_VS_VERIFY, "cannot create the peer's directory");
        return;
    }
    snprintf(path, sizeof path, "%s/peer.db", dir);
    peer_t p;
    if (peer_open(&p, path, fx->one_key, err, sizeof err) != 0) {
        bench_missing(FIG_PEER_VS_VERIFY, err);
        return;
    }
    enum { MAX_REPS = 15 };
    size_t reps = env->quick ? 3 : 9, ours_n = 50000, failures = 0;
    uint64_t budget_ns = env->quick ? 50000000u : 250000000u; /* per repetition of the peer */
    size_t len = strlen(fx->one_key);
    double ratio[MAX_REPS], ns_peer[MAX_REPS], ns_ours[MAX_REPS];
    peer_verify(&p, fx->one_key, len); /* warm-up */
    for (size_t r = 0; r < reps; r++) {
        size_t done = 0;
        uint64_t t0 = bench_now_ns(), t1 = t0;
        while (done < 2000 && (done < 20 || t1 - t0 < budget_ns)) {
            failures += peer_verify(&p, fx->one_key, len) != 1;
            done++;
            t1 = bench_now_ns();
        }
        ns_peer[r] = (double)(t1 - t0) / (double)done;
        t0 = bench_now_ns();
        for (size_t i = 0; i < ours_n; i++)
            failures += bench_authenticate(fx->one, fx->one_key) != PANEL_AUTH_ALLOW;
        ns_ours[r] = (double)(bench_now_ns() - t0) / (double)ours_n;
        ratio[r] = ns_peer[r] / ns_ours[r];
    }
    int synchronous = p.synchronous;
    peer_close(&p);
    if (failures) {
        bench_missing(FIG_PEER_VS_VERIFY, "a verification failed during the run");
        return;
    }
    bench_set(FIG_PEER_VS_VERIFY, ratio, reps);
    snprintf(bench_figures[FIG_PEER_VS_VERIFY].detail, sizeof bench_figures[0].detail,
             "SHA-256+SELECT+UPDATE (WAL, synchronous=%d) %.1f us / ours %.0f ns",
             synchronous, bench_median(ns_peer, reps) / 1e3, bench_median(ns_ours, reps));
}
