/* params.c - action parameter values beyond the registry's checks (ABI 1.1): list values parsed, checked and
 * brought to their canonical form, the '|'-separated choices and their labels, panelhost_param_choice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t ph_choice_count(const char *list)
{
    if (!list)
        return 0;
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == '|';
    return n;
}

int ph_choice_at(const char *list, size_t i, const char **start, size_t *len)
{
    if (!list)
        return 0;
    const char *p = list;
    for (size_t k = 0; k < i; k++) {
        p = strchr(p, '|');
        if (!p)
            return 0;
        p++;
    }
    const char *bar = strchr(p, '|');
    *start = p;
    *len = bar ? (size_t)(bar - p) : strlen(p);
    return 1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* 1 when [item, item + n) is one of the '|'-separated choices. */
static int choice_has(const char *choices, const char *item, size_t n)
{
    const char *c;
    size_t len;
    for (size_t i = 0; ph_choice_at(choices, i, &c, &len); i++)
        if (len == n && memcmp(c, item, n) == 0)
            return 1;
    return 0;
}

int32_t ph_list_normalise(const panel_param_t *param, const char *value, char **out, char *why, size_t why_len)
{
    *out = NULL;
    size_t vlen = strlen(value);
    char *canon = malloc(vlen + 1);
    if (!canon) {
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    size_t used = 0, items = 0;
    const char *p = value;
    int only_spaces = 1;
    for (const char *q = value; *q; q++)
        only_spaces &= is_space(*q);
    while (!only_spaces) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *s = p;
        while (s < end && is_space(*s))
            s++;
        const char *e = end;
        while (e > s && is_space(e[-1]))
            e--;
        size_t n = (size_t)(e - s);
        const char *problem = NULL;
        if (n == 0)
            problem = "has an empty item; separate items with single commas, e.g. \"a,b\"";
        for (size_t i = 0; !problem && i < n; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                problem = "has an item with a control character";
        if (!problem && ++items > PANEL_LIST_ITEMS_MAX)
            problem = "has more than 256 items";
        if (!problem && param->choices && !choice_has(param->choices, s, n)) {
            char shown[512];
            size_t k = 0;
            for (const char *c = param->choices; *c && k + 3 < sizeof shown; c++) {
                if (*c == '|') {
                    shown[k++] = ',';
                    shown[k++] = ' ';
                } else {
                    shown[k++] = *c;
                }
            }
            shown[k] = '\0';
            snprintf(why, why_len, "'%.*s' is not a valid item for %s (%s); choose from: %s", (int)(n > 80 ? 80 : n),
                     s, param->id, param->label, shown);
            free(canon);
            return PANEL_E_INVALID;
        }
        /* a duplicate: the same item already in canon */
        for (size_t k = 0; !problem && k < used;) {
            const char *c2 = memchr(canon + k, ',', used - k);
            size_t m = c2 ? (size_t)(c2 - (canon + k)) : used - k;
            if (m == n && memcmp(canon + k, s, n) == 0)
                problem = "lists an item twice";
            k += m + 1;
        }
        if (problem) {
            snprintf(why, why_len, "the value of %s (%s) %s", param->id, param->label, problem);
            free(canon);
            return PANEL_E_INVALID;
        }
        if (used)
            canon[used++] = ',';
        memcpy(canon + used, s, n);
        used += n;
        if (!comma)
            break;
        p = comma + 1;
    }
    canon[used] = '\0';
    *out = canon;
    return PANEL_OK;
}

static void copy_n(char *out, size_t out_len, const char *s, size_t n)
{
    if (!out || out_len == 0)
        return;
    if (n >= out_len)
        n = out_len - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

int32_t panelhost_param_choice(const panel_param_t *param, size_t i, char *value, size_t value_len, char *label,
                               size_t label_len)
{
    copy_n(value, value_len, "", 0);
    copy_n(label, label_len, "", 0);
    if (!param || (param->type != PANEL_PARAM_ENUM && param->type != PANEL_PARAM_LIST))
        return PANEL_E_NOT_FOUND;
    const char *c, *l;
    size_t n, ln;
    if (!ph_choice_at(param->choices, i, &c, &n))
        return PANEL_E_NOT_FOUND;
    copy_n(value, value_len, c, n);
    if (PANEL_HAS_FIELD(panel_param_t, param, choice_labels) && ph_choice_at(param->choice_labels, i, &l, &ln))
        copy_n(label, label_len, l, ln);
    else
        copy_n(label, label_len, c, n);
    return PANEL_OK;
}
