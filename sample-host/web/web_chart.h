/* web_chart.h - time-series tables (ABI 1.3) drawn as inline SVG on the server: stacked (or side-by-side) bars per
 * day for the last 30 days and per hour for the last 48, axis labels, a legend with totals and a text alternative
 * (the SVG's title and description, and the numbers in a table behind a disclosure). No script, no inline style,
 * so the panel's Content-Security-Policy holds. Generic over any table descriptor with a time column. */
#ifndef SAMPLE_HOST_WEB_CHART_H
#define SAMPLE_HOST_WEB_CHART_H

#include "panel/host.h"
#include "web_html.h"
#include "web_http.h"

/* On the page: the chart of time-series table t, summed over its groups; nothing for another table. */
void web_chart_section(web_buf_t *b, panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                       const panel_table_t *t);

/* GET /admin/PAGE?chart=TABLE[&group=VALUE]: a page with that table's chart, only the rows of group VALUE when
 * given; 404 when the page has no such time series, 403 when the caller may not see the page. */
void web_chart_page(panelhost_t *host, const panel_caller_t *caller, const char *csrf, const char *page_id,
                    const char *chart, const char *group, web_response_t *res);

/* In the row of record `record` of table t: a link to that record's own chart when the page has a time series
 * split into groups (the record id being a group value, e.g. a key id); nothing otherwise. */
void web_chart_record_link(web_buf_t *b, panelhost_t *host, const char *page_id, const panel_table_t *t,
                           const char *record);

#endif /* SAMPLE_HOST_WEB_CHART_H */
