/* cmd_view.c - the read-only commands of the sample host: plugins, menu, page and table, each rendered as
 * text or (--json) as one JSON document. Pages are rendered generically from the registry's descriptors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sparkline.h"
#include "json_doc.h"
#include "rows.h"

#define DEFAULT_TABLE_LIMIT 50

/* ----- plugins ----------------------------------------------------------------------------------------- */

int cmd_plugins(cli_context_t *ctx)
{
    size_t count = panelhost_plugin_count(ctx->host);
    json_t *list = json_array();
    if (!ctx->inv->json && count == 0)
        printf("no plugins loaded (add them to [host] plugins in the config, or use --plugin PATH)\n");
    for (size_t i = 0; i < count; i++) {
        panelhost_plugin_info_t info;
        if (panelhost_plugin_at(ctx->host, i, &info) != PANEL_OK)
            continue;
        char abi[32];
        snprintf(abi, sizeof abi, "%u.%u", (unsigned)info.abi_major, (unsigned)info.abi_minor);
        if (ctx->inv->json) {
            list = json_doc_append(
                list, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", json_doc_string(info.id), "name",
                                json_doc_string(info.name), "version", json_doc_string(info.version), "abi",
                                json_doc_string(abi), "description",
                                json_doc_string(info.description != NULL ? info.description : ""), "file",
                                json_doc_string(info.path)));
        } else {
            printf("%s  %s  version %s  ABI %s  %s\n", info.id, info.name, info.version, abi, info.path);
        }
    }
    if (!ctx->inv->json) {
        json_decref(list);
        return CLI_EXIT_OK;
    }
    return cli_emit_json(ctx->inv, list);
}

/* ----- menu -------------------------------------------------------------------------------------------- */

int cmd_menu(cli_context_t *ctx)
{
    size_t max = 64;
    const panel_menu_entry_t **entries = NULL;
    size_t total = 0;
    for (;;) {
        const panel_menu_entry_t **grown = realloc(entries, max * sizeof *entries);
        if (grown == NULL) {
            free(entries);
            return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "no_memory", "out of memory while reading the menu");
        }
        entries = grown;
        total = panelhost_menu(ctx->host, &ctx->caller, entries, max);
        if (total <= max)
            break;
        max = total;
    }
    int rc = CLI_EXIT_OK;
    if (ctx->inv->json) {
        json_t *list = json_array();
        for (size_t i = 0; i < total; i++)
            list = json_doc_append(list, json_pack("{s:o,s:o,s:o,s:I}", "id", json_doc_string(entries[i]->id),
                                                   "path", json_doc_string(entries[i]->path), "page",
                                                   json_doc_string(entries[i]->page_id), "order",
                                                   (json_int_t)entries[i]->order));
        rc = cli_emit_json(ctx->inv, list);
    } else if (total == 0) {
        printf("no menu entries for user '%s' (role '%s')\n", ctx->caller.user, ctx->caller.role);
    } else {
        for (size_t i = 0; i < total; i++)
            printf("%-40s page %s\n", entries[i]->path, entries[i]->page_id);
    }
    free(entries);
    return rc;
}

/* ----- page -------------------------------------------------------------------------------------------- */

typedef struct field_view {
    const panel_field_t *field;
    char value[PANEL_VALUE_MAX + 1];
    char error[512];
    int32_t status;
    int unavailable;            /* 1: the plugin says it cannot be set now (ABI 1.3), with reason */
    char reason[256];           /* that reason, or the plugin's note on an available field, or "" */
} field_view_t;

typedef struct table_view {
    const panel_table_t *table;
    row_list_t rows;
    char error[512];
    int32_t status;
} table_view_t;

/* Whether a page action makes sense now (ABI 1.1 availability); row actions are asked per record. */
typedef struct action_state {
    int unavailable;            /* 1: the plugin said no, with reason */
    char reason[256];
} action_state_t;

typedef struct page_view {
    const panel_page_t *page;
    row_list_t status_lines;
    char status_error[512];
    int32_t status_status;
    field_view_t *fields;
    size_t n_fields;
    const panel_action_t **actions;
    size_t n_actions;
    action_state_t *action_states;  /* per action: available now? (page actions only) */
    table_view_t *tables;
    size_t n_tables;
} page_view_t;

static void page_view_free(page_view_t *view)
{
    rows_free(&view->status_lines);
    free(view->fields);
    free(view->actions);
    free(view->action_states);
    for (size_t i = 0; i < view->n_tables; i++)
        rows_free(&view->tables[i].rows);
    free(view->tables);
}

