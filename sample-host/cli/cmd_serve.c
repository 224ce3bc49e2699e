/* cmd_serve.c - the `serve` command: runs the web server of web_server.c with the loaded host. */
#include "cmd_web.h"

#include "web_server.h"

int cmd_serve(cli_context_t *ctx)
{
    char err[1024] = "";
    if (web_serve(ctx->host, ctx->inv->listen, ctx->inv->config_path, err, sizeof err) != 0)
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "serve", "cannot serve: %s", err);
    return CLI_EXIT_OK;
}
