/* registry_kinds.c - the kinds of descriptor a plugin registers (pages, menu entries and auth providers with
 * host-wide ids; fields, tables and actions on a page): each kind's rule table and its hooks for what a rule
 * cannot say, the add_* members of the host table that register them, and freeing a plugin's registrations on
 * unload or failed init. The rules run in registry.c; action parameters are registry_params.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* ----- pages, menu entries, auth providers: host-wide ids ----- */

static void ***page_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->plugin->host->n_pages;
    return (void ***)&ctx->plugin->host->pages;
}

static void ***menu_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->plugin->host->n_menu;
    return (void ***)&ctx->plugin->host->menu;
}

static void ***provider_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->plugin->host->n_providers;
    return (void ***)&ctx->plugin->host->providers;
}

static void attach_page(const reg_ctx_t *ctx, void *rec)
{
    ((ph_page_rec_t *)rec)->owner = ctx->plugin;
}

static void attach_menu(const reg_ctx_t *ctx, void *rec)
{
    ((ph_menu_rec_t *)rec)->owner = ctx->plugin;
    ((ph_menu_rec_t *)rec)->seq = ctx->plugin->host->menu_seq++;
}

static void attach_provider(const reg_ctx_t *ctx, void *rec)
{
    ((ph_provider_rec_t *)rec)->owner = ctx->plugin;
}

static const rule_t page_rules[] = {
    RULE(panel_page_t, id, RULE_ID_PATH),
    RULE(panel_page_t, title, RULE_LABEL),
    RULE(panel_page_t, description, RULE_TEXT),
    RULE(panel_page_t, permission, RULE_PERMISSION),
};

/* since 1.3: reserved is the host's to define later; a plugin's non-zero value there means nothing today */
static int32_t check_page(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    (void)ctx;
    (void)why;
    (void)why_len;
    ((panel_page_t *)desc)->reserved = 0;
    return PANEL_OK;
}

static const kind_t page_kind = {
    .name = "page", .v10_size = PH_V10_PAGE, .desc_size = sizeof(panel_page_t),
    .rec_size = sizeof(ph_page_rec_t), .rules = page_rules, .n_rules = sizeof page_rules / sizeof page_rules[0],
    .conflict = "another page has this id; choose a unique one (e.g. prefix it with the plugin id)",
    .list = page_list, .attach = attach_page, .check = check_page,
};

static const rule_t menu_rules[] = {
    RULE(panel_menu_entry_t, id, RULE_ID_PATH),
    RULE(panel_menu_entry_t, path, RULE_MENU_PATH),
    RULE(panel_menu_entry_t, page_id, RULE_PAGE_REF),
    RULE(panel_menu_entry_t, permission, RULE_PERMISSION),
};

static const kind_t menu_kind = {
    .name = "menu entry", .v10_size = PH_V10_MENU, .desc_size = sizeof(panel_menu_entry_t),
    .rec_size = sizeof(ph_menu_rec_t), .rules = menu_rules, .n_rules = sizeof menu_rules / sizeof menu_rules[0],
    .conflict = "another menu entry has this id; choose a unique one", .list = menu_list, .attach = attach_menu,
};

static const rule_t provider_rules[] = {
    RULE(panel_auth_provider_t, id, RULE_ID_PATH),
    RULE(panel_auth_provider_t, description, RULE_TEXT),
    RULE(panel_auth_provider_t, authenticate, RULE_CALLBACK),
    /* since 1.3: report_leak, a nullable callback: nothing to check */
};

static const kind_t provider_kind = {
    .name = "auth provider", .v10_size = PH_V10_PROVIDER, .desc_size = sizeof(panel_auth_provider_t),
    .rec_size = sizeof(ph_provider_rec_t), .rules = provider_rules,
    .n_rules = sizeof provider_rules / sizeof provider_rules[0],
    .conflict = "another auth provider has this id; choose a unique one", .list = provider_list,
    .attach = attach_provider,
};

/* ----- fields ----- */

static void ***field_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->page->n_fields;
    return (void ***)&ctx->page->fields;
}

