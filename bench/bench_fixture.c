/* bench_fixture.c - the bench's data directories (under the build folder, on the real disk) and the plugin
 * fixtures: states opened as a host would open them, actions run as the owner, and requests handed to the
 * plugin's auth provider function exactly as a host hands them. */
#include <errno.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "auth_provider.h"
#include "bench.h"
#include "key_digest.h"
#include "key_format.h"
#include "../tests/unit/fixture_site_keys.h"

/* ----- directories ------------------------------------------------------------------------------------- */

int bench_path(const bench_env_t *env, const char *name, char *out, size_t out_len)
{
    int n = snprintf(out, out_len, "%s/%s", env->data_root, name);
    return n < 0 || (size_t)n >= out_len ? -1 : 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int bench_fresh_dir(const bench_env_t *env, const char *name, char *out, size_t out_len)
{
    if (bench_path(env, name, out, out_len) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (nftw(out, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return -1;
    return mkdir(out, 0700);
}

/* ----- the owner, actions ------------------------------------------------------------------------------ */

static int32_t owner_has_permission(const panel_caller_t *self, const char *permission)
{
    (void)self;
    (void)permission;
    return 1;
}

const panel_caller_t *bench_owner(void)
{
    static panel_caller_t owner = {
        .struct_size = sizeof(panel_caller_t),
        .user = "bench",
        .role = "owner",
        .origin = PANEL_ORIGIN_CLI,
        .confirmed = 1,
        .os_uid = 0,
        .client_addr = NULL,
        .host_ctx = NULL,
        .has_permission = owner_has_permission,
    };
    return &owner;
}

int32_t bench_open_state(const char *dir, apikeys_state_t **out, char *err, size_t err_len)
{
    return bench_open_state_with(dir, NULL, NULL, out, err, err_len);
}

int32_t bench_open_state_with(const char *dir, const char *(*get)(void *ctx, const char *key), void *ctx,
                              apikeys_state_t **out, char *err, size_t err_len)
{
    apikeys_options_t options = {.data_dir = dir, .config_get = get, .ctx = ctx, .start_flusher = 1};
    return apikeys_state_open(&options, out, err, err_len);
}

static const char *grace_zero(const panel_args_t *self, const char *id)
{
    (void)self;
    return strcmp(id, "grace") == 0 ? "0" : NULL;
}

/* Runs an action as the owner; its message into message_out (always), the new key into secret_out (nullable)
 * on success. */
static int32_t run_action_message(apikeys_state_t *st,
                                  int32_t (*run)(void *, const panel_caller_t *, const panel_args_t *,
                                                 panel_result_t *),
                                  char *secret_out, char *message_out, size_t message_len)
{
    char secret[PANEL_SECRET_MAX] = "";
    message_out[0] = '\0';
    panel_args_t args = {.struct_size = sizeof args, .args_ctx = NULL, .get = grace_zero};
    panel_result_t result = {sizeof result, message_out, message_len, secret, sizeof secret, NULL, 0};
    int32_t rc = run(st, bench_owner(), &args, &result);
    if (rc == PANEL_OK && secret_out)
        snprintf(secret_out, BENCH_KEY_STRIDE, "%s", secret);
    memset(secret, 0, sizeof secret);
    return rc;
}

static int32_t run_action(apikeys_state_t *st,
                          int32_t (*run)(void *, const panel_caller_t *, const panel_args_t *, panel_result_t *),
                          char *secret_out, char *err, size_t err_len)
{
    char message[1024];
    int32_t rc = run_action_message(st, run, secret_out, message, sizeof message);
    if (rc != PANEL_OK)
        snprintf(err, err_len, "%s", message);
    return rc;
}

int32_t bench_enable(apikeys_state_t *st, char *key_out, char *err, size_t err_len)
{
    key_out[0] = '\0';
    int32_t rc = run_action(st, admin_action_enable, key_out, err, err_len);
    if (rc == PANEL_OK && key_out[0] == '\0') {
        snprintf(err, err_len, "enable created no key (the data directory was not fresh)");
        return PANEL_E_STATE;
    }
    return rc;
}

int32_t bench_reset(apikeys_state_t *st, char *err, size_t err_len)
{
    return run_action(st, admin_action_reset, NULL, err, err_len);
}

int32_t bench_reset_reporting(apikeys_state_t *st, char *key_out, char *message, size_t message_len)
{
    return run_action_message(st, admin_action_reset, key_out, message, message_len);
}

typedef struct collect_ctx {
    char *keys;
    size_t offset;
} collect_ctx_t;

static void collect_key(void *vctx, size_t i, const char *key, size_t len)
{
    collect_ctx_t *c = vctx;
    char *slot = c->keys + (c->offset + i) * BENCH_KEY_STRIDE;
    size_t n = len < BENCH_KEY_STRIDE - 1 ? len : BENCH_KEY_STRIDE - 1;
    memcpy(slot, key, n);
    slot[n] = '\0';
}

int32_t bench_add_keys(apikeys_state_t *st, size_t n, char *keys, char *err, size_t err_len)
{
    collect_ctx_t c = {keys, 0};
    return fixture_add_site_keys(st, n, collect_key, &c, err, err_len);
}

/* ----- named keys -------------------------------------------------------------------------------------- */

typedef struct named_add_ctx {
    size_t n;
    const char *scopes, *allowed_ips;
    int64_t rate_limit;
    char *keys;
} named_add_ctx_t;

/* In the change-signalling transaction apikeys_write began: n named keys, as the action create-key stores one
 * (its store call, without the host's scope catalogue, which a state opened without a host has not got). */
static int32_t add_named_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_add_ctx_t *c = vctx;
    const apikeys_config_t *cfg = &st->config;
    size_t len = key_length(cfg->prefix_len);
    for (size_t i = 0; i < c->n; i++) {
        store_named_t k;
        memset(&k, 0, sizeof k);
        snprintf(k.label, sizeof k.label, "bench %zu", i + 1);
        snprintf(k.scopes, sizeof k.scopes, "%s", c->scopes);
        snprintf(k.allowed_ips, sizeof k.allowed_ips, "%s", c->allowed_ips);
        k.rate_limit = c->rate_limit;
        k.created_at = apikeys_now(st);
        char *key = c->keys + i * BENCH_KEY_STRIDE;
        if (key_generate(cfg->key_prefix, cfg->prefix_len, key, BENCH_KEY_STRIDE) != 0) {
            snprintf(msg, msg_len, "could not generate a key");
            return PANEL_E_INTERNAL;
        }
        uint8_t digest[KEY_DIGEST_LEN];
        char hint[KEY_HINT_BUF];
        key_digest(st->secret, key, len, digest);
        key_hint(cfg->key_prefix, cfg->prefix_len, key, len, hint, sizeof hint);
        int64_t id = 0;
        int32_t rc = store_named_create(&st->store, &k, digest, key_locator(st->locator_key, key, len), hint, &id,
                                        msg, msg_len);
        sodium_memzero(digest, sizeof digest);
        if (rc != PANEL_OK)
            return rc;
    }
    return PANEL_OK;
}

int32_t bench_add_named(apikeys_state_t *st, size_t n, const char *scopes, const char *allowed_ips,
                        int64_t rate_limit, char *keys, char *err, size_t err_len)
{
    named_add_ctx_t c = {n, scopes, allowed_ips, rate_limit, keys};
    return apikeys_write(st, add_named_tx, &c, err, err_len, NULL, 0);
}

/* ----- requests ---------------------------------------------------------------------------------------- */

typedef struct bench_request {
    panel_request_t request;
    const char *key;
} bench_request_t;

static const char *request_header(const panel_request_t *self, const char *name)
{
    const bench_request_t *r = (const bench_request_t *)self;
    return strcasecmp(name, "X-API-Key") == 0 ? r->key : NULL;
}

int32_t bench_authenticate(apikeys_state_t *st, const char *key)
{
    return bench_authenticate_from(st, key, "127.0.0.1", NULL);
}

int32_t bench_authenticate_from(apikeys_state_t *st, const char *key, const char *client_addr, const char *scope)
{
    bench_request_t r = {
        .request = {.struct_size = sizeof(panel_request_t),
                    .method = "GET",
                    .path = "/api/v1/ping",
                    .client_addr = client_addr,
                    .req_ctx = NULL,
                    .header = request_header,
                    .scope = scope},
        .key = key,
    };
    char principal[64], code[32], message[320];
    /* Designated: fields a later ABI minor appends stay NULL / 0 (the host wants none of them). */
    panel_auth_result_t result = {.struct_size = sizeof result,
                                  .principal = principal,
                                  .principal_len = sizeof principal,
                                  .error_code = code,
                                  .error_code_len = sizeof code,
                                  .message = message,
                                  .message_len = sizeof message};
    return apikeys_authenticate(st, &r.request, &result);
}

/* ----- fixtures ---------------------------------------------------------------------------------------- */

int bench_fixtures_open(const bench_env_t *env, bench_fixtures_t *fx, char *err, size_t err_len)
{
    memset(fx, 0, sizeof *fx);
    if (bench_fresh_dir(env, "one", fx->one_dir, sizeof fx->one_dir) != 0 ||
        bench_fresh_dir(env, "many", fx->many_dir, sizeof fx->many_dir) != 0) {
        snprintf(err, err_len, "cannot create the bench data directories under %s: %s", env->data_root,
                 strerror(errno));
        return -1;
    }
    if (bench_open_state(fx->one_dir, &fx->one, err, err_len) != PANEL_OK ||
        bench_enable(fx->one, fx->one_key, err, err_len) != PANEL_OK)
        return -1;
    fx->many_count = BENCH_MANY_KEYS;
    fx->many_keys = calloc(fx->many_count, BENCH_KEY_STRIDE);
    if (!fx->many_keys) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (bench_open_state(fx->many_dir, &fx->many, err, err_len) != PANEL_OK ||
        bench_enable(fx->many, fx->many_keys, err, err_len) != PANEL_OK ||
        bench_add_keys(fx->many, fx->many_count - 1, fx->many_keys + BENCH_KEY_STRIDE, err, err_len) != PANEL_OK)
        return -1;
    /* Every key must verify before anything is timed. */
    if (bench_authenticate(fx->one, fx->one_key) != PANEL_AUTH_ALLOW) {
        snprintf(err, err_len, "the fixture key of \"one\" is refused by the auth provider");
        return -1;
    }
    for (size_t i = 0; i < fx->many_count; i++) {
        if (bench_authenticate(fx->many, fx->many_keys + i * BENCH_KEY_STRIDE) != PANEL_AUTH_ALLOW) {
            snprintf(err, err_len, "fixture key %zu of \"many\" is refused by the auth provider", i);
            return -1;
        }
    }
    return 0;
}

void bench_fixtures_close(bench_fixtures_t *fx)
{
    apikeys_state_close(fx->one);
    apikeys_state_close(fx->many);
    if (fx->many_keys) {
        memset(fx->many_keys, 0, fx->many_count * BENCH_KEY_STRIDE);
        free(fx->many_keys);
    }
    memset(fx->one_key, 0, sizeof fx->one_key);
}
