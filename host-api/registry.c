/* registry.c - the host's registry of what plugins registered: validates each descriptor (sizes, ids, texts,
 * callbacks), deep-copies it, keeps it per page / menu / auth provider, answers the registry queries of
 * host.h, and drops a plugin's registrations on unload or failed init. */
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

/* The id for messages: "" for a NULL one; never dereferences more than the caller validated. */
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

#define ID_PROBLEM "must be 1-64 bytes of a-z 0-9 _ -"
#define PH_FLAGS_KNOWN PANEL_FLAG_DANGEROUS /* every PANEL_FLAG_* of ABI 1.0 */

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

static int32_t check_registering(ph_plugin_t *plugin, char *err, size_t err_len, const char *kind,
                                 const void *desc)
{
    if (!plugin->initializing)
        return reg_fail(plugin, err, err_len, PANEL_E_STATE, kind, NULL,
                        "registrations are accepted only during init");
    if (!desc)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, kind, NULL, "the descriptor pointer is NULL");
    return PANEL_OK;
}

/* The page a field/table/action goes on: registered by this plugin. */
static int32_t owned_page(ph_plugin_t *plugin, const char *page_id, const char *kind, const char *id,
                          char *err, size_t err_len, ph_page_rec_t **out)
{
    ph_page_rec_t *page = ph_registry_page(plugin->host, page_id);
    if (!page || page->owner != plugin)
        return reg_fail(plugin, err, err_len, PANEL_E_NOT_FOUND, kind, id,
                        "page '%.*s' was not registered by this plugin; call add_page first", 80,
                        shown_id(page_id));
    *out = page;
    return PANEL_OK;
}

/* ----- freeing host copies ----- */

static void free_str(const char *s)
{
    free((void *)s);
}

static void free_field(panel_field_t *f)
{
    if (!f)
        return;
    free_str(f->id);
    free_str(f->label);
    free_str(f->help);
    free_str(f->confirm);
    free(f);
}

static void free_table(panel_table_t *t)
{
    if (!t)
        return;
    free_str(t->id);
    free_str(t->title);
    if (t->columns)
        for (uint32_t i = 0; i < t->n_columns; i++)
            free_str(t->columns[i]);
    free((void *)t->columns);
    free(t);
}

static void free_param(panel_param_t *p)
{
    if (!p)
        return;
    free_str(p->id);
    free_str(p->label);
    free_str(p->help);
    free_str(p->choices);
    free_str(p->default_value);
    free(p);
}

static void free_action(panel_action_t *a)
{
    if (!a)
        return;
    free_str(a->id);
    free_str(a->label);
    free_str(a->help);
    free_str(a->confirm);
    if (a->params)
        for (uint32_t i = 0; i < a->n_params; i++)
            free_param((panel_param_t *)a->params[i]);
    free((void *)a->params);
    free(a);
}

static void free_page(ph_page_rec_t *p)
{
    for (size_t i = 0; i < p->n_fields; i++)
        free_field(p->fields[i]);
    for (size_t i = 0; i < p->n_tables; i++)
        free_table(p->tables[i]);
    for (size_t i = 0; i < p->n_actions; i++)
        free_action(p->actions[i]);
    free(p->fields);
    free(p->tables);
    free(p->actions);
    free_str(p->desc.id);
    free_str(p->desc.title);
    free_str(p->desc.description);
    free_str(p->desc.permission);
    free(p);
}

static void free_menu(ph_menu_rec_t *m)
{
    free_str(m->desc.id);
    free_str(m->desc.path);
    free_str(m->desc.page_id);
    free_str(m->desc.permission);
    free(m);
}

static void free_provider(ph_provider_rec_t *p)
{
    free_str(p->desc.id);
    free_str(p->desc.description);
    free(p);
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

/* Duplicates the listed strings in place (each *slot is the plugin's pointer); 0 when out of memory, in which
 * case the slots already copied are owned copies and the others NULL. */
static int dup_strings(const char **slots[], size_t n)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const char *orig = *slots[i];
        *slots[i] = NULL;
        if (orig && ok) {
            *slots[i] = ph_strdup(orig);
            if (!*slots[i])
                ok = 0;
        }
    }
    return ok;
}

static int32_t out_of_memory(ph_plugin_t *plugin, char *err, size_t err_len, const char *kind, const char *id)
{
    return reg_fail(plugin, err, err_len, PANEL_E_NOMEM, kind, id, "out of memory");
}

/* ----- add_page ----- */