static int32_t check_field(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    (void)ctx;
    const panel_field_t *d = desc;
    if (d->type < PANEL_FIELD_TOGGLE || d->type > PANEL_FIELD_READONLY) {
        snprintf(why, why_len, "type %d is unknown; use PANEL_FIELD_TOGGLE, _TEXT, _SECRET or _READONLY",
                 (int)d->type);
        return PANEL_E_INVALID;
    }
    if (d->type == PANEL_FIELD_READONLY && d->set) {
        snprintf(why, why_len, "a read-only field must have set = NULL");
        return PANEL_E_INVALID;
    }
    if (d->type != PANEL_FIELD_READONLY && !d->set) {
        snprintf(why, why_len, "the set callback is NULL; give it one or make the field PANEL_FIELD_READONLY");
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

static const rule_t field_rules[] = {
    RULE(panel_field_t, id, RULE_ID),
    RULE(panel_field_t, label, RULE_LABEL),
    RULE(panel_field_t, help, RULE_TEXT),
    RULE(panel_field_t, flags, RULE_FLAGS),
    RULE(panel_field_t, confirm, RULE_CONFIRM),
    RULE(panel_field_t, get, RULE_CALLBACK),
};

static const kind_t field_kind = {
    .name = "field", .v10_size = PH_V10_FIELD, .desc_size = sizeof(panel_field_t),
    .rec_size = sizeof(panel_field_t), .rules = field_rules, .n_rules = sizeof field_rules / sizeof field_rules[0],
    .on_page = 1, .list = field_list, .check = check_field,
};

/* ----- tables ----- */

static void ***table_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->page->n_tables;
    return (void ***)&ctx->page->tables;
}

static void free_table_extra(void *desc)
{
    panel_table_t *t = desc;
    if (t->columns)
        for (uint32_t i = 0; i < t->n_columns; i++)
            free((void *)t->columns[i]);
    free((void *)t->columns);
    t->columns = NULL;
}

/* Since 1.3: a time series names its time column, optionally a group column, and at least one series column
 * (neither of the other two), all within the table; a plain table sets none of these. */
static int32_t check_time_series(const panel_table_t *d, char *why, size_t why_len)
{
    if (d->time_column == 0) {
        if (d->group_column || d->series_columns || d->series_flags || d->series_unit) {
            snprintf(why, why_len, "group_column, series_columns, series_flags and series_unit are for a time "
                                   "series; set time_column too, or set them all to 0 / NULL");
            return PANEL_E_INVALID;
        }
        return PANEL_OK;
    }
    if (d->time_column > d->n_columns || d->group_column > d->n_columns) {
        snprintf(why, why_len, "time_column %u or group_column %u is beyond the table's %u columns; each is 1 + the "
                 "index of a column (1: the first)", d->time_column, d->group_column, d->n_columns);
        return PANEL_E_INVALID;
    }
    if (d->group_column == d->time_column) {
        snprintf(why, why_len, "group_column is the time column; set it to another column or 0 (no groups)");
        return PANEL_E_INVALID;
    }
    uint32_t all = d->n_columns == 32 ? UINT32_MAX : (1u << d->n_columns) - 1u;
    uint32_t not_series = (1u << (d->time_column - 1u)) | (d->group_column ? 1u << (d->group_column - 1u) : 0u);
    if (d->series_columns == 0 || (d->series_columns & ~all) || (d->series_columns & not_series)) {
        snprintf(why, why_len, "series_columns 0x%x must name at least one of the table's %u columns (bit i for "
                 "column i), and neither the time nor the group column", d->series_columns, d->n_columns);
        return PANEL_E_INVALID;
    }
    if (d->series_flags & ~PANEL_SERIES_STACKED) {
        snprintf(why, why_len, "series_flags 0x%x has unknown bits; use 0 or PANEL_SERIES_STACKED",
                 d->series_flags);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

/* The column titles: 1..32 one-line texts, copied. */
static int32_t check_table(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    (void)ctx;
    panel_table_t *d = desc;
    if (d->n_columns < 1 || d->n_columns > 32) {
        snprintf(why, why_len, "n_columns is %u; a table has 1 to 32 columns", d->n_columns);
        return PANEL_E_INVALID;
    }
    if (!d->columns) {
        snprintf(why, why_len, "columns is NULL");
        return PANEL_E_INVALID;
    }
    if (d->row_id_column > d->n_columns) {
        snprintf(why, why_len,
                 "row_id_column is %u but the table has %u columns; set it to 1 + the index of the column holding "
                 "the record id (1: the first), or 0 when the rows are not records",
                 d->row_id_column, d->n_columns);
        return PANEL_E_INVALID;
    }
    d->reserved = 0;
    int32_t series_rc = check_time_series(d, why, why_len);
    if (series_rc != PANEL_OK)
        return series_rc;
    const char *problem;
    for (uint32_t i = 0; i < d->n_columns; i++)
        if ((problem = ph_reg_text_problem(d->columns[i], 1, 0))) {
            snprintf(why, why_len, "column %u title %s", i, problem);
            return PANEL_E_INVALID;
        }
    const char **columns = calloc(d->n_columns, sizeof *columns);
    int ok = columns != NULL;
    for (uint32_t i = 0; ok && i < d->n_columns; i++)
        ok = (columns[i] = ph_strdup(d->columns[i])) != NULL;
    d->columns = columns;
    if (!ok) {
        free_table_extra(d);
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    return PANEL_OK;
}

static const rule_t table_rules[] = {
    RULE(panel_table_t, id, RULE_ID),
    RULE(panel_table_t, title, RULE_LABEL),
    RULE(panel_table_t, read, RULE_CALLBACK),
    RULE(panel_table_t, series_unit, RULE_TEXT), /* since 1.3 */
    /* since 1.1: row_id_column, checked by check_table against n_columns; since 1.3 the time series */
};

static const kind_t table_kind = {
    .name = "table", .v10_size = PH_V10_TABLE, .desc_size = sizeof(panel_table_t),
    .rec_size = sizeof(panel_table_t), .rules = table_rules, .n_rules = sizeof table_rules / sizeof table_rules[0],
    .on_page = 1, .list = table_list, .check = check_table, .free_extra = free_table_extra,
};

/* ----- actions ----- */

static void ***action_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->page->n_actions;
    return (void ***)&ctx->page->actions;
}

static void free_action_extra(void *desc)
{
    panel_action_t *a = desc;
    if (a->params)
        for (uint32_t i = 0; i < a->n_params; i++)
            ph_reg_free_param((panel_param_t *)a->params[i]);
    free((void *)a->params);
    a->params = NULL;
}

/* Since 1.1: a row action names a table of its page, registered before, whose rows are records. */
static int32_t check_row_table(const reg_ctx_t *ctx, const panel_action_t *d, char *why, size_t why_len)
{
    if (!d->row_table)
        return PANEL_OK;
    const panel_table_t *table = NULL;
    for (size_t i = 0; i < ctx->page->n_tables; i++)
        if (strcmp(ctx->page->tables[i]->id, d->row_table) == 0)
            table = ctx->page->tables[i];
    if (!table) {
        snprintf(why, why_len,
                 "row_table '%.80s' is not a table of page '%s'; register the table (add_table) before its row "
                 "actions, or set row_table = NULL for a page action",
                 d->row_table, ctx->page->desc.id);
        return PANEL_E_NOT_FOUND;
    }
    if (table->row_id_column == 0) {
        snprintf(why, why_len,
                 "row_table '%s' does not name its row-id column; set the table's row_id_column so its rows are "
                 "records a row action can act on",
                 table->id);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

/* Since 1.3: a parameter that edits a column is a row action's, and names a column of its row table. */
static int32_t check_edits_column(const reg_ctx_t *ctx, const panel_action_t *d, const panel_param_t *param,
                                  char *why, size_t why_len)
{
    if (param->edits_column == 0)
        return PANEL_OK;
    const panel_table_t *table = NULL;
    for (size_t i = 0; d->row_table && i < ctx->page->n_tables; i++)
        if (strcmp(ctx->page->tables[i]->id, d->row_table) == 0)
            table = ctx->page->tables[i];
    if (!table) {
        snprintf(why, why_len, "'%s' sets edits_column but the action is a page action; only a row action's "
                 "parameter edits a column of its row table (set edits_column = 0)", param->id);
        return PANEL_E_INVALID;
    }
    if (param->edits_column > table->n_columns) {
        snprintf(why, why_len, "'%s' has edits_column %u but table '%s' has %u columns; set 1 + the index of the "
                 "column holding the parameter's current value", param->id, param->edits_column, table->id,
                 table->n_columns);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

/* The row table (since 1.1) and the parameters: 0..16, each validated and copied, ids unique within the
 * action. */
static int32_t check_action(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    panel_action_t *d = desc;
    int32_t row_rc = check_row_table(ctx, d, why, why_len);
    if (row_rc != PANEL_OK)
        return row_rc;
    if (d->n_params > 16) {
        snprintf(why, why_len, "n_params is %u; an action has at most 16 parameters", d->n_params);
        return PANEL_E_INVALID;
    }
    if (d->n_params > 0 && !d->params) {
        snprintf(why, why_len, "params is NULL but n_params is %u", d->n_params);
        return PANEL_E_INVALID;
    }
    const panel_param_t *const *plugin_params = d->params;
    d->params = NULL;
    if (d->n_params == 0)
        return PANEL_OK;
    panel_param_t **params = calloc(d->n_params, sizeof *params);
    if (!params) {
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    d->params = (const panel_param_t *const *)params;
    char param_why[450];
    for (uint32_t i = 0; i < d->n_params; i++) {
        int32_t rc = ph_reg_copy_param(plugin_params[i], &params[i], param_why, sizeof param_why);
        for (uint32_t k = 0; rc == PANEL_OK && k < i; k++)
            if (strcmp(params[k]->id, params[i]->id) == 0) {
                snprintf(param_why, sizeof param_why, "'%s' is declared twice", params[i]->id);
                rc = PANEL_E_CONFLICT;
            }
        if (rc == PANEL_OK)
            rc = check_edits_column(ctx, d, params[i], param_why, sizeof param_why);
        if (rc != PANEL_OK) {
            free_action_extra(d);
            snprintf(why, why_len, "parameter %u %s", i, param_why);
            return rc;
        }
    }
    return PANEL_OK;
}

static const rule_t action_rules[] = {
    RULE(panel_action_t, id, RULE_ID),
    RULE(panel_action_t, label, RULE_LABEL),
    RULE(panel_action_t, help, RULE_TEXT),
    RULE(panel_action_t, flags, RULE_FLAGS),
    RULE(panel_action_t, confirm, RULE_CONFIRM),
    RULE(panel_action_t, run, RULE_CALLBACK),
    RULE(panel_action_t, row_table, RULE_STRING), /* since 1.1; checked by check_action */
    /* since 1.1: available, a nullable callback: nothing to check */
};

static const kind_t action_kind = {
    .name = "action", .v10_size = PH_V10_ACTION, .desc_size = sizeof(panel_action_t),
    .rec_size = sizeof(panel_action_t), .rules = action_rules,
    .n_rules = sizeof action_rules / sizeof action_rules[0], .on_page = 1, .list = action_list,
    .check = check_action, .free_extra = free_action_extra,
};

_Static_assert(sizeof(panel_page_t) <= DESC_MAX && sizeof(panel_menu_entry_t) <= DESC_MAX &&
                   sizeof(panel_field_t) <= DESC_MAX && sizeof(panel_table_t) <= DESC_MAX &&
                   sizeof(panel_param_t) <= DESC_MAX && sizeof(panel_action_t) <= DESC_MAX &&
                   sizeof(panel_auth_provider_t) <= DESC_MAX,
               "DESC_MAX holds every descriptor");
_Static_assert(offsetof(ph_page_rec_t, desc) == 0 && offsetof(ph_menu_rec_t, desc) == 0 &&
                   offsetof(ph_provider_rec_t, desc) == 0,
               "a record starts with its descriptor");

/* ----- freeing host copies ----- */

static void free_page(ph_page_rec_t *p)
{
    for (size_t i = 0; i < p->n_fields; i++) {
        ph_reg_free_desc(&field_kind, p->fields[i]);
        free(p->fields[i]);
    }
    for (size_t i = 0; i < p->n_tables; i++) {
        ph_reg_free_desc(&table_kind, p->tables[i]);
        free(p->tables[i]);
    }
    for (size_t i = 0; i < p->n_actions; i++) {
        ph_reg_free_desc(&action_kind, p->actions[i]);
        free(p->actions[i]);
    }
    free(p->fields);
    free(p->tables);
    free(p->actions);
    ph_reg_free_desc(&page_kind, &p->desc);
    free(p);
}

static void free_menu(ph_menu_rec_t *m)
{
    ph_reg_free_desc(&menu_kind, &m->desc);
    free(m);
}

static void free_provider(ph_provider_rec_t *p)
{
    ph_reg_free_desc(&provider_kind, &p->desc);
    free(p);
}

/* ----- the add_* members of the host table ----- */

static int32_t add_page(const panel_host_t *table, const panel_page_t *page, char *err, size_t err_len)
{
    return ph_reg_register(&page_kind, table, NULL, page, err, err_len);
}

static int32_t add_menu_entry(const panel_host_t *table, const panel_menu_entry_t *entry, char *err,
                              size_t err_len)
{
    return ph_reg_register(&menu_kind, table, NULL, entry, err, err_len);
}

static int32_t add_field(const panel_host_t *table, const char *page_id, const panel_field_t *field, char *err,
                         size_t err_len)
{
    return ph_reg_register(&field_kind, table, page_id, field, err, err_len);
}

static int32_t add_table(const panel_host_t *host_table, const char *page_id, const panel_table_t *table,
                         char *err, size_t err_len)
{
    return ph_reg_register(&table_kind, host_table, page_id, table, err, err_len);
}

static int32_t add_action(const panel_host_t *table, const char *page_id, const panel_action_t *action,
                          char *err, size_t err_len)
{
    return ph_reg_register(&action_kind, table, page_id, action, err, err_len);
}

static int32_t add_auth_provider(const panel_host_t *table, const panel_auth_provider_t *provider, char *err,
                                 size_t err_len)
{
    return ph_reg_register(&provider_kind, table, NULL, provider, err, err_len);
}

/* ----- plugin lifecycle hooks ----- */

void ph_registry_bind_table(ph_plugin_t *plugin)
{
    plugin->table.add_page = add_page;
    plugin->table.add_menu_entry = add_menu_entry;
    plugin->table.add_field = add_field;
    plugin->table.add_table = add_table;
    plugin->table.add_action = add_action;
    plugin->table.add_auth_provider = add_auth_provider;
}

int32_t ph_registry_check_menu(panelhost_t *host, const ph_plugin_t *plugin, char *err, size_t err_len)
{
    for (size_t i = 0; i < host->n_menu; i++) {
        const ph_menu_rec_t *m = host->menu[i];
        if (m->owner != plugin)
            continue;
        const ph_page_rec_t *page = ph_registry_page(host, m->desc.page_id);
        if (!page || page->owner != plugin) {
            ph_errf(err, err_len,
                    "menu entry '%s' points at page '%s', which the plugin did not register during init; "
                    "register the page or fix page_id",
                    m->desc.id, m->desc.page_id);
            return PANEL_E_NOT_FOUND;
        }
    }
    return PANEL_OK;
}

void ph_registry_drop_plugin(panelhost_t *host, const ph_plugin_t *plugin)
{
    size_t kept = 0;
    for (size_t i = 0; i < host->n_pages; i++) {
        if (host->pages[i]->owner == plugin)
            free_page(host->pages[i]);
        else
            host->pages[kept++] = host->pages[i];
    }
    host->n_pages = kept;
    kept = 0;
    for (size_t i = 0; i < host->n_menu; i++) {
        if (host->menu[i]->owner == plugin)
            free_menu(host->menu[i]);
        else
            host->menu[kept++] = host->menu[i];
    }
    host->n_menu = kept;
    kept = 0;
    for (size_t i = 0; i < host->n_providers; i++) {
        if (host->providers[i]->owner == plugin)
            free_provider(host->providers[i]);
        else
            host->providers[kept++] = host->providers[i];
    }
    host->n_providers = kept;
    if (host->n_pages == 0) {
        free(host->pages);
        host->pages = NULL;
    }
    if (host->n_menu == 0) {
        free(host->menu);
        host->menu = NULL;
    }
    if (host->n_providers == 0) {
        free(host->providers);
        host->providers = NULL;
    }
}

void ph_registry_free_all(panelhost_t *host)
{
    for (size_t i = 0; i < host->n_pages; i++)
        free_page(host->pages[i]);
    for (size_t i = 0; i < host->n_menu; i++)
        free_menu(host->menu[i]);
    for (size_t i = 0; i < host->n_providers; i++)
        free_provider(host->providers[i]);
    free(host->pages);
    free(host->menu);
    free(host->providers);
    host->pages = NULL;
    host->menu = NULL;
    host->providers = NULL;
    host->n_pages = host->n_menu = host->n_providers = 0;
}

