/* pg_named.c - the PostgreSQL backend's named keys (see store.h, store_postgresql.h): the records in
 * apikeys_named and their key rows in apikeys_keys (named_key set, role NULL, named_role 'current' or 'grace'):
 * create, list, get, update, revoke and reset, each inside the caller's changing transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

/* A store_named_t string as a statement parameter: NULL when it is not terminated inside its buffer. */
static const char *bounded(const char *text, size_t size)
{
    return memchr(text, '\0', size) ? text : NULL;
}

static int32_t check_named_strings(const store_named_t *key, char *err, size_t err_len)
{
    if (bounded(key->label, sizeof key->label) && bounded(key->scopes, sizeof key->scopes) &&
        bounded(key->allowed_ips, sizeof key->allowed_ips))
        return PANEL_OK;
    snprintf(err, err_len, "a named key's label, scopes or allowed IPs are not terminated text");
    return PANEL_E_INVALID;
}

int32_t pg_named_count(store_t *s, int64_t *count, char *err, size_t err_len)
{
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), "SELECT count(*) FROM apikeys_named WHERE revoked_at IS NULL", 0, NULL, &r,
                               "counting the named keys", err, err_len);
    if (rc == PANEL_OK) {
        *count = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
    }
    return rc;
}

/* One statement: the named key and its current key row (created when the named key is). */
int32_t pg_named_create(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                        const char *hint, int64_t *id, char *err, size_t err_len)
{
    int32_t rc = check_named_strings(key, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    char hex[2 * KEY_DIGEST_LEN + 3], rate[24], created[24], expires[24], loc[24];
    pg_digest_hex(digest, hex);
    const char *params[] = {key->label, key->scopes, key->allowed_ips, pg_i64(rate, sizeof rate, key->rate_limit),
                            pg_i64(created, sizeof created, key->created_at),
                            pg_i64(expires, sizeof expires, key->expires_at), hex, hint,
                            pg_i64(loc, sizeof loc, (int64_t)locator)};
    PGresult *r = NULL;
    rc = pg_exec_admin(P(s),
                       "WITH n AS (INSERT INTO apikeys_named(label, scopes, allowed_ips, rate_limit, created_at, expires_at)"
                    " VALUES ($1, $2, $3, $4::bigint, $5::bigint, NULLIF($6::bigint, 0)) RETURNING id)"
                    " INSERT INTO apikeys_keys(name, digest, hint, created_at, named_role, named_key, locator)"
                    " SELECT 'named', $7::bytea, $8, $5::bigint, 'current', id, $9::bigint FROM n RETURNING named_key",
                    9, params, id ? &r : NULL, "saving the new named key", err, err_len);
    if (rc == PANEL_OK && id) {
        *id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
        PQclear(r);
        if (*id <= 0) {
            snprintf(err, err_len, "the PostgreSQL key store did not return the new named key's id");
            rc = PANEL_E_STORE;
        }
    }
    return rc;
}

/* The live named keys with their listing fields: the hint of the current row, the grace row's hint and end, and
 * the usage over all their key rows (apikeys_keys_named_role keeps one current and one grace row per named key;
 * a named key's rows have role NULL, so the joins go by named_role). */
#define NAMED_LISTING                                                                                              \
    "SELECT n.id, n.label, n.scopes, n.allowed_ips, n.rate_limit, n.created_at, COALESCE(n.expires_at, 0),"       \
    " COALESCE(c.hint, ''), g.id IS NOT NULL, COALESCE(g.expires_at, 0), COALESCE(g.hint, ''),"                  \
    " COALESCE(u.last_used_at, 0), COALESCE(u.use_count, 0)"                                                      \
    " FROM apikeys_named n"                                                                                       \
    " LEFT JOIN apikeys_keys c ON c.named_key = n.id AND c.named_role = 'current'"                                \
    " LEFT JOIN apikeys_keys g ON g.named_key = n.id AND g.named_role = 'grace'"                                  \
    " LEFT JOIN LATERAL (SELECT max(last_used_at) AS last_used_at, sum(use_count)::bigint AS use_count"           \
    " FROM apikeys_keys WHERE named_key = n.id) u ON true"                                                        \
    " WHERE n.revoked_at IS NULL"

/* Listing values are for the page: a value longer than its buffer (which the schema's CHECKs rule out) is cut. */
static void named_from_listing(PGresult *r, int i, store_named_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    (void)pg_copy_text(out->label, sizeof out->label, PQgetvalue(r, i, 1));
    (void)pg_copy_text(out->scopes, sizeof out->scopes, PQgetvalue(r, i, 2));
    (void)pg_copy_text(out->allowed_ips, sizeof out->allowed_ips, PQgetvalue(r, i, 3));
    out->rate_limit = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    out->created_at = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    out->expires_at = strtoll(PQgetvalue(r, i, 6), NULL, 10);
    (void)pg_copy_text(out->hint, sizeof out->hint, PQgetvalue(r, i, 7));
    out->has_grace = PQgetvalue(r, i, 8)[0] == 't';
    out->grace_expires_at = strtoll(PQgetvalue(r, i, 9), NULL, 10);
    (void)pg_copy_text(out->grace_hint, sizeof out->grace_hint, PQgetvalue(r, i, 10));
    out->last_used_at = strtoll(PQgetvalue(r, i, 11), NULL, 10);
    out->use_count = strtoll(PQgetvalue(r, i, 12), NULL, 10);
}

int32_t pg_named_get(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    char a[24];
    const char *params[] = {pg_i64(a, sizeof a, id)};
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), NAMED_LISTING " AND n.id = $1::bigint", 1, params, &r, "reading the named key",
                               err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1) {
        *found = 1;
        named_from_listing(r, 0, out);
    }
    PQclear(r);
    return PANEL_OK;
}

