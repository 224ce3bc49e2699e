/* key_policy.c - building the precomputed policy (parsed CIDRs, scope bits) and checking a request against it
 * (see key_policy.h). */
#include "key_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"

/* Parses the stored allow-list and rate limit into p (whatever they are: an empty policy is valid). */
static int32_t parse_policy(key_policy_t *p, const char *allowed_ips, int64_t rate_limit, char *err, size_t err_len)
{
    if (rate_limit < 0 || rate_limit > KEY_RATE_LIMIT_MAX) {
        snprintf(err, err_len, "the stored rate limit %lld is outside 0..%u; set rate_limit again",
                 (long long)rate_limit, KEY_RATE_LIMIT_MAX);
        return PANEL_E_INVALID;
    }
    char why[400];
    const char *text = allowed_ips ? allowed_ips : "";
    if (cidr_list_parse(text, strlen(text), &p->allowed, NULL, 0, why, sizeof why) != PANEL_OK) {
        snprintf(err, err_len, "the stored allowed IPs are not valid (%s); set allowed_ips again", why);
        return PANEL_E_INVALID;
    }
    p->rate_limit = (uint32_t)rate_limit;
    return PANEL_OK;
}

int32_t key_policy_build(const char *allowed_ips, int64_t rate_limit, key_policy_t **out, char *err,
                         size_t err_len)
{
    *out = NULL;
    key_policy_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, err_len, "out of memory while loading the key policy");
        return PANEL_E_NOMEM;
    }
    int32_t rc = parse_policy(p, allowed_ips, rate_limit, err, err_len);
    if (rc != PANEL_OK || (p->allowed.n == 0 && p->rate_limit == 0)) {
        free(p);
        return rc;
    }
    *out = p;
    return PANEL_OK;
}

void key_policy_free(key_policy_t *p)
{
    free(p);
}

int32_t key_policy_parse_rate(const char *text, size_t len, int64_t *out, char *err, size_t err_len)
{
    int64_t v = 0;
    int ok = len >= 1 && len <= 7 && (len == 1 || text[0] != '0');
    for (size_t i = 0; ok && i < len; i++) {
        ok = text[i] >= '0' && text[i] <= '9';
        v = v * 10 + (text[i] - '0');
    }
    if (!ok || v > KEY_RATE_LIMIT_MAX) {
        snprintf(err, err_len,
                 "the rate limit must be a whole number of requests per minute from 0 (no limit) to %u, without "
                 "spaces or signs",
                 KEY_RATE_LIMIT_MAX);
        return PANEL_E_INVALID;
    }
    *out = v;
    return PANEL_OK;
}

/* IP allow-list: 1 when the address may use the key. An unknown address is not an allowed one (fail closed). */
static int address_allowed(const key_policy_t *p, const char *client_addr)
{
    if (!p->allowed.n)
        return 1;
    cidr_addr_t addr;
    return cidr_addr_parse(client_addr, &addr) == 0 && cidr_list_match(&p->allowed, &addr);
}

/* Takes a token of `bucket` when the policy has a rate limit. */
static int take_token(const key_policy_t *p, limiter_t *limiter, int64_t bucket, int64_t *retry_after_s)
{
    if (!p->rate_limit)
        return POLICY_OK;
    int r = limiter_take_key(limiter, bucket, p->rate_limit, limiter_now_ns(), retry_after_s);
    if (r == LIMIT_EXCEEDED)
        return POLICY_RATE_LIMITED;
    return r == LIMIT_OK ? POLICY_OK : POLICY_LIMITER_UNAVAILABLE;
}

/* The rate-limit buckets: one for the site key, shared by its current and grace values (a grace period does not
 * double the limit), and one per named key, shared by its values likewise (SITE_BUCKET + its id, >= 1). */
#define SITE_BUCKET (INT64_C(1) << 62)

int key_policy_check(const key_policy_t *p, limiter_t *limiter, const char *client_addr, int64_t *retry_after_s)
{
    *retry_after_s = 0;
    if (!address_allowed(p, client_addr))
        return POLICY_IP_NOT_ALLOWED;
    return take_token(p, limiter, SITE_BUCKET, retry_after_s);
}

uint64_t scope_table_bit(const scope_table_t *t, const char *scope)
{
    if (!t)
        return 0;
    size_t n = strnlen(scope, PANEL_ID_MAX + 1);
    if (n == 0 || n > PANEL_ID_MAX)
        return 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->len[i] == n && memcmp(t->id[i], scope, n) == 0)
            return UINT64_C(1) << i;
    return 0;
}

