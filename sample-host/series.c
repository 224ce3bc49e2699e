/* series.c - sums a time-series table into day and hour buckets (see series.h). Rows arrive newest first; the
 * read stops at the first row older than the oldest day bucket, and at SERIES_ROWS_MAX rows whatever happens. */
#include "series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400
#define HOUR 3600
#define SERIES_ROWS_MAX 1000000u

int series_is_time_series(const panel_table_t *t)
{
    if (t == NULL || t->time_column == 0 || t->time_column > t->n_columns || t->n_columns > SERIES_MAX)
        return 0;
    uint32_t all = t->n_columns == 32 ? UINT32_MAX : (1u << t->n_columns) - 1u;
    return (t->series_columns & all) != 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" to Unix seconds; -1 when it is not exactly that. */
static int64_t parse_time(const char *s)
{
    int y, mo, d, h, mi, sec, used = 0;
    if (strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 ||
        used != 20 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 ||
        sec < 0)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    return (int64_t)timegm(&tm);
}

/* A series cell: a non-negative decimal integer, "" counting as 0. */
static int parse_count(const char *s, uint64_t *out)
{
    if (s[0] == '\0') {
        *out = 0;
        return 1;
    }
    if (s[0] < '0' || s[0] > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

typedef struct load_ctx {
    series_view_t *v;
    const char *group;
    size_t seen;
} load_ctx_t;

static void add_saturating(uint64_t *to, uint64_t n)
{
    *to = *to > UINT64_MAX - n ? UINT64_MAX : *to + n;
}

static int32_t sum_row(void *ctx, const char *const *cells, uint32_t n_cells)
{
    load_ctx_t *c = ctx;
    series_view_t *v = c->v;
    const panel_table_t *t = v->table;
    if (++c->seen > SERIES_ROWS_MAX)
        return PANEL_E_STATE; /* enough: stops the read */
    if (n_cells != t->n_columns) {
        v->skipped++;
        return PANEL_OK;
    }
    int64_t start = parse_time(cells[t->time_column - 1]);
    if (start < 0) {
        v->skipped++;
        return PANEL_OK;
    }
    if (start < v->first_day)
        return PANEL_E_STATE; /* older than the chart: the rest is older still */
    if (c->group != NULL && (t->group_column == 0 || strcmp(cells[t->group_column - 1], c->group) != 0))
        return PANEL_OK;
    uint64_t counts[SERIES_MAX];
    for (uint32_t s = 0; s < v->n_series; s++)
        if (!parse_count(cells[v->columns[s]], &counts[s])) {
            v->skipped++;
            return PANEL_OK;
        }
    int64_t day = (start - v->first_day) / DAY;
    int64_t hour = start >= v->first_hour ? (start - v->first_hour) / HOUR : -1;
    if (day >= SERIES_DAYS) /* in the future: not drawn */
        return PANEL_OK;
    v->rows++;
    for (uint32_t s = 0; s < v->n_series; s++) {
        add_saturating(&v->days[day][s], counts[s]);
        add_saturating(&v->totals[s], counts[s]);
        if (hour >= 0 && hour < SERIES_HOURS)
            add_saturating(&v->hours[hour][s], counts[s]);
    }
    return PANEL_OK;
}

int32_t series_load(panelhost_t *host, const panel_caller_t *caller, const char *page_id, const panel_table_t *t,
                    const char *group, series_view_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->table = t;
    if (!series_is_time_series(t)) {
        snprintf(err, err_len, "table '%s' is not a time series", t->id);
        return PANEL_E_INVALID;
    }
    for (uint32_t i = 0; i < t->n_columns; i++)
        if ((t->series_columns >> i) & 1u)
            out->columns[out->n_series++] = i;
    int64_t now = panelhost_now(host);
    out->first_day = now - now % DAY - (int64_t)(SERIES_DAYS - 1) * DAY;
    out->first_hour = now - now % HOUR - (int64_t)(SERIES_HOURS - 1) * HOUR;
    load_ctx_t ctx = {.v = out, .group = group};
    return panelhost_table_read(host, caller, page_id, t->id, 0, SERIES_ROWS_MAX + 1, sum_row, &ctx, err, err_len);
}

uint64_t series_day_total(const series_view_t *v, size_t i)
{
    uint64_t sum = 0;
    for (uint32_t s = 0; s < v->n_series; s++)
        add_saturating(&sum, v->days[i][s]);
    return sum;
}

uint64_t series_hour_total(const series_view_t *v, size_t i)
{
    uint64_t sum = 0;
    for (uint32_t s = 0; s < v->n_series; s++)
        add_saturating(&sum, v->hours[i][s]);
    return sum;
}

static void format_utc(int64_t t, const char *fmt, char *out, size_t out_len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (strftime(out, out_len, fmt, &tm) == 0 && out_len > 0)
        out[0] = '\0';
}

void series_day_label(const series_view_t *v, size_t i, char *out, size_t out_len)
{
    format_utc(v->first_day + (int64_t)i * DAY, "%Y-%m-%d", out, out_len);
}

void series_hour_label(const series_view_t *v, size_t i, char *out, size_t out_len)
{
    format_utc(v->first_hour + (int64_t)i * HOUR, "%Y-%m-%dT%H:00Z", out, out_len);
}
