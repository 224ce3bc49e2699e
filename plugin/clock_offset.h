/* clock_offset.h - a node's measured offset from the key store's clock (see clock_offset.c): which measurement it
 * keeps, whether that measurement lets it serve, and the words for why not. No locks: the caller (pg_node.c) holds its
 * node mutex. */
#ifndef APIKEYS_CLOCK_OFFSET_H
#define APIKEYS_CLOCK_OFFSET_H

#include <stddef.h>
#include <stdint.h>

/* A round trip slower than this gives a sample that is kept only when it is no worse than the one kept. */
#define CLOCK_SLOW_ROUND_TRIP_MS 1000

typedef struct clock_offset {
    int has;           /* a measurement is kept */
    int64_t offset_ms; /* the key store's clock minus this machine's, as estimated */
    int64_t err_ms;    /* the true offset lies within offset_ms +/- err_ms */
} clock_offset_t;

/* What the kept measurement says of max_clock_offset. */
#define CLOCK_WITHIN 0 /* surely within it (|offset| + err <= max): the node may serve */
#define CLOCK_UNSURE 1 /* nothing measured yet, or the error straddles the bound: the node cannot tell; refuses */
#define CLOCK_OVER 2   /* surely over it (|offset| - err > max): the node refuses until a measurement is within */

/* The error bound of a midpoint estimate over a round trip of round_trip_ms (half of it, plus the milliseconds the
 * two clocks' readings were truncated to). */
int64_t clock_offset_error_ms(int64_t round_trip_ms);

/* Offers one sample (offset_ms over a round trip of round_trip_ms). It is kept when there is none yet, when its
 * round trip was not slow, or when it is no worse than the kept one; a slow sample never replaces a better one.
 * Returns 1 when kept. */
int clock_offset_take(clock_offset_t *c, int64_t offset_ms, int64_t round_trip_ms);

/* CLOCK_WITHIN, CLOCK_UNSURE or CLOCK_OVER for the kept measurement and a bound of max_ms. */
int clock_offset_verdict(const clock_offset_t *c, int64_t max_ms);

/* "30.0 s behind" / "2.5 s ahead of" for offset_ms (the key store's clock minus this machine's). */
void clock_offset_describe(int64_t offset_ms, char *out, size_t out_len);

/* Why a node with this measurement and verdict refuses every key, for its log and status (no secret in it):
 * surely over names the offset, the bound and the fix (NTP); unsure says it cannot tell yet and measures again. */
void clock_offset_explain(const clock_offset_t *c, int verdict, unsigned max_s, char *out, size_t out_len);

#endif
