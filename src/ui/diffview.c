/* A line diff for reviews: see diffview.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/diffview.h"
#include "ui/text.h"

static char **
split_lines(const char *text, size_t *n)
{
    char **v = NULL;
    const char *p = text;

    *n = 0;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        v = xrealloc(v, (*n + 1) * sizeof *v);
        v[(*n)++] = xstrndup(p, len);
        p = nl ? nl + 1 : NULL;
    }
    return v;
}

/* A setting group or list of a spec as libconfig writes it ("key :" then
 * "{", "key = (" or "key = [", an element "{" of a list). */
struct block {
    int parent; /* -1: the top level */
    char *label; /* the key, NULL for a list's element */
    char *name;  /* an element's `name = "...";`, NULL if none */
};

struct outline {
    struct block *b;
    size_t n;
    int *at; /* per line: the innermost block holding it, -1 for the top */
};

static char *
trimmed(const char *s)
{
    size_t len;

    while (*s == ' ' || *s == '\t')
        s++;
    len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return xstrndup(s, len);
}

/* The key of "key = (", "key : " or "key = [". */
static char *
key_of(const char *t)
{
    size_t k = strcspn(t, "=: \t");

    return k > 0 ? xstrndup(t, k) : NULL;
}

static void
outline_make(char **l, size_t n, struct outline *o)
{
    int top = -1;
    char *prev = NULL;

    o->b = NULL;
    o->n = 0;
    o->at = xcalloc(n ? n : 1, sizeof *o->at);
    for (size_t k = 0; k < n; k++) {
        char *t = trimmed(l[k]);
        size_t len = strlen(t);
        const char *p = t;

        /* Closers first: "}, ", "} );", ");". */
        for (; *p && strchr("})], ;", *p); p++)
            if (strchr("})]", *p) && top >= 0)
                top = o->b[top].parent;
        o->at[k] = top;
        if (top >= 0 && o->b[top].name == NULL && o->b[top].label == NULL &&
            strncmp(t, "name = \"", 8) == 0) {
            const char *q = strchr(t + 8, '"');
            if (q)
                o->b[top].name = xstrndup(t + 8, (size_t)(q - (t + 8)));
        }
        if (len > 0 && *p && strchr("{([", t[len - 1])) {
            struct block nb = { .parent = top };

            if (str_eq(t, "{"))
                nb.label = prev && prev[0] && prev[strlen(prev) - 1] == ':' ? key_of(prev) : NULL;
            else
                nb.label = key_of(t);
            o->b = xrealloc(o->b, (o->n + 1) * sizeof *o->b);
            o->b[o->n] = nb;
            top = (int)o->n++;
        }
        free(prev);
        prev = t;
    }
    free(prev);
}

static void
outline_done(struct outline *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->b[i].label);
        free(o->b[i].name);
    }
    free(o->b);
    free(o->at);
}

/* "pool agent", "vsphere.storage_class", "" for the top level. */
static void
block_path(const struct outline *o, int b, char *buf, size_t size)
{
    size_t bl;

    buf[0] = '\0';
    if (b < 0)
        return;
    block_path(o, o->b[b].parent, buf, size);
    bl = strlen(buf);
    if (o->b[b].label) {
        snprintf(buf + bl, size - bl, "%s%s", bl ? "." : "", o->b[b].label);
        return;
    }
    /* A list's element: "pools" and "agent" make "pool agent". */
    if (bl > 1 && buf[bl - 1] == 's')
        buf[--bl] = '\0';
    if (o->b[b].name)
        snprintf(buf + bl, size - bl, "%s%s", bl ? " " : "", o->b[b].name);
}

char **
ui_diff_lines(const char *old, const char *new, size_t *same_out)
{
    size_t n, m, same = 0, nout = 0;
    char **a = split_lines(old, &n), **b = split_lines(new, &m);
    int *dp = xcalloc((n + 1) * (m + 1), sizeof *dp);
    char **out = NULL;
    struct outline oa, ob;

    outline_make(a, n, &oa);
    outline_make(b, m, &ob);
#define DP(i, j) dp[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            DP(i, j) = str_eq(a[i], b[j]) ? DP(i + 1, j + 1) + 1
                       : DP(i + 1, j) > DP(i, j + 1) ? DP(i + 1, j)
                                                     : DP(i, j + 1);
    for (size_t i = 0, j = 0; i < n || j < m;) {
        size_t i0 = i, j0 = j;
        char where[256];

        if (i < n && j < m && str_eq(a[i], b[j])) {
            same++;
            i++;
            j++;
            continue;
        }
        /* A hunk: the run of lines that differ, what goes before what
         * comes (as diff -u), under the block that holds its first line. */
        while (i < n || j < m) {
            if (i < n && j < m && str_eq(a[i], b[j]))
                break;
            if (j < m && (i == n || DP(i, j + 1) >= DP(i + 1, j)))
                j++;
            else
                i++;
        }
        if (i > i0)
            block_path(&oa, oa.at[i0], where, sizeof where);
        else
            block_path(&ob, ob.at[j0], where, sizeof where);
        if (where[0] == '\0')
            /* L10N: a review's hunk header for the spec's top-level settings. */
            snprintf(where, sizeof where, "%s", _("cluster"));
        out = xrealloc(out, (nout + (i - i0) + (j - j0) + 2) * sizeof *out);
        out[nout++] = xasprintf("@@ %s @@", where);
        for (size_t k = i0; k < i; k++)
            out[nout++] = xasprintf("- %s", a[k]);
        for (size_t k = j0; k < j; k++)
            out[nout++] = xasprintf("+ %s", b[k]);
    }
#undef DP
    out = xrealloc(out, (nout + 1) * sizeof *out);
    out[nout] = NULL;
    if (same_out)
        *same_out = same;
    outline_done(&oa);
    outline_done(&ob);
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    for (size_t j = 0; j < m; j++)
        free(b[j]);
    free(a);
    free(b);
    free(dp);
    return out;
}

/* An edit's review: the hunks of ui_diff_lines, "-" red, "+" green. */
void
ui_draw_diff(WINDOW *win, int y, int h, int wd, const char *old, const char *new, int scroll)
{
    size_t same = 0;
    char **l = ui_diff_lines(old, new, &same);
    char buf[64];
    int shown = 0;

    for (char **p = l; *p; p++)
        if (shown++ >= scroll && y < h - 1)
            ui_draw_text(win, y++, 1, wd - 2, *p,
                         (*p)[0] == '+' ? ROLE_STATE_ACTIVE
                         : (*p)[0] == '-' ? ROLE_STATE_ERROR
                                          : ROLE_DIM);
    if (shown == 0)
        ui_draw_text(win, y++, 1, wd - 2, _("No change: c writes nothing and starts nothing."),
                     ROLE_DIM);
    else if (y < h - 1) {
        /* L10N: after the changed lines of an edited cluster's spec. */
        snprintf(buf, sizeof buf, _("(%zu lines unchanged)"), same);
        ui_draw_text(win, y++, 1, wd - 2, buf, ROLE_DIM);
    }
    strv_free(&l);
}
