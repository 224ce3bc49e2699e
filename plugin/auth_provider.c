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
    const panel_request_t *request; /* nullable: its User-Agent is read for the key's last caller */
    int64_t now;               /* the store's clock, read once per request */
    int counted;               /* the request was counted against the key found (usage_count) */
    const char *scope;         /* nullable: the scope the route requires (ABI 1.1) */
    int64_t retry_after;       /* seconds, for the 429s */
    int named_expired;         /* DENIAL_EXPIRED: the named key itself expired (not a grace period) */
    int named;                 /* the key found is a named key's (its denials point at the key's Edit) */
    /* nullable: an ALLOW's principal and scopes are written here, while the snapshot is still held */
    panel_auth_result_t *result;
    char leak_date[24];        /* DENIAL_LEAKED: the report's date, copied while the snapshot is held */
    size_t leak_date_len;
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

#define SUNSET_WARNING_S (7 * 86400) /* a named key expiring within this gets Sunset */

/* An ALLOW's announcement (ABI 1.3, when the host's result holds it): a value in its grace period is deprecated
 * since its reset (Deprecation, RFC 9745) and ends with its grace period (Sunset, RFC 8594); a named key within
 * SUNSET_WARNING_S of its expiry ends then (Sunset). Nothing for any other key. */
static void announce(const keyring_t *ring, const keyring_entry_t *e, const named_policy_t *named, int64_t now,
                     panel_auth_result_t *result)
{
    if (!PANEL_HAS_FIELD(panel_auth_result_t, result, sunset))
        return;
    if (e->occupied == KEYRING_SUPERSEDED || (!named && e->expires_at != 0)) {
        result->deprecation = named ? named->superseded_at : ring->site_superseded_at;
        result->sunset = e->expires_at;
    } else if (named && named->expires_at != 0 && named->expires_at - now <= SUNSET_WARNING_S) {
        result->sunset = named->expires_at;
    }
}

/* Verifies in `ring`; *found receives the key's entry whenever one matched, allowed or not. `locator`: the key's
 * locator when the caller computed it and started fetching its lines in `ring` already, else 0. */
static int verify_in(apikeys_state_t *st, keyring_t *ring, int key_class, const char *key, size_t len,
                     uint64_t locator, verify_ctx_t *v, keyring_entry_t **found)
{
    *found = NULL;
    if (!ring || ring->status != KEYRING_OK)
        return DENIAL_UNAVAILABLE;
    if (key_class == KEY_FOREIGN && !could_be_imported(key, len))
        return DENIAL_UNKNOWN;
    /* With many keys, fetch the key's slot first (a cache miss), then hash while it arrives. */
    if (keyring_locates(ring) && !locator) {
        locator = key_locator(st->locator_key, key, len);
        keyring_prefetch(ring, locator);
    }
    uint8_t digest[KEY_DIGEST_LEN];
    key_digest(st->secret, key, len, digest);
    keyring_entry_t *e = keyring_find(ring, locator, digest);
    if (!e) {
        const keyring_leak_t *leak = ring->n_leaks ? keyring_find_leak(ring, digest) : NULL;
        if (!leak || v->now - leak->reported_at >= LEAK_KEEP_SECONDS)
            return DENIAL_UNKNOWN;
        memcpy(v->leak_date, leak->date, sizeof v->leak_date);
        v->leak_date_len = leak->date_len;
        return DENIAL_LEAKED;
    }
    *found = e;
    const named_policy_t *named = e->named ? &ring->named[e->named - 1] : NULL;
    v->named = named != NULL;
    if (e->expires_at != 0 && v->now >= e->expires_at) {
        v->named_expired = named && named->expires_at == e->expires_at;
        return DENIAL_EXPIRED;
    }
    if (!ring->api_enabled)
        return DENIAL_DISABLED;
    if (named) {
        int outcome = policy_outcome(
            named_policy_check(named, ring->scopes, &st->limiter, v->client_addr, v->scope, &v->retry_after));
        if (outcome != VERIFY_OK)
            return outcome;
        if (v->result) {
            put_principal(v->result, named->principal, named->principal_len, named->label, named->label_len,
                          named->scopes, named->scopes_len);
            announce(ring, e, named, v->now, v->result);
        }
        return VERIFY_OK;
    }
    if (ring->site_policy) {
        int outcome = policy_outcome(
            key_policy_check(ring->site_policy, &st->limiter, v->client_addr, &v->retry_after));
        if (outcome != VERIFY_OK)
            return outcome;
    }
    if (v->result) {
        put_principal(v->result, TEXT("apikeys:site"), "", 0, st->site_scopes, st->site_scopes_len);
        announce(ring, e, NULL, v->now, v->result);
    }
    return VERIFY_OK;
}

