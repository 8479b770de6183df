#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "ui/feed.h"
#include "ui/watch.h"

static void
status_copy(struct dr_cluster_status *dst, const struct dr_cluster_status *src, const char *name)
{
    memset(dst, 0, sizeof *dst);
    dst->cluster = xstrdup(name);
    if (src == NULL)
        return;
    dst->nodes = xcalloc(src->n_nodes ? src->n_nodes : 1, sizeof *dst->nodes);
    for (size_t i = 0; i < src->n_nodes; i++)
        node_copy(&dst->nodes[i], &src->nodes[i]);
    dst->n_nodes = src->n_nodes;
}

static int
cmp_status(const void *a, const void *b)
{
    const struct dr_cluster_status *x = *(const struct dr_cluster_status *const *)a;
    const struct dr_cluster_status *y = *(const struct dr_cluster_status *const *)b;

    return strcmp(x->cluster, y->cluster);
}

static int
cmp_cluster(const void *a, const void *b)
{
    const struct dr_cluster *x = *(const struct dr_cluster *const *)a;
    const struct dr_cluster *y = *(const struct dr_cluster *const *)b;

    return strcmp(x->name, y->name);
}

/* Specs and state files are matched through sorted indexes: with a thousand
 * clusters, a linear find per cluster would be a million comparisons. */
struct dr_snapshot *
feed_snapshot_from_store(const struct dr_store *s)
{
    struct dr_snapshot *snap = xcalloc(1, sizeof *snap);
    const struct dr_cluster_status **st = xcalloc(s->n_statuses + 1, sizeof *st);
    const struct dr_cluster **cl = xcalloc(s->n_clusters + 1, sizeof *cl);
    bool *matched = xcalloc(s->n_statuses + 1, sizeof *matched);

    for (size_t i = 0; i < s->n_statuses; i++)
        st[i] = &s->statuses[i];
    for (size_t i = 0; i < s->n_clusters; i++)
        cl[i] = &s->clusters[i];
    qsort(st, s->n_statuses, sizeof *st, cmp_status);
    qsort(cl, s->n_clusters, sizeof *cl, cmp_cluster);
    snap->clusters = xcalloc(s->n_clusters + s->n_statuses + 1, sizeof *snap->clusters);
    for (size_t i = 0; i < s->n_clusters; i++) {
        struct dr_cluster_view *v = &snap->clusters[snap->n_clusters++];
        struct dr_cluster_status key = {.cluster = cl[i]->name}, *kp = &key;
        const struct dr_cluster_status **hit =
            bsearch(&kp, st, s->n_statuses, sizeof *st, cmp_status);

        cluster_copy(&v->spec, cl[i]);
        status_copy(&v->status, hit ? *hit : NULL, cl[i]->name);
        if (hit)
            matched[hit - st] = true;
    }
    /* State files without a spec still have nodes worth seeing. */
    for (size_t i = 0; i < s->n_statuses; i++) {
        struct dr_cluster_view *v;
        if (matched[i])
            continue;
        v = &snap->clusters[snap->n_clusters++];
        v->spec.name = xstrdup(st[i]->cluster);
        v->spec.version = xstrdup("");
        status_copy(&v->status, st[i], st[i]->cluster);
    }
    for (size_t i = 0; i < snap->n_clusters; i++) {
        struct dr_cluster_view *v = &snap->clusters[i];
        v->state = cluster_state_derive(&v->spec, &v->status);
        cluster_node_counts(&v->status, &v->ready, &v->total);
    }
    free(st);
    free(cl);
    free(matched);
    snap->read_only = s->settings.read_only;
    snap->workers = s->settings.workers;
    return snap;
}

/* The engine knows the clusters it loaded at start and those applied
 * since; the configuration folder may have more or fewer by now (the
 * watcher re-reads it). The snapshot shows the folder's specs: a spec added
 * since is listed (no nodes yet, so create works on it), a changed one shows
 * as it is in the file (what create would apply), and a cluster whose spec
 * file went away is dropped unless it still has nodes or is being deleted.
 * Matched through a sorted index, as feed_snapshot_from_store does. */
