/* cli_lookup.c - finds the page, field, table or action a command names, checking that the acting user may
 * open the page; when something does not exist the message lists what does. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The i-th id of a kind of item on a page, or NULL past the end. */
typedef const char *(*id_at_fn)(const panelhost_t *host, const char *page_id, size_t i);

static const char *field_id_at(const panelhost_t *host, const char *page_id, size_t i)
{
    const panel_field_t *f = panelhost_field_at(host, page_id, i);
    return f != NULL ? f->id : NULL;
}

static const char *table_id_at(const panelhost_t *host, const char *page_id, size_t i)
{
    const panel_table_t *t = panelhost_table_at(host, page_id, i);
    return t != NULL ? t->id : NULL;
}

static const char *action_id_at(const panelhost_t *host, const char *page_id, size_t i)
{
    const panel_action_t *a = panelhost_action_at(host, page_id, i);
    return a != NULL ? a->id : NULL;
}

/* Writes "a, b, c" (the ids id_at returns), or "none", into buf. */
static void list_ids(const panelhost_t *host, const char *page_id, id_at_fn id_at, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0;; i++) {
        const char *id = id_at(host, page_id, i);
        if (id == NULL)
            break;
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", id);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (buf[0] == '\0')
        snprintf(buf, len, "none");
}

int cli_require_page(cli_context_t *ctx, const char *page_id, const panel_page_t **out)
{
    const panel_page_t *page = panelhost_page(ctx->host, page_id);
    if (page == NULL)
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "not_found",
                        "no page '%s' is registered; `sample-host menu` lists the pages you may open", page_id);
    if (!ctx->caller.has_permission(&ctx->caller, page->permission)) {
        char detail[128], err[512] = "";
        snprintf(detail, sizeof detail, "needs permission %.64s", page->permission);
        if (panelhost_audit_append(ctx->host, &ctx->caller, "page.open", page_id, "denied", detail, err,
                                   sizeof err) != PANEL_OK)
            fprintf(stderr, "sample-host: warning: %s\n", err); /* the refusal stands either way */
        return cli_fail(ctx->inv, CLI_EXIT_REFUSED, "denied",
                        "user '%s' (role '%s') may not open page '%s': it needs permission '%s'; ask an "
                        "administrator to grant it to the role in the config",
                        ctx->caller.user, ctx->caller.role, page_id, page->permission);
    }
    *out = page;
    return CLI_EXIT_OK;
}

int cli_require_field(cli_context_t *ctx, const char *page_id, const char *field_id,
                      const panel_field_t **out)
{
    for (size_t i = 0;; i++) {
        const panel_field_t *f = panelhost_field_at(ctx->host, page_id, i);
        if (f == NULL)
            break;
        if (strcmp(f->id, field_id) == 0) {
            *out = f;
            return CLI_EXIT_OK;
        }
    }
    char ids[1024];
    list_ids(ctx->host, page_id, field_id_at, ids, sizeof ids);
    return cli_fail(ctx->inv, CLI_EXIT_USAGE, "not_found", "page '%s' has no field '%s'; its fields: %s",
                    page_id, field_id, ids);
}

int cli_require_table(cli_context_t *ctx, const char *page_id, const char *table_id,
                      const panel_table_t **out)
{
    for (size_t i = 0;; i++) {
        const panel_table_t *t = panelhost_table_at(ctx->host, page_id, i);
        if (t == NULL)
            break;
        if (strcmp(t->id, table_id) == 0) {
            *out = t;
            return CLI_EXIT_OK;
        }
    }
    char ids[1024];
    list_ids(ctx->host, page_id, table_id_at, ids, sizeof ids);
    return cli_fail(ctx->inv, CLI_EXIT_USAGE, "not_found", "page '%s' has no table '%s'; its tables: %s",
                    page_id, table_id, ids);
}

int cli_require_action(cli_context_t *ctx, const char *page_id, const char *action_id,
                       const panel_action_t **out)
{
    for (size_t i = 0;; i++) {
        const panel_action_t *a = panelhost_action_at(ctx->host, page_id, i);
        if (a == NULL)
            break;
        if (strcmp(a->id, action_id) == 0) {
            *out = a;
            return CLI_EXIT_OK;
        }
    }
    char ids[1024];
    list_ids(ctx->host, page_id, action_id_at, ids, sizeof ids);
    return cli_fail(ctx->inv, CLI_EXIT_USAGE, "not_found", "page '%s' has no action '%s'; its actions: %s",
                    page_id, action_id, ids);
}

const char *cli_field_type_name(int32_t type)
{
    switch (type) {
    case PANEL_FIELD_TOGGLE: return "toggle";
    case PANEL_FIELD_TEXT: return "text";
    case PANEL_FIELD_SECRET: return "secret";
    case PANEL_FIELD_READONLY: return "readonly";
    default: return "unknown";
    }
}
