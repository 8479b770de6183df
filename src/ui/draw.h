/* The frame around the screens: header, tab bar, status line, pane layout,
 * and the one doupdate() per loop iteration. */
#ifndef DR_UI_DRAW_H
#define DR_UI_DRAW_H

#include <stdbool.h>

#include "ui/ui.h"

/* (Re)create the pane windows for the current terminal size. */
void draw_layout(struct ui *ui);
/* Any pane dirty? */
bool draw_pending(const struct ui *ui);
/* Draw the dirty panes and update the terminal once. */
void draw_frame(struct ui *ui);
void draw_done(struct ui *ui);

/* The prompt on the status line (prompt.c): a key while it is open. */
int draw_prompt_key(struct ui *ui, int key);

#endif
