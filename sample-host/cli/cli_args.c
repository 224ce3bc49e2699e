/* cli_args.c - parses the sample host's command line into a cli_invocation_t: global options (anywhere
 * before "--"), the command name, its positional arguments and its own options. Checks the syntax of each
 * option's value; which options a command accepts is checked by main. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_FLAG, OPT_VALUE } opt_kind_t;

typedef struct option_spec {
    const char *long_name;      /* "--plugin" */
    char short_name;            /* 'c', or 0 */
    opt_kind_t kind;
    int id;
} option_spec_t;

enum { O_CONFIG, O_DATA_DIR, O_PLUGIN, O_AS, O_JSON, O_NOW, O_HELP, O_YES, O_PARAM, O_LIMIT, O_HEADER, O_LISTEN,
       O_DATA, O_FROM, O_RECORD };

static const option_spec_t option_specs[] = {
    {"--config", 'c', OPT_VALUE, O_CONFIG},   {"--data-dir", 0, OPT_VALUE, O_DATA_DIR},
    {"--plugin", 0, OPT_VALUE, O_PLUGIN},     {"--as", 0, OPT_VALUE, O_AS},
    {"--json", 0, OPT_FLAG, O_JSON},          {"--now", 0, OPT_VALUE, O_NOW},
    {"--help", 'h', OPT_FLAG, O_HELP},        {"--yes", 'y', OPT_FLAG, O_YES},
    {"--param", 'p', OPT_VALUE, O_PARAM},     {"--limit", 'n', OPT_VALUE, O_LIMIT},
    {"--header", 'H', OPT_VALUE, O_HEADER},  {"--listen", 0, OPT_VALUE, O_LISTEN},
    {"--data", 'd', OPT_VALUE, O_DATA},      {"--from", 0, OPT_VALUE, O_FROM},
    {"--record", 'r', OPT_VALUE, O_RECORD},
};

/* Finds the option `arg` names. *inline_value gets the value given as --name=VALUE or -xVALUE, else NULL. */
static const option_spec_t *match_option(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sizeof option_specs / sizeof option_specs[0]; i++) {
        const option_spec_t *spec = &option_specs[i];
        size_t n = strlen(spec->long_name);
        if (strncmp(arg, spec->long_name, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
            if (arg[n] == '=')
                *inline_value = arg + n + 1;
            return spec;
        }
        if (spec->short_name != 0 && arg[0] == '-' && arg[1] == spec->short_name) {
            if (arg[2] == '\0')
                return spec;
            if (spec->kind == OPT_VALUE) {
                *inline_value = arg + 2;
                return spec;
            }
        }
    }
    return NULL;
}

