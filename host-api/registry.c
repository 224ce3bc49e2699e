/* registry.c - the registry's one way to register a descriptor: runs a kind's rule table (registry.h) over a
 * plugin's descriptor, copies it, checks its page and duplicate id, runs the kind's hook and appends the record,
 * reporting any refusal to the plugin and the host log. The kinds are in registry_kinds.c, action parameters
 * in registry_params.c, the registry's queries in registry_queries.c.
 *
 * Validation is table-driven (like SQLite's aSyscall[] or Redis's REGISTER_API): each kind of descriptor has a
 * kind_t naming its ABI 1.0 size, where its records go, and a table of {offsetof, rule, name} for its fields.
 * One ph_reg_register() runs the same steps for every kind (size check and copy, id, owning page, each rule,
 * duplicate id, the kind's hook for what differs, string copies, push) and one ph_reg_free_desc() frees any
 * copy. A field added by a later ABI minor is one line in its kind's rule table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* ----- error reporting ----- */

static int32_t reg_fail(ph_plugin_t *plugin, char *err, size_t err_len, int32_t rc, const char *kind,
                        const char *id, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int32_t reg_fail(ph_plugin_t *plugin, char *err, size_t err_len, int32_t rc, const char *kind,
                        const char *id, const char *fmt, ...)
{
    char why[PH_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    char msg[PH_MSG_MAX];
    if (id)
        snprintf(msg, sizeof msg, "plugin %s: %s '%.*s' refused: %s", plugin->id, kind, (int)PANEL_ID_MAX + 8,
                 id, why);
    else
        snprintf(msg, sizeof msg, "plugin %s: %s refused: %s", plugin->id, kind, why);
    ph_errf(err, err_len, "%s", msg);
    if (!plugin->first_reg_error[0])
        snprintf(plugin->first_reg_error, sizeof plugin->first_reg_error, "%s", msg);
    ph_logf(plugin->host, PANEL_LOG_ERROR, plugin->id, "%s", msg);
    return rc;
}

/* The id for messages: "(null)" for a NULL one. */
static const char *shown_id(const char *id)
{
    return id ? id : "(null)";
}

/* Copies a plugin struct of `struct_size` bytes into `dst` (host size `host_size`), reading at most
 * min(struct_size, host_size) bytes and zeroing the rest. Returns NULL, or why the size is refused. */
static const char *copy_struct(const void *src, size_t v10_size, void *dst, size_t host_size, char *why,
                               size_t why_len)
{
    uint32_t size;
    memcpy(&size, src, sizeof size);
    if (size < v10_size) {
        snprintf(why, why_len,
                 "struct_size is %u, smaller than the ABI 1.0 size of %zu bytes; set struct_size = sizeof "
                 "the struct and rebuild against panel/plugin.h",
                 size, v10_size);
        return why;
    }
    if (size > PH_STRUCT_SIZE_MAX) {
        snprintf(why, why_len,
                 "struct_size is %u, larger than %u bytes, which no ABI version uses; is struct_size set to "
                 "sizeof the struct?",
                 size, PH_STRUCT_SIZE_MAX);
        return why;
    }
    memset(dst, 0, host_size);
    memcpy(dst, src, size < host_size ? size : host_size);
    return NULL;
}

const char *ph_reg_text_problem(const char *s, int required, int multiline)
{
    if (!s)
        return required ? "is NULL; set it" : NULL;
    size_t n = strlen(s);
    if (required && n == 0)
        return "is empty; set it";
    if (n > PANEL_TEXT_MAX)
        return "is longer than PANEL_TEXT_MAX (4096 bytes); shorten it";
    if (!ph_utf8_valid(s, n))
        return "is not valid UTF-8";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f)
            return multiline ? "contains a control character other than newline or tab; remove it"
                             : "contains a control character; use one line of plain text";
    }
    return NULL;
}

static const char *menu_path_problem(const char *path)
{
    const char *problem = ph_reg_text_problem(path, 1, 0);
    if (problem)
        return problem;
    const char *p = path;
    for (;;) {
        const char *sep = strstr(p, " > ");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        if (n == 0 || p[0] == ' ' || p[n - 1] == ' ')
            return "has an empty or space-padded label; write labels joined by \" > \", e.g. "
                   "\"Settings > API Key\"";
        if (!sep)
            return NULL;
        p = sep + 3;
    }
}

#define PH_FLAGS_KNOWN PANEL_FLAG_DANGEROUS /* every PANEL_FLAG_* this host knows */

