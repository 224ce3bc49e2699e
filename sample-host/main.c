/* main.c - the sample host's entry point: parses the command line, finds the config, opens libpanelhost,
 * loads the plugins (config ones reported and skipped on failure, --plugin ones fatal), sets up the acting
 * admin user (trusting the OS user, as WP-CLI does), runs the command and maps the outcome to the exit
 * status. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "api_scopes.h"
#include "cli.h"
#include "json_doc.h"

#define DEFAULT_USER "admin"
#define CONFIG_ENV "PANEL_CONFIG"

/* Host and plugin log lines at WARN or worse go to stderr. While a plugin loads they are held back, and
 * when the load fails those the returned error message already contains are dropped, so a failure is
 * explained once. The lines never carry a secret (the ABI forbids it). */
#define HELD_LINES_MAX 16

typedef struct log_state {
    pthread_mutex_t lock;
    int holding;
    size_t n_held;
    size_t n_dropped;           /* held lines that did not fit */
    char held[HELD_LINES_MAX][1024];
} log_state_t;

static void write_log_line(int32_t level, const char *plugin_id, const char *msg, char *out, size_t out_len)
{
    const char *what = level <= PANEL_LOG_ERROR ? "error" : level == PANEL_LOG_WARN ? "warning" : "info";
    if (plugin_id != NULL)
        snprintf(out, out_len, "plugin %s: %s: %s", plugin_id, what, msg);
    else
        snprintf(out, out_len, "host: %s: %s", what, msg);
}

static void log_to_stderr(void *ctx, int32_t level, const char *plugin_id, const char *msg)
{
    log_state_t *state = ctx;
    char line[1024];
    write_log_line(level, plugin_id, msg, line, sizeof line);
    pthread_mutex_lock(&state->lock);
    if (!state->holding)
        fprintf(stderr, "sample-host: %s\n", line);
    else if (state->n_held < HELD_LINES_MAX)
        memcpy(state->held[state->n_held++], line, sizeof line);
    else
        state->n_dropped++;
    pthread_mutex_unlock(&state->lock);
}

static void log_hold(log_state_t *state)
{
    pthread_mutex_lock(&state->lock);
    state->holding = 1;
    state->n_held = 0;
    state->n_dropped = 0;
    pthread_mutex_unlock(&state->lock);
}

/* Prints the held lines, except those whose message is part of `load_error` (NULL: print all). */
static void log_release(log_state_t *state, const char *load_error)
{
    pthread_mutex_lock(&state->lock);
    for (size_t i = 0; i < state->n_held; i++) {
        const char *msg = strstr(state->held[i], ": error: ");
        msg = msg != NULL ? msg + 9 : NULL;
        if (load_error != NULL && msg != NULL && strstr(load_error, msg) != NULL)
            continue;
        fprintf(stderr, "sample-host: %s\n", state->held[i]);
    }
    if (state->n_dropped > 0)
        fprintf(stderr, "sample-host: (%zu more log lines dropped)\n", state->n_dropped);
    state->holding = 0;
    state->n_held = 0;
    state->n_dropped = 0;
    pthread_mutex_unlock(&state->lock);
}

static log_state_t log_state = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Collects the messages of config plugins that failed, so their log lines are not printed twice. */
typedef struct config_failures {
    char messages[8192];
    size_t used;
} config_failures_t;

static void report_config_plugin_failure(void *ctx, const char *path, const char *message)
{
    config_failures_t *failures = ctx;
    int n = snprintf(failures->messages + failures->used, sizeof failures->messages - failures->used, "%s\n",
                     message);
    if (n > 0 && (size_t)n < sizeof failures->messages - failures->used)
        failures->used += (size_t)n;
    fprintf(stderr, "sample-host: plugin %s from the config was not loaded (going on without it): %s\n", path,
            message);
}

