/* pg_conn.c - the PostgreSQL backend's connections (see store_postgresql.h): connecting with timeouts derived from
 * lease_seconds, queries whose failures read as instructions, the schema and its migrations (one transaction
 * under an advisory lock, so nodes starting together on an empty database all come up), and the shared digest
 * secret with its check value. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key_locator.h"
#include "panel/plugin.h"
#include "store_postgresql.h"

/* pg_advisory_xact_lock key of the migrations: "apikeys" in ASCII. */
#define PG_MIGRATION_LOCK "27418087016638835"

/* Server notices ("relation already exists, skipping") are not the owner's business: libpq would print them. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *pg_connect(const apikeys_config_t *cfg, char *err, size_t err_len)
{
    /* Timeouts first, the owner's conninfo last: libpq keeps the last value of a repeated keyword. A cut
     * network fails a call within about lease_seconds instead of TCP's minutes. */
    char connect_timeout[16], user_timeout[16];
    snprintf(connect_timeout, sizeof connect_timeout, "%u", cfg->lease_seconds < 2 ? 2u : cfg->lease_seconds);
    snprintf(user_timeout, sizeof user_timeout, "%u", cfg->lease_seconds * 1000u);
    const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                                "keepalives_count", "tcp_user_timeout", "application_name", "dbname", NULL};
    const char *const values[] = {connect_timeout, "1", "1", "1", "2", user_timeout, "apikeys", cfg->pg_conninfo,
                                  NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (conn && PQstatus(conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(conn, ignore_notice, NULL);
        /* A session of ours that is cut off inside a transaction must not hold its row locks (the state row every
         * writer and renewal locks) for the server's keepalive time: the server ends it after a third of a lease.
         * No statement waits for a lock longer than a lease. */
        char session[160];
        unsigned idle_ms = cfg->lease_seconds * 1000u / 3u;
        snprintf(session, sizeof session, "SET idle_in_transaction_session_timeout = %u; SET lock_timeout = %u",
                 idle_ms < 200u ? 200u : idle_ms, cfg->lease_seconds * 1000u);
        PGresult *r = PQexec(conn, session);
        int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok)
            return conn;
        snprintf(err, err_len, "the PostgreSQL key store refused the session settings: %s", PQerrorMessage(conn));
        err[strcspn(err, "\n")] = '\0';
        PQfinish(conn);
        return NULL;
    }
    char reason[256] = "out of memory";
    if (conn) {
        snprintf(reason, sizeof reason, "%s", PQerrorMessage(conn));
        for (char *c = reason; *c; c++)
            if ((unsigned char)*c < 0x20) /* libpq's line breaks and tabs */
                *c = ' ';
        size_t n = strlen(reason);
        while (n && reason[n - 1] == ' ')
            reason[--n] = '\0';
        PQfinish(conn);
    }
    snprintf(err, err_len, "the PostgreSQL key store is unreachable (%s); check pg_conninfo and that the server runs",
             reason);
    return NULL;
}

/* Turns a statement's result into PANEL_OK (*res, when wanted) or PANEL_E_STORE with an actionable message. */
static int32_t finish(PGconn *conn, PGresult *r, PGresult **res, const char *doing, char *err, size_t err_len)
{
    ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        if (res)
            *res = r;
        else
            PQclear(r);
        return PANEL_OK;
    }
    char reason[256];
    snprintf(reason, sizeof reason, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    reason[strcspn(reason, "\n")] = '\0';
    PQclear(r);
    if (PQstatus(conn) != CONNECTION_OK)
        snprintf(err, err_len,
                 "the PostgreSQL key store became unreachable while %s (%s); check the page before trying again",
                 doing, reason);
    else
        snprintf(err, err_len, "the PostgreSQL key store failed while %s: %s", doing, reason);
    return PANEL_E_STORE;
}

int32_t pg_exec(PGconn *conn, const char *sql, int n, const char *const *values, PGresult **res, const char *doing,
                char *err, size_t err_len)
{
    if (res)
        *res = NULL;
    if (!conn) {
        snprintf(err, err_len, "the PostgreSQL key store is unreachable (%s)", doing);
        return PANEL_E_STORE;
    }
    /* Without parameters through PQexec, which also runs several statements (the schema). */
    PGresult *r = n ? PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0) : PQexec(conn, sql);
    return finish(conn, r, res, doing, err, err_len);
}

