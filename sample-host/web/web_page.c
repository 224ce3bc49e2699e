/* web_page.c - generic admin pages rendered from the registry, and their forms (see web_page.h). Secret
 * inputs are never refilled; a revealed secret is written into the response once and wiped everywhere else. */
#include "web_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web_chart.h"
#include "web_confirm.h"
#include "web_extensions.h"
#include "web_flash.h"
#include "web_layout.h"
#include "web_params.h"
#include "web_row_actions.h"
#include "web_secret.h"

#define TABLE_ROWS_MAX 50u
#define MENU_MAX 256

/* What the last form did, shown on the page. */
typedef struct page_outcome {
    const char *message;        /* a notice at the top, or NULL */
    int failed;                 /* 1: the notice reports a failure */
    const char *field_id;       /* the field an error belongs to, or NULL */
    const char *action_id;      /* the action an error belongs to, or NULL */
    const char *error;          /* the error shown next to that field or action */
    const char *secret;         /* a one-time secret to show, or NULL */
    const char *secret_source;  /* the label of the action that revealed it */
    const char *record;         /* the record the action created (ABI 1.1), or NULL */
    const char *host_header;    /* the request's Host (nullable), for the secret box's command */
} page_outcome_t;

void web_page_error(panelhost_t *host, const panel_caller_t *caller, const char *csrf, int status,
                    const char *title, const char *message, web_response_t *res)
{
    web_buf_free(&res->body);
    res->status = status;
    web_layout_begin(&res->body, host, caller, csrf, title, NULL);
    web_raw(&res->body, "<h1>");
    web_html_text(&res->body, title);
    web_raw(&res->body, "</h1><p class=\"error\" id=\"error-message\">");
    web_html_text(&res->body, message);
    web_raw(&res->body, "</p><p><a href=\"/admin\">Back to the overview</a></p>");
    web_layout_end(&res->body);
}

/* Row sink writing status lines as <dt>/<dd> pairs, or table rows as <tr>. */
typedef struct row_writer {
    web_buf_t *b;
    int as_status;
    uint32_t rows;
    uint32_t summary; /* status: lines before the "Details" fold (ABI 1.3 status_summary_lines); 0: no fold */
} row_writer_t;

static int32_t write_row(void *ctx, const char *const *cells, uint32_t n_cells)
{
    row_writer_t *w = ctx;
    w->rows++;
    if (w->as_status && w->summary > 0 && w->rows == w->summary + 1)
        web_raw(w->b, "</dl><details class=\"status-details\"><summary>Details</summary><dl class=\"status\">");
    if (w->as_status) {
        web_raw(w->b, "<dt>");
        web_html_text(w->b, n_cells > 0 ? cells[0] : "");
        web_raw(w->b, "</dt><dd>");
        for (uint32_t i = 1; i < n_cells; i++) {
            if (i > 1)
                web_raw(w->b, " ");
            web_html_text(w->b, cells[i]);
        }
        web_raw(w->b, "</dd>");
        return PANEL_OK;
    }
    web_raw(w->b, "<tr>");
    for (uint32_t i = 0; i < n_cells; i++) {
        web_raw(w->b, "<td>");
        web_html_text(w->b, cells[i]);
        web_raw(w->b, "</td>");
    }
    web_raw(w->b, "</tr>");
    return PANEL_OK;
}

/* The status lines as a <dl>; those after the page's summary lines inside a <details> "Details" fold. */
static void render_status(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const panel_page_t *page)
{
    const char *page_id = page->id;
    web_buf_t rows;
    web_buf_init(&rows);
    row_writer_t w = {&rows, 1, 0, PANEL_HAS_FIELD(panel_page_t, page, status_summary_lines)
                                       ? page->status_summary_lines : 0};
    char err[512] = "";
    int32_t rc = panelhost_page_status(host, caller, page_id, write_row, &w, err, sizeof err);
    if (rc == PANEL_OK && w.rows == 0) {
        web_buf_free(&rows);
        return;
    }
    web_raw(b, "<section id=\"status\"><h2>Status</h2>");
    if (rc != PANEL_OK) {
        web_raw(b, "<p class=\"error\">The status could not be read: ");
        web_html_text(b, err);
        web_raw(b, "</p>");
    }
    if (w.rows > 0) {
        web_raw(b, "<dl class=\"status\">");
        web_raw(b, rows.data);
        web_raw(b, w.summary > 0 && w.rows > w.summary ? "</dl></details>" : "</dl>");
    }
    web_raw(b, "</section>");
    web_buf_free(&rows);
}