static int throttle_invalid(apikeys_state_t *st, int outcome, verify_ctx_t *v);

/* A request whose key was found: an expired one meets the invalid-key throttle; the outcome as a usage count. */
static int found_outcome(apikeys_state_t *st, int outcome, verify_ctx_t *v, int *denial)
{
    if (outcome == DENIAL_EXPIRED)
        outcome = throttle_invalid(st, outcome, v);
    *denial = outcome == VERIFY_OK ? USAGE_ALLOWED : outcome;
    v->counted = 1;
    return outcome;
}

static int verify_key(apikeys_state_t *st, const char *key, size_t len, verify_ctx_t *v)
{
    if (len == 0)
        return DENIAL_MISSING;
    if (len > KEY_MAX_LEN)
        return DENIAL_MALFORMED;
    /* With many keys (a table placed by locators) the key's locator comes first: its SipHash runs beside the format
     * check, and the table lines it names are on their way (a miss) during the clock and BLAKE2b. A malformed key
     * then costs the hash too, in such a store only. */
    uint64_t locator = guard_hint_locates(&st->guard) ? key_locator(st->locator_key, key, len) : 0;
    int key_class = key_parse_class(st->config.key_prefix, st->config.prefix_len, key, len);
    if (key_class == KEY_MALFORMED)
        return DENIAL_MALFORMED;

    unsigned slot;
    int denial;
    keyring_t *ring = guard_enter(&st->guard, &slot);
    if (locator && ring && keyring_locates(ring))
        keyring_prefetch(ring, locator);
    else
        locator = 0; /* the snapshot held is not placed by locators: verify_in decides */
    v->now = apikeys_now(st);
    uint64_t counter = store_counter(&st->store);
    if (ring && ring->epoch == counter && ring->status == KEYRING_OK) { /* fast path */
        keyring_entry_t *e;
        int outcome = verify_in(st, ring, key_class, key, len, locator, v, &e);
        if (e) {
            outcome = found_outcome(st, outcome, v, &denial);
            guard_count(&st->guard, slot, ring, e, denial, v->now, v->client_addr, v->request);
        }
        guard_leave(&st->guard, slot);
        return outcome;
    }
    guard_leave(&st->guard, slot);

    store_serve(&st->store); /* the first verification makes this process a node (shared stores) */
    keyring_t *private_ring = apikeys_refresh(st);
    keyring_entry_t *e;
    int outcome;
    if (private_ring) {
        outcome = verify_in(st, private_ring, key_class, key, len, 0, v, &e);
        if (e) { /* a ring of this request alone: its one record goes to the pending list */
            usage_record_t recs[USAGE_RECORDS];
            memset(recs, 0, sizeof recs);
            outcome = found_outcome(st, outcome, v, &denial);
            usage_count(recs, private_ring, e, denial, v->now, v->client_addr, v->request);
            usage_records_harvest(recs, usage_add_harvest, &st->usage);
        }
        keyring_free(private_ring);
        return outcome;
    }
    ring = guard_enter(&st->guard, &slot);
    outcome = verify_in(st, ring, key_class, key, len, 0, v, &e);
    if (e) {
        outcome = found_outcome(st, outcome, v, &denial);
        guard_count(&st->guard, slot, ring, e, denial, v->now, v->client_addr, v->request);
    }
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
        if (!v->counted)
            outcome = throttle_invalid(st, outcome, v); /* a found key's was decided before it was counted */
        if (outcome == DENIAL_LIMITER_UNAVAILABLE)
            log_limiter_once(st);
        usage_note_denial(&st->usage, outcome, v->now ? v->now : apikeys_now(st), !v->counted);
    }
    return outcome;
}

