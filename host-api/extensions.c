/* extensions.c - the extensions' enabled states at work: loading the enabled ones, applying changes another
 * process made (reload; noticed through the shared change counter, and for panelhost_extensions_changed also
 * through a stat() of the state file), listing them for the manager page, what stops working when one is
 * disabled, and enabling and disabling them (with the permission check and the host audit log). Which are
 * installed is extensions_list.c's; the state file (DATA_DIR/extensions.state) is extensions_state.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extensions_list.h"

#define EXT_MSG_MAX 2048

/* ----- load errors kept per file ----- */

static const char *error_for(const panelhost_t *host, const char *file)
{
    for (size_t i = 0; i < host->n_ext_errors; i++)
        if (strcmp(host->ext_errors[i].file, file) == 0)
            return host->ext_errors[i].message;
    return NULL;
}

static void clear_error(panelhost_t *host, const char *file)
{
    for (size_t i = 0; i < host->n_ext_errors; i++)
        if (strcmp(host->ext_errors[i].file, file) == 0) {
            free(host->ext_errors[i].file);
            free(host->ext_errors[i].message);
            host->ext_errors[i] = host->ext_errors[--host->n_ext_errors];
            return;
        }
}

static void set_error(panelhost_t *host, const char *file, const char *message)
{
    clear_error(host, file);
    ph_ext_error_t *grown = realloc(host->ext_errors, (host->n_ext_errors + 1) * sizeof *grown);
    if (!grown)
        return;
    host->ext_errors = grown;
    char *f = ph_strdup(file), *m = ph_strdup(message);
    if (!f || !m) {
        free(f);
        free(m);
        return;
    }
    grown[host->n_ext_errors].file = f;
    grown[host->n_ext_errors].message = m;
    host->n_ext_errors++;
}

void ph_extensions_free(panelhost_t *host)
{
    for (size_t i = 0; i < host->n_ext_errors; i++) {
        free(host->ext_errors[i].file);
        free(host->ext_errors[i].message);
    }
    free(host->ext_errors);
    host->ext_errors = NULL;
    host->n_ext_errors = 0;
    ph_ext_counter_unmap(atomic_exchange(&host->ext_counter, NULL));
}

/* The shared change counter, mapped on first use; NULL with err set when it cannot be used. Called only where
 * the states are read to be applied or written (never concurrently with itself for one host). */
static ph_ext_counter_t *counter_of(panelhost_t *host, char *err, size_t err_len)
{
    ph_ext_counter_t *counter = atomic_load(&host->ext_counter);
    if (!counter) {
        counter = ph_ext_counter_map(host->data_dir, err, err_len);
        if (counter)
            atomic_store(&host->ext_counter, counter);
    }
    return counter;
}

/* ----- applying the states in this process ----- */

/* Unloads the loaded extensions that are disabled, then loads the enabled ones that are not loaded (except
 * those whose load already failed in this process). Keeps each load failure as the file's load error and
 * reports it to on_error. Returns the number that failed. */
static int32_t apply(panelhost_t *host, ext_list_t *list, panelhost_load_error_fn on_error, void *ctx,
                     int32_t *changed)
{
    int32_t failed = 0;
    for (size_t i = 0; i < list->n; i++) {
        ext_item_t *item = &list->items[i];
        if (item->enabled)
            continue;
        clear_error(host, item->file);
        if (item->loaded) {
            char err[PH_MSG_MAX] = "";
            if (panelhost_unload(host, item->loaded->id, err, sizeof err) != PANEL_OK)
                ph_logf(host, PANEL_LOG_ERROR, NULL, "cannot unload disabled extension %s: %s", item->text.id,
                        err);
            item->loaded = NULL;
            if (changed)
                *changed = 1;
        }
    }
    for (size_t i = 0; i < list->n; i++) {
        ext_item_t *item = &list->items[i];
        if (!item->enabled || item->loaded || error_for(host, item->file))
            continue; /* a failure is not retried until the extension is disabled or enabled again */
        char err[PH_MSG_MAX] = "";
        if (panelhost_load(host, item->file, err, sizeof err) == PANEL_OK) {
            clear_error(host, item->file);
            item->loaded = ph_ext_loaded_from(host, item->real);
        } else {
            failed++;
            set_error(host, item->file, err);
            if (on_error)
                on_error(ctx, item->file, err);
        }
        if (changed)
            *changed = 1;
    }
    return failed;
}

