/* A table widget: columns laid out in terminal cells, rows filtered
 * (substring, case-insensitive, "!" negates) and sorted by any column, a
 * selection that survives reloads. The screen owns the data; the table only
 * holds item indices and asks a callback for each cell's text. */
#ifndef DR_UI_TABLE_H
#define DR_UI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/actions.h"
#include "ui/provide_curses.h"
#include "ui/theme.h"

struct table_col {
    const char *title; /* N_() */
    int width;         /* preferred cells */
    int min;           /* narrowest it may get */
    bool right;        /* numbers line up on the right */
    bool flex;         /* takes the spare room */
};

/* The text of column col of item into buf; may set *role (state colours). */
typedef void (*table_cell_fn)(void *ctx, size_t item, size_t col, char *buf, size_t len,
                              enum ui_role *role);
/* A stable identity for an item ("cluster/node"), to keep the selection. */
typedef void (*table_key_fn)(void *ctx, size_t item, char *buf, size_t len);

struct table {
    const struct table_col *cols;
    size_t n_cols;
    table_cell_fn cell;
    table_key_fn key;
    void *ctx;
    size_t n_items;
    size_t *rows; /* items shown, in order */
    size_t n_rows, cap;
    size_t sel, top;
    int page;     /* rows visible at the last draw */
    int sort_col; /* -1: the items' own order */
    bool sort_rev;
    char *filter;
    const char *empty; /* N_() text shown when no row is left */
};

void table_init(struct table *t, const struct table_col *cols, size_t n_cols, table_cell_fn cell,
                table_key_fn key, void *ctx);
void table_done(struct table *t);
/* The items changed (there are now n_items): filter and sort again, keeping
 * the selected item selected when it is still there. */
void table_rebuild(struct table *t, size_t n_items);
void table_set_filter(struct table *t, const char *filter);
/* The name of the key bound to the filter (e.g. "/"), for the words shown
 * when a filter hides every row; copied. */
void table_set_filter_key(const char *name);
bool table_selected(const struct table *t, size_t *item);
/* Navigation and sorting; returns UI_* flags (ui.h). */
int table_action(struct table *t, enum ui_action a);

/* Lay the columns out in avail cells (one space between columns): fills
 * widths[] and returns how many columns fit. */
size_t table_layout(const struct table_col *cols, size_t n, int avail, int *widths);
/* One row as text, exactly avail cells wide. */
void table_format_row(char *buf, size_t len, const char *const *cells, const struct table_col *cols,
                      const int *widths, size_t shown, int avail);
/* " 45% █████░░░░░" (or ASCII) in exactly width cells. */
void table_progress(char *buf, size_t len, int percent, int width);

void table_draw(struct table *t, WINDOW *w, int h, int wd, bool focused);

#endif