int32_t pg_exec_prepared(PGconn *conn, const char *name, int prepare, const char *sql, int n,
                         const char *const *values, PGresult **res, const char *doing, char *err, size_t err_len)
{
    if (res)
        *res = NULL;
    if (!conn) {
        snprintf(err, err_len, "the PostgreSQL key store is unreachable (%s)", doing);
        return PANEL_E_STORE;
    }
    if (prepare) {
        int32_t rc = finish(conn, PQprepare(conn, name, sql, n, NULL), NULL, doing, err, err_len);
        if (rc != PANEL_OK)
            return rc;
    }
    return finish(conn, PQexecPrepared(conn, name, n, values, NULL, NULL, 0), res, doing, err, err_len);
}

int pg_decode_bytea(const char *text, uint8_t *out, size_t len)
{
    if (!text || text[0] != '\\' || text[1] != 'x' || strlen(text + 2) != 2 * len)
        return -1;
    size_t bin_len = 0;
    if (sodium_hex2bin(out, len, text + 2, 2 * len, NULL, &bin_len, NULL) != 0 || bin_len != len)
        return -1;
    return 0;
}

int pg_copy_text(char *out, size_t len, const char *text)
{
    if (!len)
        return -1;
    size_t n = strlen(text);
    if (n < len) {
        memcpy(out, text, n + 1);
        return 0;
    }
    n = len - 1;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) /* text[n] continues a character: cut before it */
        n--;
    memcpy(out, text, n);
    out[n] = '\0';
    return -1;
}

static const char schema_v1[] =
    "CREATE TABLE apikeys_state(id integer PRIMARY KEY CHECK (id = 1), change bigint NOT NULL,"
    " api_enabled boolean NOT NULL);"
    "INSERT INTO apikeys_state(id, change, api_enabled) VALUES (1, 1, false);"
    "CREATE TABLE apikeys_keys(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,"
    " digest bytea NOT NULL UNIQUE, hint text NOT NULL, created_at bigint NOT NULL, revoked_at bigint,"
    " expires_at bigint, last_used_at bigint, use_count bigint NOT NULL DEFAULT 0, role text"
    " CHECK (role IN ('current','grace')));"
    "CREATE UNIQUE INDEX apikeys_keys_one_current ON apikeys_keys(role) WHERE role = 'current';"
    "CREATE UNIQUE INDEX apikeys_keys_one_grace ON apikeys_keys(role) WHERE role = 'grace';"
    "CREATE INDEX apikeys_keys_valid ON apikeys_keys(role) WHERE role IS NOT NULL;"
    "CREATE TABLE apikeys_audit(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at bigint NOT NULL,"
    " actor text NOT NULL, origin text NOT NULL, action text NOT NULL, outcome text NOT NULL, key_hint text,"
    " detail text);"
    "CREATE TABLE apikeys_denials(reason text PRIMARY KEY, count bigint NOT NULL, last_at bigint);"
    "CREATE TABLE apikeys_nodes(instance text PRIMARY KEY, node_id text NOT NULL, address text NOT NULL,"
    " pid integer NOT NULL, started_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
    " lease_end timestamptz NOT NULL, loaded bigint NOT NULL);";

/* v2: the site key's policy (canonical CIDR list, "" = any; requests per minute, 0 = none). */
static const char schema_v2[] =
    "ALTER TABLE apikeys_state ADD COLUMN IF NOT EXISTS allowed_ips text NOT NULL DEFAULT '',"
    " ADD COLUMN IF NOT EXISTS rate_limit bigint NOT NULL DEFAULT 0;"
    "UPDATE apikeys_meta SET value = '2' WHERE name = 'schema_version';";

