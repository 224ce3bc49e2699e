/* web_layout.h - the frame of every admin-panel page: document head (built-in style sheet and script only),
 * the header with the store name, the signed-in user and a logout form, and the menu filtered by the
 * user's role. */
#ifndef SAMPLE_HOST_WEB_LAYOUT_H
#define SAMPLE_HOST_WEB_LAYOUT_H

#include "panel/host.h"
#include "web_html.h"

/* Starts a page titled `title`. With a caller, the header names the user and carries a logout form with
 * `csrf`, and the menu shows the entries the caller may see, marking the one for current_page_id. */
void web_layout_begin(web_buf_t *b, const panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                      const char *title, const char *current_page_id);
/* Ends the page. */
void web_layout_end(web_buf_t *b);

/* A hidden CSRF input for a form. */
void web_layout_csrf_input(web_buf_t *b, const char *csrf);

#endif /* SAMPLE_HOST_WEB_LAYOUT_H */
