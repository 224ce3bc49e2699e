/* web_extensions.c - the Extensions page of the web panel and the server's extension reloads (see
 * web_extensions.h). Everything it shows comes from libpanelhost (panelhost_extensions_list, the host audit
 * log); enabling and disabling go through panelhost_extension_set_enabled, which checks the permission and
 * writes the audit entry. */
#include "web_extensions.h"

#include <stdio.h>
#include <string.h>

#include "web_layout.h"
#include "web_page.h"

#define AUDIT_ROWS 10

/* ----- locks and reloads --------------------------------------------------------------------------------- */

int web_extensions_init(web_extensions_t *ext, panelhost_t *host, char *err, size_t err_len)
{
    memset(ext, 0, sizeof *ext);
    ext->host = host;
    if (pthread_rwlock_init(&ext->registry_lock, NULL) != 0) {
        snprintf(err, err_len, "cannot create the registry lock");
        return -1;
    }
    if (pthread_mutex_init(&ext->check_lock, NULL) != 0) {
        pthread_rwlock_destroy(&ext->registry_lock);
        snprintf(err, err_len, "cannot create a mutex");
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &ext->last_check);
    return 0;
}

void web_extensions_destroy(web_extensions_t *ext)
{
    pthread_mutex_destroy(&ext->check_lock);
    pthread_rwlock_destroy(&ext->registry_lock);
}

void web_extensions_tick(web_extensions_t *ext)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&ext->check_lock);
    long long elapsed_ms = (long long)(now.tv_sec - ext->last_check.tv_sec) * 1000 +
                           (now.tv_nsec - ext->last_check.tv_nsec) / 1000000;
    int due = elapsed_ms >= 1000;
    if (due)
        ext->last_check = now;
    pthread_mutex_unlock(&ext->check_lock);
    if (!due || !panelhost_extensions_changed(ext->host))
        return;
    pthread_rwlock_wrlock(&ext->registry_lock);
    int32_t changed = 0;
    char err[1024] = "";
    int32_t rc = panelhost_extensions_reload(ext->host, &changed, err, sizeof err);
    pthread_rwlock_unlock(&ext->registry_lock);
    if (rc != PANEL_OK)
        fprintf(stderr, "sample-host: extensions: %s\n", err);
    else if (changed)
        fprintf(stderr, "sample-host: extensions: applied a change of the enabled extensions\n");
}

void web_extensions_enter(web_extensions_t *ext, const char *method, const char *path)
{
    if (strcmp(method, "POST") == 0 && web_extensions_owns(path))
        pthread_rwlock_wrlock(&ext->registry_lock);
    else
        pthread_rwlock_rdlock(&ext->registry_lock);
}

void web_extensions_leave(web_extensions_t *ext)
{
    pthread_rwlock_unlock(&ext->registry_lock);
}

int web_extensions_owns(const char *path)
{
    return strcmp(path, WEB_EXTENSIONS_PATH) == 0;
}

/* ----- the menu entry ------------------------------------------------------------------------------------ */

void web_extensions_menu(web_buf_t *b, const panel_caller_t *caller, const char *current_page_id)
{
    if (caller == NULL || caller->has_permission == NULL ||
        !caller->has_permission(caller, PANELHOST_PERMISSION_EXTENSIONS))
        return;
    web_raw(b, "<li><span>System</span><ul><li><a href=\"" WEB_EXTENSIONS_PATH "\" id=\"menu-extensions\"");
    if (current_page_id != NULL && strcmp(current_page_id, WEB_EXTENSIONS_PAGE_ID) == 0)
        web_raw(b, " aria-current=\"page\"");
    web_raw(b, ">Extensions</a></li></ul></li>");
}

/* ----- the page ------------------------------------------------------------------------------------------ */

typedef struct list_writer {
    web_buf_t *b;
    const char *csrf;
    int rows;
} list_writer_t;

