/* support_plugin_host.c - the fake host used by the API Keys plugin's unit tests (see the header). */
#include "support_plugin_host.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static fake_host_t *self_of(const panel_host_t *host)
{
    return (fake_host_t *)(void *)host;
}

static void fake_log(const panel_host_t *host, int32_t level, const char *msg)
{
    fake_host_t *fh = self_of(host);
    size_t used = strlen(fh->log);
    snprintf(fh->log + used, sizeof fh->log - used, "%d %s\n", level, msg);
}

static const char *fake_config_get(const panel_host_t *host, const char *key)
{
    fake_host_t *fh = self_of(host);
    for (int i = 0; i < fh->n_config; i++)
        if (strcmp(fh->config_keys[i], key) == 0)
            return fh->config_values[i];
    return NULL;
}

static int64_t fake_now(const panel_host_t *host)
{
    fake_host_t *fh = self_of(host);
    return fh->now ? fh->now : (int64_t)time(NULL);
}

static int32_t fake_add_page(const panel_host_t *host, const panel_page_t *page, char *err, size_t err_len)
{
    (void)err, (void)err_len;
    fake_host_t *fh = self_of(host);
    fh->page = *page;
    fh->n_pages++;
    return PANEL_OK;
}

static int32_t fake_add_menu(const panel_host_t *host, const panel_menu_entry_t *entry, char *err, size_t err_len)
{
    (void)err, (void)err_len;
    fake_host_t *fh = self_of(host);
    fh->menu = *entry;
    fh->n_menus++;
    return PANEL_OK;
}

static int32_t fake_add_field(const panel_host_t *host, const char *page_id, const panel_field_t *field, char *err,
                              size_t err_len)
{
    (void)page_id;
    fake_host_t *fh = self_of(host);
    if (fh->n_fields == FAKE_MAX) {
        snprintf(err, err_len, "too many fields");
        return PANEL_E_INVALID;
    }
    fh->fields[fh->n_fields++] = *field;
    return PANEL_OK;
}

static int32_t fake_add_table(const panel_host_t *host, const char *page_id, const panel_table_t *table, char *err,
                              size_t err_len)
{
    (void)page_id;
    fake_host_t *fh = self_of(host);
    if (fh->n_tables == FAKE_MAX) {
        snprintf(err, err_len, "too many tables");
        return PANEL_E_INVALID;
    }
    fh->tables[fh->n_tables++] = *table;
    return PANEL_OK;
}

static int32_t fake_add_action(const panel_host_t *host, const char *page_id, const panel_action_t *action,
                               char *err, size_t err_len)
{
    (void)page_id;
    fake_host_t *fh = self_of(host);
    if (fh->n_actions == FAKE_MAX) {
        snprintf(err, err_len, "too many actions");
        return PANEL_E_INVALID;
    }
    fh->action_param_default[fh->n_actions][0] = '\0';
    if (action->n_params > 0 && action->params[0]->default_value)
        snprintf(fh->action_param_default[fh->n_actions], 16, "%s", action->params[0]->default_value);
    fh->actions[fh->n_actions] = *action;
    fh->actions[fh->n_actions].params = NULL; /* pointed at the plugin's stack */
    fh->n_actions++;
    return PANEL_OK;
}

static int32_t fake_add_provider(const panel_host_t *host, const panel_auth_provider_t *provider, char *err,
                                 size_t err_len)
{
    (void)err, (void)err_len;
    fake_host_t *fh = self_of(host);
    fh->provider = *provider;
    fh->n_providers++;
    return PANEL_OK;
}

static const void *fake_get_extension(const panel_host_t *host, const char *id)
{
    (void)host, (void)id;
    return NULL;
}

