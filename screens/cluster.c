#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/feed.h"
#include "ui/pfview.h"
#include "ui/ui.h"

/* One cluster: its pools (template, quantity, roles) above its nodes. */
struct cluster {
    struct ui *ui;
    char *name;
    struct table t;
    struct pfview pf;          /* the preflight (P) and its findings */
};

static const struct table_col cols[] = {
    {.title = N_("NODE"), .width = 16, .min = 10, .flex = true},
    {.title = N_("POOL"), .width = 10, .min = 4},
    {.title = N_("ROLES"), .width = 20, .min = 5},
    {.title = N_("STATE"), .width = 15, .min = 6},
    {.title = N_("PROGRESS"), .width = 16, .min = 8},
    {.title = N_("IP"), .width = 15, .min = 7},
    {.title = N_("AGE"), .width = 5, .min = 4, .right = true},
};

static const struct dr_cluster_view *
view(const struct cluster *c)
{
    return ui_find_cluster(c->ui, c->name);
}

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    struct cluster *c = ctx;
    const struct dr_cluster_view *v = view(c);
    const struct dr_node *n;
    char roles[64];

    buf[0] = '\0';
    if (v == NULL || item >= v->status.n_nodes)
        return;
    n = &v->status.nodes[item];
    switch (col) {
    case 0:
        snprintf(buf, len, "%s", n->name);
        break;
    case 1:
        snprintf(buf, len, "%s", n->pool ? n->pool : "");
        break;
    case 2:
        snprintf(buf, len, "%s", roles_format(n->roles, roles, sizeof roles));
        break;
    case 3:
        snprintf(buf, len, "%s", node_state_label(n->state));
        *role = ui_node_role(n->state);
        break;
    case 4:
        if (v->stalled && engine_node_in_progress(n->state)) {
            snprintf(buf, len, "%3d%% %s", n->percent, _("stalled"));
            *role = ROLE_STATE_ERROR;
            break;
        }
        table_progress(buf, len, n->percent, 16);
        *role = n->state == DR_NODE_ERROR ? ROLE_STATE_ERROR : ROLE_PROGRESS;
        break;
    case 5:
        snprintf(buf, len, "%s", n->ip ? n->ip : "");
        break;
    case 6:
        ui_age(n->created, buf, len);
        break;
    }
}

static void
rebuild(struct cluster *c)
{
    const struct dr_cluster_view *v = view(c);

    table_rebuild(&c->t, v ? v->status.n_nodes : 0);
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct cluster *c = xcalloc(1, sizeof *c);

    c->ui = ui;
    c->name = xstrdup(arg ? arg : "");
    table_init(&c->t, cols, DR_ARRAY_LEN(cols), cell, NULL, c);
    c->t.empty = N_("This cluster has no nodes yet.");
    rebuild(c);
    if (view(c) == NULL)
        ui_error(ui, _("No cluster '%s'"), c->name);
    return c;
}

static void
leave(struct ui *ui, void *st)
{
    struct cluster *c = st;

    table_done(&c->t);
    pfview_done(ui, &c->pf);
    free(c->name);
    free(c);
}

/* The cloud provider and its StorageClass (issue 14), one line each. */
static int
draw_cloud(const struct dr_cluster *c, WINDOW *w, int y, int wd)
{
    const struct dr_cloud_vsphere *cv = &c->vsphere;
    char buf[512], dcs[160] = "";
    size_t n = 0;

    if (c->cloud_provider != DR_CLOUD_VSPHERE) {
        ui_draw_field(w, &y, wd, _("Cloud provider"), _("none"), ROLE_NORMAL);
        return y;
    }
    for (size_t i = 0; cv->datacenters && cv->datacenters[i] && n + 2 < sizeof dcs; i++)
        n += (size_t)snprintf(dcs + n, sizeof dcs - n, "%s%s", i ? "," : "", cv->datacenters[i]);
    snprintf(buf, sizeof buf, _("vsphere (CPI + CSI)   vCenter %s   datacenters %s"),
             !str_empty(cv->vcenter) ? cv->vcenter
                                     : (!str_empty(c->vcenter) ? c->vcenter : _("the templates'")),
             n ? dcs : _("the templates'"));
    ui_draw_field(w, &y, wd, _("Cloud provider"), buf, ROLE_NORMAL);
    if (!cv->storage_class) {
        ui_draw_field(w, &y, wd, _("StorageClass"), _("none"), ROLE_NORMAL);
        return y;
    }
    snprintf(buf, sizeof buf, _("%s%s   %s%s%s   reclaim %s"), cloud_vsphere_sc_name(cv),
             cv->sc_default ? _(" (default)") : "",
             !str_empty(cv->sc_datastore_url) ? cv->sc_datastore_url : "",
             !str_empty(cv->sc_datastore_url) && !str_empty(cv->sc_policy) ? "  " : "",
             !str_empty(cv->sc_policy) ? cv->sc_policy : "",
             !str_empty(cv->sc_reclaim) ? cv->sc_reclaim : "Delete");
    ui_draw_field(w, &y, wd, _("StorageClass"), buf, ROLE_NORMAL);
    return y;
}

