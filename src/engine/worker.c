/* The worker pool and the per-node pipeline: a worker takes the oldest
 * runnable job, runs one step of it with the lock released, and records the
 * outcome (state save, events, journal, retry with backoff, or ERROR). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/classify.h"
#include "engine/health.h"
#include "engine/internal.h"
#include "engine/plan.h"

enum { BACKOFF_CAP_MS = 5 * 60 * 1000 };

bool
eng_job_finished(const struct eng_job *j)
{
    return j->state == DR_JOB_DONE || j->state == DR_JOB_FAILED ||
           j->state == DR_JOB_CANCELLED;
}

int
eng_job_blocked(struct dr_engine *e, const struct eng_job *j, const char **why)
{
    struct eng_cluster *c = eng_find_cluster(e, j->cluster);
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (atomic_load(&j->cancel))
        return 0;  /* runs at once to record the cancellation */
    if (e->recovering) {
        *why = _("waiting for start-up recovery");
        return 1;
    }
    /* One job per node at a time, oldest first. */
    for (size_t i = 0; i < e->n_jobs && e->jobs[i] != j; i++) {
        const struct eng_job *o = e->jobs[i];

        if (!eng_job_finished(o) && str_eq(o->cluster, j->cluster) && str_eq(o->node, j->node)) {
            *why = _("waiting for the node's previous job");
            return 1;
        }
    }
    if (c && c->gate == ENG_GATE_RUNNING && j->kind == DR_JOB_PROVISION &&
        j->step == DR_NODE_CLONING) {
        *why = _("waiting for the pre-clone check of the templates");
        return 1;
    }
    if (eng_admit_blocked(e, j, why))
        return 1;
    if (c && c->has_spec && j->kind == DR_JOB_PROVISION &&
        (j->step == DR_NODE_BOOTSTRAPPING || j->step == DR_NODE_JOINING)) {
        long first = plan_first_server(&c->spec, c->status.nodes, c->status.n_nodes);

        if (first >= 0 && !str_eq(c->status.nodes[first].name, j->node) &&
            c->status.nodes[first].state != DR_NODE_ACTIVE) {
            const struct dr_node *f = &c->status.nodes[first];

            *why = _("waiting for the first server");
            return f->state == DR_NODE_ERROR && eng_active_job(e, c->name, f->name) == NULL ? 2
                                                                                            : 1;
        }
    }
    return 0;
}

/* The oldest runnable job; *wait_ms gets how long until a backoff ends. */
static struct eng_job *
pick_job(struct dr_engine *e, long long *wait_ms)
{
    long long now = util_now_ms();

    *wait_ms = -1;
    for (size_t i = 0; i < e->n_jobs; i++) {
        struct eng_job *j = e->jobs[i];
        const char *why;
        int b;

        if (j->state != DR_JOB_QUEUED && j->state != DR_JOB_WAITING)
            continue;
        b = eng_job_blocked(e, j, &why);
        if (b) {
            if (j->state != DR_JOB_WAITING || !str_eq(j->text, why)) {
                j->state = DR_JOB_WAITING;
                free(j->text);
                j->text = xstrdup(why);
                struct dr_event ev = { .kind = DR_EV_JOB, .job = j->id,
                                       .job_state = j->state, .cluster = j->cluster,
                                       .node = j->node, .step = j->step,
                                       .text = (char *)why };
                eng_emit(e, &ev);
            }
            continue;
        }
        if (!atomic_load(&j->cancel) && j->not_before_ms > now) {
            long long w = j->not_before_ms - now;

            if (*wait_ms < 0 || w < *wait_ms)
                *wait_ms = w;
            continue;
        }
        return eng_admit_prefer(e, j, i + 1);
    }
    return NULL;
}

/* Journal around a mutation: intent, call, result. The step's run carries
 * the intent meanwhile, so that step_task records the task it starts. */