static size_t count_items(const panelhost_t *host, const char *page_id, int kind)
{
    size_t n = 0;
    for (;; n++) {
        const void *item = kind == 0   ? (const void *)panelhost_field_at(host, page_id, n)
                           : kind == 1 ? (const void *)panelhost_table_at(host, page_id, n)
                                       : (const void *)panelhost_action_at(host, page_id, n);
        if (item == NULL)
            return n;
    }
}

/* Reads everything the page shows. Returns PANEL_OK, PANEL_E_NOMEM, or the first failure of a call into the
 * plugin (the view then still holds whatever could be read, with the error next to the part that failed). */
static int32_t page_view_load(cli_context_t *ctx, const char *page_id, page_view_t *view)
{
    int32_t first_failure = PANEL_OK;
    rows_init(&view->status_lines);
    view->status_status = panelhost_page_status(ctx->host, &ctx->caller, page_id, rows_collect,
                                                &view->status_lines, view->status_error,
                                                sizeof view->status_error);
    if (view->status_status != PANEL_OK)
        first_failure = view->status_status;

    view->n_fields = count_items(ctx->host, page_id, 0);
    view->n_tables = count_items(ctx->host, page_id, 1);
    view->n_actions = count_items(ctx->host, page_id, 2);
    view->fields = calloc(view->n_fields ? view->n_fields : 1, sizeof *view->fields);
    view->tables = calloc(view->n_tables ? view->n_tables : 1, sizeof *view->tables);
    view->actions = calloc(view->n_actions ? view->n_actions : 1, sizeof *view->actions);
    view->action_states = calloc(view->n_actions ? view->n_actions : 1, sizeof *view->action_states);
    if (view->fields == NULL || view->tables == NULL || view->actions == NULL || view->action_states == NULL)
        return PANEL_E_NOMEM;

    for (size_t i = 0; i < view->n_fields; i++) {
        field_view_t *fv = &view->fields[i];
        fv->field = panelhost_field_at(ctx->host, page_id, i);
        fv->status = panelhost_field_get(ctx->host, &ctx->caller, page_id, fv->field->id, fv->value,
                                         sizeof fv->value, fv->error, sizeof fv->error);
        if (fv->status != PANEL_OK && first_failure == PANEL_OK)
            first_failure = fv->status;
        if (fv->field->type != PANEL_FIELD_READONLY) {
            int32_t arc = panelhost_field_available(ctx->host, &ctx->caller, page_id, fv->field->id, fv->reason,
                                                    sizeof fv->reason);
            fv->unavailable = arc == PANEL_E_STATE;
            if (arc != PANEL_OK && arc != PANEL_E_STATE) /* could not tell: offered, without the error */
                fv->reason[0] = '\0';
        }
    }
    for (size_t i = 0; i < view->n_actions; i++) {
        view->actions[i] = panelhost_action_at(ctx->host, page_id, i);
        action_state_t *as = &view->action_states[i];
        if (view->actions[i]->row_table == NULL) { /* could not tell (another code): shown as available */
            int32_t arc = panelhost_action_available(ctx->host, &ctx->caller, page_id, view->actions[i]->id, NULL,
                                                     as->reason, sizeof as->reason);
            as->unavailable = arc == PANEL_E_STATE;
            if (arc != PANEL_OK && arc != PANEL_E_STATE)
                as->reason[0] = '\0';
        }
    }
    for (size_t i = 0; i < view->n_tables; i++) {
        table_view_t *tv = &view->tables[i];
        tv->table = panelhost_table_at(ctx->host, page_id, i);
        rows_init(&tv->rows);
        uint32_t limit = tv->table->page_rows ? tv->table->page_rows : 10;
        tv->status = panelhost_table_read(ctx->host, &ctx->caller, page_id, tv->table->id, 0, limit,
                                          rows_collect, &tv->rows, tv->error, sizeof tv->error);
        if (tv->status != PANEL_OK && first_failure == PANEL_OK)
            first_failure = tv->status;
    }
    return first_failure;
}

/* An enum's '|'-separated choices as a JSON array. */
static json_t *json_choices(const char *choices)
{
    json_t *list = json_array();
    while (choices != NULL && *choices) {
        size_t n = strcspn(choices, "|");
        list = json_doc_append(list, json_doc_stringn(choices, n));
        choices += n;
        if (*choices == '|')
            choices++;
    }
    return list;
}

