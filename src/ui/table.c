#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/table.h"
#include "ui/text.h"

#define CELL_MAX 256

void
table_init(struct table *t, const struct table_col *cols, size_t n_cols, table_cell_fn cell,
           table_key_fn key, void *ctx)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->n_cols = n_cols;
    t->cell = cell;
    t->key = key;
    t->ctx = ctx;
    t->sort_col = -1;
    t->page = 1;
    t->empty = N_("Nothing to show");
}

/* The key that opens the filter prompt, as bound (table_set_filter_key). */
static char filter_key[32] = "/";

void
table_set_filter_key(const char *name)
{
    snprintf(filter_key, sizeof filter_key, "%s", str_empty(name) ? "/" : name);
}

void
table_done(struct table *t)
{
    free(t->rows);
    free(t->filter);
    memset(t, 0, sizeof *t);
}

static void
item_key(const struct table *t, size_t item, char *buf, size_t len)
{
    enum ui_role role = ROLE_NORMAL;

    if (t->key)
        t->key(t->ctx, item, buf, len);
    else
        t->cell(t->ctx, item, 0, buf, len, &role);
}

static bool
matches(const struct table *t, size_t item)
{
    const char *f = t->filter;
    bool neg = false, hit = false;
    char buf[CELL_MAX];

    if (str_empty(f))
        return true;
    if (f[0] == '!') {
        neg = true;
        f++;
        if (*f == '\0')
            return true;
    }
    for (size_t c = 0; c < t->n_cols && !hit; c++) {
        enum ui_role role = ROLE_NORMAL;
        buf[0] = '\0';
        t->cell(t->ctx, item, c, buf, sizeof buf, &role);
        hit = str_casestr(buf, f) != NULL;
    }
    return hit != neg;
}

struct sort_key {
    char *text;
    size_t item;
};

static int
cmp_key(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    int c = strverscmp(x->text, y->text);

    if (c == 0)
        c = x->item < y->item ? -1 : x->item > y->item;
    return c;
}

static void
sort_rows(struct table *t)
{
    struct sort_key *k;
    char buf[CELL_MAX];

    if (t->sort_col < 0 || t->n_rows < 2)
        goto reverse;
    k = xmalloc(t->n_rows * sizeof *k);
    for (size_t i = 0; i < t->n_rows; i++) {
        enum ui_role role = ROLE_NORMAL;
        buf[0] = '\0';
        t->cell(t->ctx, t->rows[i], (size_t)t->sort_col, buf, sizeof buf, &role);
        k[i].text = xstrdup(buf);
        k[i].item = t->rows[i];
    }
    qsort(k, t->n_rows, sizeof *k, cmp_key);
    for (size_t i = 0; i < t->n_rows; i++) {
        t->rows[i] = k[i].item;
        free(k[i].text);
    }
    free(k);
reverse:
    if (t->sort_rev) {
        for (size_t i = 0; i < t->n_rows / 2; i++) {
            size_t tmp = t->rows[i];
            t->rows[i] = t->rows[t->n_rows - 1 - i];
            t->rows[t->n_rows - 1 - i] = tmp;
        }
    }
}

void
table_rebuild(struct table *t, size_t n_items)
{
    char was[CELL_MAX] = "", buf[CELL_MAX];
    size_t item;
    bool had = table_selected(t, &item);

    if (had && item < t->n_items)
        item_key(t, item, was, sizeof was);
    t->n_items = n_items;
    t->n_rows = 0;
    t->rows = xgrow(t->rows, &t->cap, n_items, sizeof *t->rows);
    for (size_t i = 0; i < n_items; i++) {
        if (matches(t, i))
            t->rows[t->n_rows++] = i;
    }
    sort_rows(t);
    if (had && was[0]) {
        for (size_t i = 0; i < t->n_rows; i++) {
            item_key(t, t->rows[i], buf, sizeof buf);
            if (strcmp(buf, was) == 0) {
                t->sel = i;
                break;
            }
        }
    }
    if (t->sel >= t->n_rows)
        t->sel = t->n_rows ? t->n_rows - 1 : 0;
}

void
table_set_filter(struct table *t, const char *filter)
{
    free(t->filter);
    t->filter = str_empty(filter) ? NULL : xstrdup(filter);
    t->sel = 0;
    t->top = 0;
    table_rebuild(t, t->n_items);
    t->sel = 0;
}

