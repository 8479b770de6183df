/* Forms over ncurses' form library: see form.h. The rows are drawn into the
 * screen's pane; the row being edited is one libform FIELD posted on a
 * one-line window of its own laid over the pane (ui->overlay), so that the
 * form library does the typing (insert, delete, cursor, wide characters,
 * horizontal scrolling, masking, digits only) while the pane keeps its
 * ordinary erase-and-draw frames. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/form.h"
#include "ui/keymap.h"
#include "ui/text.h"

struct form {
    struct ui *ui;
    const struct form_row *rows;
    size_t n;
    void *model;
    const struct form_ops *ops;
    void *ctx;
    size_t cur;
    int top;         /* first row drawn */
    char **msgs;     /* per row, or NULL */
    char **flags;    /* per row, or NULL */
    bool *touched;   /* rows the operator has been to: their messages show */
    bool all_touched; /* after form_validate: every message shows */
    char *message;   /* about no row */
    /* The row being edited. */
    bool editing;
    FIELD *fields[2];
    FORM *form;
    WINDOW *win;
    int wy, wx, ww;  /* where win is on the screen */
    int gx, gw;      /* the value column at the last draw (screen x, width) */
};

static char **
slot(void *model, const struct form_row *r)
{
    return (char **)((char *)model + r->off);
}

static bool
text_kind(enum form_kind k)
{
    return k == FK_TEXT || k == FK_SECRET || k == FK_NUMBER;
}

static bool
row_shown(const struct form *f, size_t i)
{
    return f->ops->shown == NULL || f->ops->shown(f->model, &f->rows[i], f->ctx);
}

static size_t
row_index(const struct form *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (str_eq(f->rows[i].key, key))
            return i;
    return f->n;
}

/* The row's value as text for the field buffer (newly allocated). */
static char *
value_text(const struct form *f, const struct form_row *r)
{
    if (r->kind == FK_NUMBER) {
        int v = *(int *)((char *)f->model + r->off);
        return v ? xasprintf("%d", v) : xstrdup("");
    }
    if (r->kind == FK_CHECK || r->kind == FK_BUTTON)
        return xstrdup("");
    if (r->kind == FK_LIST)
        return xstrdup("");
    return xstrdup(*slot(f->model, r) ? *slot(f->model, r) : "");
}

static void
set_value(struct form *f, const struct form_row *r, const char *text)
{
    if (r->kind == FK_NUMBER) {
        *(int *)((char *)f->model + r->off) = text && *text ? atoi(text) : 0;
        return;
    }
    if (r->kind == FK_CHECK || r->kind == FK_BUTTON || r->kind == FK_LIST)
        return;
    char **p = slot(f->model, r);
    if (*p && r->kind == FK_SECRET)
        memset(*p, 0, strlen(*p));
    free(*p);
    *p = text && *text ? xstrdup(text) : NULL;
}

/* The text being edited into the current row's value (the buffer copy is
 * wiped: it may be a password). */
static void
store_edit(struct form *f)
{
    char *buf, *end;

    form_driver_w(f->form, KEY_CODE_YES, REQ_VALIDATION);
    buf = xstrdup(field_buffer(f->fields[0], 0));
    /* Field buffers are padded with blanks. */
    end = buf + strlen(buf);
    while (end > buf && end[-1] == ' ')
        *--end = '\0';
    set_value(f, &f->rows[f->cur], buf);
    memset(buf, 0, strlen(buf));
    free(buf);
}

static void
edit_end(struct form *f, bool keep)
{
    if (!f->editing)
        return;
    if (keep)
        store_edit(f);
    if (f->ui->overlay == f->win) {
        f->ui->overlay = NULL;
        f->ui->overlay_cursor = false;
    }
    unpost_form(f->form);
    free_form(f->form);
    free_field(f->fields[0]);
    delwin(f->win);
    f->form = NULL;
    f->fields[0] = NULL;
    f->win = NULL;
    f->editing = false;
}

