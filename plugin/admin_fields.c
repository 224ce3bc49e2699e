/* admin_fields.c - the fields api_status (read-only) and api_key (secret, dangerous): display as a hint,
 * validation of a pasted key exactly as given, and replacing the current key with it. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "key_format.h"

int32_t admin_field_status_get(void *state, const panel_caller_t *caller, char *out, size_t out_len, char *err,
                               size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    int enabled = 0;
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = store_get_enabled(&st->store, &enabled, err, err_len);
    pthread_mutex_unlock(&st->write_mutex);
    if (rc == PANEL_OK)
        snprintf(out, out_len, "%s", enabled ? "enabled" : "disabled");
    return rc;
}

int32_t admin_field_key_get(void *state, const panel_caller_t *caller, char *out, size_t out_len, char *err,
                            size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    store_key_t cur;
    int found = 0;
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = store_get_role(&st->store, "current", &cur, &found, err, err_len);
    pthread_mutex_unlock(&st->write_mutex);
    if (rc == PANEL_OK)
        snprintf(out, out_len, "%s", found ? cur.hint : "(no key)");
    return rc;
}

static const char *whitespace_name(char c)
{
    switch (c) {
    case ' ':
        return "space";
    case '\t':
        return "tab";
    case '\n':
        return "newline";
    case '\r':
        return "carriage return";
    case '\v':
    case '\f':
        return "line feed character";
    default:
        return NULL;
    }
}

/* What a pasted key must come without, for the whitespace character c. */
static const char *without_what(char c)
{
    return c == '\n' || c == '\r' ? "spaces or line breaks" : "spaces";
}

/* Validation with the configured prefix (validate() is pure: it only reads the immutable config). */
static int32_t validate_key(const apikeys_config_t *cfg, const char *value, size_t len, char *err, size_t err_len)
{
    if (len == 0) {
        snprintf(err, err_len, "the key is empty; paste the whole key");
        return PANEL_E_INVALID;
    }
    const char *nul = memchr(value, '\0', len);
    if (nul) {
        snprintf(err, err_len, "the key contains a NUL byte at position %zu; paste it exactly as issued",
                 (size_t)(nul - value) + 1);
        return PANEL_E_INVALID;
    }
    const char *lead = whitespace_name(value[0]);
    if (lead) {
        snprintf(err, err_len, "the key has a leading %s; paste it exactly, without %s", lead, without_what(value[0]));
        return PANEL_E_INVALID;
    }
    const char *trail = whitespace_name(value[len - 1]);
    if (trail) {
        snprintf(err, err_len, "the key has a trailing %s; paste it exactly, without %s", trail,
                 without_what(value[len - 1]));
        return PANEL_E_INVALID;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == ' ') {
            snprintf(err, err_len,
                     "the key contains a space at position %zu; API keys have no spaces: paste it exactly", i + 1);
            return PANEL_E_INVALID;
        }
        if (c < 0x20 || c > 0x7E) {
            snprintf(err, err_len,
                     "the key has a character outside printable ASCII at position %zu (a control character or a "
                     "non-ASCII letter); paste the key exactly as issued",
                     i + 1);
            return PANEL_E_INVALID;
        }
    }
    if (len < KEY_MIN_IMPORT_LEN) {
        snprintf(err, err_len, "the key is too short (%zu characters; at least %u are needed)", len,
                 KEY_MIN_IMPORT_LEN);
        return PANEL_E_INVALID;
    }
    if (len > KEY_MAX_LEN) {
        snprintf(err, err_len, "the key is too long (%zu characters; at most %u are accepted)", len, KEY_MAX_LEN);
        return PANEL_E_INVALID;
    }
    if (key_parse_class(cfg->key_prefix, cfg->prefix_len, value, len) == KEY_MALFORMED) {
        snprintf(err, err_len,
                 "the key looks like a %s key but its checksum does not match; it was probably mistyped or "
                 "truncated",
                 cfg->key_prefix);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

int32_t admin_field_key_validate(void *state, const char *value, size_t value_len, char *err, size_t err_len)
{
    const apikeys_state_t *st = state;
    return validate_key(&st->config, value, value_len, err, err_len);
}

typedef struct set_ctx {
    const panel_caller_t *caller;
    const char *value;
    size_t len;
    char message[512];
    char report[768];        /* how the store made every node see the change ("" on one machine) */
} set_ctx_t;

static int32_t set_key_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    set_ctx_t *c = vctx;
    int64_t now = apikeys_now(st);
    uint8_t digest[KEY_DIGEST_LEN];
    key_digest(st->secret, c->value, c->len, digest);
    char hint[KEY_HINT_BUF];
    key_hint(st->config.key_prefix, st->config.prefix_len, c->value, c->len, hint, sizeof hint);
    store_key_t cur;
    int found = 0, enabled = 0;
    int32_t rc = store_get_role(&st->store, "current", &cur, &found, msg, msg_len);
    if (rc == PANEL_OK)
        rc = store_get_enabled(&st->store, &enabled, msg, msg_len);
    if (rc == PANEL_OK && found)
        rc = store_revoke(&st->store, cur.id, now, msg, msg_len);
    int64_t id = 0;
    if (rc == PANEL_OK)
        rc = store_put_current(&st->store, digest, hint, now, &id, msg, msg_len);
    sodium_memzero(digest, sizeof digest);
    if (rc != PANEL_OK)
        return rc;
    char origin[96];
    admin_caller_origin(c->caller, origin, sizeof origin);
    int same = found && id == cur.id;
    rc = store_audit(&st->store, now, admin_caller_user(c->caller), origin, "key change",
                     same ? "ok: already the current key" : "ok", hint, msg, msg_len);
    if (same)
        snprintf(c->message, sizeof c->message, "That key (%s) is already the current key; nothing changed.", hint);
    else
        snprintf(c->message, sizeof c->message, "API key replaced: %s is now the key%s.%s", hint,
                 found ? "; the previous key no longer works" : "",
                 enabled ? "" : " The API is disabled: run Enable to accept requests.");
    return rc;
}

