/* The vSphere CPI and CSI manifests (cloudprov.h). Each manifest is one
 * libyaml document; the charts' values are a YAML document of their own,
 * emitted first and carried as the valuesContent string, as
 * HelmChart/HelmChartConfig take them. */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/i18n.h"
#include "core/keys.h"
#include "core/util.h"
#include "k8s/cloudprov.h"
#include "k8s/yamlout.h"

/* Names the charts' generated secrets take (their values.yaml defaults). */
#define CPI_SECRET "vsphere-cpi-creds"
#define CSI_SECRET "vsphere-config-secret"

static int
str_node(yaml_document_t *d, const char *v)
{
    return yaml_document_add_scalar(d, NULL, (yaml_char_t *)v, -1, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* A plain scalar: numbers and booleans YAML reads as such. */
static int
plain_node(yaml_document_t *d, const char *v)
{
    return yaml_document_add_scalar(d, NULL, (yaml_char_t *)v, -1, YAML_PLAIN_SCALAR_STYLE);
}

static int
map_node(yaml_document_t *d)
{
    return yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
}

static void
put(yaml_document_t *d, int map, const char *key, int value)
{
    yaml_document_append_mapping_pair(d, map, plain_node(d, key), value);
}

static int
put_map(yaml_document_t *d, int map, const char *key)
{
    int m = map_node(d);

    put(d, map, key, m);
    return m;
}

/* host and port of url (443 when it names none), through libcurl's parser. */
static enum dr_err
url_host_port(const char *url, char **host, char **port, struct dr_error *e)
{
    CURLU *u = curl_url();
    enum dr_err rc = DR_E_OK;
    char *h = NULL, *p = NULL;

    if (u == NULL)
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    if (curl_url_set(u, CURLUPART_URL, url ? url : "", 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || str_empty(h)) {
        rc = dr_error_set(e, DR_E_INVAL, _("vCenter URL '%s' names no host"), url ? url : "");
    } else {
        if (curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
            p = NULL;
        *host = xstrdup(h);
        *port = xstrdup(p ? p : "443");
    }
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

/* "dc1,dc2": the charts take the datacenters as one comma-separated string. */
static char *
join(char *const *v)
{
    char *s = xstrdup("");

    for (size_t i = 0; v && v[i]; i++) {
        char *t = xasprintf("%s%s%s", s, i ? "," : "", v[i]);
        free(s);
        s = t;
    }
    return s;
}

struct vals {
    char *host, *port, *dcs;
};

/* The values of one chart as YAML text. */
static enum dr_err
chart_values(const struct k8s_cloud_input *in, const struct vals *x, bool csi, char **out,
             struct dr_error *e)
{
    yaml_document_t d;
    int root, vc, sec;

    if (!yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1))
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    root = map_node(&d);
    vc = put_map(&d, root, "vCenter");
    put(&d, vc, "host", str_node(&d, x->host));
    put(&d, vc, "port", plain_node(&d, x->port));
    /* The CPI chart takes a boolean, the CSI chart a string "1"/"0"
     * (insecure-flag in csi-vsphere.conf). */
    if (csi)
        put(&d, vc, "insecureFlag", str_node(&d, in->insecure ? "1" : "0"));
    else
        put(&d, vc, "insecureFlag", plain_node(&d, in->insecure ? "true" : "false"));
    put(&d, vc, "datacenters", str_node(&d, x->dcs));
    put(&d, vc, "username", str_node(&d, in->user ? in->user : ""));
    put(&d, vc, "password", str_node(&d, in->password ? in->password : ""));
    if (csi) {
        put(&d, vc, "clusterId", str_node(&d, in->cluster_id));
        sec = put_map(&d, vc, "configSecret");
        put(&d, sec, "name", str_node(&d, CSI_SECRET));
        put(&d, sec, "generate", plain_node(&d, "true"));
    } else {
        sec = put_map(&d, vc, "credentialsSecret");
        put(&d, sec, "name", str_node(&d, CPI_SECRET));
        put(&d, sec, "generate", plain_node(&d, "true"));
    }
    if (csi) {
        const struct dr_cloud_vsphere *v = in->v;
        int sc = put_map(&d, root, "storageClass");

        put(&d, sc, "enabled", plain_node(&d, v && v->storage_class ? "true" : "false"));
        if (v && v->storage_class) {
            put(&d, sc, "name", str_node(&d, cloud_vsphere_sc_name(v)));
            put(&d, sc, "isDefault", plain_node(&d, v->sc_default ? "true" : "false"));
            put(&d, sc, "datastoreURL",
                str_node(&d, v->sc_datastore_url ? v->sc_datastore_url : ""));
            put(&d, sc, "storagePolicyName", str_node(&d, v->sc_policy ? v->sc_policy : ""));
            put(&d, sc, "reclaimPolicy",
                str_node(&d, !str_empty(v->sc_reclaim) ? v->sc_reclaim : "Delete"));
            put(&d, sc, "allowVolumeExpansion", plain_node(&d, "true"));
        }
    }
    return k8s_yaml_emit(&d, out, e);
}

/* One HelmChartConfig (rke2) or HelmChart (k3s) for chart, values inside. */
static enum dr_err
manifest(const struct k8s_cloud_input *in, const char *chart, const char *values, char **out,
         struct dr_error *e)
{
    yaml_document_t d;
    int root, md, spec;
    bool k3s = in->dist == DR_DIST_K3S;

    if (!yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1))
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    root = map_node(&d);
    put(&d, root, "apiVersion", plain_node(&d, "helm.cattle.io/v1"));
    put(&d, root, "kind", plain_node(&d, k3s ? "HelmChart" : "HelmChartConfig"));
    md = put_map(&d, root, "metadata");
    put(&d, md, "name", plain_node(&d, chart));
    put(&d, md, "namespace", plain_node(&d, "kube-system"));
    spec = put_map(&d, root, "spec");
    if (k3s) {
        if (in->airgap) {
            char *url = xasprintf("https://%%{KUBERNETES_API}%%/static/charts/%s.tgz", chart);
            put(&d, spec, "chart", str_node(&d, url));
            free(url);
        } else {
            put(&d, spec, "chart", plain_node(&d, chart));
            put(&d, spec, "repo", str_node(&d, K8S_VSPHERE_CHARTS_REPO));
        }
        put(&d, spec, "targetNamespace", plain_node(&d, "kube-system"));
        /* The CPI initialises the nodes (removes the kubelets'
         * uninitialized taint): it must run before any node is ready,
         * as the bootstrap charts do (helm-controller, spec.bootstrap). */
        if (strcmp(chart, K8S_CPI_CHART) == 0)
            put(&d, spec, "bootstrap", plain_node(&d, "true"));
    }
    put(&d, spec, "valuesContent",
        yaml_document_add_scalar(&d, NULL, (yaml_char_t *)values, -1, YAML_LITERAL_SCALAR_STYLE));
    return k8s_yaml_emit(&d, out, e);
}

enum dr_err
k8s_cloud_manifests(const struct k8s_cloud_input *in, struct k8s_manifest **out, size_t *n,
                    struct dr_error *e)
{
    static const char *const charts[] = {K8S_CPI_CHART, K8S_CSI_CHART};
    struct vals x = {0};
    struct k8s_manifest *m;
    enum dr_err rc;

    *out = NULL;
    *n = 0;
    if (strv_len((char **)in->datacenters) == 0)
        return dr_error_set(e, DR_E_INVAL, _("the vSphere cloud provider needs a datacenter"));
    rc = url_host_port(in->vcenter_url, &x.host, &x.port, e);
    if (rc != DR_E_OK)
        return rc;
    x.dcs = join(in->datacenters);
    m = xcalloc(DR_ARRAY_LEN(charts), sizeof *m);
    for (size_t i = 0; i < DR_ARRAY_LEN(charts) && rc == DR_E_OK; i++) {
        char *values = NULL;

        rc = chart_values(in, &x, i == 1, &values, e);
        if (rc == DR_E_OK)
            rc = manifest(in, charts[i], values, &m[i].text, e);
        m[i].name = xasprintf("drover-%s.yaml", charts[i]);
        keys_free_secret(&values);
    }
    free(x.host);
    free(x.port);
    free(x.dcs);
    if (rc != DR_E_OK) {
        k8s_manifests_free(&m, DR_ARRAY_LEN(charts));
        return rc;
    }
    *out = m;
    *n = DR_ARRAY_LEN(charts);
    return DR_E_OK;
}

void
k8s_manifests_free(struct k8s_manifest **m, size_t n)
{
    for (size_t i = 0; *m && i < n; i++) {
        free((*m)[i].name);
        keys_free_secret(&(*m)[i].text);
    }
    xfree(m);
}
