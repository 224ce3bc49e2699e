/* plugin_policy.c - unit tests of the site key's policy (issue 13, first part): CIDR lists (IPv4, IPv6,
 * IPv4-mapped IPv6, prefix bounds, host bits, junk, 50 entries), the shared token bucket (burst, refill,
 * exact across two processes hammering one key), the verification order through the auth provider (expired,
 * disabled, ip_not_allowed, rate_limited with retry_after), the stale-key throttle (30 invalid keys a minute
 * from one address, then 429 too_many_invalid, while a valid key from that address still gets in), the page's
 * list of those addresses, the fields' validation and audit rows, two processes' coherence, and failing closed
 * when the shared bucket file cannot be used; named keys' scope lists (whole items only), their policy's order (IP,
 * then scope, then rate limit; refusals spend no token) and their own buckets, apart from the site key's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../plugin/cidr.h"
#include "../../plugin/key_format.h"
#include "../../plugin/key_policy.h"
#include "../../plugin/plugin_state.h"
#include "../../plugin/limiter.h"
#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

#define PAGE "settings/api-key"

/* ----- CIDR lists ------------------------------------------------------------------------------------------ */

static int parse(const char *text, cidr_list_t *l, char *err)
{
    return cidr_list_parse(text, strlen(text), l, NULL, 0, err, 400);
}

static int matches(const cidr_list_t *l, const char *addr)
{
    cidr_addr_t a;
    assert_int_equal(cidr_addr_parse(addr, &a), 0);
    return cidr_list_match(l, &a);
}

