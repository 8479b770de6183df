/* The cluster wizard's forms (screens/wizard.c): the cluster step's rows,
 * with the cloud provider's, and a pool's. One table per form: adding a
 * field adds a row (STYLE.md 17). */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "screens/wizard.h"

static const char *const dists[] = {"k3s", "rke2", NULL};
static const char *const clouds[] = {"none", "vsphere", NULL};
static const char *const reclaims[] = {"Delete", "Retain", NULL};

#define C(f) offsetof(struct wdraft, f)
const struct form_row wizard_cluster_rows[] = {
    {.key = "name",
     .label = N_("Name"),
     .kind = FK_TEXT,
     .off = C(name),
     .help = N_("The file is clusters/NAME.cfg; nodes and VMs are named after its pools")},
    {.key = "vcenter",
     .label = N_("vCenter"),
     .kind = FK_CHOICE,
     .off = C(vcenter),
     .help = N_("Space or Enter: the next vCenter of vcenters.cfg; + adds one and picks it")},
    {.key = "distribution",
     .label = N_("Distribution"),
     .kind = FK_CHOICE,
     .off = C(distribution),
     .choices = dists,
     .help = N_("k3s or rke2")},
    {.key = "version",
     .label = N_("Version"),
     .kind = FK_TEXT,
     .off = C(version),
     .help = N_("e.g. v1.30.4+k3s1; empty: the installer's default")},
    {.key = "recipe",
     .label = N_("Recipe"),
     .kind = FK_TEXT,
     .off = C(recipe),
     .help = N_("Bootstrap script; empty: data/bootstrap/DISTRIBUTION.sh")},
    {.key = "airgap_bundle",
     .label = N_("Airgap bundle"),
     .kind = FK_TEXT,
     .off = C(airgap),
     .help = N_("A local file uploaded before the recipe runs; optional")},
    {.key = "next", .label = N_("Next: pools"), .kind = FK_BUTTON},
    /* The cloud provider (issue 14; drover(1) CLOUD PROVIDER), after the
     * button so that the common path (Tab to Next) stays as it was; the
     * rows after it only with "vsphere" (wizard_row_shown). */
    {.key = "cloud_provider",
     .label = N_("Cloud provider"),
     .kind = FK_CHOICE,
     .off = C(cloud),
     .choices = clouds,
     .help = N_(
         "vsphere: the vSphere CPI and CSI driver (volumes on datastores), set up at bootstrap")},
    {.key = "vsphere.vcenter",
     .label = N_("  CPI/CSI vCenter entry"),
     .kind = FK_TEXT,
     .off = C(cloud_vcenter),
     .help = N_("The vcenters.cfg entry they log in with (an account of their own); empty: the "
                "cluster's")},
    {.key = "vsphere.datacenters",
     .label = N_("  Datacenters"),
     .kind = FK_TEXT,
     .off = C(cloud_dcs),
     .help = N_("Comma-separated; empty: the templates' datacenters")},
    {.key = "vsphere.storage_class",
     .label = N_("  StorageClass"),
     .kind = FK_CHECK,
     .off = C(sc_on),
     .help = N_("A StorageClass of the CSI driver")},
    {.key = "vsphere.storage_class.name",
     .label = N_("    Name"),
     .kind = FK_TEXT,
     .off = C(sc_name),
     .help = N_("Empty: vsphere-csi-sc")},
    {.key = "vsphere.storage_class.datastore_url",
     .label = N_("    Datastore URL"),
     .kind = FK_TEXT,
     .off = C(sc_url),
     .help = N_("The datastore's URL as vCenter shows it: ds:///vmfs/volumes/...")},
    {.key = "vsphere.storage_class.storage_policy",
     .label = N_("    Storage policy"),
     .kind = FK_TEXT,
     .off = C(sc_policy),
     .help = N_("A storage policy name; optional")},
    {.key = "vsphere.storage_class.reclaim_policy",
     .label = N_("    Reclaim policy"),
     .kind = FK_CHOICE,
     .off = C(sc_reclaim),
     .choices = reclaims},
    {.key = "vsphere.storage_class.default",
     .label = N_("    Default class"),
     .kind = FK_CHECK,
     .off = C(sc_default),
     .help = N_("The cluster's default StorageClass")},
};
const size_t wizard_n_cluster_rows = DR_ARRAY_LEN(wizard_cluster_rows);
#define P(f) offsetof(struct wdraft, pool.f)
const struct form_row wizard_pool_rows[] = {
    {.key = "name", .label = N_("Pool name"), .kind = FK_TEXT, .off = P(name)},
    {.key = "template",
     .label = N_("Template"),
     .kind = FK_CHOICE,
     .off = P(template),
     .help = N_("Space, Enter or Right: the next node template, Left: the previous; + makes one")},
    {.key = "quantity", .label = N_("Quantity"), .kind = FK_NUMBER, .off = P(quantity)},
    {.key = "etcd", .label = N_("Role etcd"), .kind = FK_CHECK, .off = P(etcd)},
    {.key = "control-plane",
     .label = N_("Role control-plane"),
     .kind = FK_CHECK,
     .off = P(control_plane)},
    {.key = "worker", .label = N_("Role worker"), .kind = FK_CHECK, .off = P(worker)},
    {.key = "hostname_prefix",
     .label = N_("Hostname prefix"),
     .kind = FK_TEXT,
     .off = P(prefix),
     .help = N_("Empty: the pool's name; the first names are shown above")},
    {.key = "delete_not_ready_after",
     .label = N_("Replace not ready after (s)"),
     .kind = FK_NUMBER,
     .off = P(dnr_s),
     .help = N_("0: never")},
    {.key = "drain_before_delete",
     .label = N_("Drain before delete"),
     .kind = FK_CHECK,
     .off = P(drain),
     .help = N_("Cordon and evict its pods before a node is removed")},
    {.key = "drain_timeout",
     .label = N_("Drain timeout (s)"),
     .kind = FK_NUMBER,
     .off = P(drain_timeout_s),
     .help = N_("How long refused evictions are retried")},
    {.key = "max_unhealthy",
     .label = N_("Max unhealthy (%)"),
     .kind = FK_NUMBER,
     .off = P(max_unhealthy),
     .help = N_("No replacement while more of the pool is unhealthy")},
    {.key = "done", .label = N_("Done with this pool"), .kind = FK_BUTTON},
};
const size_t wizard_n_pool_rows = DR_ARRAY_LEN(wizard_pool_rows);
#undef C
#undef P

bool
wizard_row_shown(const void *model, const struct form_row *r, void *ctx)
{
    const struct wdraft *d = model;

    (void)ctx;
    if (!str_has_prefix(r->key, "vsphere."))
        return true;
    if (!str_eq(d->cloud, "vsphere"))
        return false;
    return !str_has_prefix(r->key, "vsphere.storage_class.") || d->sc_on;
}
