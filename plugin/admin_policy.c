/* admin_policy.c - the site key's policy fields on Settings > API Key: allowed_ips (CIDR list, IPv4 and IPv6,
 * empty = any address) and rate_limit (requests per minute, 0 = none). Each save is a committing change
 * (apikeys_write: every process and node verifies with it before the call returns) with an audit row. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cidr.h"
#include "key_policy.h"

static int32_t read_policy(apikeys_state_t *st, void *p, char *err, size_t err_len)
{
    return store_get_site_policy(&st->store, p, err, err_len);
}

static int32_t get_policy(apikeys_state_t *st, const panel_caller_t *caller, store_site_policy_t *p, char *err,
                          size_t err_len)
{
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    return apikeys_read(st, read_policy, p, err, err_len);
}

int32_t admin_field_allowed_ips_get(void *state, const panel_caller_t *caller, char *out, size_t out_len,
                                    char *err, size_t err_len)
{
    static store_site_policy_t none;
    store_site_policy_t p = none;
    int32_t rc = get_policy(state, caller, &p, err, err_len);
    if (rc == PANEL_OK)
        snprintf(out, out_len, "%s", p.allowed_ips);
    return rc;
}

int32_t admin_field_rate_limit_get(void *state, const panel_caller_t *caller, char *out, size_t out_len,
                                   char *err, size_t err_len)
{
    static store_site_policy_t none;
    store_site_policy_t p = none;
    int32_t rc = get_policy(state, caller, &p, err, err_len);
    if (rc == PANEL_OK)
        snprintf(out, out_len, "%lld", (long long)p.rate_limit);
    return rc;
}

int32_t admin_field_allowed_ips_validate(void *state, const char *value, size_t value_len, char *err,
                                         size_t err_len)
{
    (void)state;
    cidr_list_t list;
    return cidr_list_parse(value, value_len, &list, NULL, 0, err, err_len);
}

int32_t admin_field_rate_limit_validate(void *state, const char *value, size_t value_len, char *err,
                                        size_t err_len)
{
    (void)state;
    int64_t v;
    return key_policy_parse_rate(value, value_len, &v, err, err_len);
}

typedef struct policy_ctx {
    const panel_caller_t *caller;
    const char *allowed_ips;   /* canonical, or NULL: unchanged */
    int64_t rate_limit;        /* < 0: unchanged */
    const char *action;
    char outcome[600];
} policy_ctx_t;

static int32_t set_policy_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    policy_ctx_t *c = vctx;
    int32_t rc = store_set_site_policy(&st->store, c->allowed_ips, c->rate_limit, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    char origin[96];
    admin_caller_origin(c->caller, origin, sizeof origin);
    return store_audit(&st->store, apikeys_now(st), admin_caller_user(c->caller), origin, c->action, c->outcome,
                       NULL, msg, msg_len);
}

/* The shared part of both setters: permission, then the committing write; msg gets `done` or the reason. */
static int32_t save(apikeys_state_t *st, policy_ctx_t *c, const char *done, char *msg, size_t msg_len)
{
    char why[512], report[768];
    int32_t rc = apikeys_write(st, set_policy_tx, c, why, sizeof why, report, sizeof report);
    if (rc != PANEL_OK) {
        admin_audit_refusal(st, c->caller, c->action, rc == PANEL_E_STORE ? "failed" : "refused", why);
        snprintf(msg, msg_len, "%s", why);
        return rc;
    }
    snprintf(msg, msg_len, "%s%s%s", done, report[0] ? " " : "", report);
    return PANEL_OK;
}

static int32_t refuse(apikeys_state_t *st, const panel_caller_t *caller, const char *action, int32_t rc,
                      const char *why, char *msg, size_t msg_len)
{
    admin_audit_refusal(st, caller, action, "refused", why);
    snprintf(msg, msg_len, "%s", why);
    return rc;
}

int32_t admin_field_allowed_ips_set(void *state, const panel_caller_t *caller, const char *value,
                                    size_t value_len, char *msg, size_t msg_len)
{
    apikeys_state_t *st = state;
    static const char action[] = "allowed IPs change";
    char why[512];
    if (!admin_caller_allowed(caller)) {
        admin_refuse_permission(why, sizeof why);
        return refuse(st, caller, action, PANEL_E_DENIED, why, msg, msg_len);
    }
    char canon[STORE_ALLOWED_IPS_MAX];
    cidr_list_t list;
    if (cidr_list_parse(value ? value : "", value ? value_len : 0, &list, canon, sizeof canon, why, sizeof why) !=
        PANEL_OK)
        return refuse(st, caller, action, PANEL_E_INVALID, why, msg, msg_len);
    policy_ctx_t c = {.caller = caller, .allowed_ips = canon, .rate_limit = -1, .action = action};
    snprintf(c.outcome, sizeof c.outcome, "ok: %.580s", canon[0] ? canon : "any address");
    char done[STORE_ALLOWED_IPS_MAX + 160];
    if (canon[0])
        snprintf(done, sizeof done,
                 "Allowed IPs saved: the API key is accepted only from %s (%u entr%s); other addresses get 403.",
                 canon, list.n, list.n == 1 ? "y" : "ies");
    else
        snprintf(done, sizeof done, "Allowed IPs cleared: the API key is accepted from any address.");
    return save(st, &c, done, msg, msg_len);
}

int32_t admin_field_rate_limit_set(void *state, const panel_caller_t *caller, const char *value, size_t value_len,
                                   char *msg, size_t msg_len)
{
    apikeys_state_t *st = state;
    static const char action[] = "rate limit change";
    char why[512];
    if (!admin_caller_allowed(caller)) {
        admin_refuse_permission(why, sizeof why);
        return refuse(st, caller, action, PANEL_E_DENIED, why, msg, msg_len);
    }
    int64_t rate = 0;
    if (key_policy_parse_rate(value ? value : "", value ? value_len : 0, &rate, why, sizeof why) != PANEL_OK)
        return refuse(st, caller, action, PANEL_E_INVALID, why, msg, msg_len);
    policy_ctx_t c = {.caller = caller, .allowed_ips = NULL, .rate_limit = rate, .action = action};
    char done[256];
    if (rate) {
        snprintf(c.outcome, sizeof c.outcome, "ok: %lld per minute", (long long)rate);
        snprintf(done, sizeof done,
                 "Rate limit saved: at most %lld requests a minute with the API key (a burst of %lld); more get 429 "
                 "with Retry-After.",
                 (long long)rate, (long long)rate);
    } else {
        snprintf(c.outcome, sizeof c.outcome, "ok: none");
        snprintf(done, sizeof done, "Rate limit removed: requests with the API key are not limited.");
    }
    return save(st, &c, done, msg, msg_len);
}
