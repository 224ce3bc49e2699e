/* admin_actions.c - the page actions enable, disable, reset and end-grace. Each re-checks the permission,
 * runs as one store transaction inside the writer window together with its audit row, and reveals a new
 * key only after that transaction committed (then the plaintext is wiped from our buffers). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "key_format.h"
#include "plugin_config.h"
#include "time_format.h"

typedef struct action_ctx {
    const panel_caller_t *caller;
    char origin[96];
    char *key;               /* st->new_key: a newly generated key, until it is handed to the host */
    char message[1024];
    char report[768];        /* how the store made every node see the change ("" on one machine) */
    int64_t grace_seconds;
    const char *grace_text;
} action_ctx_t;

static void ctx_init(action_ctx_t *c, apikeys_state_t *st, const panel_caller_t *caller)
{
    memset(c, 0, sizeof *c);
    c->key = st->new_key;
    c->key[0] = '\0';
    c->caller = caller;
    admin_caller_origin(caller, c->origin, sizeof c->origin);
}

static int32_t audit_ok(apikeys_state_t *st, action_ctx_t *c, const char *action, const char *outcome,
                        const char *hint, char *msg, size_t msg_len)
{
    return store_audit(&st->store, apikeys_now(st), admin_caller_user(c->caller), c->origin, action, outcome, hint,
                       msg, msg_len);
}

/* Generates a key into c->key, stores it as the current key; hint written into hint[KEY_HINT_BUF]. */
static int32_t create_current_key(apikeys_state_t *st, action_ctx_t *c, char *hint, char *msg, size_t msg_len)
{
    const apikeys_config_t *cfg = &st->config;
    if (key_generate(cfg->key_prefix, cfg->prefix_len, c->key, APIKEYS_NEW_KEY_MAX) != 0) {
        snprintf(msg, msg_len, "could not generate a key");
        return PANEL_E_INTERNAL;
    }
    size_t len = key_length(cfg->prefix_len);
    uint8_t digest[KEY_DIGEST_LEN];
    key_digest(st->secret, c->key, len, digest);
    key_hint(cfg->key_prefix, cfg->prefix_len, c->key, len, hint, KEY_HINT_BUF);
    return store_put_current(&st->store, digest, key_locator(st->locator_key, c->key, len), hint, apikeys_now(st),
                             NULL, msg, msg_len);
}

/* Hands a new key to the host (after commit) and wipes our copy. */
static void reveal_key(action_ctx_t *c, panel_result_t *result)
{
    if (c->key[0] && result->secret && result->secret_len > strlen(c->key))
        snprintf(result->secret, result->secret_len, "%s", c->key);
    sodium_memzero(c->key, APIKEYS_NEW_KEY_MAX);
}

static void set_message(panel_result_t *result, const char *text)
{
    if (result && result->message && result->message_len)
        snprintf(result->message, result->message_len, "%s", text);
}

/* Common tail: on failure audits the refusal and reports; on success reveals the key and the message. */
static int32_t finish(apikeys_state_t *st, action_ctx_t *c, const char *action, int32_t rc, const char *why,
                      panel_result_t *result)
{
    if (rc == PANEL_OK) {
        reveal_key(c, result);
        if (c->report[0]) {
            size_t n = strlen(c->message);
            snprintf(c->message + n, sizeof c->message - n, " %s", c->report);
        }
        set_message(result, c->message);
        return PANEL_OK;
    }
    sodium_memzero(c->key, APIKEYS_NEW_KEY_MAX);
    admin_audit_refusal(st, c->caller, action, rc == PANEL_E_STORE || rc == PANEL_E_INTERNAL ? "failed" : "refused",
                        why);
    set_message(result, why);
    return rc;
}

static int32_t refuse_early(apikeys_state_t *st, const panel_caller_t *caller, const char *action, int32_t rc,
                            const char *why, panel_result_t *result)
{
    admin_audit_refusal(st, caller, action, "refused", why);
    set_message(result, why);
    return rc;
}

