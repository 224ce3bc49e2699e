/* web_chart.c - draws a time-series table as inline SVG (see web_chart.h). The numbers come from series.c; this
 * file owns the drawing: the view box (360 wide, so it stays readable on a 390 px phone and scales up to the
 * style sheet's max-width), bars, axes, legend and the text alternative. */
#include "web_chart.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"
#include "web_layout.h"
#include "web_page.h"

/* The drawing's geometry, in view-box units. */
#define VIEW_W 360
#define VIEW_H 196
#define PLOT_LEFT 44.0
#define PLOT_RIGHT 352.0
#define PLOT_TOP 12.0
#define PLOT_BOTTOM 160.0
#define GROUP_MAX 256u

static const char *const palette[] = {"#2b7a3d", "#b3261e", "#1f5fa8", "#8a5a00",
                                      "#6b3fa0", "#00727a", "#555555", "#c05800"};
#define PALETTE_N (sizeof palette / sizeof palette[0])

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

typedef struct bucket_set {
    const char *id;            /* "days" or "hours" */
    const char *heading;       /* shown above the drawing */
    size_t n;
    uint64_t (*at)[SERIES_MAX];
    uint64_t (*total)(const series_view_t *v, size_t i);
    void (*label)(const series_view_t *v, size_t i, char *out, size_t out_len);
} bucket_set_t;

/* The series' column title, and its unit ("requests") or "" for none. */
static const char *series_name(const series_view_t *v, uint32_t s)
{
    return v->table->columns[v->columns[s]];
}

static const char *unit_of(const series_view_t *v)
{
    return v->table->series_unit != NULL ? v->table->series_unit : "";
}

/* A tick label: 950, 12k, 3.4M. */
static void compact(uint64_t n, char *out, size_t out_len)
{
    if (n >= 10000000u)
        snprintf(out, out_len, "%" PRIu64 "M", n / 1000000u);
    else if (n >= 1000000u)
        snprintf(out, out_len, "%.1fM", (double)n / 1e6);
    else if (n >= 10000u)
        snprintf(out, out_len, "%" PRIu64 "k", n / 1000u);
    else
        snprintf(out, out_len, "%" PRIu64, n);
}

/* The axis' top: the smallest 1, 2 or 5 times a power of ten (an even number, so the middle tick is whole) that
 * is >= max. */
static uint64_t axis_top(uint64_t max)
{
    if (max <= 2)
        return 2;
    for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
        static const uint64_t steps[] = {2, 4, 10};
        for (size_t i = 0; i < 3; i++)
            if (steps[i] * p >= max)
                return steps[i] * p;
    }
    return max;
}

/* "6 Dec" from "2026-12-06...", or the hour "23:00" from "...T23:00Z". */
static void short_day(const char *iso, char *out, size_t out_len)
{
    int month = atoi(iso + 5), day = atoi(iso + 8);
    snprintf(out, out_len, "%d %s", day, month >= 1 && month <= 12 ? months[month - 1] : "?");
}

static uint64_t bucket_max(const series_view_t *v, const bucket_set_t *set, int stacked)
{
    uint64_t max = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (stacked) {
            uint64_t t = set->total(v, i);
            max = t > max ? t : max;
        } else
            for (uint32_t s = 0; s < v->n_series; s++)
                max = set->at[i][s] > max ? set->at[i][s] : max;
    }
    return max;
}

static void axes(web_buf_t *b, uint64_t top)
{
    char label[32];
    for (int k = 0; k <= 2; k++) {
        double y = PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * k / 2.0;
        web_rawf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"1\"/>",
                 PLOT_LEFT, y, PLOT_RIGHT, y, k == 0 ? "#667" : "#dde");
        compact(top / 2 * (uint64_t)k, label, sizeof label);
        web_rawf(b, "<text class=\"y-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\" "
                    "fill=\"#333\">%s</text>",
                 PLOT_LEFT - 4, y + 4, label);
    }
}

