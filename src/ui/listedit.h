/* A list editor: the items of one form row of kind FK_LIST (a template's
 * networks, tags, extra_config, custom_attributes), shown in place of the
 * form, one line each, in their order (for networks the NIC order). The
 * strv is the model's own and is edited in place.
 *
 * Keys: a (or Insert) adds an item after the selected one (t types one
 * where the items are picked and may also be typed), Enter changes
 * the selected one, d (or Delete) removes it, K/J (or Shift-Up/Down) move
 * it up or down, Esc goes back to the form. An item is either picked (the
 * caller opens a picker on LE_PICK and hands its answer to listedit_put) or
 * typed into a one-line field of ncurses' form library (through form.h);
 * a typed item is checked by the spec's check and refused with its message
 * under the field, keeping what was typed. Main thread only. */
#ifndef DR_UI_LISTEDIT_H
#define DR_UI_LISTEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/ui.h"

struct listedit;

struct listedit_spec {
    const char *title;       /* translated: "Networks of the VM, in NIC order" */
    const char *item_label;  /* translated, per line: "NIC" gives "NIC 1  VM Network" */
    bool picked;             /* items come from a picker (LE_PICK) rather than typed */
    bool typed_too;          /* picked, and t types one (a value the picker lacks) */
    const char *entry_help;  /* typed items: translated help under the field */
    /* Typed items: the problem of items[i] once it is in the list (the
     * store's check, in `drover validate`'s words), newly allocated, or NULL. */
    char *(*check)(char **items, size_t i, void *ctx);
    /* Typed items: the item as it will be saved (blanks around '=' dropped),
     * newly allocated; NULL: as typed. */
    char *(*tidy)(const char *item);
    /* A flag beside an item ("! not in vCenter lab"), newly allocated, or NULL. */
    char *(*flag)(const char *item, void *ctx);
    void *ctx;
};

enum listedit_result {
    LE_NONE, /* still open */
    LE_BACK, /* Esc: back to the form (the list keeps its edits) */
    LE_PICK, /* open a picker; its answer goes to listedit_put */
};

/* items points at the model's strv (NULL-terminated, or NULL); spec is
 * copied (its strings must outlive the editor). */
struct listedit *listedit_new(struct ui *ui, char ***items, const struct listedit_spec *spec);
void listedit_free(struct listedit **le);
void listedit_draw(struct listedit *le, WINDOW *w, int h, int wd);
/* A key: UI_* flags; *res says what the caller does next. */
int listedit_key(struct listedit *le, int key, enum listedit_result *res);
/* After LE_PICK: the value the item being added or changed was given
 * (NULL: the picker was cancelled, nothing changes). */
void listedit_put(struct listedit *le, const char *value);
/* After LE_PICK: the value being changed (the picker's current), or NULL
 * when one is being added. */
const char *listedit_picking(const struct listedit *le);
/* Drop the entry field's window (a picker covers the pane). */
void listedit_hide(struct listedit *le);

#endif
