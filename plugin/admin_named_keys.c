/* admin_named_keys.c - named keys on Settings > API Key: the page action create-key and the row actions revoke,
 * reset and edit of the table "keys" (admin_named_register.c registers them). Each re-checks the permission,
 * validates every parameter (label, scopes from the host's catalogue, expiry, allowed IPs, rate limit) with a
 * message naming what to type instead, runs as one change-signalling store transaction together with its audit
 * row (which carries the key's hint, never the key), and reveals a new key only after that transaction
 * committed; then our copy is wiped. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "cidr.h"
#include "key_format.h"
#include "key_policy.h"
#include "time_format.h"

#define DAY 86400

typedef struct named_ctx {
    const panel_caller_t *caller;
    char origin[96];
    store_named_t key;           /* what to create or save (edit: the new settings) */
    int64_t id;                  /* the record acted on, or the one created */
    int64_t grace_seconds;       /* reset */
    const char *grace_text;
    const char *action;          /* audit name: "create key", "revoke key", "reset key", "edit key" */
    int created;                 /* 1: the action created record `id` (result->record names it) */
    char *secret;                /* st->new_key: a newly generated key, until it is handed to the host */
    char message[1024];
    char report[768];            /* how the store made every node see the change ("" on one machine) */
} named_ctx_t;

static void ctx_init(named_ctx_t *c, apikeys_state_t *st, const panel_caller_t *caller, const char *action)
{
    memset(c, 0, sizeof *c);
    c->secret = st->new_key;
    c->secret[0] = '\0';
    c->caller = caller;
    c->action = action;
    admin_caller_origin(caller, c->origin, sizeof c->origin);
}

static void set_message(panel_result_t *result, const char *text)
{
    if (result && result->message && result->message_len)
        snprintf(result->message, result->message_len, "%s", text);
}

/* Audits and reports a refusal (or a failure of the store). */
static int32_t refuse(apikeys_state_t *st, named_ctx_t *c, int32_t rc, const char *why, panel_result_t *result)
{
    sodium_memzero(c->secret, APIKEYS_NEW_KEY_MAX);
    admin_audit_refusal(st, c->caller, c->action, rc == PANEL_E_STORE || rc == PANEL_E_INTERNAL ? "failed" : "refused",
                        why);
    set_message(result, why);
    return rc;
}

static const char *arg(const panel_args_t *args, const char *id)
{
    return args && args->get ? args->get(args, id) : NULL;
}

/* The record id of a row action as a named key id ("7"), or 0 when there is none or it is not one of ours. */
static int64_t record_of(const panel_args_t *args)
{
    const char *rec = args && PANEL_HAS_FIELD(panel_args_t, args, record_id) ? args->record_id : NULL;
    if (!rec || !rec[0] || strlen(rec) > 18)
        return 0;
    int64_t id = 0;
    for (const char *p = rec; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        id = id * 10 + (*p - '0');
    }
    return id;
}

/* ----- validating the parameters -------------------------------------------------------------------------- */

static int32_t parse_label(const char *text, char *out, size_t out_len, char *why, size_t why_len)
{
    size_t n = text ? strlen(text) : 0;
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    while (n && (*text == ' ' || *text == '\t')) {
        text++;
        n--;
    }
    if (n == 0 || n >= out_len) {
        snprintf(why, why_len, "the label must be 1 to %zu characters, e.g. \"Minecraft server\" or \"Discord bot\"",
                 out_len - 1);
        return PANEL_E_INVALID;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7F) {
            snprintf(why, why_len, "the label must be one line of text without control characters");
            return PANEL_E_INVALID;
        }
    memcpy(out, text, n);
    out[n] = '\0';
    return PANEL_OK;
}

