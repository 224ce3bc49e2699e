/* admin_fields.c - the fields api_status (read-only) and api_key (secret, dangerous): display as a hint,
 * validation of a pasted key exactly as given, and replacing the current key with it. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "key_format.h"
#include "time_format.h"

static int32_t get_enabled(apikeys_state_t *st, void *enabled, char *err, size_t err_len)
{
    return store_get_enabled(&st->store, enabled, err, err_len);
}

static int32_t get_site(apikeys_state_t *st, void *site, char *err, size_t err_len)
{
    return store_get_site(&st->store, site, err, err_len);
}

int32_t admin_field_status_get(void *state, const panel_caller_t *caller, char *out, size_t out_len, char *err,
                               size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    int enabled = 0;
    int32_t rc = apikeys_read(st, get_enabled, &enabled, err, err_len);
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
    store_site_t site;
    int32_t rc = apikeys_read(st, get_site, &site, err, err_len);
    if (rc == PANEL_OK)
        snprintf(out, out_len, "%s", site.has_current ? site.current.hint : "(no key)");
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

/* Thousandths of a bit per character for a pool of n equally likely characters (the pools four character
 * classes can add up to: digits 10, lowercase 26, uppercase 26, other printable 33). */
static uint32_t millibits_per_char(unsigned pool)
{
    switch (pool) {
    case 10: return 3321;
    case 26: return 4700;
    case 33: return 5044;
    case 36: return 5169;
    case 43: return 5426;
    case 52: return 5700;
    case 59: return 5882;
    case 62: return 5954;
    case 69: return 6108;
    case 85: return 6409;
    default: return 6569; /* 95: every class */
    }
}

#define KEY_MIN_BITS 128u
#define KEY_MIN_DISTINCT 12u

/* A pasted key must be able to hold 128 bits: estimated from its length and the character classes it uses
 * (as if each character were drawn at random from those classes), and at least 12 distinct characters (so a
 * long run of one letter is not taken for a strong key). A key this plugin generated is 53 characters of
 * base62 and an underscore: about 315 bits. */
static int32_t check_strength(const char *value, size_t len, char *err, size_t err_len)
{
    unsigned char seen[128] = {0};
    unsigned distinct = 0, lower = 0, upper = 0, digit = 0, other = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (!seen[ch & 0x7F]++)
            distinct++;
        if (ch >= 'a' && ch <= 'z')
            lower = 26;
        else if (ch >= 'A' && ch <= 'Z')
            upper = 26;
        else if (ch >= '0' && ch <= '9')
            digit = 10;
        else
            other = 33;
    }
    uint64_t millibits = (uint64_t)len * millibits_per_char(lower + upper + digit + other);
    if (distinct < KEY_MIN_DISTINCT) {
        snprintf(err, err_len,
                 "the key is too weak: it uses only %u different character%s (at least %u are needed); paste a "
                 "random key of at least 128 bits, or use Reset to create one",
                 distinct, distinct == 1 ? "" : "s", KEY_MIN_DISTINCT);
        return PANEL_E_INVALID;
    }
    if (millibits < (uint64_t)KEY_MIN_BITS * 1000u) {
        snprintf(err, err_len,
                 "the key is too weak: %zu characters of the kinds it uses hold about %u bits, and at least %u are "
                 "needed; paste a longer random key, or use Reset to create one",
                 len, (unsigned)(millibits / 1000u), KEY_MIN_BITS);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
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
    return check_strength(value, len, err, err_len);
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

/* Refuses a key this store used before (grace or replaced): pasting it back would bring a key back to life
 * that the owner retired, maybe because it leaked. */
static int32_t refuse_used_before(apikeys_state_t *st, const store_digest_row_t *row, char *msg, size_t msg_len)
{
    int64_t when = row->revoked_at;
    if (strcmp(row->role, "grace") == 0) { /* replaced by the current key: at its creation */
        store_key_t cur;
        int found = 0;
        int32_t rc = store_get_role(&st->store, "current", &cur, &found, msg, msg_len);
        if (rc != PANEL_OK)
            return rc;
        when = found ? cur.created_at : row->created_at;
    } else if (!when) {
        when = row->created_at;
    }
    char date[40];
    apikeys_format_time(when, date, sizeof date);
    snprintf(msg, msg_len,
             "this key was replaced on %s; paste a key that was never used here, or use Reset", date);
    return PANEL_E_INVALID;
}

static int32_t set_key_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    set_ctx_t *c = vctx;
    int64_t now = apikeys_now(st);
    uint8_t digest[KEY_DIGEST_LEN];
    key_digest(st->secret, c->value, c->len, digest);
    char hint[KEY_HINT_BUF];
    key_hint(st->config.key_prefix, st->config.prefix_len, c->value, c->len, hint, sizeof hint);
    store_digest_row_t before;
    int32_t rc = store_find_digest(&st->store, digest, &before, msg, msg_len);
    if (rc == PANEL_OK && before.found && strcmp(before.role, "named") == 0) {
        snprintf(msg, msg_len, "this key belongs to a named key (the Keys table); paste a key that is not in use "
                               "here, or use Reset");
        rc = PANEL_E_INVALID;
    } else if (rc == PANEL_OK && before.found && strcmp(before.role, "current") != 0) {
        rc = refuse_used_before(st, &before, msg, msg_len);
    }
    store_site_t site;
    memset(&site, 0, sizeof site);
    if (rc == PANEL_OK)
        rc = store_get_site(&st->store, &site, msg, msg_len);
    const store_key_t cur = site.current;
    int found = site.has_current, enabled = site.enabled;
    int same = found && before.found && before.id == cur.id;
    if (rc == PANEL_OK && found && !same)
        rc = store_revoke(&st->store, cur.id, now, msg, msg_len);
    if (rc == PANEL_OK && !same)
        rc = store_put_current(&st->store, digest, key_locator(st->locator_key, c->value, c->len), hint, now, NULL,
                               msg, msg_len);
    sodium_memzero(digest, sizeof digest);
    if (rc != PANEL_OK)
        return rc;
    char origin[96];
    admin_caller_origin(c->caller, origin, sizeof origin);
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
