#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/ui.h"

/* Every field of one node template, scrollable. */
struct template_st {
    struct ui *ui;
    char *name;
    int scroll;
    int max_scroll; /* lines below the window at the last draw */
};

static void *
enter(struct ui *ui, const char *arg)
{
    struct template_st *s = xcalloc(1, sizeof *s);

    s->ui = ui;
    s->name = xstrdup(arg ? arg : "");
    if (store_find_template(ui->store, s->name) == NULL)
        ui_error(ui, _("No template '%s'"), s->name);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct template_st *s = st;

    free(s->name);
    free(s);
}

static void
join(char *const *v, char *buf, size_t len)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; v && v[i] && o + 1 < len; i++) {
        snprintf(buf + o, len - o, "%s%s", i ? ", " : "", v[i]);
        o = strlen(buf);
    }
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct template_st *s = st;
    const struct dr_template *t = store_find_template(ui->store, s->name);
    char buf[1024];
    int y = -s->scroll;

    if (pane != PANE_MAIN)
        return;
    if (t == NULL) {
        wattrset(w, theme_attr(ROLE_STATUS_ERROR));
        mvwprintw(w, 1, 1, _("No template '%s'"), s->name);
        return;
    }
    /* Rows above the window are counted but not drawn. */
#define FIELD(label, value, role)                                                                  \
    do {                                                                                           \
        if (y >= 0)                                                                                \
            ui_draw_field(w, &y, wd, label, value, role);                                          \
        else                                                                                       \
            y++;                                                                                   \
    } while (0)
    FIELD(_("Template"), t->name, ROLE_TITLE);
    FIELD(_("vCenter"), t->vcenter, ROLE_NORMAL);
    FIELD(_("Datacenter"), t->datacenter, ROLE_NORMAL);
    FIELD(_("Compute cluster"), t->cluster, ROLE_NORMAL);
    FIELD(_("Host"), t->host, ROLE_NORMAL);
    FIELD(_("Resource pool"), t->resource_pool, ROLE_NORMAL);
    FIELD(_("Datastore"), t->datastore, ROLE_NORMAL);
    FIELD(_("Folder"), t->folder, ROLE_NORMAL);
    join(t->networks, buf, sizeof buf);
    FIELD(_("Networks"), buf, ROLE_NORMAL);
    FIELD(_("Clone from"), t->clone_from, ROLE_NORMAL);
    FIELD(_("Clone mode"), clone_mode_key(t->clone_mode), ROLE_NORMAL);
    FIELD(_("Snapshot"), t->snapshot, ROLE_NORMAL);
    snprintf(buf, sizeof buf, "%d", t->cpus);
    FIELD(_("CPUs"), buf, ROLE_NORMAL);
    snprintf(buf, sizeof buf, "%d MiB", t->memory_mib);
    FIELD(_("Memory"), buf, ROLE_NORMAL);
    if (t->disk_gib > 0)
        snprintf(buf, sizeof buf, "%d GiB", t->disk_gib);
    else
        snprintf(buf, sizeof buf, "%s", _("as the source"));
    FIELD(_("Disk"), buf, ROLE_NORMAL);
    FIELD(_("SSH user"), t->ssh_user, ROLE_NORMAL);
    snprintf(buf, sizeof buf, "%d", t->ssh_port);
    FIELD(_("SSH port"), buf, ROLE_NORMAL);
    FIELD(_("OS"), t->os, ROLE_NORMAL);
    join(t->tags, buf, sizeof buf);
    FIELD(_("Tags"), buf, ROLE_NORMAL);
    for (size_t i = 0; i < t->n_extra_config; i++) {
        snprintf(buf, sizeof buf, "%s = %s", t->extra_config[i].key, t->extra_config[i].value);
        FIELD(_("Extra config"), buf, ROLE_NORMAL);
    }
    for (size_t i = 0; i < t->n_custom_attributes; i++) {
        snprintf(buf, sizeof buf, "%s = %s", t->custom_attributes[i].key,
                 t->custom_attributes[i].value);
        FIELD(_("Attribute"), buf, ROLE_NORMAL);
    }
    if (!str_empty(t->user_data)) {
        FIELD(_("User data"), "", ROLE_NORMAL);
        for (const char *p = t->user_data; *p;) {
            size_t n = strcspn(p, "\n");
            snprintf(buf, sizeof buf, "  %.*s", (int)n, p);
            FIELD("", buf, ROLE_DIM);
            p += n + (p[n] == '\n');
        }
    }
    if (t->origin.file) {
        snprintf(buf, sizeof buf, "%s", t->origin.file);
        FIELD(_("File"), buf, ROLE_DIM);
    }
#undef FIELD
    /* y is now one past the last line: what does not fit can be scrolled to. */
    s->max_scroll = y + s->scroll - h > 0 ? y + s->scroll - h : 0;
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct template_st *s = st;

    switch (a) {
    case ACT_DOWN:
        if (s->scroll < s->max_scroll)
            s->scroll++;
        break;
    case ACT_UP:
        if (s->scroll > 0)
            s->scroll--;
        break;
    case ACT_TOP:
        s->scroll = 0;
        break;
    case ACT_BOTTOM:
        s->scroll = s->max_scroll;
        break;
    default:
        return UI_UNHANDLED;
    }
    return UI_HANDLED | UI_REDRAW;
}

static const char *
crumb(void *st)
{
    return ((struct template_st *)st)->name;
}

const struct screen_ops screen_template = {
    .name = "template",
    .title = N_("Template"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .crumb = crumb,
};
