/* The cluster wizard's draft to a spec and back, and its forms' checks
 * (screens/wizard.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "screens/wizard.h"

void
wpool_done(struct wpool *p)
{
    free(p->name);
    free(p->template);
    free(p->prefix);
    memset(p, 0, sizeof *p);
}

void
wpool_copy(struct wpool *d, const struct wpool *s)
{
    *d = *s;
    d->name = xstrdup0(s->name);
    d->template = xstrdup0(s->template);
    d->prefix = xstrdup0(s->prefix);
}


void
to_pool(const struct wpool *w, struct dr_pool *p)
{
    memset(p, 0, sizeof *p);
    p->name = xstrdup0(w->name);
    p->template = xstrdup0(w->template);
    p->quantity = w->quantity;
    p->roles = (w->etcd ? DR_ROLE_ETCD : 0) | (w->control_plane ? DR_ROLE_CONTROL_PLANE : 0) |
               (w->worker ? DR_ROLE_WORKER : 0);
    p->hostname_prefix = xstrdup0(w->prefix);
    p->delete_not_ready_after_s = w->dnr_s;
    p->keep_failed_vms = w->keep_failed_vms;
    p->drain_before_delete = w->drain;
    p->drain_timeout_s = w->drain_timeout_s;
    p->max_unhealthy_pct = w->max_unhealthy;
}

void
from_pool(struct wpool *w, const struct dr_pool *p)
{
    memset(w, 0, sizeof *w);
    w->name = xstrdup0(p->name);
    w->template = xstrdup0(p->template);
    w->quantity = p->quantity;
    w->etcd = p->roles & DR_ROLE_ETCD;
    w->control_plane = p->roles & DR_ROLE_CONTROL_PLANE;
    w->worker = p->roles & DR_ROLE_WORKER;
    w->prefix = xstrdup0(p->hostname_prefix);
    w->dnr_s = p->delete_not_ready_after_s;
    w->keep_failed_vms = p->keep_failed_vms;
    w->drain = p->drain_before_delete;
    w->drain_timeout_s = p->drain_timeout_s > 0 ? p->drain_timeout_s : DR_POOL_DRAIN_TIMEOUT_DEFAULT;
    w->max_unhealthy = p->max_unhealthy_pct;
}

/* The spec as it would be saved; with_pool adds the pool form's pool (at
 * its index, or at the end for a new one). */
