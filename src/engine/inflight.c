/* Tasks a step started that may outlive the step: vCenter runs a task on
 * when its client stops waiting (a stop, a cancel, a crash, a lost
 * connection). A clone cut short keeps its journal intent open with its
 * task id, and whoever next touches the node (its clone step, its removal,
 * recovery at the next start) waits for that task and takes or destroys
 * its VM: never a second VM for a node, never a VM nothing tracks. Split
 * from worker.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"

/* A task-starting step cut short (a stop, a cancel) while its task ran:
 * reconfigure, power-on and destroy tasks take seconds in vCenter, so the
 * step waits for the task (up to ENG_SETTLE_S, the cancel put aside) and
 * takes its outcome; the stop's safe point is the task's end. */
enum dr_err
eng_settle_cut_task(struct dr_engine *e, void *tctx, struct eng_step *s, const char *task,
                enum dr_err rc, struct dr_error *err)
{
    atomic_bool *cancel = s->cancel;
    long long deadline = s->deadline_ms;
    enum eng_task_end end = ENG_TASK_RUNNING;
    struct dr_error serr = { 0 };
    char *result = NULL;

    if (e->backend.ops->task_settle == NULL)
        return rc;
    s->cancel = NULL;
    s->deadline_ms = util_now_ms() + (ENG_SETTLE_S + 5) * 1000LL;
    if (e->backend.ops->task_settle(tctx, s, task, false, ENG_SETTLE_S, &end, &result,
                                    &serr) != DR_E_OK)
        end = ENG_TASK_RUNNING;
    s->cancel = cancel;
    s->deadline_ms = deadline;
    free(result);
    if (end == ENG_TASK_SUCCESS) {
        step_log(s, "task %s finished before the step stopped", task);
        memset(err, 0, sizeof *err);
        return DR_E_OK;
    }
    if (end == ENG_TASK_ERROR) {
        *err = serr;
        return DR_E_FAULT;
    }
    return rc;
}

static long
seconds_left(const struct eng_step *s)
{
    long long left = (s->deadline_ms - util_now_ms()) / 1000;

    return left > 0 ? (long)left : 0;
}

/* A clone cut short while its task may still run in vCenter (a stop, an
 * operator's cancel, the step's time, a lost connection): vCenter runs a
 * CloneVM_Task on without its client, so the clone never ends as "failed"
 * while its VM may still appear (a second clone would follow).
 * - An operator's cancel asks vCenter to cancel the task (CancelTask) and
 *   waits up to ENG_CANCEL_WAIT_S: a VM it made all the same becomes the
 *   node's (the node stays in ERROR with it, tracked).
 * - A stop (SIGTERM) leaves the task running and stops at once: the next run
 *   takes its VM, so the clone's work is not lost.
 * A task still running stays an open intent with its task id (journal and
 * e->open_clones): the node's next clone step, its removal, or recovery at
 * the next start waits for it and adopts or destroys its VM. */
static enum dr_err
clone_cut(struct dr_engine *e, void *tctx, struct eng_step *s, const struct eng_intent *it,
          enum dr_err rc, struct dr_error *err)
{
    struct eng_run *r = s->priv;
    enum eng_task_end end = ENG_TASK_RUNNING;
    char *vm = NULL;
    bool operator_cancel;

