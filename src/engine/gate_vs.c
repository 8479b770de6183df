/* The real backend's pre-clone check (backend op check_templates): each
 * template is put through every checker below on its vCenter, and every
 * problem is collected. A checker appends problems for what it finds wrong
 * and returns an error only when it could not ask vCenter at all.
 *
 * To check something more before the first clone (tags, custom attributes,
 * ...), write a checker and add it to `checkers`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/cloud.h"
#include "engine/preflight_vs.h"

typedef enum dr_err (*vsb_checker)(struct vs_session *vs, const struct dr_template *t,
                                   struct vs_placement *keep, struct eng_problems *out,
                                   struct dr_error *e);

/* Every inventory name: datacenter, folder, cluster/host, resource pool,
 * datastore, networks (and that drover can attach each), clone source and
 * snapshot; each exact name or full path meaning exactly one object. With
 * keep, the placement is kept there for preflight's checks (empty when it
 * did not resolve). */
static enum dr_err
check_placement(struct vs_session *vs, const struct dr_template *t, struct vs_placement *keep,
                struct eng_problems *out, struct dr_error *e)
{
    struct vs_problems probs = { 0 };
    struct vs_placement p;
    enum dr_err rc = vs_resolve_placement(vs, t, &p, &probs, e);

    if (rc == DR_E_OK && keep)
        *keep = p;
    else if (rc == DR_E_OK)
        vs_placement_done(&p);
    for (size_t i = 0; i < probs.n; i++)
        eng_problem_add(out, t, probs.v[i].field, probs.v[i].subfield, "%s", probs.v[i].message);
    vs_problems_done(&probs);
    return rc == DR_E_INVAL ? DR_E_OK : rc;
}

/* Tags (category/name, or a bare name in one category) and custom
 * attributes: each must exist in vCenter and fit a VM (labels_vs.c applies
 * them after the clone). */
static enum dr_err
check_labels(struct vs_session *vs, const struct dr_template *t, struct vs_placement *keep,
             struct eng_problems *out, struct dr_error *e)
{
    struct vs_problems probs = { 0 };
    struct vs_labels l;
    enum dr_err rc;

    (void)keep;
    if (strv_len(t->tags) == 0 && t->n_custom_attributes == 0)
        return DR_E_OK;
    rc = vs_labels_resolve(vs, t, &l, &probs, e);
    if (rc == DR_E_OK)
        vs_labels_done(&l);
    for (size_t i = 0; i < probs.n; i++) {
        struct dr_finding *f = eng_finding_add(out, t, probs.v[i].field, probs.v[i].subfield,
                                               DR_SEV_ERROR, "labels", NULL, NULL, "%s",
                                               probs.v[i].message);
        if (probs.v[i].line > 0) /* the list element's own line */
            f->line = probs.v[i].line;
    }
    vs_problems_done(&probs);
    return rc;
}

static const vsb_checker checkers[] = {
    check_placement,
    check_labels,
};

enum dr_err
vsb_check_templates(void *tctx, struct eng_step *s, const struct eng_check_item *items, size_t n,
                    const struct eng_check_opts *opts, struct eng_problems *out,
                    struct dr_error *e)
{
    bool pre = opts && opts->preflight;
    struct vs_placement *pl = xcalloc(n + 1, sizeof *pl);
    bool *placed = xcalloc(n + 1, sizeof *placed);
    bool *done = xcalloc(n + 1, sizeof *done);
    bool *cached = xcalloc(n + 1, sizeof *cached);
    bool *shared = xcalloc(n + 1, sizeof *shared);
    enum dr_err rc = DR_E_OK;

    for (size_t i = 0; i < n && rc == DR_E_OK; i++) {
        struct vs_session *vs;

        rc = vsb_session(tctx, items[i].vcenter, s, &vs, e);
        if (rc == DR_E_OK && pre) {
            vs_tree_cache(vs, true); /* one inventory pass for all templates */
            cached[i] = true;
        }
        size_t before = out->n;
        for (size_t k = 0; k < DR_ARRAY_LEN(checkers) && rc == DR_E_OK; k++)
            rc = checkers[k](vs, items[i].tmpl, k == 0 ? &pl[i] : NULL, out, e);
        /* Clone admission learns from the backend's placement whether a
         * template's datastore is a datastore cluster, and its members
         * (pod_members): the placement just resolved becomes the backend's
         * shared one (once per engine), not resolved a second time, and
         * preflight reads that one (a copy of its pointers, not freed
         * here). */
        if (rc == DR_E_OK && out->n == before && pl[i].source != NULL) {
            const struct vs_placement *kept =
                vsb_placement_adopt(tctx, items[i].tmpl, items[i].vcenter, &pl[i]);

            if (kept) {
                vs_placement_done(&pl[i]); /* zeroed when adopted; else another's is kept */
                pl[i] = *kept;
                shared[i] = true;
            }
        }
        placed[i] = pre && rc == DR_E_OK && pl[i].source != NULL;
        if (rc != DR_E_OK)
            dr_error_prefix(e, _("checking template %s"),
                            items[i].tmpl->name ? items[i].tmpl->name : "?");
    }
    /* Preflight: the rest, one vCenter at a time, for all its templates. */
    for (size_t i = 0; pre && i < n && rc == DR_E_OK; i++) {
        struct pf_item *pf;
        struct vs_session *vs;
        size_t m = 0;

        if (done[i])
            continue;
        pf = xcalloc(n, sizeof *pf);
        for (size_t k = i; k < n; k++) {
            if (done[k] || !str_eq(items[k].vcenter->name, items[i].vcenter->name))
                continue;
            done[k] = true;
            pf[m].tmpl = items[k].tmpl;
            pf[m].pl = placed[k] ? &pl[k] : NULL;
            pf[m].new_vms = items[k].new_vms;
            pf[m++].new_names = items[k].new_names;
        }
        rc = vsb_session(tctx, items[i].vcenter, s, &vs, e);
        if (rc == DR_E_OK)
            rc = vsb_preflight(vs, items[i].vcenter, pf, m, opts, out, e);
        if (rc != DR_E_OK)
            dr_error_prefix(e, _("vCenter %s"), items[i].vcenter->name);
        free(pf);
    }
    /* The CPI/CSI's own account (cloud_provider "vsphere"), after the
     * templates' vCenters: its session may take a slot of theirs. */
    if (pre && rc == DR_E_OK && opts->cloud_vcenter)
        rc = vsb_preflight_cloud(tctx, s, pl, placed, n, opts, out);
    for (size_t i = 0; i < n; i++) {
        if (!shared[i])
            vs_placement_done(&pl[i]);
        /* The worker's session for that vCenter again (the same one unless
         * more vCenters than its slots were used since). */
        if (cached[i]) {
            struct vs_session *vs;
            struct dr_error ignore = { 0 };

            if (vsb_session(tctx, items[i].vcenter, s, &vs, &ignore) == DR_E_OK)
                vs_tree_cache(vs, false);
        }
    }
    free(cached);
    free(shared);
    free(pl);
    free(placed);
    free(done);
    return rc;
}
