/* cli_help.c - the sample host's --help texts: the program's (options, commands, exit statuses, config
 * lookup, plugin load failures) and each command's. --now is deliberately left out (a testing aid). */
#include <stdio.h>

#include "cli.h"

void cli_print_program_help(void)
{
    printf("Usage: sample-host [OPTIONS] COMMAND [ARGS...]\n"
           "\n"
           "Drives whatever the loaded admin-panel plugins registered: menu, pages, fields, actions, tables\n"
           "and API authentication. Run `sample-host COMMAND --help` for a command's details.\n"
           "\n"
           "Commands:\n");
    for (size_t i = 0;; i++) {
        const cli_command_t *c = cli_command_at(i);
        if (c == NULL)
            break;
        printf("  %s\n      %s\n", c->synopsis, c->summary);
    }
    printf("\n"
           "Options (anywhere before `--`):\n"
           "  -c FILE, --config FILE  the config file (panel.ini). Default: $PANEL_CONFIG when set, else\n"
           "                          ./sample-host/panel.ini when it exists, else sample-host/panel.ini in\n"
           "                          the program's folder or the 1 to 3 folders above it\n"
           "  --data-dir DIR          the data directory, instead of [host] data_dir (created 0700)\n"
           "  --plugin PATH           load this plugin too, after those of [host] plugins (repeatable)\n"
           "  --as USER               act as admin user USER of the config (default: admin)\n"
           "  --json                  print one JSON document on stdout (errors: {\"error\",\"message\"})\n"
           "  -h, --help              this help, or the command's\n"
           "\n"
           "The command line trusts the operating-system user running it (as WP-CLI does): it acts as the\n"
           "config's admin user chosen with --as and passes your uid to the plugins.\n"
           "\n"
           "Plugin load failures: a plugin of the config that fails to load is reported on stderr and the\n"
           "command goes on with the others; a --plugin that fails to load stops the command (exit 2).\n"
           "\n"
           "Exit status: 0 success (call: a 2xx answer); 1 refused (permission, validation, confirmation,\n"
           "authentication, a non-2xx answer, a plugin error); 2 usage or configuration error (also a\n"
           "page, field, table or action that does not exist, an unknown --as user, a failed --plugin).\n");
}

void cli_print_command_help(const cli_command_t *command)
{
    printf("Usage: sample-host [OPTIONS] %s\n\n%s\n\n%s", command->synopsis, command->summary, command->help);
    printf("\nGlobal options (-c, --data-dir, --plugin, --as, --json): see `sample-host --help`.\n");
}