    pthread_mutex_lock(&e->mu);
    operator_cancel = atomic_load(&r->job->cancel) && !r->job->keep_state;
    pthread_mutex_unlock(&e->mu);
    if (operator_cancel && e->backend.ops->task_settle) {
        atomic_bool *cancel = s->cancel;
        long long deadline = s->deadline_ms;
        struct dr_error serr = { 0 };

        s->cancel = NULL;
        s->deadline_ms = util_now_ms() + (ENG_CANCEL_WAIT_S + 5) * 1000LL;
        step_log(s, "asking vCenter to cancel clone task %s", it->task);
        if (e->backend.ops->task_settle(tctx, s, it->task, true, ENG_CANCEL_WAIT_S, &end, &vm,
                                        &serr) != DR_E_OK)
            end = ENG_TASK_RUNNING;
        s->cancel = cancel;
        s->deadline_ms = deadline;
    }
    if (end == ENG_TASK_SUCCESS && !str_empty(vm)) {
        free(s->node.vm_id);
        s->node.vm_id = vm;
        step_log(s, "clone task %s finished before the cancel reached vCenter: VM %s stays "
                 "with the node", it->task, vm);
        journal_result(&e->journal, it->seq, true, vm, NULL, NULL);
        pthread_mutex_lock(&e->mu);
        eng_drop_open_clone(e, it->cluster, it->node);
        pthread_mutex_unlock(&e->mu);
        return rc;
    }
    free(vm);
    if (end != ENG_TASK_RUNNING) {
        step_log(s, "clone task %s ended without a VM", it->task);
        journal_result(&e->journal, it->seq, false, NULL, dr_error_text(err), NULL);
        pthread_mutex_lock(&e->mu);
        eng_drop_open_clone(e, it->cluster, it->node);
        pthread_mutex_unlock(&e->mu);
        return rc;
    }
    pthread_mutex_lock(&e->mu);
    eng_keep_open_clone(e, it);
    pthread_mutex_unlock(&e->mu);
    step_log(s, "clone task %s still runs in vCenter; this node's next clone step (or the next "
             "start) waits for it and takes its VM", it->task);
    return rc;
}

/* The clone, journaled: a clone whose task may still run when its step is
 * cut short keeps its intent open (clone_cut) instead of failing. */
enum dr_err
eng_journaled_clone(struct dr_engine *e, void *tctx, struct eng_step *s, struct dr_error *err)
{
    struct eng_run *r = s->priv;
    unsigned long seq = journal_intent(&e->journal, "clone", s->spec->name, s->node.name,
                                       s->node.name, NULL, err);
    enum dr_err rc;

    if (seq == 0)
        return err->code;
    r->intent_seq = seq;
    xfree(&r->task);
    rc = e->backend.ops->clone(tctx, s, err);
    r->intent_seq = 0;
    /* DR_E_FAULT: the task itself ended in an error (or was never made). */
    if (rc != DR_E_OK && rc != DR_E_FAULT && r->task && str_empty(s->node.vm_id)) {
        struct eng_intent it = { .seq = seq, .time = (long long)time(NULL), .op = (char *)"clone",
                                 .cluster = (char *)s->spec->name, .node = s->node.name,
                                 .name = s->node.name, .task = r->task };

        return clone_cut(e, tctx, s, &it, rc, err);
    }
    if (rc == DR_E_CANCELLED && r->task == NULL) {
        /* Cancelled with no task known: the vSphere backend never cuts a
         * sent request, but a backend that does may have left a clone
         * behind, so the intent stays open and the next start looks for
         * its VM by name before cloning (recover.c). */
        struct eng_intent it = { .seq = seq, .time = (long long)time(NULL), .op = (char *)"clone",
                                 .cluster = (char *)s->spec->name, .node = s->node.name,
                                 .name = s->node.name };

        pthread_mutex_lock(&e->mu);
        if (eng_open_clone(e, it.cluster, it.node) == NULL)
            eng_keep_open_clone(e, &it);
        pthread_mutex_unlock(&e->mu);
        return rc;
    }
    if (journal_result(&e->journal, seq, rc == DR_E_OK, s->node.vm_id,
                       rc == DR_E_OK ? NULL : dr_error_text(err), NULL) != DR_E_OK)
        log_error("cannot record the result of clone %s/%s in the journal", s->spec->name,
                  s->node.name);
    return rc;
}

/* The node's open clone intent with a task (an earlier step or run was cut
 * while it ran), copied into *it; false when there is none. */
static bool
open_clone_task(struct dr_engine *e, struct eng_step *s, struct eng_intent *it)
{
    struct eng_run *r = s->priv;
    const struct eng_intent *o;
    bool have;

    memset(it, 0, sizeof *it);
    pthread_mutex_lock(&e->mu);
    o = eng_open_clone(e, r->cluster, r->node);
    have = o && !str_empty(o->task) && e->backend.ops->task_settle;
    if (have)
        eng_intent_copy(it, o);
    pthread_mutex_unlock(&e->mu);
    return have;
}

/* Close open clone intent it with what its task came to. */
static void
close_open_clone(struct dr_engine *e, const struct eng_intent *it, bool ok, const char *vm,
                 const char *reason)
{
    journal_result(&e->journal, it->seq, ok, vm, reason, NULL);
    pthread_mutex_lock(&e->mu);
    eng_drop_open_clone(e, it->cluster, it->node);
    pthread_mutex_unlock(&e->mu);
}

