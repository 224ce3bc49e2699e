/* site_scopes.c - the site key's scopes (see site_scopes.h): read once from the host's catalogue at init, copied
 * into an ALLOW's result (auth_provider.c) without parsing anything per request; and the owner's words for them
 * (each id with the catalogue's description), the choice labels of a named key's scope checkboxes. */
#include "site_scopes.h"

#include <stdio.h>
#include <string.h>

/* Appends "id: description" (or the bare id) as one '|'-separated choice label; 0, or -1 when it does not fit. */
static int append_label(char *labels, size_t cap, size_t *used, const panel_api_scope_t *s)
{
    const char *d = PANEL_HAS_FIELD(panel_api_scope_t, s, description) && s->description ? s->description : "";
    size_t need = strlen(s->id) + (d[0] ? 2 + strlen(d) : 0) + (*used ? 1 : 0);
    if (*used + need >= cap)
        return -1;
    char *out = labels + *used;
    if (*used)
        *out++ = '|';
    out += sprintf(out, "%s%s", s->id, d[0] ? ": " : "");
    for (; *d; d++) /* one line, and never the choice separator */
        *out++ = *d == '|' ? '/' : ((unsigned char)*d < 0x20 ? ' ' : *d);
    *out = '\0';
    *used += need;
    return 0;
}

void apikeys_site_scopes_init(apikeys_state_t *st, const panel_host_t *host)
{
    st->site_scopes[0] = '\0';
    st->site_scopes_len = 0;
    st->scope_labels[0] = '\0';
    size_t labels_used = 0;
    int labels_fit = 1;
    if (!host || !PANEL_HAS_FIELD(panel_host_t, host, get_extension) || !host->get_extension)
        return;
    const panel_api_scopes_t *cat = host->get_extension(host, PANEL_EXT_API_SCOPES);
    if (!cat || !PANEL_HAS_FIELD(panel_api_scopes_t, cat, scopes) || !cat->scopes)
        return;
    size_t used = 0;
    for (uint32_t i = 0; i < cat->n_scopes; i++) {
        const panel_api_scope_t *s = cat->scopes[i];
        if (!s || !PANEL_HAS_FIELD(panel_api_scope_t, s, id) || !s->id || !s->id[0])
            continue;
        size_t n = strlen(s->id);
        if (used + (used ? 1 : 0) + n >= sizeof st->site_scopes) {
            apikeys_log(st, PANEL_LOG_WARN, "the host's API scope catalogue is longer than the site key's scope list "
                                            "holds; the scopes that did not fit are not shown");
            break;
        }
        if (used)
            st->site_scopes[used++] = ',';
        memcpy(st->site_scopes + used, s->id, n);
        used += n;
        if (labels_fit && append_label(st->scope_labels, sizeof st->scope_labels, &labels_used, s) != 0)
            labels_fit = 0;
    }
    if (!labels_fit)
        st->scope_labels[0] = '\0';
    st->site_scopes[used] = '\0';
    st->site_scopes_len = used;
}
