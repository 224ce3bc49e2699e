/* plugin_abi10_host.c - apikeys.so in a host of ABI 1.0: the built plugin is dlopened and driven by a minimal host
 * that hands it a 1.0 host table (abi_minor 0, no extensions) and every struct at its ABI 1.0 size, each placed
 * at the very end of a readable page followed by an inaccessible one, so any read or write past what a 1.0 host
 * gives crashes the test. The seed flow must work with the 1.0 features only: enable (a key shown once), the key
 * verifies, reset with a grace period, end-grace, disable (403), and the registrations a 1.0 host keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "panel/plugin.h"
#include "support_host_env.h"

/* The ABI 1.0 sizes (the frozen header's sizeof on LP64). */
#define V10_HOST 112u
#define V10_CALLER 64u
#define V10_SINK 24u
#define V10_ARGS 24u
#define V10_RESULT 40u
#define V10_REQUEST 48u
#define V10_AUTH_RESULT 56u
#define V10_ACTION 72u

/* `size` bytes ending exactly where an inaccessible page begins; zeroed. */
static void *guarded(size_t size)
{
    void *p = support_guarded(size);
    assert_non_null(p);
    return p;
}

typedef struct old_action {
    char id[PANEL_ID_MAX + 1];
    int32_t (*run)(void *, const panel_caller_t *, const panel_args_t *, panel_result_t *);
} old_action_t;

typedef struct old_host {
    old_action_t actions[8];
    int n_actions, n_pages, n_fields, n_tables, n_menus;
    int32_t (*authenticate)(void *, const panel_request_t *, panel_auth_result_t *);
    int32_t (*status)(void *, const panel_caller_t *, const panel_sink_t *, char *, size_t);
    char *data_dir;
} old_host_t;

static old_host_t old;

/* Each add_* reads the descriptor's 1.0 part only, as a 1.0 host does. */
static int32_t add_page(const panel_host_t *h, const panel_page_t *p, char *e, size_t n)
{
    (void)h, (void)e, (void)n;
    old.n_pages++;
    old.status = p->status;
    return PANEL_OK;
}
static int32_t add_menu(const panel_host_t *h, const panel_menu_entry_t *m, char *e, size_t n)
{
    (void)h, (void)m, (void)e, (void)n;
    old.n_menus++;
    return PANEL_OK;
}
static int32_t add_field(const panel_host_t *h, const char *page, const panel_field_t *f, char *e, size_t n)
{
    (void)h, (void)page, (void)f, (void)e, (void)n;
    old.n_fields++;
    return PANEL_OK;
}
static int32_t add_table(const panel_host_t *h, const char *page, const panel_table_t *t, char *e, size_t n)
{
    (void)h, (void)page, (void)t, (void)e, (void)n;
    old.n_tables++;
    return PANEL_OK;
}
static int32_t add_action(const panel_host_t *h, const char *page, const panel_action_t *a, char *e, size_t n)
{
    (void)h, (void)page, (void)e, (void)n;
    assert_true(a->struct_size >= V10_ACTION);
    old_action_t *o = &old.actions[old.n_actions++];
    snprintf(o->id, sizeof o->id, "%s", a->id);
    o->run = a->run;
    return PANEL_OK;
}
static int32_t add_provider(const panel_host_t *h, const panel_auth_provider_t *p, char *e, size_t n)
{
    (void)h, (void)e, (void)n;
    old.authenticate = p->authenticate;
    return PANEL_OK;
}
static void host_log(const panel_host_t *h, int32_t level, const char *msg)
{
    (void)h, (void)level, (void)msg;
}
static const char *config_get(const panel_host_t *h, const char *key)
{
    (void)h, (void)key;
    return NULL;
}
static int64_t host_now(const panel_host_t *h)
{
    (void)h;
    return 1800000000;
}
static const void *get_extension(const panel_host_t *h, const char *id)
{
    (void)h, (void)id;
    return NULL; /* a 1.0 host offers no extension, in particular no scope catalogue */
}
static int32_t has_permission(const panel_caller_t *self, const char *permission)
{
    (void)self, (void)permission;
    return 1;
}

static const char *grace_value;
static const char *args_get(const panel_args_t *self, const char *id)
{
    (void)self;
    return strcmp(id, "grace") == 0 ? grace_value : NULL;
}

static const char *presented_key;
static const char *request_header(const panel_request_t *self, const char *name)
{
    (void)self;
    return strcasecmp(name, "X-API-Key") == 0 ? presented_key : NULL;
}

static panel_caller_t *old_caller(void)
{
    panel_caller_t *c = guarded(V10_CALLER);
    c->struct_size = V10_CALLER;
    c->user = "owner";
    c->role = "owner";
    c->origin = PANEL_ORIGIN_CLI;
    c->confirmed = 1;
    c->os_uid = 1000;
    c->has_permission = has_permission;
    return c;
}

