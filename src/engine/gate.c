/* The pre-clone gate: before a cluster's first clone after an apply (or a
 * retry, or a start), one worker runs preflight's checks (eng_preflight_run:
 * placement, capacity, template readiness, names, privileges, for the VMs
 * still to be created) against the cluster's vCenters and collects every
 * problem at once; after an apply whose caller ran preflight itself
 * (`drover apply`, or its --skip-preflight) only the templates' names and
 * tags are resolved again (backend op check_templates without options).
 * Errors stop the clones; warnings and notes are events, never a stop. While it runs, the cluster's other clones wait; when it
 * finds anything, no clone of the cluster starts and each node waiting to
 * be cloned fails naming the problems, so nothing is created in vCenter. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"

static struct dr_finding *
finding_vadd(struct eng_problems *p, const struct dr_template *t, enum dr_tfield f,
             const char *field, enum dr_severity sev, const char *check, const char *object,
             const char *fix, const char *fmt, va_list ap)
{
    struct dr_finding *d;
    va_list ap2;
    int len;

    p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
    d = &p->v[p->n++];
    memset(d, 0, sizeof *d);
    d->severity = sev;
    d->check = xstrdup(check ? check : "placement");
    if (t) {
        d->file = t->origin.file ? xstrdup(t->origin.file)
                                 : xasprintf(_("template %s"), t->name ? t->name : "?");
        d->line = (unsigned)f < DR_TF__COUNT && t->line[f] > 0 ? t->line[f] : t->origin.line;
        d->field = field ? xstrdup(field)
                   : (unsigned)f < DR_TF__COUNT ? xstrdup(template_field_key(f)) : NULL;
    } else {
        d->field = xstrdup0(field);
    }
    d->object = xstrdup0(object);
    d->fix = xstrdup0(fix);
    va_copy(ap2, ap);
    len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    d->message = xmalloc((size_t)len + 1);
    vsnprintf(d->message, (size_t)len + 1, fmt, ap);
    return d;
}

void
eng_problem_add(struct eng_problems *p, const struct dr_template *t, enum dr_tfield f,
                const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    finding_vadd(p, t, f, field, DR_SEV_ERROR, "placement", NULL, NULL, fmt, ap);
    va_end(ap);
}

struct dr_finding *
eng_finding_add(struct eng_problems *p, const struct dr_template *t, enum dr_tfield f,
                const char *field, enum dr_severity sev, const char *check, const char *object,
                const char *fix, const char *fmt, ...)
{
    struct dr_finding *d;
    va_list ap;

    va_start(ap, fmt);
    d = finding_vadd(p, t, f, field, sev, check, object, fix, fmt, ap);
    va_end(ap);
    return d;
}

void
finding_done(struct dr_finding *f)
{
    free(f->check);
    free(f->file);
    free(f->field);
    free(f->object);
    free(f->message);
    free(f->fix);
    memset(f, 0, sizeof *f);
}

void
eng_problems_done(struct eng_problems *p)
{
    for (size_t i = 0; i < p->n; i++)
        finding_done(&p->v[i]);
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

const char *
severity_key(enum dr_severity s)
{
    switch (s) {
    case DR_SEV_ERROR:
        return "error";
    case DR_SEV_WARNING:
        return "warning";
    case DR_SEV_NOTE:
        return "note";
    }
    return "?";
}

/* The gate's form, as store_diag_format: "file:line: field: message". */
static char *
problem_format(const struct dr_finding *f)
{
    struct dr_diag d = { .file = f->file ? f->file : (char *)"", .line = f->line,
                         .field = f->field, .message = f->message };

    return store_diag_format(&d);
}

char *
finding_format(const struct dr_finding *f)
{
    char *where = f->file ? problem_format(f) : NULL;
    char *out;

    if (where == NULL)
        where = f->field ? xasprintf("%s: %s", f->field, f->message) : xstrdup(f->message);
    if (f->object && f->fix)
        out = xasprintf(_("%s: %s [%s] (fix: %s)"), severity_key(f->severity), where, f->object,
                        f->fix);
    else if (f->object)
        out = xasprintf(_("%s: %s [%s]"), severity_key(f->severity), where, f->object);
    else if (f->fix)
        out = xasprintf(_("%s: %s (fix: %s)"), severity_key(f->severity), where, f->fix);
    else
        out = xasprintf("%s: %s", severity_key(f->severity), where);
    free(where);
    return out;
}

/* Severity first, then file order: by file, then line (a stable order of
 * fields on one line is kept by comparing the field names last). */
