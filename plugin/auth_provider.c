/* auth_provider.c - the verification hot path and the auth provider callback (see auth_provider.h). */
#include "auth_provider.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "key_format.h"
#include "key_policy.h"
#include "site_scopes.h"

/* A string literal and its length, for put_n and put_principal. */
#define TEXT(literal) literal, sizeof(literal) - 1

/* A key without our prefix can only be valid when it could have been pasted: 32..1024 printable, no spaces. */
static int could_be_imported(const char *key, size_t len)
{
    if (len < KEY_MIN_IMPORT_LEN)
        return 0;
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        bad |= (unsigned)(c < 0x21u || c > 0x7Eu);
    }
    return !bad;
}

/* What a request brings besides its key, and what a denial tells the client besides its reason. */
typedef struct verify_ctx {
    const char *client_addr;   /* nullable */
    const char *scope;         /* nullable: the scope the route requires (ABI 1.1) */
    int64_t retry_after;       /* seconds, for the 429s */
    int named_expired;         /* DENIAL_EXPIRED: the named key itself expired (not a grace period) */
    int named;                 /* the key found is a named key's (its denials point at the key's Edit) */
    /* nullable: an ALLOW's principal and scopes are written here, while the snapshot is still held */
    panel_auth_result_t *result;
} verify_ctx_t;

/* Copies text[0..n) with its NUL into buf[0..len) when it fits whole (a buffer too small gets nothing). */
static void put_whole(char *buf, size_t len, const char *text, size_t n)
{
    if (buf && len > n)
        memcpy(buf, text, n + 1);
}

/* An ALLOW's principal, and its scopes (1.1) and label (1.2) when the host's result holds those fields and gave
 * buffers for them. Lengths known in advance: no strlen or format on the hot path. */
static void put_principal(panel_auth_result_t *result, const char *principal, size_t principal_len,
                          const char *label, size_t label_len, const char *scopes, size_t scopes_len)
{
    put_whole(result->principal, result->principal_len, principal, principal_len);
    if (scopes_len && PANEL_HAS_FIELD(panel_auth_result_t, result, scopes_len))
        put_whole(result->scopes, result->scopes_len, scopes, scopes_len);
    if (label_len && PANEL_HAS_FIELD(panel_auth_result_t, result, label_len))
        put_whole(result->label, result->label_len, label, label_len);
}

/* A POLICY_* outcome as a denial reason (or VERIFY_OK). */
static int policy_outcome(int policy)
{
    switch (policy) {
    case POLICY_OK:
        return VERIFY_OK;
    case POLICY_IP_NOT_ALLOWED:
        return DENIAL_IP_NOT_ALLOWED;
    case POLICY_RATE_LIMITED:
        return DENIAL_RATE_LIMITED;
    case POLICY_SCOPE:
        return DENIAL_SCOPE;
    default:
        return DENIAL_LIMITER_UNAVAILABLE;
    }
}

static int verify_in(apikeys_state_t *st, keyring_t *ring, int key_class, const char *key, size_t len,
                     verify_ctx_t *v, keyring_entry_t **found)
{
    *found = NULL;
    if (!ring || ring->status != KEYRING_OK)
        return DENIAL_UNAVAILABLE;
    if (key_class == KEY_FOREIGN && !could_be_imported(key, len))
        return DENIAL_UNKNOWN;
    uint8_t digest[KEY_DIGEST_LEN];
    key_digest(st->secret, key, len, digest);
    keyring_entry_t *e = keyring_find(ring, digest);
    if (!e)
        return DENIAL_UNKNOWN;
    const named_policy_t *named = e->named ? &ring->named[e->named - 1] : NULL;
    v->named = named != NULL;
    if (e->expires_at != 0 && apikeys_now(st) >= e->expires_at) {
        v->named_expired = named && named->expires_at == e->expires_at;
        return DENIAL_EXPIRED;
    }
    if (!ring->api_enabled)
        return DENIAL_DISABLED;
    if (named) {
        int outcome = policy_outcome(named_policy_check(named, &st->limiter, v->client_addr, v->scope,
                                                        &v->retry_after));
        if (outcome != VERIFY_OK)
            return outcome;
        if (v->result)
            put_principal(v->result, named->principal, named->principal_len, named->label, named->label_len,
                          named->scopes, named->scopes_len);
        *found = e;
        return VERIFY_OK;
    }
    if (ring->site_policy) {
        int outcome = policy_outcome(
            key_policy_check(ring->site_policy, &st->limiter, e->key_id, v->client_addr, &v->retry_after));
        if (outcome != VERIFY_OK)
            return outcome;
    }
    if (v->result)
        put_principal(v->result, TEXT("apikeys:site"), "", 0, st->site_scopes, st->site_scopes_len);
    *found = e;
    return VERIFY_OK;
}