static ph_plugin_t *plugin_of(const panel_host_t *table)
{
    return table ? (ph_plugin_t *)table->host_data : NULL;
}

/* ----- the rules ----- */

static int rule_is_string(uint8_t rule)
{
    return rule != RULE_FLAGS && rule != RULE_CALLBACK;
}

static const char **string_at(void *desc, const rule_t *r)
{
    return (const char **)(void *)((unsigned char *)desc + r->offset);
}

static const char *string_of(const void *desc, const rule_t *r)
{
    const char *s;
    memcpy(&s, (const unsigned char *)desc + r->offset, sizeof s);
    return s;
}

/* Why the field `r` of `desc` is refused (written into why), or NULL. `flags` carries RULE_FLAGS's value to
 * RULE_CONFIRM. */
static const char *rule_problem(const rule_t *r, const void *desc, uint32_t *flags, char *why, size_t why_len)
{
    const unsigned char *base = desc;
    const char *s = rule_is_string(r->rule) ? string_of(desc, r) : NULL;
    const char *problem = NULL;
    switch (r->rule) {
    case RULE_ID:
        return ph_id_valid(s, "-") ? NULL : "the id must be 1-64 bytes of a-z 0-9 _ -";
    case RULE_ID_PATH:
        return ph_id_valid(s, "-/.") ? NULL : "the id must be 1-64 bytes of a-z 0-9 _ - / .";
    case RULE_LABEL:
        problem = ph_reg_text_problem(s, 1, 0);
        break;
    case RULE_TEXT:
        problem = ph_reg_text_problem(s, 0, 1);
        break;
    case RULE_MENU_PATH:
        problem = menu_path_problem(s);
        break;
    case RULE_PERMISSION:
        if (!ph_permission_pattern_valid(s) || strchr(s, '*')) {
            snprintf(why, why_len, "%s must be a name such as 'settings.api_key' (a-z 0-9 _ - joined by '.')",
                     r->name);
            return why;
        }
        return NULL;
    case RULE_PAGE_REF:
        if (!ph_id_valid(s, "-/.")) {
            snprintf(why, why_len, "%s must name a page of this plugin", r->name);
            return why;
        }
        return NULL;
    case RULE_FLAGS:
        memcpy(flags, base + r->offset, sizeof *flags);
        if (*flags & ~(uint32_t)PH_FLAGS_KNOWN) {
            snprintf(why, why_len, "%s 0x%x has bits this host does not know (0x%x); use only PANEL_FLAG_DANGEROUS",
                     r->name, (unsigned)*flags, (unsigned)(*flags & ~(uint32_t)PH_FLAGS_KNOWN));
            return why;
        }
        return NULL;
    case RULE_CONFIRM:
        if (*flags & PANEL_FLAG_DANGEROUS) {
            if ((problem = ph_reg_text_problem(s, 1, 1))) {
                snprintf(why, why_len, "is dangerous, so %s (the text the owner must accept) %s", r->name, problem);
                return why;
            }
            return NULL;
        }
        problem = ph_reg_text_problem(s, 0, 1);
        break;
    case RULE_CALLBACK: {
        void (*fn)(void);
        memcpy(&fn, base + r->offset, sizeof fn);
        if (fn)
            return NULL;
        snprintf(why, why_len, "the %s callback is NULL", r->name);
        return why;
    }
    default: /* RULE_STRING: the kind's hook checks it */
        return NULL;
    }
    if (!problem)
        return NULL;
    snprintf(why, why_len, "%s %s", r->name, problem);
    return why;
}

/* ----- copies ----- */

void ph_reg_free_desc(const kind_t *k, void *desc)
{
    for (size_t i = 0; i < k->n_rules; i++)
        if (rule_is_string(k->rules[i].rule))
            free((void *)*string_at(desc, &k->rules[i]));
    if (k->free_extra)
        k->free_extra(desc);
}

/* Replaces every string of `desc` by a copy; 0 when out of memory, in which case the strings not yet copied
 * are NULL and the copy can be freed with ph_reg_free_desc. */
int ph_reg_dup_strings(const kind_t *k, void *desc)
{
    int ok = 1;
    for (size_t i = 0; i < k->n_rules; i++) {
        if (!rule_is_string(k->rules[i].rule))
            continue;
        const char **slot = string_at(desc, &k->rules[i]);
        const char *orig = *slot;
        *slot = NULL;
        if (orig && ok && !(*slot = ph_strdup(orig)))
            ok = 0;
    }
    return ok;
}

