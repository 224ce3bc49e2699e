/* crash_kill.c - crash consistency and crash freshness of the API Keys plugin (issue 5).
 *
 * A driver process (a host with apikeys.so loaded) runs enable, disable, reset (grace 0 or 1h) and end-grace
 * in a loop, appending "B action grace" to a log before each action and "D status key" after it returned
 * (each write fsync'd, so a logged "D" is an acknowledged action). The orchestrator kills it with SIGKILL at a
 * random instant, KILLS times. Meanwhile a long-running verifier process keeps authenticating the known keys.
 * After each kill:
 *   - the database passes PRAGMA integrity_check; its switch, current and grace rows match a model built from
 *     the acknowledged actions (plus the one unacknowledged action when, and only when, its audit row shows
 *     it committed);
 *   - the audit rows written since the previous kill are exactly the acknowledged actions, in order, with
 *     their outcome and key hint, plus at most that one committed-but-unacknowledged action;
 *   - a fresh process authenticates every known key exactly as the model says (the current key works, the
 *     grace key only if its reset committed, every other key is refused) and shows matching status lines;
 *   - the long-running verifier, asked right after the kill, answers exactly like the fresh process: it never
 *     accepts a key the committed state revoked, wherever the kill landed (also inside the writer window).
 * Prints PASS:/FAIL: lines and the figures. Usage: crash_kill PLUGIN.so WORKDIR KILLS [SEED] */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rel_support.h"

#define MAX_KNOWN 40
#define MAX_LOG 4096
#define MAX_FAILURES 8

typedef struct model {
    int enabled;
    int has_current;
    char current[REL_KEY_MAX]; /* "" = present but unknown (its reset committed unacknowledged) */
    int has_grace;
    char grace[REL_KEY_MAX];
} model_t;

typedef struct log_entry {
    char action[16];
    char grace[8];
    int done;                  /* a "D" line followed: acknowledged */
    int status;
    char key[REL_KEY_MAX];     /* revealed key or "" */
} log_entry_t;

static const char *g_plugin, *g_config, *g_data;
static int g_failures;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    g_failures++;
}

/* ----- the driver (killed at random) ------------------------------------------------------------------- */

static void sleep_us(long us);

/* Fault injection in the driver only: this program exports sqlite3_exec (linked with -rdynamic), so the
 * plugin's calls resolve here first. After a successful COMMIT it pauses up to 1 ms, widening the instant
 * in which the change is committed and visible but the writer has not yet left its window (counter still
 * odd), so that random kills land there often. The plugin's code is unchanged. */
static int g_widen_commit;
typedef int (*exec_fn)(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **);

int sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **), void *arg,
                 char **errmsg)
{
    static exec_fn real;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "sqlite3_exec");
    int rc = real(db, sql, callback, arg, errmsg);
    if (g_widen_commit && rc == SQLITE_OK && strcmp(sql, "COMMIT") == 0)
        sleep_us(rand() % 1000);
    return rc;
}

static void log_write(int fd, const char *line)
{
    if (rel_write_all(fd, line, strlen(line)) != 0 || fdatasync(fd) != 0)
        _exit(4);
}

