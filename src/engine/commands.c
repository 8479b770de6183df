/* Commands from the UI and CLI, reconcile (desired pools against actual
 * nodes) and snapshots. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"
#include "engine/plan.h"

/* Commands: every one starts here. Returns with mu held on success. */
static enum dr_err
command_begin(struct dr_engine *e, struct dr_error *err)
{
    if (e->read_only)
        return dr_error_set(err, DR_E_READONLY,
                            _("read-only mode: drover changes nothing (started with "
                              "--read-only or read_only = true)"));
    if (e->observer)
        return dr_error_set(err, DR_E_BUSY,
                            _("another drover (pid %ld) runs the engine on this state "
                              "folder; use that one"),
                            e->observer_pid);
    pthread_mutex_lock(&e->mu);
    if (e->stopping) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_CANCELLED, _("the engine is shutting down"));
    }
    return DR_E_OK;
}

static void
add_node(struct eng_cluster *c, const struct dr_pool *p, char *name)
{
    struct dr_node *n;

    c->status.nodes = xgrow(c->status.nodes, &c->cap_nodes, c->status.n_nodes + 1,
                            sizeof *c->status.nodes);
    n = &c->status.nodes[c->status.n_nodes++];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->cluster = xstrdup(c->name);
    n->pool = xstrdup(p->name);
    n->roles = p->roles;
    n->state = DR_NODE_PENDING;
    n->step = DR_NODE_PENDING;
    n->created = n->updated = time(NULL);
    eng_touch(c);
}

/* A node on its way out does not count towards its pool. */
static bool
node_leaving(const struct dr_node *n)
{
    return n->state == DR_NODE_REMOVING || n->state == DR_NODE_REMOVED ||
           (n->state == DR_NODE_ERROR && n->step == DR_NODE_REMOVING);
}

static bool
has_job_kind(struct dr_engine *e, const char *cluster, const char *node, enum dr_job_kind k)
{
    for (size_t i = 0; i < e->n_jobs; i++) {
        struct eng_job *o = e->jobs[i];

        if (!eng_job_finished(o) && o->kind == k && str_eq(o->cluster, cluster) &&
            str_eq(o->node, node))
            return true;
    }
    return false;
}

static void
mark_removing(struct dr_engine *e, struct eng_cluster *c, struct dr_node *n, const char *why)
{
    struct eng_job *j = eng_active_job(e, c->name, n->name);

    if (j && j->kind != DR_JOB_REMOVE) {
        j->superseded = true;
        atomic_store(&j->cancel, true);
    }
    n->state = DR_NODE_REMOVING;
    n->step = DR_NODE_REMOVING;
    n->updated = time(NULL);
    eng_touch(c);
    eng_emit_node(e, 0, c->name, n, why);
}