int apikeys_verify_key(apikeys_state_t *st, const char *key, size_t len)
{
    verify_ctx_t v = {.client_addr = NULL};
    return verify_request(st, key, len, &v);
}

/* Copies text[0..n) into buf[0..len) from offset at, truncated to len - 1 bytes in all; returns the new offset. */
static size_t put_at(char *buf, size_t len, size_t at, const char *text, size_t n)
{
    if (at + 1 >= len)
        return at;
    if (n > len - 1 - at)
        n = len - 1 - at;
    memcpy(buf + at, text, n);
    return at + n;
}

/* Answers a denial from its table row: status, code, and the message (the named key's when `named` and the row
 * has one), with detail[0..detail_len) where the row marks it (at most 64 bytes of it). No formatting. */
static void answer_denial(panel_auth_result_t *result, int row, int named, const char *detail, size_t detail_len)
{
    if (row < 0 || row >= DENIAL_ROWS)
        row = DENIAL_UNKNOWN;
    const denial_t *d = &denial_table[row];
    const denial_text_t *m = named && d->named_message.len ? &d->named_message : &d->message;
    result->http_status = d->http_status;
    if (result->error_code && result->error_code_len)
        result->error_code[put_at(result->error_code, result->error_code_len, 0, d->code.text, d->code.len)] = '\0';
    if (!result->message || !result->message_len)
        return;
    const char *mark = memchr(m->text, DENIAL_DETAIL[0], m->len);
    size_t at;
    if (!mark) {
        at = put_at(result->message, result->message_len, 0, m->text, m->len);
    } else {
        at = put_at(result->message, result->message_len, 0, m->text, (size_t)(mark - m->text));
        at = put_at(result->message, result->message_len, at, detail, detail_len > 64 ? 64 : detail_len);
        at = put_at(result->message, result->message_len, at, mark + 1, m->len - (size_t)(mark + 1 - m->text));
    }
    result->message[at] = '\0';
}

#define CREDENTIAL_NONE 0      /* no credential of ours: abstain (plugin.h), the host answers 401 missing */
#define CREDENTIAL_FOUND 1
#define CREDENTIAL_CONFLICT 2  /* two different values: X-API-Key and Bearer, or within X-API-Key */

/* A header value's text without the optional whitespace (SP, HTAB) around it, which RFC 9110 says is not part
 * of the value: a host should strip it already, and this does again. */
static const char *trim_ows(const char *text, size_t n, size_t *len)
{
    while (n && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        n--;
    }
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    *len = n;
    return text;
}

/* The Bearer credential of an Authorization header into *len, or NULL (absent, empty or another scheme: not
 * ours). A Bearer with no value is ours, of length 0. */
static const char *bearer_of(const char *auth, size_t *len)
{
    if (!auth || auth[0] == '\0' || strncasecmp(auth, "Bearer", 6) != 0 || (auth[6] != ' ' && auth[6] != '\0'))
        return NULL;
    return trim_ows(auth + 6, strlen(auth + 6), len);
}

/* The one key of an X-API-Key value into *key, *len (len 0: none). A header sent more than once reaches the
 * provider as its values joined by commas (RFC 9110 field combination): the key when every entry, trimmed,
 * is the same (empty entries count for nothing), else CREDENTIAL_CONFLICT. A key of ours holds no comma; an
 * imported key that does can be sent as Authorization: Bearer, whose value is never split. */
static int x_api_key_of(const char *value, const char **key, size_t *len)
{
    *key = NULL;
    *len = 0;
    if (!value)
        return CREDENTIAL_NONE;
    for (const char *at = value;;) {
        const char *end = strchrnul(at, ','); /* one pass finds the comma or the end */
        size_t n;
        const char *entry = trim_ows(at, (size_t)(end - at), &n);
        if (n && !*len) {
            *key = entry;
            *len = n;
        } else if (n && (n != *len || memcmp(entry, *key, n) != 0)) {
            return CREDENTIAL_CONFLICT;
        }
        if (*end == '\0')
            break;
        at = end + 1;
    }
    return *len ? CREDENTIAL_FOUND : CREDENTIAL_NONE;
}

