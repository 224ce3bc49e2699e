/* loader.c - the plugin lifecycle: opens a plugin file once and checks it (owner, mode, the folders above it),
 * dlopens that very file and confirms the mapping's device and inode, verifies its entry (ABI major, struct
 * size) before calling anything, hands it its host function table, runs init, and unloads it again
 * (unregister, wait for in-flight authentication, fini, dlclose). Also the list of loaded plugins. */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

/* ----- the host function table (non-registration members) ----- */

static void table_log(const panel_host_t *table, int32_t level, const char *msg)
{
    const ph_plugin_t *plugin = table ? table->host_data : NULL;
    if (!plugin || !msg)
        return;
    if (level < PANEL_LOG_ERROR)
        level = PANEL_LOG_ERROR;
    else if (level > PANEL_LOG_DEBUG)
        level = PANEL_LOG_DEBUG;
    ph_logf(plugin->host, level, plugin->id, "%s", msg);
}

static const char *table_config_get(const panel_host_t *table, const char *key)
{
    const ph_plugin_t *plugin = table ? table->host_data : NULL;
    if (!plugin || !key)
        return NULL;
    char section[PANEL_ID_MAX + 16];
    ph_errf(section, sizeof section, "plugin:%s", plugin->id);
    return ph_config_lookup(&plugin->host->config, section, key);
}

static int64_t table_now(const panel_host_t *table)
{
    const ph_plugin_t *plugin = table ? table->host_data : NULL;
    return plugin ? panelhost_now(plugin->host) : 0;
}

static const void *table_get_extension(const panel_host_t *table, const char *extension_id)
{
    const ph_plugin_t *plugin = table ? table->host_data : NULL;
    if (!plugin || !extension_id)
        return NULL;
    if (strcmp(extension_id, PANEL_EXT_API_SCOPES) == 0)
        return ph_api_scopes_view(plugin->host); /* NULL when the host program set no catalogue */
    return NULL;
}

/* ----- opening the file: one descriptor, checked, and proof that dlopen mapped that same file ----- */

/* Some file systems (overlayfs) show the inode underneath in /proc/self/maps; the mapping's own
 * /proc/self/map_files entry is then compared as well. */
int ph_mapped_file_is(const void *addr, const struct stat *st)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    if (!maps)
        return -1;
    uintptr_t a = (uintptr_t)addr;
    char line[4096];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, maps)) {
        unsigned long long start, end, offset, inode;
        unsigned dev_major, dev_minor;
        char perms[8];
        if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &offset, &dev_major, &dev_minor,
                   &inode) != 7 || a < start || a >= end)
            continue;
        found = dev_major == major(st->st_dev) && dev_minor == minor(st->st_dev) &&
                inode == (unsigned long long)st->st_ino;
        if (!found) {
            char link[96];
            struct stat mapped;
            snprintf(link, sizeof link, "/proc/self/map_files/%llx-%llx", start, end);
            if (stat(link, &mapped) == 0 && mapped.st_dev == st->st_dev && mapped.st_ino == st->st_ino)
                found = 1;
        }
    }
    fclose(maps);
    return found;
}

/* Opens the plugin file once (`real` resolved, `path` as given for messages), checks the open file (fstat:
 * regular, owned by us or root, not group/world-writable) and every folder above it, dlopens it, and checks
 * that what was mapped has the open file's device and inode (refused, and dlclosed, otherwise). */