static const char *param_type_name(int32_t type)
{
    return type == PANEL_PARAM_ENUM ? "enum" : type == PANEL_PARAM_LIST ? "list" : "text";
}

/* The labels of a parameter's choices as a JSON array (each its value when the plugin gave no labels). */
static json_t *json_choice_labels(const panel_param_t *param)
{
    json_t *list = json_array();
    char label[PANEL_TEXT_MAX + 1];
    for (size_t i = 0; panelhost_param_choice(param, i, NULL, 0, label, sizeof label) == PANEL_OK; i++)
        list = json_doc_append(list, json_doc_string(label));
    return list;
}

static json_t *json_param(const panel_param_t *param)
{
    json_t *o = json_pack("{s:o,s:o,s:o,s:s}", "id", json_doc_string(param->id), "label",
                          json_doc_string(param->label), "help", json_doc_string(param->help), "type",
                          param_type_name(param->type));
    if (param->type == PANEL_PARAM_ENUM || (param->type == PANEL_PARAM_LIST && param->choices != NULL)) {
        o = json_doc_set(o, "choices", json_choices(param->choices));
        o = json_doc_set(o, "choice_labels", json_choice_labels(param));
    }
    o = json_doc_set(o, "default", json_doc_string(param->default_value));
    return json_doc_set(o, "required", json_boolean(param->default_value == NULL));
}

static json_t *json_action(const panel_action_t *a, const action_state_t *as)
{
    json_t *o = json_pack("{s:o,s:o,s:o,s:b,s:o,s:o}", "id", json_doc_string(a->id), "label",
                          json_doc_string(a->label), "help", json_doc_string(a->help), "dangerous",
                          (a->flags & PANEL_FLAG_DANGEROUS) != 0, "confirm",
                          json_doc_string((a->flags & PANEL_FLAG_DANGEROUS) ? a->confirm : NULL), "row_table",
                          json_doc_string(a->row_table));
    if (a->row_table == NULL) {
        o = json_doc_set(o, "available", json_boolean(!as->unavailable));
        o = json_doc_set(o, "unavailable_reason", json_doc_string(as->unavailable ? as->reason : NULL));
        o = json_doc_set(o, "note", json_doc_string(!as->unavailable && as->reason[0] ? as->reason : NULL));
    }
    json_t *params = json_array();
    for (uint32_t p = 0; p < a->n_params; p++)
        params = json_doc_append(params, json_param(a->params[p]));
    return json_doc_set(o, "params", params);
}

static json_t *json_table_rows(const row_list_t *rows, uint32_t n_columns)
{
    json_t *list = json_array();
    for (size_t r = 0; r < rows->n_rows; r++) {
        json_t *row = json_array();
        for (uint32_t c = 0; c < n_columns; c++)
            row = json_doc_append(row, json_doc_string(rows_cell(&rows->rows[r], c)));
        list = json_doc_append(list, row);
    }
    return list;
}

static json_t *json_field(const field_view_t *fv)
{
    const panel_field_t *f = fv->field;
    json_t *o = json_pack("{s:o,s:o,s:s,s:o}", "id", json_doc_string(f->id), "label", json_doc_string(f->label),
                          "type", cli_field_type_name(f->type), "value",
                          json_doc_string(fv->status == PANEL_OK ? fv->value : NULL));
    if (fv->status != PANEL_OK)
        o = json_doc_set(o, "error", json_doc_string(fv->error));
    o = json_doc_set(o, "help", json_doc_string(f->help));
    o = json_doc_set(o, "dangerous", json_boolean((f->flags & PANEL_FLAG_DANGEROUS) != 0));
    o = json_doc_set(o, "available", json_boolean(!fv->unavailable));
    o = json_doc_set(o, "reason", json_doc_string(fv->reason[0] ? fv->reason : NULL));
    return json_doc_set(o, "confirm", json_doc_string((f->flags & PANEL_FLAG_DANGEROUS) ? f->confirm : NULL));
}

