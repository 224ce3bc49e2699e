/* web_row_actions.h - the web panel's rendering of ABI 1.1 actions: a table whose rows are records, with a
 * button per row for each row action of that table, and the availability of an action (a disabled button
 * with the plugin's reason beside it). web_page.c renders the rest of a page. */
#ifndef SAMPLE_HOST_WEB_ROW_ACTIONS_H
#define SAMPLE_HOST_WEB_ROW_ACTIONS_H

#include "panel/host.h"
#include "web_html.h"

/* Whether action a is available for the page (record NULL) or a record; 0 with the reason in reason[] when
 * the plugin says it is not, else 1 (also when the plugin could not tell: running gives the real answer), with
 * the plugin's note in reason[] when it gave one (ABI 1.3; "" otherwise). */
int web_action_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                         const panel_action_t *a, const char *record, char *reason, size_t reason_len);

/* Writes a submit button for action a: disabled, with reason in a <span class="unavailable"> beside it, when
 * `available` is 0; else a non-empty reason is the plugin's note, in a <span class="action-note"> beside it. `id_suffix` makes the reason's id unique ("" for a page action, the record for a row). */
void web_action_button(web_buf_t *b, const panel_action_t *a, int available, const char *reason,
                       const char *id_suffix);

/* Renders table t of the page, as a table that scrolls in its own box; when its rows are records and the page
 * has row actions for it, each record is a <tbody> with its cells and, below them at full width, a form per row
 * action (hidden _action and _record); below 720 px each record shows as a card. */
void web_render_table(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                      const char *csrf, const panel_table_t *t, unsigned rows_max);

/* The record `record` of row action a's table as a list of its columns and cells (<dl id="confirm-record">), so a
 * confirmation shows which entry it acts on (a key's label and hint); nothing when the row cannot be found. */
void web_render_record(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                       const panel_action_t *a, const char *record, unsigned rows_max);

#endif /* SAMPLE_HOST_WEB_ROW_ACTIONS_H */