static int verify_key(apikeys_state_t *st, const char *key, size_t len, verify_ctx_t *v)
{
    if (len == 0)
        return DENIAL_MISSING;
    if (len > KEY_MAX_LEN)
        return DENIAL_MALFORMED;
    int key_class = key_parse_class(st->config.key_prefix, st->config.prefix_len, key, len);
    if (key_class == KEY_MALFORMED)
        return DENIAL_MALFORMED;

    unsigned slot;
    keyring_t *ring = guard_enter(&st->guard, &slot);
    uint64_t counter = store_counter(&st->store);
    if (ring && ring->epoch == counter && ring->status == KEYRING_OK) { /* fast path */
        keyring_entry_t *e;
        int outcome = verify_in(st, ring, key_class, key, len, v, &e);
        if (e)
            guard_count_use(&st->guard, slot, ring, e);
        guard_leave(&st->guard, slot);
        return outcome;
    }
    guard_leave(&st->guard, slot);

    store_serve(&st->store); /* the first verification makes this process a node (shared stores) */
    keyring_t *private_ring = apikeys_refresh(st);
    keyring_entry_t *e;
    int outcome;
    if (private_ring) {
        outcome = verify_in(st, private_ring, key_class, key, len, v, &e);
        if (e)
            usage_add_harvest(&st->usage, e->key_id, 1);
        keyring_free(private_ring);
        return outcome;
    }
    ring = guard_enter(&st->guard, &slot);
    outcome = verify_in(st, ring, key_class, key, len, v, &e);
    if (e)
        guard_count_use(&st->guard, slot, ring, e);
    guard_leave(&st->guard, slot);
    return outcome;
}

/* The invalid-key throttle, decided only after the key was verified: a valid key is never throttled. */
static int throttle_invalid(apikeys_state_t *st, int outcome, verify_ctx_t *v)
{
    if (outcome != DENIAL_MALFORMED && outcome != DENIAL_UNKNOWN && outcome != DENIAL_EXPIRED)
        return outcome;
    cidr_addr_t addr;
    if (cidr_addr_parse(v->client_addr, &addr) != 0)
        return outcome; /* no address to count it against ("local", none): denied as usual */
    if (limiter_note_invalid(&st->limiter, &addr, limiter_now_ns(), &v->retry_after) == LIMIT_EXCEEDED)
        return DENIAL_TOO_MANY_INVALID;
    v->retry_after = 0;
    return outcome;
}

static void log_limiter_once(apikeys_state_t *st)
{
    if (atomic_exchange_explicit(&st->limiter_logged, 1, memory_order_relaxed))
        return;
    char line[700];
    snprintf(line, sizeof line,
             "requests with an API key that has a rate limit are denied (503): the shared rate limit file cannot "
             "be used: %s",
             st->limiter.error[0] ? st->limiter.error : "its bucket table is full");
    apikeys_log(st, PANEL_LOG_ERROR, line);
}

static int verify_request(apikeys_state_t *st, const char *key, size_t len, verify_ctx_t *v)
{
    int outcome = verify_key(st, key, len, v);
    if (outcome != VERIFY_OK) {
        outcome = throttle_invalid(st, outcome, v);
        if (outcome == DENIAL_LIMITER_UNAVAILABLE)
            log_limiter_once(st);
        usage_note_denial(&st->usage, outcome, apikeys_now(st));
    }
    return outcome;
}

int apikeys_verify_request(apikeys_state_t *st, const char *key, size_t len, const char *client_addr,
                           int64_t *retry_after)
{
    verify_ctx_t v = {client_addr, NULL, 0, 0, 0, NULL};
    int outcome = verify_request(st, key, len, &v);
    *retry_after = v.retry_after;
    return outcome;
}

int apikeys_verify_key(apikeys_state_t *st, const char *key, size_t len)
{
    verify_ctx_t v = {NULL, NULL, 0, 0, 0, NULL};
    return verify_request(st, key, len, &v);
}

/* Copies text[0..n) into buf[0..len), truncated to len - 1 bytes and always NUL-terminated (what
 * snprintf("%s") did, without parsing a format on every rejected request). */
static void put_n(char *buf, size_t len, const char *text, size_t n)
{
    if (!buf || !len)
        return;
    if (n >= len)
        n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
}

static void put(char *buf, size_t len, const char *text)
{
    put_n(buf, len, text, strlen(text));
}