static enum dr_err
journaled(struct dr_engine *e, void *tctx, struct eng_step *s, const char *op,
          enum dr_err (*fn)(void *, struct eng_step *, struct dr_error *), struct dr_error *err)
{
    struct eng_run *r = s->priv;
    unsigned long seq = journal_intent(&e->journal, op, s->spec->name, s->node.name,
                                       s->node.name, s->node.vm_id, err);
    enum dr_err rc;

    if (seq == 0)
        return err->code;
    if (r) {
        r->intent_seq = seq;
        xfree(&r->task);
    }
    rc = fn(tctx, s, err);
    if (r) {
        r->intent_seq = 0;
        if (rc == DR_E_CANCELLED && r->task)
            rc = eng_settle_cut_task(e, tctx, s, r->task, rc, err);
    }
    if (journal_result(&e->journal, seq, rc == DR_E_OK, s->node.vm_id,
                       rc == DR_E_OK ? NULL : dr_error_text(err), NULL) != DR_E_OK)
        log_error("cannot record the result of %s %s/%s in the journal", op, s->spec->name,
                  s->node.name);
    return rc;
}

enum dr_err
eng_destroy_vm(struct dr_engine *e, void *tctx, struct eng_step *s, struct dr_error *err)
{
    return journaled(e, tctx, s, "destroy", e->backend.ops->destroy, err);
}

/* CLONING: make sure no VM of this name exists in the folder (vCenter
 * allows duplicates), adopting one that is provably ours. */
static enum dr_err
run_clone(struct dr_engine *e, void *tctx, struct eng_step *s, bool open_intent,
          struct dr_error *err)
{
    struct eng_vm vm = { 0 };
    bool found = false, done = false;
    enum dr_err rc;

    /* Nothing is created before every template of the cluster resolved. */
    if ((rc = eng_gate(e, tctx, s, err)) != DR_E_OK)
        return rc;
    if ((rc = eng_resume_clone(e, tctx, s, &done, err)) != DR_E_OK || done)
        return rc;
    if ((rc = eng_wait_unknown_clone(e, tctx, s, err)) != DR_E_OK)
        return rc;
    if (!str_empty(s->node.vm_id)) {
        bool exists = false;

        rc = e->backend.ops->vm_exists(tctx, s, s->node.vm_id, &exists, err);
        if (rc != DR_E_OK)
            return rc;
        if (exists) {
            step_log(s, "VM %s already exists; keeping it", s->node.vm_id);
            return DR_E_OK;
        }
        xfree(&s->node.vm_id);
    }
    rc = e->backend.ops->find_vm(tctx, s, s->node.name, &vm, &found, err);
    if (rc != DR_E_OK)
        return rc;
    if (found) {
        if (str_eq(vm.owner, s->owner) || (open_intent && vm.owner == NULL)) {
            step_log(s, "adopting VM %s (%s), created by an earlier run", vm.id, vm.name);
            s->node.vm_id = xstrdup(vm.id);
            eng_vm_done(&vm);
            return DR_E_OK;
        }
        rc = dr_error_set(err, DR_E_EXISTS,
                          _("a VM named %s (%s) already exists in folder %s and drover did not "
                            "create it for this node; remove or rename it, then retry"),
                          s->node.name, vm.id, s->tmpl->folder ? s->tmpl->folder : "/");
        eng_vm_done(&vm);
        return rc;
    }
    eng_admit_settle(e, s); /* the gate resolved the placement: its real slot */
    step_progress(s, 5, _("cloning %s"), s->tmpl->clone_from ? s->tmpl->clone_from : "");
    return eng_journaled_clone(e, tctx, s, err);
}

static enum dr_err
run_step(struct dr_engine *e, void *tctx, struct eng_step *s, bool open_intent,
         struct dr_error *err)
{
    const struct eng_backend_ops *ops = e->backend.ops;
    enum dr_err rc;

