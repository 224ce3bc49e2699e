/* text_output.c - plain-text rendering helpers of the sample host: aligned columns for tables. Cells are
 * printed with control characters replaced, so a plugin's text cannot move the terminal's cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rows.h"

/* Display width of a UTF-8 string: its number of code points (good enough for column alignment). */
static size_t display_width(const char *s)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0u) != 0x80u)
            width++;
    return width;
}

/* Prints s with control characters shown as '?', padded with spaces to `width` columns. */
static void print_cell(const char *s, size_t width)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        putchar(*p < 0x20 || *p == 0x7F ? '?' : *p);
    for (size_t w = display_width(s); w < width; w++)
        putchar(' ');
}

void text_print_table(const char *const *header, uint32_t n_columns, const row_list_t *rows, int indent)
{
    if (n_columns == 0)
        return;
    size_t *widths = calloc(n_columns, sizeof *widths);
    if (widths == NULL)
        return;
    for (uint32_t c = 0; c < n_columns; c++) {
        if (header != NULL)
            widths[c] = display_width(header[c]);
        for (size_t r = 0; r < rows->n_rows; r++) {
            size_t w = display_width(rows_cell(&rows->rows[r], c));
            if (w > widths[c])
                widths[c] = w;
        }
    }
    if (header != NULL) {
        printf("%*s", indent, "");
        for (uint32_t c = 0; c < n_columns; c++)
            print_cell(header[c], c + 1 < n_columns ? widths[c] + 2 : 0);
        putchar('\n');
    }
    for (size_t r = 0; r < rows->n_rows; r++) {
        printf("%*s", indent, "");
        for (uint32_t c = 0; c < n_columns; c++)
            print_cell(rows_cell(&rows->rows[r], c), c + 1 < n_columns ? widths[c] + 2 : 0);
        putchar('\n');
    }
    free(widths);
}