static int32_t open_plugin_file(const char *real, const char *path, void **dl_out, char *err, size_t err_len)
{
    *dl_out = NULL;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        ph_errf(err, err_len, "cannot load plugin %s: %s", path, strerror(errno));
        return PANEL_E_NOT_FOUND;
    }
    struct stat st;
    int32_t rc = PANEL_OK;
    if (fstat(fd, &st) != 0) {
        ph_errf(err, err_len, "cannot load plugin %s: %s", path, strerror(errno));
        rc = PANEL_E_NOT_FOUND;
    }
    if (rc == PANEL_OK)
        rc = ph_check_trusted_file(&st, "plugin", path, err, err_len);
    if (rc == PANEL_OK)
        rc = ph_check_folders_above(real, "a plugin", err, err_len);
    void *dl = NULL;
    if (rc == PANEL_OK) {
        /* By its resolved path, not /proc/self/fd/N: the dynamic loader matches already loaded objects by
         * name first, and fd numbers are reused, so a second plugin could be handed the first. The folders
         * above were checked, so only root or we could swap the file now; the mapping check catches it. */
        dlerror();
        dl = dlopen(real, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
            const char *why = dlerror();
            ph_errf(err, err_len, "cannot load plugin %s: %s", path, why ? why : "dlopen failed");
            rc = PANEL_E_INVALID;
        }
    }
    if (rc == PANEL_OK) {
        struct link_map *map = NULL;
        int same = dlinfo(dl, RTLD_DI_LINKMAP, &map) == 0 && map ? ph_mapped_file_is(map->l_ld, &st) : -1;
        if (same != 1) {
            ph_errf(err, err_len,
                    same == 0 ? "refusing plugin %s: what was mapped is not the file that was checked (it was "
                                "replaced while loading); check who can write to its folder"
                              : "refusing plugin %s: cannot confirm that the mapped file is the one checked "
                                "(/proc/self/maps is unreadable); mount /proc",
                    path);
            dlclose(dl);
            dl = NULL;
            rc = PANEL_E_DENIED;
        }
    }
    close(fd);
    *dl_out = dl;
    return rc;
}

/* ----- loading ----- */

static void free_plugin(ph_plugin_t *plugin)
{
    if (!plugin)
        return;
    free(plugin->id);
    free(plugin->name);
    free(plugin->version);
    free(plugin->description);
    free(plugin->path);
    pthread_mutex_destroy(&plugin->call_lock);
    free(plugin);
}

static ph_plugin_t *find_plugin(const panelhost_t *host, const char *id, size_t *index)
{
    for (size_t i = 0; i < host->n_plugins; i++)
        if (strcmp(host->plugins[i]->id, id) == 0) {
            if (index)
                *index = i;
            return host->plugins[i];
        }
    return NULL;
}