/* The hidden inputs every page form starts with: what it does (op) and the session's CSRF token. */
static void begin_form(web_buf_t *b, const char *csrf, const char *op)
{
    web_raw(b, "<input type=\"hidden\" name=\"_op\" value=\"");
    web_raw(b, op);
    web_raw(b, "\">");
    web_layout_csrf_input(b, csrf);
}

static void render_error(web_buf_t *b, const char *error)
{
    web_raw(b, "<p class=\"error\" role=\"alert\">");
    web_html_text(b, error);
    web_raw(b, "</p>");
}

static void render_confirm_box(web_buf_t *b, const char *id, const char *confirm)
{
    web_raw(b, "<p class=\"confirm-text\">");
    web_html_text(b, confirm);
    web_raw(b, "</p><label class=\"inline\"><input type=\"checkbox\" name=\"_confirm\" value=\"1\" id=\"confirm-");
    web_html_text(b, id);
    web_raw(b, "\"> I understand and want to go ahead</label> ");
}

/* Whether field f can be set now (ABI 1.3 field availability): 0 with the plugin's reason in reason[] when it
 * says not, else 1 with its note (or "") in reason[]; when it cannot tell, 1 without a note. */
static int field_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                           const panel_field_t *f, char *reason, size_t reason_len)
{
    int32_t rc = panelhost_field_available(host, caller, page_id, f->id, reason, reason_len);
    if (rc == PANEL_E_STATE)
        return 0;
    if (rc != PANEL_OK)
        reason[0] = '\0';
    return 1;
}

/* The plugin's reason a field cannot be set now (class "unavailable") or its note (class "field-note"). */
static void render_field_reason(web_buf_t *b, const panel_field_t *f, int available, const char *reason)
{
    if (reason[0] == '\0')
        return;
    web_raw(b, available ? "<p class=\"field-note\" id=\"note-field-"
                         : "<p class=\"unavailable\" id=\"unavailable-field-");
    web_html_text(b, f->id);
    web_raw(b, "\">");
    web_html_text(b, reason);
    web_raw(b, "</p>");
}

