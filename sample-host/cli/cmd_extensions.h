/* cmd_extensions.h - the sample host's commands for extensions: `extensions` (the installed ones),
 * `extension enable|disable ID` and `host-audit` (the host audit log). Listed in cli_commands.c. */
#ifndef SAMPLE_HOST_CMD_EXTENSIONS_H
#define SAMPLE_HOST_CMD_EXTENSIONS_H

#include "cli.h"

int cmd_extensions(cli_context_t *ctx);
int cmd_extension(cli_context_t *ctx);
int cmd_host_audit(cli_context_t *ctx);

#define CLI_EXTENSIONS_SUMMARY "installed extensions: id, name, version, file, enabled, load error"
#define CLI_EXTENSIONS_HELP                                                                                  \
    "Lists the installed extensions: the plugins of [host] plugins, then every *.so of [host] plugin_dir.\n" \
    "Each one's enabled state is kept in DATA_DIR/extensions.state; without a line there, a plugin the\n"   \
    "config lists is enabled and one only found in plugin_dir is disabled. A disabled extension is not\n"   \
    "loaded. The load error says why an enabled one is not running (or why a file cannot be read).\n"       \
    "Needs the permission extensions.manage (role of the --as user).\n"                                      \
    "--json: [{\"id\",\"name\",\"version\",\"file\",\"configured\",\"enabled\",\"loaded\",\"load_error\"}]\n"       \
    "        (load_error is null when there is none)\n"
#define CLI_EXTENSION_SUMMARY "enable or disable an installed extension (disable asks for --yes)"
#define CLI_EXTENSION_HELP                                                                                   \
    "Enables or disables extension ID for every process using the data directory; a running server\n"     \
    "applies the change within a second. Disabling removes the extension's menu entries, pages, fields,\n"  \
    "tables, actions and API authentication (with no provider left, the API answers 503); its data stays\n" \
    "in the data directory, so enabling it again brings back what it had (e.g. the same API key).\n"        \
    "  --yes, -y   confirm disabling; without it nothing changes (exit 1) and what would stop is shown\n"   \
    "Needs the permission extensions.manage. Every change is written to the host audit log.\n"             \
    "Exit status: 0 done (also when it already was so); 1 refused or failed to load; 2 unknown ID.\n"       \
    "--json: {\"ok\":true,\"message\",\"id\",\"enabled\"}\n"
#define CLI_HOST_AUDIT_SUMMARY "the host audit log (extensions enabled and disabled), newest first"
#define CLI_HOST_AUDIT_HELP                                                                                  \
    "Shows the newest N (default 50) entries of DATA_DIR/host-audit.log: when (UTC), who, from where\n"      \
    "(cli uid=N, web ADDRESS), action, extension, outcome and a sentence.\n"                                \
    "  --limit N, -n N   how many entries (1 to 100000)\n"                                                   \
    "Needs the permission extensions.manage.\n"                                                              \
    "--json: [{\"when\",\"user\",\"origin\",\"action\",\"target\",\"outcome\",\"detail\"}]\n"

#endif /* SAMPLE_HOST_CMD_EXTENSIONS_H */