int32_t admin_field_key_set(void *state, const panel_caller_t *caller, const char *value, size_t value_len,
                            char *msg, size_t msg_len)
{
    apikeys_state_t *st = state;
    char why[512];
    if (!admin_caller_allowed(caller)) {
        admin_refuse_permission(why, sizeof why);
        admin_audit_refusal(st, caller, "key change", "refused", why);
        snprintf(msg, msg_len, "%s", why);
        return PANEL_E_DENIED;
    }
    if (!caller->confirmed) {
        admin_audit_refusal(st, caller, "key change", "refused", "not confirmed");
        snprintf(msg, msg_len, "%s", APIKEYS_RESET_CONFIRM);
        return PANEL_E_CONFIRM;
    }
    if (!value || validate_key(&st->config, value ? value : "", value ? value_len : 0, why, sizeof why) != PANEL_OK) {
        if (!value)
            snprintf(why, sizeof why, "the key is empty; paste the whole key");
        admin_audit_refusal(st, caller, "key change", "refused", why);
        snprintf(msg, msg_len, "%s", why);
        return PANEL_E_INVALID;
    }
    set_ctx_t c = {caller, value, value_len, "", ""};
    int32_t rc = apikeys_write(st, set_key_tx, &c, why, sizeof why, c.report, sizeof c.report);
    if (rc != PANEL_OK) {
        admin_audit_refusal(st, caller, "key change", rc == PANEL_E_STORE ? "failed" : "refused", why);
        snprintf(msg, msg_len, "%s", why);
        return rc;
    }
    snprintf(msg, msg_len, "%s%s%s", c.message, c.report[0] ? " " : "", c.report);
    return PANEL_OK;
}
