/* registry.c - the host's registry of what plugins registered: validates each descriptor, deep-copies it, keeps
 * it per page / menu / auth provider, answers the registry queries of host.h, and drops a plugin's
 * registrations on unload or failed init.
 *
 * Validation is table-driven (like SQLite's aSyscall[] or Redis's REGISTER_API): each kind of descriptor has a
 * kind_t naming its ABI 1.0 size, where its records go, and a table of {offsetof, rule, name} for its fields.
 * One register_desc() runs the same steps for every kind (size check and copy, id, owning page, each rule,
 * duplicate id, the kind's hook for what differs, string copies, push) and one free_desc() frees any copy. A
 * field added by a later ABI minor is one line in its kind's rule table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

/* Why a text is refused, or NULL. Labels are one line; help and confirmation texts may hold newlines. */
static const char *text_problem(const char *s, int required, int multiline)
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
    const char *problem = text_problem(path, 1, 0);
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

/* ----- lookups ----- */

ph_page_rec_t *ph_registry_page(const panelhost_t *host, const char *page_id)
{
    if (!host || !page_id)
        return NULL;
    for (size_t i = 0; i < host->n_pages; i++)
        if (strcmp(host->pages[i]->desc.id, page_id) == 0)
            return host->pages[i];
    return NULL;
}

static ph_plugin_t *plugin_of(const panel_host_t *table)
{
    return table ? (ph_plugin_t *)table->host_data : NULL;
}

/* ----- the rules ----- */

enum {
    RULE_ID,         /* the id: 1..64 bytes of [a-z0-9_-] */
    RULE_ID_PATH,    /* the id: 1..64 bytes of [a-z0-9_./-] (host-wide ids) */
    RULE_LABEL,      /* required, one line of text */
    RULE_TEXT,       /* nullable, multi-line text */
    RULE_PERMISSION, /* a permission name, e.g. "settings.api_key" (no '*') */
    RULE_MENU_PATH,  /* labels joined by " > " */
    RULE_PAGE_REF,   /* a page id of this plugin (whether it exists is checked when init returns) */
    RULE_FLAGS,      /* uint32_t of PANEL_FLAG_* bits this host knows; precedes RULE_CONFIRM */
    RULE_CONFIRM,    /* required multi-line text when the flags hold PANEL_FLAG_DANGEROUS, else nullable */
    RULE_CALLBACK,   /* a required function pointer */
    RULE_STRING,     /* a nullable string the kind's hook checks; copied like every string rule */
};

typedef struct rule {
    uint16_t offset;  /* offsetof the field in the descriptor */
    uint8_t rule;     /* RULE_* */
    const char *name; /* the field's name in messages */
} rule_t;

#define RULE(type, field, rule) {(uint16_t)offsetof(type, field), rule, #field}

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
        problem = text_problem(s, 1, 0);
        break;
    case RULE_TEXT:
        problem = text_problem(s, 0, 1);
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
            if ((problem = text_problem(s, 1, 1))) {
                snprintf(why, why_len, "is dangerous, so %s (the text the owner must accept) %s", r->name, problem);
                return why;
            }
            return NULL;
        }
        problem = text_problem(s, 0, 1);
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

/* ----- kinds ----- */

/* What register_desc needs to know while running a kind's hook. */
typedef struct reg_ctx {
    ph_plugin_t *plugin;
    ph_page_rec_t *page; /* the page a field, table or action goes on; NULL for the others */
} reg_ctx_t;

typedef struct kind {
    const char *name;     /* for messages: "page", "field", ... */
    size_t v10_size;      /* the smallest struct_size accepted (PH_V10_*) */
    size_t desc_size;     /* sizeof the host's descriptor */
    size_t rec_size;      /* bytes allocated per record; the descriptor comes first */
    const rule_t *rules;  /* rules[0] checks the id */
    size_t n_rules;
    int on_page;          /* 1: registered on a page of the plugin (the page_id argument) */
    const char *conflict; /* the message for a taken id when not on a page */
    /* The records whose ids this one must not repeat, where it is appended (NULL for parameters). */
    void ***(*list)(const reg_ctx_t *ctx, size_t **n);
    /* nullable. What the rules cannot say: cross-field checks and nested arrays, which it replaces by
     * host-owned copies (freed by free_extra, also when a later step fails). PANEL_OK or a code with why. */
    int32_t (*check)(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len);
    void (*free_extra)(void *desc); /* nullable; frees what check copied */
    void (*attach)(const reg_ctx_t *ctx, void *rec); /* nullable; sets owner and order of a record */
} kind_t;

