/* admin_common.c - helpers shared by every admin callback: permission re-check, caller origin, refusal audit,
 * and the grace parameter both resets (the site key's, a named key's) take. */
#include <stdio.h>

#include "admin.h"

panel_param_t admin_grace_param(const apikeys_state_t *st)
{
    const panel_param_t grace = {
        .struct_size = sizeof(panel_param_t),
        .id = "grace",
        .label = "Grace period",
        .help = "how long the old key keeps working: 0 (stops at once), 1h, 24h or 7d",
        .type = PANEL_PARAM_ENUM,
        .choices = "0|1h|24h|7d",
        .default_value = st->config.default_grace,
        .choice_labels = "none: the old key stops at once|1 hour|24 hours|7 days", /* since 1.1 */
    };
    return grace;
}

int admin_caller_allowed(const panel_caller_t *caller)
{
    if (!caller || caller->struct_size < offsetof(panel_caller_t, has_permission) + sizeof(void *) ||
        !caller->has_permission)
        return 0;
    return caller->has_permission(caller, APIKEYS_PERMISSION) == 1;
}

const char *admin_caller_user(const panel_caller_t *caller)
{
    return caller && caller->user ? caller->user : "(unknown)";
}

void admin_caller_origin(const panel_caller_t *caller, char *out, size_t out_len)
{
    if (caller && caller->origin == PANEL_ORIGIN_WEB)
        snprintf(out, out_len, "web %s", caller->client_addr ? caller->client_addr : "(unknown address)");
    else if (caller && caller->origin == PANEL_ORIGIN_CLI)
        snprintf(out, out_len, "uid %lld", (long long)caller->os_uid);
    else
        snprintf(out, out_len, "unknown");
}

int32_t admin_refuse_permission(char *msg, size_t msg_len)
{
    snprintf(msg, msg_len, "your role lacks the permission %s needed for Settings > API Key", APIKEYS_PERMISSION);
    return PANEL_E_DENIED;
}

void admin_audit_refusal(apikeys_state_t *st, const panel_caller_t *caller, const char *action,
                         const char *outcome_prefix, const char *reason)
{
    char origin[96], outcome[512];
    admin_caller_origin(caller, origin, sizeof origin);
    snprintf(outcome, sizeof outcome, "%s: %s", outcome_prefix, reason);
    apikeys_audit_only(st, admin_caller_user(caller), origin, action, outcome, NULL);
}