static int32_t add_page(const panel_host_t *table, const panel_page_t *page, char *err, size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(table);
    int32_t rc = check_registering(plugin, err, err_len, "page", page);
    if (rc != PANEL_OK)
        return rc;
    panel_page_t d;
    char why[256];
    const char *problem = copy_struct(page, PH_V10_PAGE, &d, sizeof d, why, sizeof why);
    if (problem)
        return reg_fail(plugin, err, err_len, PANEL_E_VERSION, "page", NULL, "%s", problem);
    if (!ph_id_valid(d.id, "-/."))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "page", shown_id(d.id),
                        "the id must be 1-64 bytes of a-z 0-9 _ - / .");
    if ((problem = text_problem(d.title, 1, 0)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "page", d.id, "title %s", problem);
    if ((problem = text_problem(d.description, 0, 1)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "page", d.id, "description %s", problem);
    if (!ph_permission_pattern_valid(d.permission) || strchr(d.permission, '*'))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "page", d.id,
                        "permission must be a name such as 'settings.api_key' (a-z 0-9 _ - joined by '.')");
    if (ph_registry_page(plugin->host, d.id))
        return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, "page", d.id,
                        "another page has this id; choose a unique one (e.g. prefix it with the plugin id)");
    ph_page_rec_t *rec = calloc(1, sizeof *rec);
    if (!rec)
        return out_of_memory(plugin, err, err_len, "page", d.id);
    d.struct_size = sizeof d;
    rec->desc = d;
    rec->owner = plugin;
    const char **slots[] = {&rec->desc.id, &rec->desc.title, &rec->desc.description, &rec->desc.permission};
    if (!dup_strings(slots, 4) || !push((void ***)&plugin->host->pages, &plugin->host->n_pages, rec)) {
        free_page(rec);
        return out_of_memory(plugin, err, err_len, "page", d.id);
    }
    return PANEL_OK;
}

/* ----- add_menu_entry ----- */

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

static int32_t add_menu_entry(const panel_host_t *table, const panel_menu_entry_t *entry, char *err,
                              size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(table);
    int32_t rc = check_registering(plugin, err, err_len, "menu entry", entry);
    if (rc != PANEL_OK)
        return rc;
    panel_menu_entry_t d;
    char why[256];
    const char *problem = copy_struct(entry, PH_V10_MENU, &d, sizeof d, why, sizeof why);
    if (problem)
        return reg_fail(plugin, err, err_len, PANEL_E_VERSION, "menu entry", NULL, "%s", problem);
    if (!ph_id_valid(d.id, "-/."))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "menu entry", shown_id(d.id),
                        "the id must be 1-64 bytes of a-z 0-9 _ - / .");
    if ((problem = menu_path_problem(d.path)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "menu entry", d.id, "path %s", problem);
    if (!ph_id_valid(d.page_id, "-/."))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "menu entry", d.id,
                        "page_id must name a page of this plugin");
    if (!ph_permission_pattern_valid(d.permission) || strchr(d.permission, '*'))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "menu entry", d.id,
                        "permission must be a name such as 'settings.api_key' (a-z 0-9 _ - joined by '.')");
    panelhost_t *host = plugin->host;
    for (size_t i = 0; i < host->n_menu; i++)
        if (strcmp(host->menu[i]->desc.id, d.id) == 0)
            return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, "menu entry", d.id,
                            "another menu entry has this id; choose a unique one");
    ph_menu_rec_t *rec = calloc(1, sizeof *rec);
    if (!rec)
        return out_of_memory(plugin, err, err_len, "menu entry", d.id);
    d.struct_size = sizeof d;
    rec->desc = d;
    rec->owner = plugin;
    rec->seq = host->menu_seq++;
    const char **slots[] = {&rec->desc.id, &rec->desc.path, &rec->desc.page_id, &rec->desc.permission};
    if (!dup_strings(slots, 4) || !push((void ***)&host->menu, &host->n_menu, rec)) {
        free_menu(rec);
        return out_of_memory(plugin, err, err_len, "menu entry", d.id);
    }
    return PANEL_OK;
}

/* ----- add_field ----- */