/* Finds and checks the entry symbol of `dl`; copies it into *entry. */
static int32_t read_entry(void *dl, const char *path, panel_plugin_entry_t *entry, char *err, size_t err_len)
{
    dlerror();
    const void *sym = dlsym(dl, PANEL_ENTRY_SYMBOL);
    struct link_map *own = NULL, *holder = NULL;
    Dl_info info;
    if (sym && dlinfo(dl, RTLD_DI_LINKMAP, &own) == 0 &&
        dladdr1(sym, &info, (void **)&holder, RTLD_DL_LINKMAP) != 0 && holder != own)
        sym = NULL; /* found in a library the file depends on, not in the file itself */
    if (!sym) {
        ph_errf(err, err_len, "%s is not a panel plugin: it does not export the symbol %s", path,
                PANEL_ENTRY_SYMBOL);
        return PANEL_E_NOT_FOUND;
    }
    size_t symbol_size = SIZE_MAX;
    const ElfW(Sym) *elf_sym = NULL;
    if (dladdr1(sym, &info, (void **)&elf_sym, RTLD_DL_SYMENT) != 0 && elf_sym)
        symbol_size = elf_sym->st_size;
    const size_t header_size = 3 * sizeof(uint32_t);
    if (symbol_size < header_size) {
        ph_errf(err, err_len,
                "%s is not a panel plugin: its symbol %s is %zu bytes, too small for a panel_plugin_entry_t",
                path, PANEL_ENTRY_SYMBOL, symbol_size);
        return PANEL_E_VERSION;
    }
    uint32_t header[3];
    memcpy(header, sym, sizeof header);
    uint32_t major = header[0], minor = header[1], size = header[2];
    if (major != PANEL_ABI_MAJOR) {
        ph_errf(err, err_len, "plugin %s was built for ABI %u.%u; this host speaks ABI %u.x; rebuild the "
                              "plugin against this host's panel/plugin.h",
                path, major, minor, PANEL_ABI_MAJOR);
        return PANEL_E_VERSION;
    }
    if (size < PH_V10_ENTRY || size > PH_STRUCT_SIZE_MAX) {
        ph_errf(err, err_len,
                "plugin %s has an entry with struct_size %u, but ABI %u.x entries are %zu to %u bytes; it is "
                "damaged or was not built against panel/plugin.h",
                path, size, PANEL_ABI_MAJOR, (size_t)PH_V10_ENTRY, PH_STRUCT_SIZE_MAX);
        return PANEL_E_VERSION;
    }
    size_t readable = size < sizeof *entry ? size : sizeof *entry;
    if (symbol_size < readable) {
        ph_errf(err, err_len, "plugin %s has an entry that claims %u bytes but the symbol has only %zu", path,
                size, symbol_size);
        return PANEL_E_VERSION;
    }
    memset(entry, 0, sizeof *entry);
    memcpy(entry, sym, readable);

    const char *problem = NULL;
    if (!ph_id_valid(entry->id, NULL))
        problem = "its id must be 1-64 bytes of a-z 0-9 _";
    else if (!entry->name || !entry->name[0])
        problem = "its name is NULL or empty";
    else if (!entry->version || !entry->version[0])
        problem = "its version is NULL or empty";
    else if (!entry->init)
        problem = "its init callback is NULL";
    else if (!entry->fini)
        problem = "its fini callback is NULL";
    else if (strlen(entry->name) > PANEL_TEXT_MAX || strlen(entry->version) > PANEL_ID_MAX ||
             (entry->description && strlen(entry->description) > PANEL_TEXT_MAX))
        problem = "its name, version or description is too long";
    if (problem) {
        ph_errf(err, err_len, "plugin %s has an invalid entry: %s", path, problem);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

static ph_plugin_t *new_plugin(panelhost_t *host, const char *path, const panel_plugin_entry_t *entry)
{
    ph_plugin_t *plugin = calloc(1, sizeof *plugin);
    if (!plugin)
        return NULL;
    if (pthread_mutex_init(&plugin->call_lock, NULL) != 0) {
        free(plugin);
        return NULL;
    }
    plugin->host = host;
    plugin->entry = *entry;
    plugin->id = ph_strdup(entry->id);
    plugin->name = ph_strdup(entry->name);
    plugin->version = ph_strdup(entry->version);
    plugin->description = ph_strdup(entry->description ? entry->description : "");
    plugin->path = ph_strdup(path);
    if (!plugin->id || !plugin->name || !plugin->version || !plugin->description || !plugin->path) {
        free_plugin(plugin);
        return NULL;
    }
    panel_host_t *t = &plugin->table;
    t->struct_size = sizeof *t;
    t->abi_major = PANEL_ABI_MAJOR;
    t->abi_minor = PANEL_ABI_MINOR;
    t->host_data = plugin;
    t->data_dir = host->data_dir;
    t->log = table_log;
    t->config_get = table_config_get;
    t->now = table_now;
    t->get_extension = table_get_extension;
    ph_registry_bind_table(plugin);
    return plugin;
}

/* Runs init and the checks after it; on failure nothing of the plugin stays registered (fini ran when init
 * had succeeded). */
static int32_t start_plugin(panelhost_t *host, ph_plugin_t *plugin, char *err, size_t err_len)
{
    char msg[PH_MSG_MAX] = "";
    plugin->initializing = 1;
    int32_t rc = plugin->entry.init(&plugin->table, &plugin->state, msg, sizeof msg);
    plugin->initializing = 0;
    msg[sizeof msg - 1] = '\0';
    if (rc != PANEL_OK) {
        ph_registry_drop_plugin(host, plugin);
        ph_errf(err, err_len, "plugin %s (%s) failed to initialise: %s", plugin->path, plugin->id,
                msg[0] ? msg : (plugin->first_reg_error[0] ? plugin->first_reg_error : "no reason given"));
        return rc < 0 ? rc : PANEL_E_INTERNAL;
    }
    char why[PH_MSG_MAX] = "";
    if (plugin->first_reg_error[0]) {
        ph_errf(why, sizeof why, "a registration was refused but init went on: %s", plugin->first_reg_error);
        rc = PANEL_E_INVALID;
    } else {
        rc = ph_registry_check_menu(host, plugin, why, sizeof why);
    }
    if (rc == PANEL_OK)
        rc = ph_auth_publish(host, NULL, why, sizeof why);
    if (rc != PANEL_OK) {
        ph_auth_publish(host, plugin, NULL, 0);
        ph_registry_drop_plugin(host, plugin);
        plugin->entry.fini(plugin->state);
        ph_errf(err, err_len, "plugin %s (%s) was not loaded: %s", plugin->path, plugin->id, why);
        return rc;
    }
    return PANEL_OK;
}

int32_t panelhost_load(panelhost_t *host, const char *path, char *err, size_t err_len)
{
    if (!host || !path || !*path) {
        ph_errf(err, err_len, "panelhost_load: host and path must be given");
        return PANEL_E_INVALID;
    }
    char *real = realpath(path, NULL);
    if (!real) {
        ph_errf(err, err_len, "cannot load plugin %s: %s", path, strerror(errno));
        return PANEL_E_NOT_FOUND;
    }
    void *dl = NULL;
    int32_t rc = open_plugin_file(real, path, &dl, err, err_len);
    if (rc != PANEL_OK) {
        free(real);
        return rc;
    }
    panel_plugin_entry_t entry;
    if ((rc = read_entry(dl, path, &entry, err, err_len)) != PANEL_OK) {
        dlclose(dl);
        free(real);
        return rc;
    }
    const ph_plugin_t *same = find_plugin(host, entry.id, NULL);
    if (same) {
        ph_errf(err, err_len, "plugin %s has id '%s', which is already loaded from %s; a plugin loads once",
                path, entry.id, same->path);
        dlclose(dl);
        free(real);
        return PANEL_E_CONFLICT;
    }
    ph_plugin_t **grown = realloc(host->plugins, (host->n_plugins + 1) * sizeof *grown);
    if (grown)
        host->plugins = grown;
    /* The plugin's path is kept resolved (no "..", no symlinks), as listings show it; messages before this
     * point name it as given. */
    ph_plugin_t *plugin = grown ? new_plugin(host, real, &entry) : NULL;
    free(real);
    if (!plugin) {
        ph_errf(err, err_len, "cannot load plugin %s: out of memory", path);
        dlclose(dl);
        return PANEL_E_NOMEM;
    }
    plugin->dl = dl;
    char why[PH_MSG_MAX] = ""; /* the caller's err may be NULL or 0 bytes: log from our own copy */
    if ((rc = start_plugin(host, plugin, why, sizeof why)) != PANEL_OK) {
        ph_logf(host, PANEL_LOG_ERROR, NULL, "%s", why[0] ? why : "a plugin failed to load");
        ph_errf(err, err_len, "%s", why);
        dlclose(dl);
        free_plugin(plugin);
        return rc;
    }
    host->plugins[host->n_plugins++] = plugin;
    ph_logf(host, PANEL_LOG_INFO, NULL, "loaded plugin %s %s (%s) from %s", plugin->id, plugin->version,
            plugin->name, plugin->path);
    return PANEL_OK;
}

int32_t ph_plugin_inspect(const char *path, ph_entry_text_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    char *real = path ? realpath(path, NULL) : NULL;
    if (!real) {
        ph_errf(err, err_len, "cannot read plugin %s: %s", path ? path : "(null)", strerror(errno));
        return PANEL_E_NOT_FOUND;
    }
    void *dl = NULL;
    int32_t rc = open_plugin_file(real, path, &dl, err, err_len);
    free(real);
    panel_plugin_entry_t entry;
    if (rc == PANEL_OK)
        rc = read_entry(dl, path, &entry, err, err_len);
    if (rc == PANEL_OK) {
        out->id = ph_strdup(entry.id);
        out->name = ph_strdup(entry.name);
        out->version = ph_strdup(entry.version);
        out->description = ph_strdup(entry.description ? entry.description : "");
        if (!out->id || !out->name || !out->version || !out->description) {
            ph_entry_text_free(out);
            ph_errf(err, err_len, "out of memory");
            rc = PANEL_E_NOMEM;
        }
    }
    if (dl)
        dlclose(dl);
    return rc;
}

void ph_entry_text_free(ph_entry_text_t *text)
{
    free(text->id);
    free(text->name);
    free(text->version);
    free(text->description);
    memset(text, 0, sizeof *text);
}

int32_t panelhost_load_configured(panelhost_t *host, panelhost_load_error_fn on_error, void *ctx)
{
    if (!host)
        return 0;
    const char *list = ph_config_lookup(&host->config, "host", "plugins");
    if (!list)
        return 0;
    int32_t failed = 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        char *item = strndup(p, (size_t)(end - p));
        char *path = item ? ph_path_resolve(host->config.folder, item) : NULL;
        char err[PH_MSG_MAX];
        if (!path) {
            ph_errf(err, sizeof err, "out of memory");
            failed++;
            if (on_error)
                on_error(ctx, item ? item : "?", err);
        } else if (panelhost_load(host, path, err, sizeof err) != PANEL_OK) {
            failed++;
            if (on_error)
                on_error(ctx, path, err);
        }
        free(path);
        free(item);
        p = end;
    }
    return failed;
}

int32_t panelhost_unload(panelhost_t *host, const char *plugin_id, char *err, size_t err_len)
{
    size_t index = 0;
    ph_plugin_t *plugin = host && plugin_id ? find_plugin(host, plugin_id, &index) : NULL;
    if (!plugin) {
        ph_errf(err, err_len, "no plugin '%s' is loaded", plugin_id ? plugin_id : "(null)");
        return PANEL_E_NOT_FOUND;
    }
    /* Stop new authentication calls reaching it and wait for those in flight, then drop its registrations.
     * No admin call can be running: host.h makes the caller exclude every other call during an unload. */
    ph_auth_publish(host, plugin, NULL, 0);
    ph_registry_drop_plugin(host, plugin);
    plugin->entry.fini(plugin->state);
    dlclose(plugin->dl);
    memmove(&host->plugins[index], &host->plugins[index + 1],
            (host->n_plugins - index - 1) * sizeof host->plugins[0]);
    host->n_plugins--;
    if (host->n_plugins == 0) {
        free(host->plugins);
        host->plugins = NULL;
    }
    ph_logf(host, PANEL_LOG_INFO, NULL, "unloaded plugin %s", plugin_id);
    free_plugin(plugin);
    return PANEL_OK;
}

size_t panelhost_plugin_count(const panelhost_t *host)
{
    return host ? host->n_plugins : 0;
}

int32_t panelhost_plugin_at(const panelhost_t *host, size_t i, panelhost_plugin_info_t *out)
{
    if (!host || !out || i >= host->n_plugins)
        return PANEL_E_NOT_FOUND;
    const ph_plugin_t *p = host->plugins[i];
    out->id = p->id;
    out->name = p->name;
    out->version = p->version;
    out->description = p->description;
    out->path = p->path;
    out->abi_major = p->entry.abi_major;
    out->abi_minor = p->entry.abi_minor;
    return PANEL_OK;
}
