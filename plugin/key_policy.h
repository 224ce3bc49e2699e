/* key_policy.h - the checks on a key the keyring already found (DESIGN.md, "Key policies"): the IP allow-list,
 * the route's scope and the rate limit, precomputed when a snapshot is loaded (parsed CIDRs, scope bitsets), so
 * a request does no parsing of the policy and no allocation. The site key's settings allowed_ips and rate_limit
 * apply to its current and grace key, which share one rate-limit bucket; each named key carries its own policy,
 * scopes and principal (named_policy_t).
 * Order of the checks: IP allow-list (403 ip_not_allowed), then, for a named key, the route's scope (403 scope),
 * then rate limit (429 rate_limited), so a request that would be refused anyway never spends a token. */
#ifndef APIKEYS_KEY_POLICY_H
#define APIKEYS_KEY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "limiter.h"
#include "panel/plugin.h"

#define KEY_RATE_LIMIT_MAX 1000000u  /* requests a minute */

typedef struct key_policy {
    cidr_list_t allowed;        /* n = 0: any address */
    uint32_t rate_limit;        /* requests a minute; 0 = none */
} key_policy_t;

#define POLICY_OK 0
#define POLICY_IP_NOT_ALLOWED 1
#define POLICY_RATE_LIMITED 2
#define POLICY_LIMITER_UNAVAILABLE 3
#define POLICY_SCOPE 4

/* The scopes a snapshot's named keys hold, each given one bit (its index here): a named key's scopes become one
 * 64-bit mask at load, and a request's route scope is looked up here once and tested against that mask. Each
 * id was checked against the host's catalogue (PANEL_EXT_API_SCOPES, at most 64 ids; a route's scope is always
 * one of them) when the key was written, so a route scope this table lacks is one no key holds: 403 scope. */
#define SCOPE_BITS_MAX 64u

typedef struct scope_table {
    uint32_t n;                               /* ids 0..n-1 */
    uint8_t len[SCOPE_BITS_MAX];              /* 1..PANEL_ID_MAX */
    char id[SCOPE_BITS_MAX][PANEL_ID_MAX + 1];
} scope_table_t;

/* [thread-safe] The bit of scope (NUL-terminated) in t, or 0 when t (nullable) does not hold it. */
uint64_t scope_table_bit(const scope_table_t *t, const char *scope);

/* A named key as a snapshot holds it: everything a request of it is checked against, parsed at load. */
typedef struct named_policy {
    int64_t named_id;
    int64_t expires_at;            /* the named key's own expiry (Unix seconds); 0 = never */
    int64_t superseded_at;         /* when its grace value was replaced (its reset); 0: none */
    int64_t bucket;                /* its rate-limit bucket: shared by its current and grace key */
    key_policy_t policy;           /* its allow-list and rate limit (n = 0, 0: none) */
    uint64_t scope_mask;           /* its scopes as bits of the snapshot's scope_table_t */
    char scopes[PANEL_SCOPES_MAX]; /* "store.read,deliveries.pull", as stored (an ALLOW's result names them) */
    size_t scopes_len;
    char principal[PANEL_PRINCIPAL_MAX]; /* "apikeys:key:<id>" */
    size_t principal_len;
    char label[PANEL_LABEL_MAX];   /* the owner's label, e.g. "Minecraft server" (whoami, ABI 1.2) */
    size_t label_len;
} named_policy_t;

/* Fills p from a named key's stored settings, giving each of its scopes a bit of the snapshot's table *table
 * (allocated here when NULL; the snapshot frees it). PANEL_OK, PANEL_E_NOMEM, or PANEL_E_INVALID (a stored value
 * this plugin would not accept, or more than SCOPE_BITS_MAX distinct scopes in one snapshot: the caller fails
 * closed) with a message. */
int32_t named_policy_build(named_policy_t *p, scope_table_t **table, int64_t named_id, const char *label,
                           const char *scopes, const char *allowed_ips, int64_t rate_limit, int64_t expires_at,
                           char *err, size_t err_len);

/* [thread-safe] 1 when the comma-separated list holds the scope (exact item match). For validating input; the
 * verify path tests bits. */
int scope_list_has(const char *list, size_t list_len, const char *scope);

/* [thread-safe] Checks a request of named key p from client_addr (nullable) for a route needing scope
 * (nullable: none), looked up in the snapshot's table (nullable: holds none). POLICY_*; *retry_after_s is
 * set for POLICY_RATE_LIMITED. */
int named_policy_check(const named_policy_t *p, const scope_table_t *table, limiter_t *limiter,
                       const char *client_addr, const char *scope, int64_t *retry_after_s);

/* Builds the policy from the stored settings. *out = NULL when there is nothing to check (empty list, no
 * limit). PANEL_OK, PANEL_E_INVALID (a stored value this plugin would not accept: the caller fails closed) or
 * PANEL_E_NOMEM, with a message. */
int32_t key_policy_build(const char *allowed_ips, int64_t rate_limit, key_policy_t **out, char *err,
                         size_t err_len);
void key_policy_free(key_policy_t *p);

/* Validates a rate limit as typed ("0".."1000000"); PANEL_OK with *out, or PANEL_E_INVALID with a message. */
int32_t key_policy_parse_rate(const char *text, size_t len, int64_t *out, char *err, size_t err_len);

/* [thread-safe] Checks a request of the site key (its current or grace value: one rate-limit bucket for both)
 * from client_addr (nullable). POLICY_*; *retry_after_s is set for POLICY_RATE_LIMITED. */
int key_policy_check(const key_policy_t *p, limiter_t *limiter, const char *client_addr, int64_t *retry_after_s);

#endif
