/* plugin_ratelimit_share.c - unit tests of a node's shares of the rate limits (issue 23, item 1;
 * plugin/ratelimit_share.c): the share formula (proportional to demand, a floor, 1/n when nobody asked, the shares
 * of the live nodes adding up to 1), a node's bucket at its share (its burst and rate are its share of the limit's),
 * moving a share between two nodes' buckets neither creating nor losing requests, a node that has gone not handing
 * out its tokens again, the demand report, and idle keys giving their slots up (the table never fills). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/limiter.h"
#include "../../plugin/ratelimit_share.h"

#define SEC 1000000000ull
#define T0 (1000 * SEC)
#define BUCKET (RATELIMIT_SITE_BUCKET + 5) /* named key 5 */

static void shares_follow_demand_with_a_floor(void **state)
{
    (void)state;
    assert_true(fabs(ratelimit_share_of(0, 0, 3) - 1.0 / 3) < 1e-9); /* nobody asked: an equal split */
    assert_true(fabs(ratelimit_share_of(70, 30, 1) - 1.0) < 1e-9);  /* one node: the whole limit */
    double a = ratelimit_share_of(70, 30, 3), b = ratelimit_share_of(20, 80, 3), c = ratelimit_share_of(10, 90, 3);
    assert_true(fabs(a + b + c - 1.0) < 1e-9);                      /* the live nodes' shares add up to 1 */
    assert_true(a > b && b > c);
    assert_true(fabs(ratelimit_share_of(0, 100, 3) - 0.02) < 1e-9); /* an idle node keeps the floor */
    assert_true(fabs(ratelimit_share_of(0, 100, 100) - 0.005) < 1e-9); /* at most half the limit in floors */
}

/* Requests of the bucket allowed at now_ns, up to max. */
static int drain(ratelimit_shares_t *s, uint32_t per_minute, uint64_t now_ns, int max)
{
    int n = 0;
    int64_t retry;
    while (n < max && ratelimit_share_take(s, BUCKET, per_minute, now_ns, &retry) == LIMIT_OK)
        n++;
    return n;
}

/* One renewal of a node whose own demand was mine, with others_demand from other_nodes nodes. */
static void renew(ratelimit_shares_t *s, uint32_t other_nodes, double mine, double others_demand, uint64_t now_ns)
{
    ratelimit_demand_t me = {5, mine, 0};
    ratelimit_others_t others = {5, others_demand};
    ratelimit_share_take_shares(s, other_nodes, &others, 1, &me, 1, now_ns);
}

static void a_bucket_holds_its_share_of_the_burst_and_rate(void **state)
{
    (void)state;
    ratelimit_shares_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(ratelimit_shares_start(&s), 0);
    renew(&s, 3, 25, 75, T0); /* four nodes; this one has a quarter of the demand */
    double share = ratelimit_share_of(25, 75, 4);
    int burst = drain(&s, 600, T0, 1000);
    assert_true(abs(burst - (int)(600 * share)) <= 1);
    int64_t retry = 0;
    assert_int_equal(ratelimit_share_take(&s, BUCKET, 600, T0, &retry), LIMIT_EXCEEDED);
    assert_true(retry >= 1);
    int refilled = drain(&s, 600, T0 + 10 * SEC, 1000); /* 10 s at 600 x share a minute */
    assert_true(abs(refilled - (int)(100 * share)) <= 1);
    ratelimit_shares_stop(&s);
}