/* The x labels: every 7th day (counted back from today), or each 00:00 and 12:00 of the hours. */
static void x_labels(web_buf_t *b, const series_view_t *v, const bucket_set_t *set, double slot)
{
    char iso[32], text[32];
    for (size_t i = 0; i < set->n; i++) {
        set->label(v, i, iso, sizeof iso);
        int is_days = set->n == SERIES_DAYS;
        if (is_days ? (set->n - 1 - i) % 7 != 0 : strncmp(iso + 11, "00", 2) != 0 && strncmp(iso + 11, "12", 2) != 0)
            continue;
        if (is_days || strncmp(iso + 11, "00", 2) == 0)
            short_day(iso, text, sizeof text);
        else
            snprintf(text, sizeof text, "%.5s", iso + 11);
        double x = PLOT_LEFT + slot * ((double)i + 0.5);
        const char *anchor = x < PLOT_LEFT + 20 ? "start" : x > PLOT_RIGHT - 20 ? "end" : "middle";
        web_rawf(b, "<text class=\"x-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"11\" "
                    "fill=\"#333\">",
                 x, PLOT_BOTTOM + 16, anchor);
        web_html_text(b, text);
        web_raw(b, "</text>");
    }
}

static void bar(web_buf_t *b, const series_view_t *v, uint32_t s, const char *bucket, uint64_t value, double x,
                double y, double w, double h)
{
    web_rawf(b, "<rect class=\"bar\" x=\"%.3f\" y=\"%.3f\" width=\"%.3f\" height=\"%.3f\" fill=\"%s\" "
                "data-series=\"",
             x, y, w, h, palette[s % PALETTE_N]);
    web_html_text(b, series_name(v, s));
    web_raw(b, "\" data-bucket=\"");
    web_html_text(b, bucket);
    web_rawf(b, "\" data-value=\"%" PRIu64 "\"><title>", value);
    web_html_text(b, bucket);
    web_rawf(b, ": %" PRIu64 " ", value);
    web_html_text(b, series_name(v, s));
    web_raw(b, "</title></rect>");
}

static void bars(web_buf_t *b, const series_view_t *v, const bucket_set_t *set, int stacked, uint64_t top,
                 double slot)
{
    double scale = (PLOT_BOTTOM - PLOT_TOP) / (double)top;
    char iso[32];
    for (size_t i = 0; i < set->n; i++) {
        set->label(v, i, iso, sizeof iso);
        double x = PLOT_LEFT + slot * (double)i + slot * 0.125, width = slot * 0.75;
        double base = PLOT_BOTTOM;
        for (uint32_t s = 0; s < v->n_series; s++) {
            uint64_t value = set->at[i][s];
            if (value == 0)
                continue;
            double h = (double)value * scale;
            if (stacked) {
                base -= h;
                bar(b, v, s, iso, value, x, base, width, h);
            } else {
                double w = width / v->n_series;
                bar(b, v, s, iso, value, x + w * s, PLOT_BOTTOM - h, w, h);
            }
        }
    }
}

/* One drawing: the buckets of `set` with axes, its title and description for assistive technology. */
static void drawing(web_buf_t *b, const series_view_t *v, const bucket_set_t *set, const char *chart_id,
                    const char *title)
{
    int stacked = (v->table->series_flags & PANEL_SERIES_STACKED) != 0;
    uint64_t top = axis_top(bucket_max(v, set, stacked));
    double slot = (PLOT_RIGHT - PLOT_LEFT) / (double)set->n;
    char first[32], last[32];
    set->label(v, 0, first, sizeof first);
    set->label(v, set->n - 1, last, sizeof last);

    web_raw(b, "<figure class=\"chart-figure\"><figcaption>");
    web_html_text(b, set->heading);
    web_rawf(b, "</figcaption><svg class=\"chart\" id=\"%s-%s\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                "preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\" data-top=\"%" PRIu64
                "\" data-plot-height=\"%.1f\" aria-labelledby=\"%s-%s-title %s-%s-desc\">",
             chart_id, set->id, VIEW_W, VIEW_H, top, PLOT_BOTTOM - PLOT_TOP, chart_id, set->id, chart_id, set->id);
    web_rawf(b, "<title id=\"%s-%s-title\">", chart_id, set->id);
    web_html_text(b, title);
    web_raw(b, ", ");
    web_html_text(b, set->heading);
    web_rawf(b, "</title><desc id=\"%s-%s-desc\">%s bars of ", chart_id, set->id, stacked ? "Stacked" : "Grouped");
    for (uint32_t s = 0; s < v->n_series; s++) {
        web_raw(b, s == 0 ? "" : s + 1 == v->n_series ? " and " : ", ");
        web_html_text(b, series_name(v, s));
    }
    web_raw(b, " ");
    web_html_text(b, unit_of(v));
    web_raw(b, " from ");
    web_html_text(b, first);
    web_raw(b, " to ");
    web_html_text(b, last);
    web_rawf(b, " (UTC); the axis goes up to %" PRIu64 ". The numbers are in the table below the chart.</desc>",
             top);
    axes(b, top);
    bars(b, v, set, stacked, top, slot);
    x_labels(b, v, set, slot);
    web_raw(b, "</svg></figure>");
}

