/* The cluster wizard: n on the Clusters screen. Steps with a breadcrumb:
 * cluster (name, vCenter, distribution, version, recipe, airgap bundle; the
 * cloud provider and, with vsphere, its vCenter entry, datacenters and
 * StorageClass: wizard_rows.c),
 * pools (add, edit, remove; each pool a form with its roles as checkboxes
 * and a live preview of its first node names), review (the spec exactly as
 * it will be saved, the problems the engine finds without vCenter, and
 * preflight's findings: the spec as it is, not yet saved, checked against
 * vCenter on an engine request thread, a spinner meanwhile, Esc stops it,
 * p checks again). In the review s saves only, c saves and creates
 * (engine_apply_cluster), at once or, pressed while preflight runs, when it
 * answers; c refuses while preflight reports an error, as
 * `drover apply` does (the engine's pre-clone gate would stop there too,
 * after the save): s still saves, to fix vCenter and create later.
 * Esc steps back; what was typed stays until it is saved, also when the
 * wizard is left and opened again.
 *
 * The version row offers the distribution's known versions
 * (data/versions.cfg, core/versions.h) with Ctrl-N/Ctrl-P; any other is
 * typed and checked as validate checks it. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "core/versions.h"
#include "ui/diffview.h"
#include "ui/form.h"
#include "ui/keymap.h"
#include "ui/pfview.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "screens/wizard.h"

enum wstep { W_CLUSTER, W_POOLS, W_POOL, W_REVIEW };

static struct wdraft kept;
static bool kept_valid;


struct wizard {
    struct ui *ui;
    enum wstep step;
    struct form *cform, *pform;
    struct form_row *crows, *prows;
    char **vcenters, **templates;
    size_t sel;   /* the pools list's selection */
    int scroll;   /* the review's first line */
    bool edit;    /* editing a saved cluster */
    struct pfview pf; /* the review's preflight */
    bool create_after; /* c while it runs: create once it finds no error */
    struct dr_versions versions; /* the known versions offered */
    char *versions_error; /* why there are none */
    char *version_help;   /* the version row's help, for the distribution */
    char *pf_text;        /* the spec the review's preflight checked, as saved */
    int adding;           /* 'v': a vCenter, 't': a template being made from here */
    char **before;        /* the names there were before */
    char *comments;       /* editing: the file's comment lines a save drops */
};

static void version_row(struct wizard *w);

static void
draft_done(void)
{
    free(kept.key);
    free(kept.saved);
    free(kept.name);
    free(kept.vcenter);
    free(kept.distribution);
    free(kept.version);
    free(kept.recipe);
    free(kept.airgap);
    wizard_cloud_done(&kept);
    for (size_t i = 0; i < kept.n_pools; i++)
        wpool_done(&kept.pools[i]);
    wpool_done(&kept.pool);
    memset(&kept, 0, sizeof kept);
    kept_valid = false;
}


/* The draft for editing a saved cluster. */
static void
draft_from(const struct dr_cluster *c)
{
    kept.name = xstrdup0(c->name);
    kept.vcenter = xstrdup0(c->vcenter);
    kept.distribution = xstrdup(c->distribution == DR_DIST_RKE2 ? "rke2" : "k3s");
    kept.version = xstrdup0(c->version);
    kept.recipe = xstrdup0(c->recipe);
    kept.airgap = xstrdup0(c->airgap_bundle);
    kept.keep_failed_vms = c->keep_failed_vms;
    wizard_cloud_from(&kept, c);
    for (size_t i = 0; i < c->n_pools && i < MAX_POOLS; i++)
        from_pool(&kept.pools[kept.n_pools++], &c->pools[i]);
    kept.saved = store_cluster_text(c);
}


static const struct form_ops pool_ops;

static void
open_pool(struct wizard *w, int index)
{
    wpool_done(&kept.pool);
    if (index >= 0) {
        wpool_copy(&kept.pool, &kept.pools[index]);
    } else {
        struct dr_pool d;

        pool_defaults(&d);
        from_pool(&kept.pool, &d);
        kept.pool.worker = true;
        kept.pool.template = xstrdup0(w->templates ? w->templates[0] : NULL);
    }
    kept.editing = index;
    form_free(&w->pform);
    w->pform = form_new(w->ui, w->prows, wizard_n_pool_rows, &kept, &pool_ops, w);
    w->step = W_POOL;
}

