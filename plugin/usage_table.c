/* usage_table.c - the "usage" table of Settings > API Key (ABI 1.3 time series): requests per UTC hour and key
 * value (site, site-previous, a named key's id, none for keys that matched nothing), allowed and denied, the
 * denials by code, for the last STORE_USAGE_DAYS days, newest hour first. The store keeps one count per (hour,
 * key, code); this folds them into one row per (hour, key). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"

#define USAGE_COLUMNS (4 + DENIAL_REASONS)

typedef struct usage_fold {
    const panel_sink_t *sink;
    uint64_t offset;        /* rows still to skip */
    uint32_t limit;         /* rows still to emit */
    int have;               /* a row is being folded */
    int64_t hour;
    char key[32];
    int64_t allowed, denied[DENIAL_REASONS];
} usage_fold_t;

/* "2026-12-06T23:00:00Z" */
static void iso_hour(int64_t t, char *out, size_t out_len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        snprintf(out, out_len, "invalid");
    else
        strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int32_t emit_row(usage_fold_t *f)
{
    f->have = 0;
    if (f->offset) {
        f->offset--;
        return PANEL_OK;
    }
    if (!f->limit)
        return PANEL_OK;
    f->limit--;
    char hour[32], numbers[2 + DENIAL_REASONS][24];
    iso_hour(f->hour, hour, sizeof hour);
    int64_t denied = 0;
    for (int r = 0; r < DENIAL_REASONS; r++) {
        denied += f->denied[r];
        snprintf(numbers[2 + r], sizeof numbers[0], "%lld", (long long)f->denied[r]);
    }
    snprintf(numbers[0], sizeof numbers[0], "%lld", (long long)f->allowed);
    snprintf(numbers[1], sizeof numbers[1], "%lld", (long long)denied);
    const char *cells[USAGE_COLUMNS] = {hour, f->key};
    for (int c = 0; c < 2 + DENIAL_REASONS; c++)
        cells[2 + c] = numbers[c];
    return f->sink->row(f->sink, cells, USAGE_COLUMNS);
}

static int32_t fold(void *vctx, const store_usage_row_t *row)
{
    usage_fold_t *f = vctx;
    if (f->have && (row->hour != f->hour || strcmp(row->key, f->key) != 0)) {
        int32_t rc = emit_row(f);
        if (rc != PANEL_OK)
            return rc;
    }
    if (!f->have) {
        f->have = 1;
        f->hour = row->hour;
        snprintf(f->key, sizeof f->key, "%s", row->key);
        f->allowed = 0;
        memset(f->denied, 0, sizeof f->denied);
    }
    if (strcmp(row->code, "allowed") == 0) {
        f->allowed += row->count;
        return PANEL_OK;
    }
    for (int r = 0; r < DENIAL_REASONS; r++)
        if (strcmp(row->code, denial_table[r].code.text) == 0)
            f->denied[r] += row->count;
    return PANEL_OK;
}

static int32_t read_usage(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    usage_fold_t *f = vctx;
    int64_t now = apikeys_now(st);
    int64_t since = now - now % 3600 - (int64_t)STORE_USAGE_DAYS * 86400;
    int32_t rc = store_read_usage(&st->store, since, fold, f, err, err_len);
    if (rc == PANEL_OK && f->have)
        rc = emit_row(f);
    return rc;
}

static int32_t admin_usage_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                                const panel_sink_t *sink, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    char flush_err[512];
    if (apikeys_flush_usage(st, flush_err, sizeof flush_err) != PANEL_OK) {
        char line[640];
        snprintf(line, sizeof line, "usage counts could not be saved before showing the usage table: %s", flush_err);
        apikeys_log(st, PANEL_LOG_WARN, line);
    }
    usage_fold_t f;
    memset(&f, 0, sizeof f);
    f.sink = sink;
    f.offset = offset;
    f.limit = limit;
    return apikeys_read(st, read_usage, &f, err, err_len);
}

int32_t admin_usage_register(const panel_host_t *host, char *err, size_t err_len)
{
    static const char *const columns[USAGE_COLUMNS] = {
        "hour", "key", "allowed", "denied", "missing", "malformed", "unknown", "expired", "disabled",
        "store_unavailable", "ip_not_allowed", "rate_limited", "too_many_invalid", "rate_limit_unavailable", "scope", "leaked"};
    _Static_assert(DENIAL_REASONS == 12, "one column per counted denial code, in denials.h's order");
    const panel_table_t usage = {
        .struct_size = sizeof(panel_table_t),
        .id = "usage",
        .title = "Requests per hour (last 30 days)",
        .columns = columns,
        .n_columns = USAGE_COLUMNS,
        .page_rows = 24,
        .read = admin_usage_read,
        .time_column = 1,                /* hour */
        .group_column = 2,               /* key */
        .series_columns = (1u << 2) | (1u << 3), /* allowed, denied */
        .series_flags = PANEL_SERIES_STACKED,
        .series_unit = "requests",
    };
    return host->add_table(host, APIKEYS_PAGE_ID, &usage, err, err_len);
}