/* v3: named keys (their own label, scopes and policy; their key rows in apikeys_keys with named_key set, NULL for
 * the site key's). A named key's row keeps role NULL and has its own named_role ('current', 'grace', NULL when
 * revoked or replaced), one current and one grace row per named key; the site key's columns and indexes stay
 * those of schema 1. So a node of an older plugin still serving this store during an upgrade never loads a named
 * key's row as a site key without its scopes and allow-list (its snapshot takes role IS NOT NULL): to it the row
 * is a replaced key, and the named key gets 401 there until that node is upgraded (fail closed); no row is ever
 * both (the CHECK on named_key). The bounds are those of store_named_t, so no listing or snapshot ever truncates a
 * value. Every step is idempotent. */
_Static_assert(STORE_LABEL_MAX == 41 && sizeof(((store_named_t *)0)->scopes) == 1024 &&
                   sizeof(((store_named_t *)0)->allowed_ips) == 4096,
               "schema_v3 bounds its columns by store_named_t's buffers");
static const char schema_v3[] =
    "CREATE TABLE IF NOT EXISTS apikeys_named(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " label text NOT NULL CHECK (octet_length(label) BETWEEN 1 AND 40),"
    " scopes text NOT NULL CHECK (octet_length(scopes) < 1024),"
    " allowed_ips text NOT NULL DEFAULT '' CHECK (octet_length(allowed_ips) < 4096),"
    " rate_limit bigint NOT NULL DEFAULT 0, created_at bigint NOT NULL, expires_at bigint, revoked_at bigint);"
    "ALTER TABLE apikeys_keys"
    " ADD COLUMN IF NOT EXISTS named_key bigint REFERENCES apikeys_named(id)"
    " CONSTRAINT apikeys_keys_named_not_site CHECK (named_key IS NULL OR role IS NULL),"
    " ADD COLUMN IF NOT EXISTS named_role text CHECK (named_role IN ('current','grace'));"
    "CREATE UNIQUE INDEX IF NOT EXISTS apikeys_keys_named_role ON apikeys_keys(named_key, named_role)"
    " WHERE named_role IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS apikeys_keys_named ON apikeys_keys(named_key) WHERE named_key IS NOT NULL;"
    "UPDATE apikeys_meta SET value = '3' WHERE name = 'schema_version';";

/* v4: each node's clock offset from the database's, as it measured it at its previous renewal (NULL: not yet, or
 * a node of an older plugin), and whether that offset fences it. */
static const char schema_v4[] =
    "ALTER TABLE apikeys_nodes ADD COLUMN IF NOT EXISTS clock_offset_ms bigint,"
    " ADD COLUMN IF NOT EXISTS clock_fenced boolean NOT NULL DEFAULT false;"
    "UPDATE apikeys_meta SET value = '4' WHERE name = 'schema_version';";

/* v5: usage per UTC hour (hour: Unix seconds, a multiple of 3600; key: "site", "site-previous", "none" or a named
 * key's id; code: "allowed" or a denial's code), allowed requests per key value and minute for the last hour, and
 * each key value's last caller. Every node adds its counts (INSERT ... ON CONFLICT adds). */
static const char schema_v5[] =
    "CREATE TABLE IF NOT EXISTS apikeys_usage(hour bigint NOT NULL, key text NOT NULL, code text NOT NULL,"
    " count bigint NOT NULL, PRIMARY KEY (hour, key, code));"
    "CREATE TABLE IF NOT EXISTS apikeys_usage_recent(key_id bigint NOT NULL, minute bigint NOT NULL,"
    " count bigint NOT NULL, PRIMARY KEY (key_id, minute));"
    "ALTER TABLE apikeys_keys ADD COLUMN IF NOT EXISTS last_addr text, ADD COLUMN IF NOT EXISTS last_agent text;"
    "UPDATE apikeys_meta SET value = '5' WHERE name = 'schema_version';";
/* v7: each node's demand per limited key over its last renewal interval
 * (requests a minute) and the share of the limit it enforced then (ratelimit_share.h), reported at each renewal; a
 * node of an older plugin leaves them NULL (it counts as a live node, and enforces the whole limit itself). */
static const char schema_v7[] =
    "ALTER TABLE apikeys_nodes ADD COLUMN IF NOT EXISTS rl_keys bigint[],"
    " ADD COLUMN IF NOT EXISTS rl_demand double precision[], ADD COLUMN IF NOT EXISTS rl_shares double precision[];"
    "UPDATE apikeys_meta SET value = '7' WHERE name = 'schema_version';";

