/* cli_sparkline.c - sparklines of a time-series table for `page` (see cli_sparkline.h). Each series is scaled to
 * its own largest day: a day without any is "▁", any other day one of "▂".."█", so a small day never looks
 * like an empty one. Series names are the table's column titles, shown with control characters replaced. */
#include "cli_sparkline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"

static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
                                      "\u2588"};

/* The name padded to `width` code points, control characters as '?'. */
static void print_padded(const char *s, size_t width)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        putchar(*p < 0x20 || *p == 0x7F ? '?' : *p);
        if ((*p & 0xC0u) != 0x80u)
            n++;
    }
    for (; n < width; n++)
        putchar(' ');
}

static size_t name_width(const series_view_t *v)
{
    size_t width = 0;
    for (uint32_t s = 0; s < v->n_series; s++) {
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)v->table->columns[v->columns[s]]; *p; p++)
            n += (*p & 0xC0u) != 0x80u;
        width = n > width ? n : width;
    }
    return width;
}

void cli_print_sparklines(cli_context_t *ctx, const char *page_id, const panel_table_t *t)
{
    if (!series_is_time_series(t))
        return;
    series_view_t *v = malloc(sizeof *v);
    char err[512] = "";
    int32_t rc = v != NULL ? series_load(ctx->host, &ctx->caller, page_id, t, NULL, v, err, sizeof err)
                           : PANEL_E_NOMEM;
    if (rc != PANEL_OK) {
        printf("  (no chart: %s)\n", v != NULL ? err : "out of memory");
        free(v);
        return;
    }
    const char *unit = t->series_unit != NULL ? t->series_unit : "";
    char first[16], last[16];
    series_day_label(v, 0, first, sizeof first);
    series_day_label(v, SERIES_DAYS - 1, last, sizeof last);
    printf("  Per day from %s to %s (UTC):\n", first, last);
    size_t width = name_width(v);
    for (uint32_t s = 0; s < v->n_series; s++) {
        uint64_t max = 0, last48 = 0;
        for (size_t d = 0; d < SERIES_DAYS; d++)
            max = v->days[d][s] > max ? v->days[d][s] : max;
        for (size_t h = 0; h < SERIES_HOURS; h++)
            last48 += v->hours[h][s];
        printf("  ");
        print_padded(t->columns[v->columns[s]], width);
        printf("  ");
        for (size_t d = 0; d < SERIES_DAYS; d++) {
            uint64_t n = v->days[d][s];
            /* 0 -> level 0; else 1..7: n * 7 / max rounded up, so the largest day gets 7 and any other >= 1 */
            long double q = (long double)n * 7.0L / (long double)max;
            unsigned level = (unsigned)q;
            level += (long double)level < q;
            fputs(blocks[level > 7 ? 7 : level], stdout);
        }
        printf("  %" PRIu64 " %s in 30 days, %" PRIu64 " in the last 48 hours\n", v->totals[s], unit, last48);
    }
    if (v->skipped > 0)
        printf("  (%zu rows could not be counted: their time or numbers are not readable)\n", v->skipped);
    free(v);
}