static void free_desc(const kind_t *k, void *desc)
{
    for (size_t i = 0; i < k->n_rules; i++)
        if (rule_is_string(k->rules[i].rule))
            free((void *)*string_at(desc, &k->rules[i]));
    if (k->free_extra)
        k->free_extra(desc);
}

/* Replaces every string of `desc` by a copy; 0 when out of memory, in which case the strings not yet copied
 * are NULL and the copy can be freed with free_desc. */
static int dup_strings(const kind_t *k, void *desc)
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
static int32_t copy_and_check(const kind_t *k, const void *src, unsigned char *desc, char *why, size_t why_len,
                              const char **id_out)
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

static int32_t check_rules(const kind_t *k, const unsigned char *desc, char *why, size_t why_len)
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

#define DESC_MAX 256 /* bytes of the largest host descriptor (checked per kind below) */

/* The one registration: validates `src` as kind `k` for `plugin` (on page `page_id` for kinds on a page),
 * copies it and appends the record. Any failure leaves nothing behind and is reported with reg_fail. */
static int32_t register_desc(const kind_t *k, const panel_host_t *table, const char *page_id, const void *src,
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
    int32_t rc = copy_and_check(k, src, desc, why, sizeof why, &id);
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
    if ((rc = check_rules(k, desc, why, sizeof why)) != PANEL_OK)
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
    if (!rec || !dup_strings(k, rec) || !push(list, n, rec)) {
        if (rec)
            free_desc(k, rec);
        else if (k->free_extra)
            k->free_extra(desc);
        free(rec);
        return reg_fail(plugin, err, err_len, PANEL_E_NOMEM, k->name, id, "out of memory");
    }
    if (k->attach)
        k->attach(&ctx, rec);
    return PANEL_OK;
}

/* ----- pages, menu entries, auth providers: host-wide ids ----- */

static void ***page_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->plugin->host->n_pages;
    return (void ***)&ctx->plugin->host->pages;
}

static void ***menu_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->plugin->host->n_menu;
    return (void ***)&ctx->plugin->host->menu;
}

static void ***provider_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->plugin->host->n_providers;
    return (void ***)&ctx->plugin->host->providers;
}

static void attach_page(const reg_ctx_t *ctx, void *rec)
{
    ((ph_page_rec_t *)rec)->owner = ctx->plugin;
}

static void attach_menu(const reg_ctx_t *ctx, void *rec)
{
    ((ph_menu_rec_t *)rec)->owner = ctx->plugin;
    ((ph_menu_rec_t *)rec)->seq = ctx->plugin->host->menu_seq++;
}

static void attach_provider(const reg_ctx_t *ctx, void *rec)
{
    ((ph_provider_rec_t *)rec)->owner = ctx->plugin;
}

static const rule_t page_rules[] = {
    RULE(panel_page_t, id, RULE_ID_PATH),
    RULE(panel_page_t, title, RULE_LABEL),
    RULE(panel_page_t, description, RULE_TEXT),
    RULE(panel_page_t, permission, RULE_PERMISSION),
};

static const kind_t page_kind = {
    .name = "page", .v10_size = PH_V10_PAGE, .desc_size = sizeof(panel_page_t),
    .rec_size = sizeof(ph_page_rec_t), .rules = page_rules, .n_rules = sizeof page_rules / sizeof page_rules[0],
    .conflict = "another page has this id; choose a unique one (e.g. prefix it with the plugin id)",
    .list = page_list, .attach = attach_page,
};

