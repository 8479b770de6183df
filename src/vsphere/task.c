#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "vsphere/internal.h"

struct task_state {
    char *state; /* queued, running, success, error */
    int progress;
    char *result; /* managed object id from info.result */
    char *fault;
    char *message;
};

static void
task_state_done(struct task_state *t)
{
    free(t->state);
    free(t->result);
    free(t->fault);
    free(t->message);
    memset(t, 0, sizeof *t);
}

static enum dr_err
on_task(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct task_state *t = user;
    xmlNodePtr res = vs_prop(oc, "info.result");
    xmlNodePtr err = vs_prop(oc, "info.error");

    task_state_done(t);
    t->state = vs_prop_text(oc, "info.state");
    t->progress = -1;
    {
        char *p = vs_prop_text(oc, "info.progress");
        if (p)
            t->progress = atoi(p);
        free(p);
    }
    if (res && xmlHasNsProp(res, BAD_CAST "type", NULL))
        t->result = soap_text(res);
    if (err) {
        xmlNodePtr f = soap_child(err, "fault");
        t->fault = soap_fault_name(f);
        t->message = soap_child_text(err, "localizedMessage");
        /* The simulator's messages are Go type names; a real vCenter's are
         * sentences. Prefer the fault's fields over a type name. */
        if (t->message == NULL || *t->message == '\0' || str_has_prefix(t->message, "*types.")) {
            free(t->message);
            t->message = soap_fault_details(f);
        }
    }
    return DR_E_OK;
}

/* One look at the task; *gone when vCenter no longer knows it. */
static enum dr_err
look(struct vs_session *s, const char *task_id, struct task_state *t, bool *gone,
     struct dr_error *e)
{
    static const char *const paths[] = {"info.state", "info.progress", "info.error", "info.result",
                                        NULL};
    enum dr_err err = vs_retrieve_one(s, "Task", task_id, paths, on_task, t, e);

    *gone = false;
    if (err == DR_E_FAULT && strcmp(s->last_fault, "ManagedObjectNotFound") == 0) {
        *gone = true;
        return DR_E_OK;
    }
    if (err != DR_E_OK)
        return err;
    if (t->state == NULL) {
        /* Not in the answer at all: vCenter dropped it meanwhile. */
        *gone = true;
        return DR_E_OK;
    }
    return DR_E_OK;
}

/* The same look with the cancel flag put aside: the last one after a
 * cancel, so that a task that has ended is not reported as running. */
static enum dr_err
look_uncancelled(struct vs_session *s, const char *task_id, struct task_state *t, bool *gone,
                 struct dr_error *e)
{
    const atomic_bool *cancel = s->cancel;
    enum dr_err err;

    s->cancel = NULL;
    err = look(s, task_id, t, gone, e);
    s->cancel = cancel;
    return err;
}

/* The end a task state names; for an error, e gets its fault. */
static enum vs_task_end
task_end(struct vs_session *s, const struct task_state *t, const char *what,
         struct dr_error *e)
{
    if (strcmp(t->state, "success") == 0)
        return VS_TASK_SUCCESS;
    if (strcmp(t->state, "error") == 0) {
        snprintf(s->last_fault, sizeof s->last_fault, "%s", t->fault ? t->fault : "SystemError");
        dr_error_set(e, DR_E_FAULT, _("vCenter %s: %s: %s%s%s"), s->name, what, s->last_fault,
                     t->message && *t->message ? ": " : "", t->message ? t->message : "");
        dr_error_cause(e, "fault:%s", s->last_fault);
        return VS_TASK_ERROR;
    }
    return VS_TASK_RUNNING;
}

enum dr_err
vs_task_wait(struct vs_session *s, const char *task_id, const char *what, char **result_id,
             struct dr_error *e)
{
    struct task_state t = {0};
    long long deadline = util_now_ms() + s->task_timeout_s * 1000LL;
    int delay = 0, last_pct = -1;
    enum dr_err err;
    bool gone;

    if (result_id)
        *result_id = NULL;
    for (;;) {
        if (delay > 0 && !vs_sleep(s, delay)) {
            /* Cancelled: one last look, so that a task that has ended
             * meanwhile counts (its VM exists) rather than "cancelled". */
            err = look_uncancelled(s, task_id, &t, &gone, e);
            if (err != DR_E_OK || gone || strcmp(t.state, "success") != 0) {
                enum vs_task_end end = err == DR_E_OK && !gone ? task_end(s, &t, what, e)
                                                               : VS_TASK_RUNNING;

                task_state_done(&t);
                if (end == VS_TASK_ERROR)
                    return DR_E_FAULT;
                return dr_error_set(e, DR_E_CANCELLED,
                                    _("vCenter %s: %s: cancelled while waiting for %s"), s->name,
                                    what, task_id);
            }
        } else {
            delay = delay ? (delay * 2 > 1000 ? 1000 : delay * 2) : 100;
            err = look(s, task_id, &t, &gone, e);
            if (err != DR_E_OK) {
                task_state_done(&t);
                return err;
            }
            if (gone) {
                task_state_done(&t);
                return dr_error_set(e, DR_E_PROTO, _("vCenter %s: %s: task %s has no state"),
                                    s->name, what, task_id);
            }
        }
        switch (task_end(s, &t, what, e)) {
        case VS_TASK_SUCCESS:
            if (s->progress)
                s->progress(s->progress_user, what, 100);
            if (result_id) {
                *result_id = t.result;
                t.result = NULL;
            }
            task_state_done(&t);
            return DR_E_OK;
        case VS_TASK_ERROR:
            task_state_done(&t);
            return DR_E_FAULT;
        default:
            break;
        }
        if (t.progress >= 0 && t.progress != last_pct && s->progress) {
            last_pct = t.progress;
            s->progress(s->progress_user, what, t.progress);
        }
        if (util_now_ms() > deadline) {
            task_state_done(&t);
            return dr_error_set(e, DR_E_TIMEOUT,
                                _("vCenter %s: %s: task %s still running after %ld s"), s->name,
                                what, task_id, s->task_timeout_s);
        }
    }
}

