/* web_row_actions.c - tables with a button per row for each row action (its parameters folded behind the
 * action's name), and disabled buttons with the plugin's reason (see web_row_actions.h). A record's actions sit
 * in a row of their own below it, at the table's full width, so they never hide off-screen and a form opens wide;
 * below 720 px each record becomes a card (each cell under its column's name). A parameter that says which column
 * it edits (ABI 1.3 edits_column) starts with that cell's value, so a form sends the record's whole desired state.
 * Rows are collected first and rendered after the plugin's call has returned, because availability is asked per
 * record and the library forbids calls back into it from inside a row callback. */
#include "web_row_actions.h"

#include <string.h>

#include "rows.h"
#include "web_chart.h"
#include "web_layout.h"
#include "web_params.h"

int web_action_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                         const panel_action_t *a, const char *record, char *reason, size_t reason_len)
{
    reason[0] = '\0';
    int32_t rc = panelhost_action_available(host, caller, page_id, a->id, record, reason, reason_len);
    if (rc == PANEL_E_STATE)
        return 0;
    if (rc != PANEL_OK)
        reason[0] = '\0'; /* the plugin could not tell: offer it, without the error as a note */
    return 1;
}

void web_action_button(web_buf_t *b, const panel_action_t *a, int available, const char *reason,
                       const char *id_suffix)
{
    int dangerous = (a->flags & PANEL_FLAG_DANGEROUS) != 0;
    web_raw(b, "<button type=\"submit\"");
    if (dangerous)
        web_raw(b, " class=\"danger\"");
    const char *kind = available ? "note" : "unavailable";
    int described = !available || reason[0] != '\0';
    if (!available)
        web_raw(b, " disabled");
    if (described) {
        web_raw(b, " aria-describedby=\"");
        web_raw(b, kind);
        web_raw(b, "-");
        web_html_text(b, a->id);
        web_html_text(b, id_suffix[0] ? "-" : "");
        web_html_text(b, id_suffix);
        web_raw(b, "\"");
    }
    web_raw(b, ">");
    web_html_text(b, a->label);
    web_raw(b, "</button>");
    if (described) {
        web_raw(b, available ? " <span class=\"action-note\" id=\"" : " <span class=\"unavailable\" id=\"");
        web_raw(b, kind);
        web_raw(b, "-");
        web_html_text(b, a->id);
        web_html_text(b, id_suffix[0] ? "-" : "");
        web_html_text(b, id_suffix);
        web_raw(b, "\">");
        web_html_text(b, reason);
        web_raw(b, "</span>");
    }
}

/* The page's row actions of table t, into out[0..max); returns how many. */
static size_t row_actions_of(panelhost_t *host, const char *page_id, const panel_table_t *t,
                             const panel_action_t **out, size_t max)
{
    size_t n = 0;
    if (t->row_id_column == 0 || t->row_id_column > t->n_columns)
        return 0;
    const panel_action_t *a;
    for (size_t i = 0; n < max && (a = panelhost_action_at(host, page_id, i)) != NULL; i++)
        if (a->row_table != NULL && strcmp(a->row_table, t->id) == 0)
            out[n++] = a;
    return n;
}

/* The value a row's form starts with for parameter p: the cell of the column it edits, else NULL (its default). */
static const char *current_value(const panel_table_t *t, const panel_param_t *p, const row_t *row)
{
    if (!PANEL_HAS_FIELD(panel_param_t, p, edits_column) || p->edits_column == 0 || p->edits_column > t->n_columns)
        return NULL;
    return rows_cell(row, p->edits_column - 1);
}

static void render_row_form(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *csrf, const panel_table_t *t, const panel_action_t *a, const char *record,
                            const row_t *row)
{
    char reason[256];
    int available = web_action_available(host, caller, page_id, a, record, reason, sizeof reason);
    web_raw(b, "<form method=\"post\" class=\"row-action\" data-action=\"");
    web_html_text(b, a->id);
    web_raw(b, "\" data-record=\"");
    web_html_text(b, record);
    web_raw(b, "\" action=\"/admin/");
    web_html_text(b, page_id);
    web_raw(b, "\">");
    web_layout_csrf_input(b, csrf);
    web_raw(b, "<input type=\"hidden\" name=\"_op\" value=\"action\"><input type=\"hidden\" name=\"_action\" "
               "value=\"");
    web_html_text(b, a->id);
    web_raw(b, "\"><input type=\"hidden\" name=\"_record\" value=\"");
    web_html_text(b, record);
    web_raw(b, "\">");
    if (a->n_params > 0 && available) {
        /* The parameters fold away behind the action's name, so a row stays one line until the owner opens it;
         * a dangerous action still gets its confirmation step after the submit. */
        web_raw(b, "<details class=\"row-params\"><summary>");
        web_html_text(b, a->label);
        web_raw(b, "</summary>");
        for (uint32_t i = 0; i < a->n_params; i++)
            if (a->params[i] != NULL)
                web_render_param(b, a, a->params[i], current_value(t, a->params[i], row), record);
        web_action_button(b, a, available, reason, record);
        web_raw(b, "</details>");
    } else {
        web_action_button(b, a, available, reason, record);
    }
    web_raw(b, "</form>");
}

