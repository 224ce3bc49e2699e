/* site_scopes.c - the site key's scopes (see site_scopes.h): read once from the host's catalogue at init, copied
 * into an ALLOW's result (auth_provider.c) without parsing anything per request. */
#include "site_scopes.h"

#include <string.h>

void apikeys_site_scopes_init(apikeys_state_t *st, const panel_host_t *host)
{
    st->site_scopes[0] = '\0';
    st->site_scopes_len = 0;
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
    }
    st->site_scopes[used] = '\0';
    st->site_scopes_len = used;
}
