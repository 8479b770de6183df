#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/feed.h"
#include "ui/text.h"
#include "ui/ui.h"

/* What the engine did and is doing: its jobs on top, the event stream below. */
struct jobs {
    struct ui *ui;
    struct table t;
};

static const struct table_col cols[] = {
    {.title = N_("JOB"), .width = 5, .min = 3, .right = true},
    {.title = N_("KIND"), .width = 9, .min = 5},
    {.title = N_("CLUSTER"), .width = 12, .min = 6},
    {.title = N_("NODE"), .width = 14, .min = 6},
    {.title = N_("STATE"), .width = 10, .min = 5},
    {.title = N_("STEP"), .width = 15, .min = 5},
    {.title = N_("PROGRESS"), .width = 16, .min = 8},
    {.title = N_("MESSAGE"), .width = 20, .min = 7, .flex = true},
};

static enum ui_role
job_role(enum dr_job_state s)
{
    switch (s) {
    case DR_JOB_DONE:
        return ROLE_STATE_ACTIVE;
    case DR_JOB_FAILED:
        return ROLE_STATE_ERROR;
    case DR_JOB_CANCELLED:
        return ROLE_STATE_REMOVING;
    case DR_JOB_QUEUED:
        return ROLE_STATE_PENDING;
    default:
        return ROLE_STATE_PROVISIONING;
    }
}

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    struct jobs *s = ctx;
    const struct dr_job *j;

    buf[0] = '\0';
    if (item >= s->ui->snap->n_jobs)
        return;
    j = &s->ui->snap->jobs[item];
    switch (col) {
    case 0:
        snprintf(buf, len, "%u", j->id);
        break;
    case 1:
        snprintf(buf, len, "%s", job_kind_key(j->kind));
        break;
    case 2:
        snprintf(buf, len, "%s", j->cluster ? j->cluster : "");
        break;
    case 3:
        snprintf(buf, len, "%s", j->node ? j->node : "");
        break;
    case 4:
        snprintf(buf, len, "%s", job_state_label(j->state));
        *role = job_role(j->state);
        break;
    case 5:
        snprintf(buf, len, "%s", node_state_label(j->step));
        break;
    case 6:
        table_progress(buf, len, j->percent, 16);
        *role = ROLE_PROGRESS;
        break;
    case 7:
        snprintf(buf, len, "%s", j->error ? j->error : (j->text ? j->text : ""));
        if (j->error)
            *role = ROLE_STATE_ERROR;
        break;
    }
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct jobs *s = xcalloc(1, sizeof *s);

    s->ui = ui;
    table_init(&s->t, cols, DR_ARRAY_LEN(cols), cell, NULL, s);
    s->t.empty = N_("No jobs: the engine has nothing to do.");
    table_rebuild(&s->t, ui->snap->n_jobs);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct jobs *s = st;

    table_done(&s->t);
    free(s);
}

static void
draw_events(struct ui *ui, WINDOW *w, int h, int wd)
{
    char buf[1024], line[1024], ts[16];
    int rows = h - 1;
    size_t first = ui->ev_count > (size_t)rows ? ui->ev_count - (size_t)rows : 0;

    ui_draw_hline(w, 0, wd);
    snprintf(buf, sizeof buf, " %s ", _("Events"));
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, 0, 2, buf);
    wattrset(w, theme_attr(ROLE_NORMAL));
    if (ui->ev_count == 0) {
        wattrset(w, theme_attr(ROLE_DIM));
        mvwaddstr(w, 1, 1, text_fit(buf, sizeof buf, _("No events yet."), wd - 2, false));
        wattrset(w, theme_attr(ROLE_NORMAL));
        return;
    }
    for (int r = 0; r < rows && first + (size_t)r < ui->ev_count; r++) {
        const struct ui_event_line *l = ui_event_at(ui, first + (size_t)r);
        struct tm tm;

        localtime_r(&l->time, &tm);
        strftime(ts, sizeof ts, "%H:%M:%S", &tm);
        snprintf(line, sizeof line, "%s %-10s %s%s%s %s", ts, event_kind_key(l->kind),
                 l->cluster ? l->cluster : "", l->node ? "/" : "", l->node ? l->node : "", l->text);
        wattrset(w, theme_attr(l->level >= DR_LOG_ERROR  ? ROLE_STATE_ERROR
                               : l->level == DR_LOG_WARN ? ROLE_STATE_PROVISIONING
                                                         : ROLE_NORMAL));
        mvwaddstr(w, r + 1, 0, text_fit(buf, sizeof buf, line, wd, false));
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct jobs *s = st;

    /* A watching console lists no jobs: it runs none, and another drover's
     * are not in the state files. Say so rather than "nothing to do", and
     * when no drover runs at all (observe.c), that the work stands still. */
    s->t.empty = ui->snap && ui->snap->owner_stopped
                     ? N_("No jobs: no drover is running the engine (nodes in progress are "
                          "stalled).")
                 : ui->snap && ui->snap->read_only
                     ? N_("No jobs here: this console only watches.")
                     : N_("No jobs: the engine has nothing to do.");
    if (pane == PANE_MAIN)
        table_draw(&s->t, w, h, wd, ui->focus == PANE_MAIN);
    else
        draw_events(ui, w, h, wd);
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct jobs *s = st;
    size_t item;

    if (a != ACT_CANCEL)
        return UI_UNHANDLED;
    if (!table_selected(&s->t, &item) || item >= ui->snap->n_jobs) {
        ui_error(ui, _("No job selected"));
        return UI_HANDLED;
    }
    return feed_cancel_job(ui, ui->snap->jobs[item].id);
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    struct jobs *s = st;

    if (ev->kind == UI_EV_DATA)
        table_rebuild(&s->t, ui->snap->n_jobs);
    return UI_REDRAW;
}

static struct table *
table(void *st)
{
    return &((struct jobs *)st)->t;
}

const struct screen_ops screen_jobs = {
    .name = "jobs",
    .title = N_("Jobs"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .table = table,
    .detail_always = true,
};
