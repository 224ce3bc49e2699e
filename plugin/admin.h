/* admin.h - the admin side of the plugin: the Settings > API Key page, its fields, actions, status lines
 * and audit table, registered with the host, and the helpers every admin callback shares. */
#ifndef APIKEYS_ADMIN_H
#define APIKEYS_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "panel/plugin.h"
#include "plugin_state.h"

#define APIKEYS_PAGE_ID "settings/api-key"
#define APIKEYS_PERMISSION "settings.api_key"
#define APIKEYS_RESET_CONFIRM                                                                                   \
    "Resetting the API key breaks every external tool that still uses the old key. Update connected "         \
    "integrations with the new key after the reset."
#define APIKEYS_REPLACE_CONFIRM                                                                                 \
    "Saving a pasted key replaces the current key at once: every external tool that still uses the old key "  \
    "stops working. Update connected integrations with the pasted key."

/* The confirmations of a named key's Revoke and Reset; the host shows the key's row (label, hint) beside them. */
#define APIKEYS_REVOKE_NAMED_CONFIRM                                                                            \
    "This key stops working at once: the tool that sends it gets 401 for every request (so does the key's "   \
    "previous value, if a reset kept it working for a while). Revoking cannot be undone; the tool will need "  \
    "a new key."
#define APIKEYS_RESET_NAMED_CONFIRM                                                                             \
    "Resetting gives this key a new value, shown once. The current value stops working at the end of the "    \
    "grace period chosen below (at once with none); until the tool gets the new value, its requests get 401."

/* Registers the menu entry, page, fields, table, actions and auth provider. [init-only] */
int32_t admin_register(apikeys_state_t *st, const panel_host_t *host, char *err, size_t err_len);

/* Fields. */
int32_t admin_field_status_get(void *state, const panel_caller_t *caller, char *out, size_t out_len, char *err,
                               size_t err_len);
int32_t admin_field_key_get(void *state, const panel_caller_t *caller, char *out, size_t out_len, char *err,
                            size_t err_len);
int32_t admin_field_key_validate(void *state, const char *value, size_t value_len, char *err, size_t err_len);
int32_t admin_field_key_set(void *state, const panel_caller_t *caller, const char *value, size_t value_len,
                            char *msg, size_t msg_len);

/* The site key's policy fields (admin_policy.c). */
int32_t admin_field_allowed_ips_get(void *state, const panel_caller_t *caller, char *out, size_t out_len,
                                    char *err, size_t err_len);
int32_t admin_field_allowed_ips_validate(void *state, const char *value, size_t value_len, char *err,
                                         size_t err_len);
int32_t admin_field_allowed_ips_set(void *state, const panel_caller_t *caller, const char *value,
                                    size_t value_len, char *msg, size_t msg_len);
int32_t admin_field_rate_limit_get(void *state, const panel_caller_t *caller, char *out, size_t out_len,
                                   char *err, size_t err_len);
int32_t admin_field_rate_limit_validate(void *state, const char *value, size_t value_len, char *err,
                                        size_t err_len);
int32_t admin_field_rate_limit_set(void *state, const panel_caller_t *caller, const char *value, size_t value_len,
                                   char *msg, size_t msg_len);

/* Actions. */
int32_t admin_action_enable(void *state, const panel_caller_t *caller, const panel_args_t *args,
                            panel_result_t *result);
int32_t admin_action_disable(void *state, const panel_caller_t *caller, const panel_args_t *args,
                             panel_result_t *result);
int32_t admin_action_reset(void *state, const panel_caller_t *caller, const panel_args_t *args,
                           panel_result_t *result);
int32_t admin_action_end_grace(void *state, const panel_caller_t *caller, const panel_args_t *args,
                               panel_result_t *result);

/* Named keys as the owner reads them (named_keys_table.c): the table "keys" (panel_table_t.read) and the
 * page's status lines: keys expiring within 7 days, keys unused for 90 days (nothing when there are none). */
int32_t admin_named_keys_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                              const panel_sink_t *sink, char *err, size_t err_len);
int32_t admin_named_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len);
/* Named keys' actions (admin_named_keys.c): registers the table "keys" with the page action create-key and the
 * row actions revoke, reset-key and edit when the host has a scope catalogue (a 1.1 host with
 * PANEL_EXT_API_SCOPES): a named key holds scopes of it; without one there is nothing to choose. [init-only] */
