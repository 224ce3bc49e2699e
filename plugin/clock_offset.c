/* clock_offset.c - a node's measured offset from the key store's clock: the error bound of one sample, which
 * sample is kept, the verdict on max_clock_offset, and the words for a refusal. Fail closed: a node may serve only while its kept
 * measurement is surely within the bound; when it cannot tell (no measurement, or one whose error straddles the
 * bound) it refuses like a node that is surely over, and measures again at its next renewal. */
#include "clock_offset.h"

#include <stdio.h>

int64_t clock_offset_error_ms(int64_t round_trip_ms)
{
    if (round_trip_ms < 0)
        round_trip_ms = 0;
    /* The database read its clock somewhere within the round trip; the estimate takes the midpoint. Each of the
     * three readings (this machine's wall clock, the database's, the monotonic round trip) was truncated to a
     * millisecond: half the round trip rounded up, plus 2 ms, bounds the error. */
    return (round_trip_ms + 1) / 2 + 2;
}

int clock_offset_take(clock_offset_t *c, int64_t offset_ms, int64_t round_trip_ms)
{
    int64_t err = clock_offset_error_ms(round_trip_ms);
    if (c->has && round_trip_ms > CLOCK_SLOW_ROUND_TRIP_MS && err > c->err_ms)
        return 0; /* a slow round trip (a renewal that waited for a committing writer): keep the better one */
    c->has = 1;
    c->offset_ms = offset_ms;
    c->err_ms = err;
    return 1;
}

int clock_offset_verdict(const clock_offset_t *c, int64_t max_ms)
{
    if (!c->has)
        return CLOCK_UNSURE;
    int64_t magnitude = c->offset_ms < 0 ? -c->offset_ms : c->offset_ms;
    if (magnitude - c->err_ms > max_ms)
        return CLOCK_OVER;
    if (magnitude + c->err_ms <= max_ms)
        return CLOCK_WITHIN;
    return CLOCK_UNSURE;
}

void clock_offset_describe(int64_t offset_ms, char *out, size_t out_len)
{
    int64_t magnitude = offset_ms < 0 ? -offset_ms : offset_ms;
    snprintf(out, out_len, "%.1f s %s", (double)magnitude / 1000.0, offset_ms > 0 ? "behind" : "ahead of");
}

void clock_offset_explain(const clock_offset_t *c, int verdict, unsigned max_s, char *out, size_t out_len)
{
    char how[64];
    clock_offset_describe(c->offset_ms, how, sizeof how);
    if (verdict == CLOCK_OVER)
        snprintf(out, out_len,
                 "its clock is %s the key store's (more than max_clock_offset = %u s), so it cannot tell which "
                 "keys have expired; fix its time synchronisation (NTP: chrony or systemd-timesyncd)",
                 how, max_s);
    else if (!c->has)
        snprintf(out, out_len,
                 "it cannot tell yet whether its clock is within max_clock_offset = %u s of the key store's: it has "
                 "not measured it yet; it measures again at its next renewal",
                 max_s);
    else
        snprintf(out, out_len,
                 "it cannot tell yet whether its clock is within max_clock_offset = %u s of the key store's: it "
                 "measured it %s the key store's give or take %.1f s, over a slow round trip; it measures again at "
                 "its next renewal",
                 max_s, how, (double)c->err_ms / 1000.0);
}
