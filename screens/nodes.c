#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/feed.h"
#include "ui/ui.h"

/* All nodes of all clusters; also the node list inside a cluster's screen. */
struct nodes {
    struct ui *ui;
    struct table t;
    struct {
        size_t c, n;
    } * items;
    size_t n_items, cap;
};

static const struct table_col cols[] = {
    {.title = N_("NAME"), .width = 16, .min = 10, .flex = true},
    {.title = N_("CLUSTER"), .width = 12, .min = 6, .flex = true},
    {.title = N_("POOL"), .width = 8, .min = 4},
    {.title = N_("ROLES"), .width = 20, .min = 5},
    {.title = N_("STATE"), .width = 15, .min = 6},
    {.title = N_("STEP"), .width = 15, .min = 4},
    {.title = N_("PROGRESS"), .width = 16, .min = 8},
    {.title = N_("IP"), .width = 15, .min = 7},
    {.title = N_("AGE"), .width = 5, .min = 4, .right = true},
    /* Kubernetes health (health polling): on the right, there once some
     * node has been polled (N_PLAIN_COLS before), and a narrow terminal
     * drops them before drover's own columns. */
    {.title = N_("K8S"), .width = 8, .min = 5},
    {.title = N_("KUBELET"), .width = 14, .min = 7},
    {.title = N_("REASON"), .width = 24, .min = 6, .flex = true},
};

#define N_PLAIN_COLS 9

static const struct dr_node *
node_at(const struct nodes *s, size_t item)
{
    const struct dr_snapshot *snap = s->ui->snap;

    if (item >= s->n_items || s->items[item].c >= snap->n_clusters ||
        s->items[item].n >= snap->clusters[s->items[item].c].status.n_nodes)
        return NULL;
    return &snap->clusters[s->items[item].c].status.nodes[s->items[item].n];
}

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    struct nodes *s = ctx;
    const struct dr_node *n = node_at(s, item);
    char roles[64];

    buf[0] = '\0';
    if (n == NULL)
        return;
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", n->name);
        break;
    case 1:
        snprintf(buf, len, "%s",
                 n->cluster ? n->cluster : s->ui->snap->clusters[s->items[item].c].spec.name);
        break;
    case 2:
        snprintf(buf, len, "%s", n->pool ? n->pool : "");
        break;
    case 3:
        snprintf(buf, len, "%s", roles_format(n->roles, roles, sizeof roles));
        break;
    case 4:
        snprintf(buf, len, "%s", node_state_label(n->state));
        *role = ui_node_role(n->state);
        break;
    case 5:
        snprintf(buf, len, "%s", n->state == DR_NODE_ACTIVE ? "" : node_state_label(n->step));
        *role = n->state == DR_NODE_ERROR ? ROLE_STATE_ERROR : ROLE_DIM;
        break;
    case 6:
        if (node_vm_kept(n)) { /* how far it got, and that its VM is still there */
            snprintf(buf, len, "%3d%% %s", n->percent, _("VM kept"));
        } else if (s->ui->snap->clusters[s->items[item].c].stalled &&
                   engine_node_in_progress(n->state)) {
            /* No drover runs its work: it stands still (engine_stalled_text). */
            snprintf(buf, len, "%3d%% %s", n->percent, _("stalled"));
            *role = ROLE_STATE_ERROR;
            break;
        } else
            table_progress(buf, len, n->percent, 16);
        *role = n->state == DR_NODE_ERROR ? ROLE_STATE_ERROR : ROLE_PROGRESS;
        break;
    case 7:
        snprintf(buf, len, "%s", n->ip ? n->ip : "");
        break;
    case 8:
        ui_age(n->created, buf, len);
        break;
    case 9:
        snprintf(buf, len, "%s", k8s_ready_label(n->k8s_ready));
        *role = n->k8s_ready == DR_K8S_READY ? ROLE_STATE_ACTIVE : ROLE_STATE_ERROR;
        break;
    case 10:
        snprintf(buf, len, "%s", n->kubelet_version ? n->kubelet_version : "");
        break;
    case 11:
        snprintf(buf, len, "%s", n->k8s_ready != DR_K8S_READY && n->k8s_reason ? n->k8s_reason : "");
        *role = ROLE_STATE_ERROR;
        break;
    }
}

static void
key(void *ctx, size_t item, char *buf, size_t len)
{
    struct nodes *s = ctx;
    const struct dr_node *n = node_at(s, item);

    snprintf(buf, len, "%s/%s", s->ui->snap->clusters[s->items[item].c].spec.name,
             n ? n->name : "");
}

