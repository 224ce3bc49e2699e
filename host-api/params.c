/* params.c - action parameter values beyond the registry's checks (ABI 1.1): list values parsed, checked and
 * brought to their canonical form, the '|'-separated choices and their labels, panelhost_param_choice, and the
 * characters no parameter value may hold (controls and bidirectional formatting). */
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

/* The name of a bidirectional formatting character, or NULL for any other code point. */
static const char *bidi_name(uint32_t cp)
{
    switch (cp) {
    case 0x061c: return "ARABIC LETTER MARK";
    case 0x200e: return "LEFT-TO-RIGHT MARK";
    case 0x200f: return "RIGHT-TO-LEFT MARK";
    case 0x202a: return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202b: return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202c: return "POP DIRECTIONAL FORMATTING";
    case 0x202d: return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202e: return "RIGHT-TO-LEFT OVERRIDE";
    case 0x2066: return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067: return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068: return "FIRST STRONG ISOLATE";
    case 0x2069: return "POP DIRECTIONAL ISOLATE";
    default: return NULL;
    }
}

/* Decodes the code point at p (valid UTF-8, checked before); *len receives its byte length. */
static uint32_t code_point_at(const unsigned char *p, size_t *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    size_t extra = (p[0] & 0xe0) == 0xc0 ? 1 : (p[0] & 0xf0) == 0xe0 ? 2 : 3;
    uint32_t cp = p[0] & (extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07);
    for (size_t k = 1; k <= extra; k++)
        cp = (cp << 6) | (p[k] & 0x3f);
    *len = extra + 1;
    return cp;
}

int32_t ph_param_text_check(const char *name, const char *value, char *why, size_t why_len)
{
    const unsigned char *p = (const unsigned char *)value;
    for (size_t at = 0, len; p[at]; at += len) {
        uint32_t cp = code_point_at(p + at, &len);
        const char *bidi = bidi_name(cp);
        if (bidi) {
            ph_errf(why, why_len, "the value of '%s' contains U+%04X (%s), a bidirectional formatting character that "
                    "can disguise text; remove it", name, (unsigned)cp, bidi);
            return PANEL_E_INVALID;
        }
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
            ph_errf(why, why_len, "the value of '%s' contains the control character U+%04X at byte %zu; remove it "
                    "(a value is one line of text)", name, (unsigned)cp, at + 1);
            return PANEL_E_INVALID;
        }
    }
    return PANEL_OK;
}
