/* A node drain's Kubernetes calls (drain.h), as kubectl drain makes them:
 * k8s.io/kubectl/pkg/drain (cordon, pod filters, eviction). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "k8s/drain.h"

bool
k8s_pod_evictable(const struct k8s_pod *p)
{
    return !p->daemonset && !p->mirror;
}

static const char *
jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The pod's controller (ownerReferences[].controller) is a DaemonSet. */
static bool
daemonset_owned(const cJSON *meta)
{
    const cJSON *refs = cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences"), *r;

    cJSON_ArrayForEach(r, refs) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "controller")) &&
            str_eq(jstr(r, "kind"), "DaemonSet"))
            return true;
    }
    return false;
}

static int
pod_cmp(const void *a, const void *b)
{
    const struct k8s_pod *x = a, *y = b;
    int d = strcmp(x->ns, y->ns);

    return d ? d : strcmp(x->name, y->name);
}

bool
k8s_pods_parse(const cJSON *list, struct k8s_pod **pods, size_t *n, char **err)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items"), *it;
    const char *kind = jstr(list, "kind");
    struct k8s_pod *v = NULL;
    size_t k = 0;

    *pods = NULL;
    *n = 0;
    if (!cJSON_IsObject(list) || (kind && !str_eq(kind, "PodList")) || !cJSON_IsArray(items)) {
        *err = xstrdup("the answer is not a PodList");
        return false;
    }
    v = xcalloc((size_t)cJSON_GetArraySize(items) + 1, sizeof *v);
    cJSON_ArrayForEach(it, items) {
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(it, "metadata");
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
        const char *name = jstr(meta, "name"), *ns = jstr(meta, "namespace");

        if (name == NULL || *name == '\0')
            continue;
        v[k].ns = xstrdup(ns ? ns : "default");
        v[k].name = xstrdup(name);
        v[k].daemonset = daemonset_owned(meta);
        v[k].mirror = cJSON_GetObjectItemCaseSensitive(ann, "kubernetes.io/config.mirror") != NULL;
        v[k].terminating = jstr(meta, "deletionTimestamp") != NULL;
        k++;
    }
    qsort(v, k, sizeof *v, pod_cmp);
    *pods = v;
    *n = k;
    return true;
}

void
k8s_pods_free(struct k8s_pod *pods, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pods[i].ns);
        free(pods[i].name);
    }
    free(pods);
}

int
k8s_node_cordon(struct k8s_client *c, const char *node, long timeout_ms, char **err)
{
    cJSON *patch = cJSON_CreateObject(), *spec = cJSON_AddObjectToObject(patch, "spec");
    char *path = xasprintf("/api/v1/nodes/%s", node);
    int st;

    cJSON_AddBoolToObject(spec, "unschedulable", true);
    st = k8s_request(c, "PATCH", path, "application/merge-patch+json", patch, timeout_ms, NULL,
                     err);
    cJSON_Delete(patch);
    free(path);
    return st;
}

int
k8s_node_pods(struct k8s_client *c, const char *node, long timeout_ms, struct k8s_pod **pods,
              size_t *n, char **err)
{
    /* Node names are DNS subdomains: nothing in them needs escaping. */
    char *path = xasprintf("/api/v1/pods?fieldSelector=spec.nodeName%%3D%s", node);
    cJSON *out = NULL;
    int st = k8s_request(c, "GET", path, NULL, NULL, timeout_ms, &out, err);

    *pods = NULL;
    *n = 0;
    free(path);
    if (st == 200 && !k8s_pods_parse(out, pods, n, err))
        st = -1;
    cJSON_Delete(out);
    return st;
}

int
k8s_pod_evict(struct k8s_client *c, const char *ns, const char *name, long timeout_ms,
              char **err)
{
    cJSON *ev = cJSON_CreateObject(), *meta;
    char *path = xasprintf("/api/v1/namespaces/%s/pods/%s/eviction", ns, name);
    int st;

    cJSON_AddStringToObject(ev, "apiVersion", "policy/v1");
    cJSON_AddStringToObject(ev, "kind", "Eviction");
    meta = cJSON_AddObjectToObject(ev, "metadata");
    cJSON_AddStringToObject(meta, "name", name);
    cJSON_AddStringToObject(meta, "namespace", ns);
    st = k8s_request(c, "POST", path, NULL, ev, timeout_ms, NULL, err);
    cJSON_Delete(ev);
    free(path);
    return st;
}

int
k8s_node_delete(struct k8s_client *c, const char *node, long timeout_ms, char **err)
{
    char *path = xasprintf("/api/v1/nodes/%s", node);
    int st = k8s_request(c, "DELETE", path, NULL, NULL, timeout_ms, NULL, err);

    free(path);
    return st;
}