bool
table_selected(const struct table *t, size_t *item)
{
    if (t->n_rows == 0 || t->sel >= t->n_rows)
        return false;
    *item = t->rows[t->sel];
    return true;
}

int
table_action(struct table *t, enum ui_action a)
{
    size_t page = t->page > 1 ? (size_t)t->page : 1;
    size_t last = t->n_rows ? t->n_rows - 1 : 0;
    size_t old = t->sel;

    switch (a) {
    case ACT_UP:
        if (t->sel > 0)
            t->sel--;
        break;
    case ACT_DOWN:
        if (t->sel < last)
            t->sel++;
        break;
    case ACT_PAGE_UP:
        t->sel = t->sel > page ? t->sel - page : 0;
        break;
    case ACT_PAGE_DOWN:
        t->sel = t->sel + page < last ? t->sel + page : last;
        break;
    case ACT_TOP:
        t->sel = 0;
        break;
    case ACT_BOTTOM:
        t->sel = last;
        break;
    case ACT_SORT:
        /* Cycle through the columns, then back to the items' own order. */
        t->sort_col = t->sort_col + 1 >= (int)t->n_cols ? -1 : t->sort_col + 1;
        table_rebuild(t, t->n_items);
        return UI_HANDLED | UI_REDRAW_ALL;
    case ACT_SORT_REVERSE:
        t->sort_rev = !t->sort_rev;
        table_rebuild(t, t->n_items);
        return UI_HANDLED | UI_REDRAW_ALL;
    default:
        return UI_UNHANDLED;
    }
    return UI_HANDLED | (old != t->sel ? UI_REDRAW : 0);
}

size_t
table_layout(const struct table_col *cols, size_t n, int avail, int *widths)
{
    int total = 0, flex = 0;
    size_t shown = n;

    for (size_t i = 0; i < n; i++) {
        widths[i] = cols[i].width > cols[i].min ? cols[i].width : cols[i].min;
        total += widths[i] + (i ? 1 : 0);
        flex += cols[i].flex;
    }
    /* Too wide: the flexible columns give up room first, then the others,
     * one cell at a time round the table so that every column keeps some of
     * its text; whole columns go last, from the right. */
    for (int pass = 0; pass < 2 && total > avail; pass++) {
        bool gave = true;
        while (total > avail && gave) {
            gave = false;
            for (size_t i = shown; i-- > 0 && total > avail;) {
                if ((pass == 0) != cols[i].flex || widths[i] <= cols[i].min)
                    continue;
                widths[i]--;
                total--;
                gave = true;
            }
        }
    }
    while (total > avail && shown > 0) {
        shown--;
        total -= widths[shown] + (shown ? 1 : 0);
    }
    /* Spare room goes to the flexible columns. */
    for (size_t i = 0; i < shown && total < avail && flex > 0; i++) {
        if (!cols[i].flex)
            continue;
        int share = (avail - total) / flex;
        widths[i] += share;
        total += share;
        flex--;
    }
    return shown;
}

void
table_format_row(char *buf, size_t len, const char *const *cells, const struct table_col *cols,
                 const int *widths, size_t shown, int avail)
{
    size_t o = 0;
    int used = 0;
    char cell[CELL_MAX * 2];

    buf[0] = '\0';
    for (size_t i = 0; i < shown; i++) {
        if (i > 0 && o + 2 < len) {
            buf[o++] = ' ';
            used++;
        }
        text_fit(cell, sizeof cell, cells[i], widths[i], cols[i].right);
        size_t n = strlen(cell);
        if (o + n + 1 >= len)
            break;
        memcpy(buf + o, cell, n);
        o += n;
        used += widths[i];
    }
    while (used < avail && o + 1 < len) {
        buf[o++] = ' ';
        used++;
    }
    buf[o] = '\0';
}

void
table_progress(char *buf, size_t len, int percent, int width)
{
    bool utf8 = text_utf8();
    const char *full = utf8 ? "\xe2\x96\x88" : "#";
    const char *empty = utf8 ? "\xe2\x96\x91" : ".";
    int bar = width - 5, filled;
    size_t o;

    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    /* The number first: a narrow column cuts the bar, not the figure. */
    snprintf(buf, len, "%3d%%", percent);
    if (bar < 1)
        return;
    o = strlen(buf);
    if (o + 2 < len)
        buf[o++] = ' ';
    filled = bar * percent / 100;
    for (int i = 0; i < bar; i++) {
        const char *g = i < filled ? full : empty;
        size_t n = strlen(g);
        if (o + n + 1 >= len)
            break;
        memcpy(buf + o, g, n);
        o += n;
    }
    buf[o] = '\0';
}

