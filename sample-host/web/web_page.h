/* web_page.h - generic rendering of a registered admin page (status lines, fields with their current values,
 * actions as forms with their parameters, tables) and the handling of its forms (set a field, run an action,
 * the confirmation step of a dangerous action, the one-time secret an action reveals). Knows nothing of any
 * particular plugin: everything comes from the registry through libpanelhost. */
#ifndef SAMPLE_HOST_WEB_PAGE_H
#define SAMPLE_HOST_WEB_PAGE_H

#include "panel/host.h"
#include "web_form.h"
#include "web_http.h"

/* GET: the page `page_id` for `caller` (404 when unknown, 403 when the caller's role lacks its permission), with
 * the result the session's last successful post left (web_flash.h), shown once. */
void web_page_show(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const web_request_t *req,
                   const char *page_id, web_response_t *res);

/* The page `page_id` when the caller may see it; else NULL after answering 404 or 403 (and auditing the refusal)
 * as web_page_show does. For views of a page other than the page itself (web_chart.c). */
const panel_page_t *web_page_visible(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                                     const char *page_id, web_response_t *res);

/* POST: the form posted to the page (its CSRF token already checked): "_op" is "field" (with "_field",
 * "value") or "action" (with "_action" and "p.NAME" parameters); "_confirm" = "1" confirms a dangerous one.
 * A post the plugin handled is answered 303 to the page, its outcome (message, created record, one-time secret, or
 * the refusal and the field or action it belongs to) kept for that GET (web_flash.h), so a reload repeats nothing;
 * an unconfirmed dangerous action gets the confirmation step (nothing changed yet); a post the panel refuses
 * itself (no permission, no such field or action) gets its error page. */
void web_page_submit(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const web_request_t *req,
                     const char *page_id, const web_form_t *form, web_response_t *res);

/* The overview at /admin: a list of the pages the caller may open. */
void web_page_overview(panelhost_t *host, const panel_caller_t *caller, const char *csrf, web_response_t *res);

/* A complete error page (403, 404 ...) inside the frame, with `message`. caller may be NULL. */
void web_page_error(panelhost_t *host, const panel_caller_t *caller, const char *csrf, int status,
                    const char *title, const char *message, web_response_t *res);

#endif /* SAMPLE_HOST_WEB_PAGE_H */
