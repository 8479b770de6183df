/* Start-up recovery: replay the intent journal and reconcile the state files
 * with what vCenter holds, so that a crash never leaves an untracked VM.
 * VMs carrying this install's owner marker are adopted when their node is
 * wanted and destroyed otherwise; nodes whose VM vanished start over. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"
#include "engine/plan.h"


void
eng_vm_done(struct eng_vm *vm)
{
    xfree(&vm->id);
    xfree(&vm->name);
    xfree(&vm->owner);
}

void
eng_vms_free(struct eng_vm *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eng_vm_done(&v[i]);
    free(v);
}

void
eng_intent_copy(struct eng_intent *d, const struct eng_intent *s)
{
    memset(d, 0, sizeof *d);
    d->seq = s->seq;
    d->time = s->time;
    d->op = xstrdup0(s->op);
    d->cluster = xstrdup0(s->cluster);
    d->node = xstrdup0(s->node);
    d->name = xstrdup0(s->name);
    d->vm = xstrdup0(s->vm);
    d->task = xstrdup0(s->task);
}

void
eng_apply_journal(struct dr_engine *e, struct eng_intent *v, size_t n)
{
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < n; i++) {
        struct eng_cluster *c = eng_find_cluster(e, v[i].cluster);
        struct dr_node *node = eng_find_node(c, v[i].node);

        if (!str_eq(v[i].op, "clone")) {
            /* A reconfigure or power-on sent just before the crash may still
             * be running in vCenter: the node waits for it to settle. */
            if (!v[i].resolved && !str_eq(v[i].op, "destroy")) {
                e->settling = xgrow(e->settling, &e->cap_settling, e->n_settling + 1,
                                    sizeof *e->settling);
                eng_intent_copy(&e->settling[e->n_settling++], &v[i]);
            }
            continue;
        }
        if (v[i].resolved && v[i].ok && !str_empty(v[i].vm)) {
            /* The clone finished but the state file never heard of it. */
            if (node && str_empty(node->vm_id)) {
                node->vm_id = xstrdup(v[i].vm);
                eng_touch(c);
                log_info("journal: %s/%s has VM %s", v[i].cluster, v[i].node, v[i].vm);
            }
        } else if (!v[i].resolved) {
            e->open_clones = xgrow(e->open_clones, &e->cap_open_clones, e->n_open_clones + 1,
                                   sizeof *e->open_clones);
            eng_intent_copy(&e->open_clones[e->n_open_clones++], &v[i]);
            log_info("journal: clone of %s/%s was in flight", v[i].cluster, v[i].node);
        }
    }
    pthread_mutex_unlock(&e->mu);
}

/* A bare step for one VM of a cluster (destroying orphans). */
static bool
orphan_step(struct dr_engine *e, const char *cluster, const char *node, const char *vm_id,
            const struct dr_vcenter *vc, struct eng_step *s)
{
    struct eng_cluster *c = eng_find_cluster(e, cluster);
    struct dr_node *n = eng_find_node(c, node);
    struct dr_node fake = { .name = (char *)node, .cluster = (char *)cluster };

    if (c && n) {
        eng_step_init(e, c, n, DR_NODE_REMOVING, s);
    } else {
        struct eng_cluster tmp = { .name = (char *)cluster };

        fake.pool = (char *)"";
        eng_step_init(e, &tmp, &fake, DR_NODE_REMOVING, s);
    }
    if (vc && (s->vcenter == NULL || s->vcenter->name == NULL)) {
        struct dr_vcenter *d = (struct dr_vcenter *)s->vcenter;

        vcenter_done(d);
        vcenter_copy(d, vc);
    }
    free(s->node.vm_id);
    s->node.vm_id = xstrdup(vm_id);
    return true;
}

static void
engine_note(struct dr_engine *e, enum dr_log_level level, const char *text)
{
    struct dr_event ev = { .kind = DR_EV_ENGINE, .level = level, .text = (char *)text };

    log_msg(level, "%s", text);
    eng_emit(e, &ev);
}