static void cidr_lists_parse_and_match(void **s)
{
    (void)s;
    cidr_list_t l;
    char err[400], canon[512];
    const char *text = " 10.0.0.0/8 ,203.0.113.7,\t2001:db8::/32, ::ffff:192.0.2.0/120 ";
    assert_int_equal(cidr_list_parse(text, strlen(text), &l, canon, sizeof canon, err, sizeof err), PANEL_OK);
    assert_int_equal(l.n, 4);
    assert_string_equal(canon, "10.0.0.0/8,203.0.113.7,2001:db8::/32,::ffff:192.0.2.0/120");
    assert_true(matches(&l, "10.0.0.0"));
    assert_true(matches(&l, "10.255.255.255"));
    assert_false(matches(&l, "11.0.0.1"));
    assert_false(matches(&l, "9.255.255.255"));
    assert_true(matches(&l, "203.0.113.7"));      /* a bare address is /32 */
    assert_false(matches(&l, "203.0.113.8"));
    assert_true(matches(&l, "::ffff:10.1.2.3"));  /* IPv4-mapped IPv6 is the IPv4 address */
    assert_true(matches(&l, "2001:db8:ffff:ffff::1"));
    assert_false(matches(&l, "2001:db9::1"));
    assert_true(matches(&l, "192.0.2.200"));      /* the mapped /120 entry is 192.0.2.0/24 */
    assert_false(matches(&l, "192.0.3.1"));

    assert_int_equal(parse("", &l, err), PANEL_OK);
    assert_int_equal(l.n, 0);
    assert_int_equal(parse("  ", &l, err), PANEL_OK);
    assert_int_equal(l.n, 0);
    /* Prefix bounds. */
    assert_int_equal(parse("0.0.0.0/0", &l, err), PANEL_OK);
    assert_true(matches(&l, "255.1.2.3"));
    assert_false(matches(&l, "2001:db8::1"));     /* all of IPv4 is not all of IPv6 */
    assert_int_equal(parse("::/0", &l, err), PANEL_OK);
    assert_true(matches(&l, "2001:db8::1"));
    assert_true(matches(&l, "1.2.3.4"));          /* ::/0 holds the mapped IPv4 addresses too */
    assert_int_equal(parse("2001:db8::1/128,2001:db8::3/127", &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "did you mean 2001:db8::2/127?"));
    assert_int_equal(parse("2001:db8::1/128,2001:db8::/127", &l, err), PANEL_OK);
    assert_true(matches(&l, "2001:db8::1"));
    assert_false(matches(&l, "2001:db8::2"));
    assert_int_equal(parse("10.0.0.1/32", &l, err), PANEL_OK);
    assert_int_equal(parse("10.0.0.0/33", &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "/0 to /32"));
    assert_int_equal(parse("::/129", &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "/0 to /128"));
    /* Refusals name the item. */
    static const char *const junk[] = {"10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.256",
                                       "10.0.0", "01.2.3.4", "fe80::1%eth0", "hello", "1.2.3.4:80",
                                       "[::1]", "2001:db8:::1", "10.0.0.0/8/8"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        char text2[96];
        snprintf(text2, sizeof text2, "192.0.2.1, %s", junk[i]);
        assert_int_equal(parse(text2, &l, err), PANEL_E_INVALID);
        assert_non_null(strstr(err, "allowed IP 2"));
    }
    assert_int_equal(parse("10.0.0.1/8", &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "\"10.0.0.1/8\""));
    assert_non_null(strstr(err, "did you mean 10.0.0.0/8?"));
    assert_int_equal(parse("10.0.0.0/8,,11.0.0.0/8", &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "allowed IP 2 is empty"));
    assert_int_equal(parse("10.0.0.0/8,", &l, err), PANEL_E_INVALID);
    assert_int_equal(parse("10.0.0.0/8, 10.0.0.0/8", &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "repeats allowed IP 1"));
    assert_int_equal(parse("10.0.0.0 /8", &l, err), PANEL_E_INVALID);
    assert_int_equal(cidr_list_parse("10.0.0.0/8\0", 11, &l, NULL, 0, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "NUL"));
    /* 50 entries are accepted, 51 refused. */
    char many[2048] = "";
    for (int i = 0; i < 51; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s10.%d.0.0/16", i ? "," : "", i);
    assert_int_equal(parse(many, &l, err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "at most 50"));
    *strrchr(many, ',') = '\0';
    assert_int_equal(parse(many, &l, err), PANEL_OK);
    assert_int_equal(l.n, 50);
    assert_true(matches(&l, "10.49.1.1"));
    assert_false(matches(&l, "10.50.1.1"));
    /* Client addresses that are none. */
    cidr_addr_t a;
    assert_int_equal(cidr_addr_parse(NULL, &a), -1);
    assert_int_equal(cidr_addr_parse("local", &a), -1);
    assert_int_equal(cidr_addr_parse("", &a), -1);
    assert_int_equal(cidr_addr_parse("10.0.0.0/8", &a), -1);
    char text3[64];
    assert_int_equal(cidr_addr_parse("::ffff:198.51.100.9", &a), 0);
    cidr_addr_format(&a, text3, sizeof text3);
    assert_string_equal(text3, "198.51.100.9");
}

static void rate_limit_values(void **s)
{
    (void)s;
    int64_t v;
    char err[300];
    assert_int_equal(key_policy_parse_rate("0", 1, &v, err, sizeof err), PANEL_OK);
    assert_int_equal(v, 0);
    assert_int_equal(key_policy_parse_rate("1000000", 7, &v, err, sizeof err), PANEL_OK);
    assert_int_equal(v, 1000000);
    static const char *const bad[] = {"", "-1", "+5", " 5", "05", "1000001", "1e3", "abc", "99999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(key_policy_parse_rate(bad[i], strlen(bad[i]), &v, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "requests per minute"));
    key_policy_t *p = (key_policy_t *)1;
    assert_int_equal(key_policy_build("", 0, &p, err, sizeof err), PANEL_OK);
    assert_null(p); /* nothing to check: the verify path tests one pointer */
    assert_int_equal(key_policy_build("10.0.0.1/8", 0, &p, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "set allowed_ips again"));
}

/* ----- the shared token bucket ----------------------------------------------------------------------------- */

#define T0 1000000000000000ull /* a monotonic time far from 0 */
#define SEC 1000000000ull

static void token_bucket_burst_and_refill(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    limiter_t l;
    char err[600];
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK);
    struct stat st;
    char *path = support_join(dir, LIMITER_FILE);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    int64_t retry;
    for (int i = 0; i < 6; i++) /* a burst of N */
        assert_int_equal(limiter_take_key(&l, 7, 6, T0, &retry), LIMIT_OK);
    assert_int_equal(limiter_take_key(&l, 7, 6, T0, &retry), LIMIT_EXCEEDED);
    assert_int_equal(retry, 10);                          /* one token every 60/6 s */
    assert_int_equal(limiter_take_key(&l, 8, 6, T0, &retry), LIMIT_OK); /* another key has its own bucket */
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 9 * SEC, &retry), LIMIT_EXCEEDED);
    assert_int_equal(retry, 1);
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 10 * SEC, &retry), LIMIT_OK); /* refilled one */
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 10 * SEC, &retry), LIMIT_EXCEEDED);
    /* A minute later the bucket is full again: N, not more. */
    int ok = 0;
    for (int i = 0; i < 20; i++)
        ok += limiter_take_key(&l, 7, 6, T0 + 80 * SEC, &retry) == LIMIT_OK;
    assert_int_equal(ok, 6);
    /* Over a long run: N a minute exactly. */
    ok = 0;
    for (uint64_t t = T0 + 200 * SEC; t < T0 + 200 * SEC + 10 * 60 * SEC; t += SEC / 4)
        for (int i = 0; i < 3; i++)
            ok += limiter_take_key(&l, 9, 60, t, &retry) == LIMIT_OK;
    assert_int_equal(ok, 60 + 10 * 60 - 1);                /* the burst, then one a second */
    /* A bucket time from before a clock reset (impossible otherwise) is an empty bucket, never a full one. */
    assert_int_equal(limiter_take_key(&l, 9, 60, T0, &retry), LIMIT_EXCEEDED);
    /* A second mapping (another process) sees the same buckets. */
    limiter_t other;
    assert_int_equal(limiter_open(&other, dir, NULL, err, sizeof err), PANEL_OK);
    assert_int_equal(limiter_take_key(&other, 7, 6, T0 + 80 * SEC, &retry), LIMIT_EXCEEDED);
    limiter_close(&other);
    limiter_close(&l);
    /* A file from an earlier boot (another boot id: its monotonic times mean nothing now) starts afresh. */
    FILE *f = fopen(path, "r+");
    assert_non_null(f);
    assert_int_equal(fseek(f, 8, SEEK_SET), 0);
    assert_int_equal(fwrite("an-earlier-boot", 1, 15, f), 15);
    fclose(f);
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK);
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 80 * SEC, &retry), LIMIT_OK);
    limiter_close(&l);
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK); /* the same boot: kept */
    int left = 0;
    for (int i = 0; i < 10; i++)
        left += limiter_take_key(&l, 7, 6, T0 + 80 * SEC, &retry) == LIMIT_OK;
    assert_int_equal(left, 5);
    limiter_close(&l);
    /* A file others may write is refused, with the chmod that fixes it. */
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_E_STORE);
    assert_non_null(strstr(err, "chmod go-w"));
    assert_int_equal(limiter_take_key(&l, 7, 6, T0, &retry), LIMIT_UNAVAILABLE);
    assert_int_equal(limiter_note_invalid(&l, &(cidr_addr_t){0, 1}, T0, &retry), LIMIT_UNAVAILABLE);
    limiter_close(&l);
    free(path);
    support_rmtree(dir);
    free(dir);
}

