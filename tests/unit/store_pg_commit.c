/* store_pg_commit.c - the PostgreSQL store's commit-and-wait in a process that is both the writer and a node
 * (issue 23 §3): its admin connection listens for acknowledgements only from its first changing commit on (a
 * process that never changes anything is never woken by another's notifications); a change it commits is served
 * by its own node when store_commit returns, confirmed in the report, and that node neither reloads nor
 * acknowledges it through the database; its next change reads the site from what that commit left, and is told to
 * run again when another process changed the keys meanwhile. Needs a PostgreSQL server: run by
 * tests/cli/pg_commit_store.sh, which starts a private one and sets APIKEYS_TEST_PG (a conninfo of a fresh
 * database) and APIKEYS_TEST_DIR (a private directory for the digest secret). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../plugin/keyring.h"
#include "../../plugin/store.h"
#include "../../plugin/store_postgresql.h"
#include "panel/plugin.h"
#include "support_pg_store.h"

/* What the node serves: the snapshot it published last. */
static pthread_mutex_t served_mutex = PTHREAD_MUTEX_INITIALIZER;
static keyring_t *served;

static void publish(void *ctx, keyring_t *ring)
{
    (void)ctx;
    pthread_mutex_lock(&served_mutex);
    keyring_free(served);
    served = ring;
    pthread_mutex_unlock(&served_mutex);
}

/* The locator a test row of digest d is stored with (any value the verify path would look under). */
static uint64_t locator_of(const uint8_t digest[KEY_DIGEST_LEN])
{
    uint64_t v;
    memcpy(&v, digest + 8, sizeof v);
    return v | 1u;
}

static int serves(const uint8_t digest[KEY_DIGEST_LEN])
{
    pthread_mutex_lock(&served_mutex);
    int found = served && keyring_find(served, locator_of(digest), digest) != NULL;
    pthread_mutex_unlock(&served_mutex);
    return found;
}