static void run_driver(const char *log_path, int ready_fd, unsigned seed)
{
    char err[512];
    rel_host_t h;
    if (rel_open(&h, g_config, g_data, g_plugin, NULL, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "driver: %s\n", err);
        _exit(3);
    }
    int log_fd = open(log_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (log_fd < 0)
        _exit(3);
    (void)!write(ready_fd, "r", 1);
    srand(seed);
    g_widen_commit = 1;
    for (;;) {
        int r = rand() % 100;
        const char *action = r < 20 ? "enable" : r < 35 ? "disable" : r < 85 ? "reset" : "end-grace";
        const char *grace = strcmp(action, "reset") != 0 ? NULL : rand() % 2 ? "1h" : "0";
        char line[256], secret[REL_KEY_MAX], msg[1024];
        snprintf(line, sizeof line, "B %s %s\n", action, grace ? grace : "-");
        log_write(log_fd, line);
        int32_t rc = rel_action(&h, action, grace, secret, msg, sizeof msg);
        snprintf(line, sizeof line, "D %d %s\n", (int)rc, secret[0] ? secret : "-");
        log_write(log_fd, line);
    }
}

/* ----- verifiers: the long-running one and a fresh one per check ---------------------------------------- */

typedef struct verifier {
    pid_t pid;
    int to, from;
} verifier_t;

static int32_t status_row(void *ctx, const char *const *cells, uint32_t n_cells)
{
    int fd = *(int *)ctx;
    char line[1024];
    snprintf(line, sizeof line, "%s\t%s\n", n_cells > 0 ? cells[0] : "", n_cells > 1 ? cells[1] : "");
    rel_write_all(fd, line, strlen(line));
    return PANEL_OK;
}

/* Commands: "Q n" + n key lines -> one line of n statuses; "S" -> status lines "label\tvalue", then ".";
 * "X" -> exit. With keep_verifying the process authenticates its last key list whenever it is idle. */
static void serve_verifier(int in, int out, int keep_verifying)
{
    char err[512];
    rel_host_t h;
    if (rel_open(&h, g_config, g_data, g_plugin, NULL, err, sizeof err) != PANEL_OK) {
        fprintf(stderr, "verifier: %s\n", err);
        _exit(3);
    }
    static char hot[MAX_KNOWN][REL_KEY_MAX];
    int n_hot = 0;
    rel_write_all(out, "ready\n", 6);
    char line[8192];
    for (;;) {
        if (keep_verifying) {
            struct pollfd p = {.fd = in, .events = POLLIN};
            if (poll(&p, 1, 0) == 0) {
                for (int i = 0; i < n_hot; i++)
                    rel_auth(&h, hot[i], NULL);
                if (n_hot == 0)
                    poll(&p, 1, 1);
                continue;
            }
        }
        if (rel_read_line(in, line, sizeof line) != 0 || line[0] == 'X')
            break;
        if (line[0] == 'Q') {
            int n = atoi(line + 2);
            size_t used = 0;
            for (int i = 0; i < n && i < MAX_KNOWN; i++) {
                if (rel_read_line(in, hot[i], sizeof hot[i]) != 0)
                    _exit(5);
            }
            n_hot = n;
            for (int i = 0; i < n; i++)
                used += (size_t)snprintf(line + used, sizeof line - used, "%d ", rel_auth(&h, hot[i], NULL));
            snprintf(line + used, sizeof line - used, "\n");
            rel_write_all(out, line, strlen(line));
        } else if (line[0] == 'S') {
            if (panelhost_page_status(h.host, &h.caller, REL_PAGE, status_row, &out, err, sizeof err) != PANEL_OK)
                fprintf(stderr, "verifier: status: %s\n", err);
            rel_write_all(out, ".\n", 2);
        }
    }
    rel_close(&h);
    _exit(0);
}

static int verifier_start(verifier_t *v, int keep_verifying)
{
    int down[2], up[2];
    if (pipe(down) != 0 || pipe(up) != 0)
        return -1;
    fflush(stdout);
    v->pid = fork();
    if (v->pid < 0)
        return -1;
    if (v->pid == 0) {
        close(down[1]);
        close(up[0]);
        serve_verifier(down[0], up[1], keep_verifying);
    }
    close(down[0]);
    close(up[1]);
    v->to = down[1];
    v->from = up[0];
    char line[64];
    return rel_read_line(v->from, line, sizeof line) == 0 && strcmp(line, "ready") == 0 ? 0 : -1;
}

static int verifier_query(verifier_t *v, char keys[][REL_KEY_MAX], int n, int *statuses)
{
    char line[8192];
    snprintf(line, sizeof line, "Q %d\n", n);
    if (rel_write_all(v->to, line, strlen(line)) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%s\n", keys[i]);
        if (rel_write_all(v->to, line, strlen(line)) != 0)
            return -1;
    }
    if (rel_read_line(v->from, line, sizeof line) != 0)
        return -1;
    char *p = line;
    for (int i = 0; i < n; i++)
        statuses[i] = (int)strtol(p, &p, 10);
    return 0;
}

/* Status lines into buf as "label\tvalue\n"... */
static int verifier_status(verifier_t *v, char *buf, size_t len)
{
    if (rel_write_all(v->to, "S\n", 2) != 0)
        return -1;
    size_t used = 0;
    buf[0] = '\0';
    char line[1024];
    while (rel_read_line(v->from, line, sizeof line) == 0) {
        if (strcmp(line, ".") == 0)
            return 0;
        used += (size_t)snprintf(buf + used, len - used, "%s\n", line);
        if (used >= len)
            used = len - 1;
    }
    return -1;
}

static void verifier_stop(verifier_t *v)
{
    rel_write_all(v->to, "X\n", 2);
    close(v->to);
    close(v->from);
    int st;
    waitpid(v->pid, &st, 0);
}

/* ----- the log of the killed driver ----------------------------------------------------------------------- */

static int read_log(const char *path, log_entry_t *entries, int max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            break; /* a torn last line (cannot happen with one write, but never trust it) */
        line[len - 1] = '\0';
        if (line[0] == 'B' && n < max) {
            log_entry_t *e = &entries[n++];
            memset(e, 0, sizeof *e);
            sscanf(line + 2, "%15s %7s", e->action, e->grace);
        } else if (line[0] == 'D' && n > 0) {
            log_entry_t *e = &entries[n - 1];
            char key[REL_KEY_MAX];
            if (sscanf(line + 2, "%d %127s", &e->status, key) == 2) {
                e->done = 1;
                snprintf(e->key, sizeof e->key, "%s", strcmp(key, "-") == 0 ? "" : key);
            }
        }
    }
    fclose(f);
    return n;
}

