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

/* One node: its record on top, its log below (follows the end unless the
 * operator scrolls up). */
struct node_st {
    struct ui *ui;
    char *arg; /* "cluster/node" */
    char *cluster;
    char *node;
    char **lines;  /* the log as known so far */
    size_t n_seen; /* ui->ev_seen when the lines were last collected */
    int scroll;    /* lines up from the end */
    bool follow;
};

static const struct dr_node *
find(const struct node_st *s)
{
    const struct dr_cluster_view *v = ui_find_cluster(s->ui, s->cluster);

    for (size_t i = 0; v && i < v->status.n_nodes; i++) {
        if (str_eq(v->status.nodes[i].name, s->node))
            return &v->status.nodes[i];
    }
    return NULL;
}

/* The engine's log file for the node, when there is one: the last lines. */
static bool
collect_file(struct node_st *s)
{
    char *path, *text = NULL;
    size_t len = 0, n = 0;
    const char *start;
    struct dr_error e = {0};

    if (s->ui->engine == NULL)
        return false;
    path = engine_node_log_path(s->ui->engine, s->cluster, s->node);
    if (path == NULL || util_read_file(path, &text, &len, &e) != DR_E_OK) {
        free(path);
        return false;
    }
    free(path);
    /* Keep at most the last 2000 lines: a log pane, not an archive. */
    start = text + len;
    while (start > text && n <= 2000) {
        start--;
        if (*start == '\n' && start + 1 < text + len)
            n++;
    }
    if (*start == '\n')
        start++;
    for (const char *p = start; *p;) {
        size_t l = strcspn(p, "\n");
        char *line = xstrndup(p, l);
        strv_push(&s->lines, line);
        free(line);
        p += l + (p[l] == '\n');
    }
    free(text);
    return true;
}

static void
collect(struct node_st *s)
{
    strv_free(&s->lines);
    s->n_seen = s->ui->ev_seen;
    if (collect_file(s))
        return;
    for (size_t i = 0; i < s->ui->ev_count; i++) {
        const struct ui_event_line *l = ui_event_at(s->ui, i);
        char ts[16], *line;
        struct tm tm;

        if (!str_eq(l->cluster, s->cluster) || !str_eq(l->node, s->node) || str_empty(l->text))
            continue;
        localtime_r(&l->time, &tm);
        strftime(ts, sizeof ts, "%H:%M:%S", &tm);
        line = xasprintf("%s %s", ts, l->text);
        strv_push(&s->lines, line);
        free(line);
    }
    s->n_seen = s->ui->ev_seen;
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct node_st *s = xcalloc(1, sizeof *s);
    const char *slash = arg ? strchr(arg, '/') : NULL;

    s->ui = ui;
    s->arg = xstrdup(arg ? arg : "");
    s->cluster = slash ? xstrndup(arg, (size_t)(slash - arg)) : xstrdup("");
    s->node = xstrdup(slash ? slash + 1 : s->arg);
    s->follow = true;
    /* ":node NAME" without a cluster: the first node of that name. */
    if (slash == NULL) {
        for (size_t c = 0; ui->snap && c < ui->snap->n_clusters; c++) {
            const struct dr_cluster_status *st = &ui->snap->clusters[c].status;
            for (size_t n = 0; n < st->n_nodes; n++) {
                if (str_eq(st->nodes[n].name, s->node)) {
                    free(s->cluster);
                    s->cluster = xstrdup(ui->snap->clusters[c].spec.name);
                    c = ui->snap->n_clusters - 1;
                    break;
                }
            }
        }
    }
    if (find(s) == NULL)
        ui_error(ui, _("No node '%s'"), s->arg);
    collect(s);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct node_st *s = st;

    strv_free(&s->lines);
    free(s->arg);
    free(s->cluster);
    free(s->node);
    free(s);
}

