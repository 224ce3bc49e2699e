/* plugin_primitives.c - unit tests of the API Keys plugin's building blocks: CRC-32C (both paths), key
 * format (generate, classify, hint, every 1-character mutation detected), digest, keyring (100k keys),
 * [plugin:apikeys] configuration validation, and the store's schema migration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/crc32c.h"
#include "../../plugin/key_digest.h"
#include "../../plugin/key_format.h"
#include "../../plugin/keyring.h"
#include "../../plugin/plugin_config.h"
#include "../../plugin/store_postgresql.h"
#include "../../plugin/store_sqlite.h"
#include "panel/plugin.h"
#include "support_host_env.h"

static void crc32c_known_vectors_on_both_paths(void **s)
{
    (void)s;
    assert_int_equal(crc32c_table("123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c("123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c_table("", 0), 0u);
    uint8_t zeros[32] = {0};
    assert_int_equal(crc32c_table(zeros, 32), 0x8A9136AAu); /* RFC 3720 B.4 */
    uint8_t ones[32];
    memset(ones, 0xFF, sizeof ones);
    assert_int_equal(crc32c_table(ones, 32), 0x62A8AB43u);
    if (crc32c_hardware_available()) {
        assert_int_equal(crc32c_hardware("123456789", 9), 0xE3069283u);
        assert_int_equal(crc32c_hardware(zeros, 32), 0x8A9136AAu);
    }
}

static void crc32c_paths_agree_on_every_length(void **s)
{
    (void)s;
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof buf; len++)
        for (size_t off = 0; off < 8 && off + len <= sizeof buf; off++)
            assert_int_equal(crc32c_table(buf + off, len), crc32c_hardware(buf + off, len));
}

static void base62_fixed_width(void **s)
{
    (void)s;
    uint8_t zero[32] = {0}, max[32];
    memset(max, 0xFF, sizeof max);
    char out[44] = {0};
    base62_encode_fixed(zero, 32, out, 43);
    assert_string_equal(out, "0000000000000000000000000000000000000000000");
    base62_encode_fixed(max, 32, out, 43);
    assert_int_equal(strlen(out), 43); /* 2^256-1 fits in 43 digits */
    assert_true(out[0] != '0' || out[1] != '0');
    uint8_t v[4] = {0, 0, 0, 62};
    char c6[7] = {0};
    base62_encode_fixed(v, 4, c6, 6);
    assert_string_equal(c6, "000010");
}

static void generated_keys_are_well_formed_and_distinct(void **s)
{
    (void)s;
    char a[64], b[64];
    assert_int_equal(key_generate("sak_", 4, a, sizeof a), 0);
    assert_int_equal(key_generate("sak_", 4, b, sizeof b), 0);
    assert_int_equal(strlen(a), 53);
    assert_memory_equal(a, "sak_", 4);
    assert_string_not_equal(a, b);
    assert_int_equal(key_parse_class("sak_", 4, a, 53), KEY_WELL_FORMED);
    assert_int_equal(key_generate("sak_", 4, a, 53), -1); /* buffer too small */
    char c[64];
    assert_int_equal(key_generate("shop42_", 7, c, sizeof c), 0);
    assert_int_equal(strlen(c), 56);
    assert_int_equal(key_parse_class("shop42_", 7, c, 56), KEY_WELL_FORMED);
}

static void every_single_character_mutation_is_detected(void **s)
{
    (void)s;
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int round = 0; round < 3; round++) {
        char key[64];
        key_generate("sak_", 4, key, sizeof key);
        for (size_t pos = 4; pos < 53; pos++) {
            char orig = key[pos];
            for (size_t k = 0; k < 62; k++) {
                if (alphabet[k] == orig)
                    continue;
                key[pos] = alphabet[k];
                assert_int_equal(key_parse_class("sak_", 4, key, 53), KEY_MALFORMED);
            }
            key[pos] = '-';
            assert_int_equal(key_parse_class("sak_", 4, key, 53), KEY_MALFORMED);
            key[pos] = orig;
        }
        /* truncated, extended, swapped neighbours */
        assert_int_equal(key_parse_class("sak_", 4, key, 52), KEY_MALFORMED);
        char longer[64];
        memcpy(longer, key, 53);
        longer[53] = 'x';
        assert_int_equal(key_parse_class("sak_", 4, longer, 54), KEY_MALFORMED);
    }
}

