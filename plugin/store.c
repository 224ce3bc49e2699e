/* store.c - the store dispatcher (see store.h): picks the backend the config names, forwards every call to
 * it. Like SQLite's os.c beside os_unix.c: no storage
 * code here. */
#include "store.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"

extern const store_backend_t store_sqlite_backend;
extern const store_backend_t store_postgresql_backend;

static const store_backend_t *const backends[] = {&store_sqlite_backend, &store_postgresql_backend};

/* The methods every backend has, by name (the dispatchers below call them without looking). */
#define METHOD(m) {#m, offsetof(store_backend_t, m)}
static const struct {
    const char *name;
    size_t offset;
} required[] = {
    METHOD(load_settings), METHOD(open),  METHOD(close),           METHOD(begin),         METHOD(commit),
    METHOD(rollback),     METHOD(get_enabled),     METHOD(set_enabled),   METHOD(get_role),
    METHOD(get_site),     METHOD(put_current),     METHOD(find_digest),   METHOD(revoke),
    METHOD(make_grace),   METHOD(audit),           METHOD(read_audit),    METHOD(flush_usage),
    METHOD(read_usage),   METHOD(read_caller),     METHOD(read_named_caller),
    METHOD(get_denials),  METHOD(last_failure_is_damage),                 METHOD(describe),
    METHOD(get_site_policy), METHOD(set_site_policy), METHOD(named_count), METHOD(named_create),
    METHOD(named_get),    METHOD(named_update),    METHOD(named_revoke),  METHOD(named_reset),
    METHOD(read_named),   METHOD(leak_revoke),      METHOD(last_site_leak),
    METHOD(read_revoked_named), METHOD(get_option), METHOD(set_option),
}, on_demand[] = {METHOD(read_snapshot), METHOD(settle), METHOD(drop_read_cache), METHOD(check_files)},
   with_nodes[] = {METHOD(read_nodes), METHOD(serve)};
#undef METHOD

static int has_method(const store_backend_t *b, size_t offset)
{
    void (*fn)(void);
    memcpy(&fn, (const char *)b + offset, sizeof fn);
    return fn != NULL;
}

/* Once, at open: every method the dispatchers call is there, and the optional groups exactly when the backend
 * says it has them (demand_reload, has_nodes), so no dispatcher needs a fallback. */
static const char *missing_method(const store_backend_t *b)
{
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!has_method(b, required[i].offset))
            return required[i].name;
    for (size_t i = 0; i < sizeof on_demand / sizeof on_demand[0]; i++)
        if (has_method(b, on_demand[i].offset) != (b->demand_reload != 0))
            return on_demand[i].name;
    for (size_t i = 0; i < sizeof with_nodes / sizeof with_nodes[0]; i++)
        if (has_method(b, with_nodes[i].offset) != (b->has_nodes != 0))
            return with_nodes[i].name;
    return NULL;
}

/* The backend of this kind, checked; NULL with err when there is none or it is incomplete. */
static const store_backend_t *backend_of(const char *kind, char *err, size_t err_len)
{
    const store_backend_t *b = NULL;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i]->kind, kind) == 0)
            b = backends[i];
    if (!b) {
        snprintf(err, err_len, "[plugin:apikeys] store \"%.40s\" is not valid: use sqlite (the default, one machine) "
                 "or postgresql (many web nodes)", kind);
        return NULL;
    }
    const char *missing = missing_method(b);
    if (missing) {
        snprintf(err, err_len, "the %s store backend is incomplete (method %s)", b->title, missing);
        return NULL;
    }
    return b;
}

static const char *no_settings(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return NULL;
}

int32_t store_load_settings(apikeys_config_t *cfg, apikeys_config_get_fn get, void *ctx, char *err, size_t err_len)
{
    if (!get)
        get = no_settings;
    const char *kind = get(ctx, "store");
    const store_backend_t *b = backend_of(kind ? kind : "sqlite", err, err_len);
    if (!b)
        return PANEL_E_INVALID;
    snprintf(cfg->store, sizeof cfg->store, "%s", b->kind);
    return b->load_settings(cfg, get, ctx, err, err_len);
}

