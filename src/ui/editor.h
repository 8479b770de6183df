/* Leaving curses for the operator's editor, as git, tig and neomutt do
 * (STYLE.md 19): the text goes to a 0600 file of its own, the terminal is
 * handed to $VISUAL or $EDITOR (else vi), and the screen is redrawn after.
 * Main thread only. */
#ifndef DR_UI_EDITOR_H
#define DR_UI_EDITOR_H

#include <stdbool.h>

#include "core/err.h"
#include "ui/ui.h"

/* Edit text (may be NULL) in the editor; dir holds the temporary file
 * (the state folder: private). On success *out is the text as saved
 * (newly allocated) and *changed says whether it differs. DR_E_IO when the
 * file cannot be written or read, DR_E_INVAL when the editor fails (exit
 * status not 0): then nothing changes. */
enum dr_err ui_edit_text(struct ui *ui, const char *dir, const char *text, char **out,
                         bool *changed, struct dr_error *e);

#endif
