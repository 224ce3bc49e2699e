/* process_host.c - the process-wide hosts of panelhost_process_open/_close/_host: one open host per config file
 * for runtimes that start a fresh script per request (PHP-FPM workers), kept across requests, reloaded when
 * other processes change the enabled extensions, never reused across fork(), closed on demand or at exit, with
 * libpanelhost pinned in memory while one exists. A request's lookup of an absolute path it named before costs
 * a string compare, the mutex and one atomic load of the extension change counter (no realpath(), no getpid(),
 * no system call). */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef struct process_host {
    struct process_host *next;
    char *key;          /* realpath of the config ("" without a config) */
    pid_t pid;          /* the process that opened it; another pid means an inherited copy */
    panelhost_t *host;
    char *given;        /* the first absolute spelling of the config path that named it (not resolved), or
                         * NULL; freed with the entry */
} process_host_t;

static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;
static process_host_t *hosts;
static process_host_t *inherited; /* copies inherited over fork(): the parent's, never closed or freed here */
static int exit_handler_registered;
static int pinned;
static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;
static pid_t self_pid; /* 0: not read yet in this process */

static void register_fork_handlers(void);

/* This process's id, read once: the fork handlers (registered before it is first read) reset it in a child. */
static pid_t self_locked(void)
{
    if (self_pid == 0) {
        pthread_once(&fork_handlers_once, register_fork_handlers);
        self_pid = getpid();
    }
    return self_pid;
}

/* A fork() while another thread holds the lock would leave the child's copy locked forever. */
static void before_fork(void) { pthread_mutex_lock(&hosts_lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&hosts_lock); }
static void after_fork_child(void)
{
    self_pid = 0;
    pthread_mutex_unlock(&hosts_lock);
}
static void register_fork_handlers(void) { pthread_atfork(before_fork, after_fork_parent, after_fork_child); }

/* Keeps this library mapped until the process ends, so a runtime that dlcloses it (PHP's FFI::cdef at the end
 * of a request) does not unmap the hosts it holds. Statically linked into a program: nothing to do. */
static void pin_library(void)
{
    if (pinned)
        return;
    Dl_info info;
    if (dladdr(&hosts_lock, &info) != 0 && info.dli_fname && info.dli_fname[0]) {
        void *self = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
        if (self)
            dlclose(self); /* NODELETE stays set on the already-loaded object */
    }
    pinned = 1;
}

/* Sets aside an entry inherited over fork(): it is left as it is (its plugins' threads exist only in the
 * parent, so closing it here could hang or corrupt), and stays reachable. */
static void set_aside(process_host_t *p)
{
    p->next = inherited;
    inherited = p;
}

/* Closes and frees the entries this process opened; sets aside those inherited over fork(). */
static void close_all_locked(void)
{
    pid_t self = self_locked();
    while (hosts) {
        process_host_t *p = hosts;
        hosts = p->next;
        if (p->pid != self) {
            set_aside(p);
            continue;
        }
        panelhost_close(p->host);
        free(p->key);
        free(p->given);
        free(p);
    }
}

static void close_at_exit(void)
{
    pthread_mutex_lock(&hosts_lock);
    close_all_locked();
    pthread_mutex_unlock(&hosts_lock);
}

void panelhost_process_close(void)
{
    close_at_exit();
}

/* Collects the first extension that failed to load during the first open. */
typedef struct first_load_error {
    char text[PH_MSG_MAX];
} first_load_error_t;

static void keep_first(void *ctx, const char *path, const char *message)
{
    first_load_error_t *first = ctx;
    if (!first->text[0])
        ph_errf(first->text, sizeof first->text, "extension %s did not load: %s", path, message);
}