/* The bit of item[0..n) in *tp, added (and the table allocated) when new; 0 when the table is full or memory
 * ran out (*nomem says which). */
static uint64_t scope_table_add(scope_table_t **tp, const char *item, size_t n, int *nomem)
{
    if (!*tp && !(*tp = calloc(1, sizeof **tp))) {
        *nomem = 1;
        return 0;
    }
    scope_table_t *t = *tp;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->len[i] == n && memcmp(t->id[i], item, n) == 0)
            return UINT64_C(1) << i;
    if (t->n == SCOPE_BITS_MAX)
        return 0;
    memcpy(t->id[t->n], item, n);
    t->id[t->n][n] = '\0';
    t->len[t->n] = (uint8_t)n;
    return UINT64_C(1) << t->n++;
}

/* The mask of a stored scope list. An empty item or one longer than any id grants nothing (no route scope can
 * equal it) and takes no bit. */
static int32_t scope_mask_build(scope_table_t **table, int64_t named_id, const char *scopes, size_t len,
                                uint64_t *mask, char *err, size_t err_len)
{
    *mask = 0;
    for (const char *at = scopes, *end = scopes + len; at < end;) {
        const char *comma = memchr(at, ',', (size_t)(end - at));
        size_t n = comma ? (size_t)(comma - at) : (size_t)(end - at);
        if (n > 0 && n <= PANEL_ID_MAX) {
            int nomem = 0;
            uint64_t bit = scope_table_add(table, at, n, &nomem);
            if (!bit) {
                if (nomem)
                    snprintf(err, err_len, "out of memory while loading the named keys' scopes");
                else
                    snprintf(err, err_len, "the named keys hold more than %u different scopes (named key %lld); a "
                             "host's catalogue has at most %u: edit the key and choose its scopes again",
                             SCOPE_BITS_MAX, (long long)named_id, SCOPE_BITS_MAX);
                return nomem ? PANEL_E_NOMEM : PANEL_E_INVALID;
            }
            *mask |= bit;
        }
        at = comma ? comma + 1 : end;
    }
    return PANEL_OK;
}

int32_t named_policy_build(named_policy_t *p, scope_table_t **table, int64_t named_id, const char *label,
                           const char *scopes, const char *allowed_ips, int64_t rate_limit, int64_t expires_at,
                           char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    size_t scopes_len = scopes ? strlen(scopes) : 0;
    if (named_id <= 0 || scopes_len == 0 || scopes_len >= sizeof p->scopes) {
        snprintf(err, err_len, "named key %lld has no valid scope list; edit the key and choose its scopes again",
                 (long long)named_id);
        return PANEL_E_INVALID;
    }
    int32_t rc = parse_policy(&p->policy, allowed_ips, rate_limit, err, err_len);
    if (rc == PANEL_OK)
        rc = scope_mask_build(table, named_id, scopes, scopes_len, &p->scope_mask, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    p->named_id = named_id;
    p->expires_at = expires_at;
    p->bucket = SITE_BUCKET + named_id;
    memcpy(p->scopes, scopes, scopes_len + 1);
    p->scopes_len = scopes_len;
    int n = snprintf(p->principal, sizeof p->principal, "apikeys:key:%lld", (long long)named_id);
    p->principal_len = n > 0 && (size_t)n < sizeof p->principal ? (size_t)n : strlen(p->principal);
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->label_len = strlen(p->label);
    return PANEL_OK;
}

int scope_list_has(const char *list, size_t list_len, const char *scope)
{
    size_t n = strlen(scope);
    if (n == 0)
        return 0;
    for (const char *at = list, *end = list + list_len; at + n <= end;) {
        const char *comma = memchr(at, ',', (size_t)(end - at));
        size_t item = comma ? (size_t)(comma - at) : (size_t)(end - at);
        if (item == n && memcmp(at, scope, n) == 0)
            return 1;
        if (!comma)
            break;
        at = comma + 1;
    }
    return 0;
}

int named_policy_check(const named_policy_t *p, const scope_table_t *table, limiter_t *limiter,
                       const char *client_addr, const char *scope, int64_t *retry_after_s)
{
    *retry_after_s = 0;
    if (!address_allowed(&p->policy, client_addr))
        return POLICY_IP_NOT_ALLOWED;
    if (scope && !(p->scope_mask & scope_table_bit(table, scope)))
        return POLICY_SCOPE;
    return take_token(&p->policy, limiter, p->bucket, retry_after_s);
}
