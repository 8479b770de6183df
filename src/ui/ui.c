#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/text.h"
#include "ui/ui.h"

const struct screen_ops *const ui_screens[] = {
    &screen_clusters, &screen_cluster, &screen_templates,
    &screen_template, &screen_nodes,   &screen_node,
    &screen_jobs,     &screen_help,    &screen_vcenter_add, &screen_template_edit, &screen_wizard, NULL,
};

const char *const *
ui_screen_names(void)
{
    static const char *names[DR_ARRAY_LEN(ui_screens)];

    for (size_t i = 0; ui_screens[i]; i++)
        names[i] = ui_screens[i]->name;
    return names;
}

struct ui_frame *
ui_top(struct ui *ui)
{
    return ui->depth > 0 ? &ui->stack[ui->depth - 1] : NULL;
}

static void
frame_leave(struct ui *ui, struct ui_frame *f)
{
    if (f->ops && f->ops->leave)
        f->ops->leave(ui, f->st);
    f->ops = NULL;
    f->st = NULL;
}

void
ui_push(struct ui *ui, const struct screen_ops *ops, const char *arg)
{
    if (ui->depth == UI_STACK_MAX)
        frame_leave(ui, &ui->stack[--ui->depth]); /* deep enough: replace the top */
    ui->stack[ui->depth].ops = ops;
    ui->stack[ui->depth].st = ops->enter ? ops->enter(ui, arg) : NULL;
    ui->depth++;
    ui->focus = PANE_MAIN;
    ui_dirty_all(ui);
}

void
ui_pop(struct ui *ui)
{
    if (ui->depth <= 1)
        return;
    frame_leave(ui, &ui->stack[--ui->depth]);
    ui->focus = PANE_MAIN;
    ui_dirty_all(ui);
}

void
ui_switch(struct ui *ui, const struct screen_ops *ops)
{
    while (ui->depth > 0)
        frame_leave(ui, &ui->stack[--ui->depth]);
    ui_push(ui, ops, NULL);
}

static void
status_v(struct ui *ui, bool error, const char *fmt, va_list ap)
{
    vsnprintf(ui->status, sizeof ui->status, fmt, ap);
    /* One line: the status line never wraps. */
    for (char *p = ui->status; *p; p++) {
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    }
    ui->status_error = error;
    ui_dirty(ui, PANE_STATUS);
}

void
ui_status(struct ui *ui, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    status_v(ui, false, fmt, ap);
    va_end(ap);
}

void
ui_error(struct ui *ui, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    status_v(ui, true, fmt, ap);
    va_end(ap);
}