/* Every item must be a scope of the host's catalogue (st->site_scopes), at least one, no duplicates. */
static int32_t parse_scopes(const apikeys_state_t *st, const char *text, char *out, size_t out_len, char *why,
                            size_t why_len)
{
    size_t len = text ? strlen(text) : 0;
    if (len == 0) {
        snprintf(why, why_len, "choose at least one scope (comma-separated) of: %.300s", st->site_scopes);
        return PANEL_E_INVALID;
    }
    if (len >= out_len) {
        snprintf(why, why_len, "the scope list is too long; choose from: %.300s", st->site_scopes);
        return PANEL_E_INVALID;
    }
    size_t pos = 0;
    for (const char *at = text; *at;) {
        size_t n = strcspn(at, ",");
        const char *item = at;
        size_t item_len = n;
        while (item_len && *item == ' ') {
            item++;
            item_len--;
        }
        while (item_len && item[item_len - 1] == ' ')
            item_len--;
        char one[PANEL_SCOPES_MAX];
        memcpy(one, item, item_len);
        one[item_len] = '\0';
        if (item_len == 0 || !scope_list_has(st->site_scopes, st->site_scopes_len, one)) {
            snprintf(why, why_len, "'%.64s' is not a scope of this panel; choose from: %.300s", one, st->site_scopes);
            return PANEL_E_INVALID;
        }
        if (scope_list_has(out, pos, one)) {
            snprintf(why, why_len, "the scope %.64s is listed twice; list it once", one);
            return PANEL_E_INVALID;
        }
        if (pos)
            out[pos++] = ',';
        memcpy(out + pos, one, item_len);
        pos += item_len;
        out[pos] = '\0';
        at += n;
        if (*at == ',')
            at++;
    }
    out[pos] = '\0';
    return PANEL_OK;
}

static int32_t parse_expires(const char *text, int64_t now, int64_t *expires_at, char *why, size_t why_len)
{
    static const struct {
        const char *choice;
        int64_t days;
    } choices[] = {{"never", 0}, {"30d", 30}, {"90d", 90}, {"365d", 365}};
    for (size_t i = 0; text && i < sizeof choices / sizeof choices[0]; i++)
        if (strcmp(text, choices[i].choice) == 0) {
            *expires_at = choices[i].days ? now + choices[i].days * DAY : 0;
            return PANEL_OK;
        }
    snprintf(why, why_len, "expires must be one of never, 30d, 90d, 365d");
    return PANEL_E_INVALID;
}

static int32_t parse_allowed_ips(const char *text, char *out, size_t out_len, char *why, size_t why_len)
{
    cidr_list_t *list = malloc(sizeof *list);
    if (!list) {
        snprintf(why, why_len, "out of memory while checking the allowed IPs");
        return PANEL_E_NOMEM;
    }
    const char *t = text ? text : "";
    int32_t rc = cidr_list_parse(t, strlen(t), list, out, out_len, why, why_len);
    free(list);
    return rc;
}

static int32_t parse_rate(const char *text, int64_t *out, char *why, size_t why_len)
{
    const char *t = text ? text : "";
    size_t n = strlen(t);
    if (n > 4 && strcmp(t + n - 4, "/min") == 0) /* "60/min", as the Keys table shows it */
        n -= 4;
    return key_policy_parse_rate(t, n, out, why, why_len);
}

/* ----- shared transaction parts --------------------------------------------------------------------------- */

static int32_t audit(apikeys_state_t *st, named_ctx_t *c, const char *outcome, const char *hint, char *msg,
                     size_t msg_len)
{
    return store_audit(&st->store, apikeys_now(st), admin_caller_user(c->caller), c->origin, c->action, outcome,
                       hint, msg, msg_len);
}

/* Generates a key into c->secret; its digest, locator and hint. */
static int32_t new_secret(apikeys_state_t *st, named_ctx_t *c, uint8_t digest[KEY_DIGEST_LEN], uint64_t *locator,
                          char *hint, char *msg, size_t msg_len)
{
    const apikeys_config_t *cfg = &st->config;
    if (key_generate(cfg->key_prefix, cfg->prefix_len, c->secret, APIKEYS_NEW_KEY_MAX) != 0) {
        snprintf(msg, msg_len, "could not generate a key");
        return PANEL_E_INTERNAL;
    }
    size_t len = key_length(cfg->prefix_len);
    key_digest(st->secret, c->secret, len, digest);
    *locator = key_locator(st->locator_key, c->secret, len);
    key_hint(cfg->key_prefix, cfg->prefix_len, c->secret, len, hint, KEY_HINT_BUF);
    return PANEL_OK;
}