static json_t *json_table(const table_view_t *tv)
{
    const panel_table_t *t = tv->table;
    json_t *columns = json_array();
    for (uint32_t c = 0; c < t->n_columns; c++)
        columns = json_doc_append(columns, json_doc_string(t->columns[c]));
    const char *row_id = t->row_id_column > 0 && t->row_id_column <= t->n_columns
                             ? t->columns[t->row_id_column - 1]
                             : NULL;
    json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o}", "id", json_doc_string(t->id), "title",
                          json_doc_string(t->title), "columns", columns, "row_id_column", json_doc_string(row_id),
                          "rows", json_table_rows(&tv->rows, t->n_columns));
    if (tv->status != PANEL_OK)
        o = json_doc_set(o, "error", json_doc_string(tv->error));
    return o;
}

/* The page's number of summary status lines (ABI 1.3); 0: no details fold (also for a 1.2 plugin). */
static uint32_t summary_lines(const panel_page_t *page)
{
    return PANEL_HAS_FIELD(panel_page_t, page, status_summary_lines) ? page->status_summary_lines : 0;
}

static int page_emit_json(cli_context_t *ctx, const page_view_t *view)
{
    const panel_page_t *page = view->page;
    json_t *status = json_array();
    for (size_t r = 0; r < view->status_lines.n_rows; r++)
        status = json_doc_append(status, json_pack("{s:o,s:o}", "label",
                                                   json_doc_string(rows_cell(&view->status_lines.rows[r], 0)),
                                                   "value",
                                                   json_doc_string(rows_cell(&view->status_lines.rows[r], 1))));
    json_t *doc = json_pack("{s:o,s:o,s:o,s:o,s:o}", "id", json_doc_string(page->id), "title",
                            json_doc_string(page->title), "description", json_doc_string(page->description),
                            "permission", json_doc_string(page->permission), "status", status);
    doc = json_doc_set(doc, "summary_lines", json_integer((json_int_t)summary_lines(page)));
    if (view->status_status != PANEL_OK)
        doc = json_doc_set(doc, "status_error", json_doc_string(view->status_error));
    json_t *fields = json_array();
    for (size_t i = 0; i < view->n_fields; i++)
        fields = json_doc_append(fields, json_field(&view->fields[i]));
    doc = json_doc_set(doc, "fields", fields);
    json_t *actions = json_array();
    for (size_t i = 0; i < view->n_actions; i++)
        actions = json_doc_append(actions, json_action(view->actions[i], &view->action_states[i]));
    doc = json_doc_set(doc, "actions", actions);
    json_t *tables = json_array();
    for (size_t i = 0; i < view->n_tables; i++)
        tables = json_doc_append(tables, json_table(&view->tables[i]));
    doc = json_doc_set(doc, "tables", tables);
    return cli_emit_json(ctx->inv, doc);
}

/* Prints text with control characters other than newline shown as '?'. */
static void print_plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        putchar((*p < 0x20 && *p != '\n') || *p == 0x7F ? '?' : *p);
}

static void page_print_action(const panel_action_t *a, const action_state_t *as)
{
    printf("  %-14s ", a->id);
    print_plain(a->label);
    if (a->flags & PANEL_FLAG_DANGEROUS)
        printf("  [dangerous: needs --yes]");
    if (a->row_table != NULL)
        printf("  [row action of table %s: --record ID]", a->row_table);
    if (as->unavailable) {
        printf("  (not available now: ");
        print_plain(as->reason);
        printf(")");
    } else if (as->reason[0]) { /* the plugin's note on an available action */
        printf("  (");
        print_plain(as->reason);
        printf(")");
    }
    putchar('\n');
    if (a->help != NULL && a->help[0]) {
        printf("  %-14s ", "");
        print_plain(a->help);
        putchar('\n');
    }
    if (a->flags & PANEL_FLAG_DANGEROUS) {
        printf("  %-14s confirm: ", "");
        print_plain(a->confirm);
        putchar('\n');
    }
    for (uint32_t p = 0; p < a->n_params; p++) {
        const panel_param_t *param = a->params[p];
        const char *shape = param->type == PANEL_PARAM_ENUM ? param->choices
                            : param->type == PANEL_PARAM_LIST ? "ITEM,ITEM,..."
                                                              : "TEXT";
        printf("  %-14s --param %s=%s", "", param->id, shape);
        if (param->default_value != NULL && param->default_value[0] != '\0')
            printf(" (default %s)", param->default_value);
        else if (param->default_value != NULL)
            printf(" (default empty)");
        else
            printf(" (required)");
        printf("  ");
        print_plain(param->label);
        putchar('\n');
        char value[PANEL_VALUE_MAX + 1], label[PANEL_TEXT_MAX + 1];
        for (size_t i = 0; panelhost_param_choice(param, i, value, sizeof value, label, sizeof label) == PANEL_OK;
             i++) {
            if (i == 0)
                printf("  %-14s   %s:", "", param->type == PANEL_PARAM_LIST ? "items" : "choices");
            printf("%s %s", i == 0 ? "" : ";", value);
            if (strcmp(value, label) != 0) {
                printf(" = ");
                print_plain(label);
            }
        }
        if (param->type == PANEL_PARAM_ENUM || param->choices != NULL)
            putchar('\n');
    }
}

