/* internal.h - libpanelhost's private structures and the functions its modules share (nothing here is API).
 * Owns: the layout of panelhost_t, of a loaded plugin and of registry records; the ABI-1.0 minimum sizes. */
#ifndef PANELHOST_INTERNAL_H
#define PANELHOST_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "panel/host.h"

/* The size a struct had in ABI 1.0: the end of its last 1.0 field. Fields appended by later minors do not
 * change it, so a plugin built against 1.0 keeps being accepted. */
#define PH_END_OF(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))
#define PH_V10_ENTRY PH_END_OF(panel_plugin_entry_t, get_extension)
#define PH_V10_MENU PH_END_OF(panel_menu_entry_t, permission)
#define PH_V10_PAGE PH_END_OF(panel_page_t, status)
#define PH_V10_FIELD PH_END_OF(panel_field_t, set)
#define PH_V10_TABLE PH_END_OF(panel_table_t, read)
#define PH_V10_PARAM PH_END_OF(panel_param_t, default_value)
#define PH_V10_ACTION PH_END_OF(panel_action_t, run)
#define PH_V10_PROVIDER PH_END_OF(panel_auth_provider_t, authenticate)
#define PH_V10_ARGS PH_END_OF(panel_args_t, get)
#define PH_V10_RESULT PH_END_OF(panel_result_t, secret_len)
#define PH_V10_REQUEST PH_END_OF(panel_request_t, header)
#define PH_V10_AUTH_RESULT PH_END_OF(panel_auth_result_t, message_len)
#define PH_STRUCT_SIZE_MAX (64u * 1024u) /* a larger struct_size is garbage, not a newer minor */

#define PH_MSG_MAX 1024 /* size of the message buffers the library hands to plugins */
#define PH_RESULT_MESSAGE_MIN 256u /* panel_result_t.message_len a plugin may rely on (plugin.h) */

/* ----- config (config.c) ----- */

typedef struct ph_config_entry {
    char *section; /* e.g. "host", "role:owner" */
    char *key;
    char *value;
} ph_config_entry_t;

typedef struct ph_config {
    char *path;   /* the config file as given; NULL without a config */
    char *folder; /* absolute folder of the config file (cwd without a config) */
    ph_config_entry_t *entries;
    size_t n_entries;
} ph_config_t;

int32_t ph_config_read(const char *path, ph_config_t *config, char *err, size_t err_len);
void ph_config_free(ph_config_t *config);
const char *ph_config_lookup(const ph_config_t *config, const char *section, const char *key);

/* ----- files and paths (fsutil.c) ----- */

/* The checks below are OpenSSH's StrictModes: each object owned by root or by us (geteuid), and (unless it is
 * a symlink) not writable by group or others. PANEL_E_DENIED with a message naming the path, its owner and mode
 * and the chown/chmod that fixes it. `what` is e.g. "plugin" or "the data directory". */
/* Checks that a config or plugin file is safe to trust: a regular file passing StrictModes. */
int32_t ph_check_trusted_file(const struct stat *st, const char *what, const char *path, char *err,
                              size_t err_len);
/* StrictModes for every folder above the resolved `real_path` (sticky folders allowed). */
int32_t ph_check_folders_above(const char *real_path, const char *what, char *err, size_t err_len);
/* StrictModes for everything in the data directory (files, folders, symlinks; 8 levels deep). */
int32_t ph_check_data_dir_tree(const char *data_dir, char *err, size_t err_len);
/* `path` when absolute, else folder/path. Returns a malloc'd string or NULL. */
char *ph_path_resolve(const char *folder, const char *path);
/* The absolute folder holding `path` (realpath of its dirname), malloc'd, or NULL with err set. */
char *ph_path_folder(const char *path, char *err, size_t err_len);
/* Creates `dir` and missing parents with mode 0700 (an existing one must be owned by us or root and not be
 * writable by group or others; its read bits are narrowed to 0700) and returns its absolute canonical path,
 * malloc'd, or NULL with err set and *rc the status (PANEL_E_DENIED for an ownership or mode refusal). */
char *ph_data_dir_prepare(const char *dir, int32_t *rc, char *err, size_t err_len);

/* ----- host audit log (host_audit.c) ----- */

/* Records a refusal for lack of permission (outcome "denied") in the host audit log as `caller`; a failure
 * to write it is logged, never returned (the refusal stands either way). */
void ph_audit_denied(panelhost_t *host, const panel_caller_t *caller, const char *action, const char *target,
                     const char *detail);

/* ----- text helpers (text.c) ----- */