/* v8: each key row's locator (key_locator.h: where its keyring slot is, so a verification fetches it while the
 * digest is computed). Rows from before keep NULL and are found by their digest, as before. */
static const char schema_v8[] = "ALTER TABLE apikeys_keys ADD COLUMN IF NOT EXISTS locator bigint;"
                                "UPDATE apikeys_meta SET value = '8' WHERE name = 'schema_version';";

/* The check value of a secret: a keyed hash of a fixed text, so it tells whether two nodes hold the same
 * secret and reveals nothing about it. */
static void secret_check_value(const uint8_t secret[KEY_SECRET_LEN], char hex[2 * 32 + 1])
{
    static const char label[] = "apikeys secret check v1";
    uint8_t mac[32];
    crypto_generichash(mac, sizeof mac, (const unsigned char *)label, sizeof label - 1, secret, KEY_SECRET_LEN);
    sodium_bin2hex(hex, 2 * 32 + 1, mac, sizeof mac);
}

static int32_t meta_get(PGconn *conn, const char *name, char *out, size_t out_len, int *found, char *err,
                        size_t err_len)
{
    PGresult *r;
    const char *params[] = {name};
    int32_t rc = pg_exec(conn, "SELECT value FROM apikeys_meta WHERE name = $1", 1, params, &r,
                         "reading the store's settings", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    *found = PQntuples(r) == 1;
    if (*found)
        snprintf(out, out_len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return PANEL_OK;
}

static int32_t meta_put(PGconn *conn, const char *name, const char *value, char *err, size_t err_len)
{
    const char *params[] = {name, value};
    return pg_exec(conn, "INSERT INTO apikeys_meta(name, value) VALUES ($1, $2)", 2, params, NULL,
                   "saving the store's settings", err, err_len);
}

/* Inside the migration transaction: loads this node's secret and compares it with the store's check value,
 * or, for the node that creates the store, creates it (unless the owner already placed one) and records it. */
static int32_t check_secret(pg_store_t *p, PGconn *conn, char *err, size_t err_len)
{
    const char *path = p->config->secret_file;
    char stored[80] = "", origin[512] = "";
    _Static_assert(sizeof origin >= 100 + 300 + 63 + 16, "origin holds host:path (node id)");
    int has_check = 0, has_origin = 0;
    int32_t rc = meta_get(conn, "secret_check", stored, sizeof stored, &has_check, err, err_len);
    if (rc == PANEL_OK)
        rc = meta_get(conn, "secret_origin", origin, sizeof origin, &has_origin, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (!has_origin)
        snprintf(origin, sizeof origin, "the node that created the store");
    int created = 0;
    char why[512];
    rc = key_secret_load(path, !has_check, p->args.secret, &created, why, sizeof why);
    if (rc != PANEL_OK) {
        if (has_check && access(path, F_OK) != 0)
            snprintf(err, err_len,
                     "%s is missing: every node needs a copy of the shared store's digest secret; copy it (mode "
                     "0600) from %s",
                     path, origin);
        else
            snprintf(err, err_len, "%s", why);
        return rc;
    }
    key_locator_key(p->args.secret, p->args.locator_key);
    char mine[80];
    secret_check_value(p->args.secret, mine);
    if (has_check) {
        if (sodium_memcmp(mine, stored, 64) != 0) {
            sodium_memzero(p->args.secret, KEY_SECRET_LEN);
            sodium_memzero(p->args.locator_key, KEY_LOCATOR_KEY_LEN);
            snprintf(err, err_len,
                     "%s is not the digest secret of this PostgreSQL store (its check value differs), so no key "
                     "could be verified: copy the secret file (mode 0600) from %s",
                     path, origin);
            return PANEL_E_STORE;
        }
        return PANEL_OK;
    }
    char host[256] = "";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "this node");
    host[sizeof host - 1] = '\0';
    char here[512];
    snprintf(here, sizeof here, "%.100s:%.300s (node %.63s)", host, path, p->node_id);
    rc = meta_put(conn, "secret_check", mine, err, err_len);
    if (rc == PANEL_OK)
        rc = meta_put(conn, "secret_origin", here, err, err_len);
    if (rc != PANEL_OK && created)
        unlink(path); /* nothing recorded it: do not leave a secret no store knows */
    return rc;
}

static int32_t migrate(pg_store_t *p, PGconn *conn, char *err, size_t err_len)
{
    int32_t rc = pg_exec(conn, "BEGIN", 0, NULL, NULL, "starting the schema migration", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    rc = pg_exec(conn, "SELECT pg_advisory_xact_lock(" PG_MIGRATION_LOCK ")", 0, NULL, NULL,
                 "waiting for another node's migration", err, err_len);
    if (rc == PANEL_OK)
        rc = pg_exec(conn, "CREATE TABLE IF NOT EXISTS apikeys_meta(name text PRIMARY KEY, value text NOT NULL)", 0,
                     NULL, NULL, "creating the schema", err, err_len);
    char version_text[32] = "0";
    int found = 0;
    if (rc == PANEL_OK)
        rc = meta_get(conn, "schema_version", version_text, sizeof version_text, &found, err, err_len);
    int version = found ? atoi(version_text) : 0;
    if (rc == PANEL_OK && version > PG_SCHEMA_VERSION) {
        snprintf(err, err_len,
                 "the PostgreSQL key store has schema version %d, newer than this plugin understands (%d); use a "
                 "newer plugin on every node",
                 version, PG_SCHEMA_VERSION);
        rc = PANEL_E_STORE;
    }
    if (rc == PANEL_OK && version < 1) {
        rc = pg_exec(conn, schema_v1, 0, NULL, NULL, "creating the schema", err, err_len);
        if (rc == PANEL_OK)
            rc = meta_put(conn, "schema_version", "1", err, err_len);
    }
    if (rc == PANEL_OK && version < 2)
        rc = pg_exec(conn, schema_v2, 0, NULL, NULL, "adding the key policy (schema version 2)", err, err_len);
    if (rc == PANEL_OK && version < 3)
        rc = pg_exec(conn, schema_v3, 0, NULL, NULL, "adding named keys (schema version 3)", err, err_len);
    if (rc == PANEL_OK && version < 4)
        rc = pg_exec(conn, schema_v4, 0, NULL, NULL, "adding the nodes' clock offsets (schema version 4)", err,
                     err_len);
    if (rc == PANEL_OK && version < 5)
        rc = pg_exec(conn, schema_v5, 0, NULL, NULL, "adding usage per hour and last callers (schema version 5)",
                     err, err_len);
    if (rc == PANEL_OK && version < 6)
        rc = pg_migrate_leaks(conn, err, err_len);
    if (rc == PANEL_OK && version < 7)
        rc = pg_exec(conn, schema_v7, 0, NULL, NULL, "adding the nodes' rate-limit shares (schema version 7)", err,
                     err_len);
    if (rc == PANEL_OK && version < 8)
        rc = pg_exec(conn, schema_v8, 0, NULL, NULL, "adding the key locators (schema version 8)", err, err_len);
    if (rc == PANEL_OK)
        rc = check_secret(p, conn, err, err_len);
    /* Leases that ended an hour ago belong to nodes that are gone. */
    if (rc == PANEL_OK)
        rc = pg_exec(conn, "DELETE FROM apikeys_nodes WHERE lease_end < clock_timestamp() - interval '1 hour'", 0,
                     NULL, NULL, "removing old leases", err, err_len);
    if (rc == PANEL_OK)
        return pg_exec(conn, "COMMIT", 0, NULL, NULL, "committing the schema migration", err, err_len);
    PQclear(PQexec(conn, "ROLLBACK"));
    return rc;
}

int32_t pg_prepare_store(pg_store_t *p, PGconn *conn, char *err, size_t err_len)
{
    pthread_mutex_lock(&p->ready_mutex);
    int32_t rc = p->ready ? PANEL_OK : migrate(p, conn, err, err_len);
    if (rc == PANEL_OK)
        p->ready = 1;
    pthread_mutex_unlock(&p->ready_mutex);
    return rc;
}
