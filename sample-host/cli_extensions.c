/* cli_extensions.c - the sample host's extension commands (see cli_extensions.h): listing the installed
 * extensions, enabling and disabling one (disabling refused without --yes, showing what stops working), and
 * reading the host audit log. The permission checks and the audit entries are libpanelhost's. */
#include "cli_extensions.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "rows.h"

#define DEFAULT_AUDIT_LIMIT 50

/* ----- extensions --------------------------------------------------------------------------------------- */

typedef struct listing {
    int json;
    json_writer_t w;
    row_list_t rows;
    row_list_t errors;          /* (id, load error) for the text output */
} listing_t;

static int32_t list_one(void *ctx, const panelhost_extension_info_t *info)
{
    listing_t *l = ctx;
    if (l->json) {
        json_begin_object(&l->w);
        json_member_string(&l->w, "id", info->id);
        json_member_string(&l->w, "name", info->name);
        json_member_string(&l->w, "version", info->version);
        json_member_string(&l->w, "file", info->file);
        json_member_bool(&l->w, "configured", info->configured);
        json_member_bool(&l->w, "enabled", info->enabled);
        json_member_bool(&l->w, "loaded", info->loaded);
        json_key(&l->w, "load_error");
        if (info->load_error[0])
            json_string(&l->w, info->load_error);
        else
            json_null(&l->w);
        json_end_object(&l->w);
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
    json_init(&l.w);
    rows_init(&l.rows);
    rows_init(&l.errors);
    json_begin_array(&l.w);
    char err[1024] = "";
    int32_t status = panelhost_extensions_list(ctx->host, &ctx->caller, list_one, &l, err, sizeof err);
    json_end_array(&l.w);
    int rc;
    if (status != PANEL_OK) {
        rc = cli_fail(ctx->inv, CLI_EXIT_REFUSED, cli_status_code(status), "cannot list the extensions: %s", err);
    } else if (l.json) {
        rc = cli_emit_json(ctx->inv, json_result(&l.w));
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
    json_free(&l.w);
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
        json_writer_t w;
        json_init(&w);
        json_begin_object(&w);
        json_member_bool(&w, "ok", 1);
        json_member_string(&w, "message", msg);
        json_member_string(&w, "id", id);
        json_member_bool(&w, "enabled", enable);
        json_end_object(&w);
        int rc = cli_emit_json(ctx->inv, json_result(&w));
        json_free(&w);
        return rc;
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
        json_writer_t w;
        json_init(&w);
        json_begin_array(&w);
        for (size_t r = 0; r < rows.n_rows; r++) {
            json_begin_object(&w);
            for (uint32_t c = 0; c < 7; c++)
                json_member_string(&w, keys[c], rows_cell(&rows.rows[r], c));
            json_end_object(&w);
        }
        json_end_array(&w);
        rc = cli_emit_json(ctx->inv, json_result(&w));
        json_free(&w);
    } else if (rows.n_rows == 0) {
        printf("the host audit log is empty\n");
    } else {
        text_print_table(header, 7, &rows, 0);
    }
    rows_free(&rows);
    return rc;
}
