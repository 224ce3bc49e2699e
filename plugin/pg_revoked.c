/* pg_revoked.c - the PostgreSQL backend's revoked named keys as the owner's table lists them for
 * STORE_REVOKED_LISTED_SECONDS (see store.h), and the owner's view settings (STORE_OPTION_*), rows of
 * apikeys_meta shared by every node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"
#include "store_postgresql.h"

#define REVOKED_LISTING                                                                                            \
    "SELECT n.id, n.label, n.scopes, n.allowed_ips, n.rate_limit, n.created_at, COALESCE(n.expires_at, 0),"       \
    " COALESCE((SELECT hint FROM apikeys_keys WHERE named_key = n.id ORDER BY created_at DESC, id DESC LIMIT 1),"  \
    " ''), COALESCE(u.last_used_at, 0), COALESCE(u.use_count, 0), n.revoked_at,"                                  \
    " EXISTS (SELECT 1 FROM apikeys_leaked l WHERE l.named_key = n.id)"                                           \
    " FROM apikeys_named n"                                                                                       \
    " LEFT JOIN LATERAL (SELECT max(last_used_at) AS last_used_at, sum(use_count)::bigint AS use_count"           \
    " FROM apikeys_keys WHERE named_key = n.id) u ON true"                                                        \
    " WHERE n.revoked_at IS NOT NULL AND n.revoked_at >= $1::bigint"                                              \
    " ORDER BY n.revoked_at DESC, n.id DESC LIMIT $2::bigint OFFSET $3::bigint"

/* Listing values are for the page: a value longer than its buffer (which the schema's CHECKs rule out) is cut. */
static void revoked_from_listing(PGresult *r, int i, store_named_t *out)
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
    out->last_used_at = strtoll(PQgetvalue(r, i, 8), NULL, 10);
    out->use_count = strtoll(PQgetvalue(r, i, 9), NULL, 10);
    out->revoked_at = strtoll(PQgetvalue(r, i, 10), NULL, 10);
    out->leaked = PQgetvalue(r, i, 11)[0] == 't';
}

int32_t pg_read_revoked_named(store_t *s, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                              void *ctx, char *err, size_t err_len)
{
    char a[24], b[24], c[24];
    const char *params[] = {pg_i64(a, sizeof a, since), pg_i64(b, sizeof b, limit),
                            pg_i64(c, sizeof c, offset > INT64_MAX ? INT64_MAX : (int64_t)offset)};
    PGresult *r;
    int32_t rc = pg_exec_admin(s->impl, REVOKED_LISTING, 3, params, &r, "reading the revoked named keys", err,
                               err_len);
    if (rc != PANEL_OK)
        return rc;
    store_named_t *row = malloc(sizeof *row);
    if (!row) {
        PQclear(r);
        snprintf(err, err_len, "out of memory while reading the revoked named keys");
        return PANEL_E_NOMEM;
    }
    for (int i = 0; rc == PANEL_OK && i < PQntuples(r); i++) {
        revoked_from_listing(r, i, row);
        rc = fn(ctx, row);
        if (rc != PANEL_OK)
            snprintf(err, err_len, "the host stopped reading the named keys");
    }
    free(row);
    PQclear(r);
    return rc;
}

int32_t pg_get_option(store_t *s, const char *name, char *value, size_t value_len, char *err, size_t err_len)
{
    value[0] = '\0';
    char key[80];
    snprintf(key, sizeof key, "view.%s", name);
    const char *params[] = {key};
    PGresult *r;
    int32_t rc = pg_exec_admin(s->impl, "SELECT value FROM apikeys_meta WHERE name = $1", 1, params, &r,
                               "reading a view setting", err, err_len);
    if (rc != PANEL_OK)
        return rc;
    if (PQntuples(r) == 1)
        (void)pg_copy_text(value, value_len, PQgetvalue(r, 0, 0));
    PQclear(r);
    return PANEL_OK;
}

int32_t pg_set_option(store_t *s, const char *name, const char *value, char *err, size_t err_len)
{
    char key[80];
    snprintf(key, sizeof key, "view.%s", name);
    const char *params[] = {key, value};
    return pg_exec_admin(s->impl,
                         "INSERT INTO apikeys_meta(name, value) VALUES ($1, $2)"
                         " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                         2, params, NULL, "saving a view setting", err, err_len);
}
