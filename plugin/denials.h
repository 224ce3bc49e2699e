/* denials.h - why a request was refused: the reasons the verify path returns, the error codes a host sends
 * for them, and the order the status page lists them in. Shared by the verify path, the usage counters and
 * every store backend (which keeps a count and a last time per reason). */
#ifndef APIKEYS_DENIALS_H
#define APIKEYS_DENIALS_H

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
#define DENIAL_REASONS 11

/* The error code of each reason ("missing", ..., "store_unavailable"), also its key in a store's counters. */
extern const char *const denial_names[DENIAL_REASONS];

#endif