/* Under a table whose rows are records: its row actions, and for each shown record the ones that do not make
 * sense now, with the plugin's reason. */
static void page_print_row_actions(cli_context_t *ctx, const page_view_t *view, const table_view_t *tv)
{
    const panel_table_t *t = tv->table;
    if (t->row_id_column == 0 || t->row_id_column > t->n_columns)
        return;
    int any = 0;
    for (size_t i = 0; i < view->n_actions; i++) {
        const panel_action_t *a = view->actions[i];
        if (a->row_table == NULL || strcmp(a->row_table, t->id) != 0)
            continue;
        if (!any)
            printf("  Row actions (sample-host action %s ACTION --record %s):", view->page->id,
                   t->columns[t->row_id_column - 1]);
        printf(" %s", a->id);
        any = 1;
    }
    if (!any)
        return;
    putchar('\n');
    for (size_t r = 0; r < tv->rows.n_rows; r++) {
        const char *record = rows_cell(&tv->rows.rows[r], t->row_id_column - 1);
        for (size_t i = 0; i < view->n_actions; i++) {
            const panel_action_t *a = view->actions[i];
            if (a->row_table == NULL || strcmp(a->row_table, t->id) != 0)
                continue;
            char reason[256] = "";
            int32_t arc = panelhost_action_available(ctx->host, &ctx->caller, view->page->id, a->id, record,
                                                     reason, sizeof reason);
            if (arc == PANEL_E_STATE || (arc == PANEL_OK && reason[0])) {
                printf("  %s %s: %s", a->id, record, arc == PANEL_OK ? "note: " : "not available now: ");
                print_plain(reason);
                putchar('\n');
            }
        }
    }
}

static int page_print_text(cli_context_t *ctx, const page_view_t *view)
{
    const panel_page_t *page = view->page;
    print_plain(page->title);
    printf("  (page %s)\n", page->id);
    if (page->description != NULL && page->description[0]) {
        print_plain(page->description);
        putchar('\n');
    }
    if (view->status_lines.n_rows > 0 || view->status_status != PANEL_OK) {
        printf("\nStatus\n");
        size_t summary = summary_lines(page);
        if (summary == 0 || view->status_lines.n_rows <= summary) {
            text_print_table(NULL, 2, &view->status_lines, 2);
        } else { /* the owner's summary, then the details (counters, paths) under their own heading */
            row_list_t part = view->status_lines;
            part.n_rows = summary;
            text_print_table(NULL, 2, &part, 2);
            printf("  Details:\n");
            part.rows = view->status_lines.rows + summary;
            part.n_rows = view->status_lines.n_rows - summary;
            text_print_table(NULL, 2, &part, 4);
        }
        if (view->status_status != PANEL_OK)
            printf("  (status unavailable: %s)\n", view->status_error);
    }
    if (view->n_fields > 0) {
        printf("\nFields\n");
        for (size_t i = 0; i < view->n_fields; i++) {
            const field_view_t *fv = &view->fields[i];
            const panel_field_t *f = fv->field;
            printf("  %-14s ", f->id);
            print_plain(f->label);
            printf(": ");
            if (fv->status == PANEL_OK)
                print_plain(fv->value);
            else
                printf("(cannot read: %s)", fv->error);
            printf("  [%s%s]\n", cli_field_type_name(f->type),
                   (f->flags & PANEL_FLAG_DANGEROUS) ? ", dangerous: needs --yes" : "");
            if (fv->reason[0]) {
                printf("  %-14s %s", "", fv->unavailable ? "not available now: " : "note: ");
                print_plain(fv->reason);
                putchar('\n');
            }
            if (f->help != NULL && f->help[0]) {
                printf("  %-14s ", "");
                print_plain(f->help);
                putchar('\n');
            }
        }
    }
    if (view->n_actions > 0) {
        printf("\nActions\n");
        for (size_t i = 0; i < view->n_actions; i++)
            page_print_action(view->actions[i], &view->action_states[i]);
    }
    for (size_t i = 0; i < view->n_tables; i++) {
        const table_view_t *tv = &view->tables[i];
        printf("\n");
        print_plain(tv->table->title);
        printf(" (table %s, newest first; `sample-host table %s %s` for more)\n", tv->table->id,
               page->id, tv->table->id);
        cli_print_sparklines(ctx, page->id, tv->table); /* a time series (ABI 1.3): a line per series */
        if (tv->rows.n_rows == 0 && tv->status == PANEL_OK)
            printf("  (no rows)\n");
        else
            text_print_table(tv->table->columns, tv->table->n_columns, &tv->rows, 2);
        if (tv->status != PANEL_OK)
            printf("  (cannot read: %s)\n", tv->error);
        page_print_row_actions(ctx, view, tv);
    }
    return CLI_EXIT_OK;
}