void
table_draw(struct table *t, WINDOW *w, int h, int wd, bool focused)
{
    int widths[32];
    size_t shown = table_layout(t->cols, t->n_cols < 32 ? t->n_cols : 32, wd, widths);
    char line[4096], cellbuf[CELL_MAX];
    const char *cells[32];
    char texts[32][CELL_MAX];
    int x = 0;

    if (h < 1)
        return;
    /* Titles, with the sort column marked. */
    wattrset(w, theme_attr(ROLE_TITLE));
    for (size_t c = 0; c < shown; c++) {
        char title[CELL_MAX];
        const char *mark = "";
        if ((int)c == t->sort_col)
            mark = t->sort_rev ? (text_utf8() ? "\xe2\x86\x93" : "v")
                               : (text_utf8() ? "\xe2\x86\x91" : "^");
        /* The sort mark stays visible when the title is cut. */
        snprintf(title, sizeof title, "%s", _(t->cols[c].title));
        if (mark[0]) {
            text_fit(title, sizeof title, _(t->cols[c].title), widths[c] - 1, false);
            size_t n = strlen(title);
            while (n > 0 && title[n - 1] == ' ')
                n--;
            snprintf(title + n, sizeof title - n, "%s", mark);
        }
        text_fit(cellbuf, sizeof cellbuf, title, widths[c], t->cols[c].right);
        mvwaddstr(w, 0, x, cellbuf);
        x += widths[c] + 1;
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
    t->page = h - 1 > 0 ? h - 1 : 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + (size_t)t->page)
        t->top = t->sel - (size_t)t->page + 1;
    if (t->top + (size_t)t->page > t->n_rows)
        t->top = t->n_rows > (size_t)t->page ? t->n_rows - (size_t)t->page : 0;
    if (t->n_rows == 0) {
        char hidden[512];
        const char *msg = _(t->empty);
        /* Rows exist but the filter hides them all: say so, not "no X". */
        if (t->filter && t->n_items > 0) {
            snprintf(hidden, sizeof hidden,
                     /* L10N: the filter, how many rows it hides, the filter key. */
                     _("Nothing matches the filter \"%s\" (%zu hidden): press %s, then Esc, "
                       "to clear it"),
                     t->filter, t->n_items, filter_key);
            msg = hidden;
        }
        /* One row per line of the message (an empty screen's hints). */
        wattrset(w, theme_attr(ROLE_DIM));
        for (int y = h > 2 ? 2 : h - 1; msg && y < h; y++) {
            const char *nl = strchr(msg, '\n');
            char *one = nl ? xstrndup(msg, (size_t)(nl - msg)) : NULL;

            text_fit(line, sizeof line, one ? one : msg, wd - 2 > 0 ? wd - 2 : 0, false);
            mvwaddstr(w, y, 1, line);
            free(one);
            msg = nl ? nl + 1 : NULL;
        }
        wattrset(w, theme_attr(ROLE_NORMAL));
        return;
    }
    for (int r = 0; r < t->page && t->top + (size_t)r < t->n_rows; r++) {
        size_t item = t->rows[t->top + (size_t)r];
        bool sel = t->top + (size_t)r == t->sel;
        enum ui_role roles[32];

        for (size_t c = 0; c < shown; c++) {
            roles[c] = ROLE_NORMAL;
            texts[c][0] = '\0';
            t->cell(t->ctx, item, c, texts[c], sizeof texts[c], &roles[c]);
            cells[c] = texts[c];
        }
        if (sel) {
            /* One attribute for the whole line: the selection reads as a bar. */
            table_format_row(line, sizeof line, cells, t->cols, widths, shown, wd);
            wattrset(w, theme_attr(focused ? ROLE_SELECTION : ROLE_TAB_ACTIVE));
            mvwaddstr(w, r + 1, 0, line);
            wattrset(w, theme_attr(ROLE_NORMAL));
            continue;
        }
        x = 0;
        for (size_t c = 0; c < shown; c++) {
            text_fit(cellbuf, sizeof cellbuf, cells[c], widths[c], t->cols[c].right);
            wattrset(w, theme_attr(roles[c]));
            mvwaddstr(w, r + 1, x, cellbuf);
            x += widths[c] + 1;
        }
        wattrset(w, theme_attr(ROLE_NORMAL));
    }
}