static int32_t add_field(const panel_host_t *table, const char *page_id, const panel_field_t *field, char *err,
                         size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(table);
    int32_t rc = check_registering(plugin, err, err_len, "field", field);
    if (rc != PANEL_OK)
        return rc;
    panel_field_t d;
    char why[256];
    const char *problem = copy_struct(field, PH_V10_FIELD, &d, sizeof d, why, sizeof why);
    if (problem)
        return reg_fail(plugin, err, err_len, PANEL_E_VERSION, "field", NULL, "%s", problem);
    if (!ph_id_valid(d.id, "-"))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", shown_id(d.id), "the id " ID_PROBLEM);
    ph_page_rec_t *page = NULL;
    if ((rc = owned_page(plugin, page_id, "field", d.id, err, err_len, &page)) != PANEL_OK)
        return rc;
    if ((problem = text_problem(d.label, 1, 0)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id, "label %s", problem);
    if ((problem = text_problem(d.help, 0, 1)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id, "help %s", problem);
    if (d.type < PANEL_FIELD_TOGGLE || d.type > PANEL_FIELD_READONLY)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id,
                        "type %d is unknown; use PANEL_FIELD_TOGGLE, _TEXT, _SECRET or _READONLY", (int)d.type);
    if (d.flags & ~(uint32_t)PH_FLAGS_KNOWN)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id,
                        "flags 0x%x has bits this host does not know (0x%x); use only PANEL_FLAG_DANGEROUS",
                        (unsigned)d.flags, (unsigned)(d.flags & ~(uint32_t)PH_FLAGS_KNOWN));
    if (d.flags & PANEL_FLAG_DANGEROUS) {
        if ((problem = text_problem(d.confirm, 1, 1)))
            return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id,
                            "is dangerous, so confirm (the text the owner must accept) %s", problem);
    } else if ((problem = text_problem(d.confirm, 0, 1))) {
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id, "confirm %s", problem);
    }
    if (!d.get)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id, "the get callback is NULL");
    if (d.type == PANEL_FIELD_READONLY && d.set)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id,
                        "a read-only field must have set = NULL");
    if (d.type != PANEL_FIELD_READONLY && !d.set)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "field", d.id,
                        "the set callback is NULL; give it one or make the field PANEL_FIELD_READONLY");
    for (size_t i = 0; i < page->n_fields; i++)
        if (strcmp(page->fields[i]->id, d.id) == 0)
            return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, "field", d.id,
                            "page '%s' already has a field with this id", page->desc.id);
    panel_field_t *copy = malloc(sizeof *copy);
    if (!copy)
        return out_of_memory(plugin, err, err_len, "field", d.id);
    d.struct_size = sizeof d;
    *copy = d;
    const char **slots[] = {&copy->id, &copy->label, &copy->help, &copy->confirm};
    if (!dup_strings(slots, 4) || !push((void ***)&page->fields, &page->n_fields, copy)) {
        free_field(copy);
        return out_of_memory(plugin, err, err_len, "field", d.id);
    }
    return PANEL_OK;
}

/* ----- add_table ----- */

static int32_t add_table(const panel_host_t *host_table, const char *page_id, const panel_table_t *table,
                         char *err, size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(host_table);
    int32_t rc = check_registering(plugin, err, err_len, "table", table);
    if (rc != PANEL_OK)
        return rc;
    panel_table_t d;
    char why[256];
    const char *problem = copy_struct(table, PH_V10_TABLE, &d, sizeof d, why, sizeof why);
    if (problem)
        return reg_fail(plugin, err, err_len, PANEL_E_VERSION, "table", NULL, "%s", problem);
    if (!ph_id_valid(d.id, "-"))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "table", shown_id(d.id), "the id " ID_PROBLEM);
    ph_page_rec_t *page = NULL;
    if ((rc = owned_page(plugin, page_id, "table", d.id, err, err_len, &page)) != PANEL_OK)
        return rc;
    if ((problem = text_problem(d.title, 1, 0)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "table", d.id, "title %s", problem);
    if (d.n_columns < 1 || d.n_columns > 32)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "table", d.id,
                        "n_columns is %u; a table has 1 to 32 columns", d.n_columns);
    if (!d.columns)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "table", d.id, "columns is NULL");
    for (uint32_t i = 0; i < d.n_columns; i++)
        if ((problem = text_problem(d.columns[i], 1, 0)))
            return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "table", d.id, "column %u title %s", i,
                            problem);
    if (!d.read)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "table", d.id, "the read callback is NULL");
    for (size_t i = 0; i < page->n_tables; i++)
        if (strcmp(page->tables[i]->id, d.id) == 0)
            return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, "table", d.id,
                            "page '%s' already has a table with this id", page->desc.id);
    panel_table_t *copy = calloc(1, sizeof *copy);
    const char **columns = calloc(d.n_columns, sizeof *columns);
    if (!copy || !columns) {
        free(copy);
        free(columns);
        return out_of_memory(plugin, err, err_len, "table", d.id);
    }
    const char *const *plugin_columns = d.columns;
    d.struct_size = sizeof d;
    *copy = d;
    copy->columns = columns;
    int ok = 1;
    for (uint32_t i = 0; i < d.n_columns && ok; i++)
        ok = (columns[i] = ph_strdup(plugin_columns[i])) != NULL;
    const char **slots[] = {&copy->id, &copy->title};
    if (!ok || !dup_strings(slots, 2) || !push((void ***)&page->tables, &page->n_tables, copy)) {
        if (ok)
            free_table(copy);
        else {
            for (uint32_t i = 0; i < d.n_columns; i++)
                free_str(columns[i]);
            free(columns);
            free(copy);
        }
        return out_of_memory(plugin, err, err_len, "table", d.id);
    }
    return PANEL_OK;
}