/* Give every node that needs work a job. Callers hold mu. */
void
eng_reconcile(struct dr_engine *e, struct eng_cluster *c)
{
    if (e->recovering)
        c->reconcile_wanted = true;  /* done when recovery ends */
    if (e->recovering || e->stopping || e->observer || e->read_only)
        return;
    c->reconcile_wanted = false;
    if (c->deleting) {
        for (size_t i = 0; i < c->status.n_nodes; i++) {
            struct dr_node *n = &c->status.nodes[i];

            if (!node_leaving(n))
                mark_removing(e, c, n, _("cluster deleted"));
        }
    } else if (c->has_spec) {
        for (size_t pi = 0; pi < c->spec.n_pools; pi++) {
            const struct dr_pool *p = &c->spec.pools[pi];
            size_t *idx = xcalloc(c->status.n_nodes + 1, sizeof *idx), live = 0;

            for (size_t i = 0; i < c->status.n_nodes; i++) {
                struct dr_node *n = &c->status.nodes[i];

                if (str_eq(n->pool, p->name) &&
                    (!node_leaving(n) || has_job_kind(e, c->name, n->name, DR_JOB_REPLACE)))
                    idx[live++] = i;
            }
            if (live > (size_t)p->quantity) {
                size_t *out = xcalloc(live, sizeof *out);
                size_t k = plan_scale_down(c->status.nodes, idx, live,
                                           live - (size_t)p->quantity, out);

                for (size_t i = 0; i < k; i++)
                    mark_removing(e, c, &c->status.nodes[out[i]], _("scaled down"));
                free(out);
            }
            while (live < (size_t)p->quantity) {
                char **taken = xcalloc(c->status.n_nodes + 1, sizeof *taken);
                char *name;

                for (size_t i = 0; i < c->status.n_nodes; i++)
                    taken[i] = c->status.nodes[i].name;
                name = plan_next_name(p, taken, c->status.n_nodes, NULL, NULL);
                free(taken);
                add_node(c, p, name);
                eng_emit_node(e, 0, c->name, &c->status.nodes[c->status.n_nodes - 1],
                              _("node added"));
                live++;
            }
            free(idx);
        }
        for (size_t i = 0; i < c->status.n_nodes; i++) {
            struct dr_node *n = &c->status.nodes[i];

            if (eng_find_pool(c, n->pool) == NULL && !node_leaving(n))
                mark_removing(e, c, n, _("its pool is gone from the spec"));
        }
    }
    for (size_t i = 0; i < c->status.n_nodes; i++) {
        struct dr_node *n = &c->status.nodes[i];
        struct eng_job *j = eng_active_job(e, c->name, n->name);

        if (n->state == DR_NODE_REMOVING) {
            /* A provisioning job that was told to stop finishes first. */
            bool have_remove = has_job_kind(e, c->name, n->name, DR_JOB_REMOVE) ||
                               has_job_kind(e, c->name, n->name, DR_JOB_REPLACE);

            if (!have_remove)
                eng_add_job(e, DR_JOB_REMOVE, c->name, n->name, DR_NODE_REMOVING);
        } else if (j == NULL && (n->state == DR_NODE_PENDING || plan_is_pipeline_step(n->state)) &&
                   !c->deleting) {
            struct eng_job *nj = eng_add_job(e, DR_JOB_PROVISION, c->name, n->name,
                                             n->state == DR_NODE_PENDING ? DR_NODE_CLONING
                                                                         : n->state);

            nj->not_before_ms = eng_settle_until(e, c->name, n->name);
            if (nj->not_before_ms > 0) {
                nj->state = DR_JOB_WAITING;
                free(nj->text);
                nj->text = xstrdup(_("waiting for a vCenter task sent before the crash"));
            }
        }
    }
    eng_emit_cluster_state(e, c);
}

void
eng_reconcile_all(struct dr_engine *e)
{
    for (size_t i = 0; i < e->n_clusters; i++)
        eng_reconcile(e, e->clusters[i]);
}

static enum dr_err
validate_spec(struct dr_engine *e, const struct dr_cluster *spec, struct dr_error *err)
{
    struct dr_check_config cfg = { .templates = e->templates, .n_templates = e->n_templates,
                                   .vcenters = e->vcenters, .n_vcenters = e->n_vcenters,
                                   .config_dir = e->config_dir };
    char **problems = NULL, **warnings = NULL;
    enum dr_err rc = DR_E_OK;

    if (engine_check_spec(&cfg, spec, &problems, &warnings) > 0) {
        /* Every problem on one line (the console shows it in its status
         * line), as far as the message holds; each goes to the log whole. */
        size_t len = 0, n = strv_len(problems);

        err->msg[0] = '\0';
        if (n > 1)
            len = (size_t)snprintf(err->msg, sizeof err->msg, _("%zu problems: "), n);
        for (size_t i = 0; problems[i]; i++) {
            len += (size_t)snprintf(err->msg + (len < sizeof err->msg ? len : sizeof err->msg),
                                    len < sizeof err->msg ? sizeof err->msg - len : 0, "%s%s",
                                    i ? "; " : "", problems[i]);
            log_error("cluster %s: %s", spec->name ? spec->name : "?", problems[i]);
        }
        err->code = rc = DR_E_INVAL;
    }
    for (size_t i = 0; warnings && warnings[i]; i++)
        log_warn("%s", warnings[i]);
    strv_free(&problems);
    strv_free(&warnings);
    return rc;
}

