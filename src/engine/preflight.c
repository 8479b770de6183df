/* Preflight (issue 11): the pre-clone gate's check run whole, before an
 * apply and on demand. The same backend op (check_templates) resolves every
 * template of the cluster; with preflight on it also checks placement,
 * capacity, template readiness, names and privileges (preflight_vs.c).
 * engine_preflight runs on the caller's thread (the CLI);
 * engine_request_preflight on a request thread of its own (the console). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/bundle.h"
#include "bootstrap/recipe.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"
#include "engine/plan.h"

void
preflight_free(struct dr_preflight **pp)
{
    struct dr_preflight *p = *pp;

    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        finding_done(&p->v[i]);
    free(p->v);
    free(p->cluster);
    free(p);
    *pp = NULL;
}

static const struct dr_template *
find_tmpl(const struct dr_template *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(v[i].name, name))
            return &v[i];
    return NULL;
}

static const struct dr_vcenter *
find_vc(const struct dr_vcenter *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(v[i].name, name))
            return &v[i];
    return NULL;
}

static void
items_free(struct eng_check_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        strv_free(&items[i].new_names);
    free(items);
}

/* Whether the cluster runs drover's own recipe (none set, or a file that
 * carries its marker line, wherever it lies: the source tree, a copy, the
 * installed one): only then are the bundle's needs known. *dist: the
 * distribution that recipe installs. */
static bool
own_recipe(const struct dr_cluster *spec, enum dr_distribution *dist)
{
    *dist = spec->distribution;
    return str_empty(spec->recipe) || bundle_recipe_marker(spec->recipe, dist);
}

/* The airgap bundle holds what drover's recipe will look for in it (it
 * fails the node with exit status 2 otherwise, after the clone). */
static void
check_bundle(const struct dr_cluster *spec, struct eng_problems *probs)
{
    const char *const *need;
    enum dr_distribution dist;
    struct dr_error be = {0};
    struct dr_finding *f = NULL;
    char **miss = NULL;

    /* An unreadable path is the spec check's finding (engine_check_spec). */
    if (str_empty(spec->airgap_bundle) || access(spec->airgap_bundle, R_OK) != 0 ||
        !own_recipe(spec, &dist))
        return;
    need = bundle_needs(dist, spec->cloud_provider == DR_CLOUD_VSPHERE);
    if (bundle_missing(spec->airgap_bundle, need, &miss, &be) != DR_E_OK) {
        f = eng_finding_add(probs, NULL, DR_TF__COUNT, "airgap_bundle", DR_SEV_ERROR, "bundle",
                            spec->airgap_bundle, _("give the bundle's path (a tar archive)"),
                            "%s", dr_error_text(&be));
    } else if (miss) {
        char *list = xstrdup("");
        bool charts = false;

        for (char **m = miss; *m; m++) {
            char *t = xasprintf("%s%s%s", list, *list ? ", " : "", *m);

            free(list);
            list = t;
            charts = charts || str_has_prefix(*m, "charts/");
        }
        f = eng_finding_add(
            probs, NULL, DR_TF__COUNT, "airgap_bundle", DR_SEV_ERROR, "bundle",
            spec->airgap_bundle,
            charts ? _("add rancher/vsphere-charts' CPI and CSI charts to the bundle as "
                       "charts/rancher-vsphere-cpi.tgz and charts/rancher-vsphere-csi.tgz")
                   : _("use a bundle of the distribution's release files"),
            charts ? _("the airgap bundle has no %s: drover's %s recipe installs the vSphere CPI "
                       "and CSI (cloud_provider = \"vsphere\") from them")
                   : _("the airgap bundle has no %s: drover's %s recipe installs from it"),
            list, distribution_key(dist));
        free(list);
    }
    if (f) {
        free(f->file);
        f->file = xstrdup0(spec->origin.file);
        f->line = spec->airgap_line > 0 ? spec->airgap_line : spec->origin.line;
    }
    strv_free(&miss);
}

enum dr_err
eng_preflight_run(const struct eng_backend *b, void *tctx, const struct eng_pf_input *in,
                  struct dr_preflight **out, struct dr_error *e)
{
    const struct dr_cluster *spec = in->spec;
    struct eng_check_item *items = xcalloc(spec->n_pools + 1, sizeof *items);
    struct eng_problems probs = { 0 };
    struct eng_check_opts o = { .preflight = true, .margin_pct = in->margin_pct,
                                .cluster = spec->name, .cluster_file = spec->origin.file,
                                .install_id = in->install_id,
                                .cloud_vsphere = spec->cloud_provider == DR_CLOUD_VSPHERE,
                                .template_test = in->template_test };
    char **taken = xcalloc(1, sizeof *taken);
    long long t0 = util_now_ms();
    size_t n = 0;
    enum dr_err rc = DR_E_OK;
    struct dr_preflight *p;

