/* What an edit changes, for a review before saving: the lines of old that
 * go ("- ") and of new that come ("+ "), from a longest-common-subsequence
 * line diff (specs are short), and how many stay. Main thread only. */
#ifndef DR_UI_DIFFVIEW_H
#define DR_UI_DIFFVIEW_H

#include "ui/ui.h"

/* Draw into win from row y up to row h - 2, wd columns, skipping the first
 * scroll changed lines. With no change it says that c writes nothing. */
void ui_draw_diff(WINDOW *win, int y, int h, int wd, const char *old, const char *new,
                  int scroll);

#endif
