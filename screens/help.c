#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/text.h"
#include "ui/ui.h"

/* The help is the action list itself: every action with the keys bound to it
 * on the screen help was asked from. Read-only mode leaves out what changes
 * things. */
struct help {
    struct ui *ui;
    char *scope;
    struct table t;
    struct table_col cols[3]; /* cols, the keys column as wide as its widest cell */
    enum ui_action items[ACT__COUNT];
    size_t n;
};

static const struct table_col cols[] = {
    {.title = N_("KEYS"), .width = 18, .min = 6},
    {.title = N_("ACTION"), .width = 14, .min = 6},
    {.title = N_("DESCRIPTION"), .width = 40, .min = 10, .flex = true},
};

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    struct help *h = ctx;
    enum ui_action a = h->items[item];

    buf[0] = '\0';
    if (col == 0) {
        int keys[8];
        size_t n = keymap_keys_for(h->ui->keymap, h->scope, a, keys, DR_ARRAY_LEN(keys));
        size_t o = 0;
        for (size_t i = 0; i < n && o + 1 < len; i++) {
            char kn[32];
            snprintf(buf + o, len - o, "%s%s", i ? " " : "",
                     keymap_key_name(keys[i], kn, sizeof kn));
            o = strlen(buf);
        }
        if (n == 0)
            snprintf(buf, len, ":%s", action_name(a));
        *role = ROLE_KEY;
    } else if (col == 1) {
        snprintf(buf, len, "%s", action_name(a));
    } else {
        snprintf(buf, len, "%s", action_help(a));
        if (action_is_mutating(a))
            *role = ROLE_STATE_PROVISIONING;
    }
}

static void
collect(struct help *h)
{
    int widest = cols[0].min;

    h->n = 0;
    for (int a = ACT_NONE + 1; a < ACT__COUNT; a++) {
        if (action_is_mutating((enum ui_action)a) && h->ui->read_only)
            continue;
        h->items[h->n++] = (enum ui_action)a;
    }
    /* Every key of an action must show ("Enter Return Right l"): the keys
     * column is as wide as its widest cell, and does not give room up
     * before the descriptions do. */
    for (size_t i = 0; i < h->n; i++) {
        char buf[256];
        enum ui_role role = ROLE_NORMAL;
        cell(h, i, 0, buf, sizeof buf, &role);
        int w = text_width(buf);
        if (w > widest)
            widest = w;
    }
    h->cols[0].width = h->cols[0].min = widest;
    table_rebuild(&h->t, h->n);
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct help *h = xcalloc(1, sizeof *h);

    h->ui = ui;
    h->scope = xstrdup(arg ? arg : "clusters");
    memcpy(h->cols, cols, sizeof cols);
    table_init(&h->t, h->cols, DR_ARRAY_LEN(cols), cell, NULL, h);
    collect(h);
    return h;
}

static void
leave(struct ui *ui, void *st)
{
    struct help *h = st;

    table_done(&h->t);
    free(h->scope);
    free(h);
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int hgt, int wd)
{
    struct help *h = st;
    char line[256];
    int y = 0;

    if (pane != PANE_MAIN)
        return;
    /* L10N: %s is a screen's name, e.g. "nodes". */
    snprintf(line, sizeof line, _("Keys on the %s screen"), h->scope);
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddnstr(w, y++, 1, line, wd - 2);
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddnstr(w, y++, 1, _("Commands: :clusters :templates :nodes :jobs :theme NAME :readonly :q"),
               wd - 2);
    if (h->ui->read_only)
        mvwaddnstr(w, y++, 1, _("Read-only mode: actions that change things are hidden."), wd - 2);
    /* The forms' own keys (not in the keymap: letters there are typed). */
    if (str_eq(h->scope, "clusters") || str_eq(h->scope, "wizard")) {
        mvwaddnstr(w, y++, 1,
                   _("Wizard review: c saves and creates, s saves only, p runs preflight again "
                     "(Esc stops it)"),
                   wd - 2);
        /* The form's own keys where the form is (F1 there). */
        if (str_eq(h->scope, "wizard"))
            mvwaddnstr(w, y++, 1,
                   _("Wizard: Ctrl-N/Ctrl-P on Version offer the known versions; on Template "
                     "(pool) and vCenter, + makes a new one"),
                   wd - 2);
    } else if (str_eq(h->scope, "templates") || str_eq(h->scope, "template-edit")) {
        mvwaddnstr(w, y++, 1,
                   _("Template editor: Enter on \"Test against vCenter\" runs preflight for one "
                     "node"),
                   wd - 2);
        if (str_eq(h->scope, "template-edit"))
            mvwaddnstr(w, y++, 1,
                   _("Template lists (networks, extra_config, tags, attributes): a adds, Enter "
                     "changes, d removes, K/J move"),
                   wd - 2);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
    if (hgt - y < 2)
        return;
    WINDOW *sub = derwin(w, hgt - y, wd, y, 0);
    if (sub) {
        table_draw(&h->t, sub, hgt - y, wd, true);
        delwin(sub);
    }
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct help *h = st;

    if (a == ACT_OPEN) {
        size_t item;
        /* Enter on a line runs that action on the screen below. */
        if (table_selected(&h->t, &item)) {
            enum ui_action run = h->items[item];
            ui_pop(ui);
            return ui_dispatch(ui, run) | UI_REDRAW_ALL;
        }
        return UI_HANDLED;
    }
    return UI_UNHANDLED;
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    collect(st);
    return 0;
}

static struct table *
table(void *st)
{
    return &((struct help *)st)->t;
}

const struct screen_ops screen_help = {
    .name = "help",
    .title = N_("Help"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .table = table,
};