static void
destroy_orphan(struct dr_engine *e, void *tctx, const struct eng_vm *vm,
               const struct dr_vcenter *vc, const char *cluster, const char *node,
               const char *why, int *destroyed)
{
    struct eng_step s;
    struct dr_error err = { 0 };
    struct eng_job job = { .id = 0 };
    struct eng_run run = { .e = e, .job = &job, .cluster = (char *)cluster,
                                .node = (char *)node };
    char *msg;

    job.text = xstrdup("");
    atomic_init(&job.cancel, false);
    pthread_mutex_lock(&e->mu);
    orphan_step(e, cluster, node, vm->id, vc, &s);
    pthread_mutex_unlock(&e->mu);
    s.priv = &run;
    s.cancel = &job.cancel;
    if (eng_destroy_vm(e, tctx, &s, &err) == DR_E_OK) {
        msg = xasprintf(_("recovery: destroyed VM %s (%s): %s"), vm->id,
                        vm->name ? vm->name : "", why);
        (*destroyed)++;
        engine_note(e, DR_LOG_WARN, msg);
    } else {
        msg = xasprintf(_("recovery: cannot destroy VM %s (%s): %s"), vm->id,
                        vm->name ? vm->name : "", dr_error_text(&err));
        engine_note(e, DR_LOG_ERROR, msg);
    }
    free(msg);
    free(job.text);
    free(run.task);
    eng_step_done(&s);
}

/* An open clone intent whose task is known and whose node is no longer
 * wanted: cancel the task, wait for it (up to ENG_CANCEL_WAIT_S) and destroy
 * the VM it made anyway. A task still running stays open for the next
 * start. */
static void
settle_orphan_clone(struct dr_engine *e, void *tctx, const struct eng_intent *it,
                    int *destroyed)
{
    struct eng_step s;
    struct dr_error err = { 0 };
    struct eng_job job = { .id = 0 };
    struct eng_run run = { .e = e, .job = &job, .cluster = it->cluster, .node = it->node };
    enum eng_task_end end = ENG_TASK_RUNNING;
    char *vm = NULL;
    enum dr_err rc;

    if (e->backend.ops->task_settle == NULL)
        return;
    job.text = xstrdup("");
    atomic_init(&job.cancel, false);
    pthread_mutex_lock(&e->mu);
    orphan_step(e, it->cluster, it->node, "", NULL, &s);
    pthread_mutex_unlock(&e->mu);
    s.priv = &run;
    s.cancel = &job.cancel;
    s.deadline_ms = util_now_ms() + (ENG_CANCEL_WAIT_S + 5) * 1000LL;
    rc = str_empty(s.vcenter->name)
             ? DR_E_NOTFOUND
             : e->backend.ops->task_settle(tctx, &s, it->task, true, ENG_CANCEL_WAIT_S, &end,
                                           &vm, &err);
    if (rc == DR_E_OK && end != ENG_TASK_RUNNING) {
        if (end == ENG_TASK_SUCCESS && !str_empty(vm)) {
            struct eng_vm v = { .id = vm, .name = it->name };

            destroy_orphan(e, tctx, &v, s.vcenter, it->cluster, it->node,
                           _("cloned for a node no longer wanted"), destroyed);
        }
        journal_result(&e->journal, it->seq, end == ENG_TASK_SUCCESS, vm,
                       end == ENG_TASK_SUCCESS ? NULL : "task ended without a VM", NULL);
        pthread_mutex_lock(&e->mu);
        eng_drop_open_clone(e, it->cluster, it->node);
        pthread_mutex_unlock(&e->mu);
    } else {
        char *msg = xasprintf(_("recovery: clone task %s of %s/%s (no longer wanted) is still "
                                "running; the next start cancels it again"), it->task,
                              it->cluster, it->node);

        engine_note(e, DR_LOG_WARN, msg);
        free(msg);
    }
    free(vm);
    free(job.text);
    free(run.task);
    eng_step_done(&s);
}

/* Resolve clone intents left open by a crash: the VM of that name, if it
 * exists, is ours. */