    switch (s->step) {
    case DR_NODE_CLONING: return run_clone(e, tctx, s, open_intent, err);
    case DR_NODE_CONFIGURING:
        if ((rc = eng_settle_earlier(e, tctx, s, err)) != DR_E_OK)
            return rc;
        return journaled(e, tctx, s, "configure", ops->configure, err);
    case DR_NODE_POWERING_ON:
        if ((rc = eng_settle_earlier(e, tctx, s, err)) != DR_E_OK)
            return rc;
        return journaled(e, tctx, s, "power-on", ops->power_on, err);
    case DR_NODE_WAITING_FOR_IP: return ops->wait_ip(tctx, s, err);
    case DR_NODE_WAITING_FOR_SSH: return ops->wait_ssh(tctx, s, err);
    case DR_NODE_BOOTSTRAPPING: return ops->bootstrap(tctx, s, err);
    case DR_NODE_JOINING: return ops->join(tctx, s, err);
    default:
        return dr_error_set(err, DR_E_INTERNAL, "no step %s", node_state_key(s->step));
    }
}

/* Destroy the VM this node owns, from the vCenter, the VM id and the owner
 * marker alone (a template that no longer resolves never blocks a removal):
 * s->node.vm_id when it is set, else every VM whose marker is this node's (a
 * clone whose answer was never recorded). A VM whose marker is another one,
 * or missing, is never touched: *left (caller frees) then says so, as it
 * does for a VM that is already gone. On success s->node.vm_id is cleared. */
static enum dr_err
destroy_owned(struct dr_engine *e, void *tctx, struct eng_step *s, char **left,
              struct dr_error *err)
{
    const struct eng_backend_ops *ops = e->backend.ops;
    struct eng_vm *vms = NULL;
    size_t n = 0;
    enum dr_err rc;

    *left = NULL;
    if (!str_empty(s->node.vm_id)) {
        bool exists = false;
        char *owner = NULL;

        rc = ops->vm_owner(tctx, s, s->node.vm_id, &exists, &owner, err);
        if (rc != DR_E_OK)
            return rc;
        if (!exists) {
            *left = xasprintf(_("VM %s is already gone"), s->node.vm_id);
        } else if (!str_eq(owner, s->owner)) {
            *left = owner ? xasprintf(_("VM %s left alone: its owner marker is %s, not this "
                                        "node's"), s->node.vm_id, owner)
                          : xasprintf(_("VM %s left alone: it carries no drover owner "
                                        "marker"), s->node.vm_id);
            exists = false;
        }
        if (*left)
            step_log(s, "%s", *left);
        free(owner);
        if (exists) {
            step_progress(s, 10, _("destroying %s"), s->node.vm_id);
            rc = eng_destroy_vm(e, tctx, s, err);
            if (rc != DR_E_OK)
                return rc;
        }
        xfree(&s->node.vm_id);
        return DR_E_OK;
    }
    rc = ops->list_owned(tctx, s->vcenter, s->owner, &vms, &n, err);
    for (size_t i = 0; rc == DR_E_OK && i < n; i++) {
        if (!str_eq(vms[i].owner, s->owner))
            continue;  /* a longer node name with this one as prefix */
        s->node.vm_id = xstrdup(vms[i].id);
        step_progress(s, 10, _("destroying %s"), s->node.vm_id);
        rc = eng_destroy_vm(e, tctx, s, err);
        if (rc == DR_E_OK) {
            free(*left);
            *left = xasprintf(_("VM %s, found by this node's owner marker, was destroyed"),
                              s->node.vm_id);
            step_log(s, "%s", *left);
            xfree(&s->node.vm_id);
        }
    }
    eng_vms_free(vms, n);
    return rc;
}

