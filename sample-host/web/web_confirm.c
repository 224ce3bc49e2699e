/* web_confirm.c - the confirmation step of a dangerous action (see web_confirm.h): rendering it, and carrying it
 * across the 303 that answers the unconfirmed post, its parameters kept as a form body in the session's flash. */
#include "web_confirm.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "web_form.h"
#include "web_layout.h"
#include "web_row_actions.h"

#define TABLE_ROWS_MAX 50u
#define CONFIRM_PARAMS_MAX 16

/* 1 when parameter `id` of a is a list with choices (its form posts one pc.ID per ticked box). */
static int is_choice_list(const panel_action_t *a, const char *id)
{
    for (uint32_t i = 0; i < a->n_params; i++)
        if (a->params[i] != NULL && strcmp(a->params[i]->id, id) == 0)
            return a->params[i]->type == PANEL_PARAM_LIST && a->params[i]->choices != NULL;
    return 0;
}

/* The label the action declared for parameter `id` (the id itself when it has none). */
static const char *param_label(const panel_action_t *a, const char *id)
{
    for (uint32_t i = 0; i < a->n_params; i++)
        if (a->params[i] != NULL && strcmp(a->params[i]->id, id) == 0 && a->params[i]->label != NULL)
            return a->params[i]->label;
    return id;
}

/* How the action's form showed `value` of parameter `id`: an enum choice's label ("none: the old key stops at
 * once" for "0"), else the value itself. */
static void param_value_text(const panel_action_t *a, const char *id, const char *value, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s", value);
    for (uint32_t i = 0; i < a->n_params; i++) {
        const panel_param_t *p = a->params[i];
        if (p == NULL || strcmp(p->id, id) != 0 || p->type != PANEL_PARAM_ENUM)
            continue;
        char choice[PANEL_VALUE_MAX + 1], label[PANEL_TEXT_MAX + 1];
        for (size_t c = 0; panelhost_param_choice(p, c, choice, sizeof choice, label, sizeof label) == PANEL_OK; c++)
            if (strcmp(choice, value) == 0) {
                snprintf(out, out_len, "%s", label);
                return;
            }
    }
}

void web_confirm_render(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const panel_page_t *page,
                        const panel_action_t *a, const char *record, const char *const *names,
                        const char *const *values, size_t n, const char *text, web_response_t *res)
{
    web_buf_t *b = &res->body;
    res->status = 200;
    web_layout_begin(b, host, caller, csrf, "Confirm", page->id);
    web_raw(b, "<h1>Confirm: ");
    web_html_text(b, a->label);
    web_raw(b, "</h1><form method=\"post\" class=\"action\" id=\"confirm-step\" action=\"/admin/");
    web_html_text(b, page->id);
    web_raw(b, "\">");
    web_raw(b, "<input type=\"hidden\" name=\"_op\" value=\"action\">");
    web_layout_csrf_input(b, csrf);
    web_raw(b, "<input type=\"hidden\" name=\"_action\" value=\"");
    web_html_text(b, a->id);
    web_raw(b, "\">");
    if (record != NULL) {
        web_raw(b, "<input type=\"hidden\" name=\"_record\" value=\"");
        web_html_text(b, record);
        web_raw(b, "\">");
    }
    web_raw(b, "<input type=\"hidden\" name=\"_confirm\" value=\"1\"><p class=\"confirm-text\">");
    web_html_text(b, text != NULL && text[0] != '\0' ? text : a->confirm);
    web_raw(b, "</p>");
    if (record != NULL)
        web_render_record(b, host, caller, page->id, a, record, TABLE_ROWS_MAX);
    if (n > 0) {
        web_raw(b, "<dl class=\"status\">");
        for (size_t i = 0; i < n; i++) {
            web_raw(b, "<dt>");
            web_html_text(b, param_label(a, names[i]));
            web_raw(b, "</dt><dd>");
            char shown[PANEL_TEXT_MAX + 1];
            param_value_text(a, names[i], values[i], shown, sizeof shown);
            web_html_text(b, shown);
            web_raw(b, "</dd>");
        }
        web_raw(b, "</dl>");
    }
    for (size_t i = 0; i < n; i++) {
        web_raw(b, "<input type=\"hidden\" name=\"p.");
        web_html_text(b, names[i]);
        web_raw(b, "\" value=\"");
        web_html_text(b, values[i]);
        web_raw(b, "\">");
        if (is_choice_list(a, names[i])) /* posted again as its ticked boxes, as the action's own form does */
            for (const char *p = values[i]; *p != '\0';) {
                size_t len = strcspn(p, ",");
                web_raw(b, "<input type=\"hidden\" name=\"pc.");
                web_html_text(b, names[i]);
                web_raw(b, "\" value=\"");
                web_html_text_n(b, p, len);
                web_raw(b, "\">");
                p += len + (p[len] == ',');
            }
    }
    web_raw(b, "<button type=\"submit\" class=\"danger\" id=\"confirm-yes\">Yes, ");
    web_html_text(b, a->label);
    web_raw(b, "</button> <a href=\"/admin/");
    web_html_text(b, page->id);
    web_raw(b, "\" id=\"confirm-cancel\">Cancel</a></form>");
    web_layout_end(b);
}