/* Post a field for the current row at screen position (y, x), wd wide. */
static void
edit_begin(struct form *f, int y, int x, int wd)
{
    const struct form_row *r = &f->rows[f->cur];
    char *text;

    f->fields[0] = new_field(1, wd, 0, 0, 0, 0);
    f->fields[1] = NULL;
    if (f->fields[0] == NULL)
        return;
    field_opts_off(f->fields[0], O_AUTOSKIP | O_STATIC | O_BLANK);
    if (r->kind == FK_SECRET)
        field_opts_off(f->fields[0], O_PUBLIC);
    if (r->kind == FK_NUMBER)
        set_field_type(f->fields[0], TYPE_INTEGER, 0, 0L, 0L);
    set_field_back(f->fields[0], A_UNDERLINE | theme_attr(ROLE_PROMPT));
    text = value_text(f, r);
    set_field_buffer(f->fields[0], 0, text);
    memset(text, 0, strlen(text));
    free(text);
    f->form = new_form(f->fields);
    f->win = newwin(1, wd, y, x);
    if (f->form == NULL || f->win == NULL) {
        if (f->form)
            free_form(f->form);
        if (f->win)
            delwin(f->win);
        free_field(f->fields[0]);
        f->form = NULL;
        f->win = NULL;
        return;
    }
    keypad(f->win, TRUE);
    set_form_win(f->form, f->win);
    set_form_sub(f->form, f->win);
    post_form(f->form);
    form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
    pos_form_cursor(f->form);
    f->wy = y;
    f->wx = x;
    f->ww = wd;
    f->editing = true;
    f->ui->overlay = f->win;
    f->ui->overlay_cursor = true;
}

struct form *
form_new(struct ui *ui, const struct form_row *rows, size_t n, void *model,
         const struct form_ops *ops, void *ctx)
{
    static const struct form_ops none;
    struct form *f = xcalloc(1, sizeof *f);

    f->ui = ui;
    f->rows = rows;
    f->n = n;
    f->model = model;
    f->ops = ops ? ops : &none;
    f->ctx = ctx;
    f->msgs = xcalloc(n, sizeof *f->msgs);
    f->flags = xcalloc(n, sizeof *f->flags);
    f->touched = xcalloc(n, sizeof *f->touched);
    while (f->cur < n && !row_shown(f, f->cur))
        f->cur++;
    return f;
}

void
form_free(struct form **fp)
{
    struct form *f = *fp;

    if (f == NULL)
        return;
    edit_end(f, true);
    for (size_t i = 0; i < f->n; i++) {
        free(f->msgs[i]);
        free(f->flags[i]);
    }
    free(f->msgs);
    free(f->flags);
    free(f->touched);
    free(f->message);
    free(f);
    *fp = NULL;
}

void
form_commit(struct form *f)
{
    edit_end(f, true);
}

void
form_peek(struct form *f)
{
    if (f->editing)
        store_edit(f);
}

void
form_hide(struct form *f)
{
    edit_end(f, true);
}

static int
label_width(const struct form *f)
{
    int w = 0;

    for (size_t i = 0; i < f->n; i++)
        if (f->rows[i].kind != FK_BUTTON && text_width(_(f->rows[i].label)) > w)
            w = text_width(_(f->rows[i].label));
    return w > 28 ? 28 : w;
}

#define MSG_LINES 4

/* Break text into at most MSG_LINES lines of width cells (text_wrap). */
static int
wrap(const char *text, int width, char **out)
{
    return text_wrap(text, width, out, MSG_LINES);
}

static int
msg_lines(const struct form *f, size_t i)
{
    char *l[MSG_LINES];
    int n;

    if (f->msgs[i] == NULL)
        return 0;
    n = wrap(f->msgs[i], f->gw - 2, l);
    for (int k = 0; k < n; k++)
        free(l[k]);
    return n;
}

