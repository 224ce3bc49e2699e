/* cmd_change.c - the sample host's commands that change something: `set` (one field, the value from the
 * command line or read exactly from standard input) and `action` (with --param and --yes). Dangerous
 * operations are refused without --yes, showing the plugin's confirmation text. Values and revealed secrets
 * are wiped from memory after use; a revealed secret is shown once and never logged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "json_doc.h"

/* Refuses a dangerous operation the user has not confirmed, showing what they must accept. */
static int refuse_unconfirmed(cli_context_t *ctx, const char *what, const char *confirm)
{
    return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "confirmation_required",
                    "%s is dangerous and needs confirmation:\n  %s\nRun the command again with --yes to confirm.",
                    what, confirm != NULL ? confirm : "(no confirmation text)");
}

/* Reads standard input exactly as given into buf (at most max bytes). Returns the length, -1 on a read
 * error, -2 when the input is longer than max. */
static ssize_t read_stdin_bounded(char *buf, size_t max)
{
    size_t len = 0;
    for (;;) {
        char *dest = len < max ? buf + len : buf + max; /* one spare byte detects overflow */
        size_t room = len < max ? max - len : 1;
        ssize_t n = read(STDIN_FILENO, dest, room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return (ssize_t)len;
        if (len >= max)
            return -2;
        len += (size_t)n;
    }
}

/* ----- set --------------------------------------------------------------------------------------------- */

int cmd_set(cli_context_t *ctx)
{
    const char *page_id = ctx->inv->args[0];
    const char *field_id = ctx->inv->args[1];
    char *given = ctx->inv->args[2];
    const panel_page_t *page = NULL;
    const panel_field_t *field = NULL;
    int rc = cli_require_page(ctx, page_id, &page);
    if (rc == CLI_EXIT_OK)
        rc = cli_require_field(ctx, page_id, field_id, &field);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (field->type == PANEL_FIELD_READONLY)
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "invalid",
                        "field '%s' of page '%s' is read-only; the page's actions change it", field_id, page_id);

    /* One spare byte beyond the largest value: the NUL, or the sign that stdin was too long. */
    char *value = sodium_malloc(PANEL_VALUE_MAX + 1);
    if (value == NULL)
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
    size_t value_len;
    if (strcmp(given, "-") == 0) {
        if (isatty(STDIN_FILENO))
            fprintf(stderr, "sample-host: reading the value of '%s' from standard input, exactly as typed "
                            "(end it with Ctrl-D, not Enter, unless the value ends with a newline)\n", field_id);
        ssize_t n = read_stdin_bounded(value, PANEL_VALUE_MAX);
        if (n < 0) {
            sodium_free(value);
            if (n == -2)
                return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "invalid",
                                "the value on standard input is longer than %u bytes, the most a field takes",
                                (unsigned)PANEL_VALUE_MAX);
            return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "invalid", "cannot read the value from standard input: %s",
                            strerror(errno));
        }
        value_len = (size_t)n;
    } else {
        value_len = strlen(given);
        if (value_len > PANEL_VALUE_MAX) {
            sodium_free(value);
            return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "invalid",
                            "the value is longer than %u bytes, the most a field takes", (unsigned)PANEL_VALUE_MAX);
        }
        memcpy(value, given, value_len);
        if (field->type == PANEL_FIELD_SECRET)
            sodium_memzero(given, value_len); /* hide it from later reads of the process's command line */
    }
    value[value_len] = '\0';

    if ((field->flags & PANEL_FLAG_DANGEROUS) && !ctx->inv->yes) {
        sodium_free(value); /* sodium_free wipes */
        char what[256];
        snprintf(what, sizeof what, "setting field '%s' of page '%s'", field_id, page_id);
        return refuse_unconfirmed(ctx, what, field->confirm);
    }

    char msg[1024] = "";
    int32_t status = panelhost_field_set(ctx->host, &ctx->caller, page_id, field_id, value, value_len, msg,
                                         sizeof msg);
    sodium_free(value);
    if (status == PANEL_E_CONFIRM) {
        char what[256];
        snprintf(what, sizeof what, "setting field '%s' of page '%s'", field_id, page_id);
        return refuse_unconfirmed(ctx, what, msg[0] ? msg : field->confirm);
    }
    if (status != PANEL_OK)
        return cli_fail(ctx->inv, cli_status_exit(status), cli_status_code(status),
                        "field '%s' of page '%s' was not changed: %s", field_id, page_id,
                        msg[0] ? msg : cli_status_code(status));
    if (ctx->inv->json) {
        return cli_emit_json(ctx->inv, json_pack("{s:b,s:o,s:o,s:o}", "ok", 1, "message", json_doc_string(msg),
                                                 "page", json_doc_string(page_id), "field",
                                                 json_doc_string(field_id)));
    }
    printf("%s\n", msg[0] ? msg : "saved");
    return CLI_EXIT_OK;
}

/* ----- action ------------------------------------------------------------------------------------------ */

static const panel_param_t *find_param(const panel_action_t *action, const char *name, size_t name_len)
{
    for (uint32_t p = 0; p < action->n_params; p++)
        if (strlen(action->params[p]->id) == name_len && memcmp(action->params[p]->id, name, name_len) == 0)
            return action->params[p];
    return NULL;
}