static void moving_a_share_neither_creates_nor_loses_requests(void **state)
{
    (void)state;
    ratelimit_shares_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(ratelimit_shares_start(&a), 0);
    assert_int_equal(ratelimit_shares_start(&b), 0);
    renew(&a, 1, 50, 50, T0); /* two nodes, half each: 300 requests of burst each */
    renew(&b, 1, 50, 50, T0);
    assert_int_equal(drain(&a, 600, T0, 100) + drain(&b, 600, T0, 250), 350); /* 250 left together */
    renew(&a, 1, 90, 10, T0); /* the demand moves to a */
    renew(&b, 1, 10, 90, T0);
    /* a's bucket at its larger share owes the 100 it took: 530 - 100 now; b's owes its 250 at its smaller share, 180
     * more than it holds (70), so it takes nothing until it has paid that back at 70 a minute: the 250 left are
     * both buckets' together, and what a takes beyond them b pays back. */
    double sa = ratelimit_share_of(90, 10, 2), sb = ratelimit_share_of(10, 90, 2);
    assert_true(abs(drain(&a, 600, T0, 1000) - (int)(600 * sa - 100)) <= 2);
    assert_int_equal(drain(&b, 600, T0, 1000), 0);
    double owed_minutes = (250 - 600 * sb) / (600 * sb);
    assert_int_equal(drain(&b, 600, T0 + (uint64_t)((owed_minutes - 0.1) * 60 * SEC), 1000), 0);
    assert_true(drain(&b, 600, T0 + (uint64_t)((owed_minutes + 0.1) * 60 * SEC), 1000) >= 1);
    ratelimit_shares_stop(&a);
    ratelimit_shares_stop(&b);
}

static void a_gone_node_does_not_hand_out_its_tokens(void **state)
{
    (void)state;
    ratelimit_shares_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(ratelimit_shares_start(&s), 0);
    renew(&s, 2, 20, 80, T0); /* three nodes: this one gets its share, drained */
    drain(&s, 600, T0, 1000);
    renew(&s, 1, 20, 10, T0); /* a busy node has gone: this one's share grows, its bucket stays empty (but for the
                               * part of one request at its old rate, which is a few at the new) */
    double grown = ratelimit_share_of(20, 10, 2) / ratelimit_share_of(20, 80, 3);
    assert_true(drain(&s, 600, T0, 1000) <= (int)grown);
    int later = drain(&s, 600, T0 + 6 * SEC, 1000); /* and refills at its new, larger share */
    assert_true(abs(later - (int)(60 * ratelimit_share_of(20, 10, 2))) <= 1);
    ratelimit_shares_stop(&s);
}

static void the_report_says_the_demand_and_share(void **state)
{
    (void)state;
    ratelimit_shares_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(ratelimit_shares_start(&s), 0);
    s.reported_at_ns = T0;
    drain(&s, 6000, T0, 30); /* 30 requests in the interval */
    ratelimit_demand_t out[4];
    assert_int_equal(ratelimit_share_report(&s, T0 + 30 * SEC, out, 4), 1);
    assert_int_equal(out[0].key, 5);
    assert_true(fabs(out[0].per_minute - 60) < 1e-6); /* 30 in half a minute */
    assert_true(fabs(out[0].share - 1) < 1e-6);       /* before any renewal: the whole limit */
    ratelimit_shares_stop(&s);
}

static void idle_keys_give_their_slots_up(void **state)
{
    (void)state;
    ratelimit_shares_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(ratelimit_shares_start(&s), 0);
    ratelimit_demand_t report[RATELIMIT_REPORT_MAX];
    int64_t retry;
    /* Twice as many keys as slots over a process's life (named keys revoked and created), each used once and then
     * idle: the table never fills. */
    for (int64_t i = 1; i <= 2 * (int64_t)RATELIMIT_SHARE_SLOTS; i++) {
        uint64_t t = T0 + (uint64_t)i * 180 * SEC;
        assert_int_equal(ratelimit_share_take(&s, RATELIMIT_SITE_BUCKET + i, 60, t, &retry), LIMIT_OK);
        size_t n = ratelimit_share_report(&s, t + SEC, report, RATELIMIT_REPORT_MAX);
        ratelimit_share_take_shares(&s, 0, NULL, 0, report, n, t + SEC);
    }
    ratelimit_shares_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shares_follow_demand_with_a_floor),
        cmocka_unit_test(a_bucket_holds_its_share_of_the_burst_and_rate),
        cmocka_unit_test(moving_a_share_neither_creates_nor_loses_requests),
        cmocka_unit_test(a_gone_node_does_not_hand_out_its_tokens),
        cmocka_unit_test(the_report_says_the_demand_and_share),
        cmocka_unit_test(idle_keys_give_their_slots_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