/* Two databases in one data directory share the bucket file but not their buckets, although their key ids
 * coincide; two processes of one database share theirs. */
static void buckets_are_keyed_by_database(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    limiter_t a, a2, b;
    char err[600];
    int64_t retry;
    assert_int_equal(limiter_open(&a, dir, "apikeys.db", err, sizeof err), PANEL_OK);
    assert_int_equal(limiter_open(&a2, dir, "apikeys.db", err, sizeof err), PANEL_OK);
    assert_int_equal(limiter_open(&b, dir, "apikeys-shop2.db", err, sizeof err), PANEL_OK);
    assert_int_equal(limiter_take_key(&a, 7, 1, T0, &retry), LIMIT_OK);
    assert_int_equal(limiter_take_key(&a2, 7, 1, T0, &retry), LIMIT_EXCEEDED); /* the same database */
    assert_int_equal(limiter_take_key(&b, 7, 1, T0, &retry), LIMIT_OK);        /* another one: its own */
    assert_int_equal(limiter_take_key(&b, 7, 1, T0, &retry), LIMIT_EXCEEDED);
    limiter_close(&a);
    limiter_close(&a2);
    limiter_close(&b);
    support_rmtree(dir);
    free(dir);
}

/* A bucket whose time is far ahead of the clock (the file survived a reboot its boot id could not tell, or
 * another clock namespace wrote it) is repaired to an empty bucket: one refill interval later a request is
 * allowed again, not only once the clock has caught up a day later. The same for the invalid-key throttle. */
static void a_bucket_ahead_of_the_clock_is_repaired(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    limiter_t l;
    char err[600];
    int64_t retry;
    const uint64_t day = 24 * 60 * 60 * SEC;
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK);
    for (int i = 0; i < 6; i++) /* the bucket emptied by a clock a day ahead */
        assert_int_equal(limiter_take_key(&l, 7, 6, T0 + day, &retry), LIMIT_OK);
    assert_int_equal(limiter_take_key(&l, 7, 6, T0, &retry), LIMIT_EXCEEDED); /* empty now, never full */
    assert_int_equal(retry, 10);
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 9 * SEC, &retry), LIMIT_EXCEEDED);
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 10 * SEC, &retry), LIMIT_OK); /* one refill interval */
    assert_int_equal(limiter_take_key(&l, 7, 6, T0 + 10 * SEC, &retry), LIMIT_EXCEEDED);
    /* and from then on the bucket follows the clock: full again a minute later */
    int ok = 0;
    for (int i = 0; i < 20; i++)
        ok += limiter_take_key(&l, 7, 6, T0 + 80 * SEC, &retry) == LIMIT_OK;
    assert_int_equal(ok, 6);
    /* the invalid-key throttle of an address: the same repair */
    cidr_addr_t addr = {0, 0xC0000201};
    for (unsigned i = 0; i < LIMITER_INVALID_PER_MINUTE; i++)
        assert_int_equal(limiter_note_invalid(&l, &addr, T0 + day, &retry), LIMIT_OK);
    assert_int_equal(limiter_note_invalid(&l, &addr, T0, &retry), LIMIT_EXCEEDED);
    assert_int_equal(limiter_note_invalid(&l, &addr, T0 + 2 * SEC, &retry), LIMIT_OK);
    limiter_close(&l);
    support_rmtree(dir);
    free(dir);
}

/* Two processes, each with its own mapping, take tokens of one key as fast as they can at one instant: exactly
 * N are granted in all. */
static void token_bucket_is_exact_across_two_processes(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    enum { N = 5000, TRIES = 20000 };
    int fds[2][2];
    pid_t pids[2];
    for (int c = 0; c < 2; c++) {
        assert_int_equal(pipe(fds[c]), 0);
        pids[c] = fork();
        assert_true(pids[c] >= 0);
        if (pids[c] == 0) {
            limiter_t l;
            char err[600];
            int granted = -1;
            if (limiter_open(&l, dir, NULL, err, sizeof err) == PANEL_OK) {
                granted = 0;
                int64_t retry;
                for (int i = 0; i < TRIES; i++)
                    granted += limiter_take_key(&l, 42, N, T0, &retry) == LIMIT_OK;
                limiter_close(&l);
            }
            ssize_t w = write(fds[c][1], &granted, sizeof granted);
            _exit(w == sizeof granted ? 0 : 1);
        }
        close(fds[c][1]);
    }
    int total = 0;
    for (int c = 0; c < 2; c++) {
        int granted = -1, status = 0;
        assert_int_equal(read(fds[c][0], &granted, sizeof granted), sizeof granted);
        close(fds[c][0]);
        assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
        assert_true(granted >= 0);
        total += granted;
    }
    assert_int_equal(total, N);
    support_rmtree(dir);
    free(dir);
}

/* Slots are bounded: the address table reuses slots idle for 2 minutes, and says when it cannot count. */
static void invalid_key_table_is_bounded(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    limiter_t l;
    char err[600];
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK);
    int64_t retry;
    size_t counted = 0;
    for (uint64_t i = 0; i < 3 * LIMITER_ADDR_SLOTS; i++)
        counted += limiter_note_invalid(&l, &(cidr_addr_t){0x20010db800000000ull, i + 1}, T0, &retry) == LIMIT_OK;
    assert_true(counted >= LIMITER_ADDR_SLOTS / 2 && counted <= LIMITER_ADDR_SLOTS);
    /* Three minutes later the old slots are idle: new addresses are counted again. */
    counted = 0;
    for (uint64_t i = 0; i < 100; i++)
        counted += limiter_note_invalid(&l, &(cidr_addr_t){0x20010db900000000ull, i + 1}, T0 + 180 * SEC, &retry) ==
                   LIMIT_OK;
    assert_int_equal(counted, 100);
    limiter_addr_row_t rows[5];
    assert_int_equal(limiter_top_invalid(&l, T0 + 180 * SEC, 60, rows, 5), 5);
    assert_int_equal(rows[0].addr.hi, 0x20010db900000000ull);
    limiter_close(&l);
    support_rmtree(dir);
    free(dir);
}

