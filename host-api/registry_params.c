/* registry_params.c - the parameters of an action (registered inside it): their rule table, the checks of
 * enum and list choices, choice labels and defaults, and the copy the host keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* 1 when `value` is one of the '|'-separated choices. */
int ph_choice_member(const char *choices, const char *value)
{
    size_t vlen = strlen(value);
    const char *p = choices;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vlen && memcmp(p, value, n) == 0)
            return 1;
        if (!bar)
            return 0;
        p = bar + 1;
    }
}

static const char *choices_problem(const char *choices)
{
    const char *problem = ph_reg_text_problem(choices, 1, 0);
    if (problem)
        return problem;
    const char *p = choices;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == 0)
            return "has an empty choice; write them like \"0|1h|24h|7d\"";
        /* a duplicate: the same text appears again later */
        for (const char *q = bar ? bar + 1 : NULL; q;) {
            const char *qbar = strchr(q, '|');
            size_t m = qbar ? (size_t)(qbar - q) : strlen(q);
            if (m == n && memcmp(p, q, n) == 0)
                return "lists a choice twice";
            q = qbar ? qbar + 1 : NULL;
        }
        if (!bar)
            return NULL;
        p = bar + 1;
    }
}

/* Since 1.1: the labels of the choices, one per choice. */
static int32_t check_choice_labels(const panel_param_t *d, char *why, size_t why_len)
{
    if (!d->choice_labels)
        return PANEL_OK;
    if (!d->choices) {
        snprintf(why, why_len, "choice_labels is set but the parameter has no choices; set it to NULL");
        return PANEL_E_INVALID;
    }
    const char *problem = ph_reg_text_problem(d->choice_labels, 1, 0);
    if (problem) {
        snprintf(why, why_len, "choice_labels %s", problem);
        return PANEL_E_INVALID;
    }
    size_t n = ph_choice_count(d->choices), n_labels = ph_choice_count(d->choice_labels);
    if (n_labels != n) {
        snprintf(why, why_len, "choice_labels has %zu labels for %zu choices; give one label per choice, "
                               "'|'-separated, in the order of choices", n_labels, n);
        return PANEL_E_INVALID;
    }
    const char *l;
    size_t len;
    for (size_t i = 0; ph_choice_at(d->choice_labels, i, &l, &len); i++)
        if (len == 0) {
            snprintf(why, why_len, "choice_labels has an empty label (number %zu); write one for every choice",
                     i + 1);
            return PANEL_E_INVALID;
        }
    return PANEL_OK;
}

/* Since 1.1: a list parameter, with choices (none holding a ',') or free items; its default in canonical form. */
static int32_t check_list_param(panel_param_t *d, char *why, size_t why_len)
{
    const char *problem;
    if (d->choices) {
        if ((problem = choices_problem(d->choices))) {
            snprintf(why, why_len, "a list parameter's choices %s", problem);
            return PANEL_E_INVALID;
        }
        if (strchr(d->choices, ',')) {
            snprintf(why, why_len, "a list parameter's choices must not contain ',' (it separates the items)");
            return PANEL_E_INVALID;
        }
    }
    if (d->default_value) {
        char *canon = NULL;
        char list_why[256];
        int32_t rc = ph_list_normalise(d, d->default_value, &canon, list_why, sizeof list_why);
        if (rc == PANEL_OK && strcmp(canon, d->default_value) != 0) {
            snprintf(list_why, sizeof list_why, "is not in canonical form (write it as \"%.80s\")", canon);
            rc = PANEL_E_INVALID;
        }
        free(canon);
        if (rc != PANEL_OK) {
            snprintf(why, why_len, "a list parameter's default_value %s", list_why);
            return rc;
        }
    }
    return PANEL_OK;
}

static int32_t check_param(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    (void)ctx;
    panel_param_t *d = desc;
    const char *problem;
    if (d->type == PANEL_PARAM_LIST) {
        int32_t rc = check_list_param(d, why, why_len);
        return rc == PANEL_OK ? check_choice_labels(d, why, why_len) : rc;
    }
    if (d->type == PANEL_PARAM_ENUM) {
        if ((problem = choices_problem(d->choices))) {
            snprintf(why, why_len, "an enum parameter's choices %s", problem);
            return PANEL_E_INVALID;
        }
        if (d->default_value && !ph_choice_member(d->choices, d->default_value)) {
            snprintf(why, why_len, "an enum parameter's default_value must be one of \"%.200s\" (or NULL: required)",
                     d->choices);
            return PANEL_E_INVALID;
        }
    } else if (d->type == PANEL_PARAM_TEXT) {
        d->choices = NULL;
        if (d->choice_labels) {
            snprintf(why, why_len, "choice_labels is set on a text parameter; set it to NULL");
            return PANEL_E_INVALID;
        }
        if (d->default_value &&
            (strlen(d->default_value) > PANEL_VALUE_MAX || !ph_utf8_valid(d->default_value, strlen(d->default_value)))) {
            snprintf(why, why_len, "default_value is longer than 4096 bytes or not UTF-8");
            return PANEL_E_INVALID;
        }
    } else {
        snprintf(why, why_len, "type %d is unknown; use PANEL_PARAM_TEXT, PANEL_PARAM_ENUM or PANEL_PARAM_LIST",
                 (int)d->type);
        return PANEL_E_INVALID;
    }
    return check_choice_labels(d, why, why_len);
}

static const rule_t param_rules[] = {
    RULE(panel_param_t, id, RULE_ID),
    RULE(panel_param_t, label, RULE_LABEL),
    RULE(panel_param_t, help, RULE_TEXT),
    RULE(panel_param_t, choices, RULE_STRING),
    RULE(panel_param_t, default_value, RULE_STRING),
    RULE(panel_param_t, choice_labels, RULE_STRING), /* since 1.1 */
};

static const kind_t param_kind = {
    .name = "parameter", .v10_size = PH_V10_PARAM, .desc_size = sizeof(panel_param_t),
    .rec_size = sizeof(panel_param_t), .rules = param_rules, .n_rules = sizeof param_rules / sizeof param_rules[0],
    .check = check_param,
};

int32_t ph_reg_copy_param(const panel_param_t *src, panel_param_t **out, char *why, size_t why_len)
{
    *out = NULL;
    if (!src) {
        snprintf(why, why_len, "is a NULL pointer");
        return PANEL_E_INVALID;
    }
    _Alignas(max_align_t) unsigned char desc[DESC_MAX];
    char problem[320];
    const char *id;
    int32_t rc = ph_reg_copy_and_check(&param_kind, src, desc, problem, sizeof problem, &id);
    if (rc == PANEL_OK)
        rc = ph_reg_check_rules(&param_kind, desc, problem, sizeof problem);
    if (rc == PANEL_OK)
        rc = check_param(NULL, desc, problem, sizeof problem);
    if (rc != PANEL_OK) {
        if (id)
            snprintf(why, why_len, "'%.80s': %s", id, problem);
        else
            snprintf(why, why_len, "%s", problem);
        return rc;
    }
    panel_param_t *copy = malloc(sizeof *copy);
    if (copy) {
        memcpy(copy, desc, sizeof *copy);
        copy->struct_size = sizeof *copy;
        copy->reserved = 0;
    }
    if (!copy || !ph_reg_dup_strings(&param_kind, copy)) {
        if (copy)
            ph_reg_free_desc(&param_kind, copy);
        free(copy);
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    *out = copy;
    return PANEL_OK;
}


void ph_reg_free_param(panel_param_t *param)
{
    if (param)
        ph_reg_free_desc(&param_kind, param);
    free(param);
}