void ph_errf(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ph_logf(panelhost_t *host, int32_t level, const char *plugin_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
char *ph_strdup(const char *s); /* NULL stays NULL */
int ph_utf8_valid(const char *s, size_t len);
/* 1 when s is 1..PANEL_ID_MAX bytes of [a-z0-9_] plus the characters in `extra`. */
int ph_id_valid(const char *s, const char *extra);
/* 1 when s is a record id: 1..PANEL_RECORD_ID_MAX bytes of [A-Za-z0-9_.:-] (plugin.h). */
int ph_record_id_valid(const char *s);

/* ----- parameter values (params.c) ----- */

/* The canonical form of list parameter `param`'s value (items comma-separated, the spaces around each item
 * stripped; "" for the empty list) in a malloc'd *out, or PANEL_E_INVALID with why naming the bad item, or
 * PANEL_E_NOMEM. Refuses an empty item, a control character, a duplicate, an item outside the choices (when
 * the parameter has some), more than PANEL_LIST_ITEMS_MAX items. */
int32_t ph_list_normalise(const panel_param_t *param, const char *value, char **out, char *why, size_t why_len);
/* PANEL_OK when the (valid UTF-8) parameter value holds no control character (C0, DEL, C1) and no
 * bidirectional formatting character (U+061C, U+200E/F, U+202A-E, U+2066-9), which could disguise text in
 * the audit trail; else PANEL_E_INVALID with why naming the parameter and the character by code point. */
int32_t ph_param_text_check(const char *name, const char *value, char *why, size_t why_len);
/* Choice i of '|'-separated `list` as [*start, *start + *len); 0 past the end. */
int ph_choice_at(const char *list, size_t i, const char **start, size_t *len);
/* The number of '|'-separated choices of `list` (0 for NULL). */
size_t ph_choice_count(const char *list);

/* ----- the API scope catalogue (api_scopes.c) ----- */

/* The catalogue as plugins see it: one allocation (the panel_api_scopes_t, its pointer array, the scope structs
 * and their strings), or NULL. */
typedef struct ph_api_scopes ph_api_scopes_t;
const panel_api_scopes_t *ph_api_scopes_view(const panelhost_t *host);
void ph_api_scopes_free(panelhost_t *host);

/* ----- registry records (registry*.c) ----- */

struct ph_plugin;

typedef struct ph_page_rec {
    panel_page_t desc;            /* host copy; strings owned */
    struct ph_plugin *owner;
    panel_field_t **fields;
    size_t n_fields;
    panel_table_t **tables;
    size_t n_tables;
    panel_action_t **actions;
    size_t n_actions;
} ph_page_rec_t;

typedef struct ph_menu_rec {
    panel_menu_entry_t desc;      /* host copy; strings owned */
    struct ph_plugin *owner;
    uint64_t seq;                 /* registration order, for stable sorting */
} ph_menu_rec_t;

typedef struct ph_provider_rec {
    panel_auth_provider_t desc;   /* host copy; strings owned */
    struct ph_plugin *owner;
} ph_provider_rec_t;

/* What panelhost_authenticate reads without a lock: replaced as a whole, freed once no reader slot names it. */
typedef struct ph_auth_snapshot {
    size_t n;
    ph_provider_rec_t *providers[];
} ph_auth_snapshot_t;

/* One reader slot (auth.c): 0 when free, else the snapshot its holder is using. One cache line each, so
 * threads authenticating at once never write the same line. */
#define PH_AUTH_SLOTS 64u
typedef struct ph_auth_slot {
    _Alignas(64) _Atomic(uintptr_t) snapshot;
} ph_auth_slot_t;

typedef struct ph_plugin {
    panelhost_t *host;
    panel_host_t table;           /* the host function table handed to this plugin */
    void *dl;
    panel_plugin_entry_t entry;   /* copy of the plugin's entry, min(struct_size, sizeof) bytes */
    char *id, *name, *version, *description, *path;
    void *state;
    int initializing;             /* 1 while init runs: registrations accepted */
    char first_reg_error[PH_MSG_MAX]; /* the first registration this plugin had refused, or "" */
    pthread_mutex_t call_lock;    /* serialises the [serialised] calls into the plugin */
} ph_plugin_t;

/* The identity of a file as stat() sees it, to notice that another process replaced it. */
typedef struct ph_file_stamp {
    int exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} ph_file_stamp_t;

/* The shared change counter of the extension states (extensions_state.c), mapped from DATA_DIR. */
typedef _Atomic uint64_t ph_ext_counter_t;

/* The last load failure of an installed extension's file in this process (extensions.c). */
typedef struct ph_ext_error {
    char *file;
    char *message;
} ph_ext_error_t;

struct panelhost {
    ph_config_t config;
    char *data_dir;
    int64_t fixed_now;
    panelhost_log_fn log;
    void *log_ctx;
    int32_t min_log_level;

    ph_plugin_t **plugins;        /* load order */
    size_t n_plugins;

    ph_page_rec_t **pages;
    size_t n_pages;
    ph_menu_rec_t **menu;
    size_t n_menu;
    uint64_t menu_seq;
    ph_provider_rec_t **providers; /* registration (= load) order */
    size_t n_providers;

    /* Lock-free readers of the auth snapshot: a reader names the snapshot it uses in a slot of auth_slots
     * (PH_AUTH_SLOTS, 64-byte aligned); a writer swaps the snapshot and waits until no slot names the old one
     * before freeing it (auth.c). */
    _Atomic(ph_auth_snapshot_t *) auth_snapshot;
    ph_auth_slot_t *auth_slots;

    /* extensions.c: the state file as last applied (read by panelhost_extensions_changed on any thread,
     * under ext_lock), the shared change counter (mapped by the first load, reload or change of the states;
     * NULL until then or when it cannot be used) with the count read before that file was read, and the
     * load failures of installed extensions. */
    pthread_mutex_t ext_lock;
    ph_file_stamp_t ext_stamp;
    _Atomic(ph_ext_counter_t *) ext_counter;
    _Atomic uint64_t ext_seen;
    ph_ext_error_t *ext_errors;
    size_t n_ext_errors;

    /* api_scopes.c: the scope catalogue the host program set (NULL: none); changed only while no plugin is
     * loaded, so plugins may keep pointers into it until fini. */
    ph_api_scopes_t *api_scopes;
};

/* loader.c */
/* What a plugin file's entry says, read without calling any of its functions (malloc'd strings). */
typedef struct ph_entry_text {
    char *id, *name, *version, *description;
} ph_entry_text_t;
/* Checks the file as panelhost_load does, dlopens it, reads and checks its entry, copies its texts and
 * dlcloses it again; never calls init. */
/* 1 when the mapping holding `addr` (per /proc/self/maps) is the file `st` describes (device and inode), 0
 * when it is another file, -1 when that cannot be told. */
int ph_mapped_file_is(const void *addr, const struct stat *st);
int32_t ph_plugin_inspect(const char *path, ph_entry_text_t *out, char *err, size_t err_len);
void ph_entry_text_free(ph_entry_text_t *text);

/* extensions.c */
void ph_extensions_free(panelhost_t *host);
/* 1 when another process changed the enabled states through libpanelhost since this host last applied them
 * (one atomic load of the shared change counter; a stat() of the state file while the counter is not mapped),
 * else 0. An edit of the state file by hand shows only in panelhost_extensions_changed. Inline: a php-fpm
 * worker's API request runs it once, next to the process-wide host lookup. */
/* auth_headers.c: the headers of a panelhost_request_t as panel_request_t.header() hands them to providers
 * (case-insensitive names, repeated fields joined by ", ", surrounding whitespace trimmed). */
#define PH_HEADER_SCRATCH 8192u
typedef struct ph_header_view {
    const panelhost_header_t *headers;
    size_t n;
    size_t used;                     /* bytes of scratch handed out */
    char scratch[PH_HEADER_SCRATCH]; /* joined or trimmed values; valid during the authenticate call */
} ph_header_view_t;
void ph_header_view_init(ph_header_view_t *view, const panelhost_header_t *headers, size_t n);
/* [thread-safe] panel_request_t.header over self->req_ctx, a ph_header_view_t. */
const char *ph_header_lookup(const panel_request_t *self, const char *name);

static inline int ph_extensions_changed_by_others(panelhost_t *host)
{
    ph_ext_counter_t *counter = atomic_load_explicit(&host->ext_counter, memory_order_acquire);
    if (!counter)
        return panelhost_extensions_changed(host);
    return atomic_load_explicit(counter, memory_order_acquire) !=
           atomic_load_explicit(&host->ext_seen, memory_order_relaxed);
}

/* registry_kinds.c, registry_queries.c (what the registry files share among themselves: registry.h) */
void ph_registry_bind_table(ph_plugin_t *plugin); /* fills the add_* members of plugin->table */
void ph_registry_drop_plugin(panelhost_t *host, const ph_plugin_t *plugin);
/* PANEL_OK when every menu entry of the plugin points at a page it registered. */
int32_t ph_registry_check_menu(panelhost_t *host, const ph_plugin_t *plugin, char *err, size_t err_len);
ph_page_rec_t *ph_registry_page(const panelhost_t *host, const char *page_id);
void ph_registry_free_all(panelhost_t *host);
/* 1 when `value` is one of the '|'-separated `choices`. */
int ph_choice_member(const char *choices, const char *value);
/* auth.c */
/* Rebuilds the auth snapshot from host->providers, leaving out those of `exclude` (nullable), and waits until
 * no reader uses the previous snapshot. */
int32_t ph_auth_publish(panelhost_t *host, const ph_plugin_t *exclude, char *err, size_t err_len);
void ph_auth_free(panelhost_t *host);
/* The published provider snapshot, its reader slot held in *slot (NULL: none published, no slot held); leave it
 * with ph_auth_reader_leave. ph_auth_unavailable: the snapshot is the out-of-memory marker (no providers in it). */
const ph_auth_snapshot_t *ph_auth_reader_enter(panelhost_t *host, ph_auth_slot_t **slot);
void ph_auth_reader_leave(ph_auth_slot_t *slot);
int ph_auth_unavailable(const ph_auth_snapshot_t *snapshot);

/* permissions.c */
int32_t ph_permission_pattern_valid(const char *pattern);
int32_t ph_permissions_valid(const char *list, char *why, size_t why_len);
/* panel_caller_t.has_permission: asks the role of `self` through self->host_ctx (a panelhost_t). */
int32_t ph_caller_has_permission(const panel_caller_t *self, const char *permission);

#endif /* PANELHOST_INTERNAL_H */