/* The pool form's draft into the list: over the pool it was opened from,
 * or added (then later Esc/Done edit that entry rather than add again). */
static void
keep_pool(struct wizard *w)
{
    /* A new pool left with nothing typed ('a' then Esc) is not added. */
    if (kept.editing < 0 && wizard_pool_untouched(&kept.pool))
        return;
    if (kept.editing >= 0) {
        wpool_done(&kept.pools[kept.editing]);
        wpool_copy(&kept.pools[kept.editing], &kept.pool);
        w->sel = (size_t)kept.editing;
    } else if (kept.n_pools < MAX_POOLS) {
        wpool_copy(&kept.pools[kept.n_pools], &kept.pool);
        w->sel = kept.n_pools++;
        kept.editing = (int)w->sel;
    }
}

static int activate(struct ui *ui, struct form *f, const struct form_row *r, void *ctx);

static const struct form_ops cluster_ops = { .check = wizard_check_cluster, .activate = activate,
                                              .shown = wizard_row_shown };
static const struct form_ops pool_ops = { .check = wizard_check_pool, .activate = activate };

static int
activate(struct ui *ui, struct form *f, const struct form_row *r, void *ctx)
{
    struct wizard *w = ctx;

    (void)ui;
    if (str_eq(r->key, "next")) {
        if (!form_validate(f))
            return UI_REDRAW;
        form_hide(f);
        w->step = W_POOLS;
        return UI_REDRAW_ALL;
    }
    if (str_eq(r->key, "done")) {
        if (!form_validate(f))
            return UI_REDRAW;
        form_hide(f);
        keep_pool(w);
        w->step = W_POOLS;
        return UI_REDRAW_ALL;
    }
    return 0;
}

static void *
enter(struct ui *ui, const char *arg)
{
    struct wizard *w = xcalloc(1, sizeof *w);

    const struct dr_cluster_view *v = NULL;
    const struct dr_cluster *src = NULL;

    w->ui = ui;
    if (arg == NULL)
        arg = "";
    if (arg[0] == '=') {
        v = ui_find_cluster(ui, arg + 1);
        src = v ? &v->spec : store_find_cluster(ui->store, arg + 1);
    }
    w->edit = src != NULL;
    if (kept_valid && !str_eq(kept.key, w->edit ? arg : ""))
        draft_done();
    if (!kept_valid) {
        memset(&kept, 0, sizeof kept);
        kept.key = xstrdup(w->edit ? arg : "");
        if (src) {
            draft_from(src);
        } else {
            struct dr_cluster none = { 0 };

            wizard_cloud_from(&kept, &none); /* "none", with the class's defaults */
            kept.distribution = xstrdup("k3s");
            if (ui->store->n_vcenters > 0)
                kept.vcenter = xstrdup(ui->store->settings.default_vcenter
                                           ? ui->store->settings.default_vcenter
                                           : ui->store->vcenters[0].name);
        }
        kept.editing = -1;
        kept_valid = true;
    }
    w->vcenters = wizard_vcenter_names(ui->store);
    for (size_t i = 0; i < ui->store->n_templates; i++)
        strv_push(&w->templates, ui->store->templates[i].name);
    if (w->templates == NULL)
        strv_push(&w->templates, "");
    w->crows = xmalloc(wizard_n_cluster_rows * sizeof *wizard_cluster_rows);
    memcpy(w->crows, wizard_cluster_rows, wizard_n_cluster_rows * sizeof *wizard_cluster_rows);
    for (size_t i = 0; i < wizard_n_cluster_rows; i++)
        if (str_eq(wizard_cluster_rows[i].key, "vcenter"))
            w->crows[i].choices = (const char *const *)w->vcenters;
    {
        char *path = versions_default_path();
        struct dr_error e = { 0 };
        if (versions_load(path, &w->versions, &e) != DR_E_OK) {
            w->versions_error = xstrdup(dr_error_text(&e));
            log_warn("%s", w->versions_error);
        }
        free(path);
        version_row(w);
    }
    w->prows = xmalloc(wizard_n_pool_rows * sizeof *wizard_pool_rows);
    memcpy(w->prows, wizard_pool_rows, wizard_n_pool_rows * sizeof *wizard_pool_rows);
    for (size_t i = 0; i < wizard_n_pool_rows; i++)
        if (str_eq(wizard_pool_rows[i].key, "template"))
            w->prows[i].choices = (const char *const *)w->templates;
    w->cform = form_new(ui, w->crows, wizard_n_cluster_rows, &kept, &cluster_ops, w);
    w->step = W_CLUSTER;
    if (w->edit)
        /* The name is the file's: an edit keeps it. */
        form_focus(w->cform, "vcenter");
    return w;
}

