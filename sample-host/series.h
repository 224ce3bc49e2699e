/* series.h - a time-series table (ABI 1.3: panel_table_t.time_column and series_columns) summed into the buckets
 * the sample host draws: one per UTC day of the last 30 days and one per hour of the last 48, per series, over
 * every group or over one group's rows. Generic over any such table: it knows the descriptor, not the plugin.
 * Shared by the web chart (web/web_chart.c) and the command line's sparklines (cli/cli_sparkline.c). */
#ifndef SAMPLE_HOST_SERIES_H
#define SAMPLE_HOST_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "panel/host.h"

#define SERIES_DAYS 30
#define SERIES_HOURS 48
#define SERIES_MAX 32

typedef struct series_view {
    const panel_table_t *table;
    uint32_t n_series;
    uint32_t columns[SERIES_MAX];          /* the column (0-based) of each series, in column order */
    int64_t first_day;                     /* Unix start (00:00 UTC) of the oldest day bucket */
    int64_t first_hour;                    /* Unix start of the oldest hour bucket */
    uint64_t days[SERIES_DAYS][SERIES_MAX];   /* oldest first; the last is today */
    uint64_t hours[SERIES_HOURS][SERIES_MAX]; /* oldest first; the last is the current hour */
    uint64_t totals[SERIES_MAX];           /* each series over the 30 days */
    size_t rows;                           /* rows summed */
    size_t skipped;                        /* rows whose time or numbers are not what the descriptor says */
} series_view_t;

/* 1 when `t` is a time series the host can draw (time_column and at least one series column within it). */
int series_is_time_series(const panel_table_t *t);

/* Reads table `t` of page `page_id` (newest rows first, until one older than 30 days) and sums its series
 * into `out`, for the host clock's now; with `group` non-NULL only the rows whose group cell equals it (a table
 * without a group column then has none). PANEL_OK, or the dispatch's code with its message in err. */
int32_t series_load(panelhost_t *host, const panel_caller_t *caller, const char *page_id, const panel_table_t *t,
                    const char *group, series_view_t *out, char *err, size_t err_len);

/* The sum of every series of day or hour bucket i (the height of a stacked bar). */
uint64_t series_day_total(const series_view_t *v, size_t i);
uint64_t series_hour_total(const series_view_t *v, size_t i);

/* Bucket i's start as "YYYY-MM-DD" (a day) or "YYYY-MM-DDTHH:00Z" (an hour). */
void series_day_label(const series_view_t *v, size_t i, char *out, size_t out_len);
void series_hour_label(const series_view_t *v, size_t i, char *out, size_t out_len);

#endif /* SAMPLE_HOST_SERIES_H */
