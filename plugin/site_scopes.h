/* site_scopes.h - the site key's scopes: every scope of the host's catalogue (ABI 1.1 extension
 * PANEL_EXT_API_SCOPES), so a host that names them (whoami) shows what the key may do. */
#ifndef APIKEYS_SITE_SCOPES_H
#define APIKEYS_SITE_SCOPES_H

#include "panel/plugin.h"
#include "plugin_state.h"

/* [init-only] Fills st->site_scopes from host->get_extension(PANEL_EXT_API_SCOPES): the ids comma-separated,
 * "" when the host offers no catalogue (a 1.0 host) or gives one this plugin cannot read. */
void apikeys_site_scopes_init(apikeys_state_t *st, const panel_host_t *host);

#endif