const char *
ui_spinner(const struct ui *ui)
{
    static const char *const ascii[] = {"|", "/", "-", "\\"};
    static const char *const dots[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    return ui->utf8 ? dots[ui->spin % DR_ARRAY_LEN(dots)] : ascii[ui->spin % DR_ARRAY_LEN(ascii)];
}

void
ui_dirty(struct ui *ui, enum ui_pane_id p)
{
    ui->panes[p].dirty = true;
}

void
ui_dirty_all(struct ui *ui)
{
    for (int p = 0; p < PANE__COUNT; p++)
        ui->panes[p].dirty = true;
}

static const struct screen_ops *
screen_by_name(const char *name)
{
    for (size_t i = 0; ui_screens[i]; i++) {
        if (strcmp(ui_screens[i]->name, name) == 0)
            return ui_screens[i];
    }
    return NULL;
}

static int
refuse_read_only(struct ui *ui, enum ui_action a)
{
    /* L10N: %s is an action name such as "delete". */
    ui_error(ui, _("Read-only mode: '%s' is not allowed"), action_name(a));
    return UI_HANDLED;
}

int
ui_dispatch(struct ui *ui, enum ui_action a)
{
    struct ui_frame *top = ui_top(ui);
    struct table *t = top && top->ops->table ? top->ops->table(top->st) : NULL;
    int flags;

    if (a == ACT_NONE || top == NULL)
        return UI_UNHANDLED;
    if (action_is_mutating(a) && ui->read_only)
        return refuse_read_only(ui, a);
    flags = top->ops->action ? top->ops->action(ui, top->st, a) : UI_UNHANDLED;
    if (flags & UI_HANDLED)
        return flags;
    if (t && ui->focus == PANE_MAIN) {
        flags = table_action(t, a);
        if (flags & UI_HANDLED) {
            if (ui->panes[PANE_DETAIL].shown)
                flags |= UI_REDRAW;
            return flags;
        }
    }
    switch (a) {
    case ACT_CLUSTERS:
        ui_switch(ui, &screen_clusters);
        break;
    case ACT_TEMPLATES:
        ui_switch(ui, &screen_templates);
        break;
    case ACT_NODES:
        ui_switch(ui, &screen_nodes);
        break;
    case ACT_JOBS:
        ui_switch(ui, &screen_jobs);
        break;
    case ACT_HELP:
        if (top->ops != &screen_help)
            ui_push(ui, &screen_help, top->ops->name);
        break;
    case ACT_BACK:
        if (ui->focus == PANE_DETAIL && !top->ops->detail_always) {
            ui->focus = PANE_MAIN;
            return UI_HANDLED | UI_REDRAW;
        }
        if (ui->depth > 1)
            ui_pop(ui);
        else if (top->ops != &screen_clusters)
            ui_switch(ui, &screen_clusters);
        else
            ui_status(ui, _("Press Q or type :q to quit"));
        break;
    case ACT_FILTER:
        if (t == NULL) {
            ui_error(ui, _("Nothing to filter on this screen"));
            break;
        }
        ui_prompt_start(ui, PROMPT_FILTER, NULL);
        break;
    case ACT_COMMAND:
        ui_prompt_start(ui, PROMPT_COMMAND, NULL);
        break;
    case ACT_TOGGLE_DETAIL:
        if (top->ops->detail_always)
            break;
        ui->detail_on = !ui->detail_on;
        ui->focus = PANE_MAIN;
        break;
    case ACT_NEXT_PANE:
        if (ui->panes[PANE_DETAIL].shown)
            ui->focus = ui->focus == PANE_MAIN ? PANE_DETAIL : PANE_MAIN;
        break;
    case ACT_REDRAW:
        ui->full_repaint = true;
        break;
    case ACT_ADD_VCENTER:
        if (top->ops == &screen_vcenter_add)
            break;
        if (ui->engine == NULL || ui->snap == NULL || ui->snap->observer) {
            ui_error(ui, "%s",
                     ui->engine == NULL
                         ? (ui->engine_error ? ui->engine_error : _("the engine is not running"))
                         : _("another drover runs the engine; add vCenters there"));
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        ui_push(ui, &screen_vcenter_add, NULL);
        break;
    case ACT_QUIT:
        /* Quitting stops running jobs at a safe point (they resume on the
         * next start): worth one question. */
        if (ui->engine && !engine_idle(ui->engine)) {
            ui_confirm(ui, ACT_QUIT, "", _("Jobs are running; stop them and quit?"));
            return UI_HANDLED;
        }
        ui->quit = true;
        return UI_HANDLED | UI_QUIT;
    case ACT_SORT:
    case ACT_SORT_REVERSE:
    case ACT_FOLLOW:
    case ACT_UP:
    case ACT_DOWN:
    case ACT_PAGE_UP:
    case ACT_PAGE_DOWN:
    case ACT_TOP:
    case ACT_BOTTOM:
    case ACT_OPEN:
        return UI_HANDLED;
    default:
        /* L10N: %s is an action name such as "retry". */
        ui_error(ui, _("'%s' does nothing on this screen"), action_name(a));
        return UI_HANDLED;
    }
    return UI_HANDLED | UI_REDRAW_ALL;
}

const char *
ui_user_theme_dir(struct ui *ui)
{
    static char *dir;

    if (dir == NULL && ui->store && ui->store->config_dir)
        dir = util_path_join(ui->store->config_dir, "themes");
    return dir;
}

bool
ui_set_theme(struct ui *ui, const char *name)
{
    struct dr_error e = {0};
    struct theme t = ui->theme;

    if (theme_load(name, ui_user_theme_dir(ui), &t, &e) != DR_E_OK) {
        /* L10N: %s is the reason, often "file:line: message". */
        ui_error(ui, _("Theme not changed: %s"), dr_error_text(&e));
        return false;
    }
    ui->theme = t;
    theme_apply(&ui->theme, ui->colour);
    ui_dirty_all(ui);
    if (ui->colour)
        ui_status(ui, _("Theme: %s"), t.name);
    else
        ui_status(ui, _("Theme: %s (this terminal shows no colours)"), t.name);
    return true;
}

static void
trim(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

int
ui_command(struct ui *ui, const char *line)
{
    char buf[256], *cmd, *arg;
    const struct screen_ops *ops;

    snprintf(buf, sizeof buf, "%s", line);
    trim(buf);
    cmd = buf + strspn(buf, " ");
    arg = cmd + strcspn(cmd, " ");
    if (*arg) {
        *arg++ = '\0';
        arg += strspn(arg, " ");
    }
    if (*cmd == '\0')
        return UI_HANDLED;
    if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0)
        return ui_dispatch(ui, ACT_QUIT);
    if (strcmp(cmd, "theme") == 0) {
        if (*arg == '\0') {
            char **names = theme_list(ui_user_theme_dir(ui));
            char list[256] = "";
            for (size_t i = 0; names[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "",
                         names[i]);
            strv_free(&names);
            ui_status(ui, _("Themes: %s"), list);
        } else {
            ui_set_theme(ui, arg);
        }
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (strcmp(cmd, "readonly") == 0) {
        if (ui->read_only && ui->read_only_locked) {
            ui_error(ui, _("Read-only mode was set at start-up and stays on"));
        } else {
            ui->read_only = !ui->read_only;
            ui_status(ui, ui->read_only ? _("Read-only mode on") : _("Read-only mode off"));
        }
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (strcmp(cmd, "events") == 0)
        cmd = "jobs";
    ops = screen_by_name(cmd);
    if (ops == NULL) {
        enum ui_action a;
        /* Any action by its name works too (":sort", ":delete"). */
        if (action_from_name(cmd, &a))
            return ui_dispatch(ui, a);
        ui_error(ui, _("Unknown command '%s'"), cmd);
        return UI_HANDLED;
    }
    if (ops == &screen_help)
        return ui_dispatch(ui, ACT_HELP);
    if (*arg && (ops == &screen_cluster || ops == &screen_template || ops == &screen_node)) {
        ui_switch(ui, ops == &screen_template ? &screen_templates
                      : ops == &screen_node   ? &screen_nodes
                                              : &screen_clusters);
        ui_push(ui, ops, arg);
    } else if (ops == &screen_cluster || ops == &screen_template || ops == &screen_node) {
        ui_error(ui, _("':%s' needs a name"), cmd);
    } else {
        ui_switch(ui, ops);
    }
    return UI_HANDLED | UI_REDRAW_ALL;
}

const struct ui_event_line *
ui_event_at(const struct ui *ui, size_t i)
{
    if (i >= ui->ev_count)
        return NULL;
    return &ui->events[(ui->ev_head + UI_EVENTS_MAX - ui->ev_count + i) % UI_EVENTS_MAX];
}

/* The time (s since the epoch) each pane's ages next change their text,
 * 0: none shown; the pane being drawn. Main thread only. */
static time_t age_next[PANE__COUNT];
static int age_pane = PANE__COUNT;

void
ui_age_pane(enum ui_pane_id pane)
{
    age_pane = pane;
    if (pane < PANE__COUNT)
        age_next[pane] = 0;
}

int
ui_age_tick(struct ui *ui, bool *dirtied)
{
    struct timespec ts;
    time_t now = time(NULL); /* ui_age's clock (glibc: the coarse one) */
    long long now_ms, wait = -1;

    *dirtied = false;
    clock_gettime(CLOCK_REALTIME, &ts);
    now_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    for (int p = 0; p < PANE__COUNT; p++) {
        long long due = (long long)age_next[p] * 1000 - now_ms;

        if (age_next[p] == 0 || !ui->panes[p].shown)
            continue;
        if (now >= age_next[p]) {
            /* Redrawn, it learns its next change again. */
            ui_dirty(ui, (enum ui_pane_id)p);
            age_next[p] = 0;
            *dirtied = true;
            continue;
        }
        /* A little past the second, so that time() has turned too. */
        due = (due > 0 ? due : 0) + 10;
        if (wait < 0 || due < wait)
            wait = due;
    }
    return wait > INT_MAX ? INT_MAX : (int)wait;
}

const char *
ui_age(time_t t, char *buf, size_t len)
{
    time_t now = time(NULL);
    long d = t > 0 && now > t ? (long)(now - t) : 0;
    long unit = d < 120 ? 1 : d < 2 * 3600 ? 60 : d < 2 * 86400 ? 3600 : 86400;

    if (t > 0 && age_pane < PANE__COUNT) {
        /* The text changes when d reaches the next multiple of its unit. */
        time_t next = t + (d / unit + 1) * unit;

        if (age_next[age_pane] == 0 || next < age_next[age_pane])
            age_next[age_pane] = next;
    }

    if (t <= 0)
        snprintf(buf, len, "-");
    else if (d < 120)
        snprintf(buf, len, "%lds", d);
    else if (d < 2 * 3600)
        snprintf(buf, len, "%ldm", d / 60);
    else if (d < 2 * 86400)
        snprintf(buf, len, "%ldh", d / 3600);
    else
        snprintf(buf, len, "%ldd", d / 86400);
    return buf;
}

const char *
ui_node_vm_text(struct ui *ui, const char *scope, const struct dr_node *n, char *buf, size_t len)
{
    int keys[4];
    char kn[32];

    if (!node_vm_kept(n)) {
        snprintf(buf, len, "%s", n->vm_id ? n->vm_id : "");
        return buf;
    }
    if (keymap_keys_for(ui->keymap, scope, ACT_REPLACE, keys, DR_ARRAY_LEN(keys)) > 0)
        /* L10N: %s: the VM id, then the key that replaces the node (R). */
        snprintf(buf, len, _("%s (kept; %s replaces it)"), n->vm_id,
                 keymap_key_name(keys[0], kn, sizeof kn));
    else
        snprintf(buf, len, _("%s (kept)"), n->vm_id);
    return buf;
}

enum ui_role
ui_node_role(enum dr_node_state s)
{
    switch (s) {
    case DR_NODE_ACTIVE:
        return ROLE_STATE_ACTIVE;
    case DR_NODE_ERROR:
        return ROLE_STATE_ERROR;
    case DR_NODE_PENDING:
        return ROLE_STATE_PENDING;
    case DR_NODE_REMOVING:
    case DR_NODE_REMOVED:
        return ROLE_STATE_REMOVING;
    default:
        return ROLE_STATE_PROVISIONING;
    }
}

enum ui_role
ui_cluster_role(enum dr_cluster_state s)
{
    switch (s) {
    case DR_CLUSTER_ACTIVE:
        return ROLE_STATE_ACTIVE;
    case DR_CLUSTER_ERROR:
    case DR_CLUSTER_DEGRADED:
    case DR_CLUSTER_UNAVAILABLE:
        return ROLE_STATE_ERROR;
    case DR_CLUSTER_PENDING:
        return ROLE_STATE_PENDING;
    case DR_CLUSTER_REMOVING:
        return ROLE_STATE_REMOVING;
    default:
        return ROLE_STATE_PROVISIONING;
    }
}

void
ui_draw_field(WINDOW *w, int *y, int wd, const char *label, const char *value, enum ui_role role)
{
    char buf[512];
    int lw = 16;

    if (*y >= getmaxy(w)) {
        (*y)++; /* counted, so callers know how much did not fit */
        return;
    }
    if (wd < 24)
        lw = wd / 2;
    wattrset(w, theme_attr(ROLE_DIM));
    text_fit(buf, sizeof buf, label, lw, false);
    mvwaddstr(w, *y, 1, buf);
    wattrset(w, theme_attr(role));
    text_fit(buf, sizeof buf, value ? value : "", wd - lw - 2 > 0 ? wd - lw - 2 : 0, false);
    mvwaddstr(w, *y, lw + 2, buf);
    wattrset(w, theme_attr(ROLE_NORMAL));
    (*y)++;
}

void
ui_draw_field_wrapped(WINDOW *w, int *y, int max, int wd, const char *label, const char *value,
                      enum ui_role role)
{
    char *lines[32];
    int lw = wd < 24 ? wd / 2 : 16, room = max - *y, n;

    if (room < 1)
        room = 1;
    if (room > 32)
        room = 32;
    n = text_wrap(value ? value : "", wd - lw - 2 > 4 ? wd - lw - 2 : 4, lines, room);
    if (n == 0) {
        ui_draw_field(w, y, wd, label, "", role);
        return;
    }
    for (int i = 0; i < n; i++) {
        ui_draw_field(w, y, wd, i == 0 ? label : "", lines[i], role);
        free(lines[i]);
    }
}

void
ui_draw_hline(WINDOW *w, int y, int wd)
{
    wattrset(w, theme_attr(ROLE_BORDER));
    if (text_utf8()) {
        for (int x = 0; x < wd; x++)
            mvwaddstr(w, y, x, "\xe2\x94\x80");
    } else {
        mvwhline(w, y, 0, '-', wd);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

void
ui_draw_text(WINDOW *w, int y, int x, int width, const char *s, enum ui_role role)
{
    char buf[1024];

    if (width <= 0)
        return;
    wattrset(w, theme_attr(role));
    mvwaddstr(w, y, x, text_fit(buf, sizeof buf, s, width, false));
    wattrset(w, theme_attr(ROLE_NORMAL));
}

const struct dr_cluster_view *
ui_find_cluster(const struct ui *ui, const char *name)
{
    for (size_t i = 0; ui->snap && name && i < ui->snap->n_clusters; i++) {
        if (str_eq(ui->snap->clusters[i].spec.name, name))
            return &ui->snap->clusters[i];
    }
    return NULL;
}