int
eng_finding_cmp(const void *a, const void *b)
{
    const struct dr_finding *x = a, *y = b;
    int c = (int)x->severity - (int)y->severity;

    if (c == 0)
        c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (c == 0)
        c = x->line < y->line ? -1 : x->line > y->line;
    if (c == 0)
        c = strcmp(x->field ? x->field : "", y->field ? y->field : "");
    return c ? c : strcmp(x->message, y->message);
}

/* The templates (with their vCenters) of c's pools that clone anything,
 * each once, as copies; problems for what is not configured at all. */
static void
collect_items(struct dr_engine *e, struct eng_cluster *c, struct eng_check_item **items,
              size_t *n, struct eng_problems *probs)
{
    *items = xcalloc(c->spec.n_pools + 1, sizeof **items);
    *n = 0;
    for (size_t i = 0; i < c->spec.n_pools; i++) {
        const struct dr_pool *p = &c->spec.pools[i];
        const struct dr_template *t = eng_find_template(e, p->template);
        const struct dr_vcenter *v;
        struct dr_template *tc;
        struct dr_vcenter *vc;
        bool seen = false;

        if (p->quantity <= 0)
            continue;
        if (t == NULL) {
            struct dr_template fake = { .origin = p->origin };
            char *f = xasprintf("pools.%s.template", p->name ? p->name : "?");

            fake.origin.file = c->spec.origin.file ? c->spec.origin.file : p->origin.file;
            eng_problem_add(probs, &fake, DR_TF__COUNT, f, _("no template '%s' in %s/templates"),
                            p->template ? p->template : "", e->config_dir);
            free(f);
            continue;
        }
        for (size_t k = 0; k < *n; k++)
            seen = seen || str_eq((*items)[k].tmpl->name, t->name);
        if (seen)
            continue;
        v = eng_find_vcenter(e, !str_empty(c->spec.vcenter) ? c->spec.vcenter : t->vcenter);
        if (v == NULL) {
            eng_problem_add(probs, t, DR_TF_VCENTER, NULL, _("no vCenter '%s' in %s/vcenters.cfg"),
                            !str_empty(c->spec.vcenter) ? c->spec.vcenter
                                                        : (t->vcenter ? t->vcenter : ""),
                            e->config_dir);
            continue;
        }
        tc = xcalloc(1, sizeof *tc);
        vc = xcalloc(1, sizeof *vc);
        template_copy(tc, t);
        vcenter_copy(vc, v);
        (*items)[*n].tmpl = tc;
        (*items)[(*n)++].vcenter = vc;
    }
}

static void
items_free(struct eng_check_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct dr_template *t = (struct dr_template *)items[i].tmpl;
        struct dr_vcenter *v = (struct dr_vcenter *)items[i].vcenter;

        template_done(t);
        vcenter_done(v);
        free(t);
        free(v);
    }
    free(items);
}

static size_t
count_errors(const struct eng_problems *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++)
        n += p->v[i].severity == DR_SEV_ERROR;
    return n;
}

static enum dr_err
gate_failed(struct eng_cluster *c, struct dr_error *err)
{
    enum dr_err rc = dr_error_set(err, DR_E_INVAL, "%s", c->gate_error ? c->gate_error : "");

    dr_error_cause(err, "gate:problems"); /* classify.c: its own "to fix" */
    return rc;
}

/* Warnings and notes of the check as the cluster's events and in
 * drover.log; they never stop a clone. Callers hold mu. */
static void
gate_report_notes(struct dr_engine *e, struct eng_cluster *c, struct eng_problems *probs)
{
    if (probs->n > 1)
        qsort(probs->v, probs->n, sizeof *probs->v, eng_finding_cmp);
    for (size_t i = 0; i < probs->n; i++) {
        char *line;
        struct dr_event ev = { .kind = DR_EV_CLUSTER, .cluster = c->name,
                               .cluster_state = c->state };

        if (probs->v[i].severity == DR_SEV_ERROR)
            continue;
        line = finding_format(&probs->v[i]);
        ev.level = probs->v[i].severity == DR_SEV_WARNING ? DR_LOG_WARN : DR_LOG_INFO;
        ev.text = line;
        if (probs->v[i].severity == DR_SEV_WARNING)
            log_warn("cluster %s: pre-clone check: %s", c->name, line);
        else
            log_info("cluster %s: pre-clone check: %s", c->name, line);
        eng_emit(e, &ev);
        free(line);
    }
}

