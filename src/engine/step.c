/* A step's context for the backends (struct eng_step): building it from a
 * node under the engine's lock, and the callbacks a backend reports through
 * (progress, log lines, the cancel flag). Split from worker.c. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/cloud.h"
#include "engine/internal.h"
#include "engine/plan.h"

/* Step timeouts when the settings give none (DESIGN.md defaults). */
int
eng_step_timeout_s(const struct dr_engine *e, enum dr_node_state step)
{
    static const int defaults[DR_NODE__COUNT] = {
        [DR_NODE_CLONING] = 1800,       [DR_NODE_CONFIGURING] = 300,
        [DR_NODE_POWERING_ON] = 300,    [DR_NODE_WAITING_FOR_IP] = 900,
        [DR_NODE_WAITING_FOR_SSH] = 600, [DR_NODE_BOOTSTRAPPING] = 1800,
        [DR_NODE_JOINING] = 900,        [DR_NODE_REMOVING] = 900,
    };
    int t = e->settings.step_timeout_s[step];

    return t > 0 ? t : (defaults[step] > 0 ? defaults[step] : 600);
}

/* Step callbacks for backends. */

void
step_progress(struct eng_step *s, int pct, const char *fmt, ...)
{
    struct eng_run *r = s->priv;
    char text[512] = "";
    va_list ap;

    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_lock(&r->e->mu);
    struct eng_cluster *c = eng_find_cluster(r->e, r->cluster);
    struct dr_node *n = eng_find_node(c, r->node);
    int overall = plan_percent(s->step, pct);

    if (n && n->state == s->step && overall > n->percent)
        n->percent = overall;
    r->job->percent = n ? n->percent : overall;
    if (fmt) {
        free(r->job->text);
        r->job->text = xstrdup(text);
    }
    struct dr_event ev = { .kind = DR_EV_PROGRESS, .job = r->job->id, .cluster = r->cluster,
                           .node = r->node, .state = s->step, .step = s->step,
                           .percent = r->job->percent, .text = text };
    eng_emit(r->e, &ev);
    pthread_mutex_unlock(&r->e->mu);
}

void
step_log(struct eng_step *s, const char *fmt, ...)
{
    struct eng_run *r = s->priv;
    char *text, *clean;
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    text = xmalloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)len + 1, fmt, ap);
    va_end(ap);
    clean = log_redact(text);
    eng_node_log(r->e, r->cluster, r->node, clean);
    struct dr_event ev = { .kind = DR_EV_LOG, .job = r->job->id, .cluster = r->cluster,
                           .node = r->node, .state = s->step, .step = s->step,
                           .text = clean };
    eng_emit(r->e, &ev);
    free(clean);
    free(text);
}

void
step_task(struct eng_step *s, const char *task_id)
{
    struct eng_run *r = s->priv;
    struct dr_error err = { 0 };

    if (r == NULL || str_empty(task_id))
        return;
    free(r->task);
    r->task = xstrdup(task_id);
    if (r->intent_seq == 0)
        return;
    if (journal_task(&r->e->journal, r->intent_seq, task_id, &err) != DR_E_OK)
        log_error("%s/%s: cannot record task %s in the journal: %s", r->cluster, r->node,
                  task_id, dr_error_text(&err));
}

bool
step_cancelled(const struct eng_step *s)
{
    return s->cancel && atomic_load(s->cancel);
}

bool
eng_step_init(struct dr_engine *e, struct eng_cluster *c, const struct dr_node *n,
              enum dr_node_state step, struct eng_step *s)
{
    const struct dr_pool *p = eng_find_pool(c, n->pool);
    const struct dr_template *t = p ? eng_find_template(e, p->template) : NULL;
    const struct dr_vcenter *v;
    struct dr_cluster *spec = xcalloc(1, sizeof *spec);
    struct dr_template *tc = xcalloc(1, sizeof *tc);
    struct dr_vcenter *vc = xcalloc(1, sizeof *vc);
    long first;

    memset(s, 0, sizeof *s);
    if (c->has_spec)
        cluster_copy(spec, &c->spec);
    else
        spec->name = xstrdup(c->name);
    s->spec = spec;
    for (size_t i = 0; i < spec->n_pools; i++)
        if (str_eq(spec->pools[i].name, n->pool))
            s->pool = &spec->pools[i];
    if (t)
        template_copy(tc, t);
    s->tmpl = tc;
    v = eng_find_vcenter(e, !str_empty(spec->vcenter) ? spec->vcenter : (t ? t->vcenter : NULL));
    /* Removing needs only the vCenter: with the template gone and the spec
     * naming none, the only one configured is the one. */
    if (v == NULL && step == DR_NODE_REMOVING && e->n_vcenters == 1)
        v = &e->vcenters[0];
    if (v)
        vcenter_copy(vc, v);
    s->vcenter = vc;
    eng_cloud_step_init(e, s);
    s->install_id = e->install_id;
    s->state_dir = e->state_dir;
    s->settings = &e->settings;
    node_copy(&s->node, n);
    s->owner = eng_owner(e, c->name, n->name);
    first = c->has_spec ? plan_first_server(&c->spec, c->status.nodes, c->status.n_nodes) : -1;
    s->first_server = first >= 0 && str_eq(c->status.nodes[first].name, n->name);
    if (first >= 0 && !s->first_server)
        s->server_ip = xstrdup0(c->status.nodes[first].ip);
    s->step = step;
    s->deadline_ms = util_now_ms() + (long long)eng_step_timeout_s(e, step) * 1000;
    return p != NULL && t != NULL && v != NULL;
}

void
eng_step_done(struct eng_step *s)
{
    struct dr_cluster *spec = (struct dr_cluster *)s->spec;
    struct dr_template *t = (struct dr_template *)s->tmpl;
    struct dr_vcenter *v = (struct dr_vcenter *)s->vcenter;

    if (spec) {
        cluster_done(spec);
        free(spec);
    }
    if (t) {
        template_done(t);
        free(t);
    }
    if (v) {
        vcenter_done(v);
        free(v);
    }
    eng_cloud_step_done(s);
    node_done(&s->node);
    free((char *)s->owner);
    free((char *)s->server_ip);
    memset(s, 0, sizeof *s);
}