/* Re-read templates and vCenters, which the operator may have edited. */
static void
refresh_config(struct dr_engine *e)
{
    struct dr_store fresh;
    struct dr_error err = { 0 };

    if (store_init(&fresh, e->config_dir, e->state_dir, &err) == DR_E_OK &&
        store_load(&fresh, &err) == DR_E_OK) {
        pthread_mutex_lock(&e->mu);
        for (size_t i = 0; i < e->n_templates; i++)
            template_done(&e->templates[i]);
        free(e->templates);
        e->n_templates = fresh.n_templates;
        e->templates = fresh.templates;
        fresh.templates = NULL;
        fresh.n_templates = 0;
        for (size_t i = 0; i < e->n_vcenters; i++)
            vcenter_done(&e->vcenters[i]);
        free(e->vcenters);
        e->n_vcenters = fresh.n_vcenters;
        e->vcenters = fresh.vcenters;
        fresh.vcenters = NULL;
        fresh.n_vcenters = 0;
        pthread_mutex_unlock(&e->mu);
    }
    store_done(&fresh);
}

/* Run a node in ERROR again from its failed step. Callers hold mu. */
static void
retry_locked(struct dr_engine *e, struct eng_cluster *c, struct dr_node *n)
{
    if (n->step == DR_NODE_REMOVING) {
        n->state = DR_NODE_REMOVING;
        eng_add_job(e, DR_JOB_REMOVE, c->name, n->name, DR_NODE_REMOVING);
    } else {
        /* A node whose VM was destroyed when it failed starts with a clone. */
        enum dr_node_state from = plan_is_pipeline_step(n->step) && !str_empty(n->vm_id)
                                      ? n->step
                                      : DR_NODE_CLONING;

        if (from == DR_NODE_CLONING)
            eng_gate_reset(c);
        n->state = from;
        n->attempts = 0;
        xfree(&n->last_error);
        eng_add_job(e, DR_JOB_PROVISION, c->name, n->name, from);
    }
    n->updated = time(NULL);
    eng_touch(c);
    eng_emit_node(e, 0, c->name, n, _("retry requested"));
    eng_emit_cluster_state(e, c);
}

enum dr_err
engine_apply_cluster(struct dr_engine *e, const struct dr_cluster *spec, struct dr_error *err)
{
    return engine_apply_cluster_opts(e, spec, NULL, err);
}

enum dr_err
engine_apply_cluster_opts(struct dr_engine *e, const struct dr_cluster *spec,
                          const struct dr_apply_opts *opts, struct dr_error *err)
{
    struct eng_cluster *c;
    enum dr_err rc = command_begin(e, err);

    if (rc != DR_E_OK)
        return rc;
    pthread_mutex_unlock(&e->mu);
    refresh_config(e);
    pthread_mutex_lock(&e->mu);
    rc = validate_spec(e, spec, err);
    c = eng_find_cluster(e, spec->name);
    if (rc == DR_E_OK && c && c->deleting)
        rc = dr_error_set(err, DR_E_BUSY,
                          _("cluster %s is being deleted; finish the delete with: "
                            "drover delete cluster %s --yes"),
                          spec->name, spec->name);
    pthread_mutex_unlock(&e->mu);
    if (rc != DR_E_OK)
        return rc;

    pthread_mutex_lock(&e->store_mu);
    rc = store_save_cluster(&e->store, spec, err);
    pthread_mutex_unlock(&e->store_mu);
    if (rc != DR_E_OK)
        return rc;

    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, spec->name);
    if (c == NULL) {
        c = xcalloc(1, sizeof *c);
        c->name = xstrdup(spec->name);
        c->status.cluster = xstrdup(spec->name);
        e->clusters = xgrow(e->clusters, &e->cap_clusters, e->n_clusters + 1,
                            sizeof *e->clusters);
        e->clusters[e->n_clusters++] = c;
        c->state = DR_CLUSTER_PENDING;
        eng_touch(c);
    }
    if (c->has_spec)
        cluster_done(&c->spec);
    cluster_copy(&c->spec, spec);
    c->has_spec = true;
    eng_gate_reset(c);  /* templates may have changed: check before cloning */
    /* Applying the desired state again also retries what failed. */
    for (size_t i = 0; i < c->status.n_nodes; i++) {
        struct dr_node *n = &c->status.nodes[i];

        if (n->state == DR_NODE_ERROR && eng_active_job(e, c->name, n->name) == NULL)
            retry_locked(e, c, n);
    }
    /* After the retries above (each resets the gate): preflight ran already. */
    c->gate_light = opts && opts->preflight_ran;
    eng_reconcile(e, c);
    pthread_mutex_unlock(&e->mu);
    eng_save_cluster(e, spec->name);
    log_info("cluster %s: applied", spec->name);
    return DR_E_OK;
}

