/* The cluster's cloud provider block (model.h, struct dr_cloud_vsphere). */
#include "config.h"

#include <string.h>

#include "core/model.h"
#include "core/util.h"

/* The rancher-vsphere-csi chart's default StorageClass name
 * (rancher/vsphere-charts, charts/rancher-vsphere-csi/values.yaml). */
#define SC_NAME_DEFAULT "vsphere-csi-sc"

static const char *const provider_keys[] = {
    [DR_CLOUD_NONE] = "none",
    [DR_CLOUD_VSPHERE] = "vsphere",
};

const char *
cloud_provider_key(enum dr_cloud_provider p)
{
    return (unsigned)p < DR_ARRAY_LEN(provider_keys) ? provider_keys[p] : "none";
}

bool
cloud_provider_from_key(const char *key, enum dr_cloud_provider *out)
{
    for (size_t i = 0; key && i < DR_ARRAY_LEN(provider_keys); i++) {
        if (strcmp(key, provider_keys[i]) == 0) {
            *out = (enum dr_cloud_provider)i;
            return true;
        }
    }
    return false;
}

void
cloud_vsphere_done(struct dr_cloud_vsphere *v)
{
    xfree(&v->vcenter);
    strv_free(&v->datacenters);
    xfree(&v->sc_name);
    xfree(&v->sc_datastore_url);
    xfree(&v->sc_policy);
    xfree(&v->sc_reclaim);
    memset(v, 0, sizeof *v);
}

void
cloud_vsphere_copy(struct dr_cloud_vsphere *dst, const struct dr_cloud_vsphere *src)
{
    *dst = *src;
    dst->vcenter = xstrdup0(src->vcenter);
    dst->datacenters = src->datacenters ? strv_dup(src->datacenters) : NULL;
    dst->sc_name = xstrdup0(src->sc_name);
    dst->sc_datastore_url = xstrdup0(src->sc_datastore_url);
    dst->sc_policy = xstrdup0(src->sc_policy);
    dst->sc_reclaim = xstrdup0(src->sc_reclaim);
}

const char *
cloud_vsphere_sc_name(const struct dr_cloud_vsphere *v)
{
    return !str_empty(v->sc_name) ? v->sc_name : SC_NAME_DEFAULT;
}
