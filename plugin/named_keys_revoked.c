/* named_keys_revoked.c - revoked named keys on Settings > API Key: the filter field show_revoked (kept in the
 * store, so every process and node shows the same; off by default) under which the table "keys" lists the keys
 * revoked in the last 30 days after the live ones (named_keys_table.c), and the row actions' availability: none
 * of revoke, reset-key and edit applies to a revoked key's row, and the reason says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "time_format.h"

typedef struct option_ctx {
    char value[8];
} option_ctx_t;

static int32_t read_option(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    option_ctx_t *o = vctx;
    return store_get_option(&st->store, STORE_OPTION_SHOW_REVOKED, o->value, sizeof o->value, err, err_len);
}

int32_t admin_named_show_revoked(apikeys_state_t *st, int *show, char *err, size_t err_len)
{
    option_ctx_t o;
    int32_t rc = apikeys_read(st, read_option, &o, err, err_len);
    *show = rc == PANEL_OK && strcmp(o.value, "1") == 0;
    return rc;
}

int32_t admin_field_show_revoked_get(void *state, const panel_caller_t *caller, char *out, size_t out_len,
                                     char *err, size_t err_len)
{
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    int show = 0;
    int32_t rc = admin_named_show_revoked(state, &show, err, err_len);
    if (rc == PANEL_OK)
        snprintf(out, out_len, "%s", show ? "1" : "0");
    return rc;
}

int32_t admin_field_show_revoked_validate(void *state, const char *value, size_t value_len, char *err,
                                          size_t err_len)
{
    (void)state;
    if (value_len == 1 && (value[0] == '0' || value[0] == '1'))
        return PANEL_OK;
    snprintf(err, err_len, "Show revoked keys takes 1 (show them) or 0 (hide them)");
    return PANEL_E_INVALID;
}

typedef struct show_ctx {
    const panel_caller_t *caller;
    const char *value;
} show_ctx_t;

static int32_t save_show(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    show_ctx_t *c = vctx;
    char origin[80];
    admin_caller_origin(c->caller, origin, sizeof origin);
    int32_t rc = store_set_option(&st->store, STORE_OPTION_SHOW_REVOKED, c->value, msg, msg_len);
    if (rc == PANEL_OK)
        rc = store_audit(&st->store, apikeys_now(st), admin_caller_user(c->caller), origin, "show revoked keys",
                         c->value[0] == '1' ? "ok: on" : "ok: off", "", msg, msg_len);
    return rc;
}

int32_t admin_field_show_revoked_set(void *state, const panel_caller_t *caller, const char *value,
                                     size_t value_len, char *msg, size_t msg_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(msg, msg_len);
    int32_t rc = admin_field_show_revoked_validate(state, value, value_len, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    show_ctx_t c = {caller, value[0] == '1' ? "1" : "0"};
    rc = apikeys_write(st, save_show, &c, msg, msg_len, NULL, 0);
    if (rc == PANEL_OK)
        snprintf(msg, msg_len, "%s",
                 c.value[0] == '1' ? "Revoked keys are shown in the Keys table (for 30 days after their revocation)."
                                   : "Revoked keys are hidden from the Keys table.");
    return rc;
}

/* ----- the row actions' availability ------------------------------------------------------------------------ */

typedef struct row_ctx {
    int64_t id;
    int live, revoked;
    store_named_t key;
} row_ctx_t;

static int32_t note_revoked(void *vctx, const store_named_t *k)
{
    row_ctx_t *r = vctx;
    if (k->id == r->id) {
        r->revoked = 1;
        r->key = *k;
    }
    return PANEL_OK;
}

static int32_t read_row(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    row_ctx_t *r = vctx;
    int32_t rc = store_named_get(&st->store, r->id, &r->key, &r->live, err, err_len);
    if (rc == PANEL_OK && !r->live)
        rc = store_read_revoked_named(&st->store, 0, 0, UINT32_MAX, note_revoked, r, err, err_len);
    return rc;
}

int32_t admin_available_named_row(void *state, const panel_caller_t *caller, const char *record_id, char *reason,
                                  size_t reason_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(reason, reason_len);
    if (!record_id)
        return PANEL_OK; /* asked for the action as a whole: it applies to live keys */
    char *end = NULL;
    long long id = strtoll(record_id, &end, 10);
    if (!end || *end || id <= 0) {
        snprintf(reason, reason_len, "there is no named key %.40s; see the Keys table", record_id);
        return PANEL_E_NOT_FOUND;
    }
    row_ctx_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(reason, reason_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    r->id = id;
    int32_t rc = apikeys_read(st, read_row, r, reason, reason_len);
    if (rc == PANEL_OK && !r->live) {
        if (r->revoked) {
            char when[40];
            apikeys_format_time(r->key.revoked_at, when, sizeof when);
            snprintf(reason, reason_len,
                     "This key was revoked on %s%s: it cannot be used, reset or edited again. Create key makes a "
                     "new one.",
                     when, r->key.leaked ? " after it was reported as leaked" : "");
            rc = PANEL_E_STATE;
        } else {
            snprintf(reason, reason_len, "there is no named key %lld; see the Keys table", id);
            rc = PANEL_E_NOT_FOUND;
        }
    }
    free(r);
    return rc;
}
