/* extensions_list.c - which extensions are installed: the plugins of [host] plugins plus the *.so files of
 * [host] plugin_dir (a file named twice counts once), each identified from its loaded plugin or else from its
 * entry, with its enabled state from DATA_DIR/extensions.state (see extensions_state.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extensions_list.h"

void ph_ext_list_free(ext_list_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].file);
        free(list->items[i].real);
        ph_entry_text_free(&list->items[i].text);
        free(list->items[i].inspect_error);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

static int32_t list_add(ext_list_t *list, char *file, int configured)
{
    char *real = realpath(file, NULL);
    if (!real)
        real = ph_strdup(file);
    if (!real) {
        free(file);
        return PANEL_E_NOMEM;
    }
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].real, real) == 0) { /* the same file twice: keep the first */
            free(real);
            free(file);
            return PANEL_OK;
        }
    ext_item_t *grown = realloc(list->items, (list->n + 1) * sizeof *grown);
    if (!grown) {
        free(real);
        free(file);
        return PANEL_E_NOMEM;
    }
    list->items = grown;
    memset(&grown[list->n], 0, sizeof grown[0]);
    grown[list->n].file = file;
    grown[list->n].real = real;
    grown[list->n].configured = configured;
    list->n++;
    return PANEL_OK;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.so files of [host] plugin_dir, sorted by name. A missing folder is reported in err. */
static int32_t add_plugin_dir(panelhost_t *host, ext_list_t *list, char *err, size_t err_len)
{
    const char *configured = ph_config_lookup(&host->config, "host", "plugin_dir");
    if (!configured)
        return PANEL_OK;
    char *dir_path = ph_path_resolve(host->config.folder, configured);
    if (!dir_path)
        return PANEL_E_NOMEM;
    DIR *dir = opendir(dir_path);
    if (!dir) {
        ph_errf(err, err_len, "cannot read [host] plugin_dir %s: %s", dir_path, strerror(errno));
        free(dir_path);
        return PANEL_E_NOT_FOUND;
    }
    char **names = NULL;
    size_t n = 0;
    int32_t rc = PANEL_OK;
    struct dirent *e;
    while (rc == PANEL_OK && (e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *grown);
        char *name = grown ? ph_strdup(e->d_name) : NULL;
        if (grown)
            names = grown;
        if (!name)
            rc = PANEL_E_NOMEM;
        else
            names[n++] = name;
    }
    closedir(dir);
    if (n > 1)
        qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == PANEL_OK) {
            char *file = ph_path_resolve(dir_path, names[i]);
            rc = file ? list_add(list, file, 0) : PANEL_E_NOMEM;
        }
        free(names[i]);
    }
    free(names);
    free(dir_path);
    return rc;
}

ph_plugin_t *ph_ext_loaded_from(const panelhost_t *host, const char *real)
{
    for (size_t i = 0; i < host->n_plugins; i++) {
        char *r = realpath(host->plugins[i]->path, NULL);
        int same = r ? strcmp(r, real) == 0 : strcmp(host->plugins[i]->path, real) == 0;
        free(r);
        if (same)
            return host->plugins[i];
    }
    return NULL;
}

/* "apikeys" for ".../apikeys.so". */
static char *file_stem(const char *file)
{
    const char *slash = strrchr(file, '/');
    const char *base = slash ? slash + 1 : file;
    size_t len = strlen(base);
    if (len > 3 && strcmp(base + len - 3, ".so") == 0)
        len -= 3;
    return strndup(base, len);
}

/* Fills in each item's id and texts (from its loaded plugin, else from its entry). */
static int32_t identify(panelhost_t *host, ext_item_t *item)
{
    item->loaded = ph_ext_loaded_from(host, item->real);
    ph_entry_text_t *t = &item->text;
    if (item->loaded) {
        t->id = ph_strdup(item->loaded->id);
        t->name = ph_strdup(item->loaded->name);
        t->version = ph_strdup(item->loaded->version);
        t->description = ph_strdup(item->loaded->description);
    } else {
        char err[PH_MSG_MAX] = "";
        if (ph_plugin_inspect(item->file, t, err, sizeof err) != PANEL_OK) {
            item->inspect_error = ph_strdup(err[0] ? err : "cannot read the plugin's entry");
            t->id = file_stem(item->file);
            t->name = ph_strdup("");
            t->version = ph_strdup("");
            t->description = ph_strdup("");
            if (!item->inspect_error)
                return PANEL_E_NOMEM;
        }
    }
    return t->id && t->name && t->version && t->description ? PANEL_OK : PANEL_E_NOMEM;
}

/* The enabled state of an item: its line in the state file, else its default (configured: enabled). */
static int enabled_in(const ph_ext_state_t *state, const ext_item_t *item)
{
    int explicit = ph_ext_state_lookup(state, item->text.id);
    return explicit >= 0 ? explicit : item->configured;
}

int32_t ph_ext_list_build(panelhost_t *host, const ph_ext_state_t *state, ext_list_t *list, char *err,
                          size_t err_len)
{
    memset(list, 0, sizeof *list);
    int32_t rc = PANEL_OK;
    const char *configured = ph_config_lookup(&host->config, "host", "plugins");
    for (const char *p = configured ? configured : ""; rc == PANEL_OK && *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = p;
        while (*end && *end != ' ' && *end != '\t')
            end++;
        if (end == p)
            break;
        char *item = strndup(p, (size_t)(end - p));
        char *file = item ? ph_path_resolve(host->config.folder, item) : NULL;
        free(item);
        rc = file ? list_add(list, file, 1) : PANEL_E_NOMEM;
        p = end;
    }
    if (rc == PANEL_OK) {
        char dir_err[PH_MSG_MAX] = "";
        rc = add_plugin_dir(host, list, dir_err, sizeof dir_err);
        if (rc == PANEL_E_NOT_FOUND) {
            ph_logf(host, PANEL_LOG_WARN, NULL, "%s", dir_err);
            rc = PANEL_OK;
        }
    }
    for (size_t i = 0; rc == PANEL_OK && i < list->n; i++) {
        rc = identify(host, &list->items[i]);
        if (rc == PANEL_OK)
            list->items[i].enabled = enabled_in(state, &list->items[i]);
    }
    if (rc != PANEL_OK) {
        ph_errf(err, err_len, "cannot list the installed extensions: out of memory");
        ph_ext_list_free(list);
    }
    return rc;
}
