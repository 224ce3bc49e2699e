/* extensions_list.h - libpanelhost's private interface to the installed extensions (extensions_list.c): the
 * plugins of [host] plugins plus the *.so files of [host] plugin_dir, each with its id, texts, loaded plugin and
 * enabled state. Nothing here is API. */
#ifndef PANELHOST_EXTENSIONS_LIST_H
#define PANELHOST_EXTENSIONS_LIST_H

#include "extensions_state.h"
#include "internal.h"

/* One installed extension as found now. */
typedef struct ext_item {
    char *file;                 /* the path handed to panelhost_load (absolute) */
    char *real;                 /* its realpath, or a copy of file when it does not resolve */
    int configured;
    ph_entry_text_t text;       /* from the loaded plugin or the file's entry; id = file stem when unreadable */
    char *inspect_error;        /* why the entry could not be read, or NULL */
    ph_plugin_t *loaded;        /* the loaded plugin of this file, or NULL */
    int enabled;
} ext_item_t;

typedef struct ext_list {
    ext_item_t *items;
    size_t n;
} ext_list_t;

/* Builds the installed list with ids and states (from `state`). A missing plugin_dir is not fatal: it is logged
 * and the configured plugins are still listed. PANEL_OK, or a code with err set and an empty list. */
int32_t ph_ext_list_build(panelhost_t *host, const ph_ext_state_t *state, ext_list_t *list, char *err,
                          size_t err_len);
void ph_ext_list_free(ext_list_t *list);
/* The loaded plugin whose file is `real` (a realpath), or NULL. */
ph_plugin_t *ph_ext_loaded_from(const panelhost_t *host, const char *real);

#endif /* PANELHOST_EXTENSIONS_LIST_H */