/* Appends name=value, percent-encoded, to out[0..cap) at *len; -1 when it does not fit. */
static int append_pair(char *out, size_t cap, size_t *len, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *parts[2] = {name, value};
    for (int k = 0; k < 2; k++) {
        if (*len + 2 >= cap)
            return -1;
        if (k == 0 && *len > 0)
            out[(*len)++] = '&';
        if (k == 1)
            out[(*len)++] = '=';
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p != '\0'; p++) {
            int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                        *p == '-' || *p == '_' || *p == '.';
            if (*len + (plain ? 1 : 3) >= cap)
                return -1;
            if (plain) {
                out[(*len)++] = (char)*p;
            } else {
                out[(*len)++] = '%';
                out[(*len)++] = hex[*p >> 4];
                out[(*len)++] = hex[*p & 15];
            }
        }
    }
    out[*len] = '\0';
    return 0;
}

int web_confirm_redirect(panelhost_t *host, const web_request_t *req, const panel_page_t *page,
                         const panel_action_t *a, const char *record, const char *const *names,
                         const char *const *values, size_t n, const char *text, web_response_t *res)
{
    if (req->session_cookie == NULL || n > CONFIRM_PARAMS_MAX)
        return -1;
    web_flash_t flash;
    memset(&flash, 0, sizeof flash);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (append_pair(flash.confirm_params, sizeof flash.confirm_params, &len, names[i], values[i]) != 0) {
            sodium_memzero(&flash, sizeof flash);
            return -1;
        }
    snprintf(flash.page_id, sizeof flash.page_id, "%s", page->id);
    snprintf(flash.message, sizeof flash.message, "%s", text != NULL ? text : "");
    snprintf(flash.confirm_action, sizeof flash.confirm_action, "%s", a->id);
    snprintf(flash.confirm_record, sizeof flash.confirm_record, "%s", record != NULL ? record : "");
    if (web_flash_put(host, req->session_cookie, &flash) != 0)
        return -1;
    res->status = 303;
    snprintf(res->location, sizeof res->location, "/admin/%s", page->id);
    web_raw(&res->body, "<!doctype html><title>Confirm</title><p>Confirm on <a href=\"");
    web_html_text(&res->body, res->location);
    web_raw(&res->body, "\">the page</a>.</p>\n");
    return 0;
}

int web_confirm_show(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const panel_page_t *page,
                     const web_flash_t *flash, web_response_t *res)
{
    const panel_action_t *a = NULL;
    for (size_t i = 0; (a = panelhost_action_at(host, page->id, i)) != NULL; i++)
        if (strcmp(a->id, flash->confirm_action) == 0)
            break;
    web_form_t form;
    if (a == NULL || web_form_parse(flash->confirm_params, strlen(flash->confirm_params), &form) != 0)
        return -1;
    const char *names[CONFIRM_PARAMS_MAX], *values[CONFIRM_PARAMS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < form.n && n < CONFIRM_PARAMS_MAX; i++, n++) {
        names[n] = form.names[i];
        values[n] = form.values[i];
    }
    web_confirm_render(host, caller, csrf, page, a, flash->confirm_record[0] != '\0' ? flash->confirm_record : NULL,
                       names, values, n, flash->message, res);
    web_form_free(&form);
    return 0;
}