static const rule_t menu_rules[] = {
    RULE(panel_menu_entry_t, id, RULE_ID_PATH),
    RULE(panel_menu_entry_t, path, RULE_MENU_PATH),
    RULE(panel_menu_entry_t, page_id, RULE_PAGE_REF),
    RULE(panel_menu_entry_t, permission, RULE_PERMISSION),
};

static const kind_t menu_kind = {
    .name = "menu entry", .v10_size = PH_V10_MENU, .desc_size = sizeof(panel_menu_entry_t),
    .rec_size = sizeof(ph_menu_rec_t), .rules = menu_rules, .n_rules = sizeof menu_rules / sizeof menu_rules[0],
    .conflict = "another menu entry has this id; choose a unique one", .list = menu_list, .attach = attach_menu,
};

static const rule_t provider_rules[] = {
    RULE(panel_auth_provider_t, id, RULE_ID_PATH),
    RULE(panel_auth_provider_t, description, RULE_TEXT),
    RULE(panel_auth_provider_t, authenticate, RULE_CALLBACK),
};

static const kind_t provider_kind = {
    .name = "auth provider", .v10_size = PH_V10_PROVIDER, .desc_size = sizeof(panel_auth_provider_t),
    .rec_size = sizeof(ph_provider_rec_t), .rules = provider_rules,
    .n_rules = sizeof provider_rules / sizeof provider_rules[0],
    .conflict = "another auth provider has this id; choose a unique one", .list = provider_list,
    .attach = attach_provider,
};

/* ----- fields ----- */

static void ***field_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->page->n_fields;
    return (void ***)&ctx->page->fields;
}

