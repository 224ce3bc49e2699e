/* two_process_race.c - two processes on one data directory (issue 5, concurrency): one process resets the
 * API key repeatedly, alternating grace 0 and 1h; another process verifies continuously on 3 threads. Shared
 * memory (not the plugin) tells the verifiers which keys each completed reset produced. Every verification
 * must see either the state before or the state after a reset, never a torn one:
 *   - while no reset is in flight, the state is exact: the current key works, the previous key works exactly
 *     when the last reset had a grace period, every older key is refused;
 *   - while one is in flight, a key may be in either its old or its new state, but a key revoked by a reset
 *     that completed is always refused.
 * (Threads within one process: tests/unit/plugin_concurrency.c.) Prints PASS:/FAIL: lines.
 * Usage: two_process_race PLUGIN.so WORKDIR [RESETS] */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rel_support.h"

#define MAX_GEN 256
#define THREADS 3

typedef struct shared {
    _Atomic unsigned started;      /* resets begun */
    _Atomic unsigned generation;   /* resets completed (keys[generation] is current) */
    _Atomic int ready, stop;
    _Atomic long verifications;
    _Atomic long violations;
    char keys[MAX_GEN][REL_KEY_MAX];
    int grace[MAX_GEN];            /* reset g kept the previous key for a grace period */
} shared_t;

static shared_t *sh;
static rel_host_t vhost;

static void violation(const char *what, unsigned g, int got)
{
    if (atomic_fetch_add(&sh->violations, 1) < 5)
        printf("FAIL: generation %u: %s answered %d\n", g, what, got);
}

static void *verify_loop(void *arg)
{
    (void)arg;
    while (!atomic_load(&sh->stop)) {
        unsigned g = atomic_load(&sh->generation);
        unsigned s0 = atomic_load(&sh->started);
        int cur = rel_auth(&vhost, sh->keys[g], NULL);
        int prev = g >= 1 ? rel_auth(&vhost, sh->keys[g - 1], NULL) : 401;
        int older = g >= 2 ? rel_auth(&vhost, sh->keys[g - 2], NULL) : 401;
        int quiet = s0 == g && atomic_load(&sh->started) == g && atomic_load(&sh->generation) == g;
        if (quiet) {
            if (cur != 200)
                violation("the current key (no reset in flight)", g, cur);
            if (g >= 1 && prev != (sh->grace[g] ? 200 : 401))
                violation("the previous key (no reset in flight)", g, prev);
        } else {
            if (cur != 200 && cur != 401)
                violation("the current key (reset in flight)", g, cur);
            if (g >= 1 && !sh->grace[g] && prev != 401)
                violation("the previous key revoked by a completed reset", g, prev);
        }
        if (older != 401)
            violation("a key revoked two resets ago", g, older);
        atomic_fetch_add(&sh->verifications, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PLUGIN.so WORKDIR [RESETS]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *plugin = argv[1];
    int resets = argc > 3 ? atoi(argv[3]) : 60;
    if (resets < 2 || resets >= MAX_GEN)
        resets = 60;
    static char config[4200], data[4200];
    snprintf(config, sizeof config, "%.4000s/panel.ini", argv[2]);
    snprintf(data, sizeof data, "%.4000s/data", argv[2]);
    if (rel_write_config(config) != 0)
        return 2;
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 2;
    memset(sh, 0, sizeof *sh);

    char err[512], msg[1024];
    rel_host_t owner;
    if (rel_open(&owner, config, data, plugin, NULL, err, sizeof err) != PANEL_OK) {
        printf("FAIL: open: %s\n", err);
        return 1;
    }
    if (rel_action(&owner, "enable", NULL, sh->keys[0], msg, sizeof msg) != PANEL_OK || !sh->keys[0][0]) {
        printf("FAIL: enable: %s\n", msg);
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (rel_open(&vhost, config, data, plugin, NULL, err, sizeof err) != PANEL_OK) {
            printf("FAIL: verifier open: %s\n", err);
            _exit(1);
        }
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++)
            pthread_create(&t[i], NULL, verify_loop, NULL);
        atomic_store(&sh->ready, 1);
        for (int i = 0; i < THREADS; i++)
            pthread_join(t[i], NULL);
        rel_close(&vhost);
        _exit(0);
    }
    while (!atomic_load(&sh->ready))
        sched_yield();
    for (unsigned g = 1; g <= (unsigned)resets; g++) {
        long before = atomic_load(&sh->verifications);
        while (atomic_load(&sh->verifications) < before + 30) /* progress, not time */
            sched_yield();
        int grace = g % 2 == 0;
        sh->grace[g] = grace;
        atomic_store(&sh->started, g);
        int32_t rc = rel_action(&owner, "reset", grace ? "1h" : "0", sh->keys[g], msg, sizeof msg);
        if (rc != PANEL_OK || !sh->keys[g][0]) {
            printf("FAIL: reset %u: %s\n", g, msg);
            atomic_fetch_add(&sh->violations, 1);
            break;
        }
        atomic_store(&sh->generation, g);
    }
    long before = atomic_load(&sh->verifications);
    while (atomic_load(&sh->verifications) < before + 30)
        sched_yield();
    atomic_store(&sh->stop, 1);
    int status = 0;
    waitpid(pid, &status, 0);
    rel_close(&owner);
    long v = atomic_load(&sh->verifications), bad = atomic_load(&sh->violations);
    printf("%d resets (grace 0 and 1h alternating) in one process, %ld verification rounds (3 keys each) on %d "
           "threads in another, %ld violations\n",
           resets, v, THREADS, bad);
    if (bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        printf("PASS: two processes on one data directory: every verification saw the old or the new state\n");
    else if (bad == 0)
        printf("FAIL: the verifying process ended with status %d\n", status);
    return bad == 0 ? 0 : 1;
}
