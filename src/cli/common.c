#include "config.h"

#include <cjson/cJSON.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/i18n.h"
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

static bool
asked_about(const char *file, const char *const *patterns)
{
    for (size_t i = 0; file && patterns[i]; i++) {
        if (fnmatch(patterns[i], file, FNM_PATHNAME) == 0)
            return true;
    }
    return false;
}

void
cli_report_spec_file(const struct dr_store *s, const char *file, const struct dr_error *e)
{
    bool said = false;

    for (size_t i = 0; i < s->n_diags; i++) {
        if (str_eq(s->diags[i].file, file)) {
            char *d = store_diag_format(&s->diags[i]);
            fprintf(stderr, "drover: %s\n", d);
            free(d);
            said = true;
        }
    }
    /* The error repeats the first problem; it is said only when no problem
     * named the file, so each problem is printed once. */
    if (!said)
        fprintf(stderr, "drover: %s\n", dr_error_text(e));
}

size_t
cli_report_failed(const struct dr_store *s, const char *const *patterns)
{
    size_t failed = 0, printed = 0;

    for (size_t i = 0; s->failed && s->failed[i]; i++) {
        if (!asked_about(s->failed[i], patterns))
            continue;
        failed++;
        for (size_t j = 0; j < s->n_diags; j++) {
            if (str_eq(s->diags[j].file, s->failed[i])) {
                char *d = store_diag_format(&s->diags[j]);
                fprintf(stderr, "drover: %s\n", d);
                free(d);
                printed++;
            }
        }
    }
    /* A state file's log belongs to it: damage the replay skipped (a
     * record lost, store_log.c) is said with the state it leaves, though
     * the state loaded. */
    for (size_t j = 0; j < s->n_diags; j++) {
        const char *file = s->diags[j].file;
        size_t n = strlen(file);

        if (n > 4 && str_has_suffix(file, ".state.log")) {
            char *state = xstrndup(file, n - 4);
            bool asked = asked_about(state, patterns);

            free(state);
            if (asked) {
                char *d = store_diag_format(&s->diags[j]);
                fprintf(stderr, "drover: %s\n", d);
                free(d);
                printed++;
            }
        }
    }
    if (printed == 0 && s->n_diags > 0)
        fprintf(stderr, _("drover: %zu problem(s) in the configuration; run 'drover validate'\n"),
                s->n_diags);
    else if (printed < s->n_diags)
        fprintf(stderr,
                _("drover: %zu other problem(s) in the configuration; run 'drover validate'\n"),
                s->n_diags - printed);
    return failed;
}

size_t
cli_report_spec_inputs(const struct dr_store *s, const struct dr_cluster *spec)
{
    const char **files = xcalloc(spec->n_pools + 3, sizeof *files);
    char **owned = xcalloc(spec->n_pools + 1, sizeof *owned);
    size_t n = 0, failed;

    files[n++] = "drover.cfg";
    files[n++] = "vcenters.cfg";
    for (size_t i = 0; i < spec->n_pools; i++)
        if (spec->pools[i].template) {
            owned[i] = xasprintf("templates/%s.cfg", spec->pools[i].template);
            files[n++] = owned[i];
        }
    failed = cli_report_failed(s, files);
    for (size_t i = 0; i < spec->n_pools; i++)
        free(owned[i]);
    free(owned);
    free(files);
    return failed;
}

void
cli_json_str(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
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
