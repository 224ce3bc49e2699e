/* rows.c - collects rows of cells handed over by libpanelhost's row callbacks. See rows.h. */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

void rows_init(row_list_t *list)
{
    memset(list, 0, sizeof *list);
}

void rows_free(row_list_t *list)
{
    for (size_t r = 0; r < list->n_rows; r++) {
        for (uint32_t c = 0; c < list->rows[r].n_cells; c++)
            free(list->rows[r].cells[c]);
        free(list->rows[r].cells);
    }
    free(list->rows);
    rows_init(list);
}

int32_t rows_collect(void *ctx, const char *const *cells, uint32_t n_cells)
{
    row_list_t *list = ctx;
    if (list->n_rows == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        row_t *grown = realloc(list->rows, cap * sizeof *grown);
        if (grown == NULL) {
            list->failed = 1;
            return PANEL_E_NOMEM;
        }
        list->rows = grown;
        list->cap = cap;
    }
    row_t row = {calloc(n_cells ? n_cells : 1, sizeof(char *)), 0};
    if (row.cells == NULL) {
        list->failed = 1;
        return PANEL_E_NOMEM;
    }
    for (uint32_t c = 0; c < n_cells; c++) {
        row.cells[c] = strdup(cells[c] != NULL ? cells[c] : "");
        if (row.cells[c] == NULL) {
            for (uint32_t k = 0; k < c; k++)
                free(row.cells[k]);
            free(row.cells);
            list->failed = 1;
            return PANEL_E_NOMEM;
        }
        row.n_cells = c + 1;
    }
    list->rows[list->n_rows++] = row;
    return PANEL_OK;
}

const char *rows_cell(const row_t *row, uint32_t i)
{
    return i < row->n_cells ? row->cells[i] : "";
}