static int readable_file(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The config file to use when -c is not given; see the program's --help. Returns NULL when none is found,
 * otherwise a path in buf or the environment. */
static const char *default_config(char *buf, size_t buf_len)
{
    const char *env = getenv(CONFIG_ENV);
    if (env != NULL && env[0] != '\0')
        return env;
    if (readable_file("sample-host/panel.ini"))
        return "sample-host/panel.ini";
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return NULL;
    *slash = '\0';
    char prefix[64] = "";
    for (int up = 0; up <= 3; up++) {
        int len = snprintf(buf, buf_len, "%s/%ssample-host/panel.ini", exe, prefix);
        if (len > 0 && (size_t)len < buf_len && readable_file(buf))
            return buf;
        strncat(prefix, "../", sizeof prefix - strlen(prefix) - 1);
    }
    return NULL;
}

/* Checks the command's arguments and options. Returns CLI_EXIT_OK or the reported usage error. */
static int check_usage(const cli_invocation_t *inv, const cli_command_t *command)
{
    if (inv->n_args < command->min_args || inv->n_args > command->max_args)
        return cli_fail(inv, CLI_EXIT_USAGE, "usage", "%s %s arguments; usage: sample-host %s",
                        command->name, inv->n_args < command->min_args ? "needs more" : "takes fewer",
                        command->synopsis);
    static const struct {
        uint32_t bit;
        const char *name;
    } command_options[] = {
        {CLI_OPT_YES, "--yes"},       {CLI_OPT_PARAM, "--param"}, {CLI_OPT_LIMIT, "--limit"},
        {CLI_OPT_HEADER, "-H"},       {CLI_OPT_LISTEN, "--listen"}, {CLI_OPT_DATA, "-d"},
        {CLI_OPT_FROM, "--from"},     {CLI_OPT_RECORD, "--record"}};
    for (size_t i = 0; i < sizeof command_options / sizeof command_options[0]; i++)
        if ((inv->options_seen & command_options[i].bit) && !(command->options & command_options[i].bit))
            return cli_fail(inv, CLI_EXIT_USAGE, "usage", "%s does not take %s; usage: sample-host %s",
                            command->name, command_options[i].name, command->synopsis);
    return CLI_EXIT_OK;
}

/* Opens the host and loads the plugins. Returns CLI_EXIT_OK with *out set, or the reported error. */
static int open_host(const cli_invocation_t *inv, panelhost_t **out, const char **config_used)
{
    char found[PATH_MAX];
    const char *config = inv->config_path != NULL ? inv->config_path : default_config(found, sizeof found);
    *config_used = config;
    panelhost_options_t options = {
        .config_path = config,
        .data_dir = inv->data_dir,
        .fixed_now = inv->now,
        .log = log_to_stderr,
        .log_ctx = &log_state,
        .min_log_level = PANEL_LOG_WARN,
    };
    char err[1024] = "";
    panelhost_t *host = NULL;
    if (panelhost_open(&options, &host, err, sizeof err) != PANEL_OK)
        return cli_fail(inv, CLI_EXIT_USAGE, "config", "cannot start the host with config %s: %s",
                        config != NULL ? config : "(none)", err);
    /* The scope catalogue is the host's before any plugin initialises: a plugin may ask for it during init. */
    int scopes_ok = api_scopes_apply(host, err, sizeof err) == 0;
    if (!scopes_ok) {
        panelhost_close(host);
        return cli_fail(inv, CLI_EXIT_USAGE, "config", "cannot start the host with config %s: %s",
                        config != NULL ? config : "(none)", err);
    }
    config_failures_t failures = {"", 0};
    log_hold(&log_state);
    panelhost_extensions_load(host, report_config_plugin_failure, &failures); /* the enabled ones */
    log_release(&log_state, failures.messages);
    for (size_t i = 0; i < inv->n_plugins; i++) {
        err[0] = '\0';
        log_hold(&log_state);
        int32_t status = panelhost_load(host, inv->plugins[i], err, sizeof err);
        log_release(&log_state, status == PANEL_OK ? NULL : err);
        if (status != PANEL_OK) {
            panelhost_close(host);
            return cli_fail(inv, CLI_EXIT_USAGE, "plugin_load", "cannot load plugin %s: %s", inv->plugins[i],
                            err);
        }
    }
    *out = host;
    return CLI_EXIT_OK;
}

static int init_caller(cli_context_t *ctx, const char *config_used)
{
    const char *user = ctx->inv->as_user != NULL ? ctx->inv->as_user : DEFAULT_USER;
    char err[512] = "";
    ctx->caller.struct_size = sizeof ctx->caller; /* the library writes no further */
    int32_t status = panelhost_caller_init(ctx->host, &ctx->caller, user, PANEL_ORIGIN_CLI, (int64_t)getuid(),
                                           NULL, 0, err, sizeof err);
    if (status == PANEL_E_NOT_FOUND)
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "unknown_user",
                        "no admin user '%s' in config %s; add a [user:%s] section with a role, or pick "
                        "another user with --as",
                        user, config_used != NULL ? config_used : "(none found; use -c FILE or $" CONFIG_ENV ")",
                        user);
    if (status != PANEL_OK)
        return cli_fail(ctx->inv, CLI_EXIT_USAGE, "config", "cannot act as user '%s': %s", user, err);
    ctx->caller.confirmed = ctx->inv->yes ? 1 : 0;
    ctx->has_caller = 1;
    return CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
    cli_invocation_t inv;
    char err[512] = "";
    if (cli_parse(argc, argv, &inv, err, sizeof err) != CLI_EXIT_OK) {
        int json = inv.json;
        cli_invocation_free(&inv);
        inv.json = json;
        return cli_fail(&inv, CLI_EXIT_USAGE, "usage", "%s", err);
    }

    int rc;
    const cli_command_t *command = NULL;
    if (inv.command != NULL && strcmp(inv.command, "help") == 0) {
        inv.help = 1;
        inv.command = inv.n_args > 0 ? inv.args[0] : NULL;
    }
    if (inv.command != NULL) {
        command = cli_find_command(inv.command);
        if (command == NULL) {
            rc = cli_fail(&inv, CLI_EXIT_USAGE, "usage", "unknown command '%s'; see sample-host --help",
                          inv.command);
            cli_invocation_free(&inv);
            return rc;
        }
    }
    if (inv.help) {
        if (command != NULL)
            cli_print_command_help(command);
        else
            cli_print_program_help();
        cli_invocation_free(&inv);
        return CLI_EXIT_OK;
    }
    if (command == NULL) {
        rc = cli_fail(&inv, CLI_EXIT_USAGE, "usage", "no command given; see sample-host --help");
        cli_invocation_free(&inv);
        return rc;
    }
    rc = check_usage(&inv, command);
    if (rc != CLI_EXIT_OK) {
        cli_invocation_free(&inv);
        return rc;
    }

    cli_context_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.inv = &inv;
    const char *config_used = NULL;
    rc = open_host(&inv, &ctx.host, &config_used);
    if (rc == CLI_EXIT_OK && (command->needs_caller || inv.as_user != NULL))
        rc = init_caller(&ctx, config_used);
    if (rc == CLI_EXIT_OK)
        rc = command->run(&ctx);
    panelhost_close(ctx.host);
    cli_invocation_free(&inv);
    return rc;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "sample-host: cannot initialise libsodium\n");
        return CLI_EXIT_USAGE;
    }
    /* Everything this program creates (the data directory's files, its SQLite side files) is private: the
     * host refuses to start on a group- or world-writable file there, so a umask of 002 must not make one. */
    umask(077);
    json_doc_wipe_on_free(); /* before any JSON is built: the documents that carry a one-time secret */
    int rc = run(argc, argv);
    if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
        fprintf(stderr, "sample-host: cannot write to standard output\n");
        rc = CLI_EXIT_REFUSED;
    }
    return rc;
}
