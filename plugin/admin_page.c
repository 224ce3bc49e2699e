/* admin_page.c - registering Settings > API Key (menu entry, page, fields, actions with their availability and
 * the grace choices' labels, the live nodes of a shared store, audit table, auth provider) and the page's status
 * lines: a fixed summary an owner reads first, then the details a host may fold (the store's line alone when
 * the store cannot be read). */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "auth_provider.h"
#include "time_format.h"

static int32_t emit(const panel_sink_t *sink, const char *label, const char *value)
{
    const char *cells[2] = {label, value};
    return sink->row(sink, cells, 2);
}

static void format_time_or(int64_t t, const char *none, char *out, size_t out_len)
{
    if (t > 0)
        apikeys_format_time(t, out, out_len);
    else
        snprintf(out, out_len, "%s", none);
}

typedef struct status_data {
    int enabled, has_current, has_grace;
    store_key_t current, grace;
    int64_t denials[DENIAL_REASONS], denial_last[DENIAL_REASONS];
} status_data_t;

static int32_t read_status(apikeys_state_t *st, void *vd, char *err, size_t err_len)
{
    status_data_t *d = vd;
    store_site_t site;
    int32_t rc = store_get_site(&st->store, &site, err, err_len);
    if (rc == PANEL_OK) {
        d->enabled = site.enabled;
        d->has_current = site.has_current;
        d->has_grace = site.has_grace;
        d->current = site.current;
        d->grace = site.grace;
    }
    if (rc == PANEL_OK)
        rc = store_get_denials(&st->store, d->denials, d->denial_last, err, err_len);
    return rc;
}

typedef struct store_line {
    char text[1024];
} store_line_t;

static int32_t describe_store(apikeys_state_t *st, void *vline, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    store_line_t *line = vline;
    return store_describe(&st->store, line->text, sizeof line->text);
}

/* The addresses that sent invalid keys in the last day (this machine's shared table), most first: the tools that
 * still need the current key. One line, at most 5 addresses; nothing when there are none. */
static int32_t emit_stale_senders(apikeys_state_t *st, const panel_sink_t *sink)
{
    limiter_addr_row_t rows[5];
    size_t n = limiter_top_invalid(&st->limiter, limiter_now_ns(), 86400, rows, 5);
    if (n == 0)
        return PANEL_OK;
    char value[512];
    size_t pos = 0;
    value[0] = '\0';
    for (size_t i = 0; i < n && pos < sizeof value; i++) {
        char addr[64], ago[32];
        cidr_addr_format(&rows[i].addr, addr, sizeof addr);
        if (rows[i].age_s < 120)
            snprintf(ago, sizeof ago, "%llus ago", (unsigned long long)rows[i].age_s);
        else if (rows[i].age_s < 7200)
            snprintf(ago, sizeof ago, "%llu min ago", (unsigned long long)(rows[i].age_s / 60));
        else
            snprintf(ago, sizeof ago, "%llu h ago", (unsigned long long)(rows[i].age_s / 3600));
        int w = snprintf(value + pos, sizeof value - pos, "%s%s (%llu, last %s)", pos ? ", " : "", addr,
                         (unsigned long long)rows[i].count, ago);
        pos = w < 0 ? sizeof value : pos + (size_t)w;
    }
    return emit(sink, "Invalid keys from (last day)", value);
}

/* The summary an owner reads: always exactly APIKEYS_SUMMARY_LINES lines, in this order (panel_page_t.
 * status_summary_lines); every line after them is a detail a host may fold. */
#define APIKEYS_SUMMARY_LINES 5u

