/* openapi.h - the OpenAPI 3.1 description of the sample host's HTTP API, built from the router's own route table
 * (router_routes.h) and the host's scope catalogue, so it cannot drift from the routes: served at
 * GET /api/v1/openapi.json, printed by `sample-host openapi` and committed as docs/openapi.json. */
#ifndef SAMPLE_HOST_OPENAPI_H
#define SAMPLE_HOST_OPENAPI_H

#include <jansson.h>

#include "panel/host.h"

/* The document (a new reference), or NULL when it could not be built (out of memory, or a route's schema or
 * example is not JSON: a bug the test of the document finds). [thread-safe]. */
json_t *openapi_document(panelhost_t *host);

#endif /* SAMPLE_HOST_OPENAPI_H */
