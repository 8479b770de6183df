/* Clone admission per host and datastore, after vCenter's provisioning
 * costs (admit.h says where the numbers come from). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/admit.h"
#include "engine/internal.h"

static char *
key_of(const char *kind, const char *vcenter, const char *dc, const char *name)
{
    /* Tabs cannot occur in the names drover accepts: no key runs into the
     * next one's field. */
    return xasprintf("%s\t%s\t%s\t%s", kind, vcenter ? vcenter : "", dc ? dc : "",
                     name ? name : "");
}

void
admit_need_of(const struct dr_template *t, const char *vcenter, struct admit_need *need)
{
    bool linked = t->clone_mode == DR_CLONE_LINKED;

    memset(need, 0, sizeof *need);
    need->host = str_empty(t->host) ? NULL : key_of("host", vcenter, t->datacenter, t->host);
    need->datastore = str_empty(t->datastore)
                          ? key_of("source-ds", vcenter, t->datacenter, t->clone_from)
                          : key_of("datastore", vcenter, t->datacenter, t->datastore);
    need->host_cost = linked ? ADMIT_HOST_LINKED_COST : ADMIT_HOST_FULL_COST;
    need->ds_cost = linked ? ADMIT_DS_LINKED_COST : ADMIT_DS_FULL_COST;
}

void
admit_need_member(const struct dr_template *t, const char *vcenter, const char *member,
                  struct admit_need *need)
{
    admit_need_of(t, vcenter, need);
    free(need->datastore);
    /* By id: the datastore's name alone may be another datacenter's. */
    need->datastore = key_of("datastore-id", vcenter, t->datacenter, member);
    need->member = xstrdup(member);
}

void
admit_need_done(struct admit_need *need)
{
    free(need->host);
    free(need->member);
    free(need->datastore);
    memset(need, 0, sizeof *need);
}

static struct admit_use *
find(const struct admit *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].key, key) == 0)
            return &a->v[i];
    return NULL;
}

static bool
room(const struct admit *a, const char *key, int cost, int max_units)
{
    const struct admit_use *u = find(a, key);

    /* vCenter starts an operation on an idle resource whatever it costs. */
    return u == NULL || u->clones == 0 || u->units + cost <= max_units;
}

enum admit_verdict
admit_check(const struct admit *a, const struct admit_need *need, int per_host, int per_datastore)
{
    if (per_host < 1)
        per_host = ADMIT_DEFAULT_PER_HOST;
    if (per_datastore < 1)
        per_datastore = ADMIT_DEFAULT_PER_DATASTORE;
    if (need->host && !room(a, need->host, need->host_cost, per_host * ADMIT_HOST_FULL_COST))
        return ADMIT_HOST_FULL;
    if (!room(a, need->datastore, need->ds_cost, per_datastore * ADMIT_DS_FULL_COST))
        return ADMIT_DATASTORE_FULL;
    return ADMIT_OK;
}

static void
add(struct admit *a, const char *key, int units, int clones)
{
    struct admit_use *u = find(a, key);

    if (u == NULL) {
        if (units < 0)
            return;
        if (a->n == a->cap) {
            a->cap = a->cap ? a->cap * 2 : 8;
            a->v = xrealloc(a->v, a->cap * sizeof *a->v);
        }
        u = &a->v[a->n++];
        u->key = xstrdup(key);
        u->units = 0;
        u->clones = 0;
    }
    u->units += units;
    u->clones += clones;
    if (u->clones <= 0) { /* forget idle resources: the list stays short */
        free(u->key);
        *u = a->v[--a->n];
    }
}

void
admit_take(struct admit *a, const struct admit_need *need)
{
    if (need->host)
        add(a, need->host, need->host_cost, 1);
    add(a, need->datastore, need->ds_cost, 1);
}

void
admit_release(struct admit *a, const struct admit_need *need)
{
    if (need->host)
        add(a, need->host, -need->host_cost, -1);
    add(a, need->datastore, -need->ds_cost, -1);
}

int
admit_clones(const struct admit *a, const char *key)
{
    const struct admit_use *u = find(a, key);

    return u ? u->clones : 0;
}

void
admit_done(struct admit *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i].key);
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* The engine's side: which clone jobs wait, and their slots. */

/* The template a provisioning job's node clones, or NULL. */
static const struct dr_template *
job_template(struct dr_engine *e, const struct eng_job *j, const char **vcenter)
{
    struct eng_cluster *c = eng_find_cluster(e, j->cluster);
    const struct dr_node *n = c ? eng_find_node(c, j->node) : NULL;
    const struct dr_pool *p = n ? eng_find_pool(c, n->pool) : NULL;
    const struct dr_template *t = p ? eng_find_template(e, p->template) : NULL;
    const struct dr_vcenter *v;

    if (t == NULL)
        return NULL;
    v = eng_find_vcenter(e,
                         c->has_spec && !str_empty(c->spec.vcenter) ? c->spec.vcenter : t->vcenter);
    *vcenter = v ? v->name : t->vcenter;
    return t;
}

static bool
is_clone(const struct eng_job *j)
{
    return j->kind == DR_JOB_PROVISION && j->step == DR_NODE_CLONING;
}

/* j's need (kept on the job, which nobody else reads it from): for a
 * template whose datastore is a datastore cluster, the best member
 * (pod_members) that has room for the clone now, else the best one (the
 * clone step then fails the node: no member has room), chosen afresh at each look; else the template's
 * datastore, worked out once. While the backend has not resolved the
 * template's placement (before the cluster's gate), the need is the
 * template's datastore and takes one clone at a time (unresolved): a
 * datastore cluster's clones must not pass as one datastore's. false: no
 * template (the step itself reports it). */