static int
draw_pools(const struct dr_cluster_view *v, time_t stopped, WINDOW *w, int wd, int max)
{
    int y = 0;
    char buf[256], roles[64], title[128];

    snprintf(buf, sizeof buf, "%s %s   %s %s   %s %d/%d", distribution_key(v->spec.distribution),
             v->spec.version ? v->spec.version : "", cluster_state_label(v->state),
             v->spec.vcenter ? v->spec.vcenter : "", _("ready"), v->ready, v->total);
    ui_draw_field(w, &y, wd, v->spec.name, buf, ui_cluster_role(v->state));
    if (v->stalled) {
        char *why = engine_stalled_text(stopped);
        ui_draw_field(w, &y, wd, _("Notice"), why, ROLE_STATE_ERROR);
        free(why);
    }
    y = draw_cloud(&v->spec, w, y, wd);
    for (size_t i = 0; i < v->spec.n_pools && y < max; i++) {
        const struct dr_pool *p = &v->spec.pools[i];
        snprintf(title, sizeof title, "  %s", p->name);
        snprintf(buf, sizeof buf, _("%d x %s (%s)"), p->quantity, p->template ? p->template : "",
                 roles_format(p->roles, roles, sizeof roles));
        ui_draw_field(w, &y, wd, title, buf, ROLE_NORMAL);
    }
    return y;
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct cluster *c = st;
    const struct dr_cluster_view *v = view(c);
    int top;

    if (v == NULL) {
        wattrset(w, theme_attr(ROLE_STATUS_ERROR));
        mvwprintw(w, 1, 1, _("No cluster '%s'"), c->name);
        return;
    }
    if (pane != PANE_MAIN) {
        size_t item;
        int y = 1;
        ui_draw_hline(w, 0, wd);
        if (table_selected(&c->t, &item) && item < v->status.n_nodes) {
            const struct dr_node *n = &v->status.nodes[item];
            ui_draw_field(w, &y, wd, _("Node"), n->name, ROLE_TITLE);
            ui_draw_field(w, &y, wd, _("VM"), n->vm_id, ROLE_NORMAL);
            ui_draw_field(w, &y, wd, _("Host key"), n->host_key_fp, ROLE_NORMAL);
            if (!str_empty(n->last_error))
                ui_draw_field(w, &y, wd, _("Error"), n->last_error, ROLE_STATE_ERROR);
        }
        return;
    }
    /* Pools on top get at most half the pane; the nodes take the rest. */
    top = draw_pools(v, ui->snap ? ui->snap->owner_stopped : 0, w, wd, h / 2);
    top = pfview_draw(ui, &c->pf, w, top, wd, top + (h - top) * 2 / 3);
    if (h - top < 2)
        return;
    WINDOW *sub = derwin(w, h - top, wd, top, 0);
    if (sub) {
        table_draw(&c->t, sub, h - top, wd, ui->focus == PANE_MAIN);
        delwin(sub);
    }
}

static int
action(struct ui *ui, void *st, enum ui_action a)
{
    struct cluster *c = st;
    const struct dr_cluster_view *v = view(c);
    size_t item;
    char arg[512];

    if (v == NULL)
        return UI_UNHANDLED;
    switch (a) {
    case ACT_OPEN:
        if (table_selected(&c->t, &item) && item < v->status.n_nodes) {
            snprintf(arg, sizeof arg, "%s/%s", c->name, v->status.nodes[item].name);
            ui_push(ui, &screen_node, arg);
        }
        return UI_HANDLED | UI_REDRAW_ALL;
    case ACT_DELETE:
        ui_confirm_typed(ui, ACT_DELETE, c->name,
                         _("Delete cluster %s and destroy its %d VMs? Type its name:"), c->name,
                         v->total);
        return UI_HANDLED;
    case ACT_CREATE:
        return feed_apply_cluster(ui, c->name);
    case ACT_PREFLIGHT:
        if (ui->engine == NULL) {
            ui_error(ui, "%s", ui->engine_error ? ui->engine_error : _("the engine is not running"));
            return UI_HANDLED;
        }
        pfview_start(ui, &c->pf, c->name, NULL, NULL);
        ui_status(ui, _("Preflight of %s: checking against vCenter"), c->name);
        return UI_HANDLED | UI_REDRAW_ALL;
    case ACT_SCALE: {
        const char *pool = NULL;
        if (table_selected(&c->t, &item) && item < v->status.n_nodes)
            pool = v->status.nodes[item].pool;
        if (pool == NULL && v->spec.n_pools > 0)
            pool = v->spec.pools[0].name;
        if (pool == NULL) {
            ui_error(ui, _("This cluster has no node pools"));
            return UI_HANDLED;
        }
        snprintf(arg, sizeof arg, "%s/%s", c->name, pool);
        ui_prompt_start(ui, PROMPT_NUMBER, arg);
        /* L10N: %s is a node pool's name. */
        return UI_HANDLED;
    }
    default:
        return UI_UNHANDLED;
    }
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    struct cluster *c = st;

    if (pfview_event(ui, &c->pf, ev)) {
        ui_status(ui, "%s", ev->ev->text);
        return UI_REDRAW_ALL;
    }
    if (ev->kind != UI_EV_DATA)
        return 0;
    rebuild(st);
    return UI_REDRAW;
}

static struct table *
table(void *st)
{
    return &((struct cluster *)st)->t;
}

static const char *
crumb(void *st)
{
    return ((struct cluster *)st)->name;
}

const struct screen_ops screen_cluster = {
    .name = "cluster",
    .title = N_("Cluster"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .action = action,
    .event = event,
    .crumb = crumb,
    .table = table,
};