static void classification_of_other_inputs(void **s)
{
    (void)s;
    assert_int_equal(key_parse_class("sak_", 4, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", 40), KEY_FOREIGN);
    assert_int_equal(key_parse_class("sak_", 4, "sak", 3), KEY_FOREIGN);
    assert_int_equal(key_parse_class("sak_", 4, "sak_", 4), KEY_MALFORMED);
    char huge[1100];
    memset(huge, 'a', sizeof huge);
    assert_int_equal(key_parse_class("sak_", 4, huge, sizeof huge), KEY_MALFORMED);
    assert_int_equal(key_parse_class("sak_", 4, huge, 1024), KEY_FOREIGN);
}

static void hints_show_prefix_and_last_four_only(void **s)
{
    (void)s;
    char key[64], hint[KEY_HINT_BUF];
    key_generate("sak_", 4, key, sizeof key);
    key_hint("sak_", 4, key, 53, hint, sizeof hint);
    char want[32];
    snprintf(want, sizeof want, "sak_\xE2\x80\xA6%s", key + 49);
    assert_string_equal(hint, want);
    key_hint("sak_", 4, "0123456789abcdefghijklmnopqrstuvwxyzWXYZ", 40, hint, sizeof hint);
    assert_string_equal(hint, "\xE2\x80\xA6WXYZ");
}

static void digest_depends_on_secret_and_key(void **s)
{
    (void)s;
    uint8_t s1[32], s2[32], d1[32], d2[32], d3[32], d4[32];
    memset(s1, 1, sizeof s1);
    memset(s2, 2, sizeof s2);
    key_digest(s1, "sak_abc", 7, d1);
    key_digest(s1, "sak_abc", 7, d2);
    key_digest(s2, "sak_abc", 7, d3);
    key_digest(s1, "sak_abd", 7, d4);
    assert_memory_equal(d1, d2, 32);
    assert_memory_not_equal(d1, d3, 32);
    assert_memory_not_equal(d1, d4, 32);
    /* It is BLAKE2b-256(secret || key). */
    uint8_t buf[39], ref[32];
    memcpy(buf, s1, 32);
    memcpy(buf + 32, "sak_abc", 7);
    crypto_generichash(ref, 32, buf, sizeof buf, NULL, 0);
    assert_memory_equal(d1, ref, 32);
}

/* A locator for key i of a test: half the keys have one (as rows written since the store kept locators), half
 * have none (rows from before: placed and found by their digest). */
static uint64_t test_locator(const uint8_t *digest, size_t i)
{
    uint64_t v;
    memcpy(&v, digest + 16, sizeof v);
    return i % 2 ? (v ? v : 1) : 0;
}

static void keyring_finds_each_of_100k_keys_and_nothing_else(void **s)
{
    (void)s;
    const size_t n = 100000;
    uint8_t *digests = malloc(n * 32);
    assert_non_null(digests);
    randombytes_buf(digests, n * 32);
    keyring_t *ring = keyring_new(n);
    assert_non_null(ring);
    for (size_t i = 0; i < n; i++)
        assert_non_null(keyring_add(ring, digests + i * 32, test_locator(digests + i * 32, i), (int64_t)i + 1, 0));
    assert_int_equal(keyring_seal(ring), 0);
    assert_int_equal(ring->unlocated, n / 2);
    for (size_t i = 0; i < n; i++) {
        /* a verification always has a locator (of the presented key); a row without one is found by its digest */
        uint64_t locator = test_locator(digests + i * 32, i);
        keyring_entry_t *e = keyring_find(ring, locator ? locator : randombytes_random() | 1u, digests + i * 32);
        assert_non_null(e);
        assert_int_equal(e->key_id, (int64_t)i + 1);
    }
    uint8_t other[32];
    for (int i = 0; i < 1000; i++) {
        randombytes_buf(other, 32);
        assert_null(keyring_find(ring, randombytes_random() | 1u, other));
    }
    /* same locator and slot bytes, different tail: compared in full */
    memcpy(other, digests + 32, 32);
    other[31] ^= 1;
    assert_null(keyring_find(ring, test_locator(digests + 32, 1), other));
    size_t per_key = keyring_memory(ring) / n;
    printf("keyring: %zu bytes per key at 100k keys\n", per_key);
    assert_true(per_key <= 128);
    keyring_free(ring);
    free(digests);
}

static void keyring_finds_a_located_key_only_where_its_locator_says(void **s)
{
    (void)s;
    uint8_t d[32];
    randombytes_buf(d, sizeof d);
    keyring_t *ring = keyring_new(20000); /* a table of KEYRING_LOCATED_BYTES or more */
    assert_non_null(ring);
    assert_non_null(keyring_add(ring, d, 0x1234567890abcdefu, 5, 0));
    assert_int_equal(keyring_seal(ring), 0);
    assert_int_equal(keyring_locates(ring), 1);
    assert_int_equal(ring->unlocated, 0);
    keyring_entry_t *e = keyring_find(ring, 0x1234567890abcdefu, d);
    assert_non_null(e);
    assert_int_equal(e->key_id, 5);
    /* the digest alone (another key's locator) does not find it: no second look without unlocated rows, and
     * a verification's locator comes from the same key as its digest. `elsewhere` names two other buckets. */
    uint64_t half = (ring->bucket_mask + 1) / 2, elsewhere = 0x1234567890abcdefu ^ (half << 32 | half);
    size_t own[2] = {keyring_bucket_index(0x1234567890abcdefu, 0, ring->bucket_mask),
                     keyring_bucket_index(0x1234567890abcdefu, 1, ring->bucket_mask)};
    for (int which = 0; which < 2; which++) {
        size_t other = keyring_bucket_index(elsewhere, which, ring->bucket_mask);
        assert_true(other != own[0] && other != own[1]);
    }
    assert_null(keyring_find(ring, elsewhere, d));
    keyring_free(ring);

    /* a small table (in cache anyway) is placed by digest: a lookup needs no locator */
    ring = keyring_new(4);
    assert_non_null(ring);
    assert_non_null(keyring_add(ring, d, 0x1234567890abcdefu, 5, 0));
    assert_int_equal(keyring_seal(ring), 0);
    assert_int_equal(keyring_locates(ring), 0);
    assert_non_null(keyring_find(ring, 0, d));
    assert_non_null(keyring_find(ring, 0x1234567890abcdefu, d));
    keyring_free(ring);
}

/* Imported keys can share their last 16 bytes, so their locator: more of them than their two buckets hold (4) are
 * placed by their digests instead, and every one is still found with the locator a verification computes. */
static void keyring_finds_keys_that_share_a_locator(void **s)
{
    (void)s;
    enum { SHARED = 40, OTHERS = 15000 };
    static uint8_t shared[SHARED][32], others[OTHERS][32];
    const uint64_t locator = 0x5eed5eed5eed5eedu;
    keyring_t *ring = keyring_new(SHARED + OTHERS);
    assert_non_null(ring);
    for (int i = 0; i < OTHERS; i++) {
        randombytes_buf(others[i], 32);
        assert_non_null(keyring_add(ring, others[i], test_locator(others[i], 1), 1000 + i, 0));
    }
    for (int i = 0; i < SHARED; i++) {
        randombytes_buf(shared[i], 32);
        keyring_entry_t *e = keyring_add(ring, shared[i], locator, i + 1, 0);
        assert_non_null(e);
        assert_int_equal(e->key_id, i + 1); /* the entry returned is the new key's, wherever the moves put it */
    }
    assert_int_equal(keyring_seal(ring), 0);
    assert_int_equal(keyring_locates(ring), 1);
    assert_true(ring->unlocated >= SHARED - 2 * KEYRING_BUCKET); /* at most 4 kept the shared locator's buckets */
    for (int i = 0; i < SHARED; i++) {
        keyring_entry_t *e = keyring_find(ring, locator, shared[i]);
        assert_non_null(e);
        assert_int_equal(e->key_id, i + 1);
    }
    for (int i = 0; i < OTHERS; i++) {
        keyring_entry_t *e = keyring_find(ring, test_locator(others[i], 1), others[i]);
        assert_non_null(e);
        assert_int_equal(e->key_id, 1000 + i);
    }
    uint8_t unknown[32];
    randombytes_buf(unknown, sizeof unknown);
    assert_null(keyring_find(ring, locator, unknown));
    keyring_free(ring);

    /* a digest added over and over (which the snapshot builder refuses before: a damaged store) ends in NULL within
     * bounded room, not in a table doubled until memory runs out */
    ring = keyring_new(4);
    assert_non_null(ring);
    keyring_entry_t *last = NULL;
    for (int i = 0; i < 8 && (last = keyring_add(ring, shared[0], 0, i + 1, 0)) != NULL; i++)
        ;
    assert_null(last);
    assert_true(ring->slots <= 1024);
    keyring_free(ring);
}

/* Growing from one slot past KEYRING_LOCATED_BYTES: the resize that crosses it places every key by its locator. */
static void keyring_grows_beyond_its_initial_capacity(void **s)
{
    (void)s;
    enum { N = 14000 };
    keyring_t *ring = keyring_new(1);
    assert_non_null(ring);
    static uint8_t d[N][32];
    for (int i = 0; i < N; i++) {
        randombytes_buf(d[i], 32);
        assert_non_null(keyring_add(ring, d[i], test_locator(d[i], (size_t)i), i + 1, i));
    }
    assert_int_equal(keyring_seal(ring), 0);
    assert_int_equal(ring->count, N);
    assert_int_equal(keyring_locates(ring), 1);
    for (int i = 0; i < N; i++) { /* every resize moved each key to its locator's (or digest's) new home */
        uint64_t locator = test_locator(d[i], (size_t)i);
        keyring_entry_t *e = keyring_find(ring, locator ? locator : 1, d[i]);
        assert_non_null(e);
        assert_int_equal(e->key_id, i + 1);
        assert_int_equal(e->expires_at, i);
    }
    keyring_free(ring);
}

static void keyring_empty_slot_is_not_a_key_with_id_0_and_a_zero_digest(void **s)
{
    (void)s;
    uint8_t zero[32] = {0}, other[32];
    randombytes_buf(other, sizeof other);
    keyring_t *ring = keyring_new(2);
    assert_non_null(ring);
    assert_non_null(keyring_add(ring, other, 0, 7, 0));
    assert_int_equal(keyring_seal(ring), 0);
    assert_null(keyring_find(ring, 1, zero)); /* empty slots are all zero, yet hold no key */
    keyring_free(ring);

    ring = keyring_new(2);
    assert_non_null(ring);
    assert_non_null(keyring_add(ring, zero, 0, 0, 0));
    assert_int_equal(keyring_seal(ring), 0);
    keyring_entry_t *e = keyring_find(ring, 1, zero);
    assert_non_null(e);
    assert_int_equal(e->key_id, 0);
    assert_null(keyring_find(ring, 1, other));
    keyring_free(ring);
}

static int sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* A file written by a version 1 plugin (the v1 tables, no index on role, no policy settings, no named keys) is
 * migrated to the current version on open; its rows stay, and named keys work in it. */
static void store_migrates_a_v1_file_to_v2(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    char err[512];
    store_t st;
    char *v1_path = support_join(dir, "apikeys.db");
    sqlite3 *v1;
    assert_int_equal(sqlite3_open(v1_path, &v1), SQLITE_OK);
    assert_int_equal(sqlite3_exec(v1,
                                  "CREATE TABLE keys(id INTEGER PRIMARY KEY, name TEXT NOT NULL, digest BLOB NOT NULL"
                                  " UNIQUE, hint TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER,"
                                  " expires_at INTEGER, last_used_at INTEGER, use_count INTEGER NOT NULL DEFAULT 0,"
                                  " role TEXT CHECK (role IN ('current','grace','extra')));"
                                  "CREATE UNIQUE INDEX keys_one_current ON keys(role) WHERE role = 'current';"
                                  "CREATE UNIQUE INDEX keys_one_grace ON keys(role) WHERE role = 'grace';"
                                  "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                                  "INSERT INTO settings(name, value) VALUES ('api_enabled', '0');"
                                  "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,"
                                  " origin TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, key_hint TEXT,"
                                  " detail TEXT);"
                                  "CREATE TABLE denials(reason TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER);"
                                  "PRAGMA user_version = 1;"
                                  "INSERT INTO keys(name, digest, hint, created_at, role) VALUES"
                                  " ('site', x'01', 'h1', 1, NULL), ('site', x'02', 'h2', 2, 'current');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(v1);
    free(v1_path);

    assert_int_equal(store_sqlite_open_file(&st, dir, "apikeys.db", err, sizeof err), PANEL_OK);
    assert_int_equal(sql_int(store_sqlite_db(&st), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(sql_int(store_sqlite_db(&st), "SELECT count(*) FROM settings WHERE name IN ('allowed_ips', 'rate_limit')"),
                     2);
    assert_int_equal(sql_int(store_sqlite_db(&st), "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'keys_role'"),
                     1);
    /* v4: a named key's current row beside the site key's current row (one current key per named key). */
    int64_t named_id = 0;
    store_named_t nk;
    memset(&nk, 0, sizeof nk);
    snprintf(nk.label, sizeof nk.label, "game server");
    snprintf(nk.scopes, sizeof nk.scopes, "store.read");
    nk.created_at = 3;
    uint8_t named_digest[KEY_DIGEST_LEN];
    memset(named_digest, 7, sizeof named_digest);
    assert_int_equal(store_begin(&st, 0, err, sizeof err), PANEL_OK);
    assert_int_equal(store_named_create(&st, &nk, named_digest, 0, "h3", &named_id, err, sizeof err), PANEL_OK);
    assert_int_equal(store_commit(&st, NULL, 0, err, sizeof err), PANEL_OK);
    assert_true(named_id > 0);
    store_key_t key;
    int found = 0;
    assert_int_equal(store_get_role(&st, "current", &key, &found, err, sizeof err), PANEL_OK);
    assert_int_equal(found, 1);
    assert_string_equal(key.hint, "h2");
    /* The statement is kept prepared: a second use gives the same answer. */
    assert_int_equal(store_get_role(&st, "grace", &key, &found, err, sizeof err), PANEL_OK);
    assert_int_equal(found, 0);
    assert_int_equal(store_get_role(&st, "current", &key, &found, err, sizeof err), PANEL_OK);
    assert_int_equal(found, 1);
    store_close(&st);

    /* A newer file than this plugin understands is refused with a clear message. */
    sqlite3 *db;
    char *path = support_join(dir, "apikeys.db");
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_sqlite_open_file(&st, dir, "apikeys.db", err, sizeof err), PANEL_E_STORE);
    assert_non_null(strstr(err, "newer than this plugin understands"));
    free(path);
    support_rmtree(dir);
    free(dir);
}

/* A new file's schema allows only the roles the plugin writes; the old files' wider CHECK still opens (above). */
static void a_new_store_allows_only_the_roles_it_writes(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    char err[512];
    store_t st;
    assert_int_equal(store_sqlite_open_file(&st, dir, "apikeys.db", err, sizeof err), PANEL_OK);
    sqlite3 *db = store_sqlite_db(&st);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO keys(name, digest, hint, created_at, role)"
                                      " VALUES ('extra', x'01', 'h1', 1, 'extra')", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT_CHECK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO keys(name, digest, hint, created_at, role)"
                                      " VALUES ('site', x'02', 'h2', 2, 'current')", NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(&st);
    support_rmtree(dir);
    free(dir);
}

typedef struct cfg_map {
    const char *k[4], *v[4];
} cfg_map_t;

static const char *cfg_get(void *ctx, const char *key)
{
    cfg_map_t *m = ctx;
    for (int i = 0; i < 4; i++)
        if (m->k[i] && strcmp(m->k[i], key) == 0)
            return m->v[i];
    return NULL;
}

static int32_t load_one(const char *key, const char *value, char *err, size_t err_len)
{
    cfg_map_t m = {{key}, {value}};
    apikeys_config_t cfg;
    return apikeys_config_load(&cfg, cfg_get, &m, err, err_len);
}

static void config_defaults_and_refusals(void **s)
{
    (void)s;
    apikeys_config_t cfg;
    char err[512];
    assert_int_equal(apikeys_config_load(&cfg, NULL, NULL, err, sizeof err), PANEL_OK);
    assert_string_equal(cfg.key_prefix, "sak_");
    assert_string_equal(cfg.database, "apikeys.db");
    assert_string_equal(cfg.default_grace, "0");
    assert_int_equal(cfg.flush_interval, 10);
    assert_int_equal(load_one("key_prefix", "shop_", err, sizeof err), PANEL_OK);
    assert_int_equal(load_one("key_prefix", "sk_", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "key_prefix"));
    assert_non_null(strstr(err, "another vendor"));
    assert_int_equal(load_one("key_prefix", "ghp_", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("key_prefix", "Sak_", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "lowercase"));
    assert_int_equal(load_one("key_prefix", "sak", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("key_prefix", "a_b_", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("key_prefix", "abcdefghijkl_", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("database", "../x.db", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "database"));
    /* plugin.h: the plugin's files start with its id, out of the host's reserved names */
    assert_int_equal(load_one("database", "host-probe.db", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "must start with its id \"apikeys\""));
    assert_int_equal(load_one("database", "admin-sessions", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("database", "apikeys\x01.db", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "printable"));
    assert_int_equal(load_one("database", "apikeys .db", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("database", "apikeys.secret", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "another of the plugin's files"));
    assert_int_equal(load_one("database", "apikeys.epoch", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("database", "apikeys.ratelimit", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "another of the plugin's files"));
    assert_int_equal(load_one("database", "apikeys.db-wal", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "beside a database (its wal file)"));
    assert_int_equal(load_one("database", "apikeys.db-journal", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("database", "apikeys-shop2.db", err, sizeof err), PANEL_OK);
    assert_int_equal(load_one("default_grace", "2h", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "0, 1h, 24h, 7d"));
    assert_int_equal(load_one("default_grace", "24h", err, sizeof err), PANEL_OK);
    assert_int_equal(load_one("flush_interval", "0", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "1 to 3600"));
    assert_int_equal(load_one("flush_interval", "10s", err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_one("flush_interval", "3600", err, sizeof err), PANEL_OK);
}

/* One setting beside store = postgresql and a valid pg_conninfo: the PostgreSQL backend's own settings. */
static int32_t load_pg(const char *key, const char *value, apikeys_config_t *cfg, char *err, size_t err_len)
{
    cfg_map_t m = {{"store", "pg_conninfo", key}, {"postgresql", "host=db dbname=panel", value}};
    return apikeys_config_load(cfg, cfg_get, &m, err, err_len);
}

/* The store settings: kind, conninfo (required for postgresql, never with a password), lease, secret, node. */
static void store_settings_defaults_and_refusals(void **s)
{
    (void)s;
    apikeys_config_t cfg;
    char err[512];
    assert_int_equal(apikeys_config_load(&cfg, NULL, NULL, err, sizeof err), PANEL_OK);
    assert_string_equal(cfg.store, "sqlite");
    assert_string_equal(cfg.secret_file, "");
    assert_int_equal(load_one("store", "mysql", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "sqlite"));
    assert_non_null(strstr(err, "postgresql"));
    assert_int_equal(load_one("store", "postgresql", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "needs pg_conninfo"));
    cfg_map_t m = {{"store", "pg_conninfo"}, {"postgresql", "host=db dbname=panel"}};
    assert_int_equal(apikeys_config_load(&cfg, cfg_get, &m, err, sizeof err), PANEL_OK);
    assert_string_equal(cfg.pg_conninfo, "host=db dbname=panel");
    assert_int_equal(cfg.lease_seconds, 3);
    assert_int_equal(cfg.max_clock_offset, 5);
    assert_int_equal(load_pg("lease_seconds", "0", &cfg, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "1 to 60"));
    assert_int_equal(load_pg("lease_seconds", "61", &cfg, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(load_pg("lease_seconds", "60", &cfg, err, sizeof err), PANEL_OK);
    assert_int_equal(cfg.lease_seconds, 60);
    assert_int_equal(load_pg("max_clock_offset", "0", &cfg, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "max_clock_offset \"0\" is not valid: give a whole number of seconds from 1 to 3600"));
    assert_int_equal(load_pg("max_clock_offset", "30", &cfg, err, sizeof err), PANEL_OK);
    assert_int_equal(cfg.max_clock_offset, 30);
    /* The PostgreSQL backend checks its conninfo when the config is read, before anything connects. */
    cfg_map_t pw = {{"store", "pg_conninfo"}, {"postgresql", "host=db dbname=panel password=hunter2"}};
    assert_int_equal(apikeys_config_load(&cfg, cfg_get, &pw, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "passfile"));
    assert_null(strstr(err, "hunter2"));
    assert_int_equal(load_one("secret_file", "relative/secret", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "absolute path"));
    assert_int_equal(load_one("secret_file", "/etc/panel/apikeys.secret", err, sizeof err), PANEL_OK);
    assert_int_equal(load_pg("node_id", "web 2", &cfg, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "node_id"));
    assert_int_equal(load_pg("node_id", "web-2.eu", &cfg, err, sizeof err), PANEL_OK);
    assert_string_equal(cfg.node_id, "web-2.eu");

    /* A password is refused in both forms libpq reads, and the message says where it goes instead. */
    assert_int_equal(pg_check_conninfo("host=db dbname=panel user=panel password=hunter2", err, sizeof err),
                     PANEL_E_INVALID);
    assert_non_null(strstr(err, "passfile=PATH or PGPASSFILE"));
    assert_null(strstr(err, "hunter2"));
    assert_int_equal(pg_check_conninfo("postgresql://panel:hunter2@db/panel", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "passfile"));
    assert_null(strstr(err, "hunter2"));
    assert_int_equal(pg_check_conninfo("postgresql://panel@db/panel?passfile=/etc/panel/pgpass", err, sizeof err),
                     PANEL_OK);
    assert_int_equal(pg_check_conninfo("host=db dbname=panel user=panel passfile=/etc/pgpass", err, sizeof err),
                     PANEL_OK);
    assert_int_equal(pg_check_conninfo("host=db dbname='unterminated", err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "pg_conninfo is not a libpq connection string"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32c_known_vectors_on_both_paths),
        cmocka_unit_test(crc32c_paths_agree_on_every_length),
        cmocka_unit_test(base62_fixed_width),
        cmocka_unit_test(generated_keys_are_well_formed_and_distinct),
        cmocka_unit_test(every_single_character_mutation_is_detected),
        cmocka_unit_test(classification_of_other_inputs),
        cmocka_unit_test(hints_show_prefix_and_last_four_only),
        cmocka_unit_test(digest_depends_on_secret_and_key),
        cmocka_unit_test(keyring_finds_each_of_100k_keys_and_nothing_else),
        cmocka_unit_test(keyring_finds_a_located_key_only_where_its_locator_says),
        cmocka_unit_test(keyring_finds_keys_that_share_a_locator),
        cmocka_unit_test(keyring_grows_beyond_its_initial_capacity),
        cmocka_unit_test(keyring_empty_slot_is_not_a_key_with_id_0_and_a_zero_digest),
        cmocka_unit_test(store_migrates_a_v1_file_to_v2),
        cmocka_unit_test(a_new_store_allows_only_the_roles_it_writes),
        cmocka_unit_test(config_defaults_and_refusals),
        cmocka_unit_test(store_settings_defaults_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