static void legend(web_buf_t *b, const series_view_t *v)
{
    web_raw(b, "<ul class=\"chart-legend\">");
    for (uint32_t s = 0; s < v->n_series; s++) {
        web_rawf(b, "<li data-series-total=\"%" PRIu64 "\"><svg width=\"12\" height=\"12\" viewBox=\"0 0 12 12\" "
                    "aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"%s\"/></svg> ",
                 v->totals[s], palette[s % PALETTE_N]);
        web_html_text(b, series_name(v, s));
        web_rawf(b, ": %" PRIu64 " ", v->totals[s]);
        web_html_text(b, unit_of(v));
        web_raw(b, "</li>");
    }
    web_raw(b, "</ul>");
}

/* The numbers of every bucket (days, then hours), in a table behind a disclosure. */
static void numbers(web_buf_t *b, const series_view_t *v, const bucket_set_t *sets, size_t n_sets)
{
    web_raw(b, "<details class=\"chart-numbers\"><summary>The numbers</summary><div class=\"table-scroll\"><table>"
               "<thead><tr><th scope=\"col\">Period (UTC)</th>");
    for (uint32_t s = 0; s < v->n_series; s++) {
        web_raw(b, "<th scope=\"col\">");
        web_html_text(b, series_name(v, s));
        web_raw(b, "</th>");
    }
    web_raw(b, "</tr></thead>");
    char iso[32];
    for (size_t k = 0; k < n_sets; k++) {
        web_rawf(b, "<tbody data-buckets=\"%s\"><tr><th scope=\"rowgroup\" colspan=\"%u\">", sets[k].id,
                 (unsigned)v->n_series + 1);
        web_html_text(b, sets[k].heading);
        web_raw(b, "</th></tr>");
        for (size_t i = sets[k].n; i-- > 0;) {
            sets[k].label(v, i, iso, sizeof iso);
            web_raw(b, "<tr><th scope=\"row\">");
            web_html_text(b, iso);
            web_raw(b, "</th>");
            for (uint32_t s = 0; s < v->n_series; s++)
                web_rawf(b, "<td>%" PRIu64 "</td>", sets[k].at[i][s]);
            web_raw(b, "</tr>");
        }
        web_raw(b, "</tbody>");
    }
    web_raw(b, "</table></div></details>");
}

/* The chart of an already loaded view, under `title`. */
static void render(web_buf_t *b, const series_view_t *v, const char *chart_id, const char *title)
{
    bucket_set_t sets[2] = {
        {"days", "Per day, last 30 days", SERIES_DAYS, ((series_view_t *)v)->days, series_day_total,
         series_day_label},
        {"hours", "Per hour, last 48 hours", SERIES_HOURS, ((series_view_t *)v)->hours, series_hour_total,
         series_hour_label},
    };
    legend(b, v);
    if (v->rows == 0) {
        web_raw(b, "<p class=\"chart-empty\">No ");
        web_html_text(b, v->table->series_unit != NULL ? v->table->series_unit : "entries");
        web_raw(b, " in the last 30 days.</p>");
    }
    for (size_t k = 0; k < 2; k++)
        drawing(b, v, &sets[k], chart_id, title);
    if (v->skipped > 0)
        web_rawf(b, "<p class=\"help\">%zu rows could not be drawn (their time or numbers are not readable); the "
                    "table shows them.</p>", v->skipped);
    numbers(b, v, sets, 2);
}