static long long sql_number(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

static void digest_of(uint8_t tag, uint8_t d[KEY_DIGEST_LEN])
{
    for (size_t i = 0; i < KEY_DIGEST_LEN; i++)
        d[i] = (uint8_t)(tag * 31 + i);
}

/* One changing transaction: a new current key (tag), the previous one (id *current, when > 0) revoked. */
static void replace_key(store_t *s, uint8_t tag, int64_t *current, char *report, size_t report_len)
{
    uint8_t d[KEY_DIGEST_LEN];
    digest_of(tag, d);
    char hint[16];
    snprintf(hint, sizeof hint, "unit_%u", tag);
    OK(store_begin(s, 1, err, err_len));
    if (*current > 0)
        OK(store_revoke(s, *current, 1000, err, err_len));
    OK(store_put_current(s, d, locator_of(d), hint, 1000, current, err, err_len));
    OK(store_commit(s, report, report_len, err, err_len));
}

static void a_writer_listens_from_its_first_changing_commit(void **state)
{
    (void)state;
    store_t s;
    open_store(&s);
    const char *channels = "SELECT count(*) FROM pg_listening_channels() c WHERE c = '" PG_ACK_CHANNEL "'";
    PGconn *admin = P(&s)->conn;
    assert_non_null(admin);
    assert_int_equal(sql_number(admin, channels), 0); /* connected, checked the store: not listening */
    store_site_t site;
    OK(store_get_site(&s, &site, err, err_len));
    assert_int_equal(sql_number(admin, channels), 0); /* a read changes nothing */
    int64_t current = 0;
    char report[512];
    replace_key(&s, 1, &current, report, sizeof report);
    assert_int_equal(sql_number(admin, channels), 1);
    replace_key(&s, 2, &current, report, sizeof report); /* listens once */
    assert_int_equal(sql_number(admin, channels), 1);
    store_close(&s);
}

static void the_writers_own_node_serves_its_change_without_acknowledging_it(void **state)
{
    (void)state;
    store_t s;
    open_store(&s);
    PGconn *c = sql_conn();
    PQclear(PQexec(c, "LISTEN " PG_ACK_CHANNEL));
    store_site_t site;
    OK(store_get_site(&s, &site, err, err_len));
    int64_t current = site.has_current ? site.current.id : 0;
    char report[512];
    OK(store_begin(&s, 1, err, err_len)); /* the API on: a snapshot of a switched-off API holds no key */
    OK(store_set_enabled(&s, 1, err, err_len));
    OK(store_commit(&s, NULL, 0, err, err_len));
    replace_key(&s, 10, &current, report, sizeof report);
    store_serve(&s); /* the first lease, with key 10 */
    uint8_t d10[KEY_DIGEST_LEN], d11[KEY_DIGEST_LEN];
    digest_of(10, d10);
    digest_of(11, d11);
    char status[700];
    pg_node_describe(P(&s), status, sizeof status);
    if (!serves(d10))
        fail_msg("the node does not serve the key: %s; served %p", status, (void *)served);

    replace_key(&s, 11, &current, report, sizeof report);
    assert_non_null(strstr(report, "Confirmed on 1 node"));
    assert_true(serves(d11));
    assert_false(serves(d10));
    long long change = sql_number(c, "SELECT change FROM apikeys_state WHERE id = 1");

    /* Nothing acknowledges that change through the database within 300 ms: the node did not reload it. */
    char mine[200];
    snprintf(mine, sizeof mine, "%lld %s", change, P(&s)->instance);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long waited = 0; waited < 300; waited = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000) {
        struct pollfd fd = {PQsocket(c), POLLIN, 0};
        if (poll(&fd, 1, (int)(300 - waited)) > 0)
            PQconsumeInput(c);
        PGnotify *note;
        while ((note = PQnotifies(c)) != NULL) {
            if (strcmp(note->extra, mine) == 0)
                fail_msg("the writer's own node acknowledged its change: \"%s\"", note->extra);
            PQfreemem(note);
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
    }
    /* and it still serves the change (no reload replaced it) */
    assert_true(serves(d11));
    assert_false(serves(d10));
    PQfinish(c);
    store_close(&s);
    pthread_mutex_lock(&served_mutex);
    keyring_free(served);
    served = NULL;
    pthread_mutex_unlock(&served_mutex);
}

static void current_hint(PGconn *c, char *out, size_t out_len)
{
    PGresult *r = PQexec(c, "SELECT hint FROM apikeys_keys WHERE role = 'current'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("the current key: %s", PQerrorMessage(c));
    snprintf(out, out_len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
}

/* A changing transaction's read of the site (store_get_site) is answered from what the connection's last changing
 * commit left, with no round trip; when another process changed the keys since, the transaction fails at its
 * guard as it commits, nothing of it is written, store_retry_wanted says so once, and the transaction run again
 * reads the other process's change. */
static void a_writer_reads_the_site_its_last_commit_left_and_is_told_to_retry_when_another_changed_it(void **state)
{
    (void)state;
    store_t a, b;
    open_store(&a);
    open_store(&b);
    PGconn *c = sql_conn();
    store_site_t site;
    char report[512], hint[32];
    OK(store_get_site(&a, &site, err, err_len));
    int64_t current = site.has_current ? site.current.id : 0;
    replace_key(&a, 20, &current, report, sizeof report);

    /* the next change: the site from memory, nothing read from the server before the commit */
    OK(store_begin(&a, 1, err, err_len));
    OK(store_get_site(&a, &site, err, err_len));
    assert_int_equal(P(&a)->pipe.read, 0);
    assert_true(site.has_current);
    assert_int_equal(site.current.id, current);
    assert_string_equal(site.current.hint, "unit_20");
    uint8_t d[KEY_DIGEST_LEN];
    digest_of(21, d);
    OK(store_revoke(&a, site.current.id, 1000, err, err_len));
    OK(store_put_current(&a, d, locator_of(d), "unit_21", 1000, NULL, err, err_len));
    OK(store_commit(&a, report, sizeof report, err, err_len));
    assert_false(store_retry_wanted(&a));
    current_hint(c, hint, sizeof hint);
    assert_string_equal(hint, "unit_21");

    /* another process changes the keys: a's memory of the site is out of date */
    OK(store_get_site(&b, &site, err, err_len));
    int64_t b_current = site.current.id;
    replace_key(&b, 22, &b_current, report, sizeof report);
    OK(store_begin(&a, 1, err, err_len));
    OK(store_get_site(&a, &site, err, err_len));
    assert_string_equal(site.current.hint, "unit_21"); /* from memory: what a itself left */
    digest_of(23, d);
    OK(store_revoke(&a, site.current.id, 1000, err, err_len));
    OK(store_put_current(&a, d, locator_of(d), "unit_23", 1000, NULL, err, err_len));
    char why[512] = "";
    assert_int_not_equal(store_commit(&a, report, sizeof report, why, sizeof why), PANEL_OK);
    assert_true(store_retry_wanted(&a));
    assert_false(store_retry_wanted(&a)); /* once */
    current_hint(c, hint, sizeof hint);
    assert_string_equal(hint, "unit_22"); /* b's key; nothing of a's attempt was written */
    assert_int_equal(sql_number(c, "SELECT count(*) FROM apikeys_keys WHERE hint = 'unit_23'"), 0);

    /* run again: it reads, and sees b's change */
    OK(store_begin(&a, 1, err, err_len));
    OK(store_get_site(&a, &site, err, err_len));
    assert_string_equal(site.current.hint, "unit_22");
    OK(store_revoke(&a, site.current.id, 1000, err, err_len));
    OK(store_put_current(&a, d, locator_of(d), "unit_23", 1000, NULL, err, err_len));
    OK(store_commit(&a, report, sizeof report, err, err_len));
    assert_false(store_retry_wanted(&a));
    current_hint(c, hint, sizeof hint);
    assert_string_equal(hint, "unit_23");

    /* a transaction that fails for its own reason after a current guard is not to be run again */
    OK(store_begin(&a, 1, err, err_len));
    OK(store_get_site(&a, &site, err, err_len));
    assert_string_equal(site.current.hint, "unit_23");
    store_rollback(&a);
    assert_false(store_retry_wanted(&a));
    PQfinish(c);
    store_close(&b);
    store_close(&a);
}

int main(void)
{
    if (support_pg_config("store_pg_commit") != 0)
        return 2;
    cfg.max_clock_offset = 5; /* pg_load_settings' default, which this test does not run */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_writer_listens_from_its_first_changing_commit),
        cmocka_unit_test(the_writers_own_node_serves_its_change_without_acknowledging_it),
        cmocka_unit_test(a_writer_reads_the_site_its_last_commit_left_and_is_told_to_retry_when_another_changed_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