/* Lines a row takes: itself and its message. */
static int
row_lines(const struct form *f, size_t i)
{
    return row_shown(f, i) ? 1 + msg_lines(f, i) : 0;
}

static void
row_value(const struct form *f, size_t i, char *buf, size_t len)
{
    const struct form_row *r = &f->rows[i];
    const char *v;

    buf[0] = '\0';
    switch (r->kind) {
    case FK_TEXT:
    case FK_PICKER:
        v = *slot(f->model, r);
        snprintf(buf, len, "%s", v ? v : "");
        if (r->kind == FK_PICKER && (v == NULL || *v == '\0'))
            snprintf(buf, len, "%s", _("(none: Enter picks one)"));
        break;
    case FK_SECRET:
        v = *slot(f->model, r);
        /* Never the password nor its length. */
        snprintf(buf, len, "%s", v && *v ? "********" : _("(not set)"));
        break;
    case FK_NUMBER: {
        int n = *(int *)((char *)f->model + r->off);
        if (n)
            snprintf(buf, len, "%d", n);
        break;
    }
    case FK_CHECK:
        snprintf(buf, len, "[%s]", *(bool *)((char *)f->model + r->off) ? "x" : " ");
        break;
    case FK_CHOICE:
        v = *slot(f->model, r);
        snprintf(buf, len, "< %s >", v ? _(v) : "");
        break;
    case FK_EDITOR: {
        const char *t = *slot(f->model, r);
        size_t lines = 0;
        for (const char *p = t; p && *p; p++)
            lines += *p == '\n';
        if (t && *t)
            snprintf(buf, len, _("%zu lines (Enter edits)"), lines + (t[strlen(t) - 1] != '\n'));
        else
            snprintf(buf, len, "%s", _("(empty: Enter edits)"));
        break;
    }
    case FK_BUTTON:
        snprintf(buf, len, "[ %s ]", _(r->label));
        break;
    case FK_LIST: {
        char *const *l = *(char ***)((char *)f->model + r->off);
        size_t o = 0, n = strv_len(l);
        if (n == 0) {
            snprintf(buf, len, "%s", _("(none: Enter edits the list)"));
            break;
        }
        buf[0] = '\0';
        for (size_t k = 0; k < n && (o = strlen(buf)) + 1 < len; k++)
            snprintf(buf + o, len - o, "%s%s", k ? ", " : "", l[k]);
        break;
    }
    }
}

