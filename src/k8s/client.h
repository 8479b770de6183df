/* A Kubernetes API client (libcurl + cJSON): one handle per cluster per
 * thread, authenticated with a kubeconfig's client certificate (or bearer
 * token) and verifying the API server against the kubeconfig's CA.
 * Threads: call k8s_global_init() once before any thread starts; a client
 * is used by one thread at a time (each thread opens its own). */
#ifndef DR_K8S_CLIENT_H
#define DR_K8S_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct k8s_client;

/* libcurl's global initialisation (reference-counted by libcurl, so the
 * vSphere client's own call does not conflict). 0, or -1 with *err set. */
int k8s_global_init(char **err);

/* Opens a client for a cluster's API from a kubeconfig file: server URL, CA
 * (certificate-authority-data), client certificate and key (client-certificate-data /
 * client-key-data), context NULL = current-context. Key material stays in memory (curl blobs),
 * never in a world-readable temp file. Errors in *err (caller frees). */
struct k8s_client *k8s_client_open(const char *kubeconfig_path, const char *context, char **err);
void k8s_client_free(struct k8s_client *c);
/* The API server's URL (the client's; valid while c lives). */
const char *k8s_client_server(const struct k8s_client *c);
/* A flag that, once non-zero, ends the request in progress (it returns -1,
 * *err "cancelled"); NULL for none. The flag is the caller's and must
 * outlive the client's use. */
void k8s_client_set_cancel(struct k8s_client *c, const atomic_int *flag);

/* One request. method "GET"/"PATCH"/"POST"/"DELETE"; path like "/api/v1/nodes?fieldSelector=...";
 * body NULL or JSON; content_type NULL = application/json (PATCH: "application/merge-patch+json" or
 * strategic). timeout_ms bounds the call. Returns the HTTP status (200, 404, 429, ...) or -1 on a
 * transport error (*err says which: refused, TLS, timeout). *out (when out != NULL and the answer
 * is JSON) is the parsed body, caller frees with cJSON_Delete. Thread-safe per client when each
 * thread uses its own client. */
int k8s_request(struct k8s_client *c, const char *method, const char *path,
                const char *content_type, const cJSON *body, long timeout_ms, cJSON **out,
                char **err);
/* (k8s_request, continued) *err (when err != NULL) is also set, replacing
 * what it held, for a status >= 300: "METHOD PATH: HTTP N: " and the
 * metav1.Status message. The body is never logged (it may hold secrets). */

/* GET /readyz (kube-apiserver's readiness, what `kubectl get --raw /readyz`
 * reads): 1 when it answers 200 "ok", 0 when it answers otherwise (*err
 * says the status and body), -1 on a transport error (*err). */
int k8s_readyz(struct k8s_client *c, long timeout_ms, char **err);

/* A Node's Ready condition (k8s.io/api core/v1 NodeConditionType "Ready":
 * status True, False or Unknown; the node controller sets Unknown when the
 * kubelet stops posting status for --node-monitor-grace-period). A node
 * without the condition yet counts as Unknown. */
enum k8s_ready { K8S_READY, K8S_NOT_READY, K8S_UNKNOWN };

struct k8s_node {
    char *name;
    enum k8s_ready ready;
    char *kubelet_version; /* status.nodeInfo.kubeletVersion, "" when absent */
    /* The bad condition: Ready's reason and message when it is not True, else
     * the first of MemoryPressure, DiskPressure, PIDPressure,
     * NetworkUnavailable that is True; "" when none. */
    char *reason;
    char *message;
    bool unschedulable; /* spec.unschedulable (cordoned) */
    /* The node-role.kubernetes.io/<role> labels' roles, sorted and joined
     * with "," as kubectl's ROLES column shows them; "" when none. */
    char *roles;
    char *internal_ip; /* status.addresses InternalIP, "" when none */
};

/* "Ready", "NotReady", "Unknown" (kubectl's words; not translated: they are
 * Kubernetes' own). */
const char *k8s_ready_name(enum k8s_ready r);

/* The nodes of a v1 NodeList (as GET /api/v1/nodes answers) into a new
 * array *nodes of *n entries, sorted by name. Items without a name are
 * skipped. false (nothing allocated, *err says why) when list is not a
 * NodeList. */
bool k8s_nodes_parse(const cJSON *list, struct k8s_node **nodes, size_t *n, char **err);
/* GET /api/v1/nodes parsed by k8s_nodes_parse. Returns the HTTP status
 * (the nodes are set only for 200) or -1 on a transport error or an answer
 * that is not a NodeList; *err on any
 * failure (a status other than 200 names it and the API's message). */
int k8s_nodes_list(struct k8s_client *c, long timeout_ms, struct k8s_node **nodes, size_t *n,
                   char **err);
void k8s_nodes_free(struct k8s_node *nodes, size_t n);

#endif
