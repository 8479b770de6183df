/* The list editor of a form's FK_LIST row: see listedit.h. Typed items are
 * edited by a form of one text row (form.c, over libformw). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/form.h"
#include "ui/keymap.h"
#include "ui/listedit.h"
#include "ui/text.h"

struct entry {
    char *text;
};

static const struct form_row entry_rows[] = {
    {.key = "item", .label = N_("Value"), .kind = FK_TEXT, .off = offsetof(struct entry, text)},
};

struct listedit {
    struct ui *ui;
    char ***items;
    struct listedit_spec spec;
    size_t sel;
    int top;
    /* An item being added (at pos) or changed (pos, replacing). */
    bool pending;
    bool replacing;
    size_t pos;
    /* Typed items: the entry field while it is open. */
    struct form *form;
    struct entry entry;
    char *status; /* what the last key did, or a refusal */
};

static size_t
count(const struct listedit *le)
{
    return strv_len(*le->items);
}

/* Insert a copy of value at index i of the strv. */
static void
insert_at(char ***l, size_t i, const char *value)
{
    size_t n = strv_len(*l);

    if (*l == NULL)
        *l = xcalloc(1, sizeof **l); /* the terminator to move */
    *l = xrealloc(*l, (n + 2) * sizeof **l);
    if (i > n)
        i = n;
    memmove(*l + i + 1, *l + i, (n - i + 1) * sizeof **l);
    (*l)[i] = xstrdup(value);
}

/* Remove element i (an empty list becomes NULL: no key in the file). */
static void
remove_at(char ***l, size_t i)
{
    size_t n = strv_len(*l);

    if (i >= n)
        return;
    free((*l)[i]);
    memmove(*l + i, *l + i + 1, (n - i) * sizeof **l);
    if (n == 1)
        strv_free(l);
}

static void
set_status(struct listedit *le, char *msg)
{
    free(le->status);
    le->status = msg;
}

struct listedit *
listedit_new(struct ui *ui, char ***items, const struct listedit_spec *spec)
{
    struct listedit *le = xcalloc(1, sizeof *le);

    le->ui = ui;
    le->items = items;
    le->spec = *spec;
    return le;
}

static void
entry_close(struct listedit *le)
{
    form_free(&le->form);
    xfree(&le->entry.text);
    le->pending = false;
}

void
listedit_free(struct listedit **lp)
{
    struct listedit *le = *lp;

    if (le == NULL)
        return;
    entry_close(le);
    free(le->status);
    free(le);
    *lp = NULL;
}

void
listedit_hide(struct listedit *le)
{
    if (le->form)
        form_hide(le->form);
}

static void
entry_open(struct listedit *le, bool replacing, bool typed)
{
    size_t n = count(le);

    le->pending = true;
    le->replacing = replacing;
    le->pos = replacing ? le->sel : (n ? le->sel + 1 : 0);
    xfree(&le->entry.text);
    if (typed) {
        if (replacing)
            le->entry.text = xstrdup((*le->items)[le->sel]);
        le->form = form_new(le->ui, entry_rows, DR_ARRAY_LEN(entry_rows), &le->entry, NULL, le);
    }
}

/* Put value in the pending place; true when it is kept (the check found
 * nothing), else the list is as before and the problem is in *problem. */
static bool
put(struct listedit *le, const char *value, char **problem)
{
    char *old = NULL;

    *problem = NULL;
    if (le->replacing) {
        old = (*le->items)[le->pos];
        (*le->items)[le->pos] = xstrdup(value);
    } else {
        insert_at(le->items, le->pos, value);
    }
    if (le->spec.check)
        *problem = le->spec.check(*le->items, le->pos, le->spec.ctx);
    if (*problem) {
        if (le->replacing) {
            free((*le->items)[le->pos]);
            (*le->items)[le->pos] = old;
        } else {
            remove_at(le->items, le->pos);
        }
        return false;
    }
    free(old);
    le->sel = le->pos;
    return true;
}

void
listedit_put(struct listedit *le, const char *value)
{
    char *problem = NULL;

    if (!le->pending)
        return;
    le->pending = false;
    if (value == NULL)
        return;
    if (!put(le, value, &problem))
        set_status(le, problem);
}

const char *
listedit_picking(const struct listedit *le)
{
    if (!le->pending || !le->replacing || le->pos >= count(le))
        return NULL;
    return (*le->items)[le->pos];
}