    *out = NULL;
    if (o.cloud_vsphere && !str_empty(spec->vsphere.vcenter))
        o.cloud_vcenter = find_vc(in->vcenters, in->n_vcenters, spec->vsphere.vcenter);
    check_bundle(spec, &probs);
    o.cloud_line = spec->vsphere.vcenter_line > 0 ? spec->vsphere.vcenter_line : spec->vsphere.line;
    if (o.cloud_vsphere && spec->vsphere.storage_class) {
        o.cloud_sc_url = spec->vsphere.sc_datastore_url;
        o.cloud_sc_url_line =
            spec->vsphere.sc_url_line > 0 ? spec->vsphere.sc_url_line : spec->vsphere.line;
    }
    for (size_t i = 0; in->status && i < in->status->n_nodes; i++)
        strv_push(&taken, in->status->nodes[i].name);
    for (size_t i = 0; i < spec->n_pools; i++) {
        const struct dr_pool *pool = &spec->pools[i];
        const struct dr_template *t = find_tmpl(in->templates, in->n_templates, pool->template);
        const char *vname = !str_empty(spec->vcenter) ? spec->vcenter : (t ? t->vcenter : NULL);
        const struct dr_vcenter *v = find_vc(in->vcenters, in->n_vcenters, vname);
        int have = 0, k;
        size_t at = n;

        if (pool->quantity <= 0)
            continue;
        if (t == NULL || v == NULL) {
            /* The checks without vCenter (engine_check_spec) say why. */
            struct dr_template fake = { .origin = pool->origin };
            char *f = xasprintf("pools.%s.template", pool->name ? pool->name : "?");

            fake.origin.file = spec->origin.file ? spec->origin.file : pool->origin.file;
            if (t == NULL)
                eng_problem_add(&probs, &fake, DR_TF__COUNT, f, _("no template '%s'"),
                                pool->template ? pool->template : "");
            else
                eng_problem_add(&probs, t, DR_TF_VCENTER, NULL, _("no vCenter '%s'"),
                                vname ? vname : "");
            free(f);
            continue;
        }
        for (size_t j = 0; j < n; j++)
            if (str_eq(items[j].tmpl->name, t->name))
                at = j;
        if (at == n) {
            items[n].tmpl = t;
            items[n].vcenter = v;
            items[n].new_names = xcalloc(1, sizeof(char *));
            n++;
        }
        /* Nodes with a VM are not new; a known node without one (pending,
         * or failed before its clone) is cloned under its own name. */
        for (size_t j = 0; in->status && j < in->status->n_nodes; j++) {
            const struct dr_node *nd = &in->status->nodes[j];

            if (!str_eq(nd->pool, pool->name) || nd->state == DR_NODE_REMOVED ||
                nd->state == DR_NODE_REMOVING)
                continue;
            if (!str_empty(nd->vm_id)) {
                have++;
            } else if (have < pool->quantity) {
                strv_push(&items[at].new_names, nd->name);
                items[at].new_vms++;
                have++;
            }
        }
        for (k = have; k < pool->quantity; k++) {
            char *name = plan_next_name(pool, taken, strv_len(taken), NULL, NULL);

            strv_push(&items[at].new_names, name);
            strv_push(&taken, name);
            free(name);
            items[at].new_vms++;
        }
    }
    /* Without a vcenter of its own, the CPI/CSI use the cluster's entry. */
    if (o.cloud_vsphere && o.cloud_vcenter == NULL && n > 0)
        o.cloud_vcenter = items[0].vcenter;
    if (n > 0 && b->ops->check_templates)
        rc = b->ops->check_templates(tctx, in->step, items, n, &o, &probs, e);
    items_free(items, n);
    strv_free(&taken);
    if (rc != DR_E_OK) {
        eng_problems_done(&probs);
        return rc;
    }
    if (probs.n > 1)
        qsort(probs.v, probs.n, sizeof *probs.v, eng_finding_cmp);
    p = xcalloc(1, sizeof *p);
    p->cluster = xstrdup0(spec->name);
    p->v = probs.v;
    p->n = probs.n;
    for (size_t i = 0; i < p->n; i++) {
        p->errors += p->v[i].severity == DR_SEV_ERROR;
        p->warnings += p->v[i].severity == DR_SEV_WARNING;
    }
    p->elapsed_ms = util_now_ms() - t0;
    log_info("cluster %s: preflight: %zu error(s), %zu warning(s) in %lld ms",
             spec->name ? spec->name : "?", p->errors, p->warnings, p->elapsed_ms);
    for (size_t i = 0; i < p->n; i++) {
        char *line = finding_format(&p->v[i]);
        log_info("cluster %s: preflight: %s", spec->name ? spec->name : "?", line);
        free(line);
    }
    *out = p;
    return DR_E_OK;
}