static void
recover_open_clones(struct dr_engine *e, void *tctx, int *adopted, int *destroyed)
{
    struct eng_intent *open = NULL;
    size_t n_open = 0;

    pthread_mutex_lock(&e->mu);
    if (e->n_open_clones) {
        open = xcalloc(e->n_open_clones, sizeof *open);
        for (size_t i = 0; i < e->n_open_clones; i++)
            eng_intent_copy(&open[n_open++], &e->open_clones[i]);
    }
    pthread_mutex_unlock(&e->mu);

    for (size_t i = 0; i < n_open; i++) {
        struct eng_intent *it = &open[i];
        struct eng_step s;
        struct eng_vm vm = { 0 };
        struct dr_error err = { 0 };
        struct eng_job job = { .id = 0 };
        struct eng_run run = { .e = e, .job = &job, .cluster = it->cluster,
                                    .node = it->node };
        bool found = false, ok, wanted = false;
        long long until = util_now_ms() + (it->time + ENG_SETTLE_S - (long long)time(NULL)) * 1000LL;

        job.text = xstrdup("");
        atomic_init(&job.cancel, false);
        pthread_mutex_lock(&e->mu);
        struct eng_cluster *c = eng_find_cluster(e, it->cluster);
        struct dr_node *n = eng_find_node(c, it->node);

        if (!str_empty(it->task)) {
            /* Its task is known: the node's clone step (or its removal)
             * waits for it; with the node gone, recovery does. */
            bool wanted_node = n && n->state != DR_NODE_REMOVED;

            pthread_mutex_unlock(&e->mu);
            if (!wanted_node)
                settle_orphan_clone(e, tctx, it, destroyed);
            free(job.text);
            continue;
        }
        ok = c && n && eng_step_init(e, c, n, DR_NODE_CLONING, &s);
        if (!ok && c && n)
            eng_step_done(&s);
        pthread_mutex_unlock(&e->mu);
        if (!ok) {
            free(job.text);
            continue;  /* no template to look in: the clone step decides later */
        }
        s.priv = &run;
        s.cancel = &job.cancel;
        /* A clone request in flight when drover died may still complete. */
        for (;;) {
            if (e->backend.ops->find_vm(tctx, &s, it->name ? it->name : it->node, &vm, &found,
                                        &err) != DR_E_OK || found)
                break;
            if (util_now_ms() >= until)
                break;
            pthread_mutex_lock(&e->mu);
            bool quit = e->quit || e->stopping;
            pthread_mutex_unlock(&e->mu);
            if (quit)
                break;
            struct timespec ts = { .tv_sec = 0, .tv_nsec = 500000000L };
            nanosleep(&ts, NULL);
        }
        if (found && (vm.owner == NULL || str_eq(vm.owner, s.owner))) {
            pthread_mutex_lock(&e->mu);
            c = eng_find_cluster(e, it->cluster);
            n = eng_find_node(c, it->node);
            if (n && n->state != DR_NODE_REMOVED && str_empty(n->vm_id)) {
                n->vm_id = xstrdup(vm.id);
                eng_touch(c);
                wanted = true;
            } else if (n && str_eq(n->vm_id, vm.id)) {
                wanted = true;
            }
            pthread_mutex_unlock(&e->mu);
            if (wanted) {
                char *msg = xasprintf(_("recovery: adopted VM %s for %s/%s (clone in flight "
                                        "at the crash)"), vm.id, it->cluster, it->node);

                engine_note(e, DR_LOG_INFO, msg);
                free(msg);
                (*adopted)++;
            } else {
                destroy_orphan(e, tctx, &vm, s.vcenter, it->cluster, it->node,
                               _("cloned for a node no longer wanted"), destroyed);
            }
            journal_result(&e->journal, it->seq, true, vm.id, NULL, NULL);
            pthread_mutex_lock(&e->mu);
            eng_drop_open_clone(e, it->cluster, it->node);
            pthread_mutex_unlock(&e->mu);
        }
        eng_vm_done(&vm);
        eng_step_done(&s);
        free(job.text);
    }
    intents_free(open, n_open);
}