static int32_t emit_summary(apikeys_state_t *st, const panel_sink_t *sink, const status_data_t *d, int64_t now,
                            char *err, size_t err_len)
{
    char value[700], when[40];
    int32_t rc = emit(sink, "API", d->enabled ? "enabled" : "disabled (requests with a valid key get 403)");
    if (rc == PANEL_OK) {
        char leak[600];
        if (admin_leak_line(st, leak, sizeof leak, err, err_len) == PANEL_OK && leak[0])
            snprintf(value, sizeof value, "%s", leak);
        else if (d->has_current)
            snprintf(value, sizeof value, "present (%s)", d->current.hint);
        else
            snprintf(value, sizeof value, "none - run Enable or Reset to create one");
        rc = emit(sink, "Key", value);
    }
    if (rc == PANEL_OK) {
        if (d->has_current && d->current.last_used_at > 0) {
            apikeys_format_time(d->current.last_used_at, when, sizeof when);
            snprintf(value, sizeof value, "%s (%lld requests in all)", when, (long long)d->current.use_count);
        } else {
            snprintf(value, sizeof value, "never");
        }
        rc = emit(sink, "Last request with this key", value);
    }
    if (rc == PANEL_OK) {
        if (d->has_grace) {
            char used[40];
            apikeys_format_time(d->grace.expires_at, when, sizeof when);
            format_time_or(d->grace.last_used_at, "never", used, sizeof used);
            snprintf(value, sizeof value, "%s %s %s; last request %s", d->grace.hint,
                     d->grace.expires_at <= now ? "stopped working" : "works until", when, used);
        } else {
            snprintf(value, sizeof value, "none");
        }
        rc = emit(sink, "Old key", value);
    }
    if (rc == PANEL_OK) {
        int64_t total = 0;
        for (int r = 0; r < DENIAL_REASONS; r++)
            total += d->denials[r];
        if (total > 0)
            snprintf(value, sizeof value, "%lld (by reason in the details below)", (long long)total);
        else
            snprintf(value, sizeof value, "none");
        rc = emit(sink, "Refused requests", value);
    }
    return rc;
}

/* The page's status lines (panel_page_t.status): the summary first, then the details. */
static int32_t admin_page_status(void *state, const panel_caller_t *caller, const panel_sink_t *sink, char *err,
                                 size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    store_line_t store_line;
    apikeys_read(st, describe_store, &store_line, NULL, 0);
    char flush_err[512];
    if (apikeys_flush_usage(st, flush_err, sizeof flush_err) != PANEL_OK) {
        char line[640];
        snprintf(line, sizeof line, "usage counts could not be saved before showing the page: %s", flush_err);
        apikeys_log(st, PANEL_LOG_WARN, line);
    }
    status_data_t d;
    memset(&d, 0, sizeof d);
    int32_t rc = apikeys_read(st, read_status, &d, err, err_len);
    if (rc != PANEL_OK) {
        emit(sink, "Store", store_line.text); /* where the unreadable store is */
        return rc;
    }
    char value[512], when[40];
    int64_t now = apikeys_now(st);

    rc = emit_summary(st, sink, &d, now, err, err_len);
    if (rc == PANEL_OK)
        rc = emit(sink, "Store", store_line.text);
    if (rc == PANEL_OK)
        rc = admin_leak_status(st, sink, err, err_len);
    if (rc == PANEL_OK && d.has_current) {
        format_time_or(d.current.created_at, "unknown", when, sizeof when);
        rc = emit(sink, "Key created", when);
        if (rc == PANEL_OK) {
            format_time_or(d.current.last_used_at, "never", when, sizeof when);
            rc = emit(sink, "Key last used", when);
        }
        if (rc == PANEL_OK) {
            snprintf(value, sizeof value, "%lld", (long long)d.current.use_count);
            rc = emit(sink, "Requests with this key", value);
        }
    }
    if (rc == PANEL_OK && d.has_grace) {
        apikeys_format_time(d.grace.expires_at, when, sizeof when);
        snprintf(value, sizeof value, "%s (%s)%s", when, d.grace.hint,
                 d.grace.expires_at <= now ? " - expired" : "");
        rc = emit(sink, "Previous key valid until", value);
        if (rc == PANEL_OK) {
            format_time_or(d.grace.last_used_at, "never", when, sizeof when);
            snprintf(value, sizeof value, "%s (%lld requests)", when, (long long)d.grace.use_count);
            rc = emit(sink, "Previous key last used", value);
        }
        if (rc == PANEL_OK)
            rc = admin_usage_status(st, sink, err, err_len); /* who uses which value (the last caller) */
    }
    if (rc == PANEL_OK) {
        size_t pos = 0;
        int64_t last = 0;
        int last_reason = -1;
        value[0] = '\0';
        for (int r = 0; r < DENIAL_REASONS; r++) {
            if (r >= DENIAL_UNAVAILABLE && d.denials[r] == 0)
                continue; /* the reasons a store without policies never has are listed once they happen */
            pos += (size_t)snprintf(value + pos, sizeof value - pos, "%s%s %lld", pos ? ", " : "",
                                    denial_table[r].code.text, (long long)d.denials[r]);
            if (pos >= sizeof value)
                pos = sizeof value - 1;
            if (d.denials[r] && d.denial_last[r] >= last) {
                last = d.denial_last[r];
                last_reason = r;
            }
        }
        rc = emit(sink, "Denied requests", value);
        if (rc == PANEL_OK) {
            if (last_reason >= 0) {
                apikeys_format_time(last, when, sizeof when);
                snprintf(value, sizeof value, "%s (%s)", when, denial_table[last_reason].code.text);
            } else {
                snprintf(value, sizeof value, "none");
            }
            rc = emit(sink, "Last denied request", value);
        }
    }
    if (rc == PANEL_OK)
        rc = emit_stale_senders(st, sink);
    if (rc == PANEL_OK)
        rc = admin_named_status(st, sink, err, err_len);
    if (rc == PANEL_OK)
        rc = admin_named_usage_status(st, sink, err, err_len); /* named keys in their reset grace */
    if (rc == PANEL_OK)
        rc = emit(sink, "Send the key in", "X-API-Key: <key> or Authorization: Bearer <key>");
    if (rc != PANEL_OK)
        snprintf(err, err_len, "the host stopped reading the status lines");
    return rc;
}

