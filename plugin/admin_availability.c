/* admin_availability.c - whether each page action makes sense now (ABI 1.1 panel_action_t.available): Enable
 * while enabled, Disable while disabled and End grace period without a grace key are not, with the reason; End
 * grace period during one is, with a note saying who used the previous key last (usage_status.c); and the API key
 * field (ABI 1.3 panel_field_t.available) only once the API is enabled.
 * Guidance for rendering only: running them anyway keeps each action's own answer (admin_actions.c). */
#include <stdio.h>

#include "admin.h"

static int32_t get_site(apikeys_state_t *st, void *site, char *err, size_t err_len)
{
    return store_get_site(&st->store, site, err, err_len);
}

/* The site's state in one store read, under the writer lock like the page's status lines. */
static int32_t read_site(void *state, const panel_caller_t *caller, store_site_t *site, char *reason,
                         size_t reason_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(reason, reason_len);
    return apikeys_read(st, get_site, site, reason, reason_len);
}

int32_t admin_available_enable(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                               size_t reason_len)
{
    (void)record_id;
    store_site_t site;
    int32_t rc = read_site(state, caller, &site, reason, reason_len);
    if (rc != PANEL_OK)
        return rc;
    if (site.enabled && site.has_current) {
        snprintf(reason, reason_len, "The API is already enabled (key %s).", site.current.hint);
        return PANEL_E_STATE;
    }
    return PANEL_OK;
}

int32_t admin_available_disable(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                                size_t reason_len)
{
    (void)record_id;
    store_site_t site;
    int32_t rc = read_site(state, caller, &site, reason, reason_len);
    if (rc != PANEL_OK)
        return rc;
    if (!site.enabled) {
        snprintf(reason, reason_len, "The API is already disabled.");
        return PANEL_E_STATE;
    }
    return PANEL_OK;
}

int32_t admin_available_end_grace(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                                  size_t reason_len)
{
    (void)record_id;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(reason, reason_len);
    /* available with a note: whether the previous key was used in the last hour, and by whom */
    return admin_end_grace_note(state, reason, reason_len);
}

/* The API key field (ABI 1.3 panel_field_t.available): pasting a value replaces the key of an enabled API. */
int32_t admin_available_key_field(void *state, const panel_caller_t *caller, char *reason, size_t reason_len)
{
    store_site_t site;
    int32_t rc = read_site(state, caller, &site, reason, reason_len);
    if (rc != PANEL_OK)
        return rc;
    if (!site.enabled) {
        snprintf(reason, reason_len, "Enable the API first: Enable API creates a key; paste a key here afterwards to "
                                     "replace it.");
        return PANEL_E_STATE;
    }
    return PANEL_OK;
}