int32_t pg_named_update(store_t *s, const store_named_t *key, char *err, size_t err_len)
{
    int32_t rc = check_named_strings(key, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, key->id), key->label, key->scopes, key->allowed_ips,
                            pg_i64(b, sizeof b, key->rate_limit)};
    return pg_exec_admin(P(s),
                         "UPDATE apikeys_named SET label = $2, scopes = $3, allowed_ips = $4, rate_limit = $5::bigint"
                      " WHERE id = $1::bigint AND revoked_at IS NULL",
                      5, params, NULL, "saving the named key", err, err_len);
}

/* The named key and its valid key rows (named_role NULL; a row replaced before keeps the time it was). */
int32_t pg_named_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, id), pg_i64(b, sizeof b, now)};
    int32_t rc = pg_exec_admin(P(s),
                               "UPDATE apikeys_named SET revoked_at = $2::bigint WHERE id = $1::bigint"
                            " AND revoked_at IS NULL",
                            2, params, NULL, "revoking the named key", err, err_len);
    if (rc == PANEL_OK)
        rc = pg_exec_admin(P(s),
                           "UPDATE apikeys_keys SET named_role = NULL, revoked_at = $2::bigint"
                        " WHERE named_key = $1::bigint AND named_role IS NOT NULL",
                        2, params, NULL, "revoking the named key's key rows", err, err_len);
    return rc;
}

/* Three statements in this order, so each leaves one current and one grace row at most (apikeys_keys_named_role
 * allows no more at any moment): the old grace row is revoked, the current row becomes the grace row (or is
 * revoked), the new current row is inserted (none for a revoked named key). */
int32_t pg_named_reset(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                       int64_t now, int64_t grace_expires_at, char *err, size_t err_len)
{
    char a[24], b[24], c[24], loc[24], hex[2 * KEY_DIGEST_LEN + 3];
    const char *params[] = {pg_i64(a, sizeof a, id), pg_i64(b, sizeof b, now),
                            pg_i64(c, sizeof c, grace_expires_at > 0 ? grace_expires_at : 0)};
    int32_t rc = pg_exec_admin(P(s),
                               "UPDATE apikeys_keys SET named_role = NULL, revoked_at = $2::bigint"
                            " WHERE named_key = $1::bigint AND named_role = 'grace'",
                            2, params, NULL, "revoking the named key's previous grace key", err, err_len);
    if (rc == PANEL_OK)
        rc = pg_exec_admin(P(s),
                           "UPDATE apikeys_keys SET"
                        " named_role = CASE WHEN $3::bigint > 0 THEN 'grace' END,"
                        " expires_at = CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE expires_at END,"
                        " revoked_at = CASE WHEN $3::bigint > 0 THEN revoked_at ELSE $2::bigint END"
                        " WHERE named_key = $1::bigint AND named_role = 'current'",
                        3, params, NULL, "replacing the named key's key", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    pg_digest_hex(digest, hex);
    const char *insert[] = {hex, hint, pg_i64(b, sizeof b, now), pg_i64(a, sizeof a, id),
                            pg_i64(loc, sizeof loc, (int64_t)locator)};
    return pg_exec_admin(P(s),
                         "INSERT INTO apikeys_keys(name, digest, hint, created_at, named_role, named_key, locator)"
                      " SELECT 'named', $1::bytea, $2, $3::bigint, 'current', id, $5::bigint FROM apikeys_named"
                      " WHERE id = $4::bigint AND revoked_at IS NULL",
                      5, insert, NULL, "saving the named key's new key", err, err_len);
}

int32_t pg_read_named(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                      size_t err_len)
{
    char a[24], b[24];
    const char *params[] = {pg_i64(a, sizeof a, limit), pg_i64(b, sizeof b, offset > INT64_MAX ? INT64_MAX : (int64_t)offset)};
    PGresult *r;
    int32_t rc = pg_exec_admin(P(s), NAMED_LISTING " ORDER BY n.id LIMIT $1::bigint OFFSET $2::bigint", 2, params, &r,
                               "reading the named keys", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *row = malloc(sizeof *row);
    if (!row) {
        PQclear(r);
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        named_from_listing(r, i, row);
        rc = fn(ctx, row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the named keys");
    }
    free(row);
    PQclear(r);
    return rc;
}