enum dr_err
vs_task_poll(struct vs_session *s, const char *task_id, enum vs_task_end *end, char **result_id,
             struct dr_error *e)
{
    struct task_state t = {0};
    bool gone;
    enum dr_err err = look(s, task_id, &t, &gone, e);

    *end = VS_TASK_RUNNING;
    if (result_id)
        *result_id = NULL;
    if (err != DR_E_OK) {
        task_state_done(&t);
        return err;
    }
    *end = gone ? VS_TASK_GONE : task_end(s, &t, "Task", e);
    if (*end == VS_TASK_SUCCESS && result_id) {
        *result_id = t.result;
        t.result = NULL;
    }
    task_state_done(&t);
    return DR_E_OK;
}

enum dr_err
vs_task_settle(struct vs_session *s, const char *task_id, bool cancel_it, int wait_s,
               enum vs_task_end *end, char **result_id, struct dr_error *e)
{
    long long deadline = util_now_ms() + (wait_s > 0 ? wait_s : 0) * 1000LL;
    int delay = 100;
    enum dr_err err;

    *end = VS_TASK_RUNNING;
    if (result_id)
        *result_id = NULL;
    if (cancel_it) {
        struct soap_req req;
        struct soap_resp resp;
        struct dr_error ce = {0};

        /* vCenter refuses a task that has ended (InvalidState) or that
         * cannot be cancelled (NotSupported): the wait below tells. */
        soap_req_init(&req, "CancelTask");
        soap_add_moref(req.method, "_this", "Task", task_id);
        if (vs_call(s, &req, &resp, &ce) == DR_E_OK)
            soap_resp_done(&resp);
        else
            log_info("vCenter %s: CancelTask %s: %s", s->name, task_id, dr_error_text(&ce));
        soap_req_done(&req);
    }
    for (;;) {
        err = vs_task_poll(s, task_id, end, result_id, e);
        if (err != DR_E_OK || *end != VS_TASK_RUNNING)
            return err;
        if (util_now_ms() >= deadline || !vs_sleep(s, delay))
            return DR_E_OK;
        delay = delay * 2 > 1000 ? 1000 : delay * 2;
    }
}

static enum dr_err
on_recent(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    char ***ids = user;
    xmlNodePtr list = vs_prop(oc, "recentTask");

    for (xmlNodePtr t = list ? list->children : NULL; t; t = t->next) {
        char *v;

        if (t->type != XML_ELEMENT_NODE)
            continue;
        v = soap_text(t);
        if (!str_empty(v))
            strv_push(ids, v);
        free(v);
    }
    return DR_E_OK;
}

struct task_on {
    char *state;
    char *entity;
};

static enum dr_err
on_task_entity(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct task_on *t = user;

    free(t->state);
    free(t->entity);
    t->state = vs_prop_text(oc, "info.state");
    t->entity = vs_prop_text(oc, "info.entity");
    return DR_E_OK;
}

enum dr_err
vs_running_tasks_on(struct vs_session *s, const char *entity_id, char ***task_ids,
                    struct dr_error *e)
{
    static const char *const recent[] = {"recentTask", NULL};
    static const char *const info[] = {"info.state", "info.entity", NULL};
    char **all = NULL;
    enum dr_err err;

    *task_ids = NULL;
    if (str_empty(s->task_manager))
        return DR_E_OK;
    err = vs_retrieve_one(s, "TaskManager", s->task_manager, recent, on_recent, &all, e);
    for (size_t i = 0; err == DR_E_OK && all && all[i]; i++) {
        struct task_on t = {0};

        err = vs_retrieve_one(s, "Task", all[i], info, on_task_entity, &t, e);
        if (err == DR_E_FAULT && strcmp(s->last_fault, "ManagedObjectNotFound") == 0)
            err = DR_E_OK; /* ended and forgotten meanwhile */
        if (err == DR_E_OK && str_eq(t.entity, entity_id) &&
            (str_eq(t.state, "queued") || str_eq(t.state, "running")))
            strv_push(task_ids, all[i]);
        free(t.state);
        free(t.entity);
    }
    strv_free(&all);
    if (err != DR_E_OK)
        strv_free(task_ids);
    return err;
}

enum dr_err
vs_call_task(struct vs_session *s, struct soap_req *req, const char *what, char **result_id,
             struct dr_error *e)
{
    struct soap_resp resp;
    const atomic_bool *cancel = s->cancel;
    enum dr_err err;
    char *task;

    if (result_id)
        *result_id = NULL;
    if (vs_cancelled(s))
        return dr_error_set(e, DR_E_CANCELLED, _("vCenter %s: cancelled"), s->name);
    /* Once sent, the request is not cut: vCenter may start the task
     * anyway, and only its id lets a stopped run find it again. */
    s->cancel = NULL;
    err = vs_call(s, req, &resp, e);
    s->cancel = cancel;
    if (err != DR_E_OK)
        return err;
    task = soap_child_text(resp.result, "returnval");
    soap_resp_done(&resp);
    if (str_empty(task)) {
        free(task);
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: %s returned no task"), s->name, what);
    }
    log_debug("vCenter %s: %s: task %s", s->name, what, task);
    if (s->task_hook)
        s->task_hook(s->task_user, what, task);
    err = vs_task_wait(s, task, what, result_id, e);
    free(task);
    return err;
}