/* Runs an action without parameters: permission check (refusal audited), then `tx` in one write transaction. */
static int32_t run_simple(void *state, const panel_caller_t *caller, const char *action,
                          int32_t (*tx)(apikeys_state_t *, void *, char *, size_t), panel_result_t *result)
{
    apikeys_state_t *st = state;
    char why[512];
    if (!admin_caller_allowed(caller)) {
        int32_t rc = admin_refuse_permission(why, sizeof why);
        return refuse_early(st, caller, action, rc, why, result);
    }
    action_ctx_t c;
    ctx_init(&c, st, caller);
    int32_t rc = apikeys_write(st, tx, &c, why, sizeof why, c.report, sizeof c.report);
    return finish(st, &c, action, rc, why, result);
}

/* ----- enable ------------------------------------------------------------------------------------------- */

static int32_t enable_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    action_ctx_t *c = vctx;
    sodium_memzero(c->key, APIKEYS_NEW_KEY_MAX); /* run again (apikeys_write): an earlier run's key was not saved */
    store_site_t site;
    int32_t rc = store_get_site(&st->store, &site, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    int enabled = site.enabled, found = site.has_current;
    const store_key_t cur = site.current;
    if (enabled && found) {
        snprintf(c->message, sizeof c->message, "The API was already enabled (key %s); nothing changed.", cur.hint);
        return audit_ok(st, c, "enable", "ok: already enabled", cur.hint, msg, msg_len);
    }
    char hint[KEY_HINT_BUF];
    if (!found) {
        rc = create_current_key(st, c, hint, msg, msg_len);
        if (rc != PANEL_OK)
            return rc;
        snprintf(c->message, sizeof c->message,
                 "API enabled. A new key was created (%s): copy it now, it is shown only once. Tools send it as "
                 "X-API-Key: <key> or Authorization: Bearer <key>.",
                 hint);
    } else {
        memcpy(hint, cur.hint, sizeof hint);
        hint[sizeof hint - 1] = '\0';
        snprintf(c->message, sizeof c->message, "API enabled; the existing key (%s) works again.", hint);
    }
    rc = store_set_enabled(&st->store, 1, msg, msg_len);
    if (rc == PANEL_OK)
        rc = audit_ok(st, c, "enable", found ? "ok" : "ok: new key created", hint, msg, msg_len);
    return rc;
}

int32_t admin_action_enable(void *state, const panel_caller_t *caller, const panel_args_t *args,
                            panel_result_t *result)
{
    (void)args;
    return run_simple(state, caller, "enable", enable_tx, result);
}

/* ----- disable ------------------------------------------------------------------------------------------ */

static int32_t disable_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    action_ctx_t *c = vctx;
    store_site_t site;
    int32_t rc = store_get_site(&st->store, &site, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    int enabled = site.enabled, found = site.has_current;
    const store_key_t cur = site.current;
    if (!enabled) {
        snprintf(c->message, sizeof c->message, "The API was already disabled; nothing changed.");
        return audit_ok(st, c, "disable", "ok: already disabled", found ? cur.hint : NULL, msg, msg_len);
    }
    rc = store_set_enabled(&st->store, 0, msg, msg_len);
    if (rc == PANEL_OK)
        rc = audit_ok(st, c, "disable", "ok", found ? cur.hint : NULL, msg, msg_len);
    if (found)
        snprintf(c->message, sizeof c->message,
                 "API disabled: requests now get 403. The key (%s) is kept, so Enable restores it.", cur.hint);
    else
        snprintf(c->message, sizeof c->message, "API disabled: requests now get 403.");
    return rc;
}

int32_t admin_action_disable(void *state, const panel_caller_t *caller, const panel_args_t *args,
                             panel_result_t *result)
{
    (void)args;
    return run_simple(state, caller, "disable", disable_tx, result);
}

/* ----- reset -------------------------------------------------------------------------------------------- */

