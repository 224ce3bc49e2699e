/* host_apikeys_abi11.c - the API Keys plugin's ABI 1.1 parts through libpanelhost: availability of Enable,
 * Disable and End grace period with their reasons (and running them anyway keeps each action's answer), the
 * grace choices' labels, and the site key holding every scope of the host's catalogue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <strings.h>

#include "host_test.h"

#define PAGE "settings/api-key"


static int32_t available(host_test_t *t, const char *action, char *reason, size_t len)
{
    panel_caller_t owner = host_test_caller(t, "admin", 0);
    return panelhost_action_available(t->host, &owner, PAGE, action, NULL, reason, len);
}

static int32_t run(host_test_t *t, const char *action, char *message, char *secret)
{
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    char record[PANEL_RECORD_ID_MAX + 1];
    panel_result_t r = {.struct_size = sizeof r, .message = message, .message_len = 1024, .secret = secret,
                        .secret_len = PANEL_SECRET_MAX, .record = record, .record_len = sizeof record};
    return panelhost_action_run(t->host, &owner, PAGE, action, NULL, NULL, 0, &r);
}

static void availability_labels_and_scopes(void **unused)
{
    (void)unused;
    host_test_t *t = host_test_open(NULL);
    const char *ids[] = {"store.read", "deliveries.pull", "deliveries.ack"};
    char err[1024] = "";
    assert_int_equal(panelhost_set_api_scopes(t->host, ids, NULL, 3, err, sizeof err), PANEL_OK);
    if (panelhost_load(t->host, support_fixture("../../plugins/apikeys"), err, sizeof err) != PANEL_OK)
        fail_msg("loading apikeys.so: %s", err);

    char reason[256], message[1024], secret[PANEL_SECRET_MAX], key[PANEL_SECRET_MAX];
    assert_int_equal(available(t, "enable", reason, sizeof reason), PANEL_OK);
    assert_int_equal(available(t, "disable", reason, sizeof reason), PANEL_E_STATE);
    assert_string_equal(reason, "The API is already disabled.");
    assert_int_equal(available(t, "end-grace", reason, sizeof reason), PANEL_E_STATE);
    assert_string_equal(reason, "No previous key is in a grace period.");
    assert_int_equal(available(t, "reset", reason, sizeof reason), PANEL_OK);

    assert_int_equal(run(t, "enable", message, secret), PANEL_OK);
    snprintf(key, sizeof key, "%s", secret);
    assert_int_equal(available(t, "enable", reason, sizeof reason), PANEL_E_STATE);
    assert_non_null(strstr(reason, "The API is already enabled (key sak_"));
    assert_int_equal(available(t, "disable", reason, sizeof reason), PANEL_OK);
    /* running them anyway keeps each action's own answer */
    assert_int_equal(run(t, "enable", message, secret), PANEL_OK);
    assert_non_null(strstr(message, "already enabled"));
    assert_int_equal(run(t, "end-grace", message, secret), PANEL_E_STATE);

    /* the grace choices' labels */
    const panel_action_t *reset = panelhost_action_at(t->host, PAGE, 2);
    assert_string_equal(reset->id, "reset");
    const char *expect[][2] = {{"0", "none: the old key stops at once"}, {"1h", "1 hour"}, {"24h", "24 hours"},
                               {"7d", "7 days"}};
    for (size_t i = 0; i < 4; i++) {
        char value[16], label[64];
        assert_int_equal(panelhost_param_choice(reset->params[0], i, value, sizeof value, label, sizeof label),
                         PANEL_OK);
        assert_string_equal(value, expect[i][0]);
        assert_string_equal(label, expect[i][1]);
    }

    /* the site key has every scope of the catalogue; a scoped route still lets it in (no behaviour change) */
    int32_t rc;
    panelhost_auth_outcome_t out = host_test_auth(t->host, "POST", "/api/v1/deliveries/ack", "127.0.0.1",
                                                  "deliveries.ack", "X-API-Key", key, &rc);
    assert_int_equal(rc, PANEL_OK);
    assert_int_equal(out.allowed, 1);
    assert_string_equal(out.principal, "apikeys:site");
    assert_string_equal(out.scopes, "store.read,deliveries.pull,deliveries.ack");
    assert_int_equal(out.retry_after, 0);

    /* a named key holding only deliveries.pull: refused 403 scope on a route requiring store.read, let in on a
     * route that says PANEL_SCOPE_NONE (the case the libpanelhost 1 entry points without a scope let through) */
    panel_caller_t owner = host_test_caller(t, "admin", 1);
    char record[PANEL_RECORD_ID_MAX + 1], named[PANEL_SECRET_MAX];
    panel_result_t r = {.struct_size = sizeof r, .message = message, .message_len = 1024, .secret = named,
                        .secret_len = PANEL_SECRET_MAX, .record = record, .record_len = sizeof record};
    const char *names[] = {"label", "scopes"}, *values[] = {"Game server", "deliveries.pull"};
    assert_int_equal(panelhost_action_run(t->host, &owner, PAGE, "create-key", names, values, 2, &r), PANEL_OK);
    out = host_test_auth(t->host, "GET", "/api/v1/store", "127.0.0.1", "store.read", "X-API-Key", named, &rc);
    assert_int_equal(rc, PANEL_OK);
    assert_int_equal(out.allowed, 0);
    assert_int_equal(out.http_status, 403);
    assert_string_equal(out.error_code, "scope");
    assert_non_null(strstr(out.message, "store.read"));
    out = host_test_auth(t->host, "GET", "/api/v1/whoami", "127.0.0.1", PANEL_SCOPE_NONE, "X-API-Key", named, &rc);
    assert_int_equal(out.allowed, 1);
    assert_string_equal(out.label, "Game server");
    assert_string_equal(out.scopes, "deliveries.pull");
    out = host_test_auth(t->host, "GET", "/api/v1/store", "127.0.0.1", NULL, "X-API-Key", named, &rc);
    assert_int_equal(rc, PANEL_E_INVALID); /* no scope at all: never a way in */
    assert_int_equal(out.allowed, 0);
    host_test_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(availability_labels_and_scopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
