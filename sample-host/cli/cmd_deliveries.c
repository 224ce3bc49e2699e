/* cmd_deliveries.c - the `deliveries` command: lists the delivery queue (DATA_DIR/host-deliveries.db) or, as
 * `deliveries add USERNAME COMMAND`, queues one for the game servers that pull /api/v1/deliveries/pull. Needs
 * the permission deliveries.manage; a refusal goes to the host audit log. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "deliveries.h"
#include "json_doc.h"
#include "rows.h"

static void utc_time(int64_t t, char *out, size_t out_len)
{
    time_t when = (time_t)t;
    struct tm tm;
    if (t <= 0 || gmtime_r(&when, &tm) == NULL || strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, out_len, "-");
}

typedef struct list_ctx {
    json_t *json;               /* --json: the list (NULL once building it failed) */
    row_list_t *rows;           /* text */
    int json_wanted;
    int failed;
} list_ctx_t;

static int list_item(void *ctx, const delivery_t *item)
{
    list_ctx_t *list = ctx;
    char created[32], delivered[32], id[24];
    utc_time(item->created, created, sizeof created);
    utc_time(item->delivered, delivered, sizeof delivered);
    if (list->json_wanted) {
        list->json = json_doc_append(list->json, json_pack("{s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)item->id,
                                                           "username", json_doc_string(item->username),
                                                           "command", json_doc_string(item->command), "created",
                                                           json_doc_string(created), "delivered",
                                                           json_doc_string(item->delivered > 0 ? delivered
                                                                                               : NULL)));
        return 0;
    }
    snprintf(id, sizeof id, "%lld", (long long)item->id);
    const char *cells[] = {id, item->username, item->command, created, item->delivered > 0 ? delivered : "waiting"};
    if (rows_collect(list->rows, cells, 5) != PANEL_OK) {
        list->failed = 1;
        return 1;
    }
    return 0;
}

static int list_deliveries(cli_context_t *ctx, deliveries_t *d)
{
    const cli_invocation_t *inv = ctx->inv;
    char err[1024] = "";
    row_list_t rows;
    rows_init(&rows);
    list_ctx_t list = {inv->json ? json_array() : NULL, &rows, inv->json, 0};
    int rc = deliveries_list(d, 0, list_item, &list, err, sizeof err);
    if (rc == 0 && list.failed) {
        rc = -1;
        snprintf(err, sizeof err, "out of memory while listing the delivery queue");
    }
    int exit_status = CLI_EXIT_OK;
    if (rc != 0) {
        exit_status = cli_fail(inv, CLI_EXIT_REFUSED, "store", "%s", err);
    } else if (inv->json) {
        exit_status = cli_emit_json(inv, list.json);
        list.json = NULL;
    } else if (rows.n_rows == 0) {
        printf("The delivery queue is empty. Queue one with: sample-host deliveries add USERNAME COMMAND\n");
    } else {
        static const char *const header[] = {"ID", "USERNAME", "COMMAND", "QUEUED", "DELIVERED"};
        text_print_table(header, 5, &rows, 0);
    }
    json_decref(list.json);
    rows_free(&rows);
    return exit_status;
}

static int add_delivery(cli_context_t *ctx, deliveries_t *d)
{
    const cli_invocation_t *inv = ctx->inv;
    const char *username = inv->args[1], *command = inv->args[2];
    char err[1024] = "";
    if (deliveries_check_item(username, command, err, sizeof err) != 0)
        return cli_fail(inv, CLI_EXIT_USAGE, "usage", "%s", err);
    int64_t id = 0;
    if (deliveries_add(d, username, command, panelhost_now(ctx->host), &id, err, sizeof err) != 0)
        return cli_fail(inv, CLI_EXIT_REFUSED, "store", "%s", err);
    if (!inv->json) {
        printf("Queued delivery %lld for %s; game servers get it from POST /api/v1/deliveries/pull.\n",
               (long long)id, username);
        return CLI_EXIT_OK;
    }
    return cli_emit_json(inv, json_pack("{s:b,s:I,s:o,s:o}", "ok", 1, "id", (json_int_t)id, "username",
                                        json_doc_string(username), "command", json_doc_string(command)));
}

int cmd_deliveries(cli_context_t *ctx)
{
    const cli_invocation_t *inv = ctx->inv;
    int adding = inv->n_args > 0;
    if (adding && (strcmp(inv->args[0], "add") != 0 || inv->n_args != 3))
        return cli_fail(inv, CLI_EXIT_USAGE, "usage",
                        "usage: sample-host deliveries (lists the queue) or sample-host deliveries add USERNAME "
                        "COMMAND");
    if (!panelhost_role_allows(ctx->host, ctx->caller.role, DELIVERIES_PERMISSION)) {
        char err[512] = "";
        if (panelhost_audit_append(ctx->host, &ctx->caller, adding ? "deliveries.add" : "deliveries.list",
                                   DELIVERIES_FILE, "denied", "needs permission " DELIVERIES_PERMISSION, err,
                                   sizeof err) != PANEL_OK)
            fprintf(stderr, "sample-host: warning: %s\n", err); /* the refusal stands either way */
        return cli_fail(inv, CLI_EXIT_REFUSED, "denied",
                        "user '%s' (role '%s') may not %s the delivery queue: it needs permission '%s'; ask an "
                        "administrator to grant it to the role in the config",
                        ctx->caller.user, ctx->caller.role, adding ? "add to" : "list", DELIVERIES_PERMISSION);
    }
    char err[1024] = "";
    deliveries_t *d = NULL;
    if (deliveries_open(panelhost_data_dir(ctx->host), &d, err, sizeof err) != 0)
        return cli_fail(inv, CLI_EXIT_REFUSED, "store", "%s", err);
    int rc = adding ? add_delivery(ctx, d) : list_deliveries(ctx, d);
    deliveries_close(d);
    return rc;
}
