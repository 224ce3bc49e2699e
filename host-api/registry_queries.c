/* registry_queries.c - what a host asks the registry (the queries of host.h and ph_registry_page): pages and
 * what is on them, the auth providers' count, and the menu a role sees, in menu order. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

ph_page_rec_t *ph_registry_page(const panelhost_t *host, const char *page_id)
{
    if (!host || !page_id)
        return NULL;
    for (size_t i = 0; i < host->n_pages; i++)
        if (strcmp(host->pages[i]->desc.id, page_id) == 0)
            return host->pages[i];
    return NULL;
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
