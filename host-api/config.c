/* config.c - reads panel.ini through inih: refuses an untrusted file, refuses lines inih would silently split
 * (longer than its buffer) before parsing, checks every section and key, and keeps the values for lookups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "internal.h"

/* inih reads a line with fgets into INI_MAX_LINE bytes, which must hold the line, "\r\n" and the NUL. */
#define LINE_MAX_BYTES (INI_MAX_LINE - 3)

typedef struct parse_ctx {
    ph_config_t *config;
    const char *path;
    int lineno;            /* the line inih is handling (counted by our reader) */
    int error_line;        /* first line the handler refused, or 0 */
    char error[PH_MSG_MAX];
    FILE *file;
} parse_ctx_t;

static const char *const host_keys[] = {"data_dir",       "plugins",       "plugin_dir", "listen",
                                           "workers",        "store_name",    "currency",   "public_url",
                                           "allowed_hosts",  "header_timeout", "body_min_rate", "api_scopes",
                                           "trusted_proxies", "body_timeout", "library", "leak_reports_per_minute",
                                           NULL};

/* Counts lines as inih reads them; the pre-scan guaranteed that each fgets returns one whole line. */
static char *counting_reader(char *str, int num, void *stream)
{
    parse_ctx_t *ctx = stream;
    char *line = fgets(str, num, ctx->file);
    if (line)
        ctx->lineno++;
    return line;
}

