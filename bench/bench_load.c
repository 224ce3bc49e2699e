/* bench_load.c - load_ms: dlopen (RTLD_NOW | RTLD_LOCAL) + init + fini + dlclose of the built plugin
 * (plugins/apikeys.so) on a data directory whose database already exists, through a minimal fake host
 * written here (a function table that accepts every registration), not libpanelhost, so the figure is the
 * plugin's own cost. */
#include <dlfcn.h>
#include <string.h>

#include "bench.h"

static void host_log(const panel_host_t *host, int32_t level, const char *msg)
{
    (void)host;
    if (level <= PANEL_LOG_WARN)
        bench_progress("plugin log: %s", msg);
}

static const char *host_config_get(const panel_host_t *host, const char *key)
{
    (void)host;
    (void)key;
    return NULL;
}

static int64_t host_now(const panel_host_t *host)
{
    (void)host;
    return (int64_t)time(NULL);
}

#define ACCEPT(name, type)                                                                                    \
    static int32_t name(const panel_host_t *host, const type *d, char *err, size_t err_len)                  \
    {                                                                                                         \
        (void)host, (void)d, (void)err, (void)err_len;                                                       \
        return PANEL_OK;                                                                                      \
    }
#define ACCEPT_ON_PAGE(name, type)                                                                            \
    static int32_t name(const panel_host_t *host, const char *page, const type *d, char *err, size_t err_len) \
    {                                                                                                         \
        (void)host, (void)page, (void)d, (void)err, (void)err_len;                                           \
        return PANEL_OK;                                                                                      \
    }
ACCEPT(add_page, panel_page_t)
ACCEPT(add_menu_entry, panel_menu_entry_t)
ACCEPT(add_auth_provider, panel_auth_provider_t)
ACCEPT_ON_PAGE(add_field, panel_field_t)
ACCEPT_ON_PAGE(add_table, panel_table_t)
ACCEPT_ON_PAGE(add_action, panel_action_t)

static const void *get_extension(const panel_host_t *host, const char *id)
{
    (void)host;
    (void)id;
    return NULL;
}

/* One full cycle; its ns, or -1 with err. */
static double cycle_ns(const char *plugin, const panel_host_t *host, char *err, size_t err_len)
{
    uint64_t t0 = bench_now_ns();
    void *handle = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(err, err_len, "dlopen: %s", dlerror());
        return -1;
    }
    const panel_plugin_entry_t *entry = dlsym(handle, PANEL_ENTRY_SYMBOL);
    void *state = NULL;
    int32_t rc = entry ? entry->init(host, &state, err, err_len) : PANEL_E_VERSION;
    if (!entry)
        snprintf(err, err_len, "%s has no %s", plugin, PANEL_ENTRY_SYMBOL);
    if (rc == PANEL_OK)
        entry->fini(state);
    dlclose(handle);
    uint64_t t1 = bench_now_ns();
    return rc == PANEL_OK ? (double)(t1 - t0) : -1;
}

void bench_run_load(const bench_env_t *env)
{
    char dir[2400], plugin[2200], err[512] = "", key[BENCH_KEY_STRIDE];
    snprintf(plugin, sizeof plugin, "%s/plugins/apikeys.so", env->build_dir);
    if (bench_fresh_dir(env, "load", dir, sizeof dir) != 0) {
        bench_missing(FIG_LOAD_MS, "cannot create the directory");
        return;
    }
    /* The existing database: created, with a key and the API enabled, before anything is timed. */
    apikeys_state_t *st = NULL;
    int32_t rc = bench_open_state(dir, &st, err, sizeof err);
    if (rc == PANEL_OK)
        rc = bench_enable(st, key, err, sizeof err);
    apikeys_state_close(st);
    memset(key, 0, sizeof key);
    if (rc != PANEL_OK) {
        bench_missing(FIG_LOAD_MS, err);
        return;
    }
    panel_host_t host = {
        .struct_size = sizeof host,
        .abi_major = PANEL_ABI_MAJOR,
        .abi_minor = PANEL_ABI_MINOR,
        .host_data = NULL,
        .data_dir = dir,
        .log = host_log,
        .config_get = host_config_get,
        .now = host_now,
        .add_page = add_page,
        .add_menu_entry = add_menu_entry,
        .add_field = add_field,
        .add_table = add_table,
        .add_action = add_action,
        .add_auth_provider = add_auth_provider,
        .get_extension = get_extension,
    };
    enum { MAX_REPS = 41 };
    size_t reps = env->quick ? 5 : 31;
    double ms[MAX_REPS];
    if (cycle_ns(plugin, &host, err, sizeof err) < 0) { /* warm-up (page cache, dynamic linker) */
        bench_missing(FIG_LOAD_MS, err);
        return;
    }
    for (size_t r = 0; r < reps; r++) {
        double ns = cycle_ns(plugin, &host, err, sizeof err);
        if (ns < 0) {
            bench_missing(FIG_LOAD_MS, err);
            return;
        }
        ms[r] = ns / 1e6;
    }
    bench_set(FIG_LOAD_MS, ms, reps);
    snprintf(bench_figures[FIG_LOAD_MS].detail, sizeof bench_figures[0].detail,
             "dlopen+init+fini+dlclose, minimal fake host, existing database");
}