/* The version row's suggestions and help follow the distribution. */
static void
version_row(struct wizard *w)
{
    enum dr_distribution d = DR_DIST_K3S;
    char **v;
    size_t i;

    for (i = 0; i < wizard_n_cluster_rows; i++)
        if (str_eq(wizard_cluster_rows[i].key, "version"))
            break;
    if (i == wizard_n_cluster_rows)
        return;
    distribution_from_key(kept.distribution, &d);
    v = w->versions.of[d];
    free(w->version_help);
    w->version_help = wizard_version_help(d, v, w->versions_error);
    w->crows[i].choices = (const char *const *)v;
    w->crows[i].help = w->version_help;
}

static void
leave(struct ui *ui, void *st)
{
    struct wizard *w = st;

    versions_done(&w->versions);
    free(w->versions_error);
    free(w->pf_text);
    free(w->comments);
    strv_free(&w->before);
    free(w->version_help);
    pfview_done(ui, &w->pf);
    form_free(&w->cform);
    form_free(&w->pform);
    strv_free(&w->vcenters);
    strv_free(&w->templates);
    free(w->crows);
    free(w->prows);
    free(w);
}

/* + on the vCenter or template row: onboarding or the template editor on
 * top; back here, the new one is picked (add_done). */
static int
add_start(struct wizard *w, struct form *f, int what)
{
    struct ui *ui = w->ui;

    if (what == 'v' && (ui->engine == NULL || ui->snap == NULL || ui->snap->observer)) {
        ui_error(ui, "%s", _("vCenters are added where the engine runs"));
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    form_commit(f);
    form_hide(f);
    strv_free(&w->before);
    w->before = what == 'v' ? wizard_vcenter_names(ui->store) : wizard_template_names(ui->store);
    w->adding = what;
    if (what == 'v')
        ui_push(ui, &screen_vcenter_add, NULL);
    else {
        /* A new template, on the cluster's vCenter. */
        char *arg = xasprintf("@%s", kept.vcenter ? kept.vcenter : "");
        ui_push(ui, &screen_template_edit, arg);
        free(arg);
    }
    return UI_HANDLED | UI_REDRAW_ALL;
}

/* Back on top after add_start: the lists again, and the one made (a name
 * that was not there before) picked; none when it was cancelled. */
static void
add_done(struct wizard *w)
{
    struct ui *ui = w->ui;
    char **now = w->adding == 'v' ? wizard_vcenter_names(ui->store) : wizard_template_names(ui->store);
    const char *made = NULL;
    bool seen;

    for (size_t i = 0; now[i] && made == NULL; i++) {
        seen = false;
        for (size_t k = 0; w->before && w->before[k]; k++)
            seen |= str_eq(now[i], w->before[k]);
        if (!seen && *now[i])
            made = now[i];
    }
    if (w->adding == 'v') {
        strv_free(&w->vcenters);
        w->vcenters = now;
        for (size_t i = 0; i < wizard_n_cluster_rows; i++)
            if (str_eq(wizard_cluster_rows[i].key, "vcenter"))
                w->crows[i].choices = (const char *const *)w->vcenters;
        if (made) {
            free(kept.vcenter);
            kept.vcenter = xstrdup(made);
            /* L10N: %s is the vCenter just added from the wizard. */
            ui_status(ui, _("vCenter %s added and picked for this cluster"), made);
        }
    } else {
        strv_free(&w->templates);
        w->templates = now;
        for (size_t i = 0; i < wizard_n_pool_rows; i++)
            if (str_eq(wizard_pool_rows[i].key, "template"))
                w->prows[i].choices = (const char *const *)w->templates;
        if (made) {
            free(kept.pool.template);
            kept.pool.template = xstrdup(made);
            /* L10N: %s is the template just made from the wizard. */
            ui_status(ui, _("Template %s made and picked for this pool"), made);
        }
    }
    strv_free(&w->before);
    w->adding = 0;
}

static void
roles_text(const struct wpool *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s", p->etcd ? "etcd" : "",
             p->etcd && (p->control_plane || p->worker) ? "," : "",
             p->control_plane ? "control-plane" : "", p->control_plane && p->worker ? "," : "",
             p->worker ? "worker" : "");
}

