/* denials.c - the denial table: one row per denial (see denials.h). The answer to a refused request is copied
 * from its row; only the one detail a row marks (DENIAL_DETAIL) comes from the request. */
#include "denials.h"

#define T(literal) {literal, sizeof(literal) - 1}
#define NONE {"", 0}
#define D DENIAL_DETAIL

const denial_t denial_table[DENIAL_ROWS] = {
    [DENIAL_MISSING] = {T("missing"), 401,
                        T("no API key was sent; send the key in the X-API-Key header or as Authorization: Bearer "
                          "<key>"),
                        NONE},
    /* The detail is the configured key prefix. */
    [DENIAL_MALFORMED] = {T("malformed"), 401,
                          T("the API key is malformed (wrong length or checksum); it was probably mistyped or "
                            "truncated: copy the whole " D "... key again"),
                          NONE},
    [DENIAL_UNKNOWN] = {T("unknown"), 401,
                        T("the key is not valid for this store; it may have been reset: ask the store owner for the "
                          "current key"),
                        NONE},
    /* The named message: the named key itself expired (a named key's replaced value gets the message). */
    [DENIAL_EXPIRED] = {T("expired"), 401,
                        T("this API key was replaced and its grace period has ended; update the tool with the current "
                          "key"),
                        T("this API key has expired; ask the store owner for a new key (Settings > API Key, Create "
                          "key)")},
    [DENIAL_DISABLED] = {T("disabled"), 403,
                         T("the API is disabled for this store; the store owner can enable it under Settings > API "
                           "Key"),
                         NONE},
    [DENIAL_UNAVAILABLE] = {T("store_unavailable"), 503,
                            T("the key store cannot be read right now, so no request is allowed; try again later or "
                              "tell the store owner"),
                            NONE},
    /* The detail is the client address ("this address" when the host gave none). */
    [DENIAL_IP_NOT_ALLOWED] = {T("ip_not_allowed"), 403,
                               T("requests with this API key are not allowed from " D "; the store owner can add it "
                                 "to allowed_ips under Settings > API Key"),
                               T("requests with this API key are not allowed from " D "; the store owner can add it "
                                 "to the key's allowed IPs under Settings > API Key (Edit)")},
    [DENIAL_RATE_LIMITED] = {T("rate_limited"), 429,
                             T("this API key sent more requests than its rate limit allows; wait the seconds in "
                               "Retry-After and try again (the store owner sets rate_limit under Settings > API "
                               "Key)"),
                             T("this API key sent more requests than its rate limit allows; wait the seconds in "
                               "Retry-After and try again (the store owner sets the key's rate limit under Settings "
                               "> API Key, Edit)")},
    [DENIAL_TOO_MANY_INVALID] = {T("too_many_invalid"), 429,
                                 T("more than 30 invalid API keys a minute came from this address; update the tool "
                                   "with the current key (a request with the valid key is still accepted)"),
                                 NONE},
    [DENIAL_LIMITER_UNAVAILABLE] = {T("rate_limit_unavailable"), 503,
                                    T("the rate limit of this API key cannot be checked right now, so no request is "
                                      "allowed; try again later or tell the store owner"),
                                    NONE},
    /* Only a named key is refused for its scopes; the detail is the route's scope. */
    [DENIAL_SCOPE] = {T("scope"), 403,
                      T("this API key does not hold the scope " D ", which this route requires; the store owner can "
                        "add it to the key under Settings > API Key (Edit)"),
                      NONE},
    /* The detail is the date of the report ("2026-12-06 23:45 UTC"). */
    [DENIAL_LEAKED] = {T("leaked"), 401,
                       T("this key was reported as leaked on " D " and revoked; ask the store owner for a new key"),
                       NONE},
    [DENIAL_SCOPE_UNSTATED] = {T("scope"), 403,
                               T("this server does not say which scope its API routes require (an ABI 1.0 host), so "
                                 "keys with limited scopes are refused here; use the site key"),
                               NONE},
    [DENIAL_CONFLICT] = {T("conflicting_credentials"), 400,
                         T("the request carries two different credentials (X-API-Key and Authorization: Bearer, or "
                           "two X-API-Key values); send the key in one header only"),
                         NONE},
    [DENIAL_BAD_REQUEST] = {T("bad_request"), 400,
                            T("the request could not be checked: the host handed the API Keys provider an "
                              "incomplete request"),
                            NONE},
};