void
eng_step_warn(struct eng_step *s, const char *text, bool node_log)
{
    struct eng_run *r = s->priv;

    log_warn("%s/%s: %s", r->cluster, r->node, text);
    if (node_log)
        eng_node_log(r->e, r->cluster, r->node, text);
    pthread_mutex_lock(&r->e->mu);
    struct dr_event ev = { .kind = DR_EV_JOB, .job = r->job->id, .job_state = r->job->state,
                           .cluster = r->cluster, .node = r->node, .step = s->step,
                           .level = DR_LOG_WARN, .text = (char *)text };
    eng_emit(r->e, &ev);
    pthread_mutex_unlock(&r->e->mu);
}

/* REMOVING: destroy the node's VM (or one left by a crashed clone). */
static enum dr_err
run_remove(struct dr_engine *e, void *tctx, struct eng_step *s, struct dr_error *err)
{
    char *left = NULL, *extra = NULL;
    enum dr_err rc;

    if (s->drain) {
        if ((rc = eng_drain(e, s, err)) != DR_E_OK)
            return rc;
        /* Destroying the VM gets the step's own time after the drain. */
        s->deadline_ms = util_now_ms() + (long long)eng_step_timeout_s(e, DR_NODE_REMOVING) * 1000;
    }
    rc = eng_settle_for_removal(e, tctx, s, &extra, err);

    if (rc == DR_E_OK)
        rc = destroy_owned(e, tctx, s, &left, err);
    if (rc == DR_E_OK && extra) {
        /* The clone task's VM besides the node's own. */
        free(left);
        left = NULL;
        s->node.vm_id = extra;
        extra = NULL;
        rc = destroy_owned(e, tctx, s, &left, err);
    }
    free(extra);
    if (left)
        eng_step_warn(s, left, false); /* the node's own log may be about to go */
    free(left);
    return rc;
}

/* A step failed for good: destroy the VM cloned for this node unless the
 * pool or the cluster keeps failed VMs (issue 10: a failed provision leaves
 * no VM behind). Returns what happened to the VM, for the node's reason
 * (caller frees). */
static char *
clean_up_failed(struct dr_engine *e, void *tctx, struct eng_step *s)
{
    struct dr_error derr = { 0 };
    char *id = xstrdup0(s->node.vm_id), *left = NULL, *note = NULL;
    enum dr_err rc;

    if (s->spec->keep_failed_vms || (s->pool && s->pool->keep_failed_vms)) {
        if (id)
            note = xasprintf(_("VM %s kept (keep_failed_vms = true); replacing the node (R) or "
                               "deleting the cluster destroys it"), id);
        free(id);
        return note;
    }
    /* The clean-up gets its own time: the failed step may have spent its.
     * Looking for a clone whose answer was lost (no id) may not hold the
     * node up long: vCenter is often what failed. */
    s->deadline_ms = util_now_ms() + (id ? (long long)eng_step_timeout_s(e, DR_NODE_REMOVING) * 1000
                                         : 30000LL);
    /* Without an id (the clone's answer was lost) the VM is looked for by
     * this node's owner marker. */
    rc = destroy_owned(e, tctx, s, &left, &derr);
    if (rc != DR_E_OK && id)
        note = xasprintf(_("its VM %s could not be destroyed (%s); replacing the node (R) or "
                           "deleting the cluster destroys it"), id, dr_error_text(&derr));
    else if (rc != DR_E_OK)
        step_log(s, "cannot look for a VM cloned for this node: %s", dr_error_text(&derr));
    else if (left)
        note = xstrdup(left);  /* destroy_owned logged it */
    else if (id)
        note = xasprintf(_("its VM %s was destroyed"), id);
    if (note && left == NULL)
        step_log(s, "%s", note);
    free(left);
    free(id);
    return note;
}

static void
set_text(struct eng_job *j, const char *text)
{
    free(j->text);
    j->text = xstrdup(text ? text : "");
}

/* The node's last error: the step, the message and, for a permanent
 * failure whose class names a fix, what the operator does. */