enum dr_err
engine_scale_pool(struct dr_engine *e, const char *cluster, const char *pool, int quantity,
                  struct dr_error *err)
{
    struct dr_cluster spec;
    struct eng_cluster *c;
    enum dr_err rc = command_begin(e, err);
    bool found = false;

    if (rc != DR_E_OK)
        return rc;
    c = eng_find_cluster(e, cluster);
    if (c == NULL || !c->has_spec) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_NOTFOUND, _("no cluster '%s'"), cluster);
    }
    if (quantity < 0) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_INVAL, _("a pool's quantity must be >= 0, not %d"),
                            quantity);
    }
    cluster_copy(&spec, &c->spec);
    pthread_mutex_unlock(&e->mu);
    for (size_t i = 0; i < spec.n_pools; i++)
        if (str_eq(spec.pools[i].name, pool)) {
            spec.pools[i].quantity = quantity;
            found = true;
        }
    rc = found ? engine_apply_cluster(e, &spec, err)
               : dr_error_set(err, DR_E_NOTFOUND, _("cluster %s has no pool '%s'"), cluster,
                              pool);
    cluster_done(&spec);
    return rc;
}

enum dr_err
engine_delete_cluster(struct dr_engine *e, const char *cluster, struct dr_error *err)
{
    struct eng_cluster *c;
    enum dr_err rc = command_begin(e, err);
    char *marker;

    if (rc != DR_E_OK)
        return rc;
    c = eng_find_cluster(e, cluster);
    if (c == NULL) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_NOTFOUND, _("no cluster '%s'"), cluster);
    }
    /* Remembered across a crash: a restart goes on deleting. */
    marker = xasprintf("%s/clusters/%s.deleting", e->state_dir, cluster);
    pthread_mutex_unlock(&e->mu);
    {
        char *dir = util_dirname(marker);

        rc = util_mkdir_p(dir, 0700, err);
        free(dir);
    }
    if (rc == DR_E_OK)
        rc = util_write_atomic(marker, "", 0, 0600, err);
    free(marker);
    if (rc != DR_E_OK)
        return rc;
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, cluster);
    if (c) {
        c->deleting = true;
        /* Asked again: a removal that failed before (vCenter unreachable)
         * runs afresh rather than reporting its old error. */
        for (size_t i = 0; i < c->status.n_nodes; i++) {
            struct dr_node *n = &c->status.nodes[i];

            if (n->state == DR_NODE_ERROR && n->step == DR_NODE_REMOVING &&
                eng_active_job(e, c->name, n->name) == NULL) {
                n->state = DR_NODE_REMOVING;
                n->attempts = 0;
                xfree(&n->last_error);
                eng_emit_node(e, 0, c->name, n, _("removing it again"));
            }
        }
        eng_reconcile(e, c);
    }
    bool empty = c && c->status.n_nodes == 0;
    pthread_mutex_unlock(&e->mu);
    log_info("cluster %s: delete requested", cluster);
    if (empty)
        eng_finish_delete(e, cluster);
    else
        eng_save_cluster(e, cluster);
    return DR_E_OK;
}