/* Before cloning: the node's clone task from an earlier step or run still
 * open is waited for (within the step's time): its VM becomes the node's
 * (*done). A task that failed, or that vCenter no longer knows, lets the
 * step look for the VM by name and owner marker and clone as usual. */
enum dr_err
eng_resume_clone(struct dr_engine *e, void *tctx, struct eng_step *s, bool *done,
             struct dr_error *err)
{
    struct eng_intent it;
    enum eng_task_end end = ENG_TASK_RUNNING;
    char *vm = NULL;
    enum dr_err rc;

    *done = false;
    if (!open_clone_task(e, s, &it))
        return DR_E_OK;
    step_progress(s, 5, _("waiting for clone task %s of an earlier run"), it.task);
    rc = e->backend.ops->task_settle(tctx, s, it.task, false, (int)seconds_left(s), &end, &vm,
                                     err);
    if (rc == DR_E_OK && end == ENG_TASK_RUNNING) {
        if (step_cancelled(s)) {
            rc = dr_error_set(err, DR_E_CANCELLED, _("cancelled while waiting for clone task %s"),
                              it.task);
            rc = clone_cut(e, tctx, s, &it, rc, err);
        } else {
            rc = dr_error_set(err, DR_E_TIMEOUT,
                              _("clone task %s still running when the step's time ran out"),
                              it.task);
        }
    }
    if (rc == DR_E_OK) {
        switch (end) {
        case ENG_TASK_SUCCESS:
            if (!str_empty(vm)) {
                step_log(s, "clone task %s of an earlier run finished: VM %s", it.task, vm);
                free(s->node.vm_id);
                s->node.vm_id = vm;
                vm = NULL;
                close_open_clone(e, &it, true, s->node.vm_id, NULL);
                *done = true;
                break;
            }
            /* No result to take: as a failed task. */
            __attribute__((fallthrough));
        case ENG_TASK_ERROR:
            step_log(s, "clone task %s of an earlier run failed (%s); cloning afresh", it.task,
                     dr_error_text(err));
            close_open_clone(e, &it, false, NULL, dr_error_text(err));
            memset(err, 0, sizeof *err);
            break;
        default:
            step_log(s, "vCenter no longer knows clone task %s; looking for its VM by name and "
                     "owner marker", it.task);
            close_open_clone(e, &it, false, NULL, "task gone");
            break;
        }
    }
    free(vm);
    intent_done(&it);
    return rc;
}

/* Before a removal: the node's clone task still open (an earlier run was
 * stopped or killed while it ran) is cancelled and waited for, so that its
 * VM cannot appear after the removal; *extra (caller frees) gets a VM it
 * made that is not s->node.vm_id. */
enum dr_err
eng_settle_for_removal(struct dr_engine *e, void *tctx, struct eng_step *s, char **extra,
                   struct dr_error *err)
{
    struct eng_intent it;
    enum eng_task_end end = ENG_TASK_RUNNING;
    char *vm = NULL;
    enum dr_err rc;

    *extra = NULL;
    if (!open_clone_task(e, s, &it))
        return DR_E_OK;
    step_progress(s, 5, _("cancelling clone task %s"), it.task);
    rc = e->backend.ops->task_settle(tctx, s, it.task, true, (int)seconds_left(s), &end, &vm,
                                     err);
    if (rc == DR_E_OK && end == ENG_TASK_RUNNING)
        rc = dr_error_set(err, step_cancelled(s) ? DR_E_CANCELLED : DR_E_TIMEOUT,
                          _("clone task %s is still running in vCenter; remove the node again "
                            "once it has ended"), it.task);
    if (rc == DR_E_OK) {
        if (end == ENG_TASK_SUCCESS && !str_empty(vm)) {
            step_log(s, "clone task %s had made VM %s", it.task, vm);
            close_open_clone(e, &it, true, vm, NULL);
            if (str_empty(s->node.vm_id)) {
                free(s->node.vm_id);
                s->node.vm_id = vm;
            } else if (!str_eq(s->node.vm_id, vm)) {
                *extra = vm;
            } else {
                free(vm);
            }
            vm = NULL;
        } else {
            close_open_clone(e, &it, false, NULL,
                             end == ENG_TASK_GONE ? "task gone" : dr_error_text(err));
            memset(err, 0, sizeof *err);
        }
    }
    free(vm);
    intent_done(&it);
    return rc;
}