/* An id is [a-z0-9_]; anything else (never expected) is dropped from an HTML id attribute. */
static void write_dom_id(web_buf_t *b, const char *prefix, const char *id)
{
    char clean[80];
    size_t n = 0;
    for (const char *p = id; *p && n + 1 < sizeof clean; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')
            clean[n++] = *p;
    clean[n] = '\0';
    web_raw(b, prefix);
    web_raw(b, clean);
}

static void write_button(web_buf_t *b, const char *csrf, const panelhost_extension_info_t *info)
{
    const char *op = info->enabled ? "disable" : "enable";
    web_raw(b, "<form method=\"post\" action=\"" WEB_EXTENSIONS_PATH "\">");
    web_layout_csrf_input(b, csrf);
    web_rawf(b, "<input type=\"hidden\" name=\"_op\" value=\"%s\">", op);
    web_raw(b, "<input type=\"hidden\" name=\"id\" value=\"");
    web_html_text(b, info->id);
    web_rawf(b, "\"><button type=\"submit\"%s", info->enabled ? " class=\"danger\"" : "");
    write_dom_id(b, info->enabled ? " id=\"disable-" : " id=\"enable-", info->id);
    web_rawf(b, "\">%s</button></form>", info->enabled ? "Disable" : "Enable");
}

static int32_t write_extension(void *ctx, const panelhost_extension_info_t *info)
{
    list_writer_t *w = ctx;
    web_buf_t *b = w->b;
    w->rows++;
    write_dom_id(b, "<tr id=\"ext-", info->id);
    web_raw(b, "\"><td><strong>");
    web_html_text(b, info->name[0] ? info->name : info->id);
    web_raw(b, "</strong> <code>");
    web_html_text(b, info->id);
    web_raw(b, "</code> <span class=\"ext-version\">");
    web_html_text(b, info->version[0] ? info->version : "?");
    web_raw(b, "</span>");
    if (info->description[0]) {
        web_raw(b, "<p class=\"help\">");
        web_html_text(b, info->description);
        web_raw(b, "</p>");
    }
    web_raw(b, "<p class=\"help ext-file\">");
    web_raw(b, info->configured ? "From the config: " : "From the plugin folder: ");
    web_html_text(b, info->file);
    web_raw(b, "</p>");
    web_raw(b, "</td><td class=\"ext-status\">");
    if (!info->enabled)
        web_raw(b, "Disabled");
    else if (info->loaded)
        web_raw(b, "Enabled, running");
    else
        web_raw(b, "Enabled, <strong class=\"error\">not running</strong>");
    if (info->load_error[0]) {
        web_raw(b, "<p class=\"error ext-load-error\">Load error: ");
        web_html_text(b, info->load_error);
        web_raw(b, "</p>");
    }
    web_raw(b, "</td><td>");
    write_button(b, w->csrf, info);
    web_raw(b, "</td></tr>");
    return PANEL_OK;
}

static int32_t write_audit_row(void *ctx, const panelhost_audit_entry_t *e)
{
    web_buf_t *b = ctx;
    const char *cells[] = {e->when, e->user, e->origin, e->action, e->target, e->outcome, e->detail};
    web_raw(b, "<tr>");
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        web_raw(b, "<td>");
        web_html_text(b, cells[i]);
        web_raw(b, "</td>");
    }
    web_raw(b, "</tr>");
    return PANEL_OK;
}

/* The whole page, with an optional notice (failed: an error notice). */
static void render(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const char *notice,
                   int failed, web_response_t *res)
{
    web_buf_t *b = &res->body;
    web_buf_free(b);
    web_buf_init(b);
    web_buf_t rows;
    web_buf_init(&rows);
    list_writer_t w = {&rows, csrf, 0};
    char err[1024] = "";
    int32_t rc = panelhost_extensions_list(host, caller, write_extension, &w, err, sizeof err);
    if (rc == PANEL_E_DENIED) {
        web_buf_free(&rows);
        web_page_error(host, caller, csrf, 403, "Not allowed",
                       "Your role does not allow managing extensions (permission extensions.manage).", res);
        return;
    }
    web_layout_begin(b, host, caller, csrf, "Extensions", WEB_EXTENSIONS_PAGE_ID);
    web_raw(b, "<h1>Extensions</h1><p class=\"help\">The extensions installed in this panel. A disabled "
               "extension is not loaded: its menu entries, pages and API authentication are gone until it is "
               "enabled again; its data is kept. Changes apply to every panel process using this data "
               "directory.</p>");
    if (notice != NULL) {
        web_raw(b, failed ? "<p class=\"notice failed\" role=\"alert\" id=\"notice\">"
                          : "<p class=\"notice ok\" role=\"status\" id=\"notice\">");
        web_html_text(b, notice);
        web_raw(b, "</p>");
    }
    if (rc != PANEL_OK) {
        web_raw(b, "<p class=\"error\" role=\"alert\" id=\"extensions-error\">");
        web_html_text(b, err);
        web_raw(b, "</p>");
    } else if (w.rows == 0) {
        web_raw(b, "<p id=\"no-extensions\">No extensions are installed. List plugins in [host] plugins of the "
                   "config, or put them into the folder [host] plugin_dir.</p>");
    } else {
        web_raw(b, "<section><div class=\"table-scroll\"><table id=\"extensions\"><thead><tr><th>Extension</th><th>Status</th><th></th></tr>"
                   "</thead><tbody>");
        web_raw(b, rows.data != NULL ? rows.data : "");
        web_raw(b, "</tbody></table></div></section>");
    }
    web_buf_free(&rows);

    web_buf_t audit;
    web_buf_init(&audit);
    if (panelhost_audit_read(host, caller, AUDIT_ROWS, write_audit_row, &audit, err, sizeof err) == PANEL_OK &&
        audit.data != NULL) {
        web_raw(b, "<section><h2>Recent changes</h2><div class=\"table-scroll\"><table id=\"host-audit\"><thead><tr><th>When (UTC)</th>"
                   "<th>User</th><th>Origin</th><th>Action</th><th>Extension</th><th>Outcome</th><th>Detail</th>"
                   "</tr></thead><tbody>");
        web_raw(b, audit.data);
        web_raw(b, "</tbody></table></div></section>");
    }
    web_buf_free(&audit);
    web_layout_end(b);
    res->status = 200;
}

