/* The cluster's cloud provider in the engine (cloud.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/keys.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/cloud.h"

void
eng_cloud_step_init(struct dr_engine *e, struct eng_step *s)
{
    struct dr_cluster *spec = (struct dr_cluster *)s->spec;
    const struct dr_vcenter *v;

    s->cloud_vcenter = NULL;
    if (spec->cloud_provider != DR_CLOUD_VSPHERE)
        return;
    v = !str_empty(spec->vsphere.vcenter) ? eng_find_vcenter(e, spec->vsphere.vcenter)
                                          : eng_find_vcenter(e, s->vcenter->name);
    if (v) {
        struct dr_vcenter *c = xcalloc(1, sizeof *c);
        vcenter_copy(c, v);
        s->cloud_vcenter = c;
    }
    if (spec->vsphere.datacenters)
        return;
    /* The datacenters the cluster's VMs are in: its templates'. */
    spec->vsphere.datacenters = xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < spec->n_pools; i++) {
        const struct dr_template *t = eng_find_template(e, spec->pools[i].template);
        bool seen = false;

        if (t == NULL || str_empty(t->datacenter))
            continue;
        for (char **d = spec->vsphere.datacenters; *d; d++)
            seen = seen || str_eq(*d, t->datacenter);
        if (!seen)
            strv_push(&spec->vsphere.datacenters, t->datacenter);
    }
}

void
eng_cloud_step_done(struct eng_step *s)
{
    struct dr_vcenter *v = (struct dr_vcenter *)s->cloud_vcenter;

    if (v) {
        vcenter_done(v);
        free(v);
    }
    s->cloud_vcenter = NULL;
}

bool
eng_cloud_insecure(const struct dr_vcenter *v)
{
    return v->insecure || !str_empty(v->ca_file) || !str_empty(v->pin);
}

enum dr_err
eng_cloud_manifests(const struct eng_step *s, struct k8s_manifest **m, size_t *n,
                    struct dr_error *e)
{
    const struct dr_cluster *spec = s->spec;
    const struct dr_vcenter *v = s->cloud_vcenter;
    struct k8s_cloud_input in = {0};
    char *pw = NULL;
    enum dr_err rc;

    *m = NULL;
    *n = 0;
    if (spec->cloud_provider != DR_CLOUD_VSPHERE)
        return DR_E_OK;
    if (v == NULL)
        return dr_error_set(e, DR_E_NOTFOUND,
                            _("vsphere.vcenter: no vCenter '%s' in vcenters.cfg for the cloud "
                              "provider"),
                            spec->vsphere.vcenter ? spec->vsphere.vcenter : "");
    rc = vcenter_password(v, &pw, e);
    if (rc != DR_E_OK) {
        dr_error_prefix(e, _("the cloud provider's vCenter entry %s"), v->name);
        return rc;
    }
    log_add_secret(pw);
    in.dist = spec->distribution;
    in.cluster_id = spec->name;
    in.vcenter_url = v->url;
    in.insecure = eng_cloud_insecure(v);
    in.user = v->user;
    in.password = pw;
    in.datacenters = spec->vsphere.datacenters;
    in.v = &spec->vsphere;
    in.airgap = !str_empty(spec->airgap_bundle);
    rc = k8s_cloud_manifests(&in, m, n, e);
    keys_free_secret(&pw);
    return rc;
}
