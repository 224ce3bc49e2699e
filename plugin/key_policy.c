/* key_policy.c - building the precomputed policy and checking a request against it (see key_policy.h). */
#include "key_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel/plugin.h"

int32_t key_policy_build(const char *allowed_ips, int64_t rate_limit, key_policy_t **out, char *err,
                         size_t err_len)
{
    *out = NULL;
    if (rate_limit < 0 || rate_limit > KEY_RATE_LIMIT_MAX) {
        snprintf(err, err_len, "the stored rate limit %lld is outside 0..%u; set rate_limit again",
                 (long long)rate_limit, KEY_RATE_LIMIT_MAX);
        return PANEL_E_INVALID;
    }
    key_policy_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, err_len, "out of memory while loading the key policy");
        return PANEL_E_NOMEM;
    }
    char why[400];
    const char *text = allowed_ips ? allowed_ips : "";
    if (cidr_list_parse(text, strlen(text), &p->allowed, NULL, 0, why, sizeof why) != PANEL_OK) {
        snprintf(err, err_len, "the stored allowed IPs are not valid (%s); set allowed_ips again", why);
        free(p);
        return PANEL_E_INVALID;
    }
    p->rate_limit = (uint32_t)rate_limit;
    if (p->allowed.n == 0 && p->rate_limit == 0) {
        free(p);
        return PANEL_OK;
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

int key_policy_check(const key_policy_t *p, limiter_t *limiter, int64_t key_id, const char *client_addr,
                     int64_t *retry_after_s)
{
    *retry_after_s = 0;
    if (p->allowed.n) {
        cidr_addr_t addr;
        if (cidr_addr_parse(client_addr, &addr) != 0 || !cidr_list_match(&p->allowed, &addr))
            return POLICY_IP_NOT_ALLOWED; /* an unknown address is not an allowed one (fail closed) */
    }
    if (p->rate_limit) {
        int r = limiter_take_key(limiter, key_id, p->rate_limit, limiter_now_ns(), retry_after_s);
        if (r == LIMIT_EXCEEDED)
            return POLICY_RATE_LIMITED;
        if (r != LIMIT_OK)
            return POLICY_LIMITER_UNAVAILABLE;
    }
    return POLICY_OK;
}
