/* api_scopes.c - the sample host's API scope catalogue (see api_scopes.h): [host] api_scopes through the
 * library's parser (panelhost_set_api_scopes_text), its default, and the check that it holds every scope a route
 * requires. */
#include "api_scopes.h"

#include <stdio.h>
#include <string.h>

#include "router.h"

static const char default_catalogue[] =
    API_SCOPE_STORE_READ ": Read the store's name and currency; "
    API_SCOPE_DELIVERIES_PULL ": Pull the deliveries waiting for the game server; "
    API_SCOPE_DELIVERIES_ACK ": Mark pulled deliveries as delivered";

static int catalogue_has(const panel_api_scopes_t *cat, const char *id)
{
    for (uint32_t i = 0; cat != NULL && i < cat->n_scopes; i++)
        if (strcmp(cat->scopes[i]->id, id) == 0)
            return 1;
    return 0;
}

int api_scopes_apply(panelhost_t *host, char *err, size_t err_len)
{
    const char *value = panelhost_config_get(host, "host", "api_scopes");
    if (panelhost_set_api_scopes_text(host, value != NULL ? value : default_catalogue, err, err_len) != PANEL_OK)
        return -1;
    const panel_api_scopes_t *cat = panelhost_api_scopes(host);
    for (size_t i = 0;; i++) {
        const char *route = NULL;
        const char *scope = router_required_scope(i, &route);
        if (route == NULL)
            break;
        if (strcmp(scope, PANEL_SCOPE_NONE) != 0 && !catalogue_has(cat, scope)) {
            snprintf(err, err_len, "[host] api_scopes lacks scope %s, which the route %s requires; add it, e.g. '%s: "
                     "what it allows'", scope, route, scope);
            return -1;
        }
    }
    return 0;
}
