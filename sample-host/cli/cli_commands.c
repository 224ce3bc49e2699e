/* cli_commands.c - the sample host's command table: each command's name, arguments, options, whether it
 * acts as an admin user, and its help text. */
#include <string.h>

#include "cli.h"
#include "cmd_web.h"
#include "cmd_extensions.h"

static const cli_command_t commands[] = {
    {"plugins", 0, 0, 0, 0, cmd_plugins, "plugins",
     "loaded plugins: id, name, version, ABI version, file",
     "Lists the loaded plugins in load order.\n"
     "--json: [{\"id\",\"name\",\"version\",\"abi\",\"description\",\"file\"}]\n"},
    {"menu", 0, 0, 0, 1, cmd_menu, "menu",
     "the admin menu the acting user may see",
     "Lists the menu entries the acting user (--as) may see, with the page each opens.\n"
     "--json: [{\"id\",\"path\",\"page\",\"order\"}]\n"},
    {"page", 1, 1, 0, 1, cmd_page, "page PAGE",
     "one page: status, fields with current values, actions, first table rows",
     "Shows page PAGE: its status lines, its fields with their current values (a secret field shows only\n"
     "the hint its plugin gives, never the secret), its actions with their parameters, and the newest rows\n"
     "of its tables.\n"
     "--json: {\"id\",\"title\",\"description\",\"permission\",\"status\":[{\"label\",\"value\"}],\n"
     "         \"fields\":[{\"id\",\"label\",\"type\",\"value\",\"help\",\"dangerous\",\"confirm\"}],\n"
     "         \"actions\":[{\"id\",\"label\",\"help\",\"dangerous\",\"confirm\",\"params\":[{\"id\",\"label\",\"help\",\n"
     "                     \"type\",\"choices\",\"default\",\"required\"}]}],\n"
     "         \"tables\":[{\"id\",\"title\",\"columns\":[...],\"rows\":[[...]]}]}\n"
     "A part that cannot be read carries an \"error\" member and the exit status is 1.\n"},
    {"table", 2, 2, CLI_OPT_LIMIT, 1, cmd_table, "table PAGE TABLE [--limit N]",
     "a table's rows, newest first",
     "Shows up to N (default 50, at most 100000) rows of table TABLE on page PAGE, newest first.\n"
     "  --limit N, -n N   how many rows\n"
     "--json: an array of objects keyed by the column titles.\n"},
    {"set", 3, 3, CLI_OPT_YES, 1, cmd_set, "set PAGE FIELD VALUE|- [--yes]",
     "set one field (VALUE '-' reads it from standard input)",
     "Sets field FIELD of page PAGE. The plugin validates the value exactly as given.\n"
     "  VALUE   the new value; '-' reads it from standard input exactly as given, up to 4096 bytes,\n"
     "          which keeps a secret out of the process list. Note that `echo VALUE |` adds a newline,\n"
     "          which is part of the value; use `printf '%s' VALUE |` instead. A value that starts with\n"
     "          '-' goes after `--`: set PAGE FIELD -- -VALUE\n"
     "  --yes, -y   confirm a dangerous field; without it the change is refused (exit 1) and the\n"
     "              confirmation text is shown\n"
     "--json: {\"ok\":true,\"message\",\"page\",\"field\"}\n"},
    {"action", 2, 2, CLI_OPT_YES | CLI_OPT_PARAM | CLI_OPT_RECORD, 1, cmd_action,
     "action PAGE ACTION [--record ID] [--yes] [--param NAME=VALUE]...",
     "run an action (a row action on one record)",
     "Runs action ACTION of page PAGE.\n"
     "  --record ID, -r ID   the record a row action acts on (a row of its table; `page PAGE` lists the\n"
     "                       row actions and the records); a page action takes none\n"
     "  --param NAME=VALUE, -p NAME=VALUE   a parameter of the action (see `page PAGE` for them); a list\n"
     "                       parameter takes comma-separated items, e.g. --param scopes=store.read,deliveries.pull\n"
     "  --yes, -y   confirm a dangerous action; without it the action is refused (exit 1) and the\n"
     "              confirmation text is shown\n"
     "An action `page` shows as not available now still runs and gives its own answer.\n"
     "When the action reveals a new secret (e.g. an API key), it is printed once, labelled, and never shown\n"
     "again: store it at once.\n"
     "--json: {\"ok\":true,\"message\"} plus \"secret\" when the action revealed one and \"record\" when it\n"
     "        created a record (its id)\n"},
    {"call", 2, 2, CLI_OPT_HEADER | CLI_OPT_DATA | CLI_OPT_FROM, 0, cmd_call,
     "call METHOD PATH [-H 'Name: value']... [-d BODY] [--from ADDR]",
     "an API request as an external tool would send it",
     "Sends one request through the host's router, as an HTTP client would (client address \"local\").\n"
     "Routes: GET /healthz and GET /api/v1/openapi.json (no authentication; `openapi` prints the latter);\n"
     "behind the plugins' auth providers GET /api/v1/ping,\n"
     "GET /api/v1/whoami, GET /api/v1/store (scope store.read), POST /api/v1/deliveries/pull (scope\n"
     "deliveries.pull; form body limit=N, 1 to 100, default 10) and POST /api/v1/deliveries/ack (scope\n"
     "deliveries.ack; JSON body {\"ids\":[...]}).\n"
     "  -H 'Name: value', --header 'Name: value'   a request header (names are case-insensitive)\n"
     "  -d BODY, --data BODY   the request body, sent as a form (application/x-www-form-urlencoded) unless\n"
     "                         -H gives a Content-Type, e.g. -H 'Content-Type: application/json'\n"
     "  --from ADDR   the client address the request claims (IPv4 or IPv6), for address-based rules\n"
     "Prints the HTTP status, the Deprecation and Sunset headers when the key is going away (in its\n"
     "grace period after a reset, or expiring soon), and the JSON body. Exit status 0 for a 2xx\n"
     "answer, else 1.\n"
     "--json: {\"status\":N,\"body\":{...}}, with \"headers\":{\"Deprecation\":...,\"Sunset\":...} when sent\n"},
    {"deliveries", 0, 3, 0, 1, cmd_deliveries, "deliveries [add USERNAME COMMAND]",
     "the delivery queue game servers pull: list it, or queue one",
     "Without arguments, lists the delivery queue (DATA_DIR/host-deliveries.db), newest first: id, username,\n"
     "command, when it was queued and when it was delivered (acknowledged through\n"
     "POST /api/v1/deliveries/ack). `deliveries add USERNAME COMMAND` queues one; game servers get it from\n"
     "POST /api/v1/deliveries/pull.\n"
     "  USERNAME   1 to 64 bytes, e.g. Steve; COMMAND   1 to 1024 bytes on one line, e.g. 'give Steve diamond 1'\n"
     "Needs the permission deliveries.manage (role of the --as user).\n"
     "--json: list: [{\"id\",\"username\",\"command\",\"created\",\"delivered\"}] (UTC times; delivered is\n"
     "        null while waiting); add: {\"ok\":true,\"id\",\"username\",\"command\"}\n"},
    {"openapi", 0, 0, 0, 0, cmd_openapi, "openapi", "print the OpenAPI 3.1 description of the HTTP API",
     "Prints the OpenAPI 3.1 document of the API (the same as GET /api/v1/openapi.json serves, and\n"
     "docs/openapi.json), built from the routes and the scope catalogue ([host] api_scopes).\n"},
    {"serve", 0, 0, CLI_OPT_LISTEN, 0, cmd_serve, "serve [--listen HOST:PORT]", WEB_CLI_SERVE_SUMMARY,
     WEB_CLI_SERVE_HELP},
    {"passwd", 1, 1, 0, 0, cmd_passwd, "passwd USER", WEB_CLI_PASSWD_SUMMARY, WEB_CLI_PASSWD_HELP},
    {"extensions", 0, 0, 0, 1, cmd_extensions, "extensions", CLI_EXTENSIONS_SUMMARY, CLI_EXTENSIONS_HELP},
    {"extension", 2, 2, CLI_OPT_YES, 1, cmd_extension, "extension enable|disable ID [--yes]",
     CLI_EXTENSION_SUMMARY, CLI_EXTENSION_HELP},
    {"host-audit", 0, 0, CLI_OPT_LIMIT, 1, cmd_host_audit, "host-audit [--limit N]", CLI_HOST_AUDIT_SUMMARY,
     CLI_HOST_AUDIT_HELP},
};

const cli_command_t *cli_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

const cli_command_t *cli_command_at(size_t i)
{
    return i < sizeof commands / sizeof commands[0] ? &commands[i] : NULL;
}
