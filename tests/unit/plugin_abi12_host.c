/* plugin_abi12_host.c - apikeys.so (ABI 1.3) in a host of ABI 1.2: the built plugin is dlopened and driven by a
 * minimal host that hands it a 1.2 host table (abi_minor 2, no extensions) and every struct at its ABI 1.2 size,
 * each placed at the very end of a readable page followed by an inaccessible one, so any read or write past
 * what a 1.2 host gives crashes the test. The host keeps each table as a 1.2 host does (its first 56 bytes: no
 * time series), and reads it through a 1.2 sink. The seed flow must work: enable (a key shown once), the key
 * verifies, reset with a grace period, the old value still verifies (and its answer, which a 1.3 host would get
 * Deprecation and Sunset times in, writes nothing past the 96 bytes of a 1.2 auth result), end-grace,
 * disable. */
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

#include "panel/plugin.h"
#include "support_host_env.h"

/* The ABI 1.2 sizes (tests/fixtures/abi-1.2/panel/plugin.h's sizeof on LP64). */
#define V12_HOST 112u
#define V12_CALLER 64u
#define V12_SINK 24u
#define V12_ARGS 32u
#define V12_RESULT 56u
#define V12_REQUEST 56u
#define V12_AUTH_RESULT 96u
#define V12_TABLE 56u
#define V12_ACTION 88u
#define MAX_TABLES 8

_Static_assert(V12_AUTH_RESULT == offsetof(panel_auth_result_t, deprecation), "1.3 appended after the 1.2 result");
_Static_assert(V12_TABLE == offsetof(panel_table_t, time_column), "1.3 appended after the 1.2 table");

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
    old_action_t actions[16];
    panel_table_t *tables[MAX_TABLES];   /* each a 1.2-sized copy in a guarded page */
    int n_actions, n_pages, n_tables, n_menus, n_fields;
    int32_t (*authenticate)(void *, const panel_request_t *, panel_auth_result_t *);
    char *data_dir;
} old_host_t;

static old_host_t old;