/* The vCenters that clusters in the state use. */
static char **
vcenters_in_use(struct dr_engine *e)
{
    char **names = NULL;

    for (size_t i = 0; i < e->n_clusters; i++) {
        struct eng_cluster *c = e->clusters[i];
        const char *vc = c->has_spec ? c->spec.vcenter : NULL;

        for (size_t p = 0; c->has_spec && p < c->spec.n_pools; p++) {
            const struct dr_template *t = eng_find_template(e, c->spec.pools[p].template);
            const char *name = !str_empty(vc) ? vc : (t ? t->vcenter : NULL);
            bool dup = false;

            for (size_t k = 0; names && names[k]; k++)
                dup |= str_eq(names[k], name);
            if (name && !dup && eng_find_vcenter(e, name))
                strv_push(&names, name);
        }
    }
    return names;
}

/* Parse "<install-id>/<cluster>/<node>". */
static bool
parse_owner(const char *owner, const char *install_id, char **cluster, char **node)
{
    size_t il = strlen(install_id);
    const char *rest, *slash;

    if (owner == NULL || strncmp(owner, install_id, il) != 0 || owner[il] != '/')
        return false;
    rest = owner + il + 1;
    slash = strchr(rest, '/');
    if (slash == NULL || slash == rest || slash[1] == '\0')
        return false;
    *cluster = xstrndup(rest, (size_t)(slash - rest));
    *node = xstrdup(slash + 1);
    return true;
}

static void
recover_owned(struct dr_engine *e, void *tctx, const struct dr_vcenter *vc, int *adopted,
              int *destroyed, int *vanished)
{
    struct eng_vm *vms = NULL;
    size_t n_vms = 0;
    struct dr_error err = { 0 };
    char *prefix = xasprintf("%s/", e->install_id);

    if (e->backend.ops->list_owned(tctx, vc, prefix, &vms, &n_vms, &err) != DR_E_OK) {
        char *msg = xasprintf(_("recovery: cannot list VMs on vCenter %s: %s"), vc->name,
                              dr_error_text(&err));

        engine_note(e, DR_LOG_ERROR, msg);
        free(msg);
        free(prefix);
        return;
    }
    free(prefix);
    for (size_t i = 0; i < n_vms; i++) {
        char *cluster = NULL, *node = NULL;
        const char *why = NULL;

        if (!parse_owner(vms[i].owner, e->install_id, &cluster, &node))
            continue;
        pthread_mutex_lock(&e->mu);
        struct eng_cluster *c = eng_find_cluster(e, cluster);
        struct dr_node *n = eng_find_node(c, node);

        if (n == NULL) {
            why = _("its node is not in drover's state");
        } else if (str_empty(n->vm_id)) {
            n->vm_id = xstrdup(vms[i].id);
            eng_touch(c);
            (*adopted)++;
            log_info("recovery: adopted VM %s for %s/%s", vms[i].id, cluster, node);
        } else if (!str_eq(n->vm_id, vms[i].id)) {
            why = _("a duplicate: its node has another VM");
        }
        pthread_mutex_unlock(&e->mu);
        if (why)
            destroy_orphan(e, tctx, &vms[i], vc, cluster, node, why, destroyed);
        free(cluster);
        free(node);
    }

    /* Nodes whose VM is gone start over (recreated by reconcile). */
    pthread_mutex_lock(&e->mu);
    for (size_t ci = 0; ci < e->n_clusters; ci++) {
        struct eng_cluster *c = e->clusters[ci];

        for (size_t ni = 0; ni < c->status.n_nodes; ni++) {
            struct dr_node *n = &c->status.nodes[ni];
            struct eng_step s;
            bool listed = false, exists = true;
            char *vm_id, *name;

            if (str_empty(n->vm_id))
                continue;
            for (size_t k = 0; k < n_vms && !listed; k++)
                listed = str_eq(vms[k].id, n->vm_id);
            if (listed)
                continue;
            /* Not marked yet (crash before CONFIGURING) or really gone: ask. */
            if (!eng_step_init(e, c, n, DR_NODE_CLONING, &s) ||
                !str_eq(s.vcenter->name, vc->name)) {
                eng_step_done(&s);
                continue;
            }
            vm_id = xstrdup(n->vm_id);
            name = xstrdup(n->name);
            pthread_mutex_unlock(&e->mu);
            if (e->backend.ops->vm_exists(tctx, &s, vm_id, &exists, &err) != DR_E_OK)
                exists = true;
            eng_step_done(&s);
            pthread_mutex_lock(&e->mu);
            c = e->clusters[ci];
            n = eng_find_node(c, name);
            if (!exists && n && str_eq(n->vm_id, vm_id)) {
                xfree(&n->vm_id);
                xfree(&n->ip);
                if (n->state != DR_NODE_REMOVING) {
                    n->state = DR_NODE_PENDING;
                    n->step = DR_NODE_PENDING;
                    n->percent = 0;
                    n->attempts = 0;
                    eng_emit_node(e, 0, c->name, n, _("its VM vanished from vCenter; recreating"));
                }
                eng_touch(c);
                (*vanished)++;
            }
            free(vm_id);
            free(name);
            if (ci >= e->n_clusters)
                break;
        }
    }
    pthread_mutex_unlock(&e->mu);
    eng_vms_free(vms, n_vms);
}