void
form_draw(struct form *f, WINDOW *w, int y0, int h, int wd)
{
    int lw = label_width(f), vx = lw + 4, vw = wd - vx - 1, y, by, bx, foot = h - 1;
    int used = 0, cur_y = -1;
    char buf[1024];

    if (vw < 8)
        vw = 8;
    getbegyx(w, by, bx);
    f->gx = bx + vx;
    f->gw = vw;
    /* Scroll so that the current row and its message are on screen. */
    if ((int)f->cur < f->top)
        f->top = (int)f->cur;
    for (;;) {
        used = 0;
        for (size_t i = (size_t)f->top; i <= f->cur && i < f->n; i++)
            used += row_lines(f, i);
        if (used <= foot - y0 || f->top >= (int)f->cur)
            break;
        f->top++;
    }
    y = y0;
    for (size_t i = (size_t)f->top; i < f->n && y < foot; i++) {
        const struct form_row *r = &f->rows[i];
        bool focus = i == f->cur;

        if (!row_shown(f, i))
            continue;
        if (r->kind != FK_BUTTON) {
            ui_draw_text(w, y, 1, 1, focus ? ">" : " ", ROLE_KEY);
            ui_draw_text(w, y, 2, lw, _(r->label), focus ? ROLE_TITLE : ROLE_NORMAL);
        }
        if (focus && text_kind(r->kind)) {
            cur_y = y;
        } else {
            row_value(f, i, buf, sizeof buf);
            ui_draw_text(w, y, r->kind == FK_BUTTON ? 2 : vx, r->kind == FK_BUTTON ? wd - 3 : vw,
                         buf,
                         focus ? ROLE_SELECTION : (f->flags[i] ? ROLE_STATE_ERROR : ROLE_NORMAL));
            if (f->flags[i]) {
                int used_w = text_width(buf) + 2;
                if (used_w < vw)
                    ui_draw_text(w, y, vx + used_w, vw - used_w, f->flags[i], ROLE_STATE_ERROR);
            }
        }
        y++;
        if (f->msgs[i]) {
            char *l[MSG_LINES];
            int n = wrap(f->msgs[i], vw - 2, l);
            for (int k = 0; k < n; k++) {
                if (y < foot) {
                    ui_draw_text(w, y, vx, 2, k == 0 ? "^ " : "  ", ROLE_STATUS_ERROR);
                    ui_draw_text(w, y, vx + 2, vw - 2, l[k], ROLE_STATUS_ERROR);
                    y++;
                }
                free(l[k]);
            }
        }
    }
    /* The foot: the form-wide message, else the focused row's help. */
    if (f->message)
        ui_draw_text(w, foot, 1, wd - 2, f->message, ROLE_STATUS_ERROR);
    else if (f->cur < f->n && f->rows[f->cur].help)
        ui_draw_text(w, foot, 1, wd - 2, _(f->rows[f->cur].help), ROLE_DIM);
    /* The field being edited lies over its row. */
    if (cur_y >= 0) {
        if (f->editing && (f->wy != by + cur_y || f->wx != bx + vx || f->ww != vw))
            edit_end(f, true);
        if (!f->editing)
            edit_begin(f, by + cur_y, bx + vx, vw);
        else
            f->ui->overlay = f->win;
    } else {
        edit_end(f, true);
    }
    if (f->editing) {
        pos_form_cursor(f->form);
        f->ui->overlay_cursor = true;
    }
}

static bool recheck(struct form *f);

static void
move_focus(struct form *f, int dir)
{
    size_t i = f->cur;

    edit_end(f, true);
    f->touched[f->cur] = true;
    for (;;) {
        if (dir > 0 && i + 1 >= f->n)
            return;
        if (dir < 0 && i == 0)
            return;
        i = dir > 0 ? i + 1 : i - 1;
        if (row_shown(f, i))
            break;
    }
    f->cur = i;
    /* What was typed is checked as the operator leaves it. */
    recheck(f);
}

static void
cycle_choice(struct form *f, const struct form_row *r, int dir)
{
    char **p = slot(f->model, r);
    size_t n = strv_len((char *const *)r->choices), k = 0;

    for (size_t i = 0; i < n; i++)
        if (str_eq(*p, r->choices[i]))
            k = dir > 0 ? (i + 1) % n : (i + n - 1) % n;
    free(*p);
    *p = n ? xstrdup(r->choices[k]) : NULL;
}

/* Ctrl-N/Ctrl-P on a text row with suggestions: the next or previous one
 * replaces what is typed (from the first or last when the text is none of
 * them). */
static void
suggest(struct form *f, const struct form_row *r, int dir)
{
    size_t n = strv_len((char *const *)r->choices), k;
    const char *cur;

    store_edit(f);
    cur = *slot(f->model, r);
    k = dir > 0 ? 0 : n - 1;
    for (size_t i = 0; i < n; i++)
        if (str_eq(cur, r->choices[i]))
            k = dir > 0 ? (i + 1) % n : (i + n - 1) % n;
    set_value(f, r, r->choices[k]);
    set_field_buffer(f->fields[0], 0, r->choices[k]);
    form_driver_w(f->form, KEY_CODE_YES, REQ_END_LINE);
    xfree(&f->msgs[f->cur]);
}

