/* api_scopes.h - the sample host's API scope catalogue: the scopes its routes require, with a description
 * each, read from `[host] api_scopes` in panel.ini ("ID: description; ID: description", default: the three
 * below). A plugin learns the catalogue from the host (so a key page offers exactly these scopes); each
 * route of router.c names the scope it requires, and the catalogue must hold every one of them. */
#ifndef SAMPLE_HOST_API_SCOPES_H
#define SAMPLE_HOST_API_SCOPES_H

#include <stddef.h>

#include "panel/host.h"

#define API_SCOPES_MAX 32
#define API_SCOPE_ID_MAX 64
#define API_SCOPE_DESCRIPTION_MAX 160

/* The scopes of the sample host's own routes. */
#define API_SCOPE_STORE_READ "store.read"
#define API_SCOPE_DELIVERIES_PULL "deliveries.pull"
#define API_SCOPE_DELIVERIES_ACK "deliveries.ack"

typedef struct api_scope {
    char id[API_SCOPE_ID_MAX + 1];                   /* [a-z0-9_.-], 1..64 bytes */
    char description[API_SCOPE_DESCRIPTION_MAX + 1]; /* UTF-8 text, 1..160 bytes */
} api_scope_t;

typedef struct api_scopes {
    size_t n;
    api_scope_t items[API_SCOPES_MAX];
} api_scopes_t;

/* Parses a value of [host] api_scopes (NULL: the default catalogue of the three scopes above). Returns 0,
 * or -1 with err naming the setting, the item and what to write. */
int api_scopes_parse(const char *value, api_scopes_t *out, char *err, size_t err_len);

/* Reads [host] api_scopes of the host's config and checks that it holds every scope a route requires
 * (router_required_scope). Returns 0, or -1 with err. */
int api_scopes_load(const panelhost_t *host, api_scopes_t *out, char *err, size_t err_len);

/* The entry with this id, or NULL. */
const api_scope_t *api_scopes_find(const api_scopes_t *scopes, const char *id);

#endif /* SAMPLE_HOST_API_SCOPES_H */
