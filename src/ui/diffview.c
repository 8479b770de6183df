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

/* An edit's review: the lines that change, "-" as saved and "+" as it will
 * be (a longest-common-subsequence line diff; specs are short). */
void
ui_draw_diff(WINDOW *win, int y, int h, int wd, const char *old, const char *new, int scroll)
{
    size_t n, m, same = 0;
    char **a = split_lines(old, &n), **b = split_lines(new, &m);
    int *dp = xcalloc((n + 1) * (m + 1), sizeof *dp);
    int shown = 0;
    char buf[512];

#define DP(i, j) dp[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            DP(i, j) = str_eq(a[i], b[j]) ? DP(i + 1, j + 1) + 1
                       : DP(i + 1, j) > DP(i, j + 1) ? DP(i + 1, j)
                                                     : DP(i, j + 1);
    for (size_t i = 0, j = 0; i < n || j < m;) {
        if (i < n && j < m && str_eq(a[i], b[j])) {
            same++;
            i++;
            j++;
            continue;
        }
        if (j < m && (i == n || DP(i, j + 1) >= DP(i + 1, j)))
            snprintf(buf, sizeof buf, "+ %s", b[j++]);
        else
            snprintf(buf, sizeof buf, "- %s", a[i++]);
        if (shown++ >= scroll && y < h - 1)
            ui_draw_text(win, y++, 1, wd - 2, buf,
                         buf[0] == '+' ? ROLE_STATE_ACTIVE : ROLE_STATE_ERROR);
    }
#undef DP
    if (shown == 0)
        ui_draw_text(win, y++, 1, wd - 2, _("No change: c writes nothing and starts nothing."),
                     ROLE_DIM);
    else if (y < h - 1) {
        /* L10N: after the changed lines of an edited cluster's spec. */
        snprintf(buf, sizeof buf, _("(%zu lines unchanged)"), same);
        ui_draw_text(win, y++, 1, wd - 2, buf, ROLE_DIM);
    }
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    for (size_t j = 0; j < m; j++)
        free(b[j]);
    free(a);
    free(b);
    free(dp);
}