enum dr_err
eng_gate(struct dr_engine *e, void *tctx, struct eng_step *s, struct dr_error *err)
{
    struct eng_cluster *c;
    struct eng_check_item *items = NULL;
    struct eng_pf_copy *pf = NULL;
    struct eng_problems probs = { 0 };
    size_t n = 0;
    unsigned long gen;
    bool full;
    enum dr_err rc = DR_E_OK;

    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, s->spec->name);
    /* Another worker is checking: its answer holds for this clone too. */
    while (c && c->gate == ENG_GATE_RUNNING && !step_cancelled(s)) {
        pthread_cond_wait(&e->cv, &e->mu);
        c = eng_find_cluster(e, s->spec->name);
    }
    if (c == NULL || !c->has_spec || c->gate == ENG_GATE_PASSED) {
        pthread_mutex_unlock(&e->mu);
        return DR_E_OK;
    }
    if (step_cancelled(s)) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_CANCELLED, _("cancelled"));
    }
    if (c->gate == ENG_GATE_FAILED) {
        rc = gate_failed(c, err);
        pthread_mutex_unlock(&e->mu);
        return rc;
    }
    c->gate = ENG_GATE_RUNNING;
    gen = c->gate_gen;
    full = !c->gate_light;
    if (!full)
        collect_items(e, c, &items, &n, &probs);
    else
        pf = eng_pf_copy_take(e, c);
    pthread_mutex_unlock(&e->mu);

    if (pf) {
        struct eng_pf_input in;
        struct dr_preflight *p = NULL;

        step_progress(s, 1, _("preflight: checking the cluster against vCenter"));
        eng_pf_copy_input(pf, s, &in);
        rc = eng_preflight_run(&e->backend, tctx, &in, &p, err);
        if (rc == DR_E_OK) { /* its findings become the gate's problems */
            probs.v = p->v;
            probs.n = p->n;
            p->v = NULL;
            p->n = 0;
        }
        preflight_free(&p);
        eng_pf_copy_free(pf);
    } else {
        step_progress(s, 1, _("checking the templates against vCenter"));
        if (e->backend.ops->check_templates && n > 0)
            rc = e->backend.ops->check_templates(tctx, s, items, n, NULL, &probs, err);
        items_free(items, n);
    }

    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, s->spec->name);
    if (c == NULL) {
        pthread_mutex_unlock(&e->mu);
        eng_problems_done(&probs);
        return rc;
    }
    if (rc != DR_E_OK || c->gate_gen != gen) {
        /* Not decided (vCenter unreachable, or a newer apply came in): the
         * next clone checks again. */
        c->gate = ENG_GATE_UNCHECKED;
        if (rc == DR_E_OK)
            rc = dr_error_set(err, DR_E_BUSY, _("the cluster was applied again during the check"));
    } else if (count_errors(&probs) > 0) {
        char *first;
        size_t n_err = count_errors(&probs);

        qsort(probs.v, probs.n, sizeof *probs.v, eng_finding_cmp);
        first = problem_format(&probs.v[0]);
        c->gate = ENG_GATE_FAILED;
        free(c->gate_error);
        if (n_err == 1)
            c->gate_error = xasprintf(_("nothing was cloned: %s"), first);
        else
            c->gate_error = xasprintf(_("nothing was cloned: %s (and %zu more problem(s): "
                                        "see the cluster's events or drover.log)"),
                                      first, n_err - 1);
        free(first);
        for (size_t i = 0; i < n_err; i++) {
            /* preflight's findings also name the object and the fix */
            char *line = full ? finding_format(&probs.v[i]) : problem_format(&probs.v[i]);
            struct dr_event ev = { .kind = DR_EV_CLUSTER, .cluster = c->name,
                                   .cluster_state = c->state, .level = DR_LOG_ERROR,
                                   .text = line };

            log_error("cluster %s: pre-clone check: %s", c->name, line);
            eng_emit(e, &ev);
            free(line);
        }
        gate_report_notes(e, c, &probs);
        rc = gate_failed(c, err);
    } else {
        c->gate = ENG_GATE_PASSED;
        log_info("cluster %s: pre-clone check passed%s", c->name,
                 full ? " (preflight's checks)" : " (names and tags)");
        gate_report_notes(e, c, &probs);
        eng_admit_settle_locked(e, s); /* before the others' clones are admitted */
    }
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    eng_problems_done(&probs);
    return rc;
}

void
eng_gate_reset(struct eng_cluster *c)
{
    c->gate = ENG_GATE_UNCHECKED;
    c->gate_light = false;
    c->gate_gen++;
    xfree(&c->gate_error);
}