/* ----- named keys: scopes, the policy's order, their own buckets ------------------------------------------ */

static void scope_lists_match_whole_items_only(void **s)
{
    (void)s;
    const char *list = "store.read,deliveries.pull";
    size_t n = strlen(list);
    assert_true(scope_list_has(list, n, "store.read"));
    assert_true(scope_list_has(list, n, "deliveries.pull"));
    /* a prefix, a suffix or a part of an item is not the item */
    static const char *const not_in[] = {"store", "store.", "store.rea", "read", "tore.read", "deliveries",
                                         "deliveries.pul", "deliveries.pull.extra", "store.read,", ",store.read",
                                         "store.read,deliveries.pull", "deliveries.ack", ""};
    for (size_t i = 0; i < sizeof not_in / sizeof not_in[0]; i++)
        if (scope_list_has(list, n, not_in[i]))
            fail_msg("'%s' matched in '%s'", not_in[i], list);
    assert_false(scope_list_has("xstore.read", 11, "store.read"));
    assert_false(scope_list_has("store.readx", 11, "store.read"));
    assert_true(scope_list_has("store.read", 10, "store.read"));     /* one item */
    assert_false(scope_list_has("", 0, "store.read"));               /* an empty list holds nothing */
    assert_false(scope_list_has("store.read", 5, "store.read"));     /* only list[0..list_len) counts */
    assert_true(scope_list_has("store.read", 5, "store"));
    assert_false(scope_list_has("a,,b", 4, ""));
    assert_true(scope_list_has("a,,b", 4, "b"));
}

