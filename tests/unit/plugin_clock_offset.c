/* plugin_clock_offset.c - unit tests of a node's clock verdict (plugin/clock_offset.c; issue 20 item 7, issue 23):
 * a node serves only while its measured offset from the key store's clock is surely within max_clock_offset.
 * Nothing measured yet, or a first sample whose round trip was too slow to tell (its error straddles the bound),
 * refuses; surely over refuses and says to fix NTP; a node with a good measurement is not turned away by a later
 * slow sample (it keeps the better one), but is by a sample that shows it surely over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../plugin/clock_offset.h"

#define MAX_MS 5000 /* max_clock_offset = 5 */

static void nothing_measured_cannot_tell(void **state)
{
    (void)state;
    clock_offset_t c = {0};
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_UNSURE);
    char why[400];
    clock_offset_explain(&c, CLOCK_UNSURE, 5, why, sizeof why);
    assert_non_null(strstr(why, "cannot tell yet whether its clock is within max_clock_offset = 5 s"));
    assert_non_null(strstr(why, "it has not measured it yet"));
}

static void a_fast_sample_decides(void **state)
{
    (void)state;
    clock_offset_t c = {0};
    assert_int_equal(clock_offset_take(&c, 30000, 4), 1); /* 30 s behind, 4 ms round trip */
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_OVER);
    char why[400];
    clock_offset_explain(&c, CLOCK_OVER, 5, why, sizeof why);
    assert_non_null(strstr(why, "its clock is 30.0 s behind the key store's (more than max_clock_offset = 5 s)"));
    assert_non_null(strstr(why, "NTP"));
    memset(&c, 0, sizeof c);
    assert_int_equal(clock_offset_take(&c, -120, 4), 1); /* well synchronised */
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_WITHIN);
}

/* The fail-open case: 8 s behind, first sample over a 6 s round trip (error 3 s): 8 - 3 is not over 5, so the old
 * rule ("refuse only when surely over") served; 8 + 3 is not within 5 either, so it must refuse. */
static void a_slow_first_sample_that_straddles_the_bound_refuses(void **state)
{
    (void)state;
    clock_offset_t c = {0};
    assert_int_equal(clock_offset_take(&c, 8000, 6000), 1);
    assert_true(c.err_ms >= 3000);
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_UNSURE);
    char why[400];
    clock_offset_explain(&c, CLOCK_UNSURE, 5, why, sizeof why);
    assert_non_null(strstr(why, "cannot tell yet"));
    assert_non_null(strstr(why, "it measured it 8.0 s behind the key store's give or take 3.0 s, over a slow round trip"));
    assert_non_null(strstr(why, "measures again at its next renewal"));
    /* 30 s behind over a 60 s round trip: even that cannot be told from this sample */
    memset(&c, 0, sizeof c);
    assert_int_equal(clock_offset_take(&c, 30000, 60000), 1);
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_UNSURE);
    /* the next, fast, sample replaces it and decides */
    assert_int_equal(clock_offset_take(&c, 30000, 3), 1);
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_OVER);
}

static void the_error_bound_covers_the_round_trip(void **state)
{
    (void)state;
    assert_true(clock_offset_error_ms(0) >= 1);        /* the readings were truncated to milliseconds */
    assert_true(clock_offset_error_ms(7) >= 4);        /* half the round trip, rounded up */
    assert_true(clock_offset_error_ms(1000) >= 500);
    assert_true(clock_offset_error_ms(1000) <= 503);
    /* exactly at the bound is within; a millisecond over the error is not */
    clock_offset_t c = {0};
    clock_offset_take(&c, MAX_MS - clock_offset_error_ms(10), 10);
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_WITHIN);
    clock_offset_take(&c, -(MAX_MS - clock_offset_error_ms(10) + 1), 10);
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_UNSURE);
}

/* No flapping: a node with a good measurement keeps it over a later slow sample, whatever that says, so it keeps
 * serving; a fast sample replaces it (the clock may have moved) and is judged on its own. */
static void a_slow_sample_does_not_replace_a_better_one(void **state)
{
    (void)state;
    clock_offset_t c = {0};
    clock_offset_take(&c, 200, 8); /* within */
    assert_int_equal(clock_offset_take(&c, 4000, 3000), 0); /* slow: 4 s +/- 1.5 s would be unsure */
    assert_int_equal(c.offset_ms, 200);
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_WITHIN);
    assert_int_equal(clock_offset_take(&c, 40000, 3000), 0); /* slow, even surely over: the better one stays */
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_WITHIN);
    assert_int_equal(clock_offset_take(&c, 40000, 20), 1); /* fast, surely over: refuse */
    assert_int_equal(clock_offset_verdict(&c, MAX_MS), CLOCK_OVER);
    /* a slow sample no worse than the kept one replaces it */
    clock_offset_t d = {0};
    clock_offset_take(&d, 30000, 9000);
    assert_int_equal(clock_offset_take(&d, 100, 4000), 1);
    assert_int_equal(clock_offset_verdict(&d, MAX_MS), CLOCK_WITHIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_measured_cannot_tell),
        cmocka_unit_test(a_fast_sample_decides),
        cmocka_unit_test(a_slow_first_sample_that_straddles_the_bound_refuses),
        cmocka_unit_test(the_error_bound_covers_the_round_trip),
        cmocka_unit_test(a_slow_sample_does_not_replace_a_better_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
