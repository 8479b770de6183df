/* The vSphere cloud provider (CPI) and CSI driver as Kubernetes manifests
 * for a distribution's auto-deploy folder (issue 14), written with libyaml.
 *
 * rke2 bundles both charts and runs them with `cloud-provider-name:
 * rancher-vsphere`; their values come from HelmChartConfig objects named
 * after the charts (docs.rke2.io, "Cloud Provider: vSphere"; the values are
 * those of rancher/vsphere-charts, charts/rancher-vsphere-{cpi,csi}/
 * values.yaml). k3s gets HelmChart objects (helm-controller's
 * helm.cattle.io/v1) for the same charts from
 * https://rancher.github.io/vsphere-charts, or, with an airgap bundle, from
 * the server's static folder (docs.k3s.io, "Helm": files in
 * /var/lib/rancher/k3s/server/static/ are served at
 * https://%{KUBERNETES_API}%/static/). */
#ifndef DR_K8S_CLOUDPROV_H
#define DR_K8S_CLOUDPROV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/model.h"

/* The charts' names, as rke2 bundles them and as the k3s airgap bundle
 * carries them (charts/<name>.tgz). */
#define K8S_CPI_CHART "rancher-vsphere-cpi"
#define K8S_CSI_CHART "rancher-vsphere-csi"
#define K8S_VSPHERE_CHARTS_REPO "https://rancher.github.io/vsphere-charts"

struct k8s_cloud_input {
    enum dr_distribution dist;
    const char *cluster_id;  /* the CSI's cluster-id: the cluster's name */
    const char *vcenter_url; /* https://host[:port]/sdk of the CPI/CSI's entry */
    bool insecure;           /* the charts cannot carry a CA or pin: insecureFlag */
    const char *user;
    const char *password;             /* a secret: only in the returned text */
    char *const *datacenters;         /* NULL-terminated, at least one */
    const struct dr_cloud_vsphere *v; /* the StorageClass */
    bool airgap;                      /* k3s: charts from the server's static folder */
};

/* One manifest file: name (no '/'), text (YAML; holds the password). */
struct k8s_manifest {
    char *name;
    char *text;
};

/* The manifests for in, *out a new array of *n. Errors: DR_E_INVAL (no
 * datacenter, a URL without host), DR_E_NOMEM. */
enum dr_err k8s_cloud_manifests(const struct k8s_cloud_input *in, struct k8s_manifest **out,
                                size_t *n, struct dr_error *e);
/* Wipe (the texts hold the password) and free; *m becomes NULL. */
void k8s_manifests_free(struct k8s_manifest **m, size_t n);

#endif