static char *
fail_text(enum dr_node_state step, const struct dr_error *err, const char *vm_note)
{
    const struct eng_class_rule *r = eng_classify(err);
    char *t, *with;

    if (r->cls == ENG_PERMANENT && r->todo)
        t = xasprintf(_("%s: %s (to fix: %s)"), node_state_label(step), dr_error_text(err),
                      _(r->todo));
    else
        t = xasprintf("%s: %s", node_state_label(step), dr_error_text(err));
    if (vm_note == NULL)
        return t;
    with = xasprintf("%s; %s", t, vm_note);
    free(t);
    return with;
}

/* A failed step of job j is tried again (rather than the node going to
 * ERROR). Called with mu held. */
static bool
will_retry(const struct dr_engine *e, const struct eng_job *j, const struct dr_error *err)
{
    return !error_is_permanent(err) && j->attempts <= e->settings.retries;
}

/* The step failed for good and the node goes to ERROR: no retry, no
 * cancel, nobody removing or replacing it meanwhile. Called with mu held. */
static bool
fails_for_good(struct dr_engine *e, const struct eng_job *j, enum dr_err rc,
               const struct dr_error *err)
{
    struct dr_node *n = eng_find_node(eng_find_cluster(e, j->cluster), j->node);

    return rc != DR_E_OK && rc != DR_E_CANCELLED && n != NULL && j->kind == DR_JOB_PROVISION &&
           !j->superseded && !atomic_load(&j->cancel) && n->state != DR_NODE_REMOVING &&
           !will_retry(e, j, err);
}

/* Record the outcome of a step. Called with mu held. */
static void
finish_step(struct dr_engine *e, struct eng_job *j, struct eng_step *s, enum dr_err rc,
            struct dr_error *err, const char *vm_note, bool *finish_delete)
{
    struct eng_cluster *c = eng_find_cluster(e, j->cluster);
    struct dr_node *n = eng_find_node(c, j->node);
    bool cancelled = atomic_load(&j->cancel);

    if (n == NULL) {
        eng_job_finish(e, j, DR_JOB_CANCELLED, _("the node is gone"));
        return;
    }
    /* Whatever happened, what the backend learnt about the VM is kept. */
    if (!str_eq(n->vm_id, s->node.vm_id)) {
        free(n->vm_id);
        n->vm_id = xstrdup0(s->node.vm_id);
    }
    if (!str_eq(n->ip, s->node.ip)) {
        free(n->ip);
        n->ip = xstrdup0(s->node.ip);
    }
    if (!str_eq(n->host_key_fp, s->node.host_key_fp)) {
        free(n->host_key_fp);
        n->host_key_fp = xstrdup0(s->node.host_key_fp);
    }
    n->ssh_verified = s->node.ssh_verified;
    n->updated = time(NULL);
    eng_touch(c);

