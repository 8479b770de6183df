/* The cluster's cloud provider in the engine (cloud.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static const struct dr_vcenter *
find_vc(const struct dr_check_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_vcenters; i++)
        if (str_eq(cfg->vcenters[i].name, name))
            return &cfg->vcenters[i];
    return NULL;
}

bool
eng_clone_enable_uuid(const struct dr_template *t, const char *src_value)
{
    const char *v = src_value;

    /* .vmx keys are case-insensitive, as store_load and vs_option_value
     * treat them: disk.enableuuid is the same variable. */
    for (size_t i = 0; i < t->n_extra_config; i++)
        if (t->extra_config[i].key && strcasecmp(t->extra_config[i].key, "disk.EnableUUID") == 0)
            v = t->extra_config[i].value;
    return v != NULL && strcasecmp(v, "TRUE") == 0;
}

bool
eng_template_enable_uuid(const struct dr_template *t)
{
    return eng_clone_enable_uuid(t, NULL);
}

void
eng_check_cloud(const struct dr_check_config *cfg, const struct dr_cluster *spec, char ***problems,
                char ***warnings)
{
    const char *where = spec->origin.file ? spec->origin.file : spec->name;
    const struct dr_cloud_vsphere *v = &spec->vsphere;
    const struct dr_vcenter *vc = NULL;
    int line = v->vcenter_line > 0 ? v->vcenter_line : v->line > 0 ? v->line : 1;
    char *p;

    if (spec->cloud_provider != DR_CLOUD_VSPHERE)
        return;
    if (!str_empty(v->vcenter)) {
        vc = find_vc(cfg, v->vcenter);
        if (vc == NULL && !cfg->refs_checked) {
            p = xasprintf(_("%s:%d: vsphere.vcenter: no vCenter '%s' in %s/vcenters.cfg"), where,
                          line, v->vcenter, cfg->config_dir ? cfg->config_dir : ".");
            strv_push(problems, p);
            free(p);
        }
    }
    for (size_t i = 0; i < spec->n_pools; i++) {
        const struct dr_template *t = NULL;
        bool seen = false;

        for (size_t k = 0; k < cfg->n_templates && !t; k++)
            if (str_eq(cfg->templates[k].name, spec->pools[i].template))
                t = &cfg->templates[k];
        for (size_t j = 0; t && j < i; j++)
            seen = seen || str_eq(spec->pools[j].template, t->name);
        if (t == NULL || seen)
            continue;
        if (vc == NULL && str_empty(v->vcenter))
            vc = find_vc(cfg, !str_empty(spec->vcenter) ? spec->vcenter : t->vcenter);
        /* The CSI driver attaches volumes by the disks' UUIDs, which a VM
         * shows only with disk.EnableUUID = TRUE (VMware, "vSphere
         * Container Storage Plug-in: Prerequisites"). In extra_config,
         * every clone gets it whatever the source has. */
        if (!eng_template_enable_uuid(t)) {
            char *at = template_field_where(t, DR_TF_EXTRA_CONFIG);
            p = xasprintf(
                _("%s: extra_config: cluster %s has cloud_provider = \"vsphere\", and the "
                  "vSphere CSI driver needs disk.EnableUUID = \"TRUE\" on every node: "
                  "add { key = \"disk.EnableUUID\"; value = \"TRUE\"; } to the "
                  "template's extra_config"),
                at, spec->name ? spec->name : "");
            strv_push(problems, p);
            free(p);
            free(at);
        }
    }
    if (vc && eng_cloud_insecure(vc)) {
        p = xasprintf(_("%s:%d: vsphere.vcenter: vCenter '%s' is trusted by %s; the CPI and CSI "
                        "charts cannot carry a CA or a pin, so they will not verify vCenter's "
                        "certificate (insecureFlag)"),
                      where, line, vc->name,
                      vc->insecure ? _("insecure") : (!str_empty(vc->pin) ? "pin" : "ca_file"));
        strv_push(warnings, p);
        free(p);
    }
}
