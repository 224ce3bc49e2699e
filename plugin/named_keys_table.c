/* named_keys_table.c - the named keys on Settings > API Key: the table "keys" (one row per live named key, its
 * ID the record id the row actions act on; hints only, never a key), the status lines that warn of keys
 * expiring within 7 days and show keys unused for 90 days, and the registration of the table with the
 * create-key page action and the revoke, reset-key and edit row actions (admin_named_keys.c runs them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "time_format.h"

#define DAY 86400
#define EXPIRY_WARNING_DAYS 7
#define UNUSED_DAYS 90

static void time_or(int64_t t, const char *none, char *out, size_t out_len)
{
    if (t > 0)
        apikeys_format_time(t, out, out_len);
    else
        snprintf(out, out_len, "%s", none);
}

typedef struct table_ctx {
    const panel_sink_t *sink;
    int64_t now;
    uint64_t offset;
    uint32_t limit;
} table_ctx_t;

static int32_t key_row(void *vctx, const store_named_t *k)
{
    table_ctx_t *t = vctx;
    char id[24], created[40], expires[80], last[40], uses[24], rate[32], key[160];
    snprintf(id, sizeof id, "%lld", (long long)k->id);
    time_or(k->created_at, "unknown", created, sizeof created);
    if (k->expires_at > 0) {
        char when[40];
        apikeys_format_time(k->expires_at, when, sizeof when);
        snprintf(expires, sizeof expires, "%s%s", when, k->expires_at <= t->now ? " - expired" : "");
    } else {
        snprintf(expires, sizeof expires, "never");
    }
    time_or(k->last_used_at, "never", last, sizeof last);
    snprintf(uses, sizeof uses, "%lld", (long long)k->use_count);
    if (k->rate_limit)
        snprintf(rate, sizeof rate, "%lld/min", (long long)k->rate_limit);
    else
        snprintf(rate, sizeof rate, "none");
    if (k->has_grace) {
        char when[40];
        apikeys_format_time(k->grace_expires_at, when, sizeof when);
        snprintf(key, sizeof key, "%s (previous %s until %s)", k->hint, k->grace_hint, when);
    } else {
        snprintf(key, sizeof key, "%s", k->hint);
    }
    const char *cells[10] = {id,   k->label, k->scopes, key,
                             created, expires, last, uses, k->allowed_ips[0] ? k->allowed_ips : "any", rate};
    return t->sink->row(t->sink, cells, 10);
}

static int32_t read_table(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    table_ctx_t *t = vctx;
    return store_read_named(&st->store, t->offset, t->limit, key_row, t, err, err_len);
}

/* The table "keys": the live named keys, one row each. */
static int32_t admin_named_keys_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                                     const panel_sink_t *sink, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    table_ctx_t t = {sink, apikeys_now(st), offset, limit};
    return apikeys_read(st, read_table, &t, err, err_len);
}

/* ----- status lines --------------------------------------------------------------------------------------- */

typedef struct status_ctx {
    int64_t now;
    char expiring[1024], unused[1024];
    size_t expiring_len, unused_len;
} status_ctx_t;

static void append(char *buf, size_t cap, size_t *len, const char *item)
{
    if (*len >= cap - 1)
        return;
    int w = snprintf(buf + *len, cap - *len, "%s%s", *len ? "; " : "", item);
    *len = w < 0 || (size_t)w >= cap - *len ? cap - 1 : *len + (size_t)w;
}

