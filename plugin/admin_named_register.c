/* admin_named_register.c - registering the named keys on Settings > API Key: the table "keys" with the page
 * action create-key, the row actions revoke, reset-key and edit (admin_named_keys.c runs them; each is unavailable
 * on a revoked key's row), and the filter field show_revoked (named_keys_revoked.c). */
#include <stdio.h>

#include "admin.h"

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
                                  .choices = st->scope_choices,
                                  .choice_labels = st->scope_labels[0] ? st->scope_labels : NULL};
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
                                      .default_value = "",
                                      .edits_column = 2};
    const panel_param_t edit_scopes = {.struct_size = sizeof(panel_param_t),
                                       .id = "scopes",
                                       .label = "Scopes",
                                       .help = "none chosen: keep the scopes",
                                       .type = PANEL_PARAM_LIST,
                                       .choices = st->scope_choices,
                                       .choice_labels = st->scope_labels[0] ? st->scope_labels : NULL,
                                       .default_value = "",
                                       .edits_column = 3};
    const panel_param_t edit_ips = {.struct_size = sizeof(panel_param_t),
                                    .id = "allowed_ips",
                                    .label = "Allowed IPs",
                                    .help = "any, or addresses and CIDRs separated by commas (at most 50); keep: "
                                            "unchanged",
                                    .type = PANEL_PARAM_TEXT,
                                    .default_value = "keep",
                                    .edits_column = 9};
    const panel_param_t edit_rate = {.struct_size = sizeof(panel_param_t),
                                     .id = "rate_limit",
                                     .label = "Rate limit (requests per minute)",
                                     .help = "a number, e.g. 60 or 60/min; none or 0: no limit; keep: unchanged",
                                     .type = PANEL_PARAM_TEXT,
                                     .default_value = "keep",
                                     .edits_column = 10};
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
         .confirm = APIKEYS_REVOKE_NAMED_CONFIRM,
         .run = admin_action_revoke_key,
         .row_table = "keys",
         .available = admin_available_named_row},
        {.struct_size = sizeof(panel_action_t),
         /* Not "reset": ABI 1.1 wants action ids unique within a page, and the page action reset (the site key)
          * has that id. */
         .id = "reset-key",
         .label = "Reset",
         .help = "Gives the key a new value and shows it once; with a grace period the old value keeps working "
                 "until it ends.",
         .flags = PANEL_FLAG_DANGEROUS,
         .confirm = APIKEYS_RESET_NAMED_CONFIRM,
         .params = reset_params,
         .n_params = 1,
         .run = admin_action_reset_key,
         .row_table = "keys",
         .available = admin_available_named_row},
        {.struct_size = sizeof(panel_action_t),
         .id = "edit",
         .label = "Edit",
         .help = "Changes the label, scopes, allowed IPs or rate limit; never the key.",
         .params = edit_params,
         .n_params = 4,
         .run = admin_action_edit_key,
         .row_table = "keys",
         .available = admin_available_named_row},
    };
    const panel_field_t show_revoked = {
        .struct_size = sizeof(panel_field_t),
        .id = "show_revoked",
        .label = "Show revoked keys",
        .help = "A revoked key stays in the Keys table for 30 days, marked revoked (and leaked when it was reported "
                "as leaked), after the live keys. 1: show them; 0: hide them.",
        .type = PANEL_FIELD_TOGGLE,
        .get = admin_field_show_revoked_get,
        .validate = admin_field_show_revoked_validate,
        .set = admin_field_show_revoked_set,
    };
    int32_t rc = host->add_table(host, APIKEYS_PAGE_ID, &table, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_field(host, APIKEYS_PAGE_ID, &show_revoked, err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < sizeof actions / sizeof actions[0]; i++)
        rc = host->add_action(host, APIKEYS_PAGE_ID, &actions[i], err, err_len);
    return rc;
}