static int32_t reset_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    action_ctx_t *c = vctx;
    sodium_memzero(c->key, APIKEYS_NEW_KEY_MAX); /* run again (apikeys_write): an earlier run's key was not saved */
    int64_t now = apikeys_now(st);
    store_site_t site;
    int32_t rc = store_get_site(&st->store, &site, msg, msg_len);
    int enabled = site.enabled, has_current = site.has_current, has_grace = site.has_grace;
    const store_key_t cur = site.current, grace = site.grace;
    /* One grace slot: an older grace key always ends now; with grace 0 every previous key ends now. */
    if (rc == PANEL_OK && has_grace)
        rc = store_revoke(&st->store, grace.id, now, msg, msg_len);
    char previous[256] = "";
    char outcome[160] = "ok";
    if (rc == PANEL_OK && has_current) {
        if (c->grace_seconds > 0) {
            int64_t until = now + c->grace_seconds;
            rc = store_make_grace(&st->store, cur.id, until, msg, msg_len);
            char when[32];
            apikeys_format_time(until, when, sizeof when);
            snprintf(previous, sizeof previous,
                     " The previous key (%s) stays valid until %s (grace %s); use End grace period to stop it earlier.",
                     cur.hint, when, c->grace_text);
            snprintf(outcome, sizeof outcome, "ok: previous key %s valid until %s", cur.hint, when);
        } else {
            rc = store_revoke(&st->store, cur.id, now, msg, msg_len);
            snprintf(previous, sizeof previous,
                     " The previous key (%s) stopped working now. Update connected integrations with the new key.",
                     cur.hint);
            snprintf(outcome, sizeof outcome, "ok: previous key %s revoked", cur.hint);
        }
    } else if (rc == PANEL_OK) {
        snprintf(previous, sizeof previous, " There was no previous key.");
        snprintf(outcome, sizeof outcome, "ok: first key created");
    }
    char hint[KEY_HINT_BUF];
    if (rc == PANEL_OK)
        rc = create_current_key(st, c, hint, msg, msg_len);
    if (rc == PANEL_OK)
        rc = audit_ok(st, c, "reset", outcome, hint, msg, msg_len);
    if (rc == PANEL_OK)
        snprintf(c->message, sizeof c->message, "New API key created (%s): copy it now, it is shown only once.%s%s",
                 hint, previous, enabled ? "" : " The API is disabled: run Enable to accept requests.");
    return rc;
}

int32_t admin_action_reset(void *state, const panel_caller_t *caller, const panel_args_t *args,
                           panel_result_t *result)
{
    apikeys_state_t *st = state;
    char why[512];
    if (!admin_caller_allowed(caller)) {
        int32_t rc = admin_refuse_permission(why, sizeof why);
        return refuse_early(st, caller, "reset", rc, why, result);
    }
    if (!caller->confirmed) {
        admin_audit_refusal(st, caller, "reset", "refused", "not confirmed");
        set_message(result, APIKEYS_RESET_CONFIRM);
        return PANEL_E_CONFIRM;
    }
    action_ctx_t c;
    ctx_init(&c, st, caller);
    const char *grace = args && args->get ? args->get(args, "grace") : NULL;
    if (!grace)
        grace = st->config.default_grace;
    c.grace_seconds = apikeys_grace_seconds(grace);
    c.grace_text = grace;
    if (c.grace_seconds < 0) {
        snprintf(why, sizeof why, "grace must be one of 0, 1h, 24h, 7d");
        return refuse_early(st, caller, "reset", PANEL_E_INVALID, why, result);
    }
    int32_t rc = apikeys_write(st, reset_tx, &c, why, sizeof why, c.report, sizeof c.report);
    return finish(st, &c, "reset", rc, why, result);
}

/* ----- end-grace ---------------------------------------------------------------------------------------- */

static int32_t end_grace_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    action_ctx_t *c = vctx;
    int found = 0;
    store_key_t grace;
    int32_t rc = store_get_role(&st->store, "grace", &grace, &found, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    if (!found) { /* plugin.h's own example of PANEL_E_STATE: the state does not allow it (audited as refused) */
        snprintf(msg, msg_len, "No previous key is in a grace period; nothing changed.");
        return PANEL_E_STATE;
    }
    rc = store_revoke(&st->store, grace.id, apikeys_now(st), msg, msg_len);
    if (rc == PANEL_OK)
        rc = audit_ok(st, c, "end-grace", "ok", grace.hint, msg, msg_len);
    snprintf(c->message, sizeof c->message, "The previous key (%s) no longer works.", grace.hint);
    return rc;
}

int32_t admin_action_end_grace(void *state, const panel_caller_t *caller, const panel_args_t *args,
                               panel_result_t *result)
{
    (void)args;
    return run_simple(state, caller, "end-grace", end_grace_tx, result);
}