static void
merge_specs(const struct dr_store *s, struct dr_snapshot *snap)
{
    const struct dr_cluster **cl = xcalloc(s->n_clusters + 1, sizeof *cl);
    bool *seen = xcalloc(s->n_clusters + 1, sizeof *seen);
    size_t kept = 0;

    for (size_t i = 0; i < s->n_clusters; i++)
        cl[i] = &s->clusters[i];
    qsort(cl, s->n_clusters, sizeof *cl, cmp_cluster);
    for (size_t i = 0; i < snap->n_clusters; i++) {
        struct dr_cluster_view v = snap->clusters[i];
        struct dr_cluster key = {.name = v.spec.name}, *kp = &key;
        const struct dr_cluster **hit =
            v.spec.name ? bsearch(&kp, cl, s->n_clusters, sizeof *cl, cmp_cluster) : NULL;

        if (hit)
            seen[hit - cl] = true;
        if (hit == NULL && v.status.n_nodes == 0 && !v.deleting) {
            cluster_done(&v.spec);
            cluster_status_done(&v.status);
            continue;
        }
        if (hit && !v.deleting) {
            cluster_done(&v.spec);
            cluster_copy(&v.spec, *hit);
        }
        snap->clusters[kept++] = v;
    }
    snap->n_clusters = kept;
    for (size_t i = 0; i < s->n_clusters; i++) {
        struct dr_cluster_view *v;
        if (seen[i])
            continue;
        snap->clusters = xrealloc(snap->clusters, (snap->n_clusters + 1) * sizeof *snap->clusters);
        v = &snap->clusters[snap->n_clusters++];
        memset(v, 0, sizeof *v);
        cluster_copy(&v->spec, cl[i]);
        status_copy(&v->status, NULL, cl[i]->name);
        v->state = cluster_state_derive(&v->spec, &v->status);
        cluster_node_counts(&v->status, &v->ready, &v->total);
    }
    free(cl);
    free(seen);
}

int
feed_config_changed(struct ui *ui)
{
    struct dr_store *fresh = ui_watch_take(ui->watch);
    struct ui_event ev = {.kind = UI_EV_DATA};
    int flags = UI_REDRAW_ALL;

    if (fresh == NULL || ui->store == NULL) {
        if (fresh) {
            store_done(fresh);
            free(fresh);
        }
        return 0;
    }
    /* Specs and templates come from the files as they are now; vCenters
     * and settings stay as the console (and its engine) started with. */
    struct dr_template *t = ui->store->templates;
    size_t nt = ui->store->n_templates;
    struct dr_cluster *c = ui->store->clusters;
    size_t nc = ui->store->n_clusters;
    ui->store->templates = fresh->templates;
    ui->store->n_templates = fresh->n_templates;
    ui->store->clusters = fresh->clusters;
    ui->store->n_clusters = fresh->n_clusters;
    fresh->templates = t;
    fresh->n_templates = nt;
    fresh->clusters = c;
    fresh->n_clusters = nc;
    for (size_t i = 0; i < fresh->n_diags; i++) {
        const struct dr_diag *d = &fresh->diags[i];
        if (str_has_prefix(d->file, "clusters/") || str_has_prefix(d->file, "templates/")) {
            char *m = store_diag_format(d);
            ui_error(ui, "%s", m);
            log_warn("%s", m);
            free(m);
            break;
        }
    }
    store_done(fresh);
    free(fresh);
    log_info("console: re-read the cluster specs and templates in %s", ui->store->config_dir);
    if (ui->snap_from_engine) {
        ui->snap_stale = true;
        return flags | feed_refresh(ui);
    }
    if (ui->snap && !ui->engine_pending) {
        merge_specs(ui->store, ui->snap);
    }
    return flags | feed_notify(ui, &ev);
}

void
feed_snapshot_free(struct ui *ui, struct dr_snapshot **snap)
{
    struct dr_snapshot *s = *snap;

    if (s == NULL)
        return;
    if (ui->snap_from_engine) {
        engine_snapshot_free(snap);
        return;
    }
    for (size_t i = 0; i < s->n_clusters; i++) {
        cluster_done(&s->clusters[i].spec);
        cluster_status_done(&s->clusters[i].status);
    }
    free(s->clusters);
    free(s->jobs);
    xfree(snap);
}

void
feed_start(struct ui *ui)
{
    /* The first frame comes straight from the store; the engine starts
     * right after it (feed_start_engine), so the operator sees the
     * inventory before the engine has copied it and taken its lock. */
    ui->snap = feed_snapshot_from_store(ui->store);
    ui->snap_from_engine = false;
    ui->engine_pending = true;
}