/* Opens a new host for config_path and loads its enabled extensions. PANEL_OK, or a status with err. */
static int32_t open_new(const char *config_path, panelhost_t **out, char *err, size_t err_len)
{
    panelhost_options_t options = {.config_path = config_path, .min_log_level = PANEL_LOG_WARN};
    int32_t rc = panelhost_open(&options, out, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    /* The scope catalogue before any plugin initialises (a plugin reads it during init), as the sample host. */
    const char *scopes = panelhost_config_get(*out, "host", "api_scopes");
    if (scopes && (rc = panelhost_set_api_scopes_text(*out, scopes, err, err_len)) != PANEL_OK) {
        panelhost_close(*out);
        *out = NULL;
        return rc;
    }
    first_load_error_t first = {""};
    int32_t failed = panelhost_extensions_load(*out, keep_first, &first);
    if (failed > 0) {
        ph_errf(err, err_len, "%s", first.text[0] ? first.text : "an enabled extension did not load");
        panelhost_close(*out);
        *out = NULL;
        return PANEL_E_STATE;
    }
    return PANEL_OK;
}

/* The already open host for key in this process, or NULL. Sets aside entries inherited over fork() for that
 * key. */
static process_host_t *find_locked(const char *key)
{
    pid_t self = self_locked();
    for (process_host_t **at = &hosts; *at;) {
        process_host_t *p = *at;
        if (strcmp(p->key, key) != 0) {
            at = &p->next;
            continue;
        }
        if (p->pid == self)
            return p;
        *at = p->next;
        set_aside(p);
    }
    return NULL;
}

/* The entry of this process whose given spelling config_path is (an absolute path named so before), or NULL. */
static process_host_t *named_before_locked(const char *config_path)
{
    if (!config_path || config_path[0] != '/')
        return NULL;
    pid_t self = self_locked();
    for (process_host_t *p = hosts; p; p = p->next) {
        if (p->given && p->pid == self && strcmp(p->given, config_path) == 0)
            return p;
    }
    return NULL;
}

/* Remembers config_path as p's given spelling when it is absolute (a relative one depends on the working
 * directory) and p has none yet. Out of memory: nothing is remembered, later lookups resolve the path. */
static void remember_locked(process_host_t *p, const char *config_path)
{
    if (!config_path || config_path[0] != '/')
        return;
    if (!p->given)
        p->given = ph_strdup(config_path);
}

/* Applies what other processes changed in the enabled extension states (one atomic load when nothing
 * changed). */
static void refresh_locked(process_host_t *p)
{
    if (!ph_extensions_changed_by_others(p->host))
        return;
    int32_t changed = 0;
    char reload_err[PH_MSG_MAX] = "";
    if (panelhost_extensions_reload(p->host, &changed, reload_err, sizeof reload_err) != PANEL_OK)
        ph_logf(p->host, PANEL_LOG_ERROR, NULL, "applying the changed extension states: %s", reload_err);
}

/* The key of config_path (its realpath; "" without a config) into resolved. 0, or -1 when it cannot be
 * resolved. */
static int resolve_key(const char *config_path, char resolved[PATH_MAX])
{
    if (!config_path) {
        resolved[0] = '\0';
        return 0;
    }
    return realpath(config_path, resolved) ? 0 : -1;
}

static int32_t register_exit_locked(uint32_t flags, char *err, size_t err_len)
{
    if ((flags & PANELHOST_PROCESS_CLOSE_AT_EXIT) && !exit_handler_registered) {
        if (atexit(close_at_exit) != 0) {
            ph_errf(err, err_len, "cannot register the exit handler that closes the process-wide host");
            return PANEL_E_INTERNAL;
        }
        exit_handler_registered = 1;
    }
    return PANEL_OK;
}

int32_t panelhost_process_open(const char *config_path, uint32_t flags, panelhost_t **out, char *err,
                               size_t err_len)
{
    if (!out) {
        ph_errf(err, err_len, "panelhost_process_open: out must not be NULL");
        return PANEL_E_INVALID;
    }
    *out = NULL;
    if (flags & ~PANELHOST_PROCESS_CLOSE_AT_EXIT) {
        ph_errf(err, err_len, "panelhost_process_open: unknown flags 0x%x (only PANELHOST_PROCESS_CLOSE_AT_EXIT)",
                (unsigned)(flags & ~PANELHOST_PROCESS_CLOSE_AT_EXIT));
        return PANEL_E_INVALID;
    }
    pthread_once(&fork_handlers_once, register_fork_handlers);
    pthread_mutex_lock(&hosts_lock);
    int32_t rc = register_exit_locked(flags, err, err_len);
    process_host_t *p = rc == PANEL_OK ? named_before_locked(config_path) : NULL;
    if (p) {
        refresh_locked(p);
        *out = p->host;
    }
    pthread_mutex_unlock(&hosts_lock);
    if (rc != PANEL_OK || p)
        return rc;

    char resolved[PATH_MAX];
    if (resolve_key(config_path, resolved) != 0) {
        /* let panelhost_open say what is wrong with the path */
        panelhost_options_t probe = {.config_path = config_path, .min_log_level = PANEL_LOG_WARN};
        panelhost_t *none = NULL;
        rc = panelhost_open(&probe, &none, err, err_len);
        panelhost_close(none);
        if (rc == PANEL_OK) {
            ph_errf(err, err_len, "cannot resolve the config path %s", config_path);
            rc = PANEL_E_INVALID;
        }
        return rc;
    }
    pthread_mutex_lock(&hosts_lock);
    p = find_locked(resolved);
    if (p) {
        refresh_locked(p);
        remember_locked(p, config_path);
        *out = p->host;
        pthread_mutex_unlock(&hosts_lock);
        return PANEL_OK;
    }
    p = calloc(1, sizeof *p);
    char *key_copy = ph_strdup(resolved);
    if (!p || !key_copy) {
        free(p);
        free(key_copy);
        ph_errf(err, err_len, "out of memory");
        pthread_mutex_unlock(&hosts_lock);
        return PANEL_E_NOMEM;
    }
    rc = open_new(config_path, &p->host, err, err_len);
    if (rc != PANEL_OK) {
        free(p);
        free(key_copy);
        pthread_mutex_unlock(&hosts_lock);
        return rc;
    }
    pin_library();
    p->key = key_copy;
    p->pid = self_locked();
    p->next = hosts;
    hosts = p;
    remember_locked(p, config_path);
    *out = p->host;
    pthread_mutex_unlock(&hosts_lock);
    return PANEL_OK;
}

panelhost_t *panelhost_process_host(const char *config_path)
{
    pthread_once(&fork_handlers_once, register_fork_handlers);
    pthread_mutex_lock(&hosts_lock);
    process_host_t *p = named_before_locked(config_path);
    if (!p) {
        pthread_mutex_unlock(&hosts_lock);
        char resolved[PATH_MAX];
        if (resolve_key(config_path, resolved) != 0)
            return NULL;
        pthread_mutex_lock(&hosts_lock);
        p = find_locked(resolved);
        if (p)
            remember_locked(p, config_path);
    }
    panelhost_t *host = NULL;
    if (p) {
        refresh_locked(p);
        host = p->host;
    }
    pthread_mutex_unlock(&hosts_lock);
    return host;
}