/* only: NULL for every cluster, else that cluster's nodes. */
static void
collect(struct nodes *s, const char *only)
{
    const struct dr_snapshot *snap = s->ui->snap;

    s->n_items = 0;
    for (size_t c = 0; c < snap->n_clusters; c++) {
        if (only && strcmp(snap->clusters[c].spec.name, only) != 0)
            continue;
        for (size_t n = 0; n < snap->clusters[c].status.n_nodes; n++) {
            s->items = xgrow(s->items, &s->cap, s->n_items + 1, sizeof *s->items);
            s->items[s->n_items].c = c;
            s->items[s->n_items].n = n;
            s->n_items++;
        }
    }
    bool health = false;
    for (size_t i = 0; i < s->n_items && !health; i++)
        health = node_at(s, i)->k8s_ready != DR_K8S_UNPOLLED;
    s->t.n_cols = health ? DR_ARRAY_LEN(cols) : N_PLAIN_COLS;
    if (s->t.sort_col >= (int)s->t.n_cols)
        s->t.sort_col = -1;
    table_rebuild(&s->t, s->n_items);
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct nodes *s = xcalloc(1, sizeof *s);

    s->ui = ui;
    table_init(&s->t, cols, DR_ARRAY_LEN(cols), cell, key, s);
    s->t.empty = N_("No nodes yet.");
    collect(s, NULL);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct nodes *s = st;

    table_done(&s->t);
    free(s->items);
    free(s);
}

static bool
selected(struct nodes *s, const char **cluster, const struct dr_node **node)
{
    size_t item;

    if (!table_selected(&s->t, &item) || (*node = node_at(s, item)) == NULL)
        return false;
    *cluster = s->ui->snap->clusters[s->items[item].c].spec.name;
    return true;
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct nodes *s = st;
    const char *cluster;
    const struct dr_node *n;
    int y = 1;
    char buf[128];

    if (pane == PANE_MAIN) {
        table_draw(&s->t, w, h, wd, ui->focus == PANE_MAIN);
        return;
    }
    ui_draw_hline(w, 0, wd);
    if (!selected(s, &cluster, &n))
        return;
    ui_draw_field(w, &y, wd, _("Node"), n->name, ROLE_TITLE);
    ui_draw_field(w, &y, wd, _("Cluster"), cluster, ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("State"), node_state_label(n->state), ui_node_role(n->state));
    ui_draw_field(w, &y, wd, _("VM"), ui_node_vm_text(ui, "nodes", n, buf, sizeof buf),
                  node_vm_kept(n) ? ROLE_STATE_ERROR : ROLE_NORMAL);
    ui_draw_field(w, &y, wd, _("IP"), n->ip, ROLE_NORMAL);
    snprintf(buf, sizeof buf, "%d", n->attempts);
    ui_draw_field(w, &y, wd, _("Attempts"), buf, ROLE_NORMAL);
    if (!str_empty(n->last_error))
        ui_draw_field(w, &y, wd, _("Error"), n->last_error, ROLE_STATE_ERROR);
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct nodes *s = st;
    const char *cluster;
    const struct dr_node *n;
    char arg[512];

    if (a != ACT_OPEN && a != ACT_RETRY && a != ACT_DELETE && a != ACT_REPLACE && a != ACT_CANCEL)
        return UI_UNHANDLED;
    if (!selected(s, &cluster, &n)) {
        ui_error(ui, _("No node selected"));
        return UI_HANDLED;
    }
    switch (a) {
    case ACT_OPEN:
        snprintf(arg, sizeof arg, "%s/%s", cluster, n->name);
        ui_push(ui, &screen_node, arg);
        return UI_HANDLED | UI_REDRAW_ALL;
    case ACT_RETRY:
        if (n->state != DR_NODE_ERROR) {
            ui_error(ui, _("Node %s has not failed"), n->name);
            return UI_HANDLED;
        }
        return feed_retry_node(ui, cluster, n->name);
    case ACT_REPLACE:
        snprintf(arg, sizeof arg, "%s/%s", cluster, n->name);
        /* L10N: %s is cluster/node. Answered with y or n. */
        ui_confirm(ui, ACT_REPLACE, arg, _("Destroy the VM of %s and provision it again?"), arg);
        return UI_HANDLED;
    case ACT_CANCEL:
        return feed_cancel_node(ui, cluster, n->name);
    default:
        return ui_delete_node_hint(ui);
    }
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    if (ev->kind != UI_EV_DATA)
        return 0;
    collect(st, NULL);
    return UI_REDRAW;
}

static struct table *
table(void *st)
{
    return &((struct nodes *)st)->t;
}

const struct screen_ops screen_nodes = {
    .name = "nodes",
    .title = N_("Nodes"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .table = table,
};
