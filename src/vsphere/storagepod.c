/* Datastore clusters (StoragePod) as a template's datastore: which member
 * datastores a clone may go on, and which one each clone takes.
 *
 * vCenter places a VM into a datastore cluster through Storage DRS
 * (StorageResourceManager.RecommendDatastores, then
 * ApplyStorageDrsRecommendation_Task). Its initial placement weighs the
 * members' free space and I/O load (vSphere Resource Management, "Initial
 * Placement and Ongoing Balancing"); a pod with Storage DRS off gives no
 * recommendation at all, and govmomi's simulator answers a clone's request
 * with every member unranked. drover therefore chooses the member itself,
 * as initial placement would on space: among the members that are
 * accessible, in normal (not maintenance) mode, mounted on a host the
 * VM may run on and on which the session's user holds
 * Datastore.AllocateSpace (a clone there fails with NoPermission, and a
 * role can be denied on one member only), the one with the most free space after what drover has
 * already put there in this run (vs_pod_pick), so that many clones spread
 * over the members instead of all landing on one; never one without room
 * for the clone (vCenter would fail it with InsufficientDiskSpace). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

int
vs_pod_pick(const struct vs_pod_member *members, size_t n, const long long *placed,
            long long need)
{
    int best = -1;
    long long best_free = 0;

    for (size_t i = 0; i < n; i++) {
        long long left = members[i].free_space - (placed ? placed[i] : 0);

        if (need > 0 && left < need)
            continue;
        if (best < 0 || left > best_free) {
            best = (int)i;
            best_free = left;
        }
    }
    return best;
}

void
vs_pod_order(const struct vs_pod_member *members, size_t n, const long long *placed,
             size_t *order)
{
    /* Insertion sort, stable: a datastore cluster has a few dozen members
     * at most (vSphere allows 64). */
    for (size_t i = 0; i < n; i++) {
        long long left = members[i].free_space - (placed ? placed[i] : 0);
        size_t k = i;

        while (k > 0) {
            size_t o = order[k - 1];
            if (members[o].free_space - (placed ? placed[o] : 0) >= left)
                break;
            order[k] = o;
            k--;
        }
        order[k] = i;
    }
}

static bool
has_any(char *const *have, char *const *want)
{
    for (; want && *want; want++)
        for (char *const *h = have; h && *h; h++)
            if (strcmp(*h, *want) == 0)
                return true;
    return false;
}

enum dr_err
vs_pod_members(struct vs_session *s, const struct vs_tree *tree, const struct vs_entity *pod,
               char *const *targets, struct vs_placement *p, char **why, struct dr_error *e)
{
    struct vs_facts f = {0};
    char *skipped = xstrdup("");
    size_t n_all = 0;
    enum dr_err err;

    *why = NULL;
    for (size_t i = 0; i < tree->n; i++)
        if (str_eq(tree->v[i].parent, pod->id) && str_eq(tree->v[i].type, "Datastore")) {
            vs_facts_add(&f, "Datastore", tree->v[i].id);
            n_all++;
        }
    if (n_all == 0) {
        *why = xstrdup(_("it has no datastores"));
        free(skipped);
        return DR_E_OK;
    }
    if ((err = vs_facts_get(s, &f, e)) != DR_E_OK) {
        vs_facts_done(&f);
        free(skipped);
        return err;
    }
    {
        /* A vCenter that will not say (a fault): no member is left out for
         * it; preflight's privilege check says what it could not ask. */
        static const char *const alloc[] = {"Datastore.AllocateSpace"};
        struct dr_error pe = {0};

        (void)vs_privileges_get(s, &f, alloc, 1, &pe);
    }
    for (size_t i = 0; i < f.n; i++) {
        const struct vs_fact *d = &f.v[i];
        const struct vs_entity *x = vs_tree_by_id(tree, d->id);
        const char *name = x ? x->name : d->id;
        const char *reason = NULL;
        char *next, *deny = NULL;

        if (!d->found || !d->accessible)
            reason = _("not accessible");
        else if (d->maintenance)
            reason = _("in maintenance mode");
        else if (targets && targets[0] && !has_any(d->hosts, targets))
            reason = _("not mounted there");
        else if (d->granted && d->granted[0] == VS_PRIV_MISSING)
            reason = deny = xasprintf(_("%s lacks the privilege Datastore.AllocateSpace there"),
                                      s->user ? s->user : "the user");
        if (reason == NULL) {
            struct vs_pod_member *m;

            p->members = xrealloc(p->members, (p->n_members + 1) * sizeof *p->members);
            m = &p->members[p->n_members++];
            m->id = xstrdup(d->id);
            m->path = x ? vs_tree_path(tree, x) : xstrdup(d->id);
            m->free_space = d->free_space;
            m->capacity = d->capacity;
            continue;
        }
        next = xasprintf("%s%s%s: %s", skipped, *skipped ? ", " : "", name, reason);
        free(deny);
        free(skipped);
        skipped = next;
    }
    if (p->n_members == 0)
        *why = xstrdup(skipped);
    free(skipped);
    vs_facts_done(&f);
    return DR_E_OK;
}

void
vs_pod_members_free(struct vs_placement *p)
{
    for (size_t i = 0; i < p->n_members; i++) {
        free(p->members[i].id);
        free(p->members[i].path);
    }
    free(p->members);
    free(p->pod);
    free(p->pod_path);
    p->members = NULL;
    p->n_members = 0;
    p->pod = p->pod_path = NULL;
}