/* Loads and renders the chart of t (one group's when group is non-NULL) into a <section>. */
static void chart_of(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                     const panel_table_t *t, const char *group)
{
    char chart_id[PANEL_ID_MAX + 8];
    snprintf(chart_id, sizeof chart_id, "chart-%s", t->id);
    web_raw(b, "<section class=\"chart-section\" id=\"");
    web_html_text(b, chart_id);
    web_raw(b, "\"><h2>");
    web_html_text(b, t->title);
    if (group != NULL) {
        web_raw(b, ": ");
        web_html_text(b, t->group_column ? t->columns[t->group_column - 1] : "");
        web_raw(b, " ");
        web_html_text(b, group);
    }
    web_raw(b, "</h2>");
    series_view_t *v = malloc(sizeof *v);
    char err[512] = "";
    int32_t rc = v != NULL ? series_load(host, caller, page_id, t, group, v, err, sizeof err) : PANEL_E_NOMEM;
    if (rc != PANEL_OK) {
        web_raw(b, "<p class=\"error\">The chart could not be drawn: ");
        web_html_text(b, v != NULL ? err : "out of memory");
        web_raw(b, "</p>");
    } else
        render(b, v, chart_id, t->title);
    free(v);
    web_raw(b, "</section>");
}

void web_chart_section(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                       const panel_table_t *t)
{
    if (series_is_time_series(t))
        chart_of(b, host, caller, page_id, t, NULL);
}

void web_chart_page(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const char *page_id,
                    const char *chart, const char *group, web_response_t *res)
{
    const panel_page_t *page = web_page_visible(host, caller, csrf, page_id, res);
    if (page == NULL)
        return;
    const panel_table_t *t = NULL, *candidate;
    for (size_t i = 0; (candidate = panelhost_table_at(host, page_id, i)) != NULL; i++)
        if (strcmp(candidate->id, chart) == 0 && series_is_time_series(candidate))
            t = candidate;
    if (t == NULL || (group != NULL && (t->group_column == 0 || group[0] == '\0' || strlen(group) > GROUP_MAX))) {
        web_page_error(host, caller, csrf, 404, "Chart not found",
                       "This page has no such chart. Open the page and follow a chart link from there.", res);
        return;
    }
    res->status = 200;
    web_buf_t *b = &res->body;
    web_layout_begin(b, host, caller, csrf, t->title, page->id);
    web_raw(b, "<h1>");
    web_html_text(b, page->title);
    web_raw(b, "</h1><p><a id=\"chart-back\" href=\"/admin/");
    web_html_text(b, page->id);
    web_raw(b, "\">Back to ");
    web_html_text(b, page->title);
    web_raw(b, "</a></p>");
    chart_of(b, host, caller, page_id, t, group);
    web_layout_end(b);
}

void web_chart_record_link(web_buf_t *b, panelhost_t *host, const char *page_id, const panel_table_t *t,
                           const char *record)
{
    if (record == NULL || t->row_id_column == 0 || series_is_time_series(t))
        return;
    const panel_table_t *series;
    for (size_t i = 0; (series = panelhost_table_at(host, page_id, i)) != NULL; i++) {
        if (!series_is_time_series(series) || series->group_column == 0)
            continue;
        web_raw(b, "<a class=\"chart-link\" href=\"/admin/");
        web_html_text(b, page_id);
        web_raw(b, "?chart=");
        web_html_text(b, series->id);
        web_raw(b, "&amp;group=");
        web_html_text(b, record);
        web_raw(b, "\">");
        web_html_text(b, series->title);
        web_raw(b, ": ");
        web_html_text(b, record);
        web_raw(b, "</a>");
        return;
    }
}