/* "agent-01, agent-02, agent-03" for the pool (the engine's names). */
static void
first_names(const struct wpool *w, char *buf, size_t len)
{
    struct dr_pool p;
    size_t o = 0;

    buf[0] = '\0';
    if (str_empty(w->name) && str_empty(w->prefix))
        return;
    to_pool(w, &p);
    for (int i = 1; i <= 3 && (i <= w->quantity || i == 1); i++) {
        char *n = engine_node_name(&p, i);
        snprintf(buf + o, len - o, "%s%s", i > 1 ? ", " : "", n);
        o = strlen(buf);
        free(n);
    }
    if (w->quantity > 3)
        snprintf(buf + o, len - o, ", ...");
    free(p.name);
    free(p.template);
    free(p.hostname_prefix);
}

static void
draw_pools(struct wizard *w, WINDOW *win, int h, int wd)
{
    char buf[512], roles[64], names[256];
    int y = 2;

    ui_draw_text(
        win, y++, 1, wd - 2,
        _("a adds a pool, Enter edits the selected one, x removes it, r reviews, Esc goes back"),
        ROLE_DIM);
    y++;
    if (kept.n_pools == 0)
        ui_draw_text(win, y++, 1, wd - 2, _("No pools yet: a adds one."), ROLE_DIM);
    for (size_t i = 0; i < kept.n_pools && y < h - 1; i++) {
        const struct wpool *p = &kept.pools[i];
        bool bad = wizard_pool_incomplete(&kept, p);

        roles_text(p, roles, sizeof roles);
        first_names(p, names, sizeof names);
        /* L10N: a pool in the wizard's list whose form has a field still
         * wrong (Esc kept it as typed), instead of its first names. */
        snprintf(buf, sizeof buf, "%-12s %-14s %3d  %-26s %s", p->name ? p->name : "",
                 p->template ? p->template : "", p->quantity, roles,
                 bad ? _("(incomplete)") : names);
        ui_draw_text(win, y++, 1, wd - 2, buf,
                     i == w->sel ? ROLE_SELECTION : bad ? ROLE_STATUS_ERROR : ROLE_NORMAL);
    }
}

