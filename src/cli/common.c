#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/store.h"
#include "core/util.h"

bool
cli_open_store(const struct cli_globals *g, struct dr_store *s)
{
    struct dr_error e = { 0 };

    if (store_init(s, g->config_dir, g->state_dir, &e) != DR_E_OK ||
        store_load(s, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
        store_done(s);
        return false;
    }
    if (g->read_only)
        s->settings.read_only = true;
    return true;
}

void
cli_table_row(struct cli_table *t, ...)
{
    va_list ap;

    t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
    va_start(ap, t);
    for (size_t c = 0; c < t->ncols; c++) {
        const char *v = va_arg(ap, const char *);
        t->cells[t->nrows * t->ncols + c] = xstrdup(str_empty(v) ? "-" : v);
    }
    va_end(ap);
    t->nrows++;
}

void
cli_table_print(struct cli_table *t, FILE *out)
{
    size_t *w = xcalloc(t->ncols, sizeof *w);

    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            size_t n = strlen(t->cells[r * t->ncols + c]);
            if (n > w[c])
                w[c] = n;
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            if (c + 1 == t->ncols)
                fprintf(out, "%s\n", cell);
            else
                fprintf(out, "%-*s  ", (int)w[c], cell);
        }
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(w);
}