static int
entry_key(struct listedit *le, int key)
{
    char *problem = NULL;

    if (key == UI_KEY_ESC) {
        entry_close(le);
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (key != '\n' && key != '\r')
        return form_key(le->form, key) | UI_HANDLED;
    form_commit(le->form);
    if (str_empty(le->entry.text)) {
        form_set_message(le->form, "item", _("type a value, or Esc to leave the list as it is"));
        return UI_HANDLED | UI_REDRAW;
    }
    if (le->spec.tidy) {
        char *t = le->spec.tidy(le->entry.text);
        free(le->entry.text);
        le->entry.text = t;
    }
    if (!put(le, le->entry.text, &problem)) {
        /* What was typed stays in the field, with the problem under it. */
        form_set_message(le->form, "item", problem);
        free(problem);
        return UI_HANDLED | UI_REDRAW;
    }
    entry_close(le);
    return UI_HANDLED | UI_REDRAW_ALL;
}

int
listedit_key(struct listedit *le, int key, enum listedit_result *res)
{
    size_t n = count(le);
    char *t;

    *res = LE_NONE;
    if (le->form)
        return entry_key(le, key);
    set_status(le, NULL);
    switch (key) {
    case UI_KEY_ESC:
        *res = LE_BACK;
        return UI_HANDLED | UI_REDRAW_ALL;
    case UI_KEY_FN | KEY_UP:
    case UI_KEY_FN | KEY_BTAB:
        if (le->sel > 0)
            le->sel--;
        return UI_HANDLED | UI_REDRAW;
    case UI_KEY_FN | KEY_DOWN:
    case '\t':
        if (le->sel + 1 < n)
            le->sel++;
        return UI_HANDLED | UI_REDRAW;
    case 'a':
    case UI_KEY_FN | KEY_IC:
        entry_open(le, false, !le->spec.picked);
        if (le->spec.picked)
            *res = LE_PICK;
        return UI_HANDLED | UI_REDRAW_ALL;
    case 't':
        if (!le->spec.typed_too)
            return UI_HANDLED;
        entry_open(le, false, true);
        return UI_HANDLED | UI_REDRAW_ALL;
    case '\n':
    case '\r':
        entry_open(le, n > 0, !le->spec.picked);
        if (le->spec.picked)
            *res = LE_PICK;
        return UI_HANDLED | UI_REDRAW_ALL;
    case 'd':
    case UI_KEY_FN | KEY_DC:
        if (n == 0)
            return UI_HANDLED;
        /* L10N: after d removed an item from a list. */
        set_status(le, xasprintf(_("removed %s"), (*le->items)[le->sel]));
        remove_at(le->items, le->sel);
        if (le->sel > 0 && le->sel + 1 >= n)
            le->sel = n - 2;
        return UI_HANDLED | UI_REDRAW;
    case 'K':
    case UI_KEY_FN | KEY_SR:
        if (n < 2 || le->sel == 0)
            return UI_HANDLED;
        t = (*le->items)[le->sel];
        (*le->items)[le->sel] = (*le->items)[le->sel - 1];
        (*le->items)[le->sel - 1] = t;
        le->sel--;
        return UI_HANDLED | UI_REDRAW;
    case 'J':
    case UI_KEY_FN | KEY_SF:
        if (n < 2 || le->sel + 1 >= n)
            return UI_HANDLED;
        t = (*le->items)[le->sel];
        (*le->items)[le->sel] = (*le->items)[le->sel + 1];
        (*le->items)[le->sel + 1] = t;
        le->sel++;
        return UI_HANDLED | UI_REDRAW;
    default:
        /* Printable keys do nothing rather than run global actions. */
        if (!(key & UI_KEY_FN) && key >= ' ' && key != 127)
            return UI_HANDLED;
        return UI_UNHANDLED;
    }
}

void
listedit_draw(struct listedit *le, WINDOW *w, int h, int wd)
{
    size_t n = count(le);
    int rows = h - 5, y = 2;
    char buf[512];

    ui_draw_text(w, 0, 1, wd - 2, le->spec.title, ROLE_TITLE);
    /* L10N: the list editor's keys; keep the key letters. */
    ui_draw_text(w, 1, 1, wd - 2,
                 le->spec.typed_too
                     /* L10N: the list editor's keys where items are picked or typed. */
                     ? _("a pick  t type  Enter change  d remove  K/J move  Esc back")
                     : _("a add  Enter change  d remove  K/J move up/down  Esc back to the form"),
                 ROLE_DIM);
    if (le->form)
        rows -= 2;
    if (rows < 1)
        rows = 1;
    if ((int)le->sel < le->top)
        le->top = (int)le->sel;
    if ((int)le->sel >= le->top + rows)
        le->top = (int)le->sel - rows + 1;
    if (n == 0)
        ui_draw_text(w, y++, 3, wd - 4, _("(empty: a adds one)"), ROLE_DIM);
    for (size_t i = (size_t)le->top; i < n && y < 2 + rows; i++, y++) {
        bool focus = i == le->sel;
        char *flag = le->spec.flag ? le->spec.flag((*le->items)[i], le->spec.ctx) : NULL;
        int used;

        snprintf(buf, sizeof buf, "%s %zu", le->spec.item_label, i + 1);
        ui_draw_text(w, y, 1, 1, focus ? ">" : " ", ROLE_KEY);
        ui_draw_text(w, y, 2, 12, buf, focus ? ROLE_TITLE : ROLE_NORMAL);
        ui_draw_text(w, y, 15, wd - 16, (*le->items)[i],
                     focus ? ROLE_SELECTION : (flag ? ROLE_STATE_ERROR : ROLE_NORMAL));
        used = 15 + text_width((*le->items)[i]) + 2;
        if (flag && used < wd - 1)
            ui_draw_text(w, y, used, wd - 1 - used, flag, ROLE_STATE_ERROR);
        free(flag);
    }
    if (le->status)
        ui_draw_text(w, h - 2, 1, wd - 2, le->status, ROLE_STATUS_ERROR);
    if (le->form) {
        ui_draw_text(w, y + 1, 1, wd - 2,
                     le->replacing ? _("Change the selected item (Enter keeps it, Esc cancels):")
                                   : _("A new item (Enter adds it, Esc cancels):"),
                     ROLE_PROMPT);
        form_draw(le->form, w, y + 2, h, wd);
        if (le->spec.entry_help)
            ui_draw_text(w, h - 1, 1, wd - 2, le->spec.entry_help, ROLE_DIM);
    }
}