    if (rc == DR_E_OK && (j->kind == DR_JOB_REMOVE ||
                          (j->kind == DR_JOB_REPLACE && s->step == DR_NODE_REMOVING))) {
        eng_drop_open_clone(e, j->cluster, j->node);
        eng_remove_node_files(e, j->cluster, j->node);
        if (j->kind == DR_JOB_REPLACE) {
            xfree(&n->vm_id);
            xfree(&n->ip);
            xfree(&n->host_key_fp);
            xfree(&n->last_error);
            n->ssh_verified = false;
            n->state = DR_NODE_PENDING;
            n->step = DR_NODE_PENDING;
            n->attempts = 0;
            n->percent = 0;
            n->created = time(NULL); /* a new node: its age starts again */
            eng_emit_node(e, j->id, c->name, n, _("VM destroyed; provisioning it afresh"));
            j->kind = DR_JOB_PROVISION;
            j->step = DR_NODE_CLONING;
            j->attempts = 1;
            j->state = DR_JOB_QUEUED;
            pthread_cond_broadcast(&e->cv);
            return;
        }
        n->state = DR_NODE_REMOVED;
        n->percent = 100;
        eng_emit_node(e, j->id, c->name, n, _("VM destroyed"));
        /* Forget the node: its state file entry goes with the next save. */
        {
            size_t i = (size_t)(n - c->status.nodes);

            node_done(n);
            memmove(n, n + 1, (c->status.n_nodes - i - 1) * sizeof *n);
            c->status.n_nodes--;
        }
        eng_job_finish(e, j, DR_JOB_DONE, NULL);
        if (c->deleting && c->status.n_nodes == 0)
            *finish_delete = true;
        eng_emit_cluster_state(e, c);
        return;
    }
    if (rc == DR_E_OK) {
        enum dr_node_state next = plan_next_step(s->step);

        if (s->step == DR_NODE_CLONING)
            eng_drop_open_clone(e, j->cluster, j->node);
        n->attempts = 0;
        n->step = next;
        j->step = next;
        j->attempts = 1;
        n->percent = plan_percent(next, 0);
        j->percent = n->percent;
        if (j->superseded || n->state == DR_NODE_REMOVING) {
            eng_job_finish(e, j, DR_JOB_CANCELLED, NULL);
            return;
        }
        n->state = next;
        eng_emit_node(e, j->id, c->name, n, NULL);
        if (next == DR_NODE_ACTIVE) {
            eng_job_finish(e, j, DR_JOB_DONE, NULL);
        } else if (cancelled) {
            /* The step finished; the cancel applies before the next one. */
            if (j->keep_state) {
                eng_job_finish(e, j, DR_JOB_CANCELLED, _("engine stopping"));
            } else {
                n->step = next;
                n->state = DR_NODE_ERROR;
                free(n->last_error);
                n->last_error = xstrdup(_("cancelled by the operator"));
                eng_emit_node(e, j->id, c->name, n, n->last_error);
                eng_job_finish(e, j, DR_JOB_CANCELLED, n->last_error);
            }
        } else {
            j->state = DR_JOB_QUEUED;
            pthread_cond_broadcast(&e->cv);
        }
        eng_emit_cluster_state(e, c);
        return;
    }

    /* Failure. */
    if (j->superseded || (n->state == DR_NODE_REMOVING && j->kind == DR_JOB_PROVISION)) {
        eng_job_finish(e, j, DR_JOB_CANCELLED, NULL);
        return;
    }
    if (cancelled || rc == DR_E_CANCELLED) {
        if (j->keep_state) {
            eng_job_finish(e, j, DR_JOB_CANCELLED, _("engine stopping"));
            return;
        }
        n->state = DR_NODE_ERROR;
        n->step = s->step;
        n->attempts = j->attempts;
        free(n->last_error);
        n->last_error = xstrdup(_("cancelled by the operator"));
        eng_emit_node(e, j->id, c->name, n, n->last_error);
        eng_job_finish(e, j, DR_JOB_CANCELLED, n->last_error);
        eng_emit_cluster_state(e, c);
        return;
    }
    if (err->code != rc) {  /* classify what the step returned */
        err->code = rc;
        err->cause[0] = '\0';
    }
    /* The failure classes (classify.c): transient ones are retried with the
     * backoff, a permanent one puts the node in ERROR at once. */
    if (will_retry(e, j, err)) {
        long long delay =
            plan_backoff_ms(j->attempts, e->settings.retry_backoff_ms > 0
                                             ? e->settings.retry_backoff_ms : 2000,
                            BACKOFF_CAP_MS, &e->seed);
        char *msg = xasprintf(_("attempt %d failed: %s; retrying in %.1f s"), j->attempts,
                              dr_error_text(err), (double)delay / 1000.0);

        n->attempts = j->attempts;
        j->attempts++;
        j->not_before_ms = util_now_ms() + delay;
        j->state = DR_JOB_WAITING;
        set_text(j, msg);
        eng_node_log(e, c->name, n->name, msg);
        struct dr_event ev = { .kind = DR_EV_JOB, .job = j->id, .job_state = j->state,
                               .cluster = c->name, .node = n->name, .state = n->state,
                               .step = s->step, .level = DR_LOG_WARN, .text = msg };
        eng_emit(e, &ev);
        free(msg);
        pthread_cond_broadcast(&e->cv);
        return;
    }
    n->state = DR_NODE_ERROR;
    n->step = s->step;
    n->attempts = j->attempts;
    free(n->last_error);
    n->last_error = fail_text(s->step, err, vm_note);
    eng_emit_node(e, j->id, c->name, n, n->last_error);
    eng_job_finish(e, j, DR_JOB_FAILED, n->last_error);
    eng_emit_cluster_state(e, c);
}

