/* cmd_web.h - the sample host commands of the web panel: `serve` (the web server, cmd_serve.c) and `passwd`
 * (set a web-panel user's password, cmd_passwd.c). Listed in the command table of cli_commands.c. */
#ifndef SAMPLE_HOST_CMD_WEB_H
#define SAMPLE_HOST_CMD_WEB_H

#include "cli.h"

/* serve [--listen HOST:PORT] */
int cmd_serve(cli_context_t *ctx);
/* passwd USER (password from the terminal, asked twice without echo, or one line of standard input) */
int cmd_passwd(cli_context_t *ctx);

#define WEB_CLI_SERVE_SUMMARY "the web admin panel and HTTP API (libmicrohttpd), until SIGINT/SIGTERM"
#define WEB_CLI_SERVE_HELP                                                                                   \
    "Serves the admin panel (/login, /admin/PAGE) and the HTTP API (GET /healthz, GET /api/v1/ping,\n"      \
    "GET /api/v1/store) until SIGINT or SIGTERM, then finishes the requests in flight and exits 0.\n"         \
    "  --listen HOST:PORT   where to listen (default: [host] listen, else 127.0.0.1:8080; port 0 picks a\n"   \
    "                       free port). Only loopback addresses are private: anything else warns.\n"          \
    "Prints the URL on standard output. On the first run (user admin in the config, no password stored)\n"   \
    "it creates admin's password at random and prints it once. One access-log line per request goes to\n"    \
    "standard error (path only: never a query string, key, cookie or form value).\n"
#define WEB_CLI_PASSWD_SUMMARY "set the web-panel password of USER (ends their sessions)"
#define WEB_CLI_PASSWD_HELP                                                                                  \
    "Sets the web-panel password of USER (a [user:USER] of the config). From a terminal it asks twice\n"   \
    "without echo; otherwise it reads one line of standard input. 8 to 1024 characters. The hash\n"         \
    "(argon2id, libsodium crypto_pwhash_str) is kept in DATA_DIR/admin-passwords (0600), never in the\n"     \
    "config. Every session of USER ends, also in a running server.\n"

#endif /* SAMPLE_HOST_CMD_WEB_H */