/* A whole decimal number in [min, max]. */
static int parse_integer(const char *text, int64_t min, int64_t max, int64_t *out)
{
    if (text[0] == '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

static int store_value(cli_invocation_t *inv, const option_spec_t *spec, char *value, char *err,
                       size_t err_len)
{
    switch (spec->id) {
    case O_CONFIG: inv->config_path = value; break;
    case O_DATA_DIR: inv->data_dir = value; break;
    case O_PLUGIN: inv->plugins[inv->n_plugins++] = value; break;
    case O_AS: inv->as_user = value; break;
    case O_NOW:
        if (!parse_integer(value, 1, INT64_MAX, &inv->now)) {
            snprintf(err, err_len, "--now wants a positive Unix time in seconds, not '%s'", value);
            return CLI_EXIT_USAGE;
        }
        break;
    case O_PARAM: {
        const char *eq = strchr(value, '=');
        if (eq == NULL || eq == value) {
            snprintf(err, err_len, "--param wants NAME=VALUE (e.g. --param grace=24h), not '%s'", value);
            return CLI_EXIT_USAGE;
        }
        inv->params[inv->n_params++] = value;
        inv->options_seen |= CLI_OPT_PARAM;
        break;
    }
    case O_LIMIT:
        if (!parse_integer(value, 1, 100000, &inv->limit)) {
            snprintf(err, err_len, "--limit wants a number of rows from 1 to 100000, not '%s'", value);
            return CLI_EXIT_USAGE;
        }
        inv->options_seen |= CLI_OPT_LIMIT;
        break;
    case O_HEADER: {
        const char *colon = strchr(value, ':');
        if (colon == NULL || colon == value) {
            /* never echo the value: a header usually carries a credential */
            snprintf(err, err_len, "-H wants 'Name: value' (e.g. -H 'X-API-Key: KEY'); the header given "
                                   "has no name before a ':'");
            return CLI_EXIT_USAGE;
        }
        inv->headers[inv->n_headers++] = value;
        inv->options_seen |= CLI_OPT_HEADER;
        break;
    }
    case O_LISTEN:
        inv->listen = value;
        inv->options_seen |= CLI_OPT_LISTEN;
        break;
    case O_DATA:
        if (inv->body != NULL) {
            snprintf(err, err_len, "-d is given twice; give the whole body once, e.g. -d 'limit=5'");
            return CLI_EXIT_USAGE;
        }
        inv->body = value;
        inv->options_seen |= CLI_OPT_DATA;
        break;
    case O_RECORD:
        inv->record = value;
        inv->options_seen |= CLI_OPT_RECORD;
        break;
    case O_FROM:
        inv->from = value;
        inv->options_seen |= CLI_OPT_FROM;
        break;
    default: break;
    }
    return CLI_EXIT_OK;
}

int cli_parse(int argc, char **argv, cli_invocation_t *inv, char *err, size_t err_len)
{
    memset(inv, 0, sizeof *inv);
    inv->limit = -1;
    size_t slots = argc > 0 ? (size_t)argc : 1;
    inv->plugins = calloc(slots, sizeof *inv->plugins);
    inv->params = calloc(slots, sizeof *inv->params);
    inv->headers = calloc(slots, sizeof *inv->headers);
    inv->args = calloc(slots, sizeof *inv->args);
    if (inv->plugins == NULL || inv->params == NULL || inv->headers == NULL || inv->args == NULL) {
        snprintf(err, err_len, "out of memory while reading the command line");
        return CLI_EXIT_USAGE;
    }

    int options_ended = 0;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (!options_ended && strcmp(arg, "--") == 0) {
            options_ended = 1;
            continue;
        }
        if (options_ended || arg[0] != '-' || arg[1] == '\0') { /* "-" alone is an argument (stdin) */
            if (inv->command == NULL)
                inv->command = arg;
            else
                inv->args[inv->n_args++] = arg;
            continue;
        }
        const char *inline_value = NULL;
        const option_spec_t *spec = match_option(arg, &inline_value);
        if (spec == NULL) {
            snprintf(err, err_len, "unknown option '%.64s'; see sample-host --help", arg);
            return CLI_EXIT_USAGE;
        }
        if (spec->kind == OPT_FLAG) {
            if (inline_value != NULL) {
                snprintf(err, err_len, "option %s takes no value", spec->long_name);
                return CLI_EXIT_USAGE;
            }
            if (spec->id == O_JSON)
                inv->json = 1;
            else if (spec->id == O_HELP)
                inv->help = 1;
            else if (spec->id == O_YES) {
                inv->yes = 1;
                inv->options_seen |= CLI_OPT_YES;
            }
            continue;
        }
        char *value = (char *)inline_value;
        if (value == NULL) {
            if (i + 1 >= argc) {
                snprintf(err, err_len, "option %s needs a value", spec->long_name);
                return CLI_EXIT_USAGE;
            }
            value = argv[++i];
        }
        int rc = store_value(inv, spec, value, err, err_len);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    return CLI_EXIT_OK;
}

void cli_invocation_free(cli_invocation_t *inv)
{
    free(inv->plugins);
    free(inv->params);
    free(inv->headers);
    free(inv->args);
    memset(inv, 0, sizeof *inv);
}
