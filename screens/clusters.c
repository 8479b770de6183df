#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/feed.h"
#include "ui/ui.h"

struct clusters {
    struct ui *ui;
    struct table t;
};

/* KUBERNETES: the API as health polling last found it, "up 3/3" (Nodes
 * Ready of the Nodes it lists) or "down"; the column is there once some
 * cluster has been polled (cols_health), so health off adds no empty one. */
#define COL_K8S 4
static const struct table_col cols_health[] = {
    {.title = N_("NAME"), .width = 20, .min = 8, .flex = true},
    {.title = N_("DISTRIBUTION"), .width = 22, .min = 6},
    {.title = N_("STATE"), .width = 18, .min = 6},
    {.title = N_("NODES"), .width = 7, .min = 5, .right = true},
    {.title = N_("KUBERNETES"), .width = 10, .min = 6},
    {.title = N_("POOLS"), .width = 24, .min = 5, .flex = true},
    {.title = N_("AGE"), .width = 5, .min = 4, .right = true},
};
static const struct table_col cols[] = {
    {.title = N_("NAME"), .width = 20, .min = 8, .flex = true},
    {.title = N_("DISTRIBUTION"), .width = 22, .min = 6},
    {.title = N_("STATE"), .width = 18, .min = 6},
    {.title = N_("NODES"), .width = 7, .min = 5, .right = true},
    {.title = N_("POOLS"), .width = 24, .min = 5, .flex = true},
    {.title = N_("AGE"), .width = 5, .min = 4, .right = true},
};

/* The column set for what the snapshot holds, then the rows. */
static void
rebuild(struct clusters *c)
{
    bool health = false;
    for (size_t i = 0; i < c->ui->snap->n_clusters && !health; i++)
        health = c->ui->snap->clusters[i].status.health.api != DR_API_UNPOLLED;
    if (health != (c->t.cols == cols_health)) {
        c->t.cols = health ? cols_health : cols;
        c->t.n_cols = health ? DR_ARRAY_LEN(cols_health) : DR_ARRAY_LEN(cols);
        c->t.sort_col = -1;
    }
    table_rebuild(&c->t, c->ui->snap->n_clusters);
}

static time_t
cluster_created(const struct dr_cluster_view *v)
{
    time_t first = 0;

    for (size_t i = 0; i < v->status.n_nodes; i++) {
        if (v->status.nodes[i].created > 0 && (first == 0 || v->status.nodes[i].created < first))
            first = v->status.nodes[i].created;
    }
    return first;
}

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    struct clusters *c = ctx;
    const struct dr_cluster_view *v = &c->ui->snap->clusters[item];

    if (c->t.cols != cols_health && col >= COL_K8S)
        col++; /* no KUBERNETES column */
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", v->spec.name);
        break;
    case 1:
        snprintf(buf, len, "%s %s", distribution_key(v->spec.distribution),
                 v->spec.version ? v->spec.version : "");
        break;
    case 2:
        snprintf(buf, len, "%s", v->deleting ? _("deleting") : cluster_state_label(v->state));
        *role = ui_cluster_role(v->state);
        if (v->stalled) {
            /* No drover runs its work (observing: engine_stalled_text);
             * said first, so a narrow column still shows it. */
            /* L10N: before a cluster's state: no drover carries on its work. */
            snprintf(buf, len, "%s %s", _("Stalled"), cluster_state_label(v->state));
            *role = ROLE_STATE_ERROR;
        }
        break;
    case 3:
        snprintf(buf, len, "%d/%d", v->ready, v->total);
        break;
    case 4:
        if (v->status.health.api == DR_API_UP) {
            snprintf(buf, len, _("up %d/%d"), v->status.health.nodes_ready, v->status.health.nodes_total);
            *role = v->status.health.nodes_ready == v->status.health.nodes_total ? ROLE_STATE_ACTIVE
                                                                                  : ROLE_STATE_ERROR;
        } else if (v->status.health.api == DR_API_DOWN) {
            snprintf(buf, len, "%s", _("down"));
            *role = ROLE_STATE_ERROR;
        } else {
            buf[0] = '\0';
        }
        break;
    case 5: {
        size_t o = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < v->spec.n_pools && o + 1 < len; i++) {
            snprintf(buf + o, len - o, "%s%s:%d", i ? " " : "", v->spec.pools[i].name,
                     v->spec.pools[i].quantity);
            o = strlen(buf);
        }
        break;
    }
    case 6:
        ui_age(cluster_created(v), buf, len);
        break;
    }
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct clusters *c = xcalloc(1, sizeof *c);

    c->ui = ui;
    table_init(&c->t, cols, DR_ARRAY_LEN(cols), cell, NULL, c);
    rebuild(c);
    return c;
}