static void
draw_record(struct node_st *s, const struct dr_node *n, WINDOW *w, int wd)
{
    char buf[256], roles[64];
    int y = 0;
    struct tm tm;

    ui_draw_field(w, &y, wd, _("Node"), n->name, ROLE_TITLE);
    snprintf(buf, sizeof buf, "%s / %s", s->cluster, n->pool ? n->pool : "");
    ui_draw_field(w, &y, wd, _("Cluster / pool"), buf, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("Roles"), roles_format(n->roles, roles, sizeof roles), ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("State"), node_state_label(n->state), ui_node_role(n->state));
    if (n->state != DR_NODE_ACTIVE)
        ui_draw_field(w, &y, wd, _("Step"), node_state_label(n->step),
                      n->state == DR_NODE_ERROR ? ROLE_STATE_ERROR : ROLE_NORMAL);
    table_progress(buf, sizeof buf, n->percent, wd - 20 > 40 ? 40 : (wd - 20 > 6 ? wd - 20 : 6));
    ui_draw_field(w, &y, wd, _("Progress"), buf, ROLE_PROGRESS);
    snprintf(buf, sizeof buf, "%d", n->attempts);
    ui_draw_field(w, &y, wd, _("Attempts"), buf, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("VM"), ui_node_vm_text(s->ui, "node", n, buf, sizeof buf),
                  node_vm_kept(n) ? ROLE_STATE_ERROR : ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("IP"), n->ip, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("Host key"), n->host_key_fp, ROLE_NORMAL);
    if (n->k8s_ready != DR_K8S_UNPOLLED) {
        if (n->kubelet_version)
            snprintf(buf, sizeof buf, _("%s, kubelet %s"), k8s_ready_label(n->k8s_ready), n->kubelet_version);
        else
            snprintf(buf, sizeof buf, "%s", k8s_ready_label(n->k8s_ready));
        ui_draw_field(w, &y, wd, _("Kubernetes"), buf,
                      n->k8s_ready == DR_K8S_READY ? ROLE_STATE_ACTIVE : ROLE_STATE_ERROR);
        if (n->k8s_reason)
            ui_draw_field(w, &y, wd, _("Condition"), n->k8s_reason, ROLE_STATE_ERROR);
    }
    if (!str_empty(n->last_error))
        ui_draw_field(w, &y, wd, _("Error"), n->last_error, ROLE_STATE_ERROR);
    if (n->created > 0) {
        localtime_r(&n->created, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        ui_draw_field(w, &y, wd, _("Created"), buf, ROLE_DIM);
    }
    if (n->updated > 0) {
        localtime_r(&n->updated, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        ui_draw_field(w, &y, wd, _("Updated"), buf, ROLE_DIM);
    }
}

static void
draw_log(struct ui *ui, struct node_st *s, WINDOW *w, int h, int wd)
{
    size_t n = strv_len(s->lines);
    int rows = h - 1, first;
    char buf[1024], title[128];

    ui_draw_hline(w, 0, wd);
    snprintf(title, sizeof title, " %s%s ", _("Log"), s->follow ? "" : _(" (scrolled; F follows)"));
    wattrset(w, theme_attr(ui->focus == PANE_DETAIL ? ROLE_TAB_ACTIVE : ROLE_TITLE));
    mvwaddstr(w, 0, 2,
              text_fit(buf, sizeof buf, title,
                       text_width(title) < wd - 4 ? text_width(title) : wd - 4, false));
    wattrset(w, theme_attr(ROLE_NORMAL));
    if (n == 0) {
        wattrset(w, theme_attr(ROLE_DIM));
        mvwaddstr(w, 1, 1, text_fit(buf, sizeof buf, _("No log lines yet."), wd - 2, false));
        return;
    }
    if (s->follow)
        s->scroll = 0;
    if (s->scroll > (int)n - rows)
        s->scroll = (int)n - rows > 0 ? (int)n - rows : 0;
    first = (int)n - rows - s->scroll;
    if (first < 0)
        first = 0;
    for (int r = 0; r < rows && (size_t)(first + r) < n; r++)
        mvwaddstr(w, r + 1, 0, text_fit(buf, sizeof buf, s->lines[first + r], wd, false));
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct node_st *s = st;
    const struct dr_node *n = find(s);

    if (pane == PANE_DETAIL) {
        if (s->n_seen != ui->ev_seen)
            collect(s);
        draw_log(ui, s, w, h, wd);
        return;
    }
    if (n == NULL) {
        wattrset(w, theme_attr(ROLE_STATUS_ERROR));
        mvwprintw(w, 1, 1, _("No node '%s'"), s->arg);
        return;
    }
    draw_record(s, n, w, wd);
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct node_st *s = st;
    const struct dr_node *n = find(s);
    int page = ui->panes[PANE_DETAIL].h > 2 ? ui->panes[PANE_DETAIL].h - 1 : 1;

    switch (a) {
    case ACT_RETRY:
        if (n == NULL || n->state != DR_NODE_ERROR) {
            ui_error(ui, _("Node %s has not failed"), s->node);
            return UI_HANDLED;
        }
        return feed_retry_node(ui, s->cluster, s->node);
    case ACT_DELETE:
        return ui_delete_node_hint(ui);
    case ACT_REPLACE:
        ui_confirm(ui, ACT_REPLACE, s->arg, _("Destroy the VM of %s and provision it again?"),
                   s->arg);
        return UI_HANDLED;
    case ACT_CANCEL:
        return feed_cancel_node(ui, s->cluster, s->node);
    case ACT_FOLLOW:
        s->follow = true;
        return UI_HANDLED | UI_REDRAW;
    case ACT_UP:
    case ACT_PAGE_UP:
        s->scroll += a == ACT_UP ? 1 : page;
        s->follow = false;
        return UI_HANDLED | UI_REDRAW;
    case ACT_DOWN:
    case ACT_PAGE_DOWN:
        s->scroll -= a == ACT_DOWN ? 1 : page;
        if (s->scroll <= 0) {
            s->scroll = 0;
            s->follow = true;
        }
        return UI_HANDLED | UI_REDRAW;
    case ACT_TOP:
        s->scroll = (int)strv_len(s->lines);
        s->follow = false;
        return UI_HANDLED | UI_REDRAW;
    case ACT_BOTTOM:
        s->follow = true;
        return UI_HANDLED | UI_REDRAW;
    default:
        return UI_UNHANDLED;
    }
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    struct node_st *s = st;

    if (ev->kind == UI_EV_ENGINE && str_eq(ev->ev->cluster, s->cluster) &&
        str_eq(ev->ev->node, s->node))
        return UI_REDRAW;
    return ev->kind == UI_EV_DATA ? UI_REDRAW : 0;
}

static const char *
crumb(void *st)
{
    return ((struct node_st *)st)->node;
}

const struct screen_ops screen_node = {
    .name = "node",
    .title = N_("Node"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .crumb = crumb,
    .detail_always = true,
};
