/* What an edit changes, for a review before saving: hunks as diff -u has
 * them, each under a header naming the block that holds it ("@@ pool agent
 * @@", "@@ vsphere.storage_class @@", "@@ cluster @@" for top-level keys),
 * the lines of old that go ("- ") before the lines of new that come ("+ "),
 * from a longest-common-subsequence line diff (specs are short), and how
 * many lines stay. Main thread only. */
#ifndef DR_UI_DIFFVIEW_H
#define DR_UI_DIFFVIEW_H

#include <stddef.h>

#include "ui/ui.h"

/* The review's lines for old -> new (texts as store_cluster_text writes
 * them: libconfig's layout), NULL-terminated, the caller frees them with
 * strv_free; an empty vector when nothing changed. *same (if not NULL):
 * the number of lines that stay. */
char **ui_diff_lines(const char *old, const char *new, size_t *same);

/* Draw into win from row y up to row h - 2, wd columns, skipping the first
 * scroll lines of ui_diff_lines. With no change it says that c writes
 * nothing. */
void ui_draw_diff(WINDOW *win, int y, int h, int wd, const char *old, const char *new,
                  int scroll);

#endif
