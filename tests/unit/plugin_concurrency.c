/* plugin_concurrency.c - the API Keys plugin's cross-process freshness protocol and thread safety: a writer
 * that dies inside its window is repaired by the next verification, a live writer's window makes readers read
 * the store without caching, and threads verifying while resets run always see the old or the new state
 * (never a revoked key after its reset returned), and threads verifying a named key while it is revoked see it
 * allowed or 401 unknown, and never allowed once the revoke returned. Speed is measured by the benchmark (bench/),
 * never here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../plugin/auth_provider.h"
#include "../../plugin/freshness.h"
#include "../../plugin/plugin_state.h"
#include "fixture_site_keys.h"
#include "panel/plugin.h"
#include "support_host_env.h"
#include "support_plugin_host.h"

extern const panel_plugin_entry_t panel_plugin_entry;

typedef struct keys {
    char k[4][64];
} keys_t;

static void keep_key(void *ctx, size_t i, const char *key, size_t len)
{
    keys_t *keys = ctx;
    if (i < 4)
        snprintf(keys->k[i], sizeof keys->k[i], "%.*s", (int)len, key);
}

static apikeys_state_t *open_state(const char *dir)
{
    apikeys_options_t o = {.data_dir = dir};
    apikeys_state_t *st = NULL;
    char err[512];
    if (apikeys_state_open(&o, &st, err, sizeof err) != PANEL_OK)
        fail_msg("open: %s", err);
    return st;
}

static void dead_writer_is_repaired_by_the_next_verification(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    char err[512];
    /* Fork first (the child holds no plugin state): it waits for a byte, then dies inside its window. */
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char byte;
        close(go[1]);
        if (read(go[0], &byte, 1) != 1) {
            free(dir);
            _exit(3);
        }
        freshness_t f;
        int32_t rc = freshness_open(&f, dir, err, sizeof err);
        free(dir);
        if (rc != PANEL_OK || freshness_writer_begin(&f, err, sizeof err) != PANEL_OK)
            _exit(2);
        _exit(0); /* dies inside its window: counter odd, lock released by the kernel */
    }
    close(go[0]);
    apikeys_state_t *st = open_state(dir);
    keys_t keys;
    assert_int_equal(fixture_enable_api(dir), SQLITE_OK);
    assert_int_equal(fixture_add_site_keys(st, 2, keep_key, &keys, err, sizeof err), PANEL_OK);
    assert_int_equal(apikeys_verify_key(st, keys.k[0], strlen(keys.k[0])), VERIFY_OK);
    assert_int_equal(write(go[1], "x", 1), 1);
    close(go[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(store_counter(&st->store) & 1u);
    assert_int_equal(apikeys_verify_key(st, keys.k[1], strlen(keys.k[1])), VERIFY_OK);
    assert_false(store_counter(&st->store) & 1u); /* repaired */
    assert_int_equal(guard_current(&st->guard)->epoch, store_counter(&st->store));
    apikeys_state_close(st);
    support_rmtree(dir);
    free(dir);
}

static void live_writer_window_means_uncached_reads(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    apikeys_state_t *st = open_state(dir);
    keys_t keys;
    char err[512];
    assert_int_equal(fixture_enable_api(dir), SQLITE_OK);
    assert_int_equal(fixture_add_site_keys(st, 1, keep_key, &keys, err, sizeof err), PANEL_OK);
    size_t len = strlen(keys.k[0]);
    assert_int_equal(apikeys_verify_key(st, keys.k[0], len), VERIFY_OK);

    freshness_t writer; /* another "process": its own open file description */
    assert_int_equal(freshness_open(&writer, dir, err, sizeof err), PANEL_OK);
    assert_int_equal(freshness_writer_begin(&writer, err, sizeof err), PANEL_OK);
    assert_int_equal(apikeys_verify_key(st, keys.k[0], len), VERIFY_OK); /* nothing committed yet */
    /* The writer commits a revocation but has not left its window (or dies right here). */
    char path[2048];
    snprintf(path, sizeof path, "%s/apikeys.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE keys SET role = NULL", 0, 0, 0), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(apikeys_verify_key(st, keys.k[0], len), DENIAL_UNKNOWN);
    assert_int_equal(apikeys_verify_key(st, keys.k[0], len), DENIAL_UNKNOWN);
    freshness_writer_end(&writer);
    assert_int_equal(apikeys_verify_key(st, keys.k[0], len), DENIAL_UNKNOWN);
    freshness_close(&writer);
    apikeys_state_close(st);
    support_rmtree(dir);
    free(dir);
}

/* ---- threads verifying while resets run ---- */

typedef struct race {
    fake_host_t host;
    _Atomic(int) stop;
    _Atomic(unsigned) generation;       /* number of completed resets */
    _Atomic(unsigned) started;          /* number of started resets */
    char keys[64][64];                  /* keys[g] = current key after g resets */
    _Atomic(long) verifications;
    _Atomic(int) violations;
} race_t;

static void *verifier(void *arg)
{
    race_t *r = arg;
    while (!atomic_load(&r->stop)) {
        unsigned g = atomic_load(&r->generation);
        unsigned started_before = atomic_load(&r->started);
        int32_t status;
        char code[32], message[256];
        /* the current key is accepted unless a reset started meanwhile (then 200 or 401 are both right);
         * the previous key, revoked by a reset that returned before we read g, is always refused (401, or 429
         * too_many_invalid once more than 30 a minute came from the test's one address) */
        fake_auth(&r->host, r->keys[g], NULL, &status, code, message);
        int quiet = started_before == g && atomic_load(&r->started) == g;
        int refused = status == 401 || (status == 429 && strcmp(code, "too_many_invalid") == 0);
        if (status != 200 && (quiet || !refused) && atomic_fetch_add(&r->violations, 1) < 3)
            fprintf(stderr, "generation %u current key: %d %s\n", g, status, code);
        if (g > 0) {
            fake_auth(&r->host, r->keys[g - 1], NULL, &status, code, message);
            refused = status == 401 || (status == 429 && strcmp(code, "too_many_invalid") == 0);
            if (!refused && atomic_fetch_add(&r->violations, 1) < 3)
                fprintf(stderr, "generation %u previous key: %d %s\n", g, status, code);
        }
        atomic_fetch_add(&r->verifications, 1);
    }
    return NULL;
}

static void threads_verifying_during_resets_see_old_or_new_state(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    race_t *r = calloc(1, sizeof *r);
    fake_host_init(&r->host, dir);
    char err[512], msg[1024];
    assert_int_equal(fake_host_load(&r->host, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    panel_caller_t owner = fake_caller(1, 1);
    assert_int_equal(fake_run(&r->host, "enable", &owner, NULL, msg, r->keys[0]), PANEL_OK);
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, verifier, r);
    for (unsigned g = 1; g < 40; g++) {
        long before = atomic_load(&r->verifications);
        while (atomic_load(&r->verifications) < before + 50)
            sched_yield();
        char secret[256];
        atomic_store(&r->started, g);
        assert_int_equal(fake_run(&r->host, "reset", &owner, "0", msg, secret), PANEL_OK);
        snprintf(r->keys[g], sizeof r->keys[g], "%.60s", secret);
        atomic_store(&r->generation, g);
    }
    atomic_store(&r->stop, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    printf("%ld verifications during 39 resets, %d violations\n", (long)atomic_load(&r->verifications),
           atomic_load(&r->violations));
    assert_int_equal(atomic_load(&r->violations), 0);
    char text[4096];
    assert_int_equal(fake_status(&r->host, &owner, text, sizeof text), PANEL_OK);
    assert_non_null(strstr(text, "Requests with this key="));
    fake_host_unload(&r->host);
    free(r);
    support_rmtree(dir);
    free(dir);
}

/* ---- threads verifying a named key while it is revoked ---- */

static const panel_api_scope_t scope_read = {.struct_size = sizeof(panel_api_scope_t), .id = "store.read",
                                             .description = "Read the store"};
static const panel_api_scope_t *const scope_list[] = {&scope_read};
static const panel_api_scopes_t scope_catalogue = {sizeof(panel_api_scopes_t), 1, scope_list};

static const void *catalogue_extension(const panel_host_t *host, const char *id)
{
    (void)host;
    return strcmp(id, PANEL_EXT_API_SCOPES) == 0 ? &scope_catalogue : NULL;
}

typedef struct named_args {
    panel_args_t args;
    const char *label, *scopes;
} named_args_t;

static const char *named_arg(const panel_args_t *self, const char *id)
{
    const named_args_t *a = (const named_args_t *)(const void *)self;
    if (strcmp(id, "label") == 0)
        return a->label;
    if (strcmp(id, "scopes") == 0)
        return a->scopes;
    return NULL; /* the defaults of the others: the plugin's (never, any address, no limit) */
}

/* Runs a named-key action (record: NULL for create-key); returns its code, fills secret and created. */
static int32_t named_action(fake_host_t *h, const char *id, const char *record, const char *label, char *secret,
                            char *created)
{
    const panel_action_t *a = fake_action(h, id);
    assert_non_null(a);
    panel_caller_t owner = fake_caller(1, 1);
    named_args_t args = {{sizeof(panel_args_t), NULL, named_arg, record}, label, "store.read"};
    char msg[1024] = "";
    secret[0] = created[0] = '\0';
    panel_result_t result = {sizeof(panel_result_t), msg, sizeof msg, secret, 256, created, 32};
    int32_t rc = a->run(h->state, &owner, &args.args, &result);
    if (rc != PANEL_OK)
        fprintf(stderr, "%s: %s\n", id, msg);
    return rc;
}

typedef struct named_race {
    fake_host_t host;
    char key[256];
    _Atomic(int) stop;
    _Atomic(int) revoked;              /* 1 once the revoke returned */
    _Atomic(long) verifications, allowed, after_revoke;
    _Atomic(int) violations;
} named_race_t;

static const char *named_header(const panel_request_t *self, const char *name)
{
    return strcasecmp(name, "X-API-Key") == 0 ? self->req_ctx : NULL;
}

static void *named_verifier(void *arg)
{
    named_race_t *r = arg;
    while (!atomic_load(&r->stop)) {
        int revoked_before = atomic_load(&r->revoked);
        /* "local": no client address, so the stale-key throttle (per address) never turns the 401s into 429s */
        panel_request_t req = {sizeof(panel_request_t), "GET", "/api/v1/store", "local", r->key, named_header,
                               "store.read"};
        char principal[64] = "", code[32] = "", message[256] = "", scopes[PANEL_SCOPES_MAX] = "";
        panel_auth_result_t res = {.struct_size = sizeof res, .principal = principal, .principal_len = sizeof principal,
                                   .error_code = code, .error_code_len = sizeof code, .message = message,
                                   .message_len = sizeof message, .scopes = scopes, .scopes_len = sizeof scopes};
        int32_t verdict = r->host.provider.authenticate(r->host.state, &req, &res);
        int ok;
        if (verdict == PANEL_AUTH_ALLOW) {
            ok = !revoked_before && strcmp(principal, "apikeys:key:1") == 0 && strcmp(scopes, "store.read") == 0;
            atomic_fetch_add(&r->allowed, 1);
        } else {
            ok = verdict == PANEL_AUTH_DENY && res.http_status == 401 && strcmp(code, "unknown") == 0;
        }
        if (!ok && atomic_fetch_add(&r->violations, 1) < 3)
            fprintf(stderr, "%s the revoke returned: verdict %d, %d %s %s (principal '%s')\n",
                    revoked_before ? "after" : "before", verdict, res.http_status, code, message, principal);
        if (revoked_before)
            atomic_fetch_add(&r->after_revoke, 1);
        atomic_fetch_add(&r->verifications, 1);
    }
    return NULL;
}

static void threads_verifying_a_named_key_while_it_is_revoked(void **s)
{
    (void)s;
    char *dir = support_tmpdir();
    named_race_t *r = calloc(1, sizeof *r);
    fake_host_init(&r->host, dir);
    r->host.table.get_extension = catalogue_extension; /* a 1.1 host with a scope catalogue: named keys exist */
    char err[512], msg[1024], secret[256], created[32];
    assert_int_equal(fake_host_load(&r->host, &panel_plugin_entry, err, sizeof err), PANEL_OK);
    panel_caller_t owner = fake_caller(1, 1);
    assert_int_equal(fake_run(&r->host, "enable", &owner, NULL, msg, secret), PANEL_OK);
    assert_int_equal(named_action(&r->host, "create-key", NULL, "race bot", r->key, created), PANEL_OK);
    assert_string_equal(created, "1");
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, named_verifier, r);
    while (atomic_load(&r->allowed) < 200) /* every thread under way, the key accepted */
        sched_yield();
    assert_int_equal(named_action(&r->host, "revoke", "1", NULL, secret, created), PANEL_OK);
    atomic_store(&r->revoked, 1);
    long at_revoke = atomic_load(&r->verifications);
    while (atomic_load(&r->after_revoke) < 2000)
        sched_yield();
    atomic_store(&r->stop, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    printf("%ld verifications (%ld allowed), %ld after the revoke returned, %d violations\n",
           (long)atomic_load(&r->verifications), (long)atomic_load(&r->allowed), (long)atomic_load(&r->after_revoke),
           atomic_load(&r->violations));
    assert_true(at_revoke >= 200);
    assert_int_equal(atomic_load(&r->violations), 0);
    fake_host_unload(&r->host);
    free(r);
    support_rmtree(dir);
    free(dir);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dead_writer_is_repaired_by_the_next_verification),
        cmocka_unit_test(live_writer_window_means_uncached_reads),
        cmocka_unit_test(threads_verifying_during_resets_see_old_or_new_state),
        cmocka_unit_test(threads_verifying_a_named_key_while_it_is_revoked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