static int32_t status_row(void *vctx, const store_named_t *k)
{
    status_ctx_t *s = vctx;
    char item[200], when[40];
    if (k->expires_at > 0 && k->expires_at <= s->now + EXPIRY_WARNING_DAYS * DAY) {
        apikeys_format_time(k->expires_at, when, sizeof when);
        snprintf(item, sizeof item, "\"%s\" (ID %lld) %s %s", k->label, (long long)k->id,
                 k->expires_at <= s->now ? "expired" : "expires", when);
        append(s->expiring, sizeof s->expiring, &s->expiring_len, item);
    }
    int64_t since = k->last_used_at > 0 ? k->last_used_at : k->created_at;
    if (since <= s->now - UNUSED_DAYS * DAY) {
        if (k->last_used_at > 0) {
            apikeys_format_time(k->last_used_at, when, sizeof when);
            snprintf(item, sizeof item, "\"%s\" (ID %lld) last used %s", k->label, (long long)k->id, when);
        } else {
            snprintf(item, sizeof item, "\"%s\" (ID %lld) never used", k->label, (long long)k->id);
        }
        append(s->unused, sizeof s->unused, &s->unused_len, item);
    }
    return PANEL_OK;
}

static int32_t read_status(apikeys_state_t *st, void *s, char *err, size_t err_len)
{
    return store_read_named(&st->store, 0, STORE_NAMED_MAX, status_row, s, err, err_len);
}

static int32_t emit(const panel_sink_t *sink, const char *label, const char *value)
{
    const char *cells[2] = {label, value};
    return sink->row(sink, cells, 2);
}

int32_t admin_named_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len)
{
    if (st->site_scopes_len == 0)
        return PANEL_OK;
    status_ctx_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_len, "out of memory while reading the named keys");
        return PANEL_E_NOMEM;
    }
    s->now = apikeys_now(st);
    int32_t rc = apikeys_read(st, read_status, s, err, err_len);
    if (rc == PANEL_OK && s->expiring_len)
        rc = emit(sink, "Keys expiring within 7 days", s->expiring);
    if (rc == PANEL_OK && s->unused_len)
        rc = emit(sink, "Keys unused for 90 days", s->unused);
    free(s);
    return rc;
}

/* ----- registration --------------------------------------------------------------------------------------- */