int32_t admin_named_register(apikeys_state_t *st, const panel_host_t *host, char *err, size_t err_len);
/* The named keys' actions (admin_named_keys.c). */
int32_t admin_action_create_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                                panel_result_t *result);
int32_t admin_action_revoke_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                                panel_result_t *result);
int32_t admin_action_reset_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                               panel_result_t *result);
int32_t admin_action_edit_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                              panel_result_t *result);
/* Revoked named keys (named_keys_revoked.c): the row actions' availability (PANEL_E_STATE with the reason on a
 * revoked key's row) and the filter field show_revoked ("1": the table "keys" lists keys revoked in the last 30
 * days after the live ones). admin_named_show_revoked reads that filter (0 when unset). */
int32_t admin_available_named_row(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                                  size_t reason_len);
int32_t admin_field_show_revoked_get(void *state, const panel_caller_t *caller, char *out, size_t out_len,
                                     char *err, size_t err_len);
int32_t admin_field_show_revoked_validate(void *state, const char *value, size_t value_len, char *err,
                                          size_t err_len);
int32_t admin_field_show_revoked_set(void *state, const panel_caller_t *caller, const char *value,
                                     size_t value_len, char *msg, size_t msg_len);
int32_t admin_named_show_revoked(apikeys_state_t *st, int *show, char *err, size_t err_len);

/* Availability of the actions (ABI 1.1 panel_action_t.available; admin_availability.c). */
int32_t admin_available_enable(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                               size_t reason_len);
int32_t admin_available_disable(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                                size_t reason_len);
int32_t admin_available_end_grace(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                                  size_t reason_len);
/* Whether pasting a value into the API key field makes sense now (ABI 1.3 panel_field_t.available). */
int32_t admin_available_key_field(void *state, const panel_caller_t *caller, char *reason, size_t reason_len);

/* The page's status line for a site key reported as leaked, until a new one is made (leak_report.c). */
int32_t admin_leak_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len);
/* The summary's words for that key ("revoked: reported as leaked on ..."), "" when no such report applies. */
int32_t admin_leak_line(apikeys_state_t *st, char *out, size_t out_len, char *err, size_t err_len);

/* Audit table. */
int32_t admin_audit_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                         const panel_sink_t *sink, char *err, size_t err_len);

/* The usage table (usage_table.c): requests per hour and key value, an ABI 1.3 time series. [init-only] */
int32_t admin_usage_register(const panel_host_t *host, char *err, size_t err_len);

/* Who still uses a key value (usage_status.c): the status lines of the site key's current and previous value
 * while a grace period runs, and End grace period's note: PANEL_OK with what ending it now breaks (or that no
 * request came in the last 60 minutes), PANEL_E_STATE without a grace period. */
int32_t admin_usage_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len);
int32_t admin_named_usage_status(apikeys_state_t *st, const panel_sink_t *sink, char *err, size_t err_len);
int32_t admin_end_grace_note(apikeys_state_t *st, char *note, size_t note_len);

/* Live nodes table (shared stores only). */
int32_t admin_nodes_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                         const panel_sink_t *sink, char *err, size_t err_len);

/* Shared helpers (admin_common.c). */
/* The parameter grace (0|1h|24h|7d, default [plugin:apikeys] default_grace) of reset and reset-key. */
panel_param_t admin_grace_param(const apikeys_state_t *st);
/* 1 when the caller holds settings.api_key (checked again in every callback, defence in depth). */
int admin_caller_allowed(const panel_caller_t *caller);
/* "uid 1000" or "web 127.0.0.1". */
void admin_caller_origin(const panel_caller_t *caller, char *out, size_t out_len);
const char *admin_caller_user(const panel_caller_t *caller);
/* Writes the standard permission refusal into msg and returns PANEL_E_DENIED. */
int32_t admin_refuse_permission(char *msg, size_t msg_len);
/* Audits a refused or failed admin operation (outcome "refused: ..." / "failed: ..."). */
void admin_audit_refusal(apikeys_state_t *st, const panel_caller_t *caller, const char *action,
                         const char *outcome_prefix, const char *reason);

#endif