static void
leave(struct ui *ui, void *st)
{
    struct clusters *c = st;

    table_done(&c->t);
    free(c);
}

static const struct dr_cluster_view *
selected(struct clusters *c)
{
    size_t item;

    if (!table_selected(&c->t, &item) || item >= c->ui->snap->n_clusters)
        return NULL;
    return &c->ui->snap->clusters[item];
}

static void
draw_summary(struct ui *ui, const struct dr_cluster_view *v, WINDOW *w, int wd)
{
    int y = 1;
    char buf[256], roles[64];

    ui_draw_hline(w, 0, wd);
    if (v == NULL)
        return;
    ui_draw_field(w, &y, wd, _("Cluster"), v->spec.name, ROLE_TITLE);
    ui_draw_field(w, &y, wd, _("vCenter"), v->spec.vcenter, ROLE_NORMAL);
    snprintf(buf, sizeof buf, "%s %s", distribution_key(v->spec.distribution),
             v->spec.version ? v->spec.version : "");
    ui_draw_field(w, &y, wd, _("Distribution"), buf, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("State"), cluster_state_label(v->state), ui_cluster_role(v->state));
    for (size_t i = 0; i < v->spec.n_pools; i++) {
        const struct dr_pool *p = &v->spec.pools[i];
        /* L10N: a node pool line: quantity, template, roles. */
        snprintf(buf, sizeof buf, _("%d x %s (%s)"), p->quantity, p->template ? p->template : "",
                 roles_format(p->roles, roles, sizeof roles));
        ui_draw_field(w, &y, wd, p->name, buf, ROLE_NORMAL);
    }
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct clusters *c = st;

    /* An empty list says how to make the first cluster, with the keys that
     * work now (read-only mode opens neither the wizard nor the vCenter
     * form). */
    c->t.empty = ui->read_only
                     ? N_("No clusters. Put cluster specs in the configuration folder's clusters/.\n"
                          "Read-only mode: n (new cluster) and V (add a vCenter) are off.")
                     : N_("No clusters yet.\n"
                          "n makes one with the wizard; V adds a vCenter first if none is set "
                          "up.\n"
                          "Or put cluster specs in the configuration folder's clusters/.");
    if (pane == PANE_MAIN)
        table_draw(&c->t, w, h, wd, ui->focus == PANE_MAIN);
    else
        draw_summary(ui, selected(c), w, wd);
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct clusters *c = st;
    const struct dr_cluster_view *v = selected(c);

    switch (a) {
    case ACT_OPEN:
        if (v)
            ui_push(ui, &screen_cluster, v->spec.name);
        return UI_HANDLED | UI_REDRAW_ALL;
    case ACT_CREATE:
        if (v == NULL) {
            ui_error(ui, _("No cluster spec selected"));
            return UI_HANDLED;
        }
        return feed_apply_cluster(ui, v->spec.name);
    case ACT_NEW:
        ui_push(ui, &screen_wizard, NULL);
        return UI_HANDLED | UI_REDRAW_ALL;
    case ACT_EDIT: {
        char *arg;
        if (v == NULL || !v->spec.name) {
            ui_error(ui, _("No cluster spec selected"));
            return UI_HANDLED;
        }
        arg = xasprintf("=%s", v->spec.name);
        ui_push(ui, &screen_wizard, arg);
        free(arg);
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    case ACT_DELETE:
        if (v == NULL) {
            ui_error(ui, _("No cluster selected"));
            return UI_HANDLED;
        }
        ui_confirm_typed(ui, ACT_DELETE, v->spec.name,
                         _("Delete cluster %s and destroy its %d VMs? Type its name:"),
                         v->spec.name, v->total);
        return UI_HANDLED;
    default:
        return UI_UNHANDLED;
    }
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    struct clusters *c = st;

    (void)ui;
    if (ev->kind != UI_EV_DATA)
        return 0;
    rebuild(c);
    return UI_REDRAW;
}

static struct table *
table(void *st)
{
    return &((struct clusters *)st)->t;
}

const struct screen_ops screen_clusters = {
    .name = "clusters",
    .title = N_("Clusters"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .table = table,
};