int cmd_page(cli_context_t *ctx)
{
    const char *page_id = ctx->inv->args[0];
    page_view_t view;
    memset(&view, 0, sizeof view);
    int rc = cli_require_page(ctx, page_id, &view.page);
    if (rc != CLI_EXIT_OK)
        return rc;
    int32_t status = page_view_load(ctx, page_id, &view);
    if (status == PANEL_E_NOMEM || status == PANEL_E_DENIED) {
        rc = cli_fail(ctx->inv, CLI_EXIT_REFUSED, cli_status_code(status), "cannot show page '%s': %s",
                      page_id, status == PANEL_E_NOMEM ? "out of memory" : "permission denied");
        page_view_free(&view);
        return rc;
    }
    rc = ctx->inv->json ? page_emit_json(ctx, &view) : page_print_text(ctx, &view);
    if (status != PANEL_OK && rc == CLI_EXIT_OK) {
        fprintf(stderr, "sample-host: part of page '%s' could not be read (%s); see the errors shown\n",
                page_id, cli_status_code(status));
        rc = CLI_EXIT_REFUSED;
    }
    page_view_free(&view);
    return rc;
}

/* ----- table ------------------------------------------------------------------------------------------- */

/* A cell for --json: in a time series (ABI 1.3), a count (a column other than the time and the group, all digits)
 * is a JSON number, so a script reads numbers; every other cell is its text. */
static json_t *json_cell(const panel_table_t *table, uint32_t c, const char *text)
{
    if (table->time_column == 0 || c + 1 == table->time_column || c + 1 == table->group_column || !text ||
        !text[0] || strlen(text) > 18 || strspn(text, "0123456789") != strlen(text))
        return json_doc_string(text);
    return json_integer((json_int_t)strtoll(text, NULL, 10));
}

int cmd_table(cli_context_t *ctx)
{
    const char *page_id = ctx->inv->args[0];
    const char *table_id = ctx->inv->args[1];
    const panel_page_t *page = NULL;
    const panel_table_t *table = NULL;
    int rc = cli_require_page(ctx, page_id, &page);
    if (rc == CLI_EXIT_OK)
        rc = cli_require_table(ctx, page_id, table_id, &table);
    if (rc != CLI_EXIT_OK)
        return rc;

    uint32_t limit = ctx->inv->limit > 0 ? (uint32_t)ctx->inv->limit : DEFAULT_TABLE_LIMIT;
    row_list_t rows;
    rows_init(&rows);
    char err[512] = "";
    int32_t status = panelhost_table_read(ctx->host, &ctx->caller, page_id, table_id, 0, limit, rows_collect,
                                          &rows, err, sizeof err);
    if (status != PANEL_OK) {
        rows_free(&rows);
        return cli_fail(ctx->inv, cli_status_exit(status), cli_status_code(status),
                        "cannot read table '%s' of page '%s': %s", table_id, page_id, err);
    }
    if (ctx->inv->json) {
        json_t *list = json_array();
        for (size_t r = 0; r < rows.n_rows; r++) {
            json_t *row = json_object();
            for (uint32_t c = 0; c < table->n_columns; c++)
                row = json_doc_set(row, table->columns[c], json_cell(table, c, rows_cell(&rows.rows[r], c)));
            list = json_doc_append(list, row);
        }
        rc = cli_emit_json(ctx->inv, list);
    } else if (rows.n_rows == 0) {
        printf("(no rows)\n");
    } else {
        text_print_table(table->columns, table->n_columns, &rows, 0);
    }
    rows_free(&rows);
    return rc;
}