void fake_host_init(fake_host_t *fh, const char *data_dir)
{
    memset(fh, 0, sizeof *fh);
    snprintf(fh->data_dir, sizeof fh->data_dir, "%s", data_dir);
    fh->table.struct_size = sizeof(panel_host_t);
    fh->table.abi_major = PANEL_ABI_MAJOR;
    fh->table.abi_minor = PANEL_ABI_MINOR;
    fh->table.data_dir = fh->data_dir;
    fh->table.log = fake_log;
    fh->table.config_get = fake_config_get;
    fh->table.now = fake_now;
    fh->table.add_page = fake_add_page;
    fh->table.add_menu_entry = fake_add_menu;
    fh->table.add_field = fake_add_field;
    fh->table.add_table = fake_add_table;
    fh->table.add_action = fake_add_action;
    fh->table.add_auth_provider = fake_add_provider;
    fh->table.get_extension = fake_get_extension;
}

void fake_host_config(fake_host_t *fh, const char *key, const char *value)
{
    if (fh->n_config < FAKE_MAX) {
        fh->config_keys[fh->n_config] = key;
        fh->config_values[fh->n_config] = value;
        fh->n_config++;
    }
}

int32_t fake_host_load(fake_host_t *fh, const panel_plugin_entry_t *entry, char *err, size_t err_len)
{
    fh->entry = entry;
    fh->state = NULL;
    fh->n_pages = fh->n_menus = fh->n_fields = fh->n_actions = fh->n_tables = fh->n_providers = 0;
    return entry->init(&fh->table, &fh->state, err, err_len);
}

void fake_host_unload(fake_host_t *fh)
{
    if (fh->entry && fh->state)
        fh->entry->fini(fh->state);
    fh->state = NULL;
}

const panel_field_t *fake_field(fake_host_t *fh, const char *id)
{
    for (int i = 0; i < fh->n_fields; i++)
        if (strcmp(fh->fields[i].id, id) == 0)
            return &fh->fields[i];
    return NULL;
}

const panel_action_t *fake_action(fake_host_t *fh, const char *id)
{
    for (int i = 0; i < fh->n_actions; i++)
        if (strcmp(fh->actions[i].id, id) == 0)
            return &fh->actions[i];
    return NULL;
}

static int fake_allowed_marker;

static int32_t caller_has(const panel_caller_t *self, const char *permission)
{
    return self->host_ctx != NULL && strcmp(permission, "settings.api_key") == 0;
}

panel_caller_t fake_caller(int allowed, int confirmed)
{
    panel_caller_t c = {
        .struct_size = sizeof(panel_caller_t),
        .user = allowed ? "admin" : "helpdesk",
        .role = allowed ? "owner" : "support",
        .origin = PANEL_ORIGIN_CLI,
        .confirmed = confirmed,
        .os_uid = 1000,
        .client_addr = NULL,
        .host_ctx = allowed ? (void *)&fake_allowed_marker : NULL,
        .has_permission = caller_has,
    };
    return c;
}

typedef struct fake_args {
    panel_args_t args;
    const char *grace;
} fake_args_t;

static const char *fake_args_get(const panel_args_t *self, const char *id)
{
    const fake_args_t *a = (const fake_args_t *)(const void *)self;
    return strcmp(id, "grace") == 0 ? a->grace : NULL;
}

int32_t fake_run(fake_host_t *fh, const char *id, const panel_caller_t *caller, const char *grace, char *msg,
                 char *secret)
{
    const panel_action_t *a = fake_action(fh, id);
    if (!a)
        return PANEL_E_NOT_FOUND;
    int index = (int)(a - fh->actions);
    fake_args_t args = {{sizeof(panel_args_t), NULL, fake_args_get, NULL}, NULL};
    if (a->n_params > 0)
        args.grace = grace ? grace : fh->action_param_default[index];
    msg[0] = secret[0] = '\0';
    panel_result_t result = {sizeof(panel_result_t), msg, 1024, secret, 256, NULL, 0};
    return a->run(fh->state, caller, &args.args, &result);
}

