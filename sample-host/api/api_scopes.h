/* api_scopes.h - the sample host's API scope catalogue: the scopes its routes require, with a description
 * each, read from `[host] api_scopes` in panel.ini ("ID: description; ID: description", default: the three
 * below). A plugin learns the catalogue from the host (so a key page offers exactly these scopes); each
 * route of router.c names the scope it requires, and the catalogue must hold every one of them. */
#ifndef SAMPLE_HOST_API_SCOPES_H
#define SAMPLE_HOST_API_SCOPES_H

#include "panel/host.h"

/* The scopes of the sample host's own routes. */
#define API_SCOPE_STORE_READ "store.read"
#define API_SCOPE_DELIVERIES_PULL "deliveries.pull"
#define API_SCOPE_DELIVERIES_ACK "deliveries.ack"

/* Sets the host's catalogue from [host] api_scopes (without it: the default catalogue of the three scopes
 * above) and checks that it holds every scope a route requires (router_required_scope). Only before plugins
 * load. Returns 0, or -1 with err naming the setting, the item and what to write. */
int api_scopes_apply(panelhost_t *host, char *err, size_t err_len);

#endif /* SAMPLE_HOST_API_SCOPES_H */
