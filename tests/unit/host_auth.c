/* host_auth.c - unit tests of panelhost_authenticate: 503 when no provider is registered, 401 when all abstain,
 * the first ALLOW or DENY deciding in load order, the route's scope required and handed to providers, the
 * outcome's fields, headers trimmed and repeated fields joined, and unload waiting for in-flight calls while
 * other threads keep authenticating. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "host_test.h"

/* Authenticates a GET /api/v1/ping with one header (name NULL: none) for a route of `scope`. */
static panelhost_auth_outcome_t authenticate_scoped(host_test_t *t, const char *scope, const char *name,
                                                   const char *value)
{
    panelhost_header_t header = {name, value};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local", .scope = scope,
                              .headers = name ? &header : NULL, .n_headers = name ? 1 : 0};
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_OK);
    return out;
}

static panelhost_auth_outcome_t authenticate(host_test_t *t, const char *name, const char *value)
{
    return authenticate_scoped(t, PANEL_SCOPE_NONE, name, value);
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

    /* a caller of libpanelhost 2.0 (its outcome ends before deprecation and sunset) is answered, and the 2.1
     * members it does not have are never written */
    struct {
        panelhost_auth_outcome_t out;
    } old;
    memset(&old, 0x5a, sizeof old);
    old.out.struct_size = (uint32_t)offsetof(panelhost_auth_outcome_t, deprecation);
    panelhost_header_t header = {"X-Fixture", "letmein"};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                              .scope = PANEL_SCOPE_NONE, .headers = &header, .n_headers = 1};
    assert_int_equal(panelhost_authenticate(t->host, &rq, &old.out), PANEL_OK);
    assert_int_equal(old.out.allowed, 1);
    assert_int_equal(old.out.deprecation, 0x5a5a5a5a5a5a5a5aLL);
    assert_int_equal(old.out.sunset, 0x5a5a5a5a5a5a5a5aLL);
    /* a 2.1 caller's times are 0 when the provider announces nothing (the fixture never does) */
    out = authenticate(t, "x-fixture", "letmein");
    assert_int_equal(out.deprecation, 0);
    assert_int_equal(out.sunset, 0);
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

/* Threads now inside the plugin's authenticate: the fixture counts itself in here and stays 200 us when the
 * request names this counter's address in X-Fixture-Inside. */
static atomic_int inside_plugin;

static void *authenticate_loop(void *arg)
{
    worker_t *w = arg;
    char where[32];
    snprintf(where, sizeof where, "%llx", (unsigned long long)(uintptr_t)&inside_plugin);
    panelhost_header_t headers[2] = {{"X-Fixture", "letmein"}, {"X-Fixture-Inside", where}};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                              .scope = PANEL_SCOPE_NONE, .headers = headers, .n_headers = 2};
    while (!atomic_load(w->stop)) {
        panelhost_auth_outcome_t out = {.struct_size = sizeof out};
        panelhost_authenticate(w->t->host, &rq, &out);
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
    panelhost_header_t header = {"X-Fixture", "letmein"};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                              .scope = PANEL_SCOPE_NONE, .headers = &header, .n_headers = 1};
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    rq.client_addr = NULL;
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_E_INVALID);
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 400);
    assert_string_equal(out.error_code, "bad_request");
    rq.client_addr = "local";
    header.value = NULL;
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_E_INVALID);
    assert_int_equal(out.allowed, 0);
    header.value = "letmein";
    rq.n_headers = PANELHOST_HEADERS_MAX + 1;
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_E_INVALID);
    assert_non_null(strstr(out.message, "more headers"));
    rq.n_headers = 1;
    /* an outcome whose struct_size was not set is not written at all */
    panelhost_auth_outcome_t unset;
    memset(&unset, 0x5a, sizeof unset);
    unset.struct_size = 8;
    assert_int_equal(panelhost_authenticate(t->host, &rq, &unset), PANEL_E_INVALID);
    assert_int_equal(unset.allowed, 0x5a5a5a5a);
    host_test_close(t);
}

/* The route's scope is required: NULL and "" are refused before any provider is asked; a credential without
 * the route's scope gets the provider's 403; PANEL_SCOPE_NONE lets every valid credential in. */
static void scope_is_required_and_reaches_providers(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    panelhost_header_t header = {"X-Fixture", "letmein"};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local", .scope = NULL,
                              .headers = &header, .n_headers = 1};
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_E_INVALID);
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 400);
    assert_non_null(strstr(out.message, "PANEL_SCOPE_NONE"));
    rq.scope = "";
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_E_INVALID);
    assert_int_equal(out.allowed, 0);

    out = authenticate_scoped(t, "fixture.write", "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 403);
    assert_string_equal(out.error_code, "scope");
    assert_non_null(strstr(out.message, "fixture.write"));

    out = authenticate_scoped(t, "fixture.read", "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 1);
    out = authenticate_scoped(t, PANEL_SCOPE_NONE, "X-Fixture", "letmein");
    assert_int_equal(out.allowed, 1);
    assert_int_equal(out.http_status, 200);
    /* the outcome carries everything a host sends back */
    assert_string_equal(out.principal, "fixture:good");
    assert_string_equal(out.label, "Good fixture");
    assert_string_equal(out.scopes, "fixture.read");
    assert_string_equal(out.error_code, "");
    host_test_close(t);
}

/* RFC 9110 as the providers see headers: whitespace around a value is not part of it, a field sent twice is
 * one value joined by ", " (so two different credentials never let the first one win). */
static void headers_are_trimmed_and_repeated_fields_joined(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    host_test_load(t, "good");
    panelhost_auth_outcome_t out = authenticate(t, "X-Fixture", " \tletmein \t");
    assert_int_equal(out.allowed, 1);

    panelhost_header_t two[3] = {{"X-Fixture", "letmein"}, {"Accept", "*/*"}, {"x-fixture", "wrong"}};
    panelhost_request_t rq = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                              .scope = PANEL_SCOPE_NONE, .headers = two, .n_headers = 3};
    out = (panelhost_auth_outcome_t){.struct_size = sizeof out};
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_OK);
    assert_int_equal(out.allowed, 0); /* the provider saw "letmein, wrong" */
    assert_int_equal(out.http_status, 401);
    assert_string_equal(out.error_code, "fixture_denied");
    two[0].value = "wrong";
    two[2].value = "letmein";
    assert_int_equal(panelhost_authenticate(t->host, &rq, &out), PANEL_OK);
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
        cmocka_unit_test(scope_is_required_and_reaches_providers),
        cmocka_unit_test(headers_are_trimmed_and_repeated_fields_joined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