int32_t fake_set(fake_host_t *fh, const char *id, const panel_caller_t *caller, const char *value, size_t len,
                 char *msg, size_t msg_len)
{
    const panel_field_t *f = fake_field(fh, id);
    if (!f || !f->set)
        return PANEL_E_NOT_FOUND;
    msg[0] = '\0';
    return f->set(fh->state, caller, value, len, msg, msg_len);
}

int32_t fake_get(fake_host_t *fh, const char *id, const panel_caller_t *caller, char *out, size_t out_len)
{
    const panel_field_t *f = fake_field(fh, id);
    if (!f)
        return PANEL_E_NOT_FOUND;
    char err[512];
    out[0] = '\0';
    int32_t rc = f->get(fh->state, caller, out, out_len, err, sizeof err);
    if (rc != PANEL_OK)
        snprintf(out, out_len, "%s", err);
    return rc;
}

static const char *fake_header(const panel_request_t *self, const char *name)
{
    const fake_request_t *r = (const fake_request_t *)(const void *)self;
    if (strcasecmp(name, "X-API-Key") == 0)
        return r->x_api_key;
    if (strcasecmp(name, "Authorization") == 0)
        return r->authorization;
    if (strcasecmp(name, "User-Agent") == 0)
        return r->user_agent;
    return NULL;
}

void fake_request_init(fake_request_t *r, const char *addr, const char *x_api_key, const char *authorization,
                       const char *user_agent)
{
    *r = (fake_request_t){{sizeof(panel_request_t), "GET", "/api/v1/ping", addr, NULL, fake_header, NULL},
                          x_api_key, authorization, user_agent};
}

int32_t fake_auth(fake_host_t *fh, const char *x_api_key, const char *authorization, int32_t *status,
                  char code[32], char message[256])
{
    fake_request_t r;
    fake_request_init(&r, "127.0.0.1", x_api_key, authorization, NULL);
    char principal[64] = "";
    code[0] = message[0] = '\0';
    panel_auth_result_t res = {sizeof(panel_auth_result_t), 0, principal, 64, code, 32, message, 256, 0, NULL, 0, NULL, 0, 0, 0};
    int32_t verdict = fh->provider.authenticate(fh->state, &r.req, &res);
    *status = verdict == PANEL_AUTH_ALLOW ? 200 : res.http_status;
    if (verdict == PANEL_AUTH_ALLOW)
        snprintf(code, 32, "%s", principal);
    return verdict;
}

typedef struct text_sink {
    panel_sink_t sink;
    char *out;
    size_t out_len;
    const char *sep;
} text_sink_t;

static int32_t text_row(const panel_sink_t *self, const char *const *cells, uint32_t n)
{
    const text_sink_t *s = (const text_sink_t *)(const void *)self;
    for (uint32_t i = 0; i < n; i++) {
        size_t used = strlen(s->out);
        snprintf(s->out + used, s->out_len - used, "%s%s", cells[i], i + 1 < n ? s->sep : "\n");
    }
    return PANEL_OK;
}

int32_t fake_status(fake_host_t *fh, const panel_caller_t *caller, char *out, size_t out_len)
{
    out[0] = '\0';
    text_sink_t s = {{sizeof(panel_sink_t), NULL, text_row}, out, out_len, "="};
    char err[512];
    int32_t rc = fh->page.status(fh->state, caller, &s.sink, err, sizeof err);
    if (rc != PANEL_OK)
        snprintf(out, out_len, "%s", err);
    return rc;
}

int32_t fake_table(fake_host_t *fh, const char *id, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                   char *out, size_t out_len)
{
    out[0] = '\0';
    for (int i = 0; i < fh->n_tables; i++)
        if (strcmp(fh->tables[i].id, id) == 0) {
            text_sink_t s = {{sizeof(panel_sink_t), NULL, text_row}, out, out_len, "|"};
            char err[512];
            int32_t rc = fh->tables[i].read(fh->state, caller, offset, limit, &s.sink, err, sizeof err);
            if (rc != PANEL_OK)
                snprintf(out, out_len, "%s", err);
            return rc;
        }
    return PANEL_E_NOT_FOUND;
}