static void named_policy_build_checks_what_it_stores(void **s)
{
    (void)s;
    named_policy_t *p = calloc(1, sizeof *p);
    scope_table_t *table = NULL;
    char err[512];
    assert_int_equal(named_policy_build(p, &table, 7, "Minecraft server", "store.read,deliveries.pull", "10.0.0.0/8,2001:db8::/32",
                                        120, 1900000000, err, sizeof err),
                     PANEL_OK);
    assert_int_equal(p->named_id, 7);
    assert_int_equal(p->expires_at, 1900000000);
    assert_string_equal(p->principal, "apikeys:key:7");
    assert_string_equal(p->label, "Minecraft server");
    assert_string_equal(p->scopes, "store.read,deliveries.pull");
    assert_int_equal(p->scopes_len, strlen("store.read,deliveries.pull"));
    assert_int_equal(p->policy.allowed.n, 2);
    assert_int_equal(p->policy.rate_limit, 120);
    assert_true(p->bucket != 7); /* not a key row's id: named buckets never meet the site key's */
    /* its scopes are bits of the snapshot's table; a route scope is looked up there, whole ids only */
    assert_non_null(table);
    assert_int_equal(table->n, 2);
    assert_int_equal(p->scope_mask, scope_table_bit(table, "store.read") | scope_table_bit(table, "deliveries.pull"));
    assert_int_not_equal(scope_table_bit(table, "store.read"), scope_table_bit(table, "deliveries.pull"));
    assert_int_equal(scope_table_bit(table, "store"), 0);
    assert_int_equal(scope_table_bit(table, "store.readx"), 0);
    assert_int_equal(scope_table_bit(table, ""), 0);
    assert_int_equal(scope_table_bit(NULL, "store.read"), 0);
    /* a second key shares the bits of the scopes it has in common; empty items take no bit */
    named_policy_t *q = calloc(1, sizeof *q);
    assert_int_equal(named_policy_build(q, &table, 8, "bot", "deliveries.pull,,orders.read", "", 0, 0, err, sizeof err),
                     PANEL_OK);
    assert_int_equal(table->n, 3);
    assert_int_equal(q->scope_mask, scope_table_bit(table, "deliveries.pull") | scope_table_bit(table, "orders.read"));
    /* 64 different scopes in one snapshot at most (a host's catalogue holds no more): beyond, it fails closed */
    for (int i = 0; table->n < SCOPE_BITS_MAX; i++) {
        char one[32];
        snprintf(one, sizeof one, "scope%d", i);
        assert_int_equal(named_policy_build(q, &table, 9, "many", one, "", 0, 0, err, sizeof err), PANEL_OK);
    }
    assert_int_equal(named_policy_build(q, &table, 9, "many", "scope_too_many", "", 0, 0, err, sizeof err),
                     PANEL_E_INVALID);
    assert_non_null(strstr(err, "more than 64 different scopes"));
    assert_int_equal(named_policy_build(q, &table, 9, "many", "store.read", "", 0, 0, err, sizeof err), PANEL_OK);
    free(q);
    /* Stored values this plugin would not accept fail closed, with a message saying what to do. */
    assert_int_equal(named_policy_build(p, &table, 0, "x", "store.read", "", 0, 0, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(named_policy_build(p, &table, 7, "x", "", "", 0, 0, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "choose its scopes again"));
    assert_int_equal(named_policy_build(p, &table, 7, "x", NULL, "", 0, 0, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(named_policy_build(p, &table, 7, "x", "store.read", "10.0.0.1/8", 0, 0, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "allowed IPs"));
    assert_int_equal(named_policy_build(p, &table, 7, "x", "store.read", "", -1, 0, err, sizeof err), PANEL_E_INVALID);
    assert_int_equal(named_policy_build(p, &table, 7, "x", "store.read", "", KEY_RATE_LIMIT_MAX + 1, 0, err, sizeof err),
                     PANEL_E_INVALID);
    assert_non_null(strstr(err, "rate limit"));
    free(table);
    free(p);
}

/* IP allow-list, then scope, then rate limit: a request refused by an earlier check spends no token. */
static void named_policy_checks_ip_then_scope_then_rate(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    limiter_t l;
    char err[600];
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK);
    named_policy_t *p = calloc(1, sizeof *p);
    scope_table_t *table = NULL;
    assert_int_equal(named_policy_build(p, &table, 3, "bot", "store.read,deliveries.pull", "10.0.0.0/8", 2, 0, err, sizeof err),
                     PANEL_OK);
    int64_t retry = -1;
    for (int i = 0; i < 5; i++) {
        /* wrong address and wrong scope: the address is named */
        assert_int_equal(named_policy_check(p, table, &l, "192.0.2.1", "deliveries.ack", &retry), POLICY_IP_NOT_ALLOWED);
        assert_int_equal(retry, 0);
        assert_int_equal(named_policy_check(p, table, &l, NULL, "store.read", &retry), POLICY_IP_NOT_ALLOWED);
        assert_int_equal(named_policy_check(p, table, &l, "local", "store.read", &retry), POLICY_IP_NOT_ALLOWED);
        /* an allowed address with a scope the key lacks (or a prefix of one it holds) */
        assert_int_equal(named_policy_check(p, table, &l, "10.1.2.3", "deliveries.ack", &retry), POLICY_SCOPE);
        assert_int_equal(named_policy_check(p, table, &l, "10.1.2.3", "store", &retry), POLICY_SCOPE);
        assert_int_equal(retry, 0);
    }
    /* none of the 25 refusals spent a token: the burst of 2 is whole */
    assert_int_equal(named_policy_check(p, table, &l, "10.1.2.3", "store.read", &retry), POLICY_OK);
    assert_int_equal(named_policy_check(p, table, &l, "10.200.0.1", NULL, &retry), POLICY_OK); /* a route without scope */
    assert_int_equal(named_policy_check(p, table, &l, "10.1.2.3", "deliveries.pull", &retry), POLICY_RATE_LIMITED);
    assert_true(retry >= 29 && retry <= 30); /* one token every 30 s */
    /* over the limit, the earlier checks still answer first */
    assert_int_equal(named_policy_check(p, table, &l, "192.0.2.1", "store.read", &retry), POLICY_IP_NOT_ALLOWED);
    assert_int_equal(retry, 0);
    assert_int_equal(named_policy_check(p, table, &l, "10.1.2.3", "deliveries.ack", &retry), POLICY_SCOPE);
    /* no allow-list and no limit: any address, only the scope is checked */
    assert_int_equal(named_policy_build(p, &table, 4, "open", "deliveries.ack", "", 0, 0, err, sizeof err), PANEL_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(named_policy_check(p, table, &l, NULL, "deliveries.ack", &retry), POLICY_OK);
    assert_int_equal(named_policy_check(p, table, &l, NULL, "store.read", &retry), POLICY_SCOPE);
    /* a route scope no key of the snapshot holds (not in its table), and a snapshot without a table: refused */
    assert_int_equal(named_policy_check(p, table, &l, NULL, "orders.write", &retry), POLICY_SCOPE);
    assert_int_equal(named_policy_check(p, NULL, &l, NULL, "deliveries.ack", &retry), POLICY_SCOPE);
    free(table);
    free(p);
    limiter_close(&l);
    support_rmtree(dir);
    free(dir);
}

/* A named key's bucket is its own: not the site key's (even when the key row ids and named ids coincide), and
 * not another named key's. */
static void named_key_buckets_are_separate(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    limiter_t l;
    char err[600];
    assert_int_equal(limiter_open(&l, dir, NULL, err, sizeof err), PANEL_OK);
    named_policy_t *one = calloc(1, sizeof *one), *two = calloc(1, sizeof *two);
    scope_table_t *table = NULL;
    assert_int_equal(named_policy_build(one, &table, 1, "one", "store.read", "", 1, 0, err, sizeof err), PANEL_OK);
    assert_int_equal(named_policy_build(two, &table, 2, "two", "store.read", "", 1, 0, err, sizeof err), PANEL_OK);
    key_policy_t *site = NULL;
    assert_int_equal(key_policy_build("", 1, &site, err, sizeof err), PANEL_OK);
    assert_non_null(site);
    int64_t retry;
    assert_int_equal(named_policy_check(one, table, &l, "192.0.2.1", "store.read", &retry), POLICY_OK);
    assert_int_equal(named_policy_check(one, table, &l, "192.0.2.1", "store.read", &retry), POLICY_RATE_LIMITED);
    /* the site key still has its token (one bucket for its current and grace values) */
    assert_int_equal(key_policy_check(site, &l, "192.0.2.1", &retry), POLICY_OK);
    assert_int_equal(key_policy_check(site, &l, "192.0.2.1", &retry), POLICY_RATE_LIMITED);
    /* and so has the other named key; the first is still limited */
    assert_int_equal(named_policy_check(two, table, &l, "192.0.2.1", "store.read", &retry), POLICY_OK);
    assert_int_equal(named_policy_check(two, table, &l, "192.0.2.1", "store.read", &retry), POLICY_RATE_LIMITED);
    assert_int_equal(named_policy_check(one, table, &l, "192.0.2.1", "store.read", &retry), POLICY_RATE_LIMITED);
    /* a second mapping of the file (another process) sees the same named buckets */
    limiter_t other;
    assert_int_equal(limiter_open(&other, dir, NULL, err, sizeof err), PANEL_OK);
    assert_int_equal(named_policy_check(one, table, &other, "192.0.2.1", "store.read", &retry), POLICY_RATE_LIMITED);
    limiter_close(&other);
    key_policy_free(site);
    free(table);
    free(one);
    free(two);
    limiter_close(&l);
    support_rmtree(dir);
    free(dir);
}

/* ----- through the plugin ---------------------------------------------------------------------------------- */

typedef struct fixture {
    char *dir;
    fake_host_t host;
    panel_caller_t owner, owner_yes, stranger;
    char key[256];
} fixture_t;

static int load(fixture_t *f, fake_host_t *h)
{
    fake_host_init(h, f->dir);
    h->now = 1800000000;
    char err[512];
    if (fake_host_load(h, &panel_plugin_entry, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "init failed: %s\n", err);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->dir = support_tmpdir();
    if (load(f, &f->host) != 0)
        return -1;
    f->owner = fake_caller(1, 0);
    f->owner_yes = fake_caller(1, 1);
    f->stranger = fake_caller(0, 1);
    char msg[1024];
    if (fake_run(&f->host, "enable", &f->owner, NULL, msg, f->key) != PANEL_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fake_host_unload(&f->host);
    support_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

typedef struct answer {
    int status;
    int64_t retry_after;
    char code[32], message[256], principal[64];
} answer_t;

/* A request with key from addr: status 200 when allowed, else the denial's status and code. */
static answer_t call(fake_host_t *h, const char *key, const char *addr)
{
    fake_request_t r;
    fake_request_init(&r, addr, key, NULL, NULL);
    answer_t a;
    memset(&a, 0, sizeof a);
    panel_auth_result_t res = {sizeof res, 0, a.principal, sizeof a.principal, a.code, sizeof a.code,
                               a.message, sizeof a.message, 0, NULL, 0, NULL, 0, 0, 0};
    int32_t verdict = h->provider.authenticate(h->state, &r.req, &res);
    a.status = verdict == PANEL_AUTH_ALLOW ? 200 : res.http_status;
    a.retry_after = res.retry_after;
    if (key)
        assert_null(strstr(a.message, key));
    return a;
}

static void set_field(fixture_t *f, const char *id, const char *value, int32_t want, const char *msg_has)
{
    char msg[2048];
    assert_int_equal(fake_set(&f->host, id, &f->owner, value, strlen(value), msg, sizeof msg), want);
    if (msg_has && !strstr(msg, msg_has))
        fail_msg("setting %s to \"%s\": \"%s\" lacks \"%s\"", id, value, msg, msg_has);
}

static void fields_validate_save_and_audit(void **state)
{
    fixture_t *f = *state;
    char out[PANEL_VALUE_MAX + 1], err[512];
    const panel_field_t *ips = fake_field(&f->host, "allowed_ips"), *rate = fake_field(&f->host, "rate_limit");
    assert_non_null(ips);
    assert_non_null(rate);
    assert_int_equal(fake_get(&f->host, "allowed_ips", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "");
    assert_int_equal(fake_get(&f->host, "rate_limit", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "0");
    assert_int_equal(ips->validate(f->host.state, "10.0.0.300", 10, err, sizeof err), PANEL_E_INVALID);
    assert_non_null(strstr(err, "\"10.0.0.300\""));
    assert_int_equal(rate->validate(f->host.state, "-3", 2, err, sizeof err), PANEL_E_INVALID);

    set_field(f, "allowed_ips", "10.0.0.0/8, 2001:db8::/32", PANEL_OK, "10.0.0.0/8,2001:db8::/32");
    assert_int_equal(fake_get(&f->host, "allowed_ips", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "10.0.0.0/8,2001:db8::/32");
    set_field(f, "allowed_ips", "10.0.0.0/8,bogus", PANEL_E_INVALID, "allowed IP 2 (\"bogus\")");
    assert_int_equal(fake_get(&f->host, "allowed_ips", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "10.0.0.0/8,2001:db8::/32"); /* a refusal changes nothing */
    set_field(f, "rate_limit", "120", PANEL_OK, "120 requests a minute");
    set_field(f, "rate_limit", "12x", PANEL_E_INVALID, "whole number");
    assert_int_equal(fake_get(&f->host, "rate_limit", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "120");
    char msg[512];
    assert_int_equal(fake_set(&f->host, "rate_limit", &f->stranger, "5", 1, msg, sizeof msg), PANEL_E_DENIED);
    assert_int_equal(fake_get(&f->host, "rate_limit", &f->stranger, out, sizeof out), PANEL_E_DENIED);

    char rows[8192] = "";
    assert_int_equal(fake_table(&f->host, "audit", &f->owner, 0, 10, rows, sizeof rows), PANEL_OK);
    assert_non_null(strstr(rows, "allowed IPs change|ok: 10.0.0.0/8,2001:db8::/32"));
    assert_non_null(strstr(rows, "allowed IPs change|refused: allowed IP 2"));
    assert_non_null(strstr(rows, "rate limit change|ok: 120 per minute"));
    assert_non_null(strstr(rows, "rate limit change|refused"));

    /* Another process on the same data dir verifies with the new policy as soon as the set returned. */
    fake_host_t other;
    assert_int_equal(load(f, &other), 0);
    assert_int_equal(call(&other, f->key, "10.1.1.1").status, 200);
    assert_int_equal(call(&other, f->key, "192.0.2.1").status, 403);
    set_field(f, "allowed_ips", "", PANEL_OK, "any address");
    assert_int_equal(call(&other, f->key, "192.0.2.1").status, 200);
    fake_host_unload(&other);
    /* And it survives a restart. */
    fake_host_unload(&f->host);
    assert_int_equal(load(f, &f->host), 0);
    assert_int_equal(fake_get(&f->host, "rate_limit", &f->owner, out, sizeof out), PANEL_OK);
    assert_string_equal(out, "120");
}

static void verification_order(void **state)
{
    fixture_t *f = *state;
    answer_t a = call(&f->host, f->key, "local"); /* no policy: as before, whatever the address */
    assert_int_equal(a.status, 200);
    set_field(f, "allowed_ips", "198.51.100.0/24,2001:db8::/32", PANEL_OK, NULL);
    set_field(f, "rate_limit", "3", PANEL_OK, NULL);

    a = call(&f->host, f->key, "203.0.113.9");
    assert_int_equal(a.status, 403);
    assert_string_equal(a.code, "ip_not_allowed");
    assert_non_null(strstr(a.message, "not allowed from 203.0.113.9"));
    assert_non_null(strstr(a.message, "Settings > API Key"));
    /* An address the host could not give (or junk) is not an allowed one. */
    assert_string_equal(call(&f->host, f->key, "local").code, "ip_not_allowed");
    assert_string_equal(call(&f->host, f->key, "").code, "ip_not_allowed");
    /* An invalid key learns nothing about the allow-list. */
    char unknown[256];
    snprintf(unknown, sizeof unknown, "%s", f->key);
    unknown[10] = unknown[10] == 'A' ? 'B' : 'A';
    assert_string_equal(call(&f->host, "sak_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "203.0.113.9").code,
                        "malformed");
    /* Allowed addresses share the key's 3 a minute; denied addresses spent none of them. */
    assert_int_equal(call(&f->host, f->key, "198.51.100.7").status, 200);
    assert_int_equal(call(&f->host, f->key, "::ffff:198.51.100.8").status, 200);
    assert_int_equal(call(&f->host, f->key, "2001:db8::1").status, 200);
    a = call(&f->host, f->key, "198.51.100.7");
    assert_int_equal(a.status, 429);
    assert_string_equal(a.code, "rate_limited");
    assert_int_equal(a.retry_after, 20);
    /* The address check comes before the limit: an outsider still gets 403, not 429. */
    assert_string_equal(call(&f->host, f->key, "203.0.113.9").code, "ip_not_allowed");
    /* Disabled comes before the policy; expired before disabled. */
    char msg[1024], secret[256];
    assert_int_equal(fake_run(&f->host, "disable", &f->owner, NULL, msg, secret), PANEL_OK);
    assert_string_equal(call(&f->host, f->key, "203.0.113.9").code, "disabled");
    assert_int_equal(fake_run(&f->host, "enable", &f->owner, NULL, msg, secret), PANEL_OK);
    char old[256];
    snprintf(old, sizeof old, "%s", f->key);
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "1h", msg, f->key), PANEL_OK);
    f->host.now += 7200;
    assert_string_equal(call(&f->host, old, "203.0.113.9").code, "expired");
    /* The new key is under the same policy, and the same bucket: a reset does not refill it. */
    assert_string_equal(call(&f->host, f->key, "198.51.100.7").code, "rate_limited");
    assert_string_equal(call(&f->host, f->key, "203.0.113.9").code, "ip_not_allowed");
    char status[4096] = "";
    assert_int_equal(fake_status(&f->host, &f->owner, status, sizeof status), PANEL_OK);
    assert_non_null(strstr(status, "ip_not_allowed "));
    assert_non_null(strstr(status, "rate_limited 2"));
}

/* During a grace period the site key's old and new values together get one allowance, not one each (as a
 * named key's values do). */
static void grace_values_share_the_site_key_rate_limit(void **state)
{
    fixture_t *f = *state;
    set_field(f, "rate_limit", "4", PANEL_OK, NULL);
    char msg[1024], old[256];
    snprintf(old, sizeof old, "%s", f->key);
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, "1h", msg, f->key), PANEL_OK);
    int allowed = 0, limited = 0;
    for (int i = 0; i < 6; i++) {
        answer_t a = call(&f->host, i % 2 ? f->key : old, "192.0.2.1");
        allowed += a.status == 200;
        limited += a.status == 429 && strcmp(a.code, "rate_limited") == 0;
    }
    assert_int_equal(allowed, 4);
    assert_int_equal(limited, 2);
    /* both values are refused now, each of them */
    assert_string_equal(call(&f->host, old, "192.0.2.1").code, "rate_limited");
    assert_string_equal(call(&f->host, f->key, "192.0.2.1").code, "rate_limited");
}

typedef struct named_create {
    store_named_t key;
    uint8_t digest[KEY_DIGEST_LEN];
    int64_t id;
} named_create_t;

static int32_t create_named_tx(apikeys_state_t *st, void *vctx, char *msg, size_t msg_len)
{
    named_create_t *c = vctx;
    return store_named_create(&st->store, &c->key, c->digest, 0, "sak_..test", &c->id, msg, msg_len);
}

/* A request of the 1.0 layout cannot name its route's scope: a named key (limited scopes) is refused there with
 * 403 scope, fail closed, while the site key and a 1.1 request of a route needing no scope get in. */
static void named_key_on_a_request_without_a_scope_field(void **state)
{
    fixture_t *f = *state;
    apikeys_state_t *st = f->host.state;
    named_create_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.key.label, sizeof c.key.label, "bot");
    snprintf(c.key.scopes, sizeof c.key.scopes, "store.read");
    c.key.created_at = f->host.now;
    char named[80], msg[512];
    assert_int_equal(key_generate(st->config.key_prefix, st->config.prefix_len, named, sizeof named), 0);
    key_digest(st->secret, named, strlen(named), c.digest);
    assert_int_equal(apikeys_write(st, create_named_tx, &c, msg, sizeof msg, NULL, 0), PANEL_OK);

    answer_t a = call(&f->host, named, "local"); /* a 1.1 request, route without a scope */
    assert_int_equal(a.status, 200);
    assert_string_equal(a.principal, "apikeys:key:1");

    fake_request_t r;
    fake_request_init(&r, "local", named, NULL, NULL);
    r.req.struct_size = offsetof(panel_request_t, scope); /* a 1.0 request: no scope field */
    char principal[64] = "", code[32] = "", message[256] = "";
    panel_auth_result_t res = {sizeof res, 0, principal, sizeof principal, code, sizeof code, message, sizeof message,
                               0, NULL, 0, NULL, 0, 0, 0};
    assert_int_equal(f->host.provider.authenticate(f->host.state, &r.req, &res), PANEL_AUTH_DENY);
    assert_int_equal(res.http_status, 403);
    assert_string_equal(code, "scope");
    assert_non_null(strstr(message, "use the site key"));
    r.x_api_key = f->key; /* the site key holds every scope */
    assert_int_equal(f->host.provider.authenticate(f->host.state, &r.req, &res), PANEL_AUTH_ALLOW);
}

static void stale_keys_do_not_lock_out_the_updated_tool(void **state)
{
    fixture_t *f = *state;
    char stale[256];
    snprintf(stale, sizeof stale, "%s", f->key);
    char msg[1024];
    assert_int_equal(fake_run(&f->host, "reset", &f->owner_yes, NULL, msg, f->key), PANEL_OK);
    const char *tool = "203.0.113.50";
    for (int i = 0; i < 30; i++) {
        answer_t a = call(&f->host, stale, tool);
        assert_int_equal(a.status, 401);
        assert_string_equal(a.code, "unknown");
    }
    answer_t a = call(&f->host, stale, tool);
    assert_int_equal(a.status, 429);
    assert_string_equal(a.code, "too_many_invalid");
    assert_true(a.retry_after >= 1 && a.retry_after <= 2);
    assert_non_null(strstr(a.message, "update the tool"));
    assert_string_equal(call(&f->host, "sak_short", tool).code, "too_many_invalid"); /* malformed counts too */
    /* The updated tool, from the same address, gets in at once, every time. */
    for (int i = 0; i < 50; i++)
        assert_int_equal(call(&f->host, f->key, tool).status, 200);
    assert_int_equal(call(&f->host, stale, tool).status, 429);
    /* Another address is not affected; an address-less caller is never throttled. */
    assert_int_equal(call(&f->host, stale, "203.0.113.51").status, 401);
    for (int i = 0; i < 40; i++)
        assert_int_equal(call(&f->host, stale, "local").status, 401);
    char status[4096] = "";
    assert_int_equal(fake_status(&f->host, &f->owner, status, sizeof status), PANEL_OK);
    assert_non_null(strstr(status, "Invalid keys from (last day)=203.0.113.50 (33, last 0s ago), 203.0.113.51 (1,"));
    assert_non_null(strstr(status, "too_many_invalid 3"));
}

static void a_rate_limit_without_the_shared_file_fails_closed(void **state)
{
    fixture_t *f = *state;
    fake_host_unload(&f->host);
    char *path = support_join(f->dir, LIMITER_FILE);
    assert_int_equal(chmod(path, 0622), 0);
    assert_int_equal(load(f, &f->host), 0);
    assert_non_null(strstr(f->host.log, "chmod go-w"));
    assert_int_equal(call(&f->host, f->key, "192.0.2.1").status, 200); /* no rate limit: unaffected */
    set_field(f, "rate_limit", "1000", PANEL_OK, NULL);
    answer_t a = call(&f->host, f->key, "192.0.2.1");
    assert_int_equal(a.status, 503);
    assert_string_equal(a.code, "rate_limit_unavailable");
    assert_non_null(strstr(f->host.log, "requests with an API key that has a rate limit are denied (503)"));
    assert_int_equal(call(&f->host, f->key, "192.0.2.1").status, 503);
    set_field(f, "rate_limit", "0", PANEL_OK, "not limited");
    assert_int_equal(call(&f->host, f->key, "192.0.2.1").status, 200);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cidr_lists_parse_and_match),
        cmocka_unit_test(rate_limit_values),
        cmocka_unit_test(token_bucket_burst_and_refill),
        cmocka_unit_test(a_bucket_ahead_of_the_clock_is_repaired),
        cmocka_unit_test(buckets_are_keyed_by_database),
        cmocka_unit_test(token_bucket_is_exact_across_two_processes),
        cmocka_unit_test(invalid_key_table_is_bounded),
        cmocka_unit_test(scope_lists_match_whole_items_only),
        cmocka_unit_test(named_policy_build_checks_what_it_stores),
        cmocka_unit_test(named_policy_checks_ip_then_scope_then_rate),
        cmocka_unit_test(named_key_buckets_are_separate),
        cmocka_unit_test_setup_teardown(fields_validate_save_and_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(verification_order, setup, teardown),
        cmocka_unit_test_setup_teardown(grace_values_share_the_site_key_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(named_key_on_a_request_without_a_scope_field, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_keys_do_not_lock_out_the_updated_tool, setup, teardown),
        cmocka_unit_test_setup_teardown(a_rate_limit_without_the_shared_file_fails_closed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