static int32_t add_page(const panel_host_t *h, const panel_page_t *p, char *e, size_t n)
{
    (void)h, (void)p, (void)e, (void)n;
    old.n_pages++;
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
/* A 1.2 host copies the table's first min(struct_size, 56) bytes: whatever the plugin declared after them (a time
 * series) does not exist for it. */
static int32_t add_table(const panel_host_t *h, const char *page, const panel_table_t *t, char *e, size_t n)
{
    (void)h, (void)page, (void)e, (void)n;
    assert_true(t->struct_size >= V12_TABLE);
    assert_true(old.n_tables < MAX_TABLES);
    panel_table_t *copy = guarded(V12_TABLE);
    memcpy(copy, t, V12_TABLE);
    copy->struct_size = V12_TABLE;
    old.tables[old.n_tables++] = copy;
    return PANEL_OK;
}
static int32_t add_action(const panel_host_t *h, const char *page, const panel_action_t *a, char *e, size_t n)
{
    (void)h, (void)page, (void)e, (void)n;
    assert_true(a->struct_size >= V12_ACTION);
    assert_true(old.n_actions < 16);
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
    return NULL;
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
    panel_caller_t *c = guarded(V12_CALLER);
    c->struct_size = V12_CALLER;
    c->user = "owner";
    c->role = "owner";
    c->origin = PANEL_ORIGIN_CLI;
    c->confirmed = 1;
    c->os_uid = 1000;
    c->has_permission = has_permission;
    return c;
}

/* Runs page action `id` with 1.2-sized args and result. */
static int32_t run_action(void *state, const char *id, const char *grace, char *message, char *secret)
{
    static char record[PANEL_RECORD_ID_MAX + 1];
    grace_value = grace;
    panel_args_t *args = guarded(V12_ARGS);
    args->struct_size = V12_ARGS;
    args->get = args_get;
    panel_result_t *result = guarded(V12_RESULT);
    result->struct_size = V12_RESULT;
    result->message = message;
    result->message_len = 1024;
    result->secret = secret;
    result->secret_len = PANEL_SECRET_MAX;
    result->record = record;
    result->record_len = sizeof record;
    message[0] = secret[0] = record[0] = '\0';
    for (int i = 0; i < old.n_actions; i++)
        if (strcmp(old.actions[i].id, id) == 0)
            return old.actions[i].run(state, old_caller(), args, result);
    fail_msg("no action %s", id);
    return PANEL_E_NOT_FOUND;
}

/* Verifies `key` with a 1.2 request and a 1.2 auth result (96 bytes, ending at an inaccessible page). */
static int32_t verify(void *state, const char *key, char *principal_out)
{
    presented_key = key;
    panel_request_t *req = guarded(V12_REQUEST);
    req->struct_size = V12_REQUEST;
    req->method = "GET";
    req->path = "/api/v1/ping";
    req->client_addr = "127.0.0.1";
    req->header = request_header;
    req->scope = NULL;
    static char principal[PANEL_PRINCIPAL_MAX], code[PANEL_ERROR_CODE_MAX], message[PANEL_MESSAGE_MAX];
    static char scopes[PANEL_SCOPES_MAX], label[PANEL_LABEL_MAX];
    principal[0] = code[0] = message[0] = scopes[0] = label[0] = '\0';
    panel_auth_result_t *res = guarded(V12_AUTH_RESULT);
    res->struct_size = V12_AUTH_RESULT;
    res->principal = principal;
    res->principal_len = sizeof principal;
    res->error_code = code;
    res->error_code_len = sizeof code;
    res->message = message;
    res->message_len = sizeof message;
    res->scopes = scopes;
    res->scopes_len = sizeof scopes;
    res->label = label;
    res->label_len = sizeof label;
    int32_t verdict = old.authenticate(state, req, res);
    snprintf(principal_out, PANEL_PRINCIPAL_MAX, "%s", principal);
    return verdict;
}

typedef struct sink_count {
    uint32_t n_columns;
    int rows, bad_width;
} sink_count_t;

static int32_t count_row(const panel_sink_t *self, const char *const *cells, uint32_t n)
{
    sink_count_t *c = self->sink_ctx;
    (void)cells;
    c->rows++;
    if (n != c->n_columns)
        c->bad_width++;
    return PANEL_OK;
}

/* Every table the plugin registered reads through a 1.2 sink as a plain table of its columns. */
static void read_tables_as_plain(void *state)
{
    assert_true(old.n_tables > 0);
    for (int i = 0; i < old.n_tables; i++) {
        const panel_table_t *t = old.tables[i];
        assert_true(t->n_columns >= 1 && t->n_columns <= 32);
        sink_count_t count = {.n_columns = t->n_columns};
        panel_sink_t *sink = guarded(V12_SINK);
        sink->struct_size = V12_SINK;
        sink->sink_ctx = &count;
        sink->row = count_row;
        char err[PANEL_MESSAGE_MAX] = "";
        if (t->read(state, old_caller(), 0, 50, sink, err, sizeof err) != PANEL_OK)
            fail_msg("table %s in a 1.2 host: %s", t->id, err);
        assert_int_equal(count.bad_width, 0);
    }
}

static void apikeys_works_in_a_1_2_host(void **unused)
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
    assert_true(entry->abi_minor >= 3);

    panel_host_t *host = guarded(V12_HOST);
    host->struct_size = V12_HOST;
    host->abi_major = 1;
    host->abi_minor = 2;
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
        fail_msg("init in a 1.2 host: %s", err);
    assert_int_equal(old.n_pages, 1);
    assert_int_equal(old.n_menus, 1);
    assert_non_null(old.authenticate);
    read_tables_as_plain(state);

    char message[1024], secret[PANEL_SECRET_MAX], key[PANEL_SECRET_MAX], principal[PANEL_PRINCIPAL_MAX];
    assert_int_equal(run_action(state, "enable", NULL, message, secret), PANEL_OK);
    assert_true(strncmp(secret, "sak_", 4) == 0);
    snprintf(key, sizeof key, "%s", secret);
    assert_int_equal(verify(state, key, principal), PANEL_AUTH_ALLOW);
    assert_string_equal(principal, "apikeys:site");

    assert_int_equal(run_action(state, "reset", "1h", message, secret), PANEL_OK);
    assert_true(strncmp(secret, "sak_", 4) == 0);
    assert_string_not_equal(secret, key);
    /* the old value in its grace period: allowed, and nothing written past the 1.2 result (else SIGSEGV) */
    assert_int_equal(verify(state, key, principal), PANEL_AUTH_ALLOW);
    assert_int_equal(verify(state, secret, principal), PANEL_AUTH_ALLOW);
    read_tables_as_plain(state); /* after requests were counted, too */
    assert_int_equal(run_action(state, "end-grace", NULL, message, secret), PANEL_OK);
    assert_int_equal(verify(state, key, principal), PANEL_AUTH_DENY);
    assert_int_equal(run_action(state, "disable", NULL, message, secret), PANEL_OK);
    assert_int_equal(verify(state, key, principal), PANEL_AUTH_DENY);

    entry->fini(state);
    dlclose(dl);
    support_rmtree(old.data_dir);
    free(old.data_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apikeys_works_in_a_1_2_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