/* Appends ptr to a growable pointer array. */
static int push(void ***array, size_t *n, void *ptr)
{
    void **grown = realloc(*array, (*n + 1) * sizeof *grown);
    if (!grown)
        return 0;
    grown[*n] = ptr;
    *array = grown;
    (*n)++;
    return 1;
}

/* Validates the plugin's descriptor `src` and returns a host-owned copy of it (desc_size bytes, struct_size
 * set to the host's sizeof) in *out, or a code with why. Checks the id (rules[0]) and then the other rules;
 * the caller checks the page, duplicates and the hook. */
int32_t ph_reg_copy_and_check(const kind_t *k, const void *src, unsigned char *desc, char *why,
                              size_t why_len, const char **id_out)
{
    *id_out = NULL;
    const char *problem = copy_struct(src, k->v10_size, desc, k->desc_size, why, why_len);
    if (problem)
        return PANEL_E_VERSION;
    uint32_t flags = 0;
    if ((problem = rule_problem(&k->rules[0], desc, &flags, why, why_len))) {
        if (problem != why)
            snprintf(why, why_len, "%s", problem);
        *id_out = shown_id(string_of(desc, &k->rules[0]));
        return PANEL_E_INVALID;
    }
    *id_out = string_of(desc, &k->rules[0]);
    return PANEL_OK;
}

int32_t ph_reg_check_rules(const kind_t *k, const unsigned char *desc, char *why, size_t why_len)
{
    uint32_t flags = 0;
    for (size_t i = 1; i < k->n_rules; i++) {
        const char *problem = rule_problem(&k->rules[i], desc, &flags, why, why_len);
        if (problem) {
            if (problem != why)
                snprintf(why, why_len, "%s", problem);
            return PANEL_E_INVALID;
        }
    }
    return PANEL_OK;
}

/* The one registration: validates `src` as kind `k` for `plugin` (on page `page_id` for kinds on a page),
 * copies it and appends the record. Any failure leaves nothing behind and is reported with reg_fail. */
int32_t ph_reg_register(const kind_t *k, const panel_host_t *table, const char *page_id, const void *src,
                        char *err, size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(table);
    if (!plugin->initializing)
        return reg_fail(plugin, err, err_len, PANEL_E_STATE, k->name, NULL,
                        "registrations are accepted only during init");
    if (!src)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, k->name, NULL, "the descriptor pointer is NULL");
    _Alignas(max_align_t) unsigned char desc[DESC_MAX];
    char why[512];
    const char *id;
    int32_t rc = ph_reg_copy_and_check(k, src, desc, why, sizeof why, &id);
    if (rc != PANEL_OK)
        return reg_fail(plugin, err, err_len, rc, k->name, id, "%s", why);
    reg_ctx_t ctx = {.plugin = plugin};
    if (k->on_page) {
        ph_page_rec_t *page = ph_registry_page(plugin->host, page_id);
        if (!page || page->owner != plugin)
            return reg_fail(plugin, err, err_len, PANEL_E_NOT_FOUND, k->name, id,
                            "page '%.*s' was not registered by this plugin; call add_page first", 80,
                            shown_id(page_id));
        ctx.page = page;
    }
    if ((rc = ph_reg_check_rules(k, desc, why, sizeof why)) != PANEL_OK)
        return reg_fail(plugin, err, err_len, rc, k->name, id, "%s", why);
    size_t *n = NULL;
    void ***list = k->list(&ctx, &n);
    for (size_t i = 0; i < *n; i++)
        if (strcmp(string_of((*list)[i], &k->rules[0]), id) == 0) {
            if (k->on_page)
                return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, k->name, id,
                                "page '%s' already has a %s with this id", ctx.page->desc.id, k->name);
            return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, k->name, id, "%s", k->conflict);
        }
    if (k->check && (rc = k->check(&ctx, desc, why, sizeof why)) != PANEL_OK)
        return reg_fail(plugin, err, err_len, rc, k->name, id, "%s", why);
    unsigned char *rec = calloc(1, k->rec_size);
    if (rec) {
        memcpy(rec, desc, k->desc_size);
        memcpy(rec, &(uint32_t){(uint32_t)k->desc_size}, sizeof(uint32_t)); /* struct_size: the host's */
    }
    if (!rec || !ph_reg_dup_strings(k, rec) || !push(list, n, rec)) {
        if (rec)
            ph_reg_free_desc(k, rec);
        else if (k->free_extra)
            k->free_extra(desc);
        free(rec);
        return reg_fail(plugin, err, err_len, PANEL_E_NOMEM, k->name, id, "out of memory");
    }
    if (k->attach)
        k->attach(&ctx, rec);
    return PANEL_OK;
}

