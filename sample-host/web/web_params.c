/* web_params.c - the web panel's input for one action parameter (see web_params.h): a select for an enum, a
 * checkbox per choice for a list with choices, a text box otherwise, each with its label and help. */
#include "web_params.h"

#include <string.h>

void web_render_help(web_buf_t *b, const char *help)
{
    if (help != NULL && help[0] != '\0') {
        web_raw(b, "<p class=\"help\">");
        web_html_text(b, help);
        web_raw(b, "</p>");
    }
}

/* 1 when the comma-separated list (nullable) holds item, spaces around items ignored. */
static int list_has_item(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p != NULL && *p != '\0';) {
        p += strspn(p, " ");
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed > 0 && p[trimmed - 1] == ' ')
            trimmed--;
        if (trimmed == n && strncmp(p, item, n) == 0)
            return 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* The input's id: param-ACTION-PARAM, or param-ACTION-SUFFIX-PARAM for one row's form. */
static void input_id(web_buf_t *b, const panel_action_t *a, const panel_param_t *p, const char *id_suffix)
{
    web_html_text(b, a->id);
    web_raw(b, "-");
    if (id_suffix[0] != '\0') {
        web_html_text(b, id_suffix);
        web_raw(b, "-");
    }
    web_html_text(b, p->id);
}

void web_render_param(web_buf_t *b, const panel_action_t *a, const panel_param_t *p, const char *current,
                      const char *id_suffix)
{
    web_raw(b, "<label for=\"param-");
    input_id(b, a, p, id_suffix);
    web_raw(b, "\">");
    web_html_text(b, p->label);
    web_raw(b, "</label>");
    const char *selected = current != NULL ? current : p->default_value;
    if (p->type == PANEL_PARAM_ENUM && p->choices != NULL) {
        web_raw(b, "<select name=\"p.");
        web_html_text(b, p->id);
        web_raw(b, "\" id=\"param-");
        input_id(b, a, p, id_suffix);
        web_raw(b, "\">");
        char value[PANEL_VALUE_MAX + 1], label[PANEL_TEXT_MAX + 1];
        for (size_t i = 0; panelhost_param_choice(p, i, value, sizeof value, label, sizeof label) == PANEL_OK; i++) {
            web_raw(b, "<option value=\"");
            web_html_text(b, value);
            web_raw(b, "\"");
            if (selected != NULL && strcmp(selected, value) == 0)
                web_raw(b, " selected");
            web_raw(b, ">");
            web_html_text(b, label); /* the choice's label ("none: the old key stops at once"), else the value */
            web_raw(b, "</option>");
        }
        web_raw(b, "</select>");
    } else if (p->type == PANEL_PARAM_LIST && p->choices != NULL) {
        /* a checkbox per choice, all named pc.ID; the hidden p.ID says the list was posted (maybe empty) */
        web_raw(b, "<fieldset class=\"choices\" id=\"param-");
        input_id(b, a, p, id_suffix);
        web_raw(b, "\"><input type=\"hidden\" name=\"p.");
        web_html_text(b, p->id);
        web_raw(b, "\" value=\"\">");
        char value[PANEL_VALUE_MAX + 1], label[PANEL_TEXT_MAX + 1];
        for (size_t i = 0; panelhost_param_choice(p, i, value, sizeof value, label, sizeof label) == PANEL_OK; i++) {
            web_raw(b, "<label class=\"inline\"><input type=\"checkbox\" name=\"pc.");
            web_html_text(b, p->id);
            web_raw(b, "\" value=\"");
            web_html_text(b, value);
            web_raw(b, "\"");
            if (list_has_item(selected, value))
                web_raw(b, " checked");
            web_raw(b, "> ");
            web_html_text(b, label);
            web_raw(b, "</label> ");
        }
        web_raw(b, "</fieldset>");
    } else {
        web_raw(b, "<input type=\"text\" name=\"p.");
        web_html_text(b, p->id);
        web_raw(b, "\" id=\"param-");
        input_id(b, a, p, id_suffix);
        web_raw(b, "\" value=\"");
        web_html_text(b, selected);
        web_raw(b, "\"");
        if (p->default_value == NULL)
            web_raw(b, " required");
        web_raw(b, ">");
    }
    web_render_help(b, p->help);
}

