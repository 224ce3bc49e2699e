/* cli_sparkline.h - a time-series table (ABI 1.3) on the command line: one line per series with a sparkline of
 * its last 30 days (one Unicode block character per UTC day, oldest left) and its totals, printed by `page` above
 * the table's rows. */
#ifndef SAMPLE_HOST_CLI_SPARKLINE_H
#define SAMPLE_HOST_CLI_SPARKLINE_H

#include "cli.h"

/* Prints the sparklines of table t of page `page_id` when it is a time series (nothing otherwise), indented by
 * two spaces; a table that cannot be read prints one line saying why. */
void cli_print_sparklines(cli_context_t *ctx, const char *page_id, const panel_table_t *t);

#endif /* SAMPLE_HOST_CLI_SPARKLINE_H */
