#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/ui.h"

struct templates {
    struct ui *ui;
    struct table t;
};

static const struct table_col cols[] = {
    {.title = N_("NAME"), .width = 18, .min = 8, .flex = true},
    {.title = N_("VCENTER"), .width = 10, .min = 5},
    {.title = N_("DATACENTER"), .width = 10, .min = 4},
    {.title = N_("SOURCE"), .width = 22, .min = 6, .flex = true},
    {.title = N_("CPU"), .width = 4, .min = 3, .right = true},
    {.title = N_("MEMORY"), .width = 7, .min = 6, .right = true},
    {.title = N_("DISK"), .width = 6, .min = 5, .right = true},
    {.title = N_("NETWORKS"), .width = 20, .min = 8, .flex = true},
};

static void
networks(const struct dr_template *t, char *buf, size_t len)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; t->networks && t->networks[i] && o + 1 < len; i++) {
        snprintf(buf + o, len - o, "%s%s", i ? ", " : "", t->networks[i]);
        o = strlen(buf);
    }
}

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    struct templates *s = ctx;
    const struct dr_template *t = &s->ui->store->templates[item];

    buf[0] = '\0';
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", t->name);
        break;
    case 1:
        snprintf(buf, len, "%s", t->vcenter ? t->vcenter : "");
        break;
    case 2:
        snprintf(buf, len, "%s", t->datacenter ? t->datacenter : "");
        break;
    case 3:
        snprintf(buf, len, "%s%s", t->clone_from ? t->clone_from : "",
                 t->clone_mode == DR_CLONE_LINKED ? _(" (linked)") : "");
        break;
    case 4:
        snprintf(buf, len, "%d", t->cpus);
        break;
    case 5:
        snprintf(buf, len, "%d Gi", t->memory_mib / 1024);
        if (t->memory_mib % 1024)
            snprintf(buf, len, "%d Mi", t->memory_mib);
        break;
    case 6:
        if (t->disk_gib > 0)
            snprintf(buf, len, "%d Gi", t->disk_gib);
        else
            snprintf(buf, len, "-");
        break;
    case 7:
        networks(t, buf, len);
        break;
    }
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct templates *s = xcalloc(1, sizeof *s);

    s->ui = ui;
    table_init(&s->t, cols, DR_ARRAY_LEN(cols), cell, NULL, s);
    table_rebuild(&s->t, ui->store->n_templates);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct templates *s = st;

    table_done(&s->t);
    free(s);
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct templates *s = st;
    size_t item;
    int y = 1;

    /* An empty list says how to make the first template (not in read-only
     * mode, which opens no editor). */
    s->t.empty = ui->read_only
                     ? N_("No node templates. Put them in the configuration folder's templates/.\n"
                          "Read-only mode: n (new template) is off.")
                     : N_("No node templates yet.\n"
                          "n makes one with the editor; V adds a vCenter first if none is set "
                          "up.\n"
                          "Or put them in the configuration folder's templates/.");
    if (pane == PANE_MAIN) {
        table_draw(&s->t, w, h, wd, ui->focus == PANE_MAIN);
        return;
    }
    ui_draw_hline(w, 0, wd);
    if (!table_selected(&s->t, &item))
        return;
    const struct dr_template *t = &ui->store->templates[item];
    ui_draw_field(w, &y, wd, _("Template"), t->name, ROLE_TITLE);
    ui_draw_field(w, &y, wd, _("Datastore"), t->datastore, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("Folder"), t->folder, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("OS"), t->os, ROLE_NORMAL);
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct templates *s = st;
    size_t item;

    if (a == ACT_NEW) {
        ui_push(ui, &screen_template_edit, "");
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (a == ACT_EDIT || a == ACT_COPY) {
        char *arg;
        if (!table_selected(&s->t, &item)) {
            ui_error(ui, "%s", _("No template is selected"));
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        /* The editor's argument: "=NAME" edits NAME, "+NAME" copies it. */
        arg = xasprintf("%c%s", a == ACT_EDIT ? '=' : '+', ui->store->templates[item].name);
        ui_push(ui, &screen_template_edit, arg);
        free(arg);
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (a != ACT_OPEN)
        return UI_UNHANDLED;
    if (table_selected(&s->t, &item))
        ui_push(ui, &screen_template, ui->store->templates[item].name);
    return UI_HANDLED | UI_REDRAW_ALL;
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    struct templates *s = st;

    if (ev->kind != UI_EV_DATA)
        return 0;
    table_rebuild(&s->t, ui->store->n_templates);
    return UI_REDRAW;
}

static struct table *
table(void *st)
{
    return &((struct templates *)st)->t;
}

const struct screen_ops screen_templates = {
    .name = "templates",
    .title = N_("Templates"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .table = table,
};