static void
draw_review(struct wizard *w, WINDOW *win, int h, int wd)
{
    struct dr_cluster c;
    char *text, **problems = NULL, **warnings = NULL;
    struct dr_check_config cfg = {
        .templates = w->ui->store->templates, .n_templates = w->ui->store->n_templates,
        .vcenters = w->ui->store->vcenters, .n_vcenters = w->ui->store->n_vcenters,
        .config_dir = w->ui->store->config_dir,
    };
    int y = 2, line = 0;

    wizard_build(&kept, false, &c);
    text = store_cluster_text(&c);
    engine_check_spec(&cfg, &c, &problems, &warnings);
    ui_draw_text(win, y++, 1, wd - 2,
                 _("c saves and creates, s saves only, p checks again, Up/Down scroll, Esc back"),
                 ROLE_PROMPT);
    if (problems || warnings) {
        /* Each problem whole, wrapped (a cut one hid its fix), in at most
         * half of the pane; errors first. */
        y = wizard_draw_problems(win, y, y + (h - y) / 2 > y + 1 ? y + (h - y) / 2 : y + 1, wd,
                                 problems, warnings);
    } else
        ui_draw_text(win, y++, 1, wd - 2, _("No problems found without vCenter."),
                     ROLE_STATE_ACTIVE);
    /* Errors and warnings above the spec (at most half the pane); a clean
     * check only its totals, so the spec keeps its room. */
    if (w->edit && w->comments && !str_eq(text, kept.saved)) {
        /* Saving replaces the file with drover's text of it: say so first. */
        char *msg = xasprintf(_("clusters/%s.cfg has comments (line %s) that saving does not "
                                "keep:\nthe file as it is now is kept as clusters/%s.cfg.bak"),
                              kept.key + 1, w->comments, kept.key + 1);

        for (char *p = msg, *nl; p && y < h - 1; p = nl ? nl + 1 : NULL) {
            nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            ui_draw_text(win, y++, 1, wd - 2, p, ROLE_STATE_PROVISIONING);
        }
        free(msg);
    }
    /* Findings wrapped whole: two thirds of what is left, the spec below. */
    y = pfview_draw(w->ui, &w->pf, win, y, wd,
                    w->pf.pf && (w->pf.pf->errors || w->pf.pf->warnings) ? y + (h - y) * 2 / 3
                                                                         : y + 1);
    if (w->edit) {
        ui_draw_diff(win, y, h, wd, kept.saved, text, w->scroll);
        free(text);
        strv_free(&problems);
        strv_free(&warnings);
        cluster_done(&c);
        return;
    }
    /* The file as it will be saved, line by line. */
    for (char *p = text, *nl; p && *p && y < h - 1; p = nl ? nl + 1 : NULL, line++) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (line >= w->scroll)
            ui_draw_text(win, y++, 2, wd - 3, p, ROLE_NORMAL);
    }
    free(text);
    strv_free(&problems);
    strv_free(&warnings);
    cluster_done(&c);
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *win, int h, int wd)
{
    struct wizard *w = st;
    char buf[512], names[256];

    (void)ui;
    if (pane != PANE_MAIN)
        return;
    if (w->adding)
        add_done(w);
    /* L10N: the wizard's breadcrumb; the current step is in brackets. */
    snprintf(buf, sizeof buf, w->edit ? _("Edit cluster: %s > %s > %s") : _("New cluster: %s > %s > %s"),
             w->step == W_CLUSTER ? _("[cluster]") : _("cluster"),
             w->step == W_POOLS || w->step == W_POOL ? _("[pools]") : _("pools"),
             w->step == W_REVIEW ? _("[review]") : _("review"));
    ui_draw_text(win, 0, 1, wd - 2, buf, ROLE_TITLE);
    switch (w->step) {
    case W_CLUSTER:
        form_draw(w->cform, win, 2, h, wd);
        break;
    case W_POOLS:
        draw_pools(w, win, h, wd);
        break;
    case W_POOL:
        form_peek(w->pform);
        first_names(&kept.pool, names, sizeof names);
        /* L10N: the live preview of a pool's first node names. */
        snprintf(buf, sizeof buf, _("First names: %s"), names);
        ui_draw_text(win, 1, 1, wd - 2, buf, ROLE_DIM);
        form_draw(w->pform, win, 2, h, wd);
        break;
    case W_REVIEW:
        draw_review(w, win, h, wd);
        break;
    }
}