/* ----- add_action ----- */

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

/* Validates and copies one parameter into *out (NULL on failure, with the reason in why). */
static int32_t copy_param(const panel_param_t *src, panel_param_t **out, char *why, size_t why_len)
{
    *out = NULL;
    if (!src) {
        snprintf(why, why_len, "is a NULL pointer");
        return PANEL_E_INVALID;
    }
    panel_param_t d;
    char size_why[256];
    const char *problem = copy_struct(src, PH_V10_PARAM, &d, sizeof d, size_why, sizeof size_why);
    if (problem) {
        snprintf(why, why_len, "%s", problem);
        return PANEL_E_VERSION;
    }
    if (!ph_id_valid(d.id, "-")) {
        snprintf(why, why_len, "'%.80s': the id " ID_PROBLEM, shown_id(d.id));
        return PANEL_E_INVALID;
    }
    if ((problem = text_problem(d.label, 1, 0)) || (problem = text_problem(d.help, 0, 1))) {
        snprintf(why, why_len, "'%s': label or help %s", d.id, problem);
        return PANEL_E_INVALID;
    }
    if (d.type == PANEL_PARAM_ENUM) {
        if ((problem = choices_problem(d.choices))) {
            snprintf(why, why_len, "'%s': an enum parameter's choices %s", d.id, problem);
            return PANEL_E_INVALID;
        }
        if (d.default_value && !ph_choice_member(d.choices, d.default_value)) {
            snprintf(why, why_len,
                     "'%s': an enum parameter's default_value must be one of \"%.200s\" (or NULL: required)", d.id,
                     d.choices);
            return PANEL_E_INVALID;
        }
    } else if (d.type == PANEL_PARAM_TEXT) {
        d.choices = NULL;
        if (d.default_value &&
            (strlen(d.default_value) > PANEL_VALUE_MAX || !ph_utf8_valid(d.default_value, strlen(d.default_value)))) {
            snprintf(why, why_len, "'%s': default_value is longer than 4096 bytes or not UTF-8", d.id);
            return PANEL_E_INVALID;
        }
    } else {
        snprintf(why, why_len, "'%s': type %d is unknown; use PANEL_PARAM_TEXT or PANEL_PARAM_ENUM", d.id,
                 (int)d.type);
        return PANEL_E_INVALID;
    }
    panel_param_t *copy = malloc(sizeof *copy);
    if (!copy) {
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    d.struct_size = sizeof d;
    *copy = d;
    const char **slots[] = {&copy->id, &copy->label, &copy->help, &copy->choices, &copy->default_value};
    if (!dup_strings(slots, 5)) {
        free_param(copy);
        snprintf(why, why_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    *out = copy;
    return PANEL_OK;
}

static int32_t add_action(const panel_host_t *table, const char *page_id, const panel_action_t *action,
                          char *err, size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(table);
    int32_t rc = check_registering(plugin, err, err_len, "action", action);
    if (rc != PANEL_OK)
        return rc;
    panel_action_t d;
    char why[512];
    const char *problem = copy_struct(action, PH_V10_ACTION, &d, sizeof d, why, sizeof why);
    if (problem)
        return reg_fail(plugin, err, err_len, PANEL_E_VERSION, "action", NULL, "%s", problem);
    if (!ph_id_valid(d.id, "-"))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", shown_id(d.id), "the id " ID_PROBLEM);
    ph_page_rec_t *page = NULL;
    if ((rc = owned_page(plugin, page_id, "action", d.id, err, err_len, &page)) != PANEL_OK)
        return rc;
    if ((problem = text_problem(d.label, 1, 0)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id, "label %s", problem);
    if ((problem = text_problem(d.help, 0, 1)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id, "help %s", problem);
    if (d.flags & ~(uint32_t)PH_FLAGS_KNOWN)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id,
                        "flags 0x%x has bits this host does not know (0x%x); use only PANEL_FLAG_DANGEROUS",
                        (unsigned)d.flags, (unsigned)(d.flags & ~(uint32_t)PH_FLAGS_KNOWN));
    if (d.flags & PANEL_FLAG_DANGEROUS) {
        if ((problem = text_problem(d.confirm, 1, 1)))
            return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id,
                            "is dangerous, so confirm (the text the owner must accept) %s", problem);
    } else if ((problem = text_problem(d.confirm, 0, 1))) {
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id, "confirm %s", problem);
    }
    if (!d.run)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id, "the run callback is NULL");
    if (d.n_params > 16)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id,
                        "n_params is %u; an action has at most 16 parameters", d.n_params);
    if (d.n_params > 0 && !d.params)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "action", d.id,
                        "params is NULL but n_params is %u", d.n_params);
    for (size_t i = 0; i < page->n_actions; i++)
        if (strcmp(page->actions[i]->id, d.id) == 0)
            return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, "action", d.id,
                            "page '%s' already has an action with this id", page->desc.id);

    panel_param_t **params = d.n_params ? calloc(d.n_params, sizeof *params) : NULL;
    if (d.n_params && !params)
        return out_of_memory(plugin, err, err_len, "action", d.id);
    for (uint32_t i = 0; i < d.n_params; i++) {
        rc = copy_param(d.params[i], &params[i], why, sizeof why);
        for (uint32_t k = 0; rc == PANEL_OK && k < i; k++)
            if (strcmp(params[k]->id, params[i]->id) == 0) {
                snprintf(why, sizeof why, "'%s' is declared twice", params[i]->id);
                rc = PANEL_E_CONFLICT;
            }
        if (rc != PANEL_OK) {
            for (uint32_t k = 0; k <= i; k++)
                free_param(params[k]);
            free(params);
            return reg_fail(plugin, err, err_len, rc, "action", d.id, "parameter %u %s", i, why);
        }
    }
    panel_action_t *copy = malloc(sizeof *copy);
    if (!copy) {
        for (uint32_t k = 0; k < d.n_params; k++)
            free_param(params[k]);
        free(params);
        return out_of_memory(plugin, err, err_len, "action", d.id);
    }
    d.struct_size = sizeof d;
    *copy = d;
    copy->params = (const panel_param_t *const *)params;
    const char **slots[] = {&copy->id, &copy->label, &copy->help, &copy->confirm};
    if (!dup_strings(slots, 4) || !push((void ***)&page->actions, &page->n_actions, copy)) {
        free_action(copy);
        return out_of_memory(plugin, err, err_len, "action", d.id);
    }
    return PANEL_OK;
}