static enum dr_err
find_node_locked(struct dr_engine *e, const char *cluster, const char *node,
                 struct eng_cluster **c, struct dr_node **n, struct dr_error *err)
{
    *c = eng_find_cluster(e, cluster);
    *n = eng_find_node(*c, node);
    if (*n == NULL) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_NOTFOUND, _("no node '%s' in cluster '%s'"), node,
                            cluster);
    }
    return DR_E_OK;
}

enum dr_err
engine_retry_node(struct dr_engine *e, const char *cluster, const char *node,
                  struct dr_error *err)
{
    struct eng_cluster *c;
    struct dr_node *n;
    enum dr_err rc = command_begin(e, err);

    if (rc != DR_E_OK || (rc = find_node_locked(e, cluster, node, &c, &n, err)) != DR_E_OK)
        return rc;
    if (eng_active_job(e, cluster, node) != NULL) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_BUSY, _("node %s already has a running job"), node);
    }
    if (n->state == DR_NODE_ERROR) {
        retry_locked(e, c, n);
    } else if (n->state == DR_NODE_PENDING || n->state == DR_NODE_REMOVING ||
               plan_is_pipeline_step(n->state)) {
        /* Left mid-way by an orderly stop: carry on from its step. */
        if (n->state == DR_NODE_REMOVING)
            eng_add_job(e, DR_JOB_REMOVE, cluster, node, DR_NODE_REMOVING);
        else
            eng_add_job(e, DR_JOB_PROVISION, cluster, node,
                        n->state == DR_NODE_PENDING ? DR_NODE_CLONING : n->state);
    } else {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_INVAL, _("node %s is %s: nothing to retry"), node,
                            node_state_key(n->state));
    }
    pthread_mutex_unlock(&e->mu);
    eng_save_cluster(e, cluster);
    return DR_E_OK;
}

enum dr_err
engine_replace_node(struct dr_engine *e, const char *cluster, const char *node,
                    struct dr_error *err)
{
    struct eng_cluster *c;
    struct dr_node *n;
    struct eng_job *j;
    enum dr_err rc = command_begin(e, err);

    if (rc != DR_E_OK || (rc = find_node_locked(e, cluster, node, &c, &n, err)) != DR_E_OK)
        return rc;
    if (n->state == DR_NODE_REMOVING || c->deleting) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_INVAL, _("node %s is being removed"), node);
    }
    j = eng_active_job(e, cluster, node);
    if (j) {
        j->superseded = true;
        atomic_store(&j->cancel, true);
    }
    eng_add_job(e, DR_JOB_REPLACE, cluster, node, DR_NODE_REMOVING);
    pthread_mutex_unlock(&e->mu);
    return DR_E_OK;
}

static void
cancel_job_locked(struct eng_job *j)
{
    atomic_store(&j->cancel, true);
}

enum dr_err
engine_cancel_job(struct dr_engine *e, unsigned id, struct dr_error *err)
{
    enum dr_err rc = command_begin(e, err);

    if (rc != DR_E_OK)
        return rc;
    for (size_t i = 0; i < e->n_jobs; i++)
        if (e->jobs[i]->id == id && !eng_job_finished(e->jobs[i])) {
            cancel_job_locked(e->jobs[i]);
            pthread_cond_broadcast(&e->cv);
            pthread_mutex_unlock(&e->mu);
            return DR_E_OK;
        }
    pthread_mutex_unlock(&e->mu);
    return dr_error_set(err, DR_E_NOTFOUND, _("no running job %u"), id);
}

enum dr_err
engine_cancel_node(struct dr_engine *e, const char *cluster, const char *node,
                   struct dr_error *err)
{
    struct eng_job *j;
    enum dr_err rc = command_begin(e, err);