static int
finish(struct wizard *w, bool create)
{
    struct ui *ui = w->ui;
    struct dr_cluster c;
    struct dr_error e = { 0 };
    enum dr_err rc;
    char *name;
    bool edit;

    wizard_build(&kept, false, &c);
    if (w->edit) {
        char *text = store_cluster_text(&c);
        bool same = str_eq(text, kept.saved);
        char *backup = NULL, *rel;

        free(text);
        if (!str_eq(c.name, kept.key + 1)) {
            ui_error(ui, "%s", _("A cluster's name is its file's name: make a new cluster instead"));
            cluster_done(&c);
            return UI_REDRAW_ALL;
        }
        if (same) {
            cluster_done(&c);
            draft_done();
            ui_pop(ui);
            ui_status(ui, "%s", _("Nothing changed; nothing was written or started"));
            return UI_REDRAW_ALL;
        }
        /* A hand-written spec keeps its comments beside the new one. */
        rel = xasprintf("clusters/%s.cfg", c.name);
        if (store_backup_hand_written(ui->store, rel, kept.saved, &backup, &e) != DR_E_OK) {
            ui_error(ui, "%s", dr_error_text(&e));
            free(rel);
            cluster_done(&c);
            return UI_REDRAW_ALL;
        }
        if (backup)
            log_info("%s: the previous file is kept as %s", rel, backup);
        free(rel);
        free(backup);
    }
    if (create && w->pf.req) {
        w->create_after = true;
        ui_status(ui, "%s", _("Creating once preflight finds no error (Esc stops)"));
        cluster_done(&c);
        return UI_REDRAW_ALL;
    }
    if (create && pfview_has_errors(&w->pf)) {
        /* As `drover apply`: nothing is created while preflight finds an
         * error (the engine's gate would stop before the first clone). */
        ui_error(ui, _("Preflight found %zu error(s): nothing is created; fix them and p checks "
                       "again, or s saves only"),
                 w->pf.pf->errors);
        cluster_done(&c);
        return UI_REDRAW_ALL;
    }
    if (create) {
        if (ui->engine == NULL) {
            ui_error(ui, "%s", ui->engine_error ? ui->engine_error : _("the engine is not running"));
            cluster_done(&c);
            return UI_REDRAW_ALL;
        }
        /* The review's preflight checked this very spec: the engine's gate
         * does not run its checks a second time (as for `drover apply`). */
        char *text = store_cluster_text(&c);
        struct dr_apply_opts opts = {
            .preflight_ran = w->pf.pf != NULL && w->pf.req == 0 && str_eq(text, w->pf_text),
        };
        free(text);
        if (opts.preflight_ran)
            log_info("%s: preflight ran in the review; the gate only resolves names", c.name);
        rc = engine_apply_cluster_opts(ui->engine, &c, &opts, &e);
    } else {
        rc = store_save_cluster(ui->store, &c, &e);
    }
    if (rc != DR_E_OK) {
        /* Nothing is lost: the review stays. */
        ui_error(ui, "%s", dr_error_text(&e));
        cluster_done(&c);
        return UI_REDRAW_ALL;
    }
    if (create && store_find_cluster(ui->store, c.name) == NULL) {
        /* The console's store learns of it (the engine saved the file). */
        ui->store->clusters = xrealloc(ui->store->clusters,
                                       (ui->store->n_clusters + 1) * sizeof *ui->store->clusters);
        cluster_copy(&ui->store->clusters[ui->store->n_clusters++], &c);
    }
    name = xstrdup(c.name);
    cluster_done(&c);
    draft_done();
    edit = w->edit;
    ui_pop(ui); /* frees w */
    ui->snap_stale = true;
    if (create && edit)
        /* L10N: %s is the cluster's name. */
        ui_status(ui, _("Cluster %s saved; applying the change"), name);
    else if (create)
        /* L10N: %s is the cluster's name. */
        ui_status(ui, _("Cluster %s saved; creating its nodes"), name);
    else
        ui_status(ui, _("Cluster %s saved in clusters/%s.cfg; nothing was created"), name,
                  name);
    free(name);
    return UI_REDRAW_ALL;
}

/* Preflight of the spec as the review shows it (not yet saved). */
static void
start_preflight(struct wizard *w)
{
    struct dr_cluster c;

    wizard_build(&kept, false, &c);
    free(w->pf_text);
    w->pf_text = store_cluster_text(&c);
    pfview_start(w->ui, &w->pf, NULL, &c, NULL);
    cluster_done(&c);
}

static int
event(struct ui *ui, void *st, const struct ui_event *ev)
{
    struct wizard *w = st;

    if (!pfview_event(ui, &w->pf, ev))
        return 0;
    ui_status(ui, "%s", ev->ev->text);
    if (w->create_after) {
        w->create_after = false;
        return finish(w, true); /* refuses on an error; may free w */
    }
    return UI_REDRAW_ALL;
}

