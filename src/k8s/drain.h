/* The Kubernetes calls a node drain makes (what `kubectl drain` does):
 * cordon, the node's pods, evictions through the policy/v1 Eviction
 * subresource, and the Node object's delete. Plain HTTP over k8s_request;
 * the waiting, retrying and events are the engine's (src/engine/drain.c).
 * No threads of its own. */
#ifndef DR_K8S_DRAIN_H
#define DR_K8S_DRAIN_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s/client.h"

/* A pod bound to a node. */
struct k8s_pod {
    char *ns;
    char *name;
    /* Left by a drain, as kubectl drain --ignore-daemonsets leaves them:
     * owned by a DaemonSet (its controller would recreate it at once on
     * the same node), or a mirror pod (a static pod the kubelet shows in
     * the API: annotation kubernetes.io/config.mirror; the API cannot
     * evict it). */
    bool daemonset;
    bool mirror;
    bool terminating; /* metadata.deletionTimestamp set: already going */
};

/* A pod a drain evicts (neither DaemonSet-owned nor a mirror pod). */
bool k8s_pod_evictable(const struct k8s_pod *p);

/* The pods of a v1 PodList into a new array (*pods, *n; sorted by
 * namespace/name). false (nothing allocated, *err says why; caller frees)
 * when list is not a PodList. */
bool k8s_pods_parse(const cJSON *list, struct k8s_pod **pods, size_t *n, char **err);
void k8s_pods_free(struct k8s_pod *pods, size_t n);

/* PATCH spec.unschedulable=true on Node `node` (a JSON merge patch, as
 * kubectl cordon's strategic merge patch is for this field). Returns the
 * HTTP status (200 done, 404 no such Node) or -1 on a transport error;
 * *err set for anything but 200. */
int k8s_node_cordon(struct k8s_client *c, const char *node, long timeout_ms, char **err);

/* GET /api/v1/pods?fieldSelector=spec.nodeName=NODE: every pod bound to
 * the node, parsed by k8s_pods_parse. The HTTP status (pods set only for
 * 200) or -1; *err set for anything but 200. */
int k8s_node_pods(struct k8s_client *c, const char *node, long timeout_ms, struct k8s_pod **pods,
                  size_t *n, char **err);

/* POST a policy/v1 Eviction for pod ns/name. The HTTP status: 200/201
 * accepted (the pod terminates), 404 the pod is gone, 429 refused for now
 * (a PodDisruptionBudget; *err has the API's message, which names the
 * budget), or -1 on a transport error. *err set for anything but 2xx. */
int k8s_pod_evict(struct k8s_client *c, const char *ns, const char *name, long timeout_ms,
                  char **err);

/* DELETE /api/v1/nodes/NODE. The HTTP status (200/202 deleted, 404
 * already gone) or -1; *err set for anything but 2xx. */
int k8s_node_delete(struct k8s_client *c, const char *node, long timeout_ms, char **err);

#endif
