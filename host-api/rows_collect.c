/* rows_collect.c - panelhost_page_status_rows, panelhost_table_rows and the panelhost_rows_t list they
 * return: the rows of a status or table dispatch copied into memory the caller reads with plain calls and
 * frees, so a binding (PHP's FFI) needs no row callback into its own language. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct rows_row {
    uint32_t n_cells;
    char **cells;
} rows_row_t;

struct panelhost_rows {
    rows_row_t *rows;
    size_t n, cap;
    int out_of_memory; /* a row could not be copied: the whole list is refused */
};

void panelhost_rows_free(panelhost_rows_t *rows)
{
    if (!rows)
        return;
    for (size_t i = 0; i < rows->n; i++) {
        for (uint32_t j = 0; j < rows->rows[i].n_cells; j++)
            free(rows->rows[i].cells[j]);
        free(rows->rows[i].cells);
    }
    free(rows->rows);
    free(rows);
}

/* The row callback of the dispatchers: copies one row; stops the plugin when memory runs out. */
static int32_t collect_row(void *ctx, const char *const *cells, uint32_t n_cells)
{
    panelhost_rows_t *rows = ctx;
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 16;
        rows_row_t *grown = realloc(rows->rows, cap * sizeof *grown);
        if (!grown) {
            rows->out_of_memory = 1;
            return PANEL_E_NOMEM;
        }
        rows->rows = grown;
        rows->cap = cap;
    }
    rows_row_t row = {0, n_cells ? calloc(n_cells, sizeof(char *)) : NULL};
    if (n_cells && !row.cells) {
        rows->out_of_memory = 1;
        return PANEL_E_NOMEM;
    }
    for (; row.n_cells < n_cells; row.n_cells++) {
        row.cells[row.n_cells] = ph_strdup(cells[row.n_cells] ? cells[row.n_cells] : "");
        if (!row.cells[row.n_cells])
            break;
    }
    rows->rows[rows->n++] = row; /* kept even when incomplete, so that free() finds its cells */
    if (row.n_cells < n_cells) {
        rows->out_of_memory = 1;
        return PANEL_E_NOMEM;
    }
    return PANEL_OK;
}

/* Turns the outcome of a dispatch into the function's result. */
static int32_t finish(int32_t rc, panelhost_rows_t *rows, panelhost_rows_t **out, char *err, size_t err_len)
{
    if (rc == PANEL_OK && rows->out_of_memory) {
        ph_errf(err, err_len, "out of memory while copying the rows");
        rc = PANEL_E_NOMEM;
    }
    if (rc != PANEL_OK) {
        panelhost_rows_free(rows);
        return rc;
    }
    *out = rows;
    return PANEL_OK;
}

int32_t panelhost_page_status_rows(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                   panelhost_rows_t **out, char *err, size_t err_len)
{
    if (!out) {
        ph_errf(err, err_len, "panelhost_page_status_rows: out must not be NULL");
        return PANEL_E_INVALID;
    }
    *out = NULL;
    panelhost_rows_t *rows = calloc(1, sizeof *rows);
    if (!rows) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int32_t rc = panelhost_page_status(host, caller, page_id, collect_row, rows, err, err_len);
    return finish(rc, rows, out, err, err_len);
}

int32_t panelhost_table_rows(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *table_id, uint64_t offset, uint32_t limit, panelhost_rows_t **out,
                             char *err, size_t err_len)
{
    if (!out) {
        ph_errf(err, err_len, "panelhost_table_rows: out must not be NULL");
        return PANEL_E_INVALID;
    }
    *out = NULL;
    panelhost_rows_t *rows = calloc(1, sizeof *rows);
    if (!rows) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int32_t rc = panelhost_table_read(host, caller, page_id, table_id, offset, limit, collect_row, rows, err,
                                      err_len);
    return finish(rc, rows, out, err, err_len);
}

size_t panelhost_rows_count(const panelhost_rows_t *rows)
{
    return rows ? rows->n : 0;
}

uint32_t panelhost_rows_width(const panelhost_rows_t *rows, size_t i)
{
    return rows && i < rows->n ? rows->rows[i].n_cells : 0;
}

const char *panelhost_rows_cell(const panelhost_rows_t *rows, size_t i, uint32_t j)
{
    if (!rows || i >= rows->n || j >= rows->rows[i].n_cells)
        return NULL;
    return rows->rows[i].cells[j];
}
