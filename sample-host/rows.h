/* rows.h - a list of rows of strings, collected from libpanelhost's row callbacks (status lines, table
 * rows) so a command can render them as text or JSON after the call. */
#ifndef SAMPLE_HOST_ROWS_H
#define SAMPLE_HOST_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "panel/plugin.h"

typedef struct row {
    char **cells;
    uint32_t n_cells;
} row_t;

typedef struct row_list {
    row_t *rows;
    size_t n_rows;
    size_t cap;
    int failed;                 /* 1 after running out of memory */
} row_list_t;

void rows_init(row_list_t *list);
void rows_free(row_list_t *list);
/* A panelhost_row_fn: ctx is a row_list_t. Copies the cells; returns PANEL_E_NOMEM when memory ran out. */
int32_t rows_collect(void *ctx, const char *const *cells, uint32_t n_cells);
/* Cell `i` of `row`, or "" when the row is shorter. */
const char *rows_cell(const row_t *row, uint32_t i);

#endif /* SAMPLE_HOST_ROWS_H */