static const char malformed_head[] =
    "the API key is malformed (wrong length or checksum); it was probably mistyped or truncated: copy the whole ";
static const char malformed_tail[] = "... key again";

void apikeys_denial_texts_init(apikeys_state_t *st)
{
    char *out = st->malformed_message;
    size_t head = sizeof malformed_head - 1, prefix = strnlen(st->config.key_prefix, sizeof st->config.key_prefix);
    size_t tail = sizeof malformed_tail - 1;
    _Static_assert(sizeof malformed_head - 1 + sizeof(((apikeys_config_t *)0)->key_prefix) + sizeof malformed_tail <=
                       sizeof(((apikeys_state_t *)0)->malformed_message),
                   "malformed_message holds the longest prefix");
    memcpy(out, malformed_head, head);
    memcpy(out + head, st->config.key_prefix, prefix);
    memcpy(out + head + prefix, malformed_tail, tail + 1);
    st->malformed_message_len = head + prefix + tail;
}

void apikeys_describe_denial(int reason, const apikeys_state_t *st, panel_auth_result_t *result)
{
    static const size_t code_len[DENIAL_REASONS] = {
        sizeof "missing" - 1,        sizeof "malformed" - 1,        sizeof "unknown" - 1,
        sizeof "expired" - 1,        sizeof "disabled" - 1,         sizeof "store_unavailable" - 1,
        sizeof "ip_not_allowed" - 1, sizeof "rate_limited" - 1,     sizeof "too_many_invalid" - 1,
        sizeof "rate_limit_unavailable" - 1, sizeof "scope" - 1};
    if (reason < 0 || reason >= DENIAL_REASONS)
        reason = DENIAL_UNKNOWN;
    char *msg = result->message;
    size_t msg_len = result->message_len;
    int status = 401;
    switch (reason) {
    case DENIAL_MISSING:
        put_n(msg, msg_len,
              TEXT("no API key was sent; send the key in the X-API-Key header or as Authorization: Bearer <key>"));
        break;
    case DENIAL_MALFORMED:
        put_n(msg, msg_len, st->malformed_message, st->malformed_message_len);
        break;
    case DENIAL_EXPIRED:
        put_n(msg, msg_len,
              TEXT("this API key was replaced and its grace period has ended; update the tool with the current key"));
        break;
    case DENIAL_DISABLED:
        status = 403;
        put_n(msg, msg_len,
              TEXT("the API is disabled for this store; the store owner can enable it under Settings > API Key"));
        break;
    case DENIAL_IP_NOT_ALLOWED:
        status = 403;
        put_n(msg, msg_len,
              TEXT("requests with this API key are not allowed from this address; the store owner can add it to "
                   "allowed_ips under Settings > API Key"));
        break;
    case DENIAL_RATE_LIMITED:
        status = 429;
        put_n(msg, msg_len,
              TEXT("this API key sent more requests than its rate limit allows; wait the seconds in Retry-After and "
                   "try again (the store owner sets rate_limit under Settings > API Key)"));
        break;
    case DENIAL_TOO_MANY_INVALID:
        status = 429;
        put_n(msg, msg_len,
              TEXT("more than 30 invalid API keys a minute came from this address; update the tool with the "
                   "current key (a request with the valid key is still accepted)"));
        break;
    case DENIAL_SCOPE:
        status = 403;
        put_n(msg, msg_len,
              TEXT("this API key does not hold the scope this route requires; the store owner can add it to the key "
                   "under Settings > API Key (Edit)"));
        break;
    case DENIAL_LIMITER_UNAVAILABLE:
        status = 503;
        put_n(msg, msg_len,
              TEXT("the rate limit of this API key cannot be checked right now, so no request is allowed; try "
                   "again later or tell the store owner"));
        break;
    case DENIAL_UNAVAILABLE:
        status = 503;
        put_n(msg, msg_len,
              TEXT("the key store cannot be read right now, so no request is allowed; try again later or tell the "
                   "store owner"));
        break;
    default:
        put_n(msg, msg_len,
              TEXT("the key is not valid for this store; it may have been reset: ask the store owner for the current "
                   "key"));
        break;
    }
    result->http_status = status;
    put_n(result->error_code, result->error_code_len, denial_names[reason], code_len[reason]);
}

#define CREDENTIAL_NONE 0      /* no credential of ours: abstain (plugin.h), the host answers 401 missing */
#define CREDENTIAL_FOUND 1
#define CREDENTIAL_CONFLICT 2  /* X-API-Key and Authorization: Bearer carry different values */