/* Reads the state file (remembering its stamp and the change count read before it as applied), builds the list
 * and applies it. */
static int32_t read_and_apply(panelhost_t *host, panelhost_load_error_fn on_error, void *ctx, int32_t *changed,
                              char *err, size_t err_len)
{
    char counter_err[PH_MSG_MAX];
    ph_ext_counter_t *counter = counter_of(host, counter_err, sizeof counter_err);
    if (!counter)
        ph_logf(host, PANEL_LOG_WARN, NULL, "%s; changes other processes make are noticed by a stat() instead",
                counter_err);
    uint64_t seen = counter ? atomic_load_explicit(counter, memory_order_acquire) : 0;
    ph_ext_state_t state;
    ph_file_stamp_t stamp;
    int32_t rc = ph_ext_state_read(host, &state, &stamp, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    pthread_mutex_lock(&host->ext_lock);
    host->ext_stamp = stamp;
    atomic_store_explicit(&host->ext_seen, seen, memory_order_relaxed);
    pthread_mutex_unlock(&host->ext_lock);
    ext_list_t list;
    rc = ph_ext_list_build(host, &state, &list, err, err_len);
    ph_ext_state_free(&state);
    if (rc != PANEL_OK)
        return rc;
    int32_t failed = apply(host, &list, on_error, ctx, changed);
    ph_ext_list_free(&list);
    return failed;
}

int32_t panelhost_extensions_load(panelhost_t *host, panelhost_load_error_fn on_error, void *ctx)
{
    if (!host)
        return 0;
    char err[PH_MSG_MAX] = "";
    int32_t rc = read_and_apply(host, on_error, ctx, NULL, err, sizeof err);
    if (rc < 0) {
        /* The states cannot be read: load nothing rather than something the owner disabled. */
        char *path = ph_ext_state_path(host);
        if (on_error)
            on_error(ctx, path ? path : "extensions.state", err);
        else
            ph_logf(host, PANEL_LOG_ERROR, NULL, "no extension was loaded: %s", err);
        free(path);
        return 1;
    }
    return rc;
}

int32_t panelhost_extensions_changed(panelhost_t *host)
{
    if (!host)
        return 0;
    ph_ext_counter_t *counter = atomic_load_explicit(&host->ext_counter, memory_order_acquire);
    if (counter && atomic_load_explicit(counter, memory_order_acquire) !=
                       atomic_load_explicit(&host->ext_seen, memory_order_relaxed))
        return 1;
    char *path = ph_ext_state_path(host);
    ph_file_stamp_t now;
    ph_file_stamp_get(path, &now);
    free(path);
    pthread_mutex_lock(&host->ext_lock);
    int same = ph_file_stamp_equal(&now, &host->ext_stamp);
    pthread_mutex_unlock(&host->ext_lock);
    return same ? 0 : 1;
}

/* Collects the first load failure of a reload. */
typedef struct first_failure {
    char message[PH_MSG_MAX];
} first_failure_t;

static void keep_first_failure(void *ctx, const char *path, const char *message)
{
    first_failure_t *first = ctx;
    (void)path;
    if (!first->message[0])
        ph_errf(first->message, sizeof first->message, "%s", message);
}

int32_t panelhost_extensions_reload(panelhost_t *host, int32_t *changed, char *err, size_t err_len)
{
    if (changed)
        *changed = 0;
    if (!host) {
        ph_errf(err, err_len, "panelhost_extensions_reload: host must be given");
        return PANEL_E_INVALID;
    }
    if (!panelhost_extensions_changed(host))
        return PANEL_OK;
    first_failure_t first = {""};
    int32_t rc = read_and_apply(host, keep_first_failure, &first, changed, err, err_len);
    if (rc < 0)
        return rc;
    if (rc > 0) {
        ph_errf(err, err_len, "%s", first.message);
        return PANEL_E_STATE;
    }
    return PANEL_OK;
}

/* ----- listing ----- */

static int32_t require_manager(const panelhost_t *host, const panel_caller_t *caller, const char *what, char *err,
                               size_t err_len)
{
    if (!caller || !caller->role || !caller->user) {
        ph_errf(err, err_len, "%s needs an acting admin user", what);
        return PANEL_E_DENIED;
    }
    if (!panelhost_role_allows(host, caller->role, PANELHOST_PERMISSION_EXTENSIONS)) {
        ph_errf(err, err_len, "user '%s' (role '%s') may not %s: the role lacks the permission "
                              PANELHOST_PERMISSION_EXTENSIONS,
                caller->user, caller->role, what);
        return PANEL_E_DENIED;
    }
    return PANEL_OK;
}

static uint32_t count_menu(const panelhost_t *host, const ph_plugin_t *p)
{
    uint32_t n = 0;
    for (size_t i = 0; p && i < host->n_menu; i++)
        n += host->menu[i]->owner == p;
    return n;
}

static uint32_t count_pages(const panelhost_t *host, const ph_plugin_t *p)
{
    uint32_t n = 0;
    for (size_t i = 0; p && i < host->n_pages; i++)
        n += host->pages[i]->owner == p;
    return n;
}

static uint32_t count_providers(const panelhost_t *host, const ph_plugin_t *p)
{
    uint32_t n = 0;
    for (size_t i = 0; p && i < host->n_providers; i++)
        n += host->providers[i]->owner == p;
    return n;
}

int32_t panelhost_extensions_list(panelhost_t *host, const panel_caller_t *caller, panelhost_extension_fn fn,
                                  void *ctx, char *err, size_t err_len)
{
    if (!host || !fn) {
        ph_errf(err, err_len, "panelhost_extensions_list: host and fn must be given");
        return PANEL_E_INVALID;
    }
    int32_t rc = caller ? require_manager(host, caller, "list the extensions", err, err_len) : PANEL_OK;
    if (rc == PANEL_E_DENIED && caller->user)
        ph_audit_denied(host, caller, "extension.list", "", "needs permission " PANELHOST_PERMISSION_EXTENSIONS);
    if (rc != PANEL_OK)
        return rc;
    ph_ext_state_t state;
    ph_file_stamp_t stamp;
    rc = ph_ext_state_read(host, &state, &stamp, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    ext_list_t list;
    rc = ph_ext_list_build(host, &state, &list, err, err_len);
    ph_ext_state_free(&state);
    if (rc != PANEL_OK)
        return rc;
    for (size_t i = 0; rc == PANEL_OK && i < list.n; i++) {
        const ext_item_t *item = &list.items[i];
        const char *load_error = item->inspect_error;
        if (!load_error && item->enabled && !item->loaded)
            load_error = error_for(host, item->file);
        panelhost_extension_info_t info = {
            .id = item->text.id,
            .name = item->text.name,
            .version = item->text.version,
            .description = item->text.description,
            .file = item->file,
            .configured = item->configured,
            .enabled = item->enabled,
            .loaded = item->loaded != NULL,
            .load_error = load_error ? load_error : "",
            .n_menu_entries = count_menu(host, item->loaded),
            .n_pages = count_pages(host, item->loaded),
            .n_auth_providers = count_providers(host, item->loaded),
        };
        rc = fn(ctx, &info);
    }
    ph_ext_list_free(&list);
    return rc > 0 ? PANEL_OK : rc;
}

/* ----- effects of disabling ----- */

/* Appends to out[*used..] (always NUL-terminated). */
static void appendf(char *out, size_t out_len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void appendf(char *out, size_t out_len, size_t *used, const char *fmt, ...)
{
    if (*used >= out_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, out_len - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = (size_t)n < out_len - *used ? *used + (size_t)n : out_len - 1;
}

static void describe_effects(const panelhost_t *host, const ph_plugin_t *p, const char *id, const char *name,
                             char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    appendf(out, out_len, &used, "Disabling %s (%s) stops it: ", name[0] ? name : id, id);
    if (!p) {
        appendf(out, out_len, &used, "it is not running here, so what it adds cannot be listed; whatever it "
                                     "adds to the panel (menu entries, pages, API authentication) stops. ");
    } else {
        uint32_t menus = count_menu(host, p), pages = count_pages(host, p), providers = count_providers(host, p);
        if (menus > 0) {
            appendf(out, out_len, &used, "the menu loses ");
            uint32_t k = 0;
            for (size_t i = 0; i < host->n_menu; i++)
                if (host->menu[i]->owner == p)
                    appendf(out, out_len, &used, "%s%s", k++ ? ", " : "", host->menu[i]->desc.path);
            appendf(out, out_len, &used, "; ");
        }
        if (pages > 0) {
            appendf(out, out_len, &used, "its page%s ", pages > 1 ? "s" : "");
            uint32_t k = 0;
            for (size_t i = 0; i < host->n_pages; i++)
                if (host->pages[i]->owner == p)
                    appendf(out, out_len, &used, "%s%s", k++ ? ", " : "", host->pages[i]->desc.id);
            appendf(out, out_len, &used, " with %s fields, tables and actions go away (404); ",
                    pages > 1 ? "their" : "its");
        }
        if (providers > 0) {
            if (host->n_providers > providers)
                appendf(out, out_len, &used, "it provides API authentication: API requests it would allow are "
                                             "denied; ");
            else
                appendf(out, out_len, &used, "it provides the only API authentication: every API request will "
                                             "be answered 503 \"no API authentication is configured\" until it "
                                             "is enabled again; ");
        }
        if (menus == 0 && pages == 0 && providers == 0)
            appendf(out, out_len, &used, "it registered nothing visible; ");
    }
    appendf(out, out_len, &used, "its data stays in the data directory, and enabling it again brings it back.");
}

int32_t panelhost_extension_effects(const panelhost_t *host, const char *id, char *out, size_t out_len)
{
    if (!host || !id || !out || out_len == 0)
        return PANEL_E_INVALID;
    ph_ext_state_t state;
    ph_file_stamp_t stamp;
    char err[PH_MSG_MAX];
    panelhost_t *mutable_host = (panelhost_t *)host; /* listing reads only; the cast is for ph_ext_list_build */
    int32_t rc = ph_ext_state_read(host, &state, &stamp, err, sizeof err);
    if (rc != PANEL_OK) {
        ph_errf(out, out_len, "%s", err);
        return rc;
    }
    ext_list_t list;
    rc = ph_ext_list_build(mutable_host, &state, &list, err, sizeof err);
    ph_ext_state_free(&state);
    if (rc != PANEL_OK) {
        ph_errf(out, out_len, "%s", err);
        return rc;
    }
    rc = PANEL_E_NOT_FOUND;
    for (size_t i = 0; i < list.n; i++)
        if (strcmp(list.items[i].text.id, id) == 0) {
            describe_effects(host, list.items[i].loaded, id, list.items[i].text.name, out, out_len);
            rc = PANEL_OK;
            break;
        }
    if (rc != PANEL_OK)
        ph_errf(out, out_len, "no installed extension has the id '%s'", id);
    ph_ext_list_free(&list);
    return rc;
}

/* ----- enabling and disabling ----- */

static void audit(panelhost_t *host, const panel_caller_t *caller, int32_t enabled, const char *id,
                  const char *outcome, const char *detail)
{
    char err[PH_MSG_MAX] = "";
    if (panelhost_audit_append(host, caller, enabled ? "extension.enable" : "extension.disable", id, outcome,
                               detail, err, sizeof err) != PANEL_OK)
        ph_logf(host, PANEL_LOG_ERROR, NULL, "%s", err);
}

/* The ids of the installed extensions, comma-separated, for a message. */
static void installed_ids(const ext_list_t *list, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < list->n; i++)
        appendf(out, out_len, &used, "%s%s", i ? ", " : "", list->items[i].text.id);
    if (list->n == 0)
        appendf(out, out_len, &used, "none");
}

int32_t panelhost_extension_set_enabled(panelhost_t *host, const panel_caller_t *caller, const char *id,
                                        int32_t enabled, char *msg, size_t msg_len)
{
    char text[EXT_MSG_MAX] = "";
    if (!host || !id) {
        ph_errf(msg, msg_len, "panelhost_extension_set_enabled: host and id must be given");
        return PANEL_E_INVALID;
    }
    const char *verb = enabled ? "enable" : "disable";
    char what[64];
    ph_errf(what, sizeof what, "%s extensions", verb);
    int32_t rc = require_manager(host, caller, what, text, sizeof text);
    if (rc != PANEL_OK) {
        if (caller && caller->user)
            audit(host, caller, enabled, id, "denied", text);
        ph_errf(msg, msg_len, "%s", text);
        return rc;
    }

    int lock = ph_ext_state_lock(host, text, sizeof text);
    if (lock < 0) {
        audit(host, caller, enabled, id, "failed", text);
        ph_errf(msg, msg_len, "%s", text);
        return PANEL_E_STORE;
    }
    ph_ext_state_t state;
    ph_file_stamp_t stamp;
    ext_list_t list = {NULL, 0};
    rc = ph_ext_state_read(host, &state, &stamp, text, sizeof text);
    if (rc == PANEL_OK) {
        rc = ph_ext_list_build(host, &state, &list, text, sizeof text);
        if (rc != PANEL_OK)
            ph_ext_state_free(&state);
    }
    if (rc != PANEL_OK) {
        ph_ext_state_unlock(lock);
        audit(host, caller, enabled, id, "failed", text);
        ph_errf(msg, msg_len, "%s", text);
        return rc;
    }
    const ext_item_t *found = NULL;
    for (size_t i = 0; i < list.n && !found; i++)
        if (strcmp(list.items[i].text.id, id) == 0)
            found = &list.items[i];
    if (!found) {
        char ids[1024];
        installed_ids(&list, ids, sizeof ids);
        ph_errf(text, sizeof text, "no installed extension has the id '%s'; installed: %s", id, ids);
        rc = PANEL_E_NOT_FOUND;
    } else if (!enabled && !caller->confirmed && found->enabled) {
        describe_effects(host, found->loaded, id, found->text.name, text, sizeof text);
        rc = PANEL_E_CONFIRM; /* a question, not an attempt: not audited */
    } else if (found->enabled == (enabled ? 1 : 0)) {
        ph_errf(text, sizeof text, "%s (%s) is already %s", found->text.name[0] ? found->text.name : id, id,
                enabled ? "enabled" : "disabled");
        rc = PANEL_OK;
    } else {
        /* without the counter, running processes would not notice the change: refuse before writing */
        ph_ext_counter_t *counter = counter_of(host, text, sizeof text);
        rc = counter ? ph_ext_state_set(&state, id, enabled ? 1 : 0) : PANEL_E_STORE;
        if (rc == PANEL_OK)
            rc = ph_ext_state_write(host, &state, counter, text, sizeof text);
        else if (counter)
            ph_errf(text, sizeof text, "out of memory");
    }
    int changed_state = rc == PANEL_OK && found && found->enabled != (enabled ? 1 : 0);
    char name[PANEL_ID_MAX + 256] = "";
    char *target_file = NULL;
    if (found) {
        ph_errf(name, sizeof name, "%s (%s)", found->text.name[0] ? found->text.name : id, id);
        target_file = ph_strdup(found->file);
    }
    ph_ext_list_free(&list);
    ph_ext_state_free(&state);
    ph_ext_state_unlock(lock);

    if (rc == PANEL_E_CONFIRM || rc != PANEL_OK) {
        if (rc != PANEL_E_CONFIRM)
            audit(host, caller, enabled, id, rc == PANEL_E_NOT_FOUND ? "not_found" : "failed", text);
        ph_errf(msg, msg_len, "%s", text);
        free(target_file);
        return rc;
    }
    /* Apply every state in this process (also an unchanged one: enabling again retries a failed load). */
    if (enabled && target_file)
        clear_error(host, target_file);
    char load_err[PH_MSG_MAX] = "";
    int32_t failed = read_and_apply(host, NULL, NULL, NULL, load_err, sizeof load_err);
    const char *target_error = failed < 0 ? load_err : target_file ? error_for(host, target_file) : NULL;
    if (target_error && !enabled && failed >= 0)
        target_error = NULL;
    char why[PH_MSG_MAX] = "";
    if (target_error)
        ph_errf(why, sizeof why, "%s", target_error);
    free(target_file);
    if (!changed_state && !why[0]) {
        audit(host, caller, enabled, id, "unchanged", text);
        ph_errf(msg, msg_len, "%s", text);
        return PANEL_OK;
    }
    if (why[0]) {
        ph_errf(text, sizeof text, "%s %s, but it failed to %s: %s", enabled ? "Enabled" : "Disabled", name,
                enabled ? "load" : "apply", why);
        audit(host, caller, enabled, id, "load_failed", text);
        ph_errf(msg, msg_len, "%s", text);
        return PANEL_E_STATE;
    }
    if (enabled)
        ph_errf(text, sizeof text, "Enabled %s: it is loaded, with whatever it adds to the panel and the API.",
                name);
    else
        ph_errf(text, sizeof text, "Disabled %s: it is not loaded; its data stays in the data directory.", name);
    audit(host, caller, enabled, id, "ok", text);
    ph_errf(msg, msg_len, "%s", text);
    return PANEL_OK;
}