/* A cell's text, with a line-break opportunity after each comma, so a list ("a,b,c") wraps between its items. */
static void text_breaking_after_commas(web_buf_t *b, const char *text)
{
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, ",");
        web_html_text_n(b, p, n);
        p += n;
        if (*p == ',') {
            web_raw(b, ",<wbr>");
            p++;
        }
    }
}

void web_render_table(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                      const char *csrf, const panel_table_t *t, unsigned rows_max)
{
    uint32_t limit = t->page_rows > 0 && t->page_rows < rows_max ? t->page_rows : rows_max;
    const panel_action_t *actions[16];
    size_t n_actions = row_actions_of(host, page_id, t, actions, sizeof actions / sizeof actions[0]);
    row_list_t rows;
    rows_init(&rows);
    char err[512] = "";
    int32_t rc = panelhost_table_read(host, caller, page_id, t->id, 0, limit, rows_collect, &rows, err, sizeof err);

    web_raw(b, "<section class=\"table\" id=\"table-");
    web_html_text(b, t->id);
    web_raw(b, "\"><h2>");
    web_html_text(b, t->title);
    web_raw(b, "</h2><div class=\"table-scroll\"><table class=\"records\"><thead><tr>");
    for (uint32_t i = 0; i < t->n_columns; i++) {
        web_raw(b, "<th scope=\"col\">");
        web_html_text(b, t->columns[i]);
        web_raw(b, "</th>");
    }
    web_raw(b, "</tr></thead>");
    for (size_t r = 0; r < rows.n_rows; r++) {
        const row_t *row = &rows.rows[r];
        const char *record = n_actions > 0 ? rows_cell(row, t->row_id_column - 1) : NULL;
        web_raw(b, "<tbody class=\"record\"");
        if (record != NULL) {
            web_raw(b, " data-record=\"");
            web_html_text(b, record);
            web_raw(b, "\"");
        }
        web_raw(b, "><tr class=\"record-cells\">");
        for (uint32_t c = 0; c < t->n_columns; c++) {
            web_raw(b, "<td data-label=\"");
            web_html_text(b, t->columns[c]);
            web_raw(b, "\">");
            text_breaking_after_commas(b, rows_cell(row, c));
            web_raw(b, "</td>");
        }
        web_raw(b, "</tr>");
        if (n_actions > 0) {
            web_rawf(b, "<tr class=\"record-actions\"><td colspan=\"%u\" class=\"row-actions\"><div class=\"row-actions-list\">",
                     (unsigned)t->n_columns);
            web_chart_record_link(b, host, page_id, t, record); /* the record's own chart, if any */
            for (size_t i = 0; i < n_actions; i++)
                render_row_form(b, host, caller, page_id, csrf, t, actions[i], record, row);
            web_raw(b, "</div></td></tr>");
        }
        web_raw(b, "</tbody>");
    }
    if (rc == PANEL_OK && rows.n_rows == 0)
        web_rawf(b, "<tbody><tr><td colspan=\"%u\">No entries yet.</td></tr></tbody>", (unsigned)t->n_columns);
    web_raw(b, "</table></div>");
    if (rc != PANEL_OK) {
        web_raw(b, "<p class=\"error\">The table could not be read: ");
        web_html_text(b, err);
        web_raw(b, "</p>");
    }
    web_raw(b, "</section>");
    rows_free(&rows);
}

void web_render_record(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                       const panel_action_t *a, const char *record, unsigned rows_max)
{
    const panel_table_t *t = NULL;
    for (size_t i = 0; a->row_table != NULL && (t = panelhost_table_at(host, page_id, i)) != NULL; i++)
        if (strcmp(t->id, a->row_table) == 0)
            break;
    if (t == NULL || record == NULL || t->row_id_column == 0 || t->row_id_column > t->n_columns)
        return;
    uint32_t limit = t->page_rows > 0 && t->page_rows < rows_max ? t->page_rows : rows_max;
    row_list_t rows;
    rows_init(&rows);
    char err[512] = "";
    if (panelhost_table_read(host, caller, page_id, t->id, 0, limit, rows_collect, &rows, err, sizeof err) == PANEL_OK)
        for (size_t r = 0; r < rows.n_rows; r++) {
            const row_t *row = &rows.rows[r];
            if (strcmp(rows_cell(row, t->row_id_column - 1), record) != 0)
                continue;
            web_raw(b, "<dl class=\"status\" id=\"confirm-record\">");
            for (uint32_t c = 0; c < t->n_columns; c++) {
                web_raw(b, "<dt>");
                web_html_text(b, t->columns[c]);
                web_raw(b, "</dt><dd>");
                text_breaking_after_commas(b, rows_cell(row, c));
                web_raw(b, "</dd>");
            }
            web_raw(b, "</dl>");
            break;
        }
    rows_free(&rows);
}
