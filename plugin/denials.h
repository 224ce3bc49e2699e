/* denials.h - why a request was refused: the reasons the verify path returns and one table row per denial
 * (code, HTTP status, message, named-key message) that a refused request's answer is copied from. The reasons
 * below DENIAL_REASONS are counted (a store keeps a count and a last time per reason, under its code, in the
 * order the status page lists them); the rows after them are answers the auth provider gives before any key is
 * verified, and are not counted. */
#ifndef APIKEYS_DENIALS_H
#define APIKEYS_DENIALS_H

#include <stddef.h>
#include <stdint.h>

#define DENIAL_MISSING 0
#define DENIAL_MALFORMED 1
#define DENIAL_UNKNOWN 2
#define DENIAL_EXPIRED 3
#define DENIAL_DISABLED 4
#define DENIAL_UNAVAILABLE 5
#define DENIAL_IP_NOT_ALLOWED 6      /* a valid key from an address outside its allow-list (403) */
#define DENIAL_RATE_LIMITED 7        /* a valid key over its rate limit (429, Retry-After) */
#define DENIAL_TOO_MANY_INVALID 8    /* more than 30 invalid keys a minute from one address (429, Retry-After) */
#define DENIAL_LIMITER_UNAVAILABLE 9 /* a key with a rate limit while the shared bucket file is unusable (503) */
#define DENIAL_SCOPE 10             /* a valid named key without the scope the route requires (403) */
#define DENIAL_LEAKED 11            /* a value reported as leaked within 90 days (401; leak_report.c) */
#define DENIAL_REASONS 12           /* the counted reasons: 0 .. DENIAL_REASONS - 1 */
#define DENIAL_SCOPE_UNSTATED 12    /* DENIAL_SCOPE (counted as it) from a host that names no route scope (1.0) */
#define DENIAL_CONFLICT 13          /* two different credentials in one request (400) */
#define DENIAL_BAD_REQUEST 14       /* the host handed an incomplete request or no state (400) */
#define DENIAL_ROWS 15

/* Where a message names the request's detail (the key prefix, the client address, the route's scope): the
 * text before DENIAL_DETAIL, the detail, then the text after it. */
#define DENIAL_DETAIL "\x01"

typedef struct denial_text {
    const char *text;  /* non-NULL; at most one DENIAL_DETAIL */
    size_t len;        /* strlen(text) */
} denial_text_t;

typedef struct denial {
    denial_text_t code;          /* "missing", ...: the error code sent, and the reason's key in a store's counters */
    int32_t http_status;
    denial_text_t message;       /* what the client is told */
    denial_text_t named_message; /* the same to a named key (pointing at the key's Edit); len 0: message */
} denial_t;

extern const denial_t denial_table[DENIAL_ROWS];

#endif