void
wizard_build(const struct wdraft *d, bool with_pool, struct dr_cluster *c)
{
    size_t n = d->n_pools + (with_pool && d->editing < 0);

    memset(c, 0, sizeof *c);
    c->name = xstrdup0(d->name);
    c->vcenter = xstrdup0(d->vcenter);
    c->distribution = str_eq(d->distribution, "rke2") ? DR_DIST_RKE2 : DR_DIST_K3S;
    c->version = xstrdup0(d->version);
    c->recipe = xstrdup0(d->recipe);
    c->airgap_bundle = xstrdup0(d->airgap);
    c->keep_failed_vms = d->keep_failed_vms;
    if (str_eq(d->cloud, "vsphere")) {
        struct dr_cloud_vsphere *v = &c->vsphere;

        c->cloud_provider = DR_CLOUD_VSPHERE;
        v->vcenter = str_empty(d->cloud_vcenter) ? NULL : xstrdup(d->cloud_vcenter);
        if (!str_empty(d->cloud_dcs)) {
            char *all = xstrdup(d->cloud_dcs), *save = NULL;

            v->datacenters = xcalloc(1, sizeof(char *));
            for (char *t = strtok_r(all, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                size_t len;

                while (*t == ' ')
                    t++;
                len = strlen(t);
                while (len > 0 && t[len - 1] == ' ')
                    t[--len] = '\0';
                if (*t)
                    strv_push(&v->datacenters, t);
            }
            free(all);
        }
        v->storage_class = d->sc_on;
        v->sc_default = d->sc_default;
        v->sc_name = str_empty(d->sc_name) ? NULL : xstrdup(d->sc_name);
        v->sc_datastore_url = str_empty(d->sc_url) ? NULL : xstrdup(d->sc_url);
        v->sc_policy = str_empty(d->sc_policy) ? NULL : xstrdup(d->sc_policy);
        v->sc_reclaim = str_empty(d->sc_reclaim) ? NULL : xstrdup(d->sc_reclaim);
    }
    c->pools = xcalloc(n ? n : 1, sizeof *c->pools);
    for (size_t i = 0; i < d->n_pools; i++)
        to_pool(with_pool && (int)i == d->editing ? &d->pool : &d->pools[i], &c->pools[i]);
    if (with_pool && d->editing < 0)
        to_pool(&d->pool, &c->pools[d->n_pools]);
    c->n_pools = n;
    /* Findings name clusters/NAME.cfg and the lines the review shows. */
    store_cluster_set_origins(c);
}

/* The cluster form: its own fields only (pool problems belong to the
 * pools step). */
size_t
wizard_check_cluster(const void *model, struct dr_diag **out)
{
    struct dr_cluster c;
    size_t n, k = 0;

    wizard_build(model, false, &c);
    n = store_check_cluster(&c, out);
    cluster_done(&c);
    for (size_t i = 0; i < n; i++) {
        bool mine = (*out)[i].field && (str_eq((*out)[i].field, "name") ||
                                        str_eq((*out)[i].field, "vcenter") ||
                                        str_eq((*out)[i].field, "version") ||
                                        str_eq((*out)[i].field, "distribution") ||
                                        str_eq((*out)[i].field, "recipe") ||
                                        str_eq((*out)[i].field, "airgap_bundle") ||
                                        str_eq((*out)[i].field, "cloud_provider") ||
                                        str_has_prefix((*out)[i].field, "vsphere"));
        if (mine && k != i) {
            struct dr_diag t = (*out)[k];
            (*out)[k] = (*out)[i];
            (*out)[i] = t;
        }
        k += mine;
    }
    /* The rest are freed with the array but not reported. */
    for (size_t i = k; i < n; i++) {
        free((*out)[i].file);
        free((*out)[i].field);
        free((*out)[i].message);
        memset(&(*out)[i], 0, sizeof (*out)[i]);
    }
    return k;
}

/* The pool form: the problems of this pool (fields "pools[N].x" -> "x"). */
size_t
wizard_check_pool(const void *model, struct dr_diag **out)
{
    const struct wdraft *d = model;
    struct dr_cluster c;
    struct dr_diag *all = NULL;
    size_t n, k = 0;

    /* Checked in a cluster of its own, so that every pool problem is this
     * pool's (store_check_cluster strips the "pools[N]." prefix). */
    memset(&c, 0, sizeof c);
    c.name = xstrdup0(d->name && *d->name ? d->name : "x");
    c.distribution = DR_DIST_K3S;
    c.pools = xcalloc(1, sizeof *c.pools);
    to_pool(&d->pool, &c.pools[0]);
    c.n_pools = 1;
    n = store_check_cluster(&c, &all);
    cluster_done(&c);
    *out = all;
    for (size_t i = 0; i < n; i++) {
        /* "no pool has the control-plane role" is about the whole spec. */
        bool mine = all[i].field && !str_eq(all[i].field, "pools");
        if (mine && k != i) {
            struct dr_diag t = all[k];
            all[k] = all[i];
            all[i] = t;
        }
        k += mine;
    }
    for (size_t i = k; i < n; i++) {
        free(all[i].file);
        free(all[i].field);
        free(all[i].message);
        memset(&all[i], 0, sizeof all[i]);
    }
    return k;
}

void
wizard_cloud_from(struct wdraft *d, const struct dr_cluster *c)
{
    const struct dr_cloud_vsphere *v = &c->vsphere;

    d->cloud = xstrdup(cloud_provider_key(c->cloud_provider));
    d->sc_default = true;
    d->sc_reclaim = xstrdup("Delete");
    if (c->cloud_provider != DR_CLOUD_VSPHERE)
        return;
    d->cloud_vcenter = xstrdup0(v->vcenter);
    d->cloud_dcs = xstrdup("");
    for (size_t i = 0; v->datacenters && v->datacenters[i]; i++) {
        char *t = xasprintf("%s%s%s", d->cloud_dcs, i ? "," : "", v->datacenters[i]);
        free(d->cloud_dcs);
        d->cloud_dcs = t;
    }
    d->sc_on = v->storage_class;
    d->sc_default = v->storage_class ? v->sc_default : true;
    d->sc_name = xstrdup0(v->sc_name);
    d->sc_url = xstrdup0(v->sc_datastore_url);
    d->sc_policy = xstrdup0(v->sc_policy);
    if (!str_empty(v->sc_reclaim)) {
        free(d->sc_reclaim);
        d->sc_reclaim = xstrdup(v->sc_reclaim);
    }
}

void
wizard_cloud_done(struct wdraft *d)
{
    xfree(&d->cloud);
    xfree(&d->cloud_vcenter);
    xfree(&d->cloud_dcs);
    xfree(&d->sc_name);
    xfree(&d->sc_url);
    xfree(&d->sc_policy);
    xfree(&d->sc_reclaim);
    d->sc_on = d->sc_default = false;
}

char **
wizard_vcenter_names(const struct dr_store *s)
{
    char **v = NULL;

    for (size_t i = 0; i < s->n_vcenters; i++)
        strv_push(&v, s->vcenters[i].name);
    if (v == NULL)
        strv_push(&v, "");
    return v;
}

char **
wizard_template_names(const struct dr_store *s)
{
    char **v = NULL;

    for (size_t i = 0; i < s->n_templates; i++)
        strv_push(&v, s->templates[i].name);
    if (v == NULL)
        strv_push(&v, "");
    return v;
}

char *
wizard_version_help(enum dr_distribution d, char *const *v, const char *error)
{
    if (v && v[0])
        /* L10N: %s the distribution, then its newest known version. */
        return xasprintf(_("Ctrl-N/Ctrl-P: the known %s versions (newest %s), or type one; "
                           "empty: the installer's default"),
                         distribution_key(d), v[0]);
    /* L10N: %s why the list of known versions could not be read. */
    return xasprintf(_("e.g. v1.30.4+k3s1; empty: the installer's default (no known versions: "
                       "%s)"),
                     error ? error : "");
}

bool
wizard_pool_untouched(const struct wpool *p)
{
    struct wpool fresh = { 0 };
    struct dr_pool d;
    bool same;

    pool_defaults(&d);
    from_pool(&fresh, &d);
    fresh.worker = true; /* as the wizard opens a new pool */
    same = (p->name == NULL || *p->name == '\0') && str_eq(p->prefix, fresh.prefix) &&
           p->quantity == fresh.quantity && p->etcd == fresh.etcd &&
           p->control_plane == fresh.control_plane && p->worker == fresh.worker &&
           p->dnr_s == fresh.dnr_s && p->drain == fresh.drain &&
           p->drain_timeout_s == fresh.drain_timeout_s && p->max_unhealthy == fresh.max_unhealthy;
    wpool_done(&fresh);
    return same;
}

bool
wizard_pool_incomplete(const struct wdraft *draft, const struct wpool *p)
{
    struct wdraft d = *draft;
    struct dr_diag *diags = NULL;
    size_t n;

    d.pool = *p; /* borrowed, not freed */
    n = wizard_check_pool(&d, &diags);
    store_diags_free(diags, n);
    return n > 0;
}

int
wizard_draw_problems(WINDOW *win, int y, int max, int wd, char **problems, char **warnings)
{
    for (int pass = 0; pass < 2; pass++) {
        char **l = pass == 0 ? problems : warnings;

        for (size_t i = 0; l && l[i] && y < max; i++) {
            char *lines[16];
            int n = text_wrap(l[i], wd - 2, lines, max - y < 16 ? max - y : 16);

            for (int j = 0; j < n; j++) {
                ui_draw_text(win, y++, 1, wd - 2, lines[j],
                             pass == 0 ? ROLE_STATUS_ERROR : ROLE_STATE_PROVISIONING);
                free(lines[j]);
            }
        }
    }
    return y;
}