static int
edit_key(struct form *f, int key)
{
    int req = -1;
    const struct form_row *r = &f->rows[f->cur];

    if ((key == UI_KEY_CTRL('n') || key == UI_KEY_CTRL('p')) && r->kind == FK_TEXT &&
        r->choices && r->choices[0]) {
        suggest(f, r, key == UI_KEY_CTRL('n') ? 1 : -1);
        return UI_HANDLED | UI_REDRAW;
    }

    switch (key) {
    case UI_KEY_FN | KEY_LEFT: req = REQ_PREV_CHAR; break;
    case UI_KEY_FN | KEY_RIGHT: req = REQ_NEXT_CHAR; break;
    case UI_KEY_FN | KEY_HOME: case UI_KEY_CTRL('a'): req = REQ_BEG_LINE; break;
    case UI_KEY_FN | KEY_END: case UI_KEY_CTRL('e'): req = REQ_END_LINE; break;
    case UI_KEY_FN | KEY_BACKSPACE: req = REQ_DEL_PREV; break;
    case UI_KEY_FN | KEY_DC: case UI_KEY_CTRL('d'): req = REQ_DEL_CHAR; break;
    case UI_KEY_CTRL('u'): req = REQ_CLR_FIELD; break;
    case UI_KEY_CTRL('k'): req = REQ_CLR_EOL; break;
    default: break;
    }
    if (req >= 0) {
        form_driver_w(f->form, KEY_CODE_YES, req);
    } else if (!(key & UI_KEY_FN) && key >= ' ' && key != 127) {
        /* Typing changes the value: its old message no longer applies. */
        form_driver_w(f->form, OK, (wchar_t)key);
    } else {
        return UI_UNHANDLED;
    }
    /* The next frame shows it (and places the field if it just moved). */
    return UI_HANDLED | UI_REDRAW;
}

int
form_key(struct form *f, int key)
{
    const struct form_row *r = f->cur < f->n ? &f->rows[f->cur] : NULL;

    if (r == NULL)
        return UI_UNHANDLED;
    switch (key) {
    case '\t':
    case UI_KEY_FN | KEY_DOWN:
        move_focus(f, 1);
        return UI_HANDLED | UI_REDRAW;
    case UI_KEY_FN | KEY_BTAB:
    case UI_KEY_FN | KEY_UP:
        move_focus(f, -1);
        return UI_HANDLED | UI_REDRAW;
    case '\n':
    case '\r':
        if (text_kind(r->kind)) {
            move_focus(f, 1);
            return UI_HANDLED | UI_REDRAW;
        }
        break;
    default:
        break;
    }
    /* Keys typed faster than the frames: the field for a row just moved to
     * is made now, placed properly at the next draw. */
    if (!f->editing && text_kind(r->kind) && f->gw > 0)
        edit_begin(f, f->wy, f->gx, f->gw);
    /* A form not drawn yet (keys typed right after it opened): a field of
     * its own takes them; the first draw puts it in place, keeping them. */
    if (!f->editing && text_kind(r->kind) && f->gw == 0 && key != UI_KEY_ESC)
        edit_begin(f, 0, 0, 20);
    if (f->editing && text_kind(r->kind))
        return edit_key(f, key);
    if (key == '\n' || key == '\r' || key == ' ') {
        if (r->kind == FK_CHECK) {
            bool *b = (bool *)((char *)f->model + r->off);
            *b = !*b;
            f->touched[f->cur] = true;
            recheck(f);
            return UI_HANDLED | UI_REDRAW;
        }
        if (r->kind == FK_CHOICE) {
            cycle_choice(f, r, 1);
            f->touched[f->cur] = true;
            recheck(f);
            return UI_HANDLED | UI_REDRAW;
        }
        if (key != ' ' && f->ops->activate)
            return f->ops->activate(f->ui, f, r, f->ctx) | UI_HANDLED | UI_REDRAW;
        return UI_HANDLED;
    }
    /* A choice shows as "< value >": Right is the next value, Left the
     * previous one (as Space and Enter step forward). */
    if (r->kind == FK_CHOICE &&
        (key == (UI_KEY_FN | KEY_RIGHT) || key == (UI_KEY_FN | KEY_LEFT))) {
        cycle_choice(f, r, key == (UI_KEY_FN | KEY_RIGHT) ? 1 : -1);
        f->touched[f->cur] = true;
        recheck(f);
        return UI_HANDLED | UI_REDRAW;
    }
    /* Printable keys on a row that is not typed into do nothing rather than
     * run global actions by surprise. */
    if (!(key & UI_KEY_FN) && key >= ' ' && key != 127)
        return UI_HANDLED;
    return UI_UNHANDLED;
}