    if (rc != DR_E_OK)
        return rc;
    j = eng_active_job(e, cluster, node);
    if (j == NULL) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_NOTFOUND, _("node %s of cluster %s has no running job"),
                            node, cluster);
    }
    cancel_job_locked(j);
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    return DR_E_OK;
}

/* Snapshots. */

struct dr_snapshot *
engine_snapshot(struct dr_engine *e)
{
    struct dr_snapshot *s = xcalloc(1, sizeof *s);
    size_t k = 0;

    pthread_mutex_lock(&e->mu);
    s->seq = queue_seq(&e->queue);
    s->read_only = e->read_only || e->observer;
    s->observer = e->observer;
    s->observer_pid = e->observer_pid;
    s->owner_stopped = e->owner_gone ? e->owner_stopped : 0;
    s->headless = e->headless;
    s->workers = e->observer || e->read_only ? 0 : e->n_workers;
    s->busy_workers = e->busy;
    s->n_clusters = e->n_clusters;
    s->clusters = xcalloc(e->n_clusters ? e->n_clusters : 1, sizeof *s->clusters);
    for (size_t i = 0; i < e->n_clusters; i++) {
        struct eng_cluster *c = e->clusters[i];
        struct dr_cluster_view *v = &s->clusters[i];

        if (c->has_spec) {
            cluster_copy(&v->spec, &c->spec);
        } else {
            v->spec.name = xstrdup(c->name);
        }
        v->status.cluster = xstrdup(c->name);
        v->status.nodes = xcalloc(c->status.n_nodes ? c->status.n_nodes : 1,
                                  sizeof *v->status.nodes);
        for (size_t n = 0; n < c->status.n_nodes; n++)
            node_copy(&v->status.nodes[n], &c->status.nodes[n]);
        v->status.n_nodes = c->status.n_nodes;
        v->status.health = c->status.health;
        v->status.health.error = xstrdup0(c->status.health.error);
        v->deleting = c->deleting;
        v->state = c->deleting ? DR_CLUSTER_REMOVING
                               : (c->has_spec ? cluster_state_derive(&c->spec, &c->status)
                                              : c->state);
        cluster_node_counts(&c->status, &v->ready, &v->total);
        for (size_t n = 0; e->owner_gone && n < c->status.n_nodes && !v->stalled; n++)
            v->stalled = engine_node_in_progress(c->status.nodes[n].state);
    }
    s->jobs = xcalloc(e->n_jobs ? e->n_jobs : 1, sizeof *s->jobs);
    for (size_t i = e->n_jobs; i-- > 0;) {
        const struct eng_job *j = e->jobs[i];
        struct dr_job *d = &s->jobs[k++];

        d->id = j->id;
        d->kind = j->kind;
        d->state = j->state;
        d->cluster = xstrdup(j->cluster);
        d->node = xstrdup(j->node);
        d->step = j->step;
        d->percent = j->percent;
        d->attempts = j->attempts;
        d->text = xstrdup(j->text ? j->text : "");
        d->error = xstrdup0(j->error);
        d->created = j->created;
        d->finished = j->finished;
    }
    s->n_jobs = k;
    pthread_mutex_unlock(&e->mu);
    return s;
}

void
engine_snapshot_free(struct dr_snapshot **sp)
{
    struct dr_snapshot *s = *sp;

    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_clusters; i++) {
        cluster_done(&s->clusters[i].spec);
        cluster_status_done(&s->clusters[i].status);
    }
    free(s->clusters);
    for (size_t i = 0; i < s->n_jobs; i++) {
        free(s->jobs[i].cluster);
        free(s->jobs[i].node);
        free(s->jobs[i].text);
        free(s->jobs[i].error);
    }
    free(s->jobs);
    free(s);
    *sp = NULL;
}

const struct dr_cluster_view *
snapshot_find_cluster(const struct dr_snapshot *s, const char *name)
{
    for (size_t i = 0; s && i < s->n_clusters; i++)
        if (str_eq(s->clusters[i].spec.name, name))
            return &s->clusters[i];
    return NULL;
}