int32_t store_open(store_t *s, const store_open_args_t *args, char *err, size_t err_len)
{
    memset(s, 0, sizeof *s);
    const store_backend_t *b = backend_of(args->config->store, err, err_len);
    if (!b)
        return PANEL_E_INVALID;
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

int store_retry_wanted(store_t *s)
{
    return s->backend->retry_wanted ? s->backend->retry_wanted(s) : 0;
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
    return s->backend->get_site(s, out, err, err_len);
}

int32_t store_put_current(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator, const char *hint,
                          int64_t now, int64_t *id, char *err, size_t err_len)
{
    return s->backend->put_current(s, digest, locator, hint, now, id, err, err_len);
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

int32_t store_flush_usage(store_t *s, const store_flush_t *flush, char *err, size_t err_len)
{
    return s->backend->flush_usage(s, flush, err, err_len);
}

int32_t store_read_named_caller(store_t *s, int64_t named_id, int grace, int64_t since, store_caller_t *out,
                                int *found, char *err, size_t err_len)
{
    return s->backend->read_named_caller(s, named_id, grace, since, out, found, err, err_len);
}

void store_usage_key(int64_t label, char *out, size_t out_len)
{
    if (label == STORE_USAGE_SITE)
        snprintf(out, out_len, "site");
    else if (label == STORE_USAGE_SITE_PREVIOUS)
        snprintf(out, out_len, "site-previous");
    else
        snprintf(out, out_len, "%lld", (long long)label);
}

int32_t store_read_usage(store_t *s, int64_t since, store_usage_fn fn, void *ctx, char *err, size_t err_len)
{
    return s->backend->read_usage(s, since, fn, ctx, err, err_len);
}

int32_t store_read_caller(store_t *s, int64_t key_id, int64_t since, store_caller_t *out, char *err,
                          size_t err_len)
{
    return s->backend->read_caller(s, key_id, since, out, err, err_len);
}

int32_t store_get_denials(store_t *s, int64_t counts[DENIAL_REASONS], int64_t last_at[DENIAL_REASONS], char *err,
                          size_t err_len)
{
    return s->backend->get_denials(s, counts, last_at, err, err_len);
}

int store_settle(store_t *s, uint64_t seen, uint64_t *now)
{
    return s->backend->settle(s, seen, now);
}

void store_drop_read_cache(store_t *s)
{
    s->backend->drop_read_cache(s);
}

int32_t store_check_files(store_t *s, char *why, size_t why_len)
{
    return s->backend->check_files(s, why, why_len);
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
    return s->backend->read_nodes(s, fn, ctx, err, err_len);
}

int32_t store_get_site_policy(store_t *s, store_site_policy_t *out, char *err, size_t err_len)
{
    return s->backend->get_site_policy(s, out, err, err_len);
}

int32_t store_set_site_policy(store_t *s, const char *allowed_ips, int64_t rate_limit, char *err, size_t err_len)
{
    return s->backend->set_site_policy(s, allowed_ips, rate_limit, err, err_len);
}

int store_has_nodes(const store_t *s)
{
    return s->backend->has_nodes;
}

/* ----- named keys ---------------------------------------------------------------------------------------- */

int32_t store_named_count(store_t *s, int64_t *count, char *err, size_t err_len)
{
    return s->backend->named_count(s, count, err, err_len);
}

int32_t store_named_create(store_t *s, const store_named_t *key, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                           const char *hint, int64_t *id, char *err, size_t err_len)
{
    return s->backend->named_create(s, key, digest, locator, hint, id, err, err_len);
}

int32_t store_named_get(store_t *s, int64_t id, store_named_t *out, int *found, char *err, size_t err_len)
{
    return s->backend->named_get(s, id, out, found, err, err_len);
}

int32_t store_named_update(store_t *s, const store_named_t *key, char *err, size_t err_len)
{
    return s->backend->named_update(s, key, err, err_len);
}

int32_t store_named_revoke(store_t *s, int64_t id, int64_t now, char *err, size_t err_len)
{
    return s->backend->named_revoke(s, id, now, err, err_len);
}

int32_t store_named_reset(store_t *s, int64_t id, const uint8_t digest[KEY_DIGEST_LEN], uint64_t locator,
                          const char *hint, int64_t now, int64_t grace_expires_at, char *err, size_t err_len)
{
    return s->backend->named_reset(s, id, digest, locator, hint, now, grace_expires_at, err, err_len);
}

int32_t store_read_named(store_t *s, uint64_t offset, uint32_t limit, store_named_fn fn, void *ctx, char *err,
                         size_t err_len)
{
    return s->backend->read_named(s, offset, limit, fn, ctx, err, err_len);
}

int32_t store_read_revoked_named(store_t *s, int64_t since, uint64_t offset, uint32_t limit, store_named_fn fn,
                                 void *ctx, char *err, size_t err_len)
{
    return s->backend->read_revoked_named(s, since, offset, limit, fn, ctx, err, err_len);
}

int32_t store_get_option(store_t *s, const char *name, char *value, size_t value_len, char *err, size_t err_len)
{
    return s->backend->get_option(s, name, value, value_len, err, err_len);
}

int32_t store_set_option(store_t *s, const char *name, const char *value, char *err, size_t err_len)
{
    return s->backend->set_option(s, name, value, err, err_len);
}

int32_t store_leak_revoke(store_t *s, const uint8_t digest[KEY_DIGEST_LEN], store_leak_t *leak, int *found,
                          char *err, size_t err_len)
{
    return s->backend->leak_revoke(s, digest, leak, found, err, err_len);
}

int32_t store_last_site_leak(store_t *s, store_leak_t *out, int *found, char *err, size_t err_len)
{
    return s->backend->last_site_leak(s, out, found, err, err_len);
}