/* Run one step of job j. Called and returns with mu held. */
static void
run_job(struct dr_engine *e, struct eng_job *j, void *tctx)
{
    struct eng_cluster *c = eng_find_cluster(e, j->cluster);
    struct dr_node *n = eng_find_node(c, j->node);
    struct dr_error err = { 0 };
    struct eng_step s;
    struct eng_run run = { .e = e, .job = j };
    enum dr_node_state step;
    bool ok, open_intent, finish_delete = false, was_remove, clean_up, entered = false;
    char *vm_note = NULL;
    enum dr_err rc;

    if (n == NULL) {
        eng_job_finish(e, j, DR_JOB_CANCELLED, _("the node is gone"));
        return;
    }
    if (atomic_load(&j->cancel) && (j->keep_state || j->superseded)) {
        eng_job_finish(e, j, DR_JOB_CANCELLED, j->keep_state ? _("engine stopping") : NULL);
        return;
    }
    step = j->kind == DR_JOB_PROVISION ? j->step : DR_NODE_REMOVING;
    j->state = DR_JOB_RUNNING;
    if (n->state != step) {
        n->state = step;
        n->step = step;
        n->percent = plan_percent(step, 0);
        n->updated = time(NULL);
        eng_touch(c);
        entered = true;
        eng_emit_node(e, j->id, c->name, n, NULL);
        eng_emit_cluster_state(e, c);
    }
    n->attempts = j->attempts;
    j->percent = n->percent;
    struct dr_event ev = { .kind = DR_EV_JOB, .job = j->id, .job_state = j->state,
                           .cluster = j->cluster, .node = j->node, .state = n->state,
                           .step = step, .percent = j->percent, .text = (char *)"" };
    eng_emit(e, &ev);
    ok = eng_step_init(e, c, n, step, &s);
    /* A node leaving a cluster that stays is drained first; a cluster being
     * deleted as a whole is not (nothing would take its pods). */
    s.drain = step == DR_NODE_REMOVING && !c->deleting &&
              (s.pool ? s.pool->drain_before_delete : true); /* a pool dropped: the default */
    s.drain_skip_unreachable = j->skip_drain_unreachable;
    s.cancel = &j->cancel;
    s.priv = &run;
    run.cluster = xstrdup(c->name);
    run.node = xstrdup(n->name);
    open_intent = eng_open_clone(e, c->name, n->name) != NULL;
    eng_admit_take(e, j);
    s.datastore = j->slot.member; /* the job's until eng_admit_release, after the step */
    pthread_mutex_unlock(&e->mu);

    /* The node entered its step (its first, or one after an error): save
     * that. A step the previous one's save already recorded (finish_step
     * sets the next state) saves nothing here; other nodes' changes are
     * saved by their own workers. */
    if (entered)
        eng_save_cluster(e, run.cluster);
    if (!ok && step != DR_NODE_REMOVING)
        rc = dr_error_set(&err, DR_E_NOTFOUND,
                          _("pool %s: its template or vCenter is not configured"), s.node.pool);
    else if (step == DR_NODE_REMOVING)
        rc = run_remove(e, tctx, &s, &err);
    else
        rc = run_step(e, tctx, &s, open_intent, &err);
    if (rc != DR_E_OK)
        log_warn("%s/%s: %s failed: %s", run.cluster, run.node, node_state_key(step),
                 dr_error_text(&err));

    pthread_mutex_lock(&e->mu);
    eng_admit_release(e, j);  /* the clone's task ended (or never started) */
    if (rc != DR_E_OK && err.code != rc) {  /* classify what the step returned */
        err.code = rc;
        err.cause[0] = '\0';
    }
    /* A clone whose request reached vCenter (it answered with a fault, or
     * the answer was cut or late) may still have made a VM. One that never
     * got there (no connection, a proxy's refusal) made none: vCenter is not
     * asked again. */
    clean_up = step != DR_NODE_REMOVING &&
               (!str_empty(s.node.vm_id) ||
                (step == DR_NODE_CLONING &&
                 (rc == DR_E_FAULT || rc == DR_E_TIMEOUT || rc == DR_E_IO))) &&
               fails_for_good(e, j, rc, &err);
    pthread_mutex_unlock(&e->mu);
    if (clean_up)
        vm_note = clean_up_failed(e, tctx, &s);

    pthread_mutex_lock(&e->mu);
    /* finish_step may end the job, and the registry may then forget it. */
    was_remove = j->kind == DR_JOB_REMOVE;
    finish_step(e, j, &s, rc, &err, vm_note, &finish_delete);
    free(vm_note);
    pthread_mutex_unlock(&e->mu);
    eng_step_done(&s);
    eng_save_cluster(e, run.cluster);
    if (rc == DR_E_OK && (step == DR_NODE_WAITING_FOR_IP || step == DR_NODE_REMOVING))
        eng_write_known_hosts(e, run.cluster);
    if (finish_delete)
        eng_finish_delete(e, run.cluster);
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, run.cluster);
    if (c && was_remove)
        eng_reconcile(e, c);
    free(run.cluster);
    free(run.node);
    free(run.task);
}

