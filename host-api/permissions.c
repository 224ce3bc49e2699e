/* permissions.c - roles and permissions: permission patterns ("*", "prefix.*", exact), what a role grants,
 * and the caller context (acting user, role, has_permission) handed to plugins. */
#include <string.h>

#include "internal.h"

/* A permission name: [a-z0-9_-] words joined by '.', 1..PANEL_ID_MAX bytes. */
static int permission_name_valid(const char *s, size_t n)
{
    if (n == 0 || n > PANEL_ID_MAX || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')
            continue;
        if (c == '.' && s[i + 1] != '.')
            continue;
        return 0;
    }
    return 1;
}

static int32_t pattern_valid_n(const char *p, size_t n)
{
    if (n == 1 && p[0] == '*')
        return 1;
    if (n >= 3 && p[n - 1] == '*' && p[n - 2] == '.')
        return permission_name_valid(p, n - 2);
    return permission_name_valid(p, n);
}

int32_t ph_permission_pattern_valid(const char *pattern)
{
    return pattern && pattern_valid_n(pattern, strlen(pattern));
}

/* Calls visit(pattern, len) for each comma-separated, space-trimmed item; stops when it returns nonzero. */
static int for_each_pattern(const char *list, int (*visit)(const char *p, size_t n, void *ctx), void *ctx)
{
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        while (n > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        int stop = visit(s, n, ctx);
        if (stop)
            return stop;
        if (!end)
            return 0;
        p = end + 1;
    }
}

typedef struct validate_ctx {
    char *why;
    size_t why_len;
} validate_ctx_t;

static int visit_validate(const char *p, size_t n, void *arg)
{
    validate_ctx_t *ctx = arg;
    if (n == 0) {
        ph_errf(ctx->why, ctx->why_len, "an empty permission in the list; separate patterns by single commas");
        return 1;
    }
    if (!pattern_valid_n(p, n)) {
        ph_errf(ctx->why, ctx->why_len,
                "permission pattern '%.*s' is not valid; use '*', 'name.*' or an exact name such as "
                "'settings.api_key' (a-z 0-9 _ - joined by '.')",
                (int)(n > 80 ? 80 : n), p);
        return 1;
    }
    return 0;
}

int32_t ph_permissions_valid(const char *list, char *why, size_t why_len)
{
    validate_ctx_t ctx = {why, why_len};
    if (list[0] == '\0')
        return PANEL_OK; /* a role without permissions */
    return for_each_pattern(list, visit_validate, &ctx) ? PANEL_E_INVALID : PANEL_OK;
}

static int pattern_grants(const char *p, size_t n, const char *permission)
{
    size_t len = strlen(permission);
    if (n == 1 && p[0] == '*')
        return 1;
    if (n >= 3 && p[n - 2] == '.' && p[n - 1] == '*') {
        size_t prefix = n - 2;
        if (len < prefix || memcmp(permission, p, prefix) != 0)
            return 0;
        return len == prefix || permission[prefix] == '.';
    }
    return len == n && memcmp(permission, p, n) == 0;
}

static int visit_grant(const char *p, size_t n, void *arg)
{
    return pattern_grants(p, n, arg);
}

int32_t panelhost_role_allows(const panelhost_t *host, const char *role, const char *permission)
{
    if (!host || !role || !permission || !permission_name_valid(permission, strlen(permission)))
        return 0;
    char section[PANEL_ID_MAX + 8];
    if (strlen(role) > PANEL_ID_MAX)
        return 0;
    ph_errf(section, sizeof section, "role:%s", role);
    const char *list = ph_config_lookup(&host->config, section, "permissions");
    if (!list || !list[0])
        return 0;
    return for_each_pattern(list, visit_grant, (void *)permission) ? 1 : 0;
}

int32_t ph_caller_has_permission(const panel_caller_t *self, const char *permission)
{
    if (!self || !self->host_ctx)
        return 0;
    return panelhost_role_allows(self->host_ctx, self->role, permission);
}

int32_t panelhost_caller_init(const panelhost_t *host, panel_caller_t *caller, const char *user,
                              int32_t origin, int64_t os_uid, const char *client_addr, int32_t confirmed,
                              char *err, size_t err_len)
{
    if (!host || !caller || !user) {
        ph_errf(err, err_len, "panelhost_caller_init: host, caller and user must not be NULL");
        return PANEL_E_INVALID;
    }
    /* The host program may be built against another plugin.h than this library: its struct_size says how
     * many bytes its panel_caller_t has, and nothing beyond them is written. */
    const size_t v10_size = PH_END_OF(panel_caller_t, has_permission);
    if (caller->struct_size < v10_size || caller->struct_size > PH_STRUCT_SIZE_MAX) {
        ph_errf(err, err_len,
                "panelhost_caller_init: caller->struct_size is %u; set it to sizeof(panel_caller_t) (at least "
                "%zu) before the call",
                (unsigned)caller->struct_size, v10_size);
        return PANEL_E_VERSION;
    }
    if (origin != PANEL_ORIGIN_CLI && origin != PANEL_ORIGIN_WEB) {
        ph_errf(err, err_len, "panelhost_caller_init: origin must be PANEL_ORIGIN_CLI or PANEL_ORIGIN_WEB");
        return PANEL_E_INVALID;
    }
    if (origin == PANEL_ORIGIN_WEB && (!client_addr || !client_addr[0])) {
        ph_errf(err, err_len, "panelhost_caller_init: a PANEL_ORIGIN_WEB caller needs the client address");
        return PANEL_E_INVALID;
    }
    char section[PANEL_ID_MAX + 8];
    const char *role = NULL;
    if (strlen(user) <= PANEL_ID_MAX) {
        ph_errf(section, sizeof section, "user:%s", user);
        role = ph_config_lookup(&host->config, section, "role");
    }
    if (!role) {
        ph_errf(err, err_len, "no admin user '%.*s' in the config; add a [user:%.*s] section with a role", 64,
                user, 64, user);
        return PANEL_E_NOT_FOUND;
    }
    ph_errf(section, sizeof section, "role:%s", role);
    if (!ph_config_lookup(&host->config, section, "permissions")) {
        ph_errf(err, err_len, "user '%s' has role '%s', which the config does not define; add [role:%s] with "
                              "permissions", user, role, role);
        return PANEL_E_INVALID;
    }
    uint32_t program_size = caller->struct_size;
    memset(caller, 0, program_size < sizeof *caller ? program_size : sizeof *caller);
    caller->struct_size = program_size; /* fields this library does not know are left as they were */
    caller->user = user;
    caller->role = role;
    caller->origin = origin;
    caller->confirmed = confirmed ? 1 : 0;
    caller->os_uid = origin == PANEL_ORIGIN_CLI ? os_uid : -1;
    caller->client_addr = origin == PANEL_ORIGIN_WEB ? client_addr : NULL;
    caller->host_ctx = (void *)host;
    caller->has_permission = ph_caller_has_permission;
    return PANEL_OK;
}