static void render_field(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                         const char *csrf, const panel_field_t *f, const page_outcome_t *outcome)
{
    char value[PANEL_VALUE_MAX + 1] = "";
    char err[512] = "";
    int32_t rc = panelhost_field_get(host, caller, page_id, f->id, value, sizeof value, err, sizeof err);
    int dangerous = (f->flags & PANEL_FLAG_DANGEROUS) != 0;
    const char *error = outcome->field_id != NULL && strcmp(outcome->field_id, f->id) == 0 ? outcome->error
                                                                                            : NULL;
    web_raw(b, "<div class=\"field\" data-field=\"");
    web_html_text(b, f->id);
    web_raw(b, "\" id=\"field-");
    web_html_text(b, f->id);
    web_raw(b, "\">");
    if (f->type == PANEL_FIELD_READONLY) {
        web_raw(b, "<label>");
        web_html_text(b, f->label);
        web_raw(b, "</label><output class=\"value\">");
        web_html_text(b, rc == PANEL_OK ? value : "(unavailable)");
        web_raw(b, "</output>");
        if (rc != PANEL_OK)
            render_error(b, err);
        web_render_help(b, f->help);
        web_raw(b, "</div>");
        return;
    }
    char reason[256] = "";
    int available = field_available(host, caller, page_id, f, reason, sizeof reason);
    const char *off = available ? "" : " disabled";
    web_raw(b, "<form method=\"post\" action=\"/admin/");
    web_html_text(b, page_id);
    web_raw(b, "#field-");
    web_html_text(b, f->id);
    web_raw(b, "\">");
    begin_form(b, csrf, "field");
    web_raw(b, "<input type=\"hidden\" name=\"_field\" value=\"");
    web_html_text(b, f->id);
    web_raw(b, "\"><label for=\"input-");
    web_html_text(b, f->id);
    web_raw(b, "\">");
    web_html_text(b, f->label);
    web_raw(b, "</label>");
    if (f->type == PANEL_FIELD_SECRET) {
        web_raw(b, "<p>Current: <output class=\"value hint\">");
        web_html_text(b, rc == PANEL_OK ? (value[0] != '\0' ? value : "(none)") : "(unavailable)");
        web_raw(b, "</output></p><input type=\"password\" name=\"value\" autocomplete=\"off\" value=\"\" id=\"input-");
        web_html_text(b, f->id);
        web_raw(b, "\" placeholder=\"Paste a new value\"");
        web_raw(b, off);
        web_raw(b, ">");
    } else if (f->type == PANEL_FIELD_TOGGLE) {
        int on = rc == PANEL_OK && strcmp(value, "1") == 0;
        web_raw(b, "<select name=\"value\" id=\"input-");
        web_html_text(b, f->id);
        web_rawf(b, "\"%s><option value=\"1\"%s>On</option><option value=\"0\"%s>Off</option></select>", off,
                 on ? " selected" : "", on ? "" : " selected");
    } else {
        web_raw(b, "<input type=\"text\" name=\"value\" id=\"input-");
        web_html_text(b, f->id);
        web_raw(b, "\" value=\"");
        web_html_text(b, rc == PANEL_OK ? value : "");
        web_raw(b, "\"");
        web_raw(b, off);
        web_raw(b, ">");
    }
    render_field_reason(b, f, available, reason);
    if (rc != PANEL_OK)
        render_error(b, err);
    web_render_help(b, f->help);
    if (error != NULL)
        render_error(b, error);
    if (dangerous)
        render_confirm_box(b, f->id, f->confirm);
    web_raw(b, "<button type=\"submit\"");
    if (dangerous)
        web_raw(b, " class=\"danger\"");
    if (!available) {
        web_raw(b, " disabled aria-describedby=\"unavailable-field-");
        web_html_text(b, f->id);
        web_raw(b, "\"");
    }
    web_raw(b, ">Save</button></form></div>");
    sodium_memzero(value, sizeof value);
}

static void render_action(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                          const char *csrf, const panel_action_t *a, const page_outcome_t *outcome)
{
    int dangerous = (a->flags & PANEL_FLAG_DANGEROUS) != 0;
    char reason[256];
    int available = web_action_available(host, caller, page_id, a, NULL, reason, sizeof reason);
    web_raw(b, "<form method=\"post\" class=\"action\" data-action=\"");
    web_html_text(b, a->id);
    web_raw(b, "\" id=\"action-");
    web_html_text(b, a->id);
    web_raw(b, "\" action=\"/admin/");
    web_html_text(b, page_id);
    web_raw(b, "\">");
    begin_form(b, csrf, "action");
    web_raw(b, "<input type=\"hidden\" name=\"_action\" value=\"");
    web_html_text(b, a->id);
    web_raw(b, "\"><h3>");
    web_html_text(b, a->label);
    web_raw(b, "</h3>");
    web_render_help(b, a->help);
    for (uint32_t i = 0; i < a->n_params; i++)
        if (a->params[i] != NULL)
            web_render_param(b, a, a->params[i], NULL, "");
    if (outcome->action_id != NULL && strcmp(outcome->action_id, a->id) == 0 && outcome->error != NULL)
        render_error(b, outcome->error);
    if (dangerous)
        render_confirm_box(b, a->id, a->confirm);
    web_action_button(b, a, available, reason, "");
    web_raw(b, "</form>");
}