void *
eng_worker_main(void *arg)
{
    struct dr_engine *e = arg;
    void *tctx = e->backend.ops->thread_init ? e->backend.ops->thread_init(e->backend.ctx)
                                             : e->backend.ctx;

    struct eng_job *next = NULL;

    pthread_mutex_lock(&e->mu);
    while (!e->quit) {
        long long wait_ms = -1;
        struct eng_job *j = NULL;

        /* A node's next step stays on this worker when it can run at once:
         * its SSH session and vCenter session are already here. */
        if (next && next->state == DR_JOB_QUEUED && next->not_before_ms <= util_now_ms() &&
            eng_job_blocked(e, next, NULL) == 0)
            j = next;
        next = NULL;
        if (j == NULL)
            j = pick_job(e, &wait_ms);
        if (j == NULL) {
            char *hc = eng_health_take(e, &wait_ms);
            if (hc) {
                pthread_mutex_unlock(&e->mu);
                eng_health_poll(e, hc);
                free(hc);
                pthread_mutex_lock(&e->mu);
                continue;
            }
        }

        if (j == NULL) {
            if (wait_ms < 0) {
                pthread_cond_wait(&e->cv, &e->mu);
            } else {
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += wait_ms / 1000;
                ts.tv_nsec += (wait_ms % 1000) * 1000000L;
                if (ts.tv_nsec >= 1000000000L) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000L;
                }
                pthread_cond_timedwait(&e->cv, &e->mu, &ts);
            }
            continue;
        }
        e->busy++;
        run_job(e, j, tctx);
        e->busy--;
        /* Still queued (not finished, so not pruned): this worker takes it. */
        if (j->state == DR_JOB_QUEUED)
            next = j;
        pthread_cond_broadcast(&e->cv);
    }
    pthread_mutex_unlock(&e->mu);
    if (e->backend.ops->thread_done)
        e->backend.ops->thread_done(tctx);
    return NULL;
}
