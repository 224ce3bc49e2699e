/* web_server.h - the sample host's web server (libmicrohttpd, a pool of worker threads): the admin panel,
 * the HTTP API through the shared request router, the built-in static files, security headers, an access
 * log on stderr without query strings, keys, cookies or form values, and a graceful stop on SIGINT/SIGTERM. */
#ifndef SAMPLE_HOST_WEB_SERVER_H
#define SAMPLE_HOST_WEB_SERVER_H

#include <stddef.h>

#include "panel/host.h"

#define WEB_DEFAULT_LISTEN "127.0.0.1:8080"

/* Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns 0. `listen` is
 * "HOST:PORT" (port 0 picks a free one); NULL uses [host] listen, else WEB_DEFAULT_LISTEN. Prints the URL
 * (and, on the first run, admin's generated password) on stdout. Plugins must be loaded before; none is
 * loaded or unloaded by the caller while serving; the server itself
 * applies extension changes (web_extensions.h). Returns -1 with a message in err when it cannot start. */
int web_serve(panelhost_t *host, const char *listen, const char *config_path, char *err, size_t err_len);

#endif /* SAMPLE_HOST_WEB_SERVER_H */