static int
key(struct ui *ui, void *st, int k)
{
    struct wizard *w = st;

    switch (w->step) {
    case W_CLUSTER:
        if (k == UI_KEY_ESC) {
            form_commit(w->cform);
            ui_pop(ui); /* the draft stays for next time */
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if (k == '+' && form_current(w->cform) && str_eq(form_current(w->cform)->key, "vcenter"))
            return add_start(w, w->cform, 'v');
        {
            int flags = form_key(w->cform, k);
            if (w->step == W_CLUSTER)
                version_row(w); /* the distribution may have changed */
            return flags;
        }
    case W_POOL:
        if (k == UI_KEY_ESC) {
            /* Back to the list keeping what was typed (issue 12): the pool,
             * a new one too, goes into the list as it is; one with a field
             * still wrong is marked there and the review reports it. */
            form_commit(w->pform);
            form_hide(w->pform);
            keep_pool(w);
            w->step = W_POOLS;
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if (k == '+' && form_current(w->pform) &&
            str_eq(form_current(w->pform)->key, "template"))
            return add_start(w, w->pform, 't');
        {
            int flags = form_key(w->pform, k);
            if (w->step == W_POOL)
                w->ui->panes[PANE_MAIN].dirty = true; /* the names preview follows */
            return flags;
        }
    case W_POOLS:
        if (k == UI_KEY_ESC) {
            w->step = W_CLUSTER;
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if (k == 'a') {
            if (kept.n_pools >= MAX_POOLS) {
                ui_error(ui, "%s", _("That is as many pools as the wizard takes"));
                return UI_HANDLED | UI_REDRAW_ALL;
            }
            open_pool(w, -1);
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if ((k == '\n' || k == '\r') && w->sel < kept.n_pools) {
            bool bad = wizard_pool_incomplete(&kept, &kept.pools[w->sel]);

            open_pool(w, (int)w->sel);
            if (bad) /* what is wrong, under its field at once */
                form_validate(w->pform);
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if ((k == 'x' || k == (UI_KEY_FN | KEY_DC)) && w->sel < kept.n_pools) {
            wpool_done(&kept.pools[w->sel]);
            memmove(&kept.pools[w->sel], &kept.pools[w->sel + 1],
                    (kept.n_pools - w->sel - 1) * sizeof kept.pools[0]);
            memset(&kept.pools[--kept.n_pools], 0, sizeof kept.pools[0]);
            if (w->sel > 0 && w->sel >= kept.n_pools)
                w->sel--;
            return UI_HANDLED | UI_REDRAW;
        }
        if (k == (UI_KEY_FN | KEY_UP) && w->sel > 0)
            w->sel--;
        else if (k == (UI_KEY_FN | KEY_DOWN) && w->sel + 1 < kept.n_pools)
            w->sel++;
        else if (k == 'r') {
            w->scroll = 0;
            w->step = W_REVIEW;
            if (w->edit) {
                /* A hand-written file's comments: said before saving. */
                char *rel = xasprintf("clusters/%s.cfg", kept.key + 1);

                free(w->comments);
                w->comments = store_dropped_comments(ui->store, rel, kept.saved);
                free(rel);
            }
            start_preflight(w);
        }
        return UI_HANDLED | UI_REDRAW;
    case W_REVIEW:
        if (k == UI_KEY_ESC && w->pf.req) {
            pfview_abandon(ui, &w->pf);
            w->create_after = false;
            ui_status(ui, "%s", _("Preflight stopped; p checks again"));
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if (k == UI_KEY_ESC) {
            pfview_done(ui, &w->pf);
            w->step = W_POOLS;
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if (k == 'p') {
            w->create_after = false;
            start_preflight(w);
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        if (k == 's' || k == 'c')
            return UI_HANDLED | finish(w, k == 'c');
        if (k == (UI_KEY_FN | KEY_DOWN))
            w->scroll++;
        else if (k == (UI_KEY_FN | KEY_UP) && w->scroll > 0)
            w->scroll--;
        return UI_HANDLED | UI_REDRAW;
    }
    return UI_UNHANDLED;
}

static const char *
crumb(void *st)
{
    struct wizard *w = st;

    return w->edit ? kept.key + 1 : _("new cluster");
}

const struct screen_ops screen_wizard = {
    .name = "wizard",
    .title = N_("Cluster wizard"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .event = event,
    .crumb = crumb,
    .key = key,
    .key_hints = N_("Tab/S-Tab move  Esc back"),
};