static int32_t check_field(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    (void)ctx;
    const panel_field_t *d = desc;
    if (d->type < PANEL_FIELD_TOGGLE || d->type > PANEL_FIELD_READONLY) {
        snprintf(why, why_len, "type %d is unknown; use PANEL_FIELD_TOGGLE, _TEXT, _SECRET or _READONLY",
                 (int)d->type);
        return PANEL_E_INVALID;
    }
    if (d->type == PANEL_FIELD_READONLY && d->set) {
        snprintf(why, why_len, "a read-only field must have set = NULL");
        return PANEL_E_INVALID;
    }
    if (d->type != PANEL_FIELD_READONLY && !d->set) {
        snprintf(why, why_len, "the set callback is NULL; give it one or make the field PANEL_FIELD_READONLY");
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

static const rule_t field_rules[] = {
    RULE(panel_field_t, id, RULE_ID),
    RULE(panel_field_t, label, RULE_LABEL),
    RULE(panel_field_t, help, RULE_TEXT),
    RULE(panel_field_t, flags, RULE_FLAGS),
    RULE(panel_field_t, confirm, RULE_CONFIRM),
    RULE(panel_field_t, get, RULE_CALLBACK),
};

static const kind_t field_kind = {
    .name = "field", .v10_size = PH_V10_FIELD, .desc_size = sizeof(panel_field_t),
    .rec_size = sizeof(panel_field_t), .rules = field_rules, .n_rules = sizeof field_rules / sizeof field_rules[0],
    .on_page = 1, .list = field_list, .check = check_field,
};

/* ----- tables ----- */

static void ***table_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->page->n_tables;
    return (void ***)&ctx->page->tables;
}

static void free_table_extra(void *desc)
{
    panel_table_t *t = desc;
    if (t->columns)
        for (uint32_t i = 0; i < t->n_columns; i++)
            free((void *)t->columns[i]);
    free((void *)t->columns);
    t->columns = NULL;
}

/* The column titles: 1..32 one-line texts, copied. */
static int32_t check_table(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    (void)ctx;
    panel_table_t *d = desc;
    if (d->n_columns < 1 || d->n_columns > 32) {
        snprintf(why, why_len, "n_columns is %u; a table has 1 to 32 columns", d->n_columns);
        return PANEL_E_INVALID;
    }
    if (!d->columns) {
        snprintf(why, why_len, "columns is NULL");
        return PANEL_E_INVALID;
    }
    if (d->row_id_column > d->n_columns) {
        snprintf(why, why_len,
                 "row_id_column is %u but the table has %u columns; set it to 1 + the index of the column holding "
                 "the record id (1: the first), or 0 when the rows are not records",
                 d->row_id_column, d->n_columns);
        return PANEL_E_INVALID;
    }
    d->reserved = 0;
    const char *problem;
    for (uint32_t i = 0; i < d->n_columns; i++)
        if ((problem = text_problem(d->columns[i], 1, 0))) {
            snprintf(why, why_len, "column %u title %s", i, problem);
            return PANEL_E_INVALID;
        }
    const char **columns = calloc(d->n_columns, sizeof *columns);
    int ok = columns != NULL;
    for (uint32_t i = 0; ok && i < d->n_columns; i++)
        ok = (columns[i] = ph_strdup(d->columns[i])) != NULL;
    d->columns = columns;
    if (!ok) {
        free_table_extra(d);
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    return PANEL_OK;
}

static const rule_t table_rules[] = {
    RULE(panel_table_t, id, RULE_ID),
    RULE(panel_table_t, title, RULE_LABEL),
    RULE(panel_table_t, read, RULE_CALLBACK),
    /* since 1.1: row_id_column, checked by check_table against n_columns */
};

static const kind_t table_kind = {
    .name = "table", .v10_size = PH_V10_TABLE, .desc_size = sizeof(panel_table_t),
    .rec_size = sizeof(panel_table_t), .rules = table_rules, .n_rules = sizeof table_rules / sizeof table_rules[0],
    .on_page = 1, .list = table_list, .check = check_table, .free_extra = free_table_extra,
};

/* ----- parameters (inside an action) ----- */

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
    const char *problem = text_problem(choices, 1, 0);
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
    const char *problem = text_problem(d->choice_labels, 1, 0);
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

/* Validates and copies one parameter into *out (NULL on failure, with the reason in why). */
static int32_t copy_param(const panel_param_t *src, panel_param_t **out, char *why, size_t why_len)
{
    *out = NULL;
    if (!src) {
        snprintf(why, why_len, "is a NULL pointer");
        return PANEL_E_INVALID;
    }
    _Alignas(max_align_t) unsigned char desc[DESC_MAX];
    char problem[320];
    const char *id;
    int32_t rc = copy_and_check(&param_kind, src, desc, problem, sizeof problem, &id);
    if (rc == PANEL_OK)
        rc = check_rules(&param_kind, desc, problem, sizeof problem);
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
    }
    if (!copy || !dup_strings(&param_kind, copy)) {
        if (copy)
            free_desc(&param_kind, copy);
        free(copy);
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    *out = copy;
    return PANEL_OK;
}

/* ----- actions ----- */

static void ***action_list(const reg_ctx_t *ctx, size_t **n)
{
    *n = &ctx->page->n_actions;
    return (void ***)&ctx->page->actions;
}

static void free_action_extra(void *desc)
{
    panel_action_t *a = desc;
    if (a->params)
        for (uint32_t i = 0; i < a->n_params; i++) {
            if (a->params[i])
                free_desc(&param_kind, (void *)a->params[i]);
            free((void *)a->params[i]);
        }
    free((void *)a->params);
    a->params = NULL;
}

/* Since 1.1: a row action names a table of its page, registered before, whose rows are records. */
static int32_t check_row_table(const reg_ctx_t *ctx, const panel_action_t *d, char *why, size_t why_len)
{
    if (!d->row_table)
        return PANEL_OK;
    const panel_table_t *table = NULL;
    for (size_t i = 0; i < ctx->page->n_tables; i++)
        if (strcmp(ctx->page->tables[i]->id, d->row_table) == 0)
            table = ctx->page->tables[i];
    if (!table) {
        snprintf(why, why_len,
                 "row_table '%.80s' is not a table of page '%s'; register the table (add_table) before its row "
                 "actions, or set row_table = NULL for a page action",
                 d->row_table, ctx->page->desc.id);
        return PANEL_E_NOT_FOUND;
    }
    if (table->row_id_column == 0) {
        snprintf(why, why_len,
                 "row_table '%s' does not name its row-id column; set the table's row_id_column so its rows are "
                 "records a row action can act on",
                 table->id);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

/* The row table (since 1.1) and the parameters: 0..16, each validated and copied, ids unique within the
 * action. */
static int32_t check_action(const reg_ctx_t *ctx, void *desc, char *why, size_t why_len)
{
    panel_action_t *d = desc;
    int32_t row_rc = check_row_table(ctx, d, why, why_len);
    if (row_rc != PANEL_OK)
        return row_rc;
    if (d->n_params > 16) {
        snprintf(why, why_len, "n_params is %u; an action has at most 16 parameters", d->n_params);
        return PANEL_E_INVALID;
    }
    if (d->n_params > 0 && !d->params) {
        snprintf(why, why_len, "params is NULL but n_params is %u", d->n_params);
        return PANEL_E_INVALID;
    }
    const panel_param_t *const *plugin_params = d->params;
    d->params = NULL;
    if (d->n_params == 0)
        return PANEL_OK;
    panel_param_t **params = calloc(d->n_params, sizeof *params);
    if (!params) {
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    d->params = (const panel_param_t *const *)params;
    char param_why[450];
    for (uint32_t i = 0; i < d->n_params; i++) {
        int32_t rc = copy_param(plugin_params[i], &params[i], param_why, sizeof param_why);
        for (uint32_t k = 0; rc == PANEL_OK && k < i; k++)
            if (strcmp(params[k]->id, params[i]->id) == 0) {
                snprintf(param_why, sizeof param_why, "'%s' is declared twice", params[i]->id);
                rc = PANEL_E_CONFLICT;
            }
        if (rc != PANEL_OK) {
            free_action_extra(d);
            snprintf(why, why_len, "parameter %u %s", i, param_why);
            return rc;
        }
    }
    return PANEL_OK;
}

static const rule_t action_rules[] = {
    RULE(panel_action_t, id, RULE_ID),
    RULE(panel_action_t, label, RULE_LABEL),
    RULE(panel_action_t, help, RULE_TEXT),
    RULE(panel_action_t, flags, RULE_FLAGS),
    RULE(panel_action_t, confirm, RULE_CONFIRM),
    RULE(panel_action_t, run, RULE_CALLBACK),
    RULE(panel_action_t, row_table, RULE_STRING), /* since 1.1; checked by check_action */
    /* since 1.1: available, a nullable callback: nothing to check */
};

static const kind_t action_kind = {
    .name = "action", .v10_size = PH_V10_ACTION, .desc_size = sizeof(panel_action_t),
    .rec_size = sizeof(panel_action_t), .rules = action_rules,
    .n_rules = sizeof action_rules / sizeof action_rules[0], .on_page = 1, .list = action_list,
    .check = check_action, .free_extra = free_action_extra,
};

_Static_assert(sizeof(panel_page_t) <= DESC_MAX && sizeof(panel_menu_entry_t) <= DESC_MAX &&
                   sizeof(panel_field_t) <= DESC_MAX && sizeof(panel_table_t) <= DESC_MAX &&
                   sizeof(panel_param_t) <= DESC_MAX && sizeof(panel_action_t) <= DESC_MAX &&
                   sizeof(panel_auth_provider_t) <= DESC_MAX,
               "DESC_MAX holds every descriptor");
_Static_assert(offsetof(ph_page_rec_t, desc) == 0 && offsetof(ph_menu_rec_t, desc) == 0 &&
                   offsetof(ph_provider_rec_t, desc) == 0,
               "a record starts with its descriptor");

/* ----- freeing host copies ----- */

static void free_page(ph_page_rec_t *p)
{
    for (size_t i = 0; i < p->n_fields; i++) {
        free_desc(&field_kind, p->fields[i]);
        free(p->fields[i]);
    }
    for (size_t i = 0; i < p->n_tables; i++) {
        free_desc(&table_kind, p->tables[i]);
        free(p->tables[i]);
    }
    for (size_t i = 0; i < p->n_actions; i++) {
        free_desc(&action_kind, p->actions[i]);
        free(p->actions[i]);
    }
    free(p->fields);
    free(p->tables);
    free(p->actions);
    free_desc(&page_kind, &p->desc);
    free(p);
}

static void free_menu(ph_menu_rec_t *m)
{
    free_desc(&menu_kind, &m->desc);
    free(m);
}

static void free_provider(ph_provider_rec_t *p)
{
    free_desc(&provider_kind, &p->desc);
    free(p);
}

/* ----- the add_* members of the host table ----- */

static int32_t add_page(const panel_host_t *table, const panel_page_t *page, char *err, size_t err_len)
{
    return register_desc(&page_kind, table, NULL, page, err, err_len);
}

static int32_t add_menu_entry(const panel_host_t *table, const panel_menu_entry_t *entry, char *err,
                              size_t err_len)
{
    return register_desc(&menu_kind, table, NULL, entry, err, err_len);
}

static int32_t add_field(const panel_host_t *table, const char *page_id, const panel_field_t *field, char *err,
                         size_t err_len)
{
    return register_desc(&field_kind, table, page_id, field, err, err_len);
}

static int32_t add_table(const panel_host_t *host_table, const char *page_id, const panel_table_t *table,
                         char *err, size_t err_len)
{
    return register_desc(&table_kind, host_table, page_id, table, err, err_len);
}

static int32_t add_action(const panel_host_t *table, const char *page_id, const panel_action_t *action,
                          char *err, size_t err_len)
{
    return register_desc(&action_kind, table, page_id, action, err, err_len);
}

static int32_t add_auth_provider(const panel_host_t *table, const panel_auth_provider_t *provider, char *err,
                                 size_t err_len)
{
    return register_desc(&provider_kind, table, NULL, provider, err, err_len);
}

/* ----- plugin lifecycle hooks ----- */

void ph_registry_bind_table(ph_plugin_t *plugin)
{
    plugin->table.add_page = add_page;
    plugin->table.add_menu_entry = add_menu_entry;
    plugin->table.add_field = add_field;
    plugin->table.add_table = add_table;
    plugin->table.add_action = add_action;
    plugin->table.add_auth_provider = add_auth_provider;
}

int32_t ph_registry_check_menu(panelhost_t *host, const ph_plugin_t *plugin, char *err, size_t err_len)
{
    for (size_t i = 0; i < host->n_menu; i++) {
        const ph_menu_rec_t *m = host->menu[i];
        if (m->owner != plugin)
            continue;
        const ph_page_rec_t *page = ph_registry_page(host, m->desc.page_id);
        if (!page || page->owner != plugin) {
            ph_errf(err, err_len,
                    "menu entry '%s' points at page '%s', which the plugin did not register during init; "
                    "register the page or fix page_id",
                    m->desc.id, m->desc.page_id);
            return PANEL_E_NOT_FOUND;
        }
    }
    return PANEL_OK;
}

void ph_registry_drop_plugin(panelhost_t *host, const ph_plugin_t *plugin)
{
    size_t kept = 0;
    for (size_t i = 0; i < host->n_pages; i++) {
        if (host->pages[i]->owner == plugin)
            free_page(host->pages[i]);
        else
            host->pages[kept++] = host->pages[i];
    }
    host->n_pages = kept;
    kept = 0;
    for (size_t i = 0; i < host->n_menu; i++) {
        if (host->menu[i]->owner == plugin)
            free_menu(host->menu[i]);
        else
            host->menu[kept++] = host->menu[i];
    }
    host->n_menu = kept;
    kept = 0;
    for (size_t i = 0; i < host->n_providers; i++) {
        if (host->providers[i]->owner == plugin)
            free_provider(host->providers[i]);
        else
            host->providers[kept++] = host->providers[i];
    }
    host->n_providers = kept;
    if (host->n_pages == 0) {
        free(host->pages);
        host->pages = NULL;
    }
    if (host->n_menu == 0) {
        free(host->menu);
        host->menu = NULL;
    }
    if (host->n_providers == 0) {
        free(host->providers);
        host->providers = NULL;
    }
}

void ph_registry_free_all(panelhost_t *host)
{
    for (size_t i = 0; i < host->n_pages; i++)
        free_page(host->pages[i]);
    for (size_t i = 0; i < host->n_menu; i++)
        free_menu(host->menu[i]);
    for (size_t i = 0; i < host->n_providers; i++)
        free_provider(host->providers[i]);
    free(host->pages);
    free(host->menu);
    free(host->providers);
    host->pages = NULL;
    host->menu = NULL;
    host->providers = NULL;
    host->n_pages = host->n_menu = host->n_providers = 0;
}

/* ----- queries of host.h ----- */

const panel_page_t *panelhost_page(const panelhost_t *host, const char *page_id)
{
    const ph_page_rec_t *page = ph_registry_page(host, page_id);
    return page ? &page->desc : NULL;
}

const char *panelhost_page_plugin(const panelhost_t *host, const char *page_id)
{
    const ph_page_rec_t *page = ph_registry_page(host, page_id);
    return page ? page->owner->id : NULL;
}

const panel_field_t *panelhost_field_at(const panelhost_t *host, const char *page_id, size_t i)
{
    const ph_page_rec_t *page = ph_registry_page(host, page_id);
    return page && i < page->n_fields ? page->fields[i] : NULL;
}

const panel_table_t *panelhost_table_at(const panelhost_t *host, const char *page_id, size_t i)
{
    const ph_page_rec_t *page = ph_registry_page(host, page_id);
    return page && i < page->n_tables ? page->tables[i] : NULL;
}

const panel_action_t *panelhost_action_at(const panelhost_t *host, const char *page_id, size_t i)
{
    const ph_page_rec_t *page = ph_registry_page(host, page_id);
    return page && i < page->n_actions ? page->actions[i] : NULL;
}

size_t panelhost_auth_provider_count(const panelhost_t *host)
{
    return host ? host->n_providers : 0;
}

/* Menu order: the path's parent (all labels but the last), then order, then registration order. */
static size_t parent_len(const char *path)
{
    const char *last = NULL;
    for (const char *p = strstr(path, " > "); p; p = strstr(p + 3, " > "))
        last = p;
    return last ? (size_t)(last - path) : 0;
}

static int compare_menu(const void *a, const void *b)
{
    const ph_menu_rec_t *x = *(ph_menu_rec_t *const *)a;
    const ph_menu_rec_t *y = *(ph_menu_rec_t *const *)b;
    size_t xl = parent_len(x->desc.path), yl = parent_len(y->desc.path);
    size_t n = xl < yl ? xl : yl;
    int c = memcmp(x->desc.path, y->desc.path, n);
    if (c != 0)
        return c;
    if (xl != yl)
        return xl < yl ? -1 : 1;
    if (x->desc.order != y->desc.order)
        return x->desc.order < y->desc.order ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

size_t panelhost_menu(const panelhost_t *host, const panel_caller_t *caller, const panel_menu_entry_t **out,
                      size_t max)
{
    if (!host || !caller || !caller->role || host->n_menu == 0)
        return 0;
    ph_menu_rec_t **visible = malloc(host->n_menu * sizeof *visible);
    if (!visible)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < host->n_menu; i++) {
        ph_menu_rec_t *m = host->menu[i];
        const ph_page_rec_t *page = ph_registry_page(host, m->desc.page_id);
        if (page && panelhost_role_allows(host, caller->role, m->desc.permission) &&
            panelhost_role_allows(host, caller->role, page->desc.permission))
            visible[n++] = m;
    }
    qsort(visible, n, sizeof *visible, compare_menu);
    for (size_t i = 0; i < n && i < max && out; i++)
        out[i] = &visible[i]->desc;
    free(visible);
    return n;
}