/* The live named key c->id into *k, or PANEL_E_NOT_FOUND with a message. */
static int32_t load_named(apikeys_state_t *st, const named_ctx_t *c, store_named_t *k, char *msg, size_t msg_len)
{
    int found = 0;
    int32_t rc = store_named_get(&st->store, c->id, k, &found, msg, msg_len);
    if (rc == PANEL_OK && !found) {
        snprintf(msg, msg_len, "there is no named key %lld (it may have been revoked); see the Keys table",
                 (long long)c->id);
        rc = PANEL_E_NOT_FOUND;
    }
    return rc;
}

/* Hands the new key and the record to the host after the commit, then wipes our copy. */
static int32_t done(named_ctx_t *c, panel_result_t *result)
{
    if (c->secret[0] && result->secret && result->secret_len > strlen(c->secret))
        snprintf(result->secret, result->secret_len, "%s", c->secret);
    sodium_memzero(c->secret, APIKEYS_NEW_KEY_MAX);
    if (c->created && c->id > 0 && PANEL_HAS_FIELD(panel_result_t, result, record) && result->record &&
        result->record_len > 20)
        snprintf(result->record, result->record_len, "%lld", (long long)c->id);
    if (c->report[0]) {
        size_t n = strlen(c->message);
        snprintf(c->message + n, sizeof c->message - n, " %s", c->report);
    }
    set_message(result, c->message);
    return PANEL_OK;
}

/* Runs tx in one change-signalling transaction and finishes the action. */
static int32_t run_tx(apikeys_state_t *st, named_ctx_t *c, apikeys_write_fn tx, panel_result_t *result)
{
    char why[768];
    int32_t rc = apikeys_write(st, tx, c, why, sizeof why, c->report, sizeof c->report);
    return rc == PANEL_OK ? done(c, result) : refuse(st, c, rc, why, result);
}

/* The permission every named-key action checks first. */
static int32_t check_caller(apikeys_state_t *st, named_ctx_t *c, panel_result_t *result)
{
    char why[512];
    if (!admin_caller_allowed(c->caller)) {
        int32_t rc = admin_refuse_permission(why, sizeof why);
        return refuse(st, c, rc, why, result);
    }
    return PANEL_OK;
}

/* An unconfirmed dangerous row action changes nothing and says what confirming means (libpanelhost asks first;
 * this holds for any host). */
static int32_t ask_confirmation(apikeys_state_t *st, named_ctx_t *c, panel_result_t *result)
{
    admin_audit_refusal(st, c->caller, c->action, "refused", "not confirmed");
    set_message(result, strcmp(c->action, "revoke key") == 0 ? APIKEYS_REVOKE_NAMED_CONFIRM : APIKEYS_RESET_NAMED_CONFIRM);
    return PANEL_E_CONFIRM;
}

/* A row action's record, or PANEL_E_INVALID (no record: a host that does not offer row actions). */
static int32_t check_record(apikeys_state_t *st, named_ctx_t *c, const panel_args_t *args, panel_result_t *result)
{
    c->id = record_of(args);
    if (c->id > 0)
        return PANEL_OK;
    return refuse(st, c, PANEL_E_INVALID, "choose a key in the Keys table (the action needs a key's ID)", result);
}

/* What an action does besides its transaction. */
#define NAMED_DANGEROUS 1u   /* needs caller->confirmed */
#define NAMED_ROW 2u         /* a row action: needs a record */

/* Reads the action's parameters into c (nullable: none); PANEL_OK, or a refusal with why. */
typedef int32_t (*named_prepare_fn)(apikeys_state_t *st, named_ctx_t *c, const panel_args_t *args, char *why,
                                    size_t why_len);

/* Every named-key action: permission (and confirmation), record, parameters, then tx in one change-signalling
 * transaction; each refusal is audited and reported. The context (it may hold a new key) is wiped after. */