/* ----- the model of the committed state ----------------------------------------------------------------- */

/* The status the model predicts for an acknowledged action: every one succeeds but end-grace without a grace
 * key, which is refused with PANEL_E_STATE (enable when already enabled still succeeds and says so). */
static int predicted_status(const model_t *m, const char *action)
{
    if (strcmp(action, "end-grace") == 0 && !m->has_grace)
        return PANEL_E_STATE;
    return PANEL_OK;
}

static void apply(model_t *m, const char *action, const char *grace, const char *key)
{
    if (strcmp(action, "enable") == 0) {
        if (!m->has_current) {
            m->has_current = 1;
            snprintf(m->current, sizeof m->current, "%s", key);
        }
        m->enabled = 1;
    } else if (strcmp(action, "disable") == 0) {
        m->enabled = 0;
    } else if (strcmp(action, "reset") == 0) {
        m->has_grace = 0;
        if (m->has_current && strcmp(grace, "0") != 0) {
            m->has_grace = 1;
            memcpy(m->grace, m->current, sizeof m->grace);
        }
        m->has_current = 1;
        snprintf(m->current, sizeof m->current, "%s", key);
    } else if (strcmp(action, "end-grace") == 0) {
        m->has_grace = 0;
    }
}

static int expected_status(const model_t *m, const char *key)
{
    if ((m->has_current && strcmp(key, m->current) == 0) || (m->has_grace && strcmp(key, m->grace) == 0))
        return m->enabled ? 200 : 403;
    return 401;
}

/* ----- the database, read directly -------------------------------------------------------------------- */

typedef struct audit_row {
    long long id;
    char action[16];
    char outcome[160];
    char hint[32];
} audit_row_t;

typedef struct db_state {
    int integrity_ok;
    int enabled;
    int currents, graces;
    int n_rows;
    audit_row_t rows[MAX_LOG + 1];
} db_state_t;

