/* host_auth.c - unit tests of API authentication: 503 when no provider is registered, 401 when all abstain,
 * the first ALLOW or DENY deciding in load order, and unload waiting for in-flight calls while other threads
 * keep authenticating. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <time.h>

#include "host_test.h"

typedef struct fake_request {
    panel_request_t base;
    const char *header_name;  /* nullable: no header */
    const char *header_value;
} fake_request_t;

static const char *fake_header(const panel_request_t *self, const char *name)
{
    const fake_request_t *r = (const fake_request_t *)self;
    return r->header_name && strcasecmp(r->header_name, name) == 0 ? r->header_value : NULL;
}

static fake_request_t request_with(const char *name, const char *value)
{
    fake_request_t r = {{sizeof r.base, "GET", "/api/v1/ping", "local", NULL, fake_header, NULL}, name, value};
    return r;
}

static panelhost_auth_outcome_t authenticate(host_test_t *t, const char *name, const char *value)
{
    fake_request_t r = request_with(name, value);
    panelhost_auth_outcome_t out;
    assert_int_equal(panelhost_authenticate(t->host, &r.base, &out), PANEL_OK);
    return out;
}

static void no_provider_is_503(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    panelhost_auth_outcome_t out = authenticate(t, "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 503);
    assert_string_equal(out.error_code, "no_auth_provider");
    assert_string_equal(out.message, "no API authentication is configured");
    host_test_close(t);
}

static void provider_allows_denies_and_abstains(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    panelhost_auth_outcome_t out = authenticate(t, "x-fixture", "letmein");
    assert_int_equal(out.allowed, 1);
    assert_string_equal(out.principal, "fixture:good");

    out = authenticate(t, "X-Fixture", "wrong");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 401);
    assert_string_equal(out.error_code, "fixture_denied");
    assert_string_equal(out.message, "send X-Fixture: letmein");
    assert_null(strstr(out.message, "wrong"));

    out = authenticate(t, NULL, NULL);
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 401);
    assert_string_equal(out.error_code, "missing");
    /* the message names what the provider reads, from its description */
    assert_non_null(strstr(out.message, "X-Fixture header (provider fixture-header)"));
    host_test_close(t);
}

static void all_abstaining_is_401_and_order_is_load_order(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "newer_minor"); /* always abstains */
    panelhost_auth_outcome_t out = authenticate(t, "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 401);
    assert_string_equal(out.error_code, "missing");
    host_test_load(t, "good"); /* asked after the abstaining one */
    out = authenticate(t, "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 1);
    char err[256];
    assert_int_equal(panelhost_unload(t->host, "good", err, sizeof err), PANEL_OK);
    out = authenticate(t, "X-Fixture", "letmein");
    assert_int_equal(out.http_status, 401);
    assert_int_equal(panelhost_unload(t->host, "newer_minor", err, sizeof err), PANEL_OK);
    out = authenticate(t, "X-Fixture", "letmein");
    assert_int_equal(out.http_status, 503);
    host_test_close(t);
}

static void failed_load_leaves_no_provider(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    char err[512];
    assert_int_not_equal(panelhost_load(t->host, support_fixture("init_fails"), err, sizeof err), PANEL_OK);
    panelhost_auth_outcome_t out = authenticate(t, "X-Fixture", "letmein");
    assert_int_equal(out.http_status, 503);
    host_test_close(t);
}

typedef struct worker {
    host_test_t *t;
    atomic_int *stop;
    long allowed, unavailable, other;
} worker_t;

/* Threads now inside the plugin's authenticate, held there 200 us by the header lookup it calls back. */
static atomic_int inside_plugin;

static const char *slow_header(const panel_request_t *self, const char *name)
{
    atomic_fetch_add(&inside_plugin, 1);
    struct timespec pause = {0, 200 * 1000};
    nanosleep(&pause, NULL);
    const char *value = fake_header(self, name);
    atomic_fetch_sub(&inside_plugin, 1);
    return value;
}

static void *authenticate_loop(void *arg)
{
    worker_t *w = arg;
    fake_request_t r = request_with("X-Fixture", "letmein");
    r.base.header = slow_header;
    while (!atomic_load(w->stop)) {
        panelhost_auth_outcome_t out;
        panelhost_authenticate(w->t->host, &r.base, &out);
        if (out.allowed && strcmp(out.principal, "fixture:good") == 0)
            w->allowed++;
        else if (!out.allowed && out.http_status == 503)
            w->unavailable++;
        else
            w->other++;
    }
    return NULL;
}

static void unload_while_other_threads_authenticate(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    atomic_int stop = 0;
    worker_t workers[3];
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) {
        workers[i] = (worker_t){.t = t, .stop = &stop};
        assert_int_equal(pthread_create(&threads[i], NULL, authenticate_loop, &workers[i]), 0);
    }
    for (int i = 0; i < 100; i++) {
        host_test_load(t, "good");
        /* unload while a thread is inside the plugin: it must wait for that call to return */
        for (int waited = 0; atomic_load(&inside_plugin) == 0; waited++) {
            assert_true(waited < 5000); /* no thread entered the plugin within 5 s */
            struct timespec ms = {0, 1000 * 1000};
            nanosleep(&ms, NULL);
        }
        char err[256];
        assert_int_equal(panelhost_unload(t->host, "good", err, sizeof err), PANEL_OK);
        assert_int_equal(atomic_load(&inside_plugin), 0);
    }
    atomic_store(&stop, 1);
    long other = 0;
    for (int i = 0; i < 3; i++) {
        pthread_join(threads[i], NULL);
        other += workers[i].other;
    }
    /* every answer was either the loaded plugin's ALLOW or the unloaded host's 503, never anything torn */
    assert_int_equal(other, 0);
    host_test_close(t);
}

static void incomplete_request_is_refused(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    fake_request_t r = request_with("X-Fixture", "letmein");
    r.base.header = NULL;
    panelhost_auth_outcome_t out;
    assert_int_equal(panelhost_authenticate(t->host, &r.base, &out), PANEL_E_INVALID);
    assert_int_equal(out.allowed, 0);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_provider_is_503),
        cmocka_unit_test(provider_allows_denies_and_abstains),
        cmocka_unit_test(all_abstaining_is_401_and_order_is_load_order),
        cmocka_unit_test(failed_load_leaves_no_provider),
        cmocka_unit_test(unload_while_other_threads_authenticate),
        cmocka_unit_test(incomplete_request_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
