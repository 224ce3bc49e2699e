/* store.c - the store dispatcher (see store.h): picks the backend the config names, forwards every call to
 * it. Like SQLite's os.c beside os_unix.c: no storage
 * code here. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"

extern const store_backend_t store_sqlite_backend;
extern const store_backend_t store_postgresql_backend;

static const store_backend_t *const backends[] = {&store_sqlite_backend, &store_postgresql_backend};

const store_backend_t *store_backend_named(const char *kind)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i]->kind, kind) == 0)
            return backends[i];
    return NULL;
}

int32_t store_open(store_t *s, const store_open_args_t *args, char *err, size_t err_len)
{
    memset(s, 0, sizeof *s);
    const store_backend_t *b = store_backend_named(args->config->store);
    if (!b || b->version < STORE_BACKEND_VERSION) {
        snprintf(err, err_len, "[plugin:apikeys] store \"%s\" is not available in this build", args->config->store);
        return PANEL_E_INVALID;
    }
    s->impl = calloc(1, b->impl_size);
    if (!s->impl) {
        snprintf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    s->backend = b;
    int32_t rc = b->open(s, args, err, err_len);
    if (rc != PANEL_OK) {
        free(s->impl);
        memset(s, 0, sizeof *s);
    }
    return rc;
}

void store_close(store_t *s)
{
    if (!s->backend)
        return;
    s->backend->close(s);
    free(s->impl);
    memset(s, 0, sizeof *s);
}

/* ----- dispatchers -------------------------------------------------------------------------------------- */

int32_t store_begin(store_t *s, int signals_change, char *err, size_t err_len)
{
    return s->backend->begin(s, signals_change, err, err_len);
}

int32_t store_commit(store_t *s, char *report, size_t report_len, char *err, size_t err_len)
{
    if (report && report_len)
        report[0] = '\0';
    return s->backend->commit(s, report, report_len, err, err_len);
}

void store_rollback(store_t *s)
{
    s->backend->rollback(s);
}

int32_t store_key_rows(store_t *s, int64_t *count, char *err, size_t err_len)
{
    return s->backend->key_rows(s, count, err, err_len);
}

int32_t store_get_enabled(store_t *s, int *enabled, char *err, size_t err_len)
{
    return s->backend->get_enabled(s, enabled, err, err_len);
}

int32_t store_set_enabled(store_t *s, int enabled, char *err, size_t err_len)
{
    return s->backend->set_enabled(s, enabled, err, err_len);
}

int32_t store_get_role(store_t *s, const char *role, store_key_t *out, int *found, char *err, size_t err_len)
{
    return s->backend->get_role(s, role, out, found, err, err_len);
}

int32_t store_get_site(store_t *s, store_site_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (s->backend->get_site)
        return s->backend->get_site(s, out, err, err_len);
    int32_t rc = s->backend->get_enabled(s, &out->enabled, err, err_len);
    if (rc == PANEL_OK)
        rc = s->backend->get_role(s, "current", &out->current, &out->has_current, err, err_len);
    if (rc == PANEL_OK)
        rc = s->backend->get_role(s, "grace", &out->grace, &out->has_grace, err, err_len);
    return rc;
}

int32_t store_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], const char *hint, int64_t now,
                          int64_t *id, char *err, size_t err_len)
{
    return s->backend->put_current(s, digest, hint, now, id, err, err_len);
}

int32_t store_find_digest(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_digest_row_t *out, char *err,
                          size_t err_len)
{
    memset(out, 0, sizeof *out);
    return s->backend->find_digest(s, digest, out, err, err_len);
}

int32_t store_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    return s->backend->revoke(s, id, now, err, err_len);
}

int32_t store_make_grace(store_t *s, int64_t id, int64_t expires_at, char *err, size_t err_len)
{
    return s->backend->make_grace(s, id, expires_at, err, err_len);
}

int32_t store_insert_extra(store_t *s, const uint8_t *digests, size_t n, const char *hint, int64_t now, char *err,
                           size_t err_len)
{
    return s->backend->insert_extra(s, digests, n, hint, now, err, err_len);
}

int32_t store_audit(store_t *s, int64_t now, const char *actor, const char *origin, const char *action,
                    const char *outcome, const char *key_hint, char *err, size_t err_len)
{
    return s->backend->audit(s, now, actor, origin, action, outcome, key_hint, err, err_len);
}