/* Renders the whole page with the outcome of the last form. The page exists and the caller may see it. */
static void render_page(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                        const panel_page_t *page, const page_outcome_t *outcome, web_response_t *res)
{
    web_buf_t *b = &res->body;
    web_layout_begin(b, host, caller, csrf, page->title, page->id);
    web_raw(b, "<h1>");
    web_html_text(b, page->title);
    web_raw(b, "</h1>");
    web_render_help(b, page->description);
    if (outcome->message != NULL) {
        web_raw(b, outcome->failed ? "<p class=\"notice failed\" role=\"alert\" id=\"notice\">"
                                   : "<p class=\"notice ok\" role=\"status\" id=\"notice\">");
        web_html_text(b, outcome->message);
        if (outcome->record != NULL && outcome->record[0] != '\0') {
            /* a message that names the record ("Key 1 created") needs no second mention */
            int named = strstr(outcome->message, outcome->record) != NULL;
            web_raw(b, named ? " <span id=\"created-record\" hidden>" : " <span id=\"created-record\">Created: ");
            web_html_text(b, outcome->record);
            web_raw(b, "</span>");
        }
        web_raw(b, "</p>");
    }
    if (outcome->secret != NULL && outcome->secret[0] != '\0')
        web_render_secret(b, host, outcome->secret_source, outcome->secret, outcome->host_header);
    render_status(b, host, caller, page);

    const panel_field_t *f = panelhost_field_at(host, page->id, 0);
    if (f != NULL) {
        web_raw(b, "<section id=\"fields\"><h2>Settings</h2>");
        for (size_t i = 0; (f = panelhost_field_at(host, page->id, i)) != NULL; i++)
            render_field(b, host, caller, page->id, csrf, f, outcome);
        web_raw(b, "</section>");
    }
    const panel_action_t *a = panelhost_action_at(host, page->id, 0);
    if (a != NULL) {
        web_raw(b, "<section id=\"actions\"><h2>Actions</h2>");
        for (size_t i = 0; (a = panelhost_action_at(host, page->id, i)) != NULL; i++)
            if (a->row_table == NULL) /* row actions are buttons on their table's rows */
                render_action(b, host, caller, page->id, csrf, a, outcome);
        web_raw(b, "</section>");
    }
    const panel_table_t *t;
    for (size_t i = 0; (t = panelhost_table_at(host, page->id, i)) != NULL; i++) {
        web_chart_section(b, host, caller, page->id, t); /* a time series (ABI 1.3): its chart first */
        web_render_table(b, host, caller, page->id, csrf, t, TABLE_ROWS_MAX);
    }
    web_layout_end(b);
}

/* The page, or NULL after answering 404/403. */
static const panel_page_t *visible_page(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                                        const char *page_id, web_response_t *res)
{
    const panel_page_t *page = panelhost_page(host, page_id);
    if (page == NULL) {
        web_page_error(host, caller, csrf, 404, "Page not found", "There is no admin page at this address.", res);
        return NULL;
    }
    if (!panelhost_role_allows(host, caller->role, page->permission)) {
        char detail[128], err[512] = "";
        snprintf(detail, sizeof detail, "needs permission %.64s", page->permission);
        if (panelhost_audit_append(host, caller, "page.open", page_id, "denied", detail, err, sizeof err) !=
            PANEL_OK)
            fprintf(stderr, "sample-host: warning: %s\n", err); /* the refusal stands either way */
        web_page_error(host, caller, csrf, 403, "Not allowed",
                       "Your role does not allow this page. Ask an administrator for the permission.", res);
        return NULL;
    }
    return page;
}

const panel_page_t *web_page_visible(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                                     const char *page_id, web_response_t *res)
{
    return visible_page(host, caller, csrf, page_id, res);
}

void web_page_show(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const web_request_t *req,
                   const char *page_id, web_response_t *res)
{
    const panel_page_t *page = visible_page(host, caller, csrf, page_id, res);
    if (page == NULL)
        return;
    page_outcome_t outcome;
    memset(&outcome, 0, sizeof outcome);
    outcome.host_header = req->host_header;
    web_flash_t flash; /* the result of the post that sent the browser here, taken once */
    if (req->session_cookie != NULL && strcmp(req->method, "GET") == 0 && /* a HEAD leaves it for the GET */
        web_flash_take(host, req->session_cookie, page->id, &flash) == 1) {
        outcome.message = flash.message[0] != '\0' ? flash.message : "Done.";
        outcome.failed = flash.failed;
        outcome.error = flash.error[0] != '\0' ? flash.error : NULL;
        outcome.field_id = flash.field_id[0] != '\0' ? flash.field_id : NULL;
        outcome.action_id = flash.action_id[0] != '\0' ? flash.action_id : NULL;
        outcome.secret = flash.secret;
        outcome.secret_source = flash.source;
        outcome.record = flash.record;
        if (flash.confirm_action[0] != '\0' && web_confirm_show(host, caller, csrf, page, &flash, res) == 0) {
            sodium_memzero(&flash, sizeof flash);
            return;
        }
    }
    res->status = 200;
    render_page(host, caller, csrf, page, &outcome, res);
    sodium_memzero(&flash, sizeof flash);
}