int32_t admin_register(apikeys_state_t *st, const panel_host_t *host, char *err, size_t err_len)
{
    const panel_page_t page = {
        .struct_size = sizeof(panel_page_t),
        .id = APIKEYS_PAGE_ID,
        .title = "API Key",
        .description = "Enable API access and manage the site API key. External tools (game-server plugins, "
                       "bots, integrations) send the key with each request in the X-API-Key header or as "
                       "Authorization: Bearer <key>. Resetting the key breaks tools that still use the old key "
                       "unless you choose a grace period; update connected integrations after a reset.",
        .permission = APIKEYS_PERMISSION,
        .status = admin_page_status,
        .status_summary_lines = APIKEYS_SUMMARY_LINES,
    };
    const panel_menu_entry_t menu = {
        .struct_size = sizeof(panel_menu_entry_t),
        .id = "apikeys.settings",
        .path = "Settings > API Key",
        .page_id = APIKEYS_PAGE_ID,
        .order = 50,
        .permission = APIKEYS_PERMISSION,
    };
    const panel_field_t status_field = {
        .struct_size = sizeof(panel_field_t),
        .id = "api_status",
        .label = "API status",
        .help = "enabled or disabled; change it with the Enable and Disable actions",
        .type = PANEL_FIELD_READONLY,
        .get = admin_field_status_get,
    };
    const panel_field_t key_field = {
        .struct_size = sizeof(panel_field_t),
        .id = "api_key",
        .label = "API key",
        .help = "Shown as a hint only. To migrate, paste an existing key exactly as issued (no spaces); it "
                "replaces the current key at once.",
        .type = PANEL_FIELD_SECRET,
        .flags = PANEL_FLAG_DANGEROUS,
        .confirm = APIKEYS_REPLACE_CONFIRM,
        .get = admin_field_key_get,
        .validate = admin_field_key_validate,
        .set = admin_field_key_set,
        .available = admin_available_key_field,
    };
    const panel_field_t allowed_ips_field = {
        .struct_size = sizeof(panel_field_t),
        .id = "allowed_ips",
        .label = "Allowed IPs",
        .help = "Addresses that may use the API key: IPv4 or IPv6 addresses or CIDRs separated by commas, e.g. "
                "203.0.113.7, 10.0.0.0/8, 2001:db8::/32 (at most 50). Empty: any address. Others get 403.",
        .type = PANEL_FIELD_TEXT,
        .get = admin_field_allowed_ips_get,
        .validate = admin_field_allowed_ips_validate,
        .set = admin_field_allowed_ips_set,
    };
    const panel_field_t rate_limit_field = {
        .struct_size = sizeof(panel_field_t),
        .id = "rate_limit",
        .label = "Rate limit (requests per minute)",
        .help = "At most this many requests a minute with the API key, across every process of a machine (a "
                "burst of as many); more get 429 with Retry-After. 0: no limit.",
        .type = PANEL_FIELD_TEXT,
        .get = admin_field_rate_limit_get,
        .validate = admin_field_rate_limit_validate,
        .set = admin_field_rate_limit_set,
    };
    static const char *const audit_columns[] = {"Time", "User", "Origin", "Action", "Outcome", "Key"};
    const panel_table_t audit = {
        .struct_size = sizeof(panel_table_t),
        .id = "audit",
        .title = "Audit trail",
        .columns = audit_columns,
        .n_columns = 6,
        .page_rows = 10,
        .read = admin_audit_read,
    };
    static const char *const node_columns[] = {"Node",         "Address",      "Lease ends", "Change loaded",
                                               "Clock offset", "Rate-limit share"};
    const panel_table_t nodes = {
        .struct_size = sizeof(panel_table_t),
        .id = "nodes",
        .title = "Live nodes (web nodes sharing this store)",
        .columns = node_columns,
        .n_columns = 6,
        .page_rows = 50,
        .read = admin_nodes_read,
    };
    const panel_param_t grace = admin_grace_param(st);
    const panel_param_t *const reset_params[] = {&grace};
    const panel_action_t actions[] = {
        {.struct_size = sizeof(panel_action_t),
         .id = "enable",
         .label = "Enable API",
         .help = "Turns the API on; creates a key when there is none and shows it once.",
         .run = admin_action_enable,
         .available = admin_available_enable},
        {.struct_size = sizeof(panel_action_t),
         .id = "disable",
         .label = "Disable API",
         .help = "Turns the API off (requests with a valid key get 403); the key is kept, so Enable restores it.",
         .run = admin_action_disable,
         .available = admin_available_disable},
        {.struct_size = sizeof(panel_action_t),
         .id = "reset",
         .label = "Reset API key",
         .help = "Generates a new key and shows it once. With a grace period the old key keeps working until "
                 "it ends.",
         .flags = PANEL_FLAG_DANGEROUS,
         .confirm = APIKEYS_RESET_CONFIRM,
         .params = reset_params,
         .n_params = 1,
         .run = admin_action_reset},
        {.struct_size = sizeof(panel_action_t),
         .id = "end-grace",
         .label = "End grace period",
         .help = "Stops the previous key now, before its grace period ends.",
         .run = admin_action_end_grace,
         .available = admin_available_end_grace},
    };
    const panel_auth_provider_t provider = {
        .struct_size = sizeof(panel_auth_provider_t),
        .id = "apikeys",
        .description = "API key in X-API-Key: <key> or Authorization: Bearer <key>",
        .authenticate = apikeys_authenticate,
        .report_leak = apikeys_report_leak,
    };
    int32_t rc = host->add_page(host, &page, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_menu_entry(host, &menu, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_field(host, APIKEYS_PAGE_ID, &status_field, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_field(host, APIKEYS_PAGE_ID, &key_field, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_field(host, APIKEYS_PAGE_ID, &allowed_ips_field, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_field(host, APIKEYS_PAGE_ID, &rate_limit_field, err, err_len);
    for (size_t i = 0; rc == PANEL_OK && i < sizeof actions / sizeof actions[0]; i++)
        rc = host->add_action(host, APIKEYS_PAGE_ID, &actions[i], err, err_len);
    if (rc == PANEL_OK)
        rc = admin_named_register(st, host, err, err_len);
    if (rc == PANEL_OK && store_has_nodes(&st->store))
        rc = host->add_table(host, APIKEYS_PAGE_ID, &nodes, err, err_len);
    if (rc == PANEL_OK)
        rc = admin_usage_register(host, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_table(host, APIKEYS_PAGE_ID, &audit, err, err_len);
    if (rc == PANEL_OK)
        rc = host->add_auth_provider(host, &provider, err, err_len);
    return rc;
}