/* The confirmation step of a disable: what stops working, and the confirming form. */
static void render_confirm(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const char *id,
                           const char *effects, web_response_t *res)
{
    web_buf_t *b = &res->body;
    web_buf_free(b);
    web_buf_init(b);
    res->status = 200;
    web_layout_begin(b, host, caller, csrf, "Disable extension?", WEB_EXTENSIONS_PAGE_ID);
    web_raw(b, "<h1>Disable extension <code>");
    web_html_text(b, id);
    web_raw(b, "</code>?</h1><form method=\"post\" action=\"" WEB_EXTENSIONS_PATH "\" class=\"action\" "
               "id=\"confirm-form\">");
    web_layout_csrf_input(b, csrf);
    web_raw(b, "<input type=\"hidden\" name=\"_op\" value=\"disable\">");
    web_raw(b, "<input type=\"hidden\" name=\"id\" value=\"");
    web_html_text(b, id);
    web_raw(b, "\"><input type=\"hidden\" name=\"_confirm\" value=\"1\"><p class=\"confirm-text\" "
               "id=\"confirm-text\">");
    web_html_text(b, effects);
    web_raw(b, "</p><button type=\"submit\" class=\"danger\" id=\"confirm-yes\">Yes, disable it</button> "
               "<a href=\"" WEB_EXTENSIONS_PATH "\" id=\"confirm-cancel\">Cancel</a></form>");
    web_layout_end(b);
}

void web_extensions_handle(panelhost_t *host, const panel_caller_t *caller, const char *csrf, int is_post,
                           const web_form_t *form, web_response_t *res)
{
    if (!is_post) {
        render(host, caller, csrf, NULL, 0, res);
        return;
    }
    const char *op = web_form_get(form, "_op", NULL);
    const char *id = web_form_get(form, "id", NULL);
    int enable = op != NULL && strcmp(op, "enable") == 0;
    if ((!enable && (op == NULL || strcmp(op, "disable") != 0)) || id == NULL || id[0] == '\0') {
        web_page_error(host, caller, csrf, 400, "Bad request", "The form did not say which extension to enable "
                                                               "or disable.", res);
        return;
    }
    panel_caller_t acting = *caller;
    const char *confirm = web_form_get(form, "_confirm", NULL);
    acting.confirmed = confirm != NULL && strcmp(confirm, "1") == 0;
    char msg[2048] = "";
    int32_t rc = panelhost_extension_set_enabled(host, &acting, id, enable, msg, sizeof msg);
    if (rc == PANEL_E_CONFIRM) {
        render_confirm(host, caller, csrf, id, msg, res);
    } else if (rc == PANEL_E_DENIED) {
        web_page_error(host, caller, csrf, 403, "Not allowed",
                       "Your role does not allow managing extensions (permission extensions.manage).", res);
    } else if (rc == PANEL_E_NOT_FOUND) {
        web_page_error(host, caller, csrf, 404, "No such extension", msg, res);
    } else {
        render(host, caller, csrf, msg, rc != PANEL_OK, res);
    }
}
