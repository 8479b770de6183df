/* A form: a table of typed rows bound to a model struct (STYLE.md 17-18).
 * Each row names its model field by offset and its kind; adding a field to
 * a form adds one row. Text is edited by ncurses' form library (one FIELD
 * for the row being edited), validation runs the store's own checks
 * (store_check_*) and shows each message under its field in the words of
 * `drover validate`. Main thread only.
 *
 * Keys: Tab/Down next row, Shift-Tab/Up previous, Enter on a text row moves
 * on, on a checkbox toggles, on a choice cycles, on a picker/editor/button
 * calls the form's activate; Space toggles and cycles too, and on a choice
 * ("< value >") Right is the next value, Left the previous one. Esc is not the
 * form's: form_key() leaves it to the screen (step back, keeping the
 * model). */
#ifndef DR_UI_FORM_H
#define DR_UI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/store.h"
#include "engine/engine.h"
#include "ui/ui.h"

enum form_kind {
    FK_TEXT,   /* char * */
    FK_SECRET, /* char *, never shown: masked while typed, "********" after */
    FK_NUMBER, /* int */
    FK_CHECK,  /* bool */
    FK_CHOICE, /* char *, one of choices (stored untranslated, shown translated) */
    FK_PICKER, /* char *, picked from the inventory (the form's activate opens it) */
    FK_EDITOR, /* char *, edited in $EDITOR (activate) */
    FK_BUTTON, /* no model field: activate */
    FK_LIST,   /* char **, NULL-terminated (or NULL): a list edited by the
                * form's activate (src/ui/listedit.h); a message about one
                * element ("tags[1]") shows under the list's row */
};

struct form_row {
    const char *key;   /* the field's name as `drover validate` names it ("url") */
    const char *label; /* N_() */
    enum form_kind kind;
    size_t off;        /* offsetof() of the field in the model */
    const char *const *choices; /* FK_CHOICE: N_() values, NULL-terminated; FK_TEXT:
                                 * suggestions Ctrl-N/Ctrl-P put in the field
                                 * (anything else may still be typed) */
    enum dr_inv_kind inv;       /* FK_PICKER: what it lists */
    const char *help;  /* N_(): shown at the foot while the row has the focus */
};

struct form;

struct form_ops {
    /* The model's diagnostics (store_check_vcenter...); NULL: none. */
    size_t (*check)(const void *model, struct dr_diag **out);
    /* Enter on a picker, editor or button row: UI_* flags. */
    int (*activate)(struct ui *ui, struct form *f, const struct form_row *r, void *ctx);
    /* Whether a row is shown now (NULL: all are). */
    bool (*shown)(const void *model, const struct form_row *r, void *ctx);
};

/* The model is the caller's and outlives the form; rows is static. */
struct form *form_new(struct ui *ui, const struct form_row *rows, size_t n, void *model,
                      const struct form_ops *ops, void *ctx);
/* Ends an edit in progress (keeping what was typed) and frees the form. */
void form_free(struct form **f);

/* Draw into rows y0.. of a pane window (h rows, wd columns in all). */
void form_draw(struct form *f, WINDOW *w, int y0, int h, int wd);
/* A key for the form: UI_* flags; UI_UNHANDLED for keys it leaves to the
 * screen (Esc, function keys it does not use). */
int form_key(struct form *f, int key);

/* Keep what is typed in the field being edited and stop editing (before a
 * picker opens, before the screen goes away). */
void form_commit(struct form *f);
/* Copy what is typed so far into the model and keep editing (a live
 * preview of it). */
void form_peek(struct form *f);
/* Run the checks; messages go under their rows. True when there are none.
 * Messages about no row are joined in form_message(). */
bool form_validate(struct form *f);
/* A message under a row (a failed login under the password), NULL clears. */
void form_set_message(struct form *f, const char *key, const char *msg);
/* A note beside a picker row's value (a saved value that is not in the
 * inventory), NULL clears. */
void form_set_flag(struct form *f, const char *key, const char *flag);
/* The message about no row, or NULL. */
const char *form_message(const struct form *f);
/* Set a text-like row's value (a picked item); NULL or "" empties it. */
void form_set_text(struct form *f, const char *key, const char *value);
const char *form_text(const struct form *f, const char *key);
void form_focus(struct form *f, const char *key);
const struct form_row *form_current(const struct form *f);
/* Drop the overlay window (the screen is covered or leaves); the next
 * draw brings it back. */
void form_hide(struct form *f);

#endif