/* A form post was handled (a change made, or refused with nothing changed): keeps its outcome for the next GET of
 * this session and answers 303 to the page (at the field or page action an error belongs to), so a reload repeats
 * nothing and the secret never travels in a URL or cookie. Returns -1 when it could not (no session, the database
 * unusable); the caller then shows the outcome at once. */
static int redirect_with_outcome(panelhost_t *host, const web_request_t *req, const panel_page_t *page,
                                 const page_outcome_t *o, web_response_t *res)
{
    if (req->session_cookie == NULL)
        return -1;
    web_flash_t flash;
    memset(&flash, 0, sizeof flash);
    snprintf(flash.page_id, sizeof flash.page_id, "%s", page->id);
    snprintf(flash.message, sizeof flash.message, "%s", o->message != NULL ? o->message : "");
    snprintf(flash.source, sizeof flash.source, "%s", o->secret_source != NULL ? o->secret_source : "");
    snprintf(flash.record, sizeof flash.record, "%s", o->record != NULL ? o->record : "");
    snprintf(flash.secret, sizeof flash.secret, "%s", o->secret != NULL ? o->secret : "");
    flash.failed = o->failed;
    snprintf(flash.error, sizeof flash.error, "%s", o->error != NULL ? o->error : "");
    snprintf(flash.field_id, sizeof flash.field_id, "%s", o->field_id != NULL ? o->field_id : "");
    snprintf(flash.action_id, sizeof flash.action_id, "%s", o->action_id != NULL ? o->action_id : "");
    if (web_flash_put(host, req->session_cookie, &flash) != 0)
        return -1;
    res->status = 303;
    snprintf(res->location, sizeof res->location, "/admin/%s%s%s", page->id,
             o->field_id != NULL ? "#field-" : o->action_id != NULL ? "#action-" : "",
             o->field_id != NULL ? o->field_id : o->action_id != NULL ? o->action_id : "");
    web_raw(&res->body, "<!doctype html><title>Result</title><p>The result is on <a href=\"");
    web_html_text(&res->body, res->location);
    web_raw(&res->body, "\">the page</a>.</p>\n");
    return 0;
}

static const panel_field_t *find_field(panelhost_t *host, const char *page_id, const char *id)
{
    const panel_field_t *f;
    for (size_t i = 0; id != NULL && (f = panelhost_field_at(host, page_id, i)) != NULL; i++)
        if (strcmp(f->id, id) == 0)
            return f;
    return NULL;
}

static const panel_action_t *find_action(panelhost_t *host, const char *page_id, const char *id)
{
    const panel_action_t *a;
    for (size_t i = 0; id != NULL && (a = panelhost_action_at(host, page_id, i)) != NULL; i++)
        if (strcmp(a->id, id) == 0)
            return a;
    return NULL;
}

/* HTTP status for a failed dispatch. */
static int failure_status(int32_t rc)
{
    switch (rc) {
    case PANEL_E_INVALID: return 422;
    case PANEL_E_CONFIRM: return 422;
    case PANEL_E_DENIED: return 403;
    case PANEL_E_NOT_FOUND: return 404;
    case PANEL_E_STATE: case PANEL_E_CONFLICT: return 409;
    case PANEL_E_UNAVAILABLE: case PANEL_E_STORE: return 503;
    default: return 500;
    }
}