/* The node's first settling intent with a task (a reconfigure or power-on
 * in flight at a crash), copied into *it; false when there is none. */
static bool
settling_task(struct dr_engine *e, struct eng_step *s, struct eng_intent *it)
{
    struct eng_run *r = s->priv;
    bool have = false;

    memset(it, 0, sizeof *it);
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_settling && !have; i++) {
        const struct eng_intent *o = &e->settling[i];

        if (str_eq(o->cluster, r->cluster) && str_eq(o->node, r->node) && !str_empty(o->task)) {
            eng_intent_copy(it, o);
            have = true;
        }
    }
    pthread_mutex_unlock(&e->mu);
    return have && e->backend.ops->task_settle;
}

static void
drop_settling(struct dr_engine *e, unsigned long seq)
{
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_settling; i++) {
        if (e->settling[i].seq != seq)
            continue;
        intent_done(&e->settling[i]);
        memmove(&e->settling[i], &e->settling[i + 1],
                (e->n_settling - i - 1) * sizeof *e->settling);
        e->n_settling--;
        break;
    }
    pthread_mutex_unlock(&e->mu);
}

enum dr_err
eng_settle_earlier(struct dr_engine *e, void *tctx, struct eng_step *s, struct dr_error *err)
{
    struct eng_intent it;

    while (settling_task(e, s, &it)) {
        enum eng_task_end end = ENG_TASK_RUNNING;
        char *vm = NULL;
        enum dr_err rc;

        step_progress(s, 0, _("waiting for %s task %s sent before the crash"), it.op, it.task);
        rc = e->backend.ops->task_settle(tctx, s, it.task, false, (int)seconds_left(s), &end,
                                         &vm, err);
        free(vm);
        if (rc == DR_E_OK && end == ENG_TASK_RUNNING)
            rc = dr_error_set(err, step_cancelled(s) ? DR_E_CANCELLED : DR_E_TIMEOUT,
                              _("%s task %s sent before the crash is still running"), it.op,
                              it.task);
        if (rc != DR_E_OK) {
            intent_done(&it);
            return rc;
        }
        /* Whatever it came to, the step now runs (again) on a quiet VM. */
        step_log(s, "%s task %s sent before the crash has ended", it.op, it.task);
        memset(err, 0, sizeof *err);
        drop_settling(e, it.seq);
        intent_done(&it);
    }
    return DR_E_OK;
}

enum dr_err
eng_wait_unknown_clone(struct dr_engine *e, void *tctx, struct eng_step *s,
                       struct dr_error *err)
{
    const struct eng_backend_ops *ops = e->backend.ops;
    struct eng_run *r = s->priv;
    const struct eng_intent *o;
    char **tasks = NULL;
    enum dr_err rc;
    bool open;

    pthread_mutex_lock(&e->mu);
    o = eng_open_clone(e, r->cluster, r->node);
    open = o && str_empty(o->task);
    pthread_mutex_unlock(&e->mu);
    if (!open || ops->source_tasks == NULL || ops->task_settle == NULL)
        return DR_E_OK;
    rc = ops->source_tasks(tctx, s, &tasks, err);
    for (size_t i = 0; rc == DR_E_OK && tasks && tasks[i]; i++) {
        enum eng_task_end end = ENG_TASK_RUNNING;
        char *vm = NULL;

        step_progress(s, 5, _("waiting for task %s on the clone source: an earlier run's clone "
                              "of this node may be it"), tasks[i]);
        rc = ops->task_settle(tctx, s, tasks[i], false, (int)seconds_left(s), &end, &vm, err);
        free(vm);
        if (rc == DR_E_OK && end == ENG_TASK_RUNNING)
            rc = dr_error_set(err, step_cancelled(s) ? DR_E_CANCELLED : DR_E_TIMEOUT,
                              _("task %s on the clone source is still running"), tasks[i]);
        if (rc == DR_E_OK)
            memset(err, 0, sizeof *err);
    }
    strv_free(&tasks);
    return rc;
}