static int32_t run_named(void *state, const panel_caller_t *caller, const panel_args_t *args, panel_result_t *result,
                         const char *action, unsigned flags, named_prepare_fn prepare, apikeys_write_fn tx)
{
    apikeys_state_t *st = state;
    named_ctx_t *c = malloc(sizeof *c);
    if (!c) {
        set_message(result, "out of memory");
        return PANEL_E_NOMEM;
    }
    ctx_init(c, st, caller, action);
    int32_t rc = check_caller(st, c, result);
    if (rc == PANEL_OK && (flags & NAMED_ROW))
        rc = check_record(st, c, args, result);
    if (rc == PANEL_OK && (flags & NAMED_DANGEROUS) && !caller->confirmed)
        rc = ask_confirmation(st, c, result);
    if (rc == PANEL_OK && prepare) {
        char why[600];
        rc = prepare(st, c, args, why, sizeof why);
        if (rc != PANEL_OK)
            rc = refuse(st, c, rc, why, result);
    }
    if (rc == PANEL_OK)
        rc = run_tx(st, c, tx, result);
    sodium_memzero(c, sizeof *c);
    free(c);
    return rc;
}

/* ----- create-key ----------------------------------------------------------------------------------------- */

static int32_t create_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_ctx_t *c = vctx;
    int64_t live = 0;
    int32_t rc = store_named_count(&st->store, &live, msg, msg_len);
    if (rc == PANEL_OK && live >= STORE_NAMED_MAX) {
        snprintf(msg, msg_len, "there are %d named keys already, the most a store keeps; revoke one that is no "
                               "longer used first",
                 STORE_NAMED_MAX);
        return PANEL_E_STATE;
    }
    uint8_t digest[KEY_DIGEST_LEN];
    uint64_t locator = 0;
    char hint[KEY_HINT_BUF];
    if (rc == PANEL_OK)
        rc = new_secret(st, c, digest, &locator, hint, msg, msg_len);
    if (rc == PANEL_OK)
        rc = store_named_create(&st->store, &c->key, digest, locator, hint, &c->id, msg, msg_len);
    c->created = rc == PANEL_OK;
    sodium_memzero(digest, sizeof digest);
    char outcome[600];
    snprintf(outcome, sizeof outcome, "ok: key %lld \"%s\" created, scopes %.400s", (long long)c->id, c->key.label,
             c->key.scopes);
    if (rc == PANEL_OK)
        rc = audit(st, c, outcome, hint, msg, msg_len);
    char expiry[64] = "it never expires";
    if (c->key.expires_at) {
        char when[40];
        apikeys_format_time(c->key.expires_at, when, sizeof when);
        snprintf(expiry, sizeof expiry, "it expires %s", when);
    }
    int enabled = 1;
    if (rc == PANEL_OK)
        rc = store_get_enabled(&st->store, &enabled, msg, msg_len);
    snprintf(c->message, sizeof c->message,
             "Key %lld created: \"%s\" (%s, scopes %.400s; %s). Copy it now, it is shown only once.%s",
             (long long)c->id, c->key.label, hint, c->key.scopes, expiry,
             enabled ? "" : " The API is disabled: run Enable to accept requests.");
    return rc;
}

static int32_t prepare_create(apikeys_state_t *st, named_ctx_t *c, const panel_args_t *args, char *why,
                              size_t why_len)
{
    int64_t now = apikeys_now(st);
    int32_t rc = parse_label(arg(args, "label"), c->key.label, sizeof c->key.label, why, why_len);
    if (rc == PANEL_OK)
        rc = parse_scopes(st, arg(args, "scopes"), c->key.scopes, sizeof c->key.scopes, why, why_len);
    if (rc == PANEL_OK)
        rc = parse_expires(arg(args, "expires") ? arg(args, "expires") : "never", now, &c->key.expires_at, why,
                           why_len);
    if (rc == PANEL_OK)
        rc = parse_allowed_ips(arg(args, "allowed_ips"), c->key.allowed_ips, sizeof c->key.allowed_ips, why, why_len);
    if (rc == PANEL_OK)
        rc = parse_rate(arg(args, "rate_limit") ? arg(args, "rate_limit") : "0", &c->key.rate_limit, why, why_len);
    c->key.created_at = now;
    return rc;
}

int32_t admin_action_create_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                                panel_result_t *result)
{
    return run_named(state, caller, args, result, "create key", 0, prepare_create, create_tx);
}
/* ----- revoke --------------------------------------------------------------------------------------------- */

