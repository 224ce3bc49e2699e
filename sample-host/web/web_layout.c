/* web_layout.c - the page frame and menu of the admin panel (see web_layout.h). */
#include "web_layout.h"

#include <string.h>

#include "web_extensions.h"

#define MENU_MAX 256

void web_layout_csrf_input(web_buf_t *b, const char *csrf)
{
    web_raw(b, "<input type=\"hidden\" name=\"_csrf\" value=\"");
    web_html_text(b, csrf);
    web_raw(b, "\">");
}

/* Length of the parent part of a menu path ("Settings > API Key" -> "Settings"), 0 when there is none. */
static size_t parent_length(const char *path)
{
    const char *last = NULL;
    for (const char *p = strstr(path, " > "); p != NULL; p = strstr(p + 3, " > "))
        last = p;
    return last != NULL ? (size_t)(last - path) : 0;
}

static void render_menu(web_buf_t *b, const panelhost_t *host, const panel_caller_t *caller,
                        const char *current_page_id)
{
    const panel_menu_entry_t *entries[MENU_MAX];
    size_t total = panelhost_menu(host, caller, entries, MENU_MAX);
    size_t n = total < MENU_MAX ? total : MENU_MAX;
    web_raw(b, "<nav aria-label=\"Admin menu\"><ul><li><a href=\"/admin\"");
    if (current_page_id == NULL)
        web_raw(b, " aria-current=\"page\"");
    web_raw(b, ">Overview</a></li>");
    const char *open_parent = NULL;
    size_t open_len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = entries[i]->path;
        size_t plen = parent_length(path);
        int same = open_parent != NULL && plen == open_len && strncmp(open_parent, path, plen) == 0;
        if (!same && open_parent != NULL) {
            web_raw(b, "</ul></li>");
            open_parent = NULL;
        }
        if (!same && plen > 0) {
            web_raw(b, "<li><span>");
            web_html_text_n(b, path, plen);
            web_raw(b, "</span><ul>");
            open_parent = path;
            open_len = plen;
        }
        web_raw(b, "<li><a href=\"/admin/");
        web_html_text(b, entries[i]->page_id);
        web_raw(b, "\"");
        if (current_page_id != NULL && strcmp(current_page_id, entries[i]->page_id) == 0)
            web_raw(b, " aria-current=\"page\"");
        web_raw(b, ">");
        web_html_text(b, plen > 0 ? path + plen + 3 : path);
        web_raw(b, "</a></li>");
    }
    if (open_parent != NULL)
        web_raw(b, "</ul></li>");
    web_extensions_menu(b, caller, current_page_id); /* the host's own System > Extensions */
    web_raw(b, "</ul></nav>");
}

void web_layout_begin(web_buf_t *b, const panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                      const char *title, const char *current_page_id)
{
    const char *store = panelhost_config_get(host, "host", "store_name");
    if (store == NULL || store[0] == '\0')
        store = "Store";
    web_raw(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<meta name=\"referrer\" content=\"no-referrer\"><title>");
    web_html_text(b, title);
    web_raw(b, " - ");
    web_html_text(b, store);
    web_raw(b, " admin</title><link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.ico\">"
               "<link rel=\"stylesheet\" href=\"/static/panel.css\">"
               "<script src=\"/static/panel.js\" defer></script></head><body><header><span><strong>");
    web_html_text(b, store);
    web_raw(b, "</strong> admin panel</span>");
    if (caller != NULL) {
        web_raw(b, "<span>Signed in as <strong id=\"current-user\">");
        web_html_text(b, caller->user);
        web_raw(b, "</strong> (");
        web_html_text(b, caller->role);
        web_raw(b, ") <form method=\"post\" action=\"/logout\">");
        web_layout_csrf_input(b, csrf);
        web_raw(b, "<button type=\"submit\">Log out</button></form></span>");
    }
    web_raw(b, "</header><div class=\"layout\">");
    if (caller != NULL)
        render_menu(b, host, caller, current_page_id);
    web_raw(b, "<main>");
}

void web_layout_end(web_buf_t *b)
{
    web_raw(b, "</main></div></body></html>\n");
}