struct eng_pf_copy *
eng_pf_copy_take(struct dr_engine *e, const struct eng_cluster *c)
{
    struct eng_pf_copy *pf = xcalloc(1, sizeof *pf);

    cluster_copy(&pf->spec, &c->spec);
    cluster_status_copy(&pf->status, &c->status);
    pf->has_status = true;
    eng_pf_copy_config(pf, e);
    return pf;
}

void
eng_pf_copy_config(struct eng_pf_copy *pf, const struct dr_engine *e)
{
    pf->templates = xcalloc(e->n_templates + 1, sizeof *pf->templates);
    for (size_t i = 0; i < e->n_templates; i++)
        template_copy(&pf->templates[i], &e->templates[i]);
    pf->n_templates = e->n_templates;
    pf->vcenters = xcalloc(e->n_vcenters + 1, sizeof *pf->vcenters);
    for (size_t i = 0; i < e->n_vcenters; i++)
        vcenter_copy(&pf->vcenters[i], &e->vcenters[i]);
    pf->n_vcenters = e->n_vcenters;
    pf->margin_pct = e->settings.preflight_margin_pct;
    pf->install_id = xstrdup0(e->install_id);
}

void
eng_pf_copy_free(struct eng_pf_copy *c)
{
    if (c == NULL)
        return;
    cluster_done(&c->spec);
    if (c->has_status)
        cluster_status_done(&c->status);
    for (size_t i = 0; i < c->n_templates; i++)
        template_done(&c->templates[i]);
    free(c->templates);
    for (size_t i = 0; i < c->n_vcenters; i++)
        vcenter_done(&c->vcenters[i]);
    free(c->vcenters);
    free(c->install_id);
    if (c->tmpl) {
        template_done(c->tmpl);
        free(c->tmpl);
    }
    free(c->config_dir);
    free(c->state_dir);
    free(c);
}

void
eng_pf_copy_input(const struct eng_pf_copy *c, struct eng_step *s, struct eng_pf_input *in)
{
    memset(in, 0, sizeof *in);
    in->spec = &c->spec;
    in->templates = c->templates;
    in->n_templates = c->n_templates;
    in->vcenters = c->vcenters;
    in->n_vcenters = c->n_vcenters;
    in->status = c->has_status ? &c->status : NULL;
    in->margin_pct = c->margin_pct;
    in->install_id = c->install_id;
    in->step = s;
}

char *
eng_read_install_id(const char *state_dir)
{
    char *path = util_path_join(state_dir, "install-id"), *data = NULL;

    if (util_read_file(path, &data, NULL, NULL) != DR_E_OK)
        data = NULL;
    free(path);
    if (data)
        data[strcspn(data, "\r\n")] = '\0';
    if (data && *data == '\0')
        xfree(&data);
    return data;
}

enum dr_err
engine_preflight(const struct dr_store *store, const struct dr_cluster *spec,
                 struct dr_preflight **out, struct dr_error *e)
{
    struct eng_backend b = { 0 };
    struct eng_pf_input in = { .spec = spec, .templates = store->templates,
                               .n_templates = store->n_templates, .vcenters = store->vcenters,
                               .n_vcenters = store->n_vcenters,
                               .status = store_find_status(store, spec->name),
                               .margin_pct = store->settings.preflight_margin_pct };
    enum dr_err rc;
    void *tctx;
    char *install_id;

    *out = NULL;
    rc = backend_vs_new(&b, e);
    if (rc != DR_E_OK)
        return rc;
    install_id = store->state_dir ? eng_read_install_id(store->state_dir) : NULL;
    in.install_id = install_id;
    tctx = b.ops->thread_init ? b.ops->thread_init(b.ctx) : NULL;
    rc = eng_preflight_run(&b, tctx, &in, out, e);
    if (b.ops->thread_done)
        b.ops->thread_done(tctx);
    if (b.ops->free)
        b.ops->free(b.ctx);
    free(install_id);
    return rc;
}
