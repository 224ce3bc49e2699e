/* web_params.h - the web panel's input for one action parameter, shared by the page's action forms (web_page.c)
 * and the forms of row actions (web_row_actions.c). */
#ifndef SAMPLE_HOST_WEB_PARAMS_H
#define SAMPLE_HOST_WEB_PARAMS_H

#include "panel/host.h"
#include "web_html.h"

/* A paragraph of help text (nothing for NULL or ""). */
void web_render_help(web_buf_t *b, const char *help);

/* Parameter p of action a as a labelled input named "p.ID" (a list with choices: checkboxes "pc.ID" and a hidden
 * "p.ID"); current: the value to preselect, or NULL for the default. id_suffix ("" on the page, the record id in
 * a row's form) keeps the element ids unique when the same action is rendered once per row. */
void web_render_param(web_buf_t *b, const panel_action_t *a, const panel_param_t *p, const char *current,
                      const char *id_suffix);

#endif /* SAMPLE_HOST_WEB_PARAMS_H */