static void describe_params(const panel_action_t *action, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t p = 0; p < action->n_params; p++) {
        const panel_param_t *param = action->params[p];
        int n = snprintf(buf + used, len - used, "%s%s (%s)", p ? ", " : "", param->id,
                         param->type == PANEL_PARAM_ENUM ? param->choices : "text");
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (buf[0] == '\0')
        snprintf(buf, len, "no parameters");
}

/* Shows the outcome of a successful action, with its one-time secret if any, written straight to stdout. */
static int show_action_result(cli_context_t *ctx, const char *message, const char *secret, const char *record)
{
    if (ctx->inv->json) {
        json_t *doc = json_pack("{s:b,s:o}", "ok", 1, "message", json_doc_string(message));
        if (secret[0])
            doc = json_doc_set(doc, "secret", json_doc_string(secret)); /* wiped when released */
        if (record[0]) /* the record the action created (ABI 1.1) */
            doc = json_doc_set(doc, "record", json_doc_string(record));
        return cli_emit_json(ctx->inv, doc);
    }
    printf("%s\n", message);
    if (record[0])
        printf("Record: %s\n", record);
    if (secret[0] == '\0')
        return CLI_EXIT_OK;
    static const char before[] = "\nNew secret (shown only this once; it will not be shown again, so store it "
                                 "now):\n\n    ";
    static const char after[] = "\n\n";
    int rc = CLI_EXIT_OK;
    if (cli_write_stdout(before, sizeof before - 1) != 0 || cli_write_stdout(secret, strlen(secret)) != 0 ||
        cli_write_stdout(after, sizeof after - 1) != 0) {
        fprintf(stderr, "sample-host: cannot write the new secret to standard output: %s\n", strerror(errno));
        rc = CLI_EXIT_REFUSED;
    }
    return rc;
}

int cmd_action(cli_context_t *ctx)
{
    const cli_invocation_t *inv = ctx->inv;
    const char *page_id = inv->args[0];
    const char *action_id = inv->args[1];
    const panel_page_t *page = NULL;
    const panel_action_t *action = NULL;
    int rc = cli_require_page(ctx, page_id, &page);
    if (rc == CLI_EXIT_OK)
        rc = cli_require_action(ctx, page_id, action_id, &action);
    if (rc != CLI_EXIT_OK)
        return rc;

    const char **names = calloc(inv->n_params + 1, sizeof *names);
    const char **values = calloc(inv->n_params + 1, sizeof *values);
    char **name_copies = calloc(inv->n_params + 1, sizeof *name_copies);
    if (names == NULL || values == NULL || name_copies == NULL) {
        free(names);
        free(values);
        free(name_copies);
        return cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
    }
    for (size_t i = 0; i < inv->n_params && rc == CLI_EXIT_OK; i++) {
        const char *eq = strchr(inv->params[i], '=');
        size_t name_len = (size_t)(eq - inv->params[i]);
        if (find_param(action, inv->params[i], name_len) == NULL) {
            char known[512];
            describe_params(action, known, sizeof known);
            rc = cli_fail(inv, CLI_EXIT_USAGE, "invalid", "action '%s' has no parameter '%.*s'; it takes: %s",
                          action_id, (int)name_len, inv->params[i], known);
            break;
        }
        name_copies[i] = strndup(inv->params[i], name_len);
        if (name_copies[i] == NULL)
            rc = cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
        names[i] = name_copies[i];
        values[i] = eq + 1;
    }

    if (rc == CLI_EXIT_OK && (action->flags & PANEL_FLAG_DANGEROUS) && !inv->yes) {
        char what[256];
        snprintf(what, sizeof what, "action '%s' of page '%s'", action_id, page_id);
        rc = refuse_unconfirmed(ctx, what, action->confirm);
    }

    if (rc == CLI_EXIT_OK) {
        char message[1024] = "";
        char record[PANEL_RECORD_ID_MAX + 1] = "";
        char *secret = sodium_malloc(PANEL_SECRET_MAX);
        if (secret == NULL) {
            rc = cli_fail(inv, CLI_EXIT_REFUSED, "no_memory", "out of memory");
        } else {
            memset(secret, 0, PANEL_SECRET_MAX);
            panel_result_t result = {
                .struct_size = sizeof(panel_result_t),
                .message = message,
                .message_len = sizeof message,
                .secret = secret,
                .secret_len = PANEL_SECRET_MAX,
                .record = record,
                .record_len = sizeof record,
            };
            int32_t status = panelhost_action_run_record(ctx->host, &ctx->caller, page_id, action_id, inv->record,
                                                         names, values, inv->n_params, &result);
            record[sizeof record - 1] = '\0';
            secret[PANEL_SECRET_MAX - 1] = '\0';
            message[sizeof message - 1] = '\0';
            if (status == PANEL_OK) {
                rc = show_action_result(ctx, message, secret, record);
            } else if (status == PANEL_E_CONFIRM) {
                char what[256];
                snprintf(what, sizeof what, "action '%s' of page '%s'", action_id, page_id);
                rc = refuse_unconfirmed(ctx, what, message[0] ? message : action->confirm);
            } else {
                rc = cli_fail(inv, cli_status_exit(status), cli_status_code(status), "action '%s' of page '%s' "
                              "failed: %s", action_id, page_id, message[0] ? message : cli_status_code(status));
            }
            sodium_free(secret); /* wipes the one-time secret */
        }
    }
    for (size_t i = 0; i < inv->n_params; i++)
        free(name_copies[i]);
    free(name_copies);
    free(names);
    free(values);
    return rc;
}