/* The Bearer credential of an Authorization header, or NULL (absent, empty or another scheme: not ours). */
static const char *bearer_of(const char *auth)
{
    if (!auth || auth[0] == '\0' || strncasecmp(auth, "Bearer", 6) != 0 || (auth[6] != ' ' && auth[6] != '\0'))
        return NULL;
    const char *p = auth + 6;
    while (*p == ' ')
        p++;
    return p;
}

/* Finds the key in X-API-Key or Authorization: Bearer. Both present with different values is a conflict: a
 * tool that sends a stale key in one header must not be let in by the other. A Bearer header with no value
 * is a credential of ours that is missing (401 missing); no header of ours at all abstains. */
static int find_credential(const panel_request_t *request, const char **key_out)
{
    const char *key = request->header(request, "X-API-Key");
    const char *bearer = bearer_of(request->header(request, "Authorization"));
    if (key && key[0] != '\0') {
        if (bearer && strcmp(bearer, key) != 0)
            return CREDENTIAL_CONFLICT;
        *key_out = key;
        return CREDENTIAL_FOUND;
    }
    if (bearer) {
        *key_out = bearer;
        return CREDENTIAL_FOUND;
    }
    return CREDENTIAL_NONE;
}

int32_t apikeys_authenticate(void *state, const panel_request_t *request, panel_auth_result_t *result)
{
    apikeys_state_t *st = state;
    if (!st || !request || !result || request->struct_size < offsetof(panel_request_t, header) + sizeof(void *) ||
        !request->header) {
        if (result) {
            result->http_status = 503;
            put(result->error_code, result->error_code_len, "store_unavailable");
            put(result->message, result->message_len, "the request could not be checked; try again later");
        }
        return PANEL_AUTH_DENY;
    }
    const char *key = NULL;
    int found = find_credential(request, &key);
    if (found == CREDENTIAL_NONE)
        return PANEL_AUTH_ABSTAIN;
    if (found == CREDENTIAL_CONFLICT) {
        result->http_status = 400;
        put(result->error_code, result->error_code_len, "conflicting_credentials");
        put(result->message, result->message_len,
            "the request carries two different credentials (X-API-Key and Authorization: Bearer); send the key in "
            "one header only");
        return PANEL_AUTH_DENY;
    }
    size_t len = strnlen(key, KEY_MAX_LEN + 1);
    /* The site key holds every scope of the host's catalogue, so it needs no check of request->scope (1.1); a
     * named key holds only its own. A request of the 1.0 layout cannot say which scope its route needs: the
     * empty scope, which no key holds, refuses a named key there (fail closed) and leaves the site key alone. */
    const char *scope = PANEL_HAS_FIELD(panel_request_t, request, scope) ? request->scope : "";
    verify_ctx_t v = {request->client_addr, scope, 0, 0, 0, result};
    int outcome = verify_request(st, key, len, &v);
    if (outcome == VERIFY_OK)
        return PANEL_AUTH_ALLOW;
    apikeys_describe_denial(outcome, st, result);
    if (outcome == DENIAL_EXPIRED && v.named_expired)
        put(result->message, result->message_len,
            "this API key has expired; ask the store owner for a new key (Settings > API Key, Create key)");
    if (outcome == DENIAL_SCOPE && scope && scope[0])
        snprintf(result->message, result->message_len,
                 "this API key does not hold the scope %.64s, which this route requires; the store owner can add it "
                 "to the key under Settings > API Key (Edit)",
                 scope);
    else if (outcome == DENIAL_SCOPE)
        put(result->message, result->message_len,
            "this server does not say which scope its API routes require (an ABI 1.0 host), so keys with limited "
            "scopes are refused here; use the site key");
    if (outcome == DENIAL_IP_NOT_ALLOWED && request->client_addr)
        snprintf(result->message, result->message_len,
                 v.named ? "requests with this API key are not allowed from %.64s; the store owner can add it to the "
                           "key's allowed IPs under Settings > API Key (Edit)"
                         : "requests with this API key are not allowed from %.64s; the store owner can add it to "
                           "allowed_ips under Settings > API Key",
                 request->client_addr);
    if (outcome == DENIAL_RATE_LIMITED && v.named)
        put(result->message, result->message_len,
            "this API key sent more requests than its rate limit allows; wait the seconds in Retry-After and try "
            "again (the store owner sets the key's rate limit under Settings > API Key, Edit)");
    if (v.retry_after > 0 && PANEL_HAS_FIELD(panel_auth_result_t, result, retry_after))
        result->retry_after = v.retry_after;
    return PANEL_AUTH_DENY;
}