static void submit_field(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                         const web_request_t *req, const panel_page_t *page, const web_form_t *form,
                         web_response_t *res)
{
    const panel_field_t *f = find_field(host, page->id, web_form_get(form, "_field", NULL));
    page_outcome_t outcome;
    memset(&outcome, 0, sizeof outcome);
    if (f == NULL) {
        web_page_error(host, caller, csrf, 404, "No such field", "The form names a field this page does not have.",
                       res);
        return;
    }
    size_t value_len = 0;
    const char *value = web_form_get(form, "value", &value_len);
    char msg[1024] = "";
    int32_t rc;
    if (value == NULL) {
        rc = PANEL_E_INVALID;
        snprintf(msg, sizeof msg, "No value was sent; fill in the field and save again.");
    } else {
        rc = panelhost_field_set(host, caller, page->id, f->id, value, value_len, msg, sizeof msg);
    }
    if (rc == PANEL_E_DENIED) {
        web_page_error(host, caller, csrf, 403, "Not allowed", "Your role does not allow this change.", res);
        return;
    }
    char error[1200];
    outcome.host_header = req->host_header;
    if (rc == PANEL_OK) {
        outcome.message = msg[0] != '\0' ? msg : "Saved.";
        res->status = 200;
    } else {
        if (rc == PANEL_E_CONFIRM)
            snprintf(error, sizeof error, "Not saved: tick the confirmation box to go ahead. %s", msg);
        else
            snprintf(error, sizeof error, "Not saved: %s", msg[0] != '\0' ? msg : "the value was refused.");
        outcome.field_id = f->id;
        outcome.error = error;
        outcome.message = "Nothing was changed; see the message next to the field.";
        outcome.failed = 1;
        res->status = failure_status(rc);
    }
    if (redirect_with_outcome(host, req, page, &outcome, res) == 0)
        return;
    render_page(host, caller, csrf, page, &outcome, res);
}

/* Every value of form field `name`, joined with ',' into out (cut at out_len). */
static void list_join(const web_form_t *form, const char *name, char *out, size_t out_len)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < form->n; i++) {
        if (strcmp(form->names[i], name) != 0)
            continue;
        int wrote = snprintf(out + o, out_len - o, "%s%s", o > 0 ? "," : "", form->values[i]);
        if (wrote < 0 || (size_t)wrote >= out_len - o)
            break;
        o += (size_t)wrote;
    }
}

typedef char list_value_t[PANEL_VALUE_MAX + 1];

static void submit_action_lists(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                                const web_request_t *req, const panel_page_t *page, const web_form_t *form,
                                list_value_t *lists, web_response_t *res)
{
    const panel_action_t *a = find_action(host, page->id, web_form_get(form, "_action", NULL));
    if (a == NULL) {
        web_page_error(host, caller, csrf, 404, "No such action",
                       "The form names an action this page does not have.", res);
        return;
    }
    const char *names[16];
    const char *values[16];
    size_t n = 0, n_lists = 0;
    for (uint32_t i = 0; i < a->n_params && n < 16; i++) {
        char key[PANEL_ID_MAX + 4];
        if (a->params[i] == NULL)
            continue;
        snprintf(key, sizeof key, "p.%s", a->params[i]->id);
        const char *v = web_form_get(form, key, NULL);
        if (v != NULL && a->params[i]->type == PANEL_PARAM_LIST && a->params[i]->choices != NULL && n_lists < 16) {
            /* the checked boxes (pc.ID), joined; an empty list when none is checked */
            snprintf(key, sizeof key, "pc.%s", a->params[i]->id);
            list_join(form, key, lists[n_lists], sizeof lists[n_lists]);
            v = lists[n_lists++];
        }
        if (v != NULL) {
            names[n] = a->params[i]->id;
            values[n] = v;
            n++;
        }
    }
    const char *record = web_form_get(form, "_record", NULL);
    char message[1024] = "";
    char secret[PANEL_SECRET_MAX] = "";
    char created[PANEL_RECORD_ID_MAX + 1] = "";
    panel_result_t result = {.struct_size = sizeof(panel_result_t), .message = message, .message_len = sizeof message,
                             .secret = secret, .secret_len = sizeof secret, .record = created,
                             .record_len = sizeof created};
    int32_t rc = panelhost_action_run_record(host, caller, page->id, a->id, record, names, values, n, &result);
    created[sizeof created - 1] = '\0';
    if (rc == PANEL_E_CONFIRM) {
        /* nothing changed yet: 303 to the page, which shows the confirmation step once */
        if (web_confirm_redirect(host, req, page, a, record, names, values, n, message, res) != 0)
            web_confirm_render(host, caller, csrf, page, a, record, names, values, n, message, res);
        sodium_memzero(secret, sizeof secret);
        return;
    }
    if (rc == PANEL_E_DENIED) {
        sodium_memzero(secret, sizeof secret);
        web_page_error(host, caller, csrf, 403, "Not allowed", "Your role does not allow this action.", res);
        return;
    }
    page_outcome_t outcome;
    memset(&outcome, 0, sizeof outcome);
    char error[1200];
    outcome.host_header = req->host_header;
    if (rc == PANEL_OK) {
        outcome.message = message[0] != '\0' ? message : "Done.";
        outcome.secret = secret;
        outcome.secret_source = a->label;
        outcome.record = created;
        res->status = 200;
    } else {
        snprintf(error, sizeof error, "%s", message[0] != '\0' ? message : "The action failed.");
        outcome.action_id = a->row_table == NULL ? a->id : NULL; /* a row action's refusal is the notice */
        outcome.error = error;
        outcome.message = error;
        outcome.failed = 1;
        res->status = failure_status(rc);
    }
    if (redirect_with_outcome(host, req, page, &outcome, res) != 0)
        render_page(host, caller, csrf, page, &outcome, res);
    sodium_memzero(secret, sizeof secret);
}