void *
eng_recover_main(void *arg)
{
    struct dr_engine *e = arg;
    void *tctx = e->backend.ops->thread_init ? e->backend.ops->thread_init(e->backend.ctx)
                                             : e->backend.ctx;
    int adopted = 0, destroyed = 0, vanished = 0;
    struct dr_error err = { 0 };
    char **vcs;

    if (!e->crashed) {
        /* The last engine stopped cleanly: nothing to repair, and nodes it
         * left mid-way wait for the operator (apply or retry). */
        pthread_mutex_lock(&e->mu);
        e->recovering = false;
        for (size_t i = 0; i < e->n_clusters; i++)
            if (e->clusters[i]->reconcile_wanted)
                eng_reconcile(e, e->clusters[i]);
        pthread_cond_broadcast(&e->cv);
        pthread_mutex_unlock(&e->mu);
        {
            char *msg = xasprintf(_("engine ready: %d workers; the last run stopped cleanly"),
                                  e->n_workers);

            engine_note(e, DR_LOG_INFO, msg);
            free(msg);
        }
        if (e->backend.ops->thread_done)
            e->backend.ops->thread_done(tctx);
        return NULL;
    }
    recover_open_clones(e, tctx, &adopted, &destroyed);
    pthread_mutex_lock(&e->mu);
    vcs = vcenters_in_use(e);
    pthread_mutex_unlock(&e->mu);
    for (size_t i = 0; vcs && vcs[i]; i++) {
        struct dr_vcenter vc = { 0 };
        const struct dr_vcenter *v;

        pthread_mutex_lock(&e->mu);
        v = eng_find_vcenter(e, vcs[i]);
        if (v)
            vcenter_copy(&vc, v);
        pthread_mutex_unlock(&e->mu);
        if (v)
            recover_owned(e, tctx, &vc, &adopted, &destroyed, &vanished);
        vcenter_done(&vc);
    }
    strv_free(&vcs);
    eng_save_all(e);

    pthread_mutex_lock(&e->mu);
    {
        struct eng_intent *keep = NULL;
        size_t n = e->n_open_clones;

        if (n) {
            keep = xcalloc(n, sizeof *keep);
            for (size_t i = 0; i < n; i++)
                eng_intent_copy(&keep[i], &e->open_clones[i]);
        }
        pthread_mutex_unlock(&e->mu);
        if (journal_compact(&e->journal, keep, n, &err) != DR_E_OK)
            log_error("%s", dr_error_text(&err));
        intents_free(keep, n);
        pthread_mutex_lock(&e->mu);
    }
    e->recovering = false;
    eng_reconcile_all(e);
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    {
        char *msg = xasprintf(_("recovery finished: %d VM(s) adopted, %d destroyed, %d node(s) "
                                "to recreate"), adopted, destroyed, vanished);

        engine_note(e, adopted || destroyed || vanished ? DR_LOG_WARN : DR_LOG_INFO, msg);
        free(msg);
    }
    eng_save_all(e);
    if (e->backend.ops->thread_done)
        e->backend.ops->thread_done(tctx);
    return NULL;
}
