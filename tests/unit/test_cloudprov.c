/* The vSphere CPI/CSI manifests (src/k8s/cloudprov.c), read back with
 * libyaml as helm-controller would: the object, then its valuesContent as
 * a YAML document of its own, value by value; passwords with YAML's
 * special characters come back as they were. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "k8s/cloudprov.h"
#include "yaml_at.h"

static char *dcs2[] = {"DC1", "DC 2", NULL};

static struct k8s_manifest *
make(enum dr_distribution dist, bool airgap, const char *pw, const struct dr_cloud_vsphere *v,
     size_t *n)
{
    struct k8s_cloud_input in = {.dist = dist,
                                 .cluster_id = "prod",
                                 .insecure = false,
                                 .vcenter_url = "https://vc.example.com:8443/sdk",
                                 .user = "k8s@vsphere.local",
                                 .password = pw,
                                 .datacenters = dcs2,
                                 .v = v,
                                 .airgap = airgap};
    struct dr_error e = {0};
    struct k8s_manifest *m = NULL;

    ck_assert_msg(k8s_cloud_manifests(&in, &m, n, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_uint_eq(*n, 2);
    return m;
}

/* The values document of manifest m. */
static char *
values(const struct k8s_manifest *m)
{
    char *v = yaml_at(m->text, "spec.valuesContent");

    ck_assert_ptr_nonnull(v);
    return v;
}

START_TEST(rke2_helmchartconfigs)
{
    struct dr_cloud_vsphere v = {.storage_class = true,
                                 .sc_default = false,
                                 .sc_datastore_url = "ds:///vmfs/volumes/x/",
                                 .sc_reclaim = "Retain"};
    size_t n;
    struct k8s_manifest *m = make(DR_DIST_RKE2, false, "pw", &v, &n);
    char *cpi = values(&m[0]), *csi = values(&m[1]);

    ck_assert_str_eq(m[0].name, "drover-rancher-vsphere-cpi.yaml");
    ck_at(m[0].text, "kind", "HelmChartConfig");
    ck_at(m[0].text, "apiVersion", "helm.cattle.io/v1");
    ck_at(m[0].text, "metadata.name", "rancher-vsphere-cpi");
    ck_at(m[0].text, "metadata.namespace", "kube-system");
    ck_none(m[0].text, "spec.chart");
    ck_at(m[1].text, "metadata.name", "rancher-vsphere-csi");
    ck_at(cpi, "vCenter.host", "vc.example.com");
    ck_at(cpi, "vCenter.port", "8443");
    ck_at(cpi, "vCenter.datacenters", "DC1,DC 2");
    ck_at(cpi, "vCenter.username", "k8s@vsphere.local");
    ck_at(cpi, "vCenter.insecureFlag", "false");
    ck_at(cpi, "vCenter.credentialsSecret.generate", "true");
    ck_at(csi, "vCenter.insecureFlag", "0");
    ck_at(csi, "vCenter.clusterId", "prod");
    ck_at(csi, "storageClass.enabled", "true");
    ck_at(csi, "storageClass.name", "vsphere-csi-sc");
    ck_at(csi, "storageClass.isDefault", "false");
    ck_at(csi, "storageClass.datastoreURL", "ds:///vmfs/volumes/x/");
    ck_at(csi, "storageClass.storagePolicyName", "");
    ck_at(csi, "storageClass.reclaimPolicy", "Retain");
    free(cpi);
    free(csi);
    k8s_manifests_free(&m, n);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(k3s_helmcharts)
{
    size_t n;
    struct k8s_manifest *m = make(DR_DIST_K3S, false, "pw", NULL, &n);
    char *csi = values(&m[1]);

    ck_at(m[0].text, "kind", "HelmChart");
    ck_at(m[0].text, "spec.chart", "rancher-vsphere-cpi");
    ck_at(m[0].text, "spec.repo", "https://rancher.github.io/vsphere-charts");
    ck_at(m[0].text, "spec.targetNamespace", "kube-system");
    ck_at(m[0].text, "spec.bootstrap", "true");
    ck_none(m[1].text, "spec.bootstrap");
    ck_at(csi, "storageClass.enabled", "false");
    ck_none(csi, "storageClass.name");
    free(csi);
    k8s_manifests_free(&m, n);

    m = make(DR_DIST_K3S, true, "pw", NULL, &n);
    ck_at(m[1].text, "spec.chart",
          "https://%{KUBERNETES_API}%/static/charts/rancher-vsphere-csi.tgz");
    ck_none(m[1].text, "spec.repo");
    k8s_manifests_free(&m, n);
}
END_TEST

/* Any password, whatever YAML makes of its characters, is the same string
 * after both parses (object, then values). */
START_TEST(passwords_survive)
{
    static const char *const pws[] = {
        "p\"q'r",      "a: b #c",
        "- [x] {y}",   "line\nbreak",
        "tab\there",   "  lead and trail  ",
        "yes",         "0x1F",
        "~",           "%{KUBERNETES_API}%",
        "back\\slash", "ünïcødé",
        "|\n  >-",     "*anchor &x !tag",
    };

    for (size_t i = 0; i < sizeof pws / sizeof pws[0]; i++) {
        size_t n;
        struct k8s_manifest *m = make(i % 2 ? DR_DIST_K3S : DR_DIST_RKE2, false, pws[i], NULL, &n);

        for (size_t k = 0; k < n; k++) {
            char *v = values(&m[k]);
            ck_at(v, "vCenter.password", pws[i]);
            free(v);
        }
        k8s_manifests_free(&m, n);
    }
}
END_TEST

START_TEST(bad_input)
{
    struct k8s_cloud_input in = {
        .dist = DR_DIST_K3S, .cluster_id = "c", .vcenter_url = "not a url", .datacenters = dcs2};
    char *none[] = {NULL};
    struct dr_error e = {0};
    struct k8s_manifest *m = NULL;
    size_t n = 9;

    ck_assert_int_eq(k8s_cloud_manifests(&in, &m, &n, &e), DR_E_INVAL);
    ck_assert_ptr_null(m);
    ck_assert_uint_eq(n, 0);
    in.vcenter_url = "https://vc/sdk";
    in.datacenters = none;
    ck_assert_int_eq(k8s_cloud_manifests(&in, &m, &n, &e), DR_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "datacenter"));
    in.datacenters = dcs2;
    ck_assert_int_eq(k8s_cloud_manifests(&in, &m, &n, &e), DR_E_OK);
    ck_at(m[0].text, "kind", "HelmChart");
    {
        char *v = values(&m[0]);
        ck_at(v, "vCenter.port", "443");
        free(v);
    }
    k8s_manifests_free(&m, n);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("cloudprov");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, rke2_helmchartconfigs);
    tcase_add_test(tc, k3s_helmcharts);
    tcase_add_test(tc, passwords_survive);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
