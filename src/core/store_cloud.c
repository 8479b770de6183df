/* A cluster file's cloud provider: cloud_provider and the vsphere block
 * (what the vSphere CPI and CSI driver need), read and written. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

/* The keys of a cluster's vsphere group and its storage_class (store.h). */
const char *const store_vsphere_keys[] = {"vcenter", "datacenters", "storage_class", NULL};
const char *const store_storage_class_keys[] = {"name",           "datastore_url", "storage_policy",
                                                "reclaim_policy", "default",       NULL};

/* A Kubernetes object name (RFC 1123 subdomain: lowercase letters, digits,
 * '-' and '.', at most 253, starting and ending alphanumeric). */
static bool
k8s_name_valid(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 253 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n &&
           strchr("-.", s[0]) == NULL && strchr("-.", s[n - 1]) == NULL;
}

static void
parse_storage_class(struct cfg_ctx *c, const config_setting_t *g, struct dr_cloud_vsphere *v)
{
    static const char p[] = "vsphere.storage_class.";
    const config_setting_t *at;

    v->storage_class = true;
    v->sc_default = true;
    cfg_check_keys(c, g, store_storage_class_keys, p);
    if (cfg_get_string(c, g, "name", p, false, &v->sc_name) && !k8s_name_valid(v->sc_name))
        cfg_err(c, config_setting_get_member(g, "name"), "vsphere.storage_class.name",
                _("'%s' is not a Kubernetes name (lowercase letters, digits, '-' and '.')"),
                v->sc_name);
    /* vSphere CSI's StorageClass parameter datastoreurl is the datastore's
     * summary.url, "ds:///vmfs/volumes/<uuid>/" (also for vSAN and NFS). */
    if (cfg_get_string(c, g, "datastore_url", p, false, &v->sc_datastore_url) &&
        !str_has_prefix(v->sc_datastore_url, "ds:///"))
        cfg_err(c, config_setting_get_member(g, "datastore_url"),
                "vsphere.storage_class.datastore_url",
                _("'%s' is not a datastore URL: use the datastore's URL as vCenter shows it "
                  "(Summary, \"ds:///vmfs/volumes/...\")"),
                v->sc_datastore_url);
    v->sc_url_line = cfg_line(config_setting_get_member(g, "datastore_url"));
    cfg_get_string(c, g, "storage_policy", p, false, &v->sc_policy);
    at = config_setting_get_member(g, "reclaim_policy");
    if (cfg_get_string(c, g, "reclaim_policy", p, false, &v->sc_reclaim) &&
        !str_eq(v->sc_reclaim, "Delete") && !str_eq(v->sc_reclaim, "Retain"))
        cfg_err(c, at, "vsphere.storage_class.reclaim_policy",
                _("'%s' is not one of: Delete, Retain"), v->sc_reclaim);
    cfg_get_bool(c, g, "default", p, &v->sc_default);
}

bool
parse_cloud(struct cfg_ctx *c, const config_setting_t *root, struct dr_cluster *cl)
{
    static const char p[] = "vsphere.";
    const config_setting_t *g = config_setting_get_member(root, "vsphere"), *sc;
    struct dr_cloud_vsphere *v = &cl->vsphere;
    int before = c->errors;
    char *key = NULL;

    cl->cloud_provider = DR_CLOUD_NONE;
    if (cfg_get_string(c, root, "cloud_provider", NULL, false, &key) &&
        !cloud_provider_from_key(key, &cl->cloud_provider))
        cfg_err(c, config_setting_get_member(root, "cloud_provider"), "cloud_provider",
                _("'%s' is not one of: none, vsphere"), key);
    free(key);
    if (g == NULL) {
        if (cl->cloud_provider == DR_CLOUD_VSPHERE)
            cfg_err(c, config_setting_get_member(root, "cloud_provider"), "vsphere",
                    _("is required with cloud_provider = \"vsphere\": vsphere = { vcenter = "
                      "\"...\"; datacenters = [ \"...\" ]; };"));
        return c->errors == before;
    }
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        cfg_err(c, g, "vsphere", _("must be a group: vsphere = { vcenter = \"...\"; };"));
        return false;
    }
    if (cl->cloud_provider != DR_CLOUD_VSPHERE)
        cfg_err(c, g, "vsphere",
                _("is only read with cloud_provider = \"vsphere\"; set that, or remove the "
                  "block"));
    v->line = cfg_line(g);
    v->vcenter_line = cfg_line(config_setting_get_member(g, "vcenter"));
    cfg_check_keys(c, g, store_vsphere_keys, p);
    if (cfg_get_string(c, g, "vcenter", p, false, &v->vcenter)) {
        const config_setting_t *at = config_setting_get_member(g, "vcenter");

        if (cfg_check_name(c, at, "vsphere.vcenter", v->vcenter) && c->check_refs &&
            c->vcenters_known && !store_find_vcenter(c->s, v->vcenter))
            cfg_note(c, at, "vsphere.vcenter", _("vcenter '%s' is not defined in vcenters.cfg"),
                     v->vcenter);
    }
    if (cfg_get_strv(c, g, "datacenters", p, &v->datacenters) && strv_len(v->datacenters) == 0)
        cfg_err(c, config_setting_get_member(g, "datacenters"), "vsphere.datacenters",
                _("is empty: name the datacenters of the nodes' VMs, or leave it out for the "
                  "templates' datacenters"));
    sc = config_setting_get_member(g, "storage_class");
    if (sc && config_setting_type(sc) != CONFIG_TYPE_GROUP)
        cfg_err(c, sc, "vsphere.storage_class",
                _("must be a group: storage_class = { datastore_url = \"...\"; };"));
    else if (sc)
        parse_storage_class(c, sc, v);
    return c->errors == before;
}

void
cloud_to_cfg(config_setting_t *r, const struct dr_cluster *c)
{
    const struct dr_cloud_vsphere *v = &c->vsphere;
    config_setting_t *g, *sc;

    if (c->cloud_provider == DR_CLOUD_NONE)
        return;
    cfg_put_string(r, "cloud_provider", cloud_provider_key(c->cloud_provider));
    g = config_setting_add(r, "vsphere", CONFIG_TYPE_GROUP);
    cfg_put_string(g, "vcenter", v->vcenter);
    if (v->datacenters)
        cfg_put_strv(g, "datacenters", v->datacenters);
    if (!v->storage_class)
        return;
    sc = config_setting_add(g, "storage_class", CONFIG_TYPE_GROUP);
    cfg_put_string(sc, "name", v->sc_name);
    cfg_put_string(sc, "datastore_url", v->sc_datastore_url);
    cfg_put_string(sc, "storage_policy", v->sc_policy);
    cfg_put_string(sc, "reclaim_policy", v->sc_reclaim);
    cfg_put_bool(sc, "default", v->sc_default);
}
