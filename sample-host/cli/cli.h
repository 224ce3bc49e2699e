/* cli.h - what the sample host's command-line modules share: the parsed invocation, the per-run context,
 * exit statuses, and the functions each module offers (argument parsing, help, output, commands). */
#ifndef SAMPLE_HOST_CLI_H
#define SAMPLE_HOST_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "panel/host.h"

/* Exit statuses. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_REFUSED 1      /* permission, validation, authentication, a non-2xx response, plugin error */
#define CLI_EXIT_USAGE 2        /* usage or configuration error, a --plugin that failed to load */

/* Options a command may accept, as a bit set. */
#define CLI_OPT_YES 0x1u
#define CLI_OPT_PARAM 0x2u
#define CLI_OPT_LIMIT 0x4u
#define CLI_OPT_HEADER 0x8u
#define CLI_OPT_LISTEN 0x10u
#define CLI_OPT_DATA 0x20u
#define CLI_OPT_FROM 0x40u
#define CLI_OPT_RECORD 0x80u

/* The command line, parsed. Strings point into argv (which set/call wipe after use when they carry a
 * secret); the arrays are allocated by cli_parse and freed by cli_invocation_free. */
typedef struct cli_invocation {
    const char *config_path;    /* -c / --config; NULL: the default (see cli_default_config) */
    const char *data_dir;       /* --data-dir; NULL: [host] data_dir */
    const char **plugins;       /* --plugin, in order */
    size_t n_plugins;
    const char *as_user;        /* --as; NULL: "admin" */
    int json;                   /* --json */
    int64_t now;                /* --now (hidden); 0: the real clock */
    int help;                   /* --help / -h */
    int yes;                    /* --yes */
    uint32_t options_seen;      /* CLI_OPT_* bits given, to refuse those the command does not take */
    int64_t limit;              /* --limit; -1 when not given */
    char **params;              /* --param NAME=VALUE, as given */
    size_t n_params;
    char **headers;             /* -H 'Name: value', as given */
    size_t n_headers;
    const char *listen;         /* --listen HOST:PORT (serve); NULL when not given */
    const char *body;           /* -d / --data BODY (call); NULL when not given */
    const char *record;         /* --record ID (action): the record a row action acts on; NULL: a page action */
    const char *from;           /* --from ADDR (call): the client address the request claims; NULL: "local" */
    const char *command;        /* NULL when none was given */
    char **args;                /* the command's positional arguments */
    size_t n_args;
} cli_invocation_t;

/* Everything a command needs while it runs. */
typedef struct cli_context {
    panelhost_t *host;
    const cli_invocation_t *inv;
    panel_caller_t caller;      /* valid when has_caller */
    int has_caller;
} cli_context_t;

typedef int (*cli_command_fn)(cli_context_t *ctx);

typedef struct cli_command {
    const char *name;
    size_t min_args;
    size_t max_args;
    uint32_t options;           /* CLI_OPT_* the command takes */
    int needs_caller;           /* 1: runs as the acting admin user (--as) */
    cli_command_fn run;
    const char *synopsis;       /* one line, after "sample-host [OPTIONS] " */
    const char *summary;        /* one line for the command list */
    const char *help;           /* the rest of `COMMAND --help` */
} cli_command_t;

/* cli_args.c */
/* Parses argv. On a usage error returns CLI_EXIT_USAGE with a message in err; else CLI_EXIT_OK. */
int cli_parse(int argc, char **argv, cli_invocation_t *inv, char *err, size_t err_len);
void cli_invocation_free(cli_invocation_t *inv);

/* cli_commands.c */
const cli_command_t *cli_find_command(const char *name);
const cli_command_t *cli_command_at(size_t i); /* NULL past the end */

/* cmd_view.c: read-only commands */
int cmd_plugins(cli_context_t *ctx);
int cmd_menu(cli_context_t *ctx);
int cmd_page(cli_context_t *ctx);
int cmd_table(cli_context_t *ctx);
/* cmd_change.c: commands that change something */
int cmd_set(cli_context_t *ctx);
int cmd_action(cli_context_t *ctx);
/* cmd_call.c */
int cmd_call(cli_context_t *ctx);
/* cmd_deliveries.c */
int cmd_deliveries(cli_context_t *ctx);
/* cmd_openapi.c */
int cmd_openapi(cli_context_t *ctx);

/* cli_lookup.c: finding what a command names, with messages that say what exists instead */
/* The page `page_id`, after checking it exists (else exit 2) and the acting user may open it (else exit 1).
 * Returns CLI_EXIT_OK with *out set, or the reported exit status. */
int cli_require_page(cli_context_t *ctx, const char *page_id, const panel_page_t **out);
int cli_require_field(cli_context_t *ctx, const char *page_id, const char *field_id,
                      const panel_field_t **out);
int cli_require_table(cli_context_t *ctx, const char *page_id, const char *table_id,
                      const panel_table_t **out);
int cli_require_action(cli_context_t *ctx, const char *page_id, const char *action_id,
                       const panel_action_t **out);
const char *cli_field_type_name(int32_t type);

/* text_output.c */
/* Prints rows as aligned columns under a header line (header may be NULL), indented by `indent` spaces. */
struct row_list;
void text_print_table(const char *const *header, uint32_t n_columns, const struct row_list *rows,
                      int indent);

/* cli_help.c */
void cli_print_program_help(void);
void cli_print_command_help(const cli_command_t *command);

/* cli_output.c */
/* Reports an error: "sample-host: MESSAGE" on stderr and, with --json, {"error":code,"message"} on stdout.
 * Returns exit_status. */
int cli_fail(const cli_invocation_t *inv, int exit_status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error code and exit status for a PANEL_E_* status of a dispatch call. */
const char *cli_status_code(int32_t status);
int cli_status_exit(int32_t status);
/* Writes bytes to stdout with write(2), bypassing stdio buffers (so a secret leaves no buffered copy).
 * Returns 0, or -1 when the write failed. */
int cli_write_stdout(const char *bytes, size_t n);
/* Writes a JSON document (json_doc.h; compact) and a newline to stdout, releasing it; a NULL document (one
 * that could not be built) is reported as out of memory. Returns CLI_EXIT_OK, or reports the failure. */
int cli_emit_json(const cli_invocation_t *inv, json_t *document);

#endif /* SAMPLE_HOST_CLI_H */