static int handler_fail(parse_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int handler_fail(parse_ctx_t *ctx, const char *fmt, ...)
{
    if (ctx->error_line == 0) {
        ctx->error_line = ctx->lineno;
        int n = snprintf(ctx->error, sizeof ctx->error, "%s:%d: ", ctx->path, ctx->lineno);
        if (n < 0 || (size_t)n >= sizeof ctx->error)
            n = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->error + n, sizeof ctx->error - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return 1;
    return 0;
}

static int add_entry(ph_config_t *config, const char *section, const char *key, const char *value)
{
    ph_config_entry_t *grown = realloc(config->entries, (config->n_entries + 1) * sizeof *grown);
    if (!grown)
        return 0;
    config->entries = grown;
    ph_config_entry_t *e = &grown[config->n_entries];
    e->section = ph_strdup(section);
    e->key = ph_strdup(key);
    e->value = ph_strdup(value);
    if (!e->section || !e->key || !e->value) {
        free(e->section);
        free(e->key);
        free(e->value);
        return 0;
    }
    config->n_entries++;
    return 1;
}

/* Checks one section/key pair; returns 1 when acceptable (ctx->error is set otherwise). */
static int check_key(parse_ctx_t *ctx, const char *section, const char *key, const char *value)
{
    if (section[0] == '\0')
        return handler_fail(ctx, "'%s' is outside any section; put it under [host], [role:NAME], [user:NAME] "
                                 "or [plugin:ID]", key);
    if (strcmp(section, "host") == 0) {
        if (!name_in(key, host_keys))
            return handler_fail(ctx, "unknown key '%s' in [host]; known keys are data_dir, plugins, plugin_dir, "
                                     "listen, workers, store_name, currency, public_url, allowed_hosts, "
                                     "header_timeout, body_timeout, body_min_rate, api_scopes, trusted_proxies, "
                                     "library and leak_reports_per_minute",
                                key);
        if (strcmp(key, "data_dir") == 0 && value[0] == '\0')
            return handler_fail(ctx, "data_dir is empty; name the folder for the plugins' data");
        if (strcmp(key, "plugin_dir") == 0 && value[0] == '\0')
            return handler_fail(ctx, "plugin_dir is empty; name the folder of extra plugins, or remove the line");
        return 1;
    }
    if (strncmp(section, "role:", 5) == 0) {
        if (!ph_id_valid(section + 5, "-."))
            return handler_fail(ctx, "role name '%s' is not valid; use 1-%u of a-z 0-9 _ - .", section + 5,
                                PANEL_ID_MAX);
        if (strcmp(key, "permissions") != 0)
            return handler_fail(ctx, "unknown key '%s' in [%s]; a role has only 'permissions'", key, section);
        char why[256];
        if (ph_permissions_valid(value, why, sizeof why) != PANEL_OK)
            return handler_fail(ctx, "%s", why);
        return 1;
    }
    if (strncmp(section, "user:", 5) == 0) {
        if (!ph_id_valid(section + 5, "-.@"))
            return handler_fail(ctx, "user name '%s' is not valid; use 1-%u of a-z 0-9 _ - . @", section + 5,
                                PANEL_ID_MAX);
        if (strcmp(key, "role") != 0)
            return handler_fail(ctx, "unknown key '%s' in [%s]; a user has only 'role'", key, section);
        if (!ph_id_valid(value, "-."))
            return handler_fail(ctx, "role '%s' of [%s] is not a valid role name", value, section);
        return 1;
    }
    if (strncmp(section, "plugin:", 7) == 0) {
        if (!ph_id_valid(section + 7, NULL))
            return handler_fail(ctx, "plugin id '%s' is not valid; plugin ids are 1-%u of a-z 0-9 _",
                                section + 7, PANEL_ID_MAX);
        if (!ph_id_valid(key, "-."))
            return handler_fail(ctx, "key '%s' in [%s] is not valid; use a-z 0-9 _ - .", key, section);
        return 1;
    }
    return handler_fail(ctx, "unknown section [%s]; sections are [host], [role:NAME], [user:NAME] and "
                             "[plugin:ID]", section);
}

static int on_pair(void *user, const char *section, const char *key, const char *value)
{
    parse_ctx_t *ctx = user;
    if (!check_key(ctx, section, key, value))
        return 0;
    if (ph_config_lookup(ctx->config, section, key))
        return handler_fail(ctx, "'%s' is set twice in [%s] (note: a line starting with a space continues the "
                                 "line above; remove the indentation)", key, section);
    if (!ph_utf8_valid(value, strlen(value)))
        return handler_fail(ctx, "the value of '%s' is not valid UTF-8", key);
    if (!add_entry(ctx->config, section, key, value))
        return handler_fail(ctx, "out of memory");
    return 1;
}

/* Reads the whole file once with a fixed amount of memory, refusing NUL bytes and lines inih cannot hold. */
static int32_t prescan(FILE *f, const char *path, char *err, size_t err_len)
{
    size_t len = 0;
    long line = 1;
    int c;
    int too_long = 0;
    while ((c = getc(f)) != EOF) {
        if (c == '\n') {
            if (too_long)
                break;
            line++;
            len = 0;
            continue;
        }
        if (c == '\0') {
            ph_errf(err, err_len, "%s:%ld: the line contains a NUL byte; is this a text file?", path, line);
            return PANEL_E_INVALID;
        }
        if (c != '\r')
            len++;
        if (len > LINE_MAX_BYTES)
            too_long = 1;
    }
    if (ferror(f)) {
        ph_errf(err, err_len, "cannot read %s: %s", path, strerror(errno));
        return PANEL_E_INVALID;
    }
    if (too_long) {
        ph_errf(err, err_len,
                "%s:%ld: the line is %zu bytes long; lines may be at most %d bytes (the ini parser would "
                "split a longer one silently): shorten it",
                path, line, len, LINE_MAX_BYTES);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

int32_t ph_config_read(const char *path, ph_config_t *config, char *err, size_t err_len)
{
    memset(config, 0, sizeof *config);
    FILE *f = fopen(path, "re");
    if (!f) {
        ph_errf(err, err_len, "cannot open config %s: %s", path, strerror(errno));
        return PANEL_E_NOT_FOUND;
    }
    struct stat st;
    int32_t rc;
    if (fstat(fileno(f), &st) != 0) {
        ph_errf(err, err_len, "cannot check config %s: %s", path, strerror(errno));
        rc = PANEL_E_INVALID;
        goto out;
    }
    rc = ph_check_trusted_file(&st, "config", path, err, err_len);
    if (rc != PANEL_OK)
        goto out;
    rc = prescan(f, path, err, err_len);
    if (rc != PANEL_OK)
        goto out;
    rewind(f);

    config->path = ph_strdup(path);
    config->folder = ph_path_folder(path, err, err_len);
    if (!config->path || !config->folder) {
        if (!config->path)
            ph_errf(err, err_len, "out of memory");
        rc = PANEL_E_INVALID;
        goto out;
    }
    parse_ctx_t ctx = {.config = config, .path = path, .file = f};
    int result = ini_parse_stream(counting_reader, &ctx, on_pair, &ctx);
    if (result == -2) {
        ph_errf(err, err_len, "out of memory while reading %s", path);
        rc = PANEL_E_NOMEM;
    } else if (result > 0 && result == ctx.error_line) {
        ph_errf(err, err_len, "%s", ctx.error);
        rc = PANEL_E_INVALID;
    } else if (result != 0) {
        ph_errf(err, err_len,
                "%s:%d: cannot parse this line; expected [section], name = value, or a comment starting "
                "with ; or #",
                path, result);
        rc = PANEL_E_INVALID;
    } else if (ctx.error_line) {
        ph_errf(err, err_len, "%s", ctx.error);
        rc = PANEL_E_INVALID;
    }
out:
    fclose(f);
    if (rc != PANEL_OK)
        ph_config_free(config);
    return rc;
}

void ph_config_free(ph_config_t *config)
{
    for (size_t i = 0; i < config->n_entries; i++) {
        free(config->entries[i].section);
        free(config->entries[i].key);
        free(config->entries[i].value);
    }
    free(config->entries);
    free(config->path);
    free(config->folder);
    memset(config, 0, sizeof *config);
}

const char *ph_config_lookup(const ph_config_t *config, const char *section, const char *key)
{
    if (!section || !key)
        return NULL;
    for (size_t i = 0; i < config->n_entries; i++) {
        const ph_config_entry_t *e = &config->entries[i];
        if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
            return e->value;
    }
    return NULL;
}