/* Finds the key in X-API-Key or Authorization: Bearer into *key_out, *len_out. Two different values are a
 * conflict: a tool that sends a stale key in one header (or one of two X-API-Key headers) must not be let in
 * by the other. A Bearer header with no value is a credential of ours that is missing (401 missing); no
 * header of ours at all abstains. */
static int find_credential(const panel_request_t *request, const char **key_out, size_t *len_out)
{
    size_t bearer_len = 0;
    const char *bearer = bearer_of(request->header(request, "Authorization"), &bearer_len);
    int found = x_api_key_of(request->header(request, "X-API-Key"), key_out, len_out);
    if (found == CREDENTIAL_FOUND && bearer && (bearer_len != *len_out || memcmp(bearer, *key_out, bearer_len) != 0))
        return CREDENTIAL_CONFLICT;
    if (found != CREDENTIAL_NONE)
        return found;
    if (bearer) {
        *key_out = bearer;
        *len_out = bearer_len;
        return CREDENTIAL_FOUND;
    }
    return CREDENTIAL_NONE;
}

/* The detail a denial's message names (denials.c): the key prefix, the client address, the route's scope. */
static void answer_verify_denial(const apikeys_state_t *st, panel_auth_result_t *result, int outcome,
                                 const verify_ctx_t *v, const char *scope)
{
    switch (outcome) {
    case DENIAL_MALFORMED:
        answer_denial(result, outcome, 0, st->config.key_prefix, st->config.prefix_len);
        return;
    case DENIAL_EXPIRED:
        answer_denial(result, outcome, v->named_expired, "", 0);
        return;
    case DENIAL_LEAKED:
        answer_denial(result, outcome, 0, v->leak_date, v->leak_date_len);
        return;
    case DENIAL_IP_NOT_ALLOWED:
        if (v->client_addr)
            answer_denial(result, outcome, v->named, v->client_addr, strnlen(v->client_addr, 64));
        else
            answer_denial(result, outcome, v->named, "this address", sizeof "this address" - 1);
        return;
    case DENIAL_SCOPE:
        if (scope && scope[0])
            answer_denial(result, outcome, v->named, scope, strnlen(scope, 64));
        else
            answer_denial(result, DENIAL_SCOPE_UNSTATED, v->named, "", 0);
        return;
    default:
        answer_denial(result, outcome, v->named, "", 0);
        return;
    }
}

int32_t apikeys_authenticate(void *state, const panel_request_t *request, panel_auth_result_t *result)
{
    apikeys_state_t *st = state;
    if (!result)
        return PANEL_AUTH_DENY;
    if (!st || !request || request->struct_size < offsetof(panel_request_t, header) + sizeof(void *) ||
        !request->header) {
        answer_denial(result, DENIAL_BAD_REQUEST, 0, "", 0);
        return PANEL_AUTH_DENY;
    }
    const char *key = NULL;
    size_t len = 0;
    int found = find_credential(request, &key, &len);
    if (found == CREDENTIAL_NONE)
        return PANEL_AUTH_ABSTAIN;
    if (found == CREDENTIAL_CONFLICT) {
        answer_denial(result, DENIAL_CONFLICT, 0, "", 0);
        return PANEL_AUTH_DENY;
    }
    /* The site key holds every scope of the host's catalogue, so it needs no check of request->scope (1.1); a
     * named key holds only its own. A request of the 1.0 layout cannot say which scope its route needs: the
     * empty scope, which no key holds, refuses a named key there (fail closed) and leaves the site key alone. */
    const char *scope = PANEL_HAS_FIELD(panel_request_t, request, scope) ? request->scope : "";
    verify_ctx_t v = {.client_addr = request->client_addr, .request = request, .scope = scope, .result = result};
    int outcome = verify_request(st, key, len, &v);
    if (outcome == VERIFY_OK)
        return PANEL_AUTH_ALLOW;
    answer_verify_denial(st, result, outcome, &v, scope);
    if (v.retry_after > 0 && PANEL_HAS_FIELD(panel_auth_result_t, result, retry_after))
        result->retry_after = v.retry_after;
    return PANEL_AUTH_DENY;
}