static int query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int read_db(const char *path, long long after_id, db_state_t *d)
{
    sqlite3 *db;
    memset(d, 0, sizeof *d);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        d->integrity_ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    d->enabled = query_int(db, "SELECT value = '1' FROM settings WHERE name = 'api_enabled'");
    d->currents = query_int(db, "SELECT count(*) FROM keys WHERE role = 'current'");
    d->graces = query_int(db, "SELECT count(*) FROM keys WHERE role = 'grace'");
    if (sqlite3_prepare_v2(db, "SELECT id, action, outcome, coalesce(key_hint, '') FROM audit WHERE id > ? ORDER BY id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, after_id);
        while (sqlite3_step(st) == SQLITE_ROW && d->n_rows <= MAX_LOG) {
            audit_row_t *r = &d->rows[d->n_rows++];
            r->id = sqlite3_column_int64(st, 0);
            snprintf(r->action, sizeof r->action, "%s", (const char *)sqlite3_column_text(st, 1));
            snprintf(r->outcome, sizeof r->outcome, "%s", (const char *)sqlite3_column_text(st, 2));
            snprintf(r->hint, sizeof r->hint, "%s", (const char *)sqlite3_column_text(st, 3));
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

static long long read_counter(const char *data_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%.4000s/apikeys.epoch", data_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned long long c = 0;
    if (fd < 0 || pread(fd, &c, sizeof c, 0) != (ssize_t)sizeof c)
        c = 0;
    if (fd >= 0)
        close(fd);
    return (long long)c;
}

/* ----- one kill and its checks ----------------------------------------------------------------------------- */

typedef struct totals {
    int mode_random, mode_window, mode_commit, commit_hits;
    int kills, in_action, committed_unacked, odd_counter, acked, keys_checked, stale;
} totals_t;

static char g_known[MAX_KNOWN][REL_KEY_MAX];
static int g_n_known;

static void remember_key(const char *key)
{
    if (!key[0])
        return;
    if (g_n_known == MAX_KNOWN) {
        memmove(g_known[0], g_known[1], sizeof g_known[0] * (MAX_KNOWN - 1));
        g_n_known--;
    }
    snprintf(g_known[g_n_known++], REL_KEY_MAX, "%s", key);
}

/* Checks the audit rows written since the last kill against the driver's log and advances the model. */
static void check_audit_and_advance(int k, const log_entry_t *log, int n_log, const db_state_t *d, model_t *m,
                                    totals_t *t)
{
    int n_done = 0;
    while (n_done < n_log && log[n_done].done)
        n_done++;
    int trailing = n_log > n_done; /* an action began but was not acknowledged */
    if (n_log > n_done + 1)
        failf("kill %d: the driver log has an unfinished action before the last", k);
    if (trailing)
        t->in_action++;
    if (d->n_rows < n_done || d->n_rows > n_done + trailing) {
        failf("kill %d: %d audit rows for %d acknowledged actions (+%d unacknowledged): an action was lost or "
              "duplicated",
              k, d->n_rows, n_done, trailing);
        return;
    }
    for (int j = 0; j < n_done; j++) {
        const log_entry_t *e = &log[j];
        const audit_row_t *r = &d->rows[j];
        int want = predicted_status(m, e->action);
        if (e->status != want)
            failf("kill %d: %s returned %d, the model expected %d", k, e->action, e->status, want);
        int ok_row = strncmp(r->outcome, "ok", 2) == 0;
        if (strcmp(r->action, e->action) != 0 || ok_row != (e->status == PANEL_OK))
            failf("kill %d: acknowledged action %d (%s, status %d) has audit row %lld '%s' '%s'", k, j, e->action,
                  e->status, r->id, r->action, r->outcome);
        if (e->key[0]) {
            char hint[32];
            rel_hint(e->key, hint, sizeof hint);
            if (strcmp(hint, r->hint) != 0)
                failf("kill %d: audit row %lld has hint '%s', the revealed key's is '%s'", k, r->id, r->hint, hint);
        }
        if (e->status == PANEL_OK)
            apply(m, e->action, e->grace, e->key);
        remember_key(e->key);
        t->acked++;
    }
    if (d->n_rows == n_done + 1) {
        const log_entry_t *e = &log[n_done];
        const audit_row_t *r = &d->rows[n_done];
        if (strcmp(r->action, e->action) != 0)
            failf("kill %d: the extra audit row is '%s', the unacknowledged action was '%s'", k, r->action, e->action);
        t->committed_unacked++;
        if (strncmp(r->outcome, "ok", 2) == 0)
            apply(m, e->action, e->grace, ""); /* committed: its key (if any) was never seen */
    }
}

static void check_keys(int k, const char *who, const model_t *m, const int *statuses, totals_t *t, int is_stale)
{
    for (int i = 0; i < g_n_known; i++) {
        int want = expected_status(m, g_known[i]);
        if (statuses[i] == want)
            continue;
        char hint[32];
        rel_hint(g_known[i], hint, sizeof hint);
        failf("kill %d: %s answered %d for key %s, the committed state says %d", k, who, statuses[i], hint, want);
        if (is_stale && statuses[i] == 200)
            t->stale++;
    }
}

static void check_status_lines(int k, const model_t *m, const char *text)
{
    char want[256];
    snprintf(want, sizeof want, "API\t%s", m->enabled ? "enabled" : "disabled");
    if (!strstr(text, want))
        failf("kill %d: status lines lack '%s':\n%s", k, "API", text);
    if (m->has_current && m->current[0]) {
        char hint[32];
        rel_hint(m->current, hint, sizeof hint);
        snprintf(want, sizeof want, "Key\tpresent (%s)", hint);
        if (!strstr(text, want))
            failf("kill %d: status lines lack '%s':\n%s", k, want, text);
    }
    if (!m->has_current && !strstr(text, "Key\tnone"))
        failf("kill %d: status lines should say there is no key:\n%s", k, text);
    int shows_grace = strstr(text, "Previous key valid until") != NULL;
    if (shows_grace != m->has_grace)
        failf("kill %d: status lines %s a grace key, the model %s one:\n%s", k, shows_grace ? "show" : "lack",
              m->has_grace ? "has" : "has no", text);
}

/* Read-only views of the change counter and of SQLite's wal-index header (its mxFrame moves when a
 * transaction becomes visible to other connections), to aim kills at the writer window. */
typedef struct watch {
    const volatile uint64_t *counter;
    const volatile uint32_t *wal_max_frame;
    void *shm;
} watch_t;

static void watch_open(watch_t *w, const char *data_dir)
{
    char path[4200];
    memset(w, 0, sizeof *w);
    snprintf(path, sizeof path, "%.4000s/apikeys.epoch", data_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        void *p = mmap(NULL, 8, PROT_READ, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED)
            w->counter = p;
        close(fd);
    }
    snprintf(path, sizeof path, "%.4000s/apikeys.db-shm", data_dir);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            w->shm = p;
            w->wal_max_frame = (const volatile uint32_t *)((char *)p + 16);
        }
        close(fd);
    }
}

static void watch_close(watch_t *w)
{
    if (w->counter)
        munmap((void *)(uintptr_t)w->counter, 8);
    if (w->shm)
        munmap(w->shm, 4096);
}

/* Spins until the counter is odd (a writer entered its window); 0, or -1 after limit_ms. */
static int wait_window(const watch_t *w, double limit_ms)
{
    double end = rel_ms() + limit_ms;
    while (!(*w->counter & 1u))
        if (rel_ms() > end)
            return -1;
    return 0;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PLUGIN.so WORKDIR KILLS [SEED]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    g_plugin = argv[1];
    const char *work = argv[2];
    int kills = atoi(argv[3]);
    unsigned seed = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : (unsigned)time(NULL);
    static char config[4200], data[4200], db_path[4200], log_path[4200];
    snprintf(config, sizeof config, "%.4000s/panel.ini", work);
    snprintf(data, sizeof data, "%.4000s/data", work);
    snprintf(db_path, sizeof db_path, "%.4000s/data/apikeys.db", work);
    snprintf(log_path, sizeof log_path, "%.4000s/driver.log", work);
    g_config = config;
    g_data = data;
    if (rel_write_config(config) != 0) {
        perror(config);
        return 2;
    }
    printf("seed %u\n", seed);
    srand(seed);

    verifier_t longrun;
    if (verifier_start(&longrun, 1) != 0) {
        printf("FAIL: the long-running verifier did not start\n");
        return 1;
    }
    model_t m;
    memset(&m, 0, sizeof m);
    totals_t t;
    memset(&t, 0, sizeof t);
    long long last_audit_id = 0;
    static log_entry_t log[MAX_LOG];
    static db_state_t d;
    double t0 = rel_ms();
    for (int k = 0; k < kills && g_failures < MAX_FAILURES; k++) {
        int lf = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        close(lf);
        int ready[2];
        if (pipe(ready) != 0)
            return 2;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(ready[0]);
            close(longrun.to);
            close(longrun.from);
            run_driver(log_path, ready[1], seed * 7919u + (unsigned)k);
        }
        close(ready[1]);
        /* Where to kill: 40% at a uniformly random instant (10% of those while it still starts), 30% at a
         * random point inside the writer window, 30% right after a transaction became visible inside the
         * window (the commit is there but the counter is still odd: the hardest case for other processes). */
        int mode = k < 1 ? 0 : rand() % 10;
        int early = mode == 0;
        if (!early) {
            char c;
            if (read(ready[0], &c, 1) != 1)
                failf("kill %d: the driver did not start", k);
        }
        watch_t w;
        watch_open(&w, data);
        if (mode < 4 || !w.counter || !w.wal_max_frame) {
            t.mode_random++;
            sleep_us(early ? rand() % 5000 : rand() % 20000);
        } else if (mode < 7) {
            t.mode_window++;
            sleep_us(rand() % 3000);
            if (wait_window(&w, 500) == 0)
                sleep_us(rand() % 1500);
        } else {
            t.mode_commit++;
            sleep_us(rand() % 3000);
            double end = rel_ms() + 500;
            while (rel_ms() < end) {
                if (wait_window(&w, 500) != 0)
                    break;
                uint32_t frames = *w.wal_max_frame;
                while ((*w.counter & 1u) && *w.wal_max_frame == frames) {
                }
                if (*w.wal_max_frame != frames)
                    break; /* committed, probably still inside the window: kill now */
            }
        }
        watch_close(&w);
        /* Stop the long-running verifier first: it would repair a dead writer's odd counter within
         * microseconds (that is its job), before the counter below could show where the kill landed. */
        int vst;
        kill(longrun.pid, SIGSTOP);
        waitpid(longrun.pid, &vst, WUNTRACED);
        kill(pid, SIGKILL);
        int wst;
        waitpid(pid, &wst, 0);
        close(ready[0]);
        if (!WIFSIGNALED(wst))
            failf("kill %d: the driver exited by itself (status %d)", k, WEXITSTATUS(wst));
        t.kills++;
        int odd = (int)(read_counter(data) & 1);
        kill(longrun.pid, SIGCONT);
        t.odd_counter += odd;
        int unacked_before = t.committed_unacked;

        int n_log = read_log(log_path, log, MAX_LOG);
        /* The long-running verifier first: its snapshot predates the kill. */
        int n_before_keys = g_n_known;
        (void)n_before_keys;
        if (read_db(db_path, last_audit_id, &d) != 0) {
            if (k == 0 && n_log == 0)
                continue; /* killed before the store existed */
            failf("kill %d: the database cannot be opened", k);
            continue;
        }
        if (!d.integrity_ok)
            failf("kill %d: PRAGMA integrity_check is not ok", k);
        check_audit_and_advance(k, log, n_log, &d, &m, &t);
        if (odd && t.committed_unacked > unacked_before)
            t.commit_hits++;
        if (d.n_rows > 0)
            last_audit_id = d.rows[d.n_rows - 1].id;
        if (d.enabled != m.enabled)
            failf("kill %d: the database says api_enabled=%d, the acknowledged actions say %d", k, d.enabled,
                  m.enabled);
        if (d.currents != m.has_current || d.graces != m.has_grace)
            failf("kill %d: the database has %d current and %d grace keys, the model %d and %d", k, d.currents,
                  d.graces, m.has_current, m.has_grace);

        int st_long[MAX_KNOWN], st_fresh[MAX_KNOWN];
        if (verifier_query(&longrun, g_known, g_n_known, st_long) != 0) {
            failf("kill %d: the long-running verifier stopped answering", k);
            break;
        }
        check_keys(k, "the long-running verifier", &m, st_long, &t, 1);
        verifier_t fresh;
        if (verifier_start(&fresh, 0) != 0) {
            failf("kill %d: a fresh process could not open the store", k);
            continue;
        }
        char status[4096];
        if (verifier_query(&fresh, g_known, g_n_known, st_fresh) != 0 ||
            verifier_status(&fresh, status, sizeof status) != 0)
            failf("kill %d: the fresh process did not answer", k);
        else {
            check_keys(k, "a fresh process", &m, st_fresh, &t, 0);
            check_status_lines(k, &m, status);
        }
        verifier_stop(&fresh);
        t.keys_checked += 2 * g_n_known;
    }
    verifier_stop(&longrun);
    double secs = (rel_ms() - t0) / 1000.0;
    printf("%d kills in %.1f s (aimed: %d random instant, %d inside the writer window, %d right after a commit): "
           "%d inside an action, %d with the counter odd (inside the writer window), %d committed but "
           "unacknowledged, %d committed with the counter still odd, %d acknowledged actions, %d key "
           "verifications checked, %d stale acceptances\n",
           t.kills, secs, t.mode_random, t.mode_window, t.mode_commit, t.in_action, t.odd_counter,
           t.committed_unacked, t.commit_hits, t.acked, t.keys_checked, t.stale);
    if (g_failures == 0 && t.kills == kills) {
        printf("PASS: %d SIGKILLs: integrity_check ok after each\n", t.kills);
        printf("PASS: %d SIGKILLs: audit trail = acknowledged actions (+ the one in flight only when committed)\n",
               t.kills);
        printf("PASS: %d SIGKILLs: a fresh process accepts exactly the committed current/grace keys, status agrees\n",
               t.kills);
        printf("PASS: %d SIGKILLs (%d inside the writer window): the long-running verifier never accepted a "
               "revoked key\n",
               t.kills, t.odd_counter);
    }
    if (t.odd_counter == 0 && kills >= 100)
        failf("no kill landed inside the writer window: the freshness repair path was not exercised");
    if (t.commit_hits == 0 && kills >= 100)
        failf("no kill landed between a commit and the end of its writer window");
    return g_failures ? 1 : 0;
}