static bool
slot_of(struct dr_engine *e, struct eng_job *j)
{
    const struct dr_template *t;
    const char *vc = NULL;
    char **members = NULL;
    int pod;

    if (j->slot.settled)
        return true;
    if ((t = job_template(e, j, &vc)) == NULL)
        return false;
    pod = e->backend.ops->pod_members
              ? e->backend.ops->pod_members(e->backend.ctx, t, vc, &members)
              : 0;
    admit_need_done(&j->slot);
    if (pod <= 0 || members == NULL || members[0] == NULL) {
        strv_free(&members);
        admit_need_of(t, vc, &j->slot);
        j->slot.settled = pod == 0;
        j->slot.unresolved = pod < 0;
        return true;
    }
    for (size_t i = 0; members[i]; i++) {
        admit_need_member(t, vc, members[i], &j->slot);
        if (admit_check(&e->admit, &j->slot, e->settings.max_clones_per_host,
                        e->settings.max_clones_per_datastore) == ADMIT_OK)
            break;
        admit_need_done(&j->slot);
    }
    if (j->slot.datastore == NULL)
        admit_need_member(t, vc, members[0], &j->slot);
    strv_free(&members);
    return true;
}

int
eng_admit_blocked(struct dr_engine *e, const struct eng_job *j, const char **why)
{
    enum admit_verdict v;

    if (!is_clone(j) || j->has_slot || atomic_load(&j->cancel))
        return 0;
    /* A clone holds its worker while vCenter copies: the last worker stays
     * for the other nodes' configure, power-on, SSH and bootstrap. */
    if (e->n_workers > 1 && e->clones_running >= e->n_workers - 1) {
        *why = _("waiting for a worker: one is kept for the other nodes' steps");
        return 1;
    }
    /* The workers ask this for every waiting clone at every pick: its need
     * is worked out once and kept on the job (which nobody else reads it
     * from, so it is no part of the job's state the const protects); a
     * datastore cluster's member is chosen afresh at each look. */
    if (!slot_of(e, (struct eng_job *)j))
        return 0;
    v = admit_check(&e->admit, &j->slot, e->settings.max_clones_per_host,
                    j->slot.unresolved ? 1 : e->settings.max_clones_per_datastore);
    if (v == ADMIT_HOST_FULL)
        *why = _("waiting for a clone slot on its host (max_clones_per_host)");
    else if (v == ADMIT_DATASTORE_FULL)
        *why = _("waiting for a clone slot on its datastore (max_clones_per_datastore)");
    return v == ADMIT_OK ? 0 : 1;
}

void
eng_admit_take(struct dr_engine *e, struct eng_job *j)
{
    const struct dr_template *t;
    const char *vc = NULL;

    if (!is_clone(j) || j->has_slot)
        return;
    if (!slot_of(e, j))
        return;
    if (j->slot.member && e->backend.ops->pod_take && (t = job_template(e, j, &vc)) != NULL)
        e->backend.ops->pod_take(e->backend.ctx, t, vc, j->slot.member);
    admit_take(&e->admit, &j->slot);
    j->has_slot = true;
    e->clones_running++;
}

void
eng_admit_release(struct dr_engine *e, struct eng_job *j)
{
    if (!j->has_slot)
        return;
    admit_release(&e->admit, &j->slot);
    admit_need_done(&j->slot); /* a retry works it out afresh */
    j->has_slot = false;
    e->clones_running--;
    pthread_cond_broadcast(&e->cv);
}

void
eng_admit_settle_locked(struct dr_engine *e, struct eng_step *s)
{
    struct eng_run *r = s->priv;
    struct eng_job *j = r ? r->job : NULL;
    const struct dr_template *t;
    const char *vc = NULL;

    if (j != NULL && j->has_slot && j->slot.unresolved) {
        admit_release(&e->admit, &j->slot);
        admit_need_done(&j->slot);
        if (slot_of(e, j)) {
            if (j->slot.member && e->backend.ops->pod_take &&
                (t = job_template(e, j, &vc)) != NULL)
                e->backend.ops->pod_take(e->backend.ctx, t, vc, j->slot.member);
            admit_take(&e->admit, &j->slot);
            s->datastore = j->slot.member;
        } else {
            j->has_slot = false; /* its template is gone: nothing held */
            e->clones_running--;
            pthread_cond_broadcast(&e->cv);
        }
    }
}

void
eng_admit_settle(struct dr_engine *e, struct eng_step *s)
{
    pthread_mutex_lock(&e->mu);
    eng_admit_settle_locked(e, s);
    pthread_mutex_unlock(&e->mu);
}

struct eng_job *
eng_admit_prefer(struct dr_engine *e, struct eng_job *j, size_t next)
{
    struct eng_job *best = j;
    int best_n;
    long long now;

    if (!is_clone(j) || j->has_slot || j->slot.host == NULL || atomic_load(&j->cancel))
        return j;
    best_n = admit_clones(&e->admit, j->slot.host);
    now = util_now_ms();
    for (size_t i = next; i < e->n_jobs && best_n > 0; i++) {
        struct eng_job *o = e->jobs[i];
        int n;

        if (!is_clone(o) || (o->state != DR_JOB_QUEUED && o->state != DR_JOB_WAITING) ||
            o->not_before_ms > now || atomic_load(&o->cancel))
            continue;
        if (eng_job_blocked(e, o, NULL) != 0 || o->slot.host == NULL ||
            !str_eq(o->slot.datastore, j->slot.datastore))
            continue;
        n = admit_clones(&e->admit, o->slot.host);
        if (n < best_n) {
            best = o;
            best_n = n;
        }
    }
    return best;
}