/* Runs action `id` with 1.0-sized args and result; the secret (if any) lands in secret. */
static int32_t run_action(void *state, const char *id, const char *grace, char *message, char *secret)
{
    grace_value = grace;
    panel_args_t *args = guarded(V10_ARGS);
    args->struct_size = V10_ARGS;
    args->get = args_get;
    panel_result_t *result = guarded(V10_RESULT);
    result->struct_size = V10_RESULT;
    result->message = message;
    result->message_len = 1024;
    result->secret = secret;
    result->secret_len = PANEL_SECRET_MAX;
    message[0] = secret[0] = '\0';
    for (int i = 0; i < old.n_actions; i++)
        if (strcmp(old.actions[i].id, id) == 0)
            return old.actions[i].run(state, old_caller(), args, result);
    fail_msg("no action %s", id);
    return PANEL_E_NOT_FOUND;
}

static int32_t verify(void *state, const char *key, int *status)
{
    presented_key = key;
    panel_request_t *req = guarded(V10_REQUEST);
    req->struct_size = V10_REQUEST;
    req->method = "GET";
    req->path = "/api/v1/ping";
    req->client_addr = "127.0.0.1";
    req->header = request_header;
    static char principal[64], code[32], message[256];
    panel_auth_result_t *res = guarded(V10_AUTH_RESULT);
    res->struct_size = V10_AUTH_RESULT;
    res->principal = principal;
    res->principal_len = sizeof principal;
    res->error_code = code;
    res->error_code_len = sizeof code;
    res->message = message;
    res->message_len = sizeof message;
    int32_t verdict = old.authenticate(state, req, res);
    *status = res->http_status;
    return verdict;
}

static int32_t collect(const panel_sink_t *self, const char *const *cells, uint32_t n)
{
    (void)self, (void)cells, (void)n;
    return PANEL_OK;
}

static void apikeys_works_in_a_1_0_host(void **unused)
{
    (void)unused;
    memset(&old, 0, sizeof old);
    old.data_dir = support_tmpdir();
    assert_non_null(old.data_dir);
    void *dl = dlopen(support_fixture("../../plugins/apikeys"), RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        fail_msg("dlopen apikeys.so: %s", dlerror());
    const panel_plugin_entry_t *entry = dlsym(dl, PANEL_ENTRY_SYMBOL);
    assert_non_null(entry);
    assert_int_equal(entry->abi_major, 1);

    panel_host_t *host = guarded(V10_HOST);
    host->struct_size = V10_HOST;
    host->abi_major = 1;
    host->abi_minor = 0;
    host->data_dir = old.data_dir;
    host->log = host_log;
    host->config_get = config_get;
    host->now = host_now;
    host->add_page = add_page;
    host->add_menu_entry = add_menu;
    host->add_field = add_field;
    host->add_table = add_table;
    host->add_action = add_action;
    host->add_auth_provider = add_provider;
    host->get_extension = get_extension;

    void *state = NULL;
    char err[512] = "";
    if (entry->init(host, &state, err, sizeof err) != PANEL_OK)
        fail_msg("init in a 1.0 host: %s", err);
    assert_int_equal(old.n_pages, 1);
    assert_int_equal(old.n_menus, 1);
    assert_int_equal(old.n_fields, 4); /* api_status, api_key, allowed_ips, rate_limit */
    assert_int_equal(old.n_actions, 4);
    assert_non_null(old.authenticate);

    panel_sink_t *sink = guarded(V10_SINK);
    sink->struct_size = V10_SINK;
    sink->row = collect;
    assert_int_equal(old.status(state, old_caller(), sink, err, sizeof err), PANEL_OK);

    char message[1024], secret[PANEL_SECRET_MAX], key[PANEL_SECRET_MAX];
    assert_int_equal(run_action(state, "enable", NULL, message, secret), PANEL_OK);
    assert_true(strncmp(secret, "sak_", 4) == 0);
    snprintf(key, sizeof key, "%s", secret);
    int status = 0;
    assert_int_equal(verify(state, key, &status), PANEL_AUTH_ALLOW);
    assert_int_equal(run_action(state, "enable", NULL, message, secret), PANEL_OK);
    assert_non_null(strstr(message, "already enabled"));

    assert_int_equal(run_action(state, "reset", "1h", message, secret), PANEL_OK);
    assert_true(strncmp(secret, "sak_", 4) == 0);
    assert_int_equal(verify(state, key, &status), PANEL_AUTH_ALLOW); /* the old key, in its grace period */
    assert_int_equal(run_action(state, "end-grace", NULL, message, secret), PANEL_OK);
    assert_int_equal(verify(state, key, &status), PANEL_AUTH_DENY);
    assert_int_equal(run_action(state, "end-grace", NULL, message, secret), PANEL_E_STATE);
    assert_int_equal(run_action(state, "disable", NULL, message, secret), PANEL_OK);
    assert_int_equal(run_action(state, "disable", NULL, message, secret), PANEL_OK);
    assert_non_null(strstr(message, "already disabled"));

    entry->fini(state);
    dlclose(dl);
    support_rmtree(old.data_dir);
    free(old.data_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apikeys_works_in_a_1_0_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