/* Messages for the rows visited so far; true when the model has none. */
static bool
recheck(struct form *f)
{
    struct dr_diag *d = NULL;
    size_t n = f->ops->check ? f->ops->check(f->model, &d) : 0;
    char *other = NULL;

    edit_end(f, true);
    for (size_t i = 0; i < f->n; i++)
        xfree(&f->msgs[i]);
    xfree(&f->message);
    for (size_t k = 0; k < n; k++) {
        size_t i = d[k].field ? row_index(f, d[k].field) : f->n;

        /* "tags[1]", "extra_config[0].key": under the list's row. */
        if (i == f->n && d[k].field && strcspn(d[k].field, "[") < strlen(d[k].field)) {
            char *base = xstrndup(d[k].field, strcspn(d[k].field, "["));
            size_t j = row_index(f, base);
            if (j < f->n && f->rows[j].kind == FK_LIST)
                i = j;
            free(base);
        }

        /* "password" speaks for the password's three sources. */
        if (i < f->n && !row_shown(f, i))
            i = f->n;
        if (i < f->n && !f->touched[i])
            continue;
        if (i == f->n && !f->all_touched)
            continue;
        if (i < f->n && f->msgs[i] == NULL) {
            f->msgs[i] = xstrdup(d[k].message);
        } else if (i == f->n) {
            char *m = d[k].field ? xasprintf("%s: %s", d[k].field, d[k].message)
                                 : xstrdup(d[k].message);
            char *joined = other ? xasprintf("%s; %s", other, m) : xstrdup(m);
            free(m);
            free(other);
            other = joined;
        }
    }
    f->message = other;
    store_diags_free(d, n);
    return n == 0;
}

bool
form_validate(struct form *f)
{
    for (size_t i = 0; i < f->n; i++)
        f->touched[i] = true;
    f->all_touched = true;
    return recheck(f);
}

void
form_set_message(struct form *f, const char *key, const char *msg)
{
    size_t i = row_index(f, key);

    if (i == f->n) {
        free(f->message);
        f->message = xstrdup0(msg);
        return;
    }
    free(f->msgs[i]);
    f->msgs[i] = xstrdup0(msg);
}

void
form_set_flag(struct form *f, const char *key, const char *flag)
{
    size_t i = row_index(f, key);

    if (i < f->n) {
        free(f->flags[i]);
        f->flags[i] = xstrdup0(flag);
    }
}

const char *
form_message(const struct form *f)
{
    return f->message;
}

void
form_set_text(struct form *f, const char *key, const char *value)
{
    size_t i = row_index(f, key);

    if (i == f->n)
        return;
    if (i == f->cur)
        edit_end(f, false);
    set_value(f, &f->rows[i], value);
    xfree(&f->flags[i]);
}

const char *
form_text(const struct form *f, const char *key)
{
    size_t i = row_index(f, key);

    if (i == f->n || f->rows[i].kind == FK_NUMBER || f->rows[i].kind == FK_CHECK ||
        f->rows[i].kind == FK_BUTTON || f->rows[i].kind == FK_LIST)
        return NULL;
    return *slot(f->model, &f->rows[i]);
}

void
form_focus(struct form *f, const char *key)
{
    size_t i = row_index(f, key);

    if (i < f->n && row_shown(f, i)) {
        edit_end(f, true);
        f->cur = i;
    }
}

const struct form_row *
form_current(const struct form *f)
{
    return f->cur < f->n ? &f->rows[f->cur] : NULL;
}