int32_t store_read_audit(store_t *s, uint64_t offset, uint32_t limit, store_audit_fn fn, void *ctx, char *err,
                         size_t err_len)
{
    return s->backend->read_audit(s, offset, limit, fn, ctx, err, err_len);
}

int32_t store_flush_usage(store_t *s, const store_usage_t *usage, size_t n_usage, int64_t now,
                          const uint64_t denials[DENIAL_REASONS], const int64_t denial_last[DENIAL_REASONS],
                          char *err, size_t err_len)
{
    return s->backend->flush_usage(s, usage, n_usage, now, denials, denial_last, err, err_len);
}

int32_t store_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                          size_t err_len)
{
    return s->backend->get_denials(s, counts, last_at, err, err_len);
}

int store_settle(store_t *s, uint64_t seen, uint64_t *now)
{
    if (!s->backend->settle) {
        *now = seen;
        return STORE_SIGNAL_WRITER_ACTIVE;
    }
    return s->backend->settle(s, seen, now);
}

void store_drop_read_cache(store_t *s)
{
    if (s->backend->drop_read_cache)
        s->backend->drop_read_cache(s);
}

int store_last_failure_is_damage(const store_t *s)
{
    return s->backend->last_failure_is_damage(s);
}

int32_t store_describe(store_t *s, char *out, size_t out_len)
{
    return s->backend->describe(s, out, out_len);
}

int32_t store_read_nodes(store_t *s, store_node_fn fn, void *ctx, char *err, size_t err_len)
{
    return s->backend->read_nodes ? s->backend->read_nodes(s, fn, ctx, err, err_len) : PANEL_OK;
}

int32_t store_get_site_policy(store_t *s, store_site_policy_t *out, char *err, size_t err_len)
{
    if (!s->backend->get_site_policy) {
        snprintf(err, err_len, "the %s store cannot keep key policies", s->backend->title);
        return PANEL_E_STORE;
    }
    return s->backend->get_site_policy(s, out, err, err_len);
}

int32_t store_set_site_policy(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err, size_t err_len)
{
    if (!s->backend->set_site_policy) {
        snprintf(err, err_len, "the %s store cannot keep key policies", s->backend->title);
        return PANEL_E_STORE;
    }
    return s->backend->set_site_policy(s, allowed_ips, rate_limit, err, err_len);
}

int store_has_named_keys(const store_t *s)
{
    return s->backend->named_create != NULL && s->backend->read_named != NULL;
}

int store_has_nodes(const store_t *s)
{
    return s->backend->read_nodes != NULL;
}

/* ----- named keys ---------------------------------------------------------------------------------------- */

static int32_t no_named_keys(const store_t *s, char *err, size_t err_len)
{
    snprintf(err, err_len, "the %s store cannot keep named keys", s->backend->title);
    return PANEL_E_STORE;
}

int32_t store_named_count(store_t *s, int64_t *count, char *err, size_t err_len)
{
    return s->backend->named_count ? s->backend->named_count(s, count, err, err_len) : no_named_keys(s, err, err_len);
}

int32_t store_named_create(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN],
                           const char *hint, int64_t *id, char *err, size_t err_len)
{
    return s->backend->named_create ? s->backend->named_create(s, key, digest, hint, id, err, err_len)
                                    : no_named_keys(s, err, err_len);
}

int32_t store_named_get(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len)
{
    return s->backend->named_get ? s->backend->named_get(s, id, out, found, err, err_len)
                                 : no_named_keys(s, err, err_len);
}

int32_t store_named_update(store_t *s, const store_named_t *key, char *err, size_t err_len)
{
    return s->backend->named_update ? s->backend->named_update(s, key, err, err_len) : no_named_keys(s, err, err_len);
}

int32_t store_named_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    return s->backend->named_revoke ? s->backend->named_revoke(s, id, now, err, err_len)
                                    : no_named_keys(s, err, err_len);
}

int32_t store_named_reset(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], const char *hint,
                          int64_t now, int64_t grace_expires_at, char *err, size_t err_len)
{
    return s->backend->named_reset ? s->backend->named_reset(s, id, digest, hint, now, grace_expires_at, err, err_len)
                                   : no_named_keys(s, err, err_len);
}

int32_t store_read_named(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                         size_t err_len)
{
    return s->backend->read_named ? s->backend->read_named(s, offset, limit, fn, ctx, err, err_len)
                                  : no_named_keys(s, err, err_len);
}
