/* web_extensions.h - the web panel's host page System > Extensions (list the installed extensions, enable,
 * disable with a confirmation step, load errors, the newest host audit entries) and how the running server
 * applies extension changes: a registry lock (admin requests read the registry; reloads and enable/disable
 * change it) and a check, at most once per second, for changes another process (the command line) made. */
#ifndef SAMPLE_HOST_WEB_EXTENSIONS_H
#define SAMPLE_HOST_WEB_EXTENSIONS_H

#include <pthread.h>
#include <time.h>

#include "panel/host.h"
#include "web_form.h"
#include "web_html.h"
#include "web_http.h"

#define WEB_EXTENSIONS_PATH "/admin/system/extensions"
#define WEB_EXTENSIONS_PAGE_ID "system/extensions" /* marks the menu entry as current */

typedef struct web_extensions {
    panelhost_t *host;
    pthread_rwlock_t registry_lock; /* shared: an admin request; exclusive: a reload or an enable/disable */
    pthread_mutex_t check_lock;     /* guards last_check */
    struct timespec last_check;     /* CLOCK_MONOTONIC */
} web_extensions_t;

/* Returns 0, or -1 with err set. */
int web_extensions_init(web_extensions_t *ext, panelhost_t *host, char *err, size_t err_len);
void web_extensions_destroy(web_extensions_t *ext);

/* Call at the start of every request, holding no lock: when a second or more passed since the last check and
 * the extension states changed on disk, reloads (exclusive lock) so a change applies within one second. */
void web_extensions_tick(web_extensions_t *ext);

/* Around the handling of one admin-panel request: exclusive for a POST to the Extensions page (which loads
 * or unloads plugins), shared otherwise. */
void web_extensions_enter(web_extensions_t *ext, const char *method, const char *path);
void web_extensions_leave(web_extensions_t *ext);

/* 1 when `path` is the Extensions page. */
int web_extensions_owns(const char *path);

/* Answers GET (the list) and POST ("_op" = "enable" or "disable", "id", "_confirm" = "1" after the
 * confirmation step; its CSRF token already checked) of the Extensions page. 403 without the permission
 * extensions.manage. */
void web_extensions_handle(panelhost_t *host, const panel_caller_t *caller, const char *csrf, int is_post,
                           const web_form_t *form, web_response_t *res);

/* The menu group "System > Extensions" for a caller whose role holds extensions.manage (nothing otherwise). */
void web_extensions_menu(web_buf_t *b, const panel_caller_t *caller, const char *current_page_id);

#endif /* SAMPLE_HOST_WEB_EXTENSIONS_H */