int
feed_start_engine(struct ui *ui)
{
    struct dr_engine_options o = {.read_only = ui->read_only};
    struct dr_error e = {0};
    struct ui_event ev = {.kind = UI_EV_DATA};
    struct dr_snapshot *fresh;

    if (!ui->engine_pending)
        return 0;
    ui->engine_pending = false;
    /* When the engine cannot start (a layer missing, a broken state
     * folder) the console still shows the files and says why commands are
     * unavailable. */
    if (engine_new(ui->store, &o, &ui->engine, &e) != DR_E_OK) {
        ui->engine = NULL;
        ui->engine_error = xstrdup(dr_error_text(&e));
        log_warn("console without engine: %s", ui->engine_error);
        return UI_REDRAW_ALL;
    }
    /* The store's copy goes before the engine's is taken: with ten
     * thousand nodes the two together would double the peak. The node
     * records in the store are not needed any more either (the engine
     * reports them from now on); the specs stay for `create`. */
    feed_snapshot_free(ui, &ui->snap);
    for (size_t i = 0; i < ui->store->n_statuses; i++)
        cluster_status_done(&ui->store->statuses[i]);
    xfree(&ui->store->statuses);
    ui->store->n_statuses = 0;
    /* The store parsed its files on several threads, so part of what was
     * just freed sits in those threads' malloc arenas, where this thread's
     * allocations cannot reuse it: give those pages back. */
    malloc_trim(0);
    fresh = engine_snapshot(ui->engine);
    if (fresh == NULL) {
        fresh = feed_snapshot_from_store(ui->store); /* specs only, no nodes */
    } else {
        merge_specs(ui->store, fresh);
        ui->snap_from_engine = true;
    }
    ui->snap = fresh;
    /* Watching another drover's engine: nothing can be changed from here. */
    if (ui->snap->observer) {
        ui->read_only = true;
        ui->read_only_locked = true;
    }
    return feed_notify(ui, &ev) | UI_REDRAW_ALL;
}

void
feed_stop(struct ui *ui)
{
    feed_snapshot_free(ui, &ui->snap);
    engine_free(&ui->engine);
    xfree(&ui->engine_error);
}

int
feed_wake_fd(const struct ui *ui)
{
    return ui->engine ? engine_wake_fd(ui->engine) : -1;
}
void
feed_record(struct ui *ui, const struct dr_event *ev)
{
    struct ui_event_line *l;

    /* A request's answer is its asker's business; a failure is news. */
    if (ev->kind == DR_EV_REQUEST && ev->level < DR_LOG_WARN)
        return;
    if (ui->events == NULL)
        ui->events = xcalloc(UI_EVENTS_MAX, sizeof *ui->events);
    l = &ui->events[ui->ev_head];
    free(l->cluster);
    free(l->node);
    free(l->text);
    l->time = ev->time;
    l->kind = ev->kind;
    l->level = ev->level;
    l->cluster = xstrdup0(ev->cluster);
    l->node = xstrdup0(ev->node);
    l->text = xstrdup(ev->text ? ev->text : "");
    ui->ev_head = (ui->ev_head + 1) % UI_EVENTS_MAX;
    if (ui->ev_count < UI_EVENTS_MAX)
        ui->ev_count++;
    ui->ev_seen++;
}

int
feed_notify(struct ui *ui, const struct ui_event *ev)
{
    int flags = 0;

    /* Every screen on the stack keeps its rows current, not just the top. */
    for (int i = 0; i < ui->depth; i++) {
        struct ui_frame *f = &ui->stack[i];
        if (f->ops->event)
            flags |= f->ops->event(ui, f->st, ev);
    }
    return flags;
}

