/* web_assets.h - the admin panel's static files (style sheet, the copy-button script), built into the
 * program so the panel works offline and the Content-Security-Policy can forbid everything external. */
#ifndef SAMPLE_HOST_WEB_ASSETS_H
#define SAMPLE_HOST_WEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
    const char *path;           /* e.g. "/static/panel.css" */
    const char *content_type;
    const char *body;
} web_asset_t;

/* The asset served at `path`, or NULL. */
const web_asset_t *web_asset_find(const char *path);

#endif /* SAMPLE_HOST_WEB_ASSETS_H */