/* ----- add_auth_provider ----- */

static int32_t add_auth_provider(const panel_host_t *table, const panel_auth_provider_t *provider, char *err,
                                 size_t err_len)
{
    ph_plugin_t *plugin = plugin_of(table);
    int32_t rc = check_registering(plugin, err, err_len, "auth provider", provider);
    if (rc != PANEL_OK)
        return rc;
    panel_auth_provider_t d;
    char why[256];
    const char *problem = copy_struct(provider, PH_V10_PROVIDER, &d, sizeof d, why, sizeof why);
    if (problem)
        return reg_fail(plugin, err, err_len, PANEL_E_VERSION, "auth provider", NULL, "%s", problem);
    if (!ph_id_valid(d.id, "-/."))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "auth provider", shown_id(d.id),
                        "the id must be 1-64 bytes of a-z 0-9 _ - / .");
    if ((problem = text_problem(d.description, 0, 1)))
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "auth provider", d.id, "description %s",
                        problem);
    if (!d.authenticate)
        return reg_fail(plugin, err, err_len, PANEL_E_INVALID, "auth provider", d.id,
                        "the authenticate callback is NULL");
    panelhost_t *host = plugin->host;
    for (size_t i = 0; i < host->n_providers; i++)
        if (strcmp(host->providers[i]->desc.id, d.id) == 0)
            return reg_fail(plugin, err, err_len, PANEL_E_CONFLICT, "auth provider", d.id,
                            "another auth provider has this id; choose a unique one");
    ph_provider_rec_t *rec = calloc(1, sizeof *rec);
    if (!rec)
        return out_of_memory(plugin, err, err_len, "auth provider", d.id);
    d.struct_size = sizeof d;
    rec->desc = d;
    rec->owner = plugin;
    const char **slots[] = {&rec->desc.id, &rec->desc.description};
    if (!dup_strings(slots, 2) || !push((void ***)&host->providers, &host->n_providers, rec)) {
        free_provider(rec);
        return out_of_memory(plugin, err, err_len, "auth provider", d.id);
    }
    return PANEL_OK;
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