static int32_t revoke_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_ctx_t *c = vctx;
    store_named_t *k = &c->key;
    int32_t rc = load_named(st, c, k, msg, msg_len);
    if (rc == PANEL_OK)
        rc = store_named_revoke(&st->store, c->id, apikeys_now(st), msg, msg_len);
    char outcome[200];
    snprintf(outcome, sizeof outcome, "ok: key %lld \"%s\" revoked%s", (long long)c->id, k->label,
             k->has_grace ? " with its previous key" : "");
    if (rc == PANEL_OK)
        rc = audit(st, c, outcome, k->hint, msg, msg_len);
    snprintf(c->message, sizeof c->message, "Key \"%s\" (ID %lld, %s) is revoked: requests with it get 401 now.",
             k->label, (long long)c->id, k->hint);
    return rc;
}

int32_t admin_action_revoke_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                                panel_result_t *result)
{
    return run_named(state, caller, args, result, "revoke key", NAMED_DANGEROUS | NAMED_ROW, NULL, revoke_tx);
}
/* ----- reset ---------------------------------------------------------------------------------------------- */

static int32_t reset_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_ctx_t *c = vctx;
    store_named_t *k = &c->key;
    int64_t now = apikeys_now(st);
    int32_t rc = load_named(st, c, k, msg, msg_len);
    uint8_t digest[KEY_DIGEST_LEN];
    uint64_t locator = 0;
    char hint[KEY_HINT_BUF];
    if (rc == PANEL_OK)
        rc = new_secret(st, c, digest, &locator, hint, msg, msg_len);
    int64_t until = c->grace_seconds > 0 ? now + c->grace_seconds : 0;
    if (k->expires_at && until > k->expires_at)
        until = k->expires_at;
    if (rc == PANEL_OK)
        rc = store_named_reset(&st->store, c->id, digest, locator, hint, now, until, msg, msg_len);
    sodium_memzero(digest, sizeof digest);
    char previous[256], outcome[300];
    if (!k->hint[0]) { /* no current value: it was reported as leaked (leak_report.c) and is revoked already */
        snprintf(previous, sizeof previous, "the previous key was reported as leaked and stays revoked");
        snprintf(outcome, sizeof outcome, "ok: key %lld \"%s\" reset after a leak report", (long long)c->id, k->label);
    } else if (until > 0) {
        char when[40];
        apikeys_format_time(until, when, sizeof when);
        snprintf(previous, sizeof previous, "the previous key (%s) stays valid until %s (grace %s)", k->hint, when,
                 c->grace_text);
        snprintf(outcome, sizeof outcome, "ok: key %lld \"%s\" reset; previous key %s valid until %s",
                 (long long)c->id, k->label, k->hint, when);
    } else {
        snprintf(previous, sizeof previous, "the previous key (%s) stopped working now", k->hint);
        snprintf(outcome, sizeof outcome, "ok: key %lld \"%s\" reset; previous key %s revoked", (long long)c->id,
                 k->label, k->hint);
    }
    if (rc == PANEL_OK)
        rc = audit(st, c, outcome, hint, msg, msg_len);
    snprintf(c->message, sizeof c->message,
             "New key for \"%s\" (ID %lld, %s): copy it now, it is shown only once; %s. Update the tool that uses "
             "this key.",
             k->label, (long long)c->id, hint, previous);
    return rc;
}

static int32_t prepare_reset(apikeys_state_t *st, named_ctx_t *c, const panel_args_t *args, char *why,
                             size_t why_len)
{
    const char *grace = arg(args, "grace") ? arg(args, "grace") : st->config.default_grace;
    c->grace_seconds = apikeys_grace_seconds(grace);
    c->grace_text = grace;
    if (c->grace_seconds >= 0)
        return PANEL_OK;
    snprintf(why, why_len, "grace must be one of 0, 1h, 24h, 7d");
    return PANEL_E_INVALID;
}

int32_t admin_action_reset_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                               panel_result_t *result)
{
    return run_named(state, caller, args, result, "reset key", NAMED_DANGEROUS | NAMED_ROW, prepare_reset, reset_tx);
}
/* ----- edit ----------------------------------------------------------------------------------------------- */

/* What edit was given: each NULL keeps the stored value. */
typedef struct edit_values {
    const char *label, *scopes, *allowed_ips, *rate_limit;
} edit_values_t;

