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

enum dr_err
vs_task_wait(struct vs_session *s, const char *task_id, const char *what, char **result_id,
             struct dr_error *e)
{
    static const char *const paths[] = {"info.state", "info.progress", "info.error", "info.result",
                                        NULL};
    struct task_state t = {0};
    long long deadline = util_now_ms() + s->task_timeout_s * 1000LL;
    int delay = 0, last_pct = -1;
    enum dr_err err;

    if (result_id)
        *result_id = NULL;
    for (;;) {
        if (delay > 0 && !vs_sleep(s, delay)) {
            task_state_done(&t);
            return dr_error_set(e, DR_E_CANCELLED,
                                _("vCenter %s: %s: cancelled while waiting for %s"), s->name, what,
                                task_id);
        }
        delay = delay ? (delay * 2 > 1000 ? 1000 : delay * 2) : 100;
        err = vs_retrieve_one(s, "Task", task_id, paths, on_task, &t, e);
        if (err != DR_E_OK) {
            task_state_done(&t);
            return err;
        }
        if (t.state == NULL) {
            task_state_done(&t);
            return dr_error_set(e, DR_E_PROTO, _("vCenter %s: %s: task %s has no state"), s->name,
                                what, task_id);
        }
        if (strcmp(t.state, "success") == 0) {
            if (s->progress)
                s->progress(s->progress_user, what, 100);
            if (result_id) {
                *result_id = t.result;
                t.result = NULL;
            }
            task_state_done(&t);
            return DR_E_OK;
        }
        if (strcmp(t.state, "error") == 0) {
            snprintf(s->last_fault, sizeof s->last_fault, "%s", t.fault ? t.fault : "SystemError");
            dr_error_set(e, DR_E_FAULT, _("vCenter %s: %s: %s%s%s"), s->name, what, s->last_fault,
                         t.message && *t.message ? ": " : "", t.message ? t.message : "");
            dr_error_cause(e, "fault:%s", s->last_fault);
            task_state_done(&t);
            return DR_E_FAULT;
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
vs_call_task(struct vs_session *s, struct soap_req *req, const char *what, char **result_id,
             struct dr_error *e)
{
    struct soap_resp resp;
    enum dr_err err;
    char *task;

    if (result_id)
        *result_id = NULL;
    err = vs_call(s, req, &resp, e);
    if (err != DR_E_OK)
        return err;
    task = soap_child_text(resp.result, "returnval");
    soap_resp_done(&resp);
    if (str_empty(task)) {
        free(task);
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: %s returned no task"), s->name, what);
    }
    log_debug("vCenter %s: %s: task %s", s->name, what, task);
    err = vs_task_wait(s, task, what, result_id, e);
    free(task);
    return err;
}