int
feed_drain(struct ui *ui)
{
    struct dr_event *evs = NULL;
    size_t n;
    int flags = 0;

    if (ui->engine == NULL)
        return 0;
    n = engine_drain_events(ui->engine, &evs);
    for (size_t i = 0; i < n; i++) {
        struct ui_event one = {.kind = UI_EV_ENGINE, .ev = &evs[i]};
        feed_record(ui, &evs[i]);
        flags |= feed_notify(ui, &one);
        /* Engine-wide trouble is worth the status line; the rest is in
         * the events list. */
        if (evs[i].kind == DR_EV_ENGINE && evs[i].level >= DR_LOG_WARN && evs[i].text[0]) {
            if (evs[i].cluster) /* about one cluster (observe.c: its work stalled) */
                ui_error(ui, "%s: %s", evs[i].cluster, evs[i].text);
            else
                ui_error(ui, "%s", evs[i].text);
            flags |= UI_REDRAW_ALL;
        }
    }
    engine_events_free(evs, n);
    if (n > 0) {
        /* The snapshot itself is taken when the next frame is drawn, so a
         * burst of progress costs one copy per frame, not one per event. */
        ui->snap_stale = true;
        flags |= UI_REDRAW;
    }
    return flags;
}

int
feed_refresh(struct ui *ui)
{
    struct ui_event ev = {.kind = UI_EV_DATA};
    struct dr_snapshot *fresh;

    if (!ui->snap_stale || ui->engine == NULL)
        return 0;
    ui->snap_stale = false;
    fresh = engine_snapshot(ui->engine);
    if (fresh == NULL)
        return 0;
    merge_specs(ui->store, fresh);
    engine_snapshot_free(&ui->snap);
    ui->snap = fresh;
    return feed_notify(ui, &ev);
}

int
ui_engine_result(struct ui *ui, enum dr_err rc, const struct dr_error *e, const char *done)
{
    if (rc == DR_E_OK)
        ui_status(ui, "%s", done);
    else
        ui_error(ui, "%s", dr_error_text(e));
    return UI_HANDLED | UI_REDRAW_ALL;
}

static int
no_engine(struct ui *ui)
{
    /* L10N: %s says why, e.g. "another drover is running". */
    ui_error(ui, _("Engine not available: %s"), ui->engine_error ? ui->engine_error : "?");
    return UI_HANDLED;
}

int
feed_apply_cluster(struct ui *ui, const char *cluster)
{
    const struct dr_cluster *spec = store_find_cluster(ui->store, cluster);
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    if (spec == NULL) {
        ui_error(ui, _("No spec for cluster '%s' in clusters/"), cluster);
        return UI_HANDLED;
    }
    snprintf(done, sizeof done, _("Creating cluster %s"), cluster);
    return ui_engine_result(ui, engine_apply_cluster(ui->engine, spec, &e), &e, done);
}

int
feed_delete_cluster(struct ui *ui, const char *cluster)
{
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    snprintf(done, sizeof done, _("Deleting cluster %s"), cluster);
    return ui_engine_result(ui, engine_delete_cluster(ui->engine, cluster, &e), &e, done);
}

int
feed_scale_pool(struct ui *ui, const char *cluster, const char *pool, int quantity)
{
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    /* L10N: pool cluster/pool scaled to a number of nodes. */
    snprintf(done, sizeof done, _("Scaling %s/%s to %d"), cluster, pool, quantity);
    return ui_engine_result(ui, engine_scale_pool(ui->engine, cluster, pool, quantity, &e), &e,
                            done);
}

int
feed_retry_node(struct ui *ui, const char *cluster, const char *node)
{
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    snprintf(done, sizeof done, _("Retrying %s/%s"), cluster, node);
    return ui_engine_result(ui, engine_retry_node(ui->engine, cluster, node, &e), &e, done);
}

int
feed_replace_node(struct ui *ui, const char *cluster, const char *node)
{
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    snprintf(done, sizeof done, _("Replacing %s/%s"), cluster, node);
    return ui_engine_result(ui, engine_replace_node(ui->engine, cluster, node, &e), &e, done);
}

int
feed_cancel_node(struct ui *ui, const char *cluster, const char *node)
{
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    snprintf(done, sizeof done, _("Cancelling %s/%s"), cluster, node);
    return ui_engine_result(ui, engine_cancel_node(ui->engine, cluster, node, &e), &e, done);
}

int
feed_cancel_job(struct ui *ui, unsigned job)
{
    struct dr_error e = {0};
    char done[256];

    if (ui->engine == NULL)
        return no_engine(ui);
    snprintf(done, sizeof done, _("Cancelling job %u"), job);
    return ui_engine_result(ui, engine_cancel_job(ui->engine, job, &e), &e, done);
}