int32_t admin_named_register(apikeys_state_t *st, const panel_host_t *host, char *err, size_t err_len)
{
    if (st->site_scopes_len == 0)
        return PANEL_OK; /* a 1.0 host, or no scope catalogue: named keys would have nothing to hold */
    /* The scope choices as the host wants them ('|'-separated), kept for the life of the plugin. */
    for (size_t i = 0; i <= st->site_scopes_len; i++)
        st->scope_choices[i] = st->site_scopes[i] == ',' ? '|' : st->site_scopes[i];
    static const char *const columns[] = {"ID",      "Label",   "Scopes",    "Key", "Created",
                                          "Expires", "Last used", "Uses", "Allowed IPs", "Rate limit"};
    const panel_table_t table = {
        .struct_size = sizeof(panel_table_t),
        .id = "keys",
        .title = "Keys (one per tool, each with its own scopes and limits)",
        .columns = columns,
        .n_columns = 10,
        .page_rows = STORE_NAMED_MAX,
        .read = admin_named_keys_read,
        .row_id_column = 1,
    };
    const panel_param_t label = {.struct_size = sizeof(panel_param_t),
                                 .id = "label",
                                 .label = "Label",
                                 .help = "who uses the key, e.g. Minecraft server (1 to 40 characters)",
                                 .type = PANEL_PARAM_TEXT};
    const panel_param_t scopes = {.struct_size = sizeof(panel_param_t),
                                  .id = "scopes",
                                  .label = "Scopes",
                                  .help = "what the key may do: at least one",
                                  .type = PANEL_PARAM_LIST,
                                  .choices = st->scope_choices};
    const panel_param_t expires = {.struct_size = sizeof(panel_param_t),
                                   .id = "expires",
                                   .label = "Expires",
                                   .help = "after this the key gets 401 expired",
                                   .type = PANEL_PARAM_ENUM,
                                   .choices = "never|30d|90d|365d",
                                   .default_value = "never",
                                   .choice_labels = "never|in 30 days|in 90 days|in 365 days"};
    const panel_param_t allowed_ips = {.struct_size = sizeof(panel_param_t),
                                       .id = "allowed_ips",
                                       .label = "Allowed IPs",
                                       .help = "addresses or CIDRs that may use the key, e.g. 203.0.113.7, "
                                               "10.0.0.0/8 (at most 50); empty: any address",
                                       .type = PANEL_PARAM_LIST,
                                       .default_value = ""};
    const panel_param_t rate_limit = {.struct_size = sizeof(panel_param_t),
                                      .id = "rate_limit",
                                      .label = "Rate limit (requests per minute)",
                                      .help = "0: no limit",
                                      .type = PANEL_PARAM_TEXT,
                                      .default_value = "0"};
    const panel_param_t grace = admin_grace_param(st);
    const panel_param_t edit_label = {.struct_size = sizeof(panel_param_t),
                                      .id = "label",
                                      .label = "Label",
                                      .help = "empty: keep the label",
                                      .type = PANEL_PARAM_TEXT,
                                      .default_value = ""};
    const panel_param_t edit_scopes = {.struct_size = sizeof(panel_param_t),
                                       .id = "scopes",
                                       .label = "Scopes",
                                       .help = "none chosen: keep the scopes",
                                       .type = PANEL_PARAM_LIST,
                                       .choices = st->scope_choices,
                                       .default_value = ""};
    const panel_param_t edit_ips = {.struct_size = sizeof(panel_param_t),
                                    .id = "allowed_ips",
                                    .label = "Allowed IPs",
                                    .help = "keep, any, or addresses and CIDRs separated by commas (at most 50)",
                                    .type = PANEL_PARAM_TEXT,
                                    .default_value = "keep"};
    const panel_param_t edit_rate = {.struct_size = sizeof(panel_param_t),
                                     .id = "rate_limit",
                                     .label = "Rate limit (requests per minute)",
                                     .help = "keep, or a number (0: no limit)",
                                     .type = PANEL_PARAM_TEXT,
                                     .default_value = "keep"};
    const panel_param_t *const create_params[] = {&label, &scopes, &expires, &allowed_ips, &rate_limit};
    const panel_param_t *const reset_params[] = {&grace};
    const panel_param_t *const edit_params[] = {&edit_label, &edit_scopes, &edit_ips, &edit_rate};
    const panel_action_t actions[] = {
        {.struct_size = sizeof(panel_action_t),
         .id = "create-key",
         .label = "Create key",
         .help = "Creates a key for one tool with its own scopes, expiry, allowed IPs and rate limit, and shows "
                 "it once.",
         .params = create_params,
         .n_params = 5,
         .run = admin_action_create_key},
        {.struct_size = sizeof(panel_action_t),
         .id = "revoke",
         .label = "Revoke",
         .help = "Stops the key now (and its previous key, if one is in a grace period).",
         .flags = PANEL_FLAG_DANGEROUS,
         .confirm = APIKEYS_NAMED_CONFIRM,
         .run = admin_action_revoke_key,
         .row_table = "keys"},
        {.struct_size = sizeof(panel_action_t),
         /* Not "reset": ABI 1.1 wants action ids unique within a page, and the page action reset (the site key)
          * has that id. */
         .id = "reset-key",
         .label = "Reset",
         .help = "Gives the key a new value and shows it once; with a grace period the old value keeps working "
                 "until it ends.",
         .flags = PANEL_FLAG_DANGEROUS,
         .confirm = APIKEYS_NAMED_CONFIRM,
         .params = reset_params,
         .n_params = 1,
         .run = admin_action_reset_key,
         .row_table = "keys"},
        {.struct_size = sizeof(panel_action_t),
         .id = "edit",
         .label = "Edit",
         .help = "Changes the label, scopes, allowed IPs or rate limit; never the key.",
         .params = edit_params,
         .n_params = 4,
         .run = admin_action_edit_key,
         .row_table = "keys"},
    };
    int32_t rc = host->add_table(host, APIKEYS_PAGE_ID, &table, err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < sizeof actions / sizeof actions[0]; i++)
        rc = host->add_action(host, APIKEYS_PAGE_ID, &actions[i], err, err_len);
    return rc;
}
