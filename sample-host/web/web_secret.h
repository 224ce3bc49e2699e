/* web_secret.h - the box that shows a one-time secret once, right after the action that revealed it: the secret
 * in a selectable read-only input with a Copy button, and, when an auth provider guards this host's API, a ready
 * command that tries it against GET /api/v1/whoami (its URL from [host] public_url, else the request's Host). */
#ifndef SAMPLE_HOST_WEB_SECRET_H
#define SAMPLE_HOST_WEB_SECRET_H

#include "panel/host.h"
#include "web_html.h"

/* source: the label of the action that revealed the secret; host_header: the request's Host (nullable). */
void web_render_secret(web_buf_t *b, const panelhost_t *host, const char *source, const char *secret,
                       const char *host_header);

#endif /* SAMPLE_HOST_WEB_SECRET_H */