/* Runs the posted action; the joined values of its list parameters live in a heap buffer meanwhile. */
static void submit_action(panelhost_t *host, const panel_caller_t *caller, const char *csrf,
                          const web_request_t *req, const panel_page_t *page, const web_form_t *form,
                          web_response_t *res)
{
    list_value_t *lists = calloc(16, sizeof *lists);
    if (lists == NULL) {
        web_page_error(host, caller, csrf, 500, "Out of memory", "The server ran out of memory; try again.", res);
        return;
    }
    submit_action_lists(host, caller, csrf, req, page, form, lists, res);
    free(lists);
}

void web_page_submit(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const web_request_t *req,
                     const char *page_id, const web_form_t *form, web_response_t *res)
{
    const panel_page_t *page = visible_page(host, caller, csrf, page_id, res);
    if (page == NULL)
        return;
    panel_caller_t confirmed_caller = *caller;
    const char *confirm = web_form_get(form, "_confirm", NULL);
    confirmed_caller.confirmed = confirm != NULL && strcmp(confirm, "1") == 0;
    const char *op = web_form_get(form, "_op", NULL);
    if (op != NULL && strcmp(op, "field") == 0)
        submit_field(host, &confirmed_caller, csrf, req, page, form, res);
    else if (op != NULL && strcmp(op, "action") == 0)
        submit_action(host, &confirmed_caller, csrf, req, page, form, res);
    else
        web_page_error(host, caller, csrf, 400, "Bad request", "The form did not say what to do.", res);
}

void web_page_overview(panelhost_t *host, const panel_caller_t *caller, const char *csrf, web_response_t *res)
{
    web_buf_t *b = &res->body;
    const panel_menu_entry_t *entries[MENU_MAX];
    size_t total = panelhost_menu(host, caller, entries, MENU_MAX);
    size_t n = total < MENU_MAX ? total : MENU_MAX;
    res->status = 200;
    web_layout_begin(b, host, caller, csrf, "Overview", NULL);
    web_raw(b, "<h1>Overview</h1>");
    int extensions = caller->has_permission != NULL && caller->has_permission(caller, PANELHOST_PERMISSION_EXTENSIONS);
    if (n == 0 && !extensions) {
        web_raw(b, "<p id=\"no-pages\">There are no pages your role may open.</p>");
    } else {
        web_raw(b, "<p>Pages you may open:</p><ul id=\"pages\">");
        for (size_t i = 0; i < n; i++) {
            web_raw(b, "<li><a href=\"/admin/");
            web_html_text(b, entries[i]->page_id);
            web_raw(b, "\">");
            web_html_text(b, entries[i]->path);
            web_raw(b, "</a></li>");
        }
        if (extensions) /* the host's own page, as in the menu */
            web_raw(b, "<li><a href=\"" WEB_EXTENSIONS_PATH "\">System &gt; Extensions</a></li>");
        web_raw(b, "</ul>");
    }
    web_layout_end(b);
}