static int32_t edit_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_ctx_t *c = vctx;
    store_named_t *k = malloc(sizeof *k);
    if (!k) {
        snprintf(msg, msg_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int32_t rc = load_named(st, c, k, msg, msg_len);
    if (rc == PANEL_OK) {
        /* c->key holds the new values; fields left empty by the caller (label[0], scopes[0]) keep the stored
         * ones, and rate_limit < 0 / allowed_ips "\x01" (never a CIDR) do the same. */
        if (!c->key.label[0])
            memcpy(c->key.label, k->label, sizeof k->label);
        if (!c->key.scopes[0])
            memcpy(c->key.scopes, k->scopes, sizeof k->scopes);
        if (c->key.allowed_ips[0] == '\x01')
            memcpy(c->key.allowed_ips, k->allowed_ips, sizeof k->allowed_ips);
        if (c->key.rate_limit < 0)
            c->key.rate_limit = k->rate_limit;
        c->key.id = c->id;
        rc = store_named_update(&st->store, &c->key, msg, msg_len);
    }
    char outcome[1200], rate[32] = "none";
    if (c->key.rate_limit > 0)
        snprintf(rate, sizeof rate, "%lld/min", (long long)c->key.rate_limit);
    snprintf(outcome, sizeof outcome, "ok: key %lld \"%s\": scopes %.400s, allowed IPs %.600s, rate limit %s",
             (long long)c->id, c->key.label, c->key.scopes, c->key.allowed_ips[0] ? c->key.allowed_ips : "any", rate);
    if (rc == PANEL_OK)
        rc = audit(st, c, outcome, k->hint, msg, msg_len);
    snprintf(c->message, sizeof c->message,
             "Key \"%s\" (ID %lld, %s) saved: scopes %.300s; allowed IPs %.400s; rate limit %s. The key itself is "
             "unchanged.",
             c->key.label, (long long)c->id, k->hint, c->key.scopes,
             c->key.allowed_ips[0] ? c->key.allowed_ips : "any",
             c->key.rate_limit ? "set" : "none");
    if (c->key.rate_limit) {
        size_t n = strlen(c->message);
        snprintf(c->message + n, sizeof c->message - n, " (%lld requests a minute)", (long long)c->key.rate_limit);
    }
    free(k);
    return rc;
}

/* Reads the edit parameters into c->key (see edit_tx for what "keep" looks like). */
static int32_t parse_edit(apikeys_state_t *st, named_ctx_t *c, const edit_values_t *v, char *why, size_t why_len)
{
    int32_t rc = PANEL_OK;
    if (v->label && v->label[0])
        rc = parse_label(v->label, c->key.label, sizeof c->key.label, why, why_len);
    if (rc == PANEL_OK && v->scopes && v->scopes[0])
        rc = parse_scopes(st, v->scopes, c->key.scopes, sizeof c->key.scopes, why, why_len);
    if (rc == PANEL_OK) {
        if (!v->allowed_ips || strcmp(v->allowed_ips, "keep") == 0)
            c->key.allowed_ips[0] = '\x01';
        else if (strcmp(v->allowed_ips, "any") == 0)
            c->key.allowed_ips[0] = '\0';
        else
            rc = parse_allowed_ips(v->allowed_ips, c->key.allowed_ips, sizeof c->key.allowed_ips, why, why_len);
    }
    if (rc == PANEL_OK) {
        if (!v->rate_limit || strcmp(v->rate_limit, "keep") == 0)
            c->key.rate_limit = -1;
        else if (strcmp(v->rate_limit, "none") == 0) /* the Keys table's cell for no limit */
            c->key.rate_limit = 0;
        else
            rc = parse_rate(v->rate_limit, &c->key.rate_limit, why, why_len);
    }
    return rc;
}

static int32_t prepare_edit(apikeys_state_t *st, named_ctx_t *c, const panel_args_t *args, char *why,
                            size_t why_len)
{
    edit_values_t v = {arg(args, "label"), arg(args, "scopes"), arg(args, "allowed_ips"), arg(args, "rate_limit")};
    return parse_edit(st, c, &v, why, why_len);
}

int32_t admin_action_edit_key(void *state, const panel_caller_t *caller, const panel_args_t *args,
                              panel_result_t *result)
{
    return run_named(state, caller, args, result, "edit key", NAMED_ROW, prepare_edit, edit_tx);
}

/* ----- registration --------------------------------------------------------------------------------------- */
