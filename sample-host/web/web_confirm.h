/* web_confirm.h - the confirmation step of a dangerous action posted without "_confirm": the plugin's text, the
 * record it acts on (its row) and the chosen parameters (a choice by its label), and a button that posts the same
 * parameters again, confirmed. The unconfirmed post is answered 303 to the page like every other (web_flash.h
 * carries the step to the GET, which shows it once); a reload of that page shows the page, not the step. */
#ifndef SAMPLE_HOST_WEB_CONFIRM_H
#define SAMPLE_HOST_WEB_CONFIRM_H

#include <stddef.h>

#include "panel/host.h"
#include "web_flash.h"
#include "web_http.h"

/* Renders the step (status 200) for action a of page, on `record` (nullable) with parameters names/values[0..n). */
void web_confirm_render(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const panel_page_t *page,
                        const panel_action_t *a, const char *record, const char *const *names,
                        const char *const *values, size_t n, const char *text, web_response_t *res);

/* Keeps the step for the session's next GET and answers 303 to the page. Returns -1 when it could not (no
 * session, parameters too long to keep, the database unusable): the caller renders the step at once. */
int web_confirm_redirect(panelhost_t *host, const web_request_t *req, const panel_page_t *page,
                         const panel_action_t *a, const char *record, const char *const *names,
                         const char *const *values, size_t n, const char *text, web_response_t *res);

/* Renders the step a flash carries (flash->confirm_action non-empty). Returns 0, or -1 when its action is gone
 * or its parameters cannot be read (the caller shows the page). */
int web_confirm_show(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const panel_page_t *page,
                     const web_flash_t *flash, web_response_t *res);

#endif /* SAMPLE_HOST_WEB_CONFIRM_H */
