/* cmd_extensions.c - the sample host's extension commands (see cmd_extensions.h): listing the installed
 * extensions, enabling and disabling one (disabling refused without --yes, showing what stops working), and
 * reading the host audit log. The permission checks and the audit entries are libpanelhost's. */
#include "cmd_extensions.h"

#include <stdio.h>
#include <string.h>

#include "json_doc.h"
#include "rows.h"

#define DEFAULT_AUDIT_LIMIT 50

/* ----- extensions --------------------------------------------------------------------------------------- */

typedef struct listing {
    int json;
    json_t *list;               /* --json: the document (NULL once building it failed) */
    row_list_t rows;
    row_list_t errors;          /* (id, load error) for the text output */
} listing_t;

static int32_t list_one(void *ctx, const panelhost_extension_info_t *info)
{
    listing_t *l = ctx;
    if (l->json) {
        l->list = json_doc_append(
            l->list, json_pack("{s:o,s:o,s:o,s:o,s:b,s:b,s:b,s:o}", "id", json_doc_string(info->id), "name",
                               json_doc_string(info->name), "version", json_doc_string(info->version), "file",
                               json_doc_string(info->file), "configured", info->configured != 0, "enabled",
                               info->enabled != 0, "loaded", info->loaded != 0, "load_error",
                               json_doc_string(info->load_error[0] ? info->load_error : NULL)));
        return PANEL_OK;
    }
    const char *cells[] = {info->id, info->name[0] ? info->name : "?", info->version[0] ? info->version : "?",
                           info->enabled ? "yes" : "no", info->loaded ? "yes" : "no",
                           info->configured ? "config" : "plugin_dir", info->file};
    int32_t rc = rows_collect(&l->rows, cells, sizeof cells / sizeof cells[0]);
    if (rc == PANEL_OK && info->load_error[0]) {
        const char *error[] = {info->id, info->load_error};
        rc = rows_collect(&l->errors, error, 2);
    }
    return rc;
}

int cmd_extensions(cli_context_t *ctx)
{
    listing_t l;
    memset(&l, 0, sizeof l);
    l.json = ctx->inv->json;
    l.list = l.json ? json_array() : NULL;
    rows_init(&l.rows);
    rows_init(&l.errors);
    char err[1024] = "";
    int32_t status = panelhost_extensions_list(ctx->host, &ctx->caller, list_one, &l, err, sizeof err);
    int rc;
    if (status != PANEL_OK) {
        rc = cli_fail(ctx->inv, CLI_EXIT_REFUSED, cli_status_code(status), "cannot list the extensions: %s", err);
    } else if (l.json) {
        rc = cli_emit_json(ctx->inv, l.list);
        l.list = NULL;
    } else if (l.rows.n_rows == 0) {
        printf("no extensions installed (list plugins in [host] plugins, or put them in [host] plugin_dir)\n");
        rc = CLI_EXIT_OK;
    } else {
        static const char *const header[] = {"ID", "NAME", "VERSION", "ENABLED", "LOADED", "FROM", "FILE"};
        text_print_table(header, 7, &l.rows, 0);
        for (size_t i = 0; i < l.errors.n_rows; i++)
            printf("load error of %s: %s\n", rows_cell(&l.errors.rows[i], 0), rows_cell(&l.errors.rows[i], 1));
        rc = CLI_EXIT_OK;
    }
    json_decref(l.list);
    rows_free(&l.rows);
    rows_free(&l.errors);
    return rc;
}

/* ----- extension enable|disable ID ---------------------------------------------------------------------- */

int cmd_extension(cli_context_t *ctx)
{
    const char *verb = ctx->inv->args[0];
    const char *id = ctx->inv->args[1];
    int enable;
    if (strcmp(verb, "enable") == 0)
        enable = 1;
    else if (strcmp(verb, "disable") == 0)
        enable = 0;
    else
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "usage",
                        "extension wants 'enable' or 'disable', not '%s'; usage: sample-host extension "
                        "enable|disable ID [--yes]",
                        verb);
    if (enable && ctx->inv->yes)
        ctx->caller.confirmed = 1; /* harmless: enabling needs no confirmation */
    char msg[2048] = "";
    int32_t status = panelhost_extension_set_enabled(ctx->host, &ctx->caller, id, enable, msg, sizeof msg);
    if (status == PANEL_E_CONFIRM)
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "confirmation_required",
                        "disabling extension '%s' needs confirmation:\n  %s\nRun the command again with --yes to "
                        "confirm.",
                        id, msg);
    if (status != PANEL_OK)
        return cli_fail(ctx->inv, cli_status_exit(status), cli_status_code(status), "%s", msg);
    if (ctx->inv->json) {
        return cli_emit_json(ctx->inv, json_pack("{s:b,s:o,s:o,s:b}", "ok", 1, "message", json_doc_string(msg),
                                                 "id", json_doc_string(id), "enabled", enable));
    }
    printf("%s\n", msg);
    return CLI_EXIT_OK;
}

/* ----- host-audit ---------------------------------------------------------------------------------------- */

static int32_t collect_audit(void *ctx, const panelhost_audit_entry_t *e)
{
    const char *cells[] = {e->when, e->user, e->origin, e->action, e->target, e->outcome, e->detail};
    return rows_collect(ctx, cells, 7);
}

int cmd_host_audit(cli_context_t *ctx)
{
    row_list_t rows;
    rows_init(&rows);
    uint32_t limit = ctx->inv->limit > 0 ? (uint32_t)ctx->inv->limit : DEFAULT_AUDIT_LIMIT;
    char err[1024] = "";
    int32_t status = panelhost_audit_read(ctx->host, &ctx->caller, limit, collect_audit, &rows, err, sizeof err);
    if (status == PANEL_OK && rows.failed)
        status = PANEL_E_NOMEM;
    if (status != PANEL_OK) {
        rows_free(&rows);
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, cli_status_code(status), "cannot read the host audit log: %s",
                        err[0] ? err : "out of memory");
    }
    static const char *const header[] = {"WHEN", "USER", "ORIGIN", "ACTION", "EXTENSION", "OUTCOME", "DETAIL"};
    int rc = CLI_EXIT_OK;
    if (ctx->inv->json) {
        static const char *const keys[] = {"when", "user", "origin", "action", "target", "outcome", "detail"};
        json_t *list = json_array();
        for (size_t r = 0; r < rows.n_rows; r++) {
            json_t *entry = json_object();
            for (uint32_t c = 0; c < 7; c++)
                entry = json_doc_set(entry, keys[c], json_doc_string(rows_cell(&rows.rows[r], c)));
            list = json_doc_append(list, entry);
        }
        rc = cli_emit_json(ctx->inv, list);
    } else if (rows.n_rows == 0) {
        printf("the host audit log is empty\n");
    } else {
        text_print_table(header, 7, &rows, 0);
    }
    rows_free(&rows);
    return rc;
}
