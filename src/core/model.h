/* drover's domain: vCenter endpoints, node templates, cluster specs with their
 * node pools, and node records. Plain structs owning their strings; every
 * type has a _free (or _done for embedded values) that releases them. */
#ifndef DR_MODEL_H
#define DR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Where a value was read from, for messages like "templates/w.cfg:7: ...". */
struct dr_origin {
    char *file;  /* path as shown to the operator; NULL for compiled-in */
    int line;
};

struct dr_kv {
    char *key;
    char *value;
};

/* A vCenter endpoint (vcenters.cfg). The password itself is never stored in
 * the struct until vcenter_password() resolves it for a login. */
struct dr_vcenter {
    char *name;
    char *url;            /* https://host[:port]/sdk */
    char *user;
    char *password;       /* inline (vcenters.cfg is 0600), or */
    char *password_file;  /* a file holding it (must be 0600), or */
    char *password_env;   /* an environment variable holding it */
    char *ca_file;        /* trust this CA bundle instead of the system's */
    char *pin;            /* "sha256//<base64>" public-key pin */
    bool insecure;        /* no verification at all; only when written out */
    int timeout_s;        /* per request, default 60 */
    char *proxy;          /* an http(s)/socks proxy URL, "none" (never a
                           * proxy), or NULL: HTTPS_PROXY/ALL_PROXY from the
                           * environment; NO_PROXY applies to both */
    struct dr_origin origin;
};

enum dr_clone_mode {
    DR_CLONE_FULL,
    DR_CLONE_LINKED,
};

/* The node template's fields, in the order the man page lists them: the one
 * list the store's parser accepts (store_load.c), that `validate` checks
 * against and that the lab's fidelity test walks (every field must have a
 * checker there). X(ID, key) */
#define DR_TEMPLATE_FIELDS(X)                                                                      \
    X(VCENTER, "vcenter")                                                                          \
    X(DATACENTER, "datacenter")                                                                    \
    X(CLUSTER, "cluster")                                                                          \
    X(HOST, "host")                                                                                \
    X(RESOURCE_POOL, "resource_pool")                                                              \
    X(DATASTORE, "datastore")                                                                      \
    X(FOLDER, "folder")                                                                            \
    X(NETWORKS, "networks")                                                                        \
    X(CLONE_FROM, "clone_from")                                                                    \
    X(CLONE_MODE, "clone_mode")                                                                    \
    X(SNAPSHOT, "snapshot")                                                                        \
    X(CPUS, "cpus")                                                                                \
    X(MEMORY_MIB, "memory_mib")                                                                    \
    X(DISK_GIB, "disk_gib")                                                                        \
    X(USER_DATA, "user_data")                                                                      \
    X(EXTRA_CONFIG, "extra_config")                                                                \
    X(TAGS, "tags")                                                                                \
    X(CUSTOM_ATTRIBUTES, "custom_attributes")                                                      \
    X(SSH_USER, "ssh_user")                                                                        \
    X(SSH_PORT, "ssh_port")                                                                        \
    X(OS, "os")

enum dr_tfield {
#define DR_TFIELD_ENUM(id, key) DR_TF_##id,
    DR_TEMPLATE_FIELDS(DR_TFIELD_ENUM)
#undef DR_TFIELD_ENUM
        DR_TF__COUNT
};

/* The keys of DR_TEMPLATE_FIELDS by enum dr_tfield, NULL-terminated. */
extern const char *const template_field_keys[DR_TF__COUNT + 1];
/* The key of field f ("networks"), or NULL past the end. */
const char *template_field_key(enum dr_tfield f);
bool template_field_from_key(const char *key, enum dr_tfield *out);

/* A node template (templates/<name>.cfg), after Rancher's vSphere node templates. */
struct dr_template {
    char *name;
    char *vcenter;
    char *datacenter;
    char *cluster;         /* compute cluster, or */
    char *host;            /* a standalone host */
    char *resource_pool;
    char *datastore;
    char *folder;
    char **networks;       /* NULL-terminated */
    char *clone_from;      /* inventory path or name of a template or VM */
    enum dr_clone_mode clone_mode;
    char *snapshot;        /* for linked clones; default: current snapshot */
    int cpus;
    int memory_mib;
    int disk_gib;          /* 0: keep the source's size */
    char *user_data;       /* extra #cloud-config the operator wrote */
    struct dr_kv *extra_config;   /* cfgparam */
    size_t n_extra_config;
    char **tags;           /* NULL-terminated: "category/name" or a bare tag name */
    int *tag_lines;        /* the line of each tags element (NULL: unknown) */
    struct dr_kv *custom_attributes;
    size_t n_custom_attributes;
    int *custom_attribute_lines; /* the line of each custom_attributes element */
    char *ssh_user;        /* default "drover" */
    int ssh_port;          /* default 22 */
    char *os;              /* e.g. "ubuntu-22.04" */
    struct dr_origin origin;
    int line[DR_TF__COUNT];  /* each field's line in origin.file; 0: not in the file */
};
/* "file:line" of field f (the template's first line when f is not in the
 * file), newly allocated; "template NAME" when the template has no file. */
char *template_field_where(const struct dr_template *t, enum dr_tfield f);

enum dr_distribution {
    DR_DIST_K3S,
    DR_DIST_RKE2,
};

enum {
    DR_ROLE_ETCD = 1 << 0,
    DR_ROLE_CONTROL_PLANE = 1 << 1,
    DR_ROLE_WORKER = 1 << 2,
};

struct dr_pool {
    char *name;
    char *template;
    int quantity;
    unsigned roles;                /* DR_ROLE_* bits */
    char *hostname_prefix;         /* default: pool name */
    int delete_not_ready_after_s;  /* 0: never */
    bool keep_failed_vms;          /* a node failed for good keeps its VM (debugging) */
    bool drain_before_delete;      /* cordon and evict before a node's Node and VM go */
    int drain_timeout_s;           /* how long evictions a PDB refuses are retried;
                                    * 0 (a zeroed pool): the default */
    int max_unhealthy_pct;         /* no replacement while more of the pool is unhealthy */
    struct dr_origin origin;
};

/* A pool's defaults. drain_before_delete: true, as Rancher's node pools.
 * drain_timeout: 300 s, room for pods' default 30 s grace period several
 * times over while a PodDisruptionBudget waits for replicas elsewhere, yet a
 * bound (kubectl drain's default, 0, waits forever). max_unhealthy: 40 %, as
 * Cluster API's MachineHealthCheck maxUnhealthy is commonly set. */
#define DR_POOL_DRAIN_TIMEOUT_DEFAULT 300
#define DR_POOL_MAX_UNHEALTHY_DEFAULT 40
/* p zeroed, then the defaults above and quantity 1 (no strings allocated). */
void pool_defaults(struct dr_pool *p);

/* The Kubernetes cloud provider a cluster runs (cloud_provider). */
enum dr_cloud_provider {
    DR_CLOUD_NONE,    /* "none": no cloud provider (the default) */
    DR_CLOUD_VSPHERE, /* "vsphere": the out-of-tree vSphere CPI and CSI driver */
};

/* What the vSphere CPI and CSI driver need (the cluster's vsphere block;
 * src/core/cloud.c). Strings owned; NULL when not given. */
struct dr_cloud_vsphere {
    char *vcenter;          /* vcenters.cfg entry whose user the CPI/CSI log in as;
                             * NULL: the cluster's vCenter */
    char **datacenters;     /* NULL-terminated; NULL: the templates' datacenters */
    bool storage_class;     /* a storage_class group was given */
    char *sc_name;          /* default "vsphere-csi-sc" */
    char *sc_datastore_url; /* "ds:///vmfs/volumes/<uuid>/", or */
    char *sc_policy;        /* a storage policy name (SPBM); either, both or none */
    char *sc_reclaim;       /* "Delete" (default) or "Retain" */
    bool sc_default;        /* the cluster's default StorageClass */
    int line;               /* the vsphere group's line in the cluster file; 0: none */
    int vcenter_line;       /* its vcenter key's line; 0: none */
    int sc_url_line;        /* storage_class.datastore_url's line; 0: none */
};

/* A cluster spec (clusters/<name>.cfg): the desired state. */
struct dr_cluster {
    char *name;
    enum dr_distribution distribution;
    char *version;          /* e.g. "v1.30.4+k3s1"; empty: installer's default */
    char *vcenter;
    char *recipe;           /* bootstrap script path; default data/bootstrap/<dist>.sh */
    char *airgap_bundle;    /* local path uploaded before the recipe runs, optional */
    int airgap_line;        /* airgap_bundle's line in the cluster file; 0: none */
    bool keep_failed_vms;   /* every pool keeps a failed node's VM (debugging) */
    enum dr_cloud_provider cloud_provider;
    struct dr_cloud_vsphere vsphere; /* with cloud_provider DR_CLOUD_VSPHERE */
    struct dr_pool *pools;
    size_t n_pools;
    struct dr_origin origin;
};

#define DR_NODE_STATES(X)                          \
    X(PENDING, "pending", N_("Pending"))           \
    X(CLONING, "cloning", N_("Cloning"))           \
    X(CONFIGURING, "configuring", N_("Configuring")) \
    X(POWERING_ON, "powering-on", N_("Powering on")) \
    X(WAITING_FOR_IP, "waiting-for-ip", N_("Waiting for IP")) \
    X(WAITING_FOR_SSH, "waiting-for-ssh", N_("Waiting for SSH")) \
    X(BOOTSTRAPPING, "bootstrapping", N_("Bootstrapping")) \
    X(JOINING, "joining", N_("Joining"))           \
    X(ACTIVE, "active", N_("Active"))              \
    X(ERROR, "error", N_("Error"))                 \
    X(REMOVING, "removing", N_("Removing"))        \
    X(REMOVED, "removed", N_("Removed"))

enum dr_node_state {
#define DR_NODE_STATE_ENUM(id, key, label) DR_NODE_##id,
    DR_NODE_STATES(DR_NODE_STATE_ENUM)
#undef DR_NODE_STATE_ENUM
        DR_NODE__COUNT
};

/* A node's Kubernetes readiness as its cluster's API last reported it
 * (health polling, src/engine/health.c): the Node's Ready condition
 * (True, False, Unknown), or no Node of that name although drover counts
 * the node active. UNPOLLED: not asked yet (or health is off). */
enum dr_k8s_ready {
    DR_K8S_UNPOLLED,
    DR_K8S_READY,
    DR_K8S_NOT_READY,
    DR_K8S_UNKNOWN,
    DR_K8S_MISSING,
};
/* "", "ready", "not-ready", "unknown", "missing" (state files, JSON). */
const char *k8s_ready_key(enum dr_k8s_ready r);
bool k8s_ready_from_key(const char *key, enum dr_k8s_ready *out);
/* Kubernetes' own words ("Ready", "NotReady", "Unknown"; "Missing" for a
 * node the API does not list; "" when unpolled): not translated. */
const char *k8s_ready_label(enum dr_k8s_ready r);

/* A node record (clusters/<name>.state): the actual state of one node. */
struct dr_node {
    char *name;           /* hostname, e.g. "worker-01" */
    char *cluster;
    char *pool;
    unsigned roles;
    enum dr_node_state state;
    enum dr_node_state step;  /* for ERROR: the step that failed */
    int percent;              /* progress within the pipeline, 0..100 */
    int attempts;
    char *vm_id;              /* vCenter managed object id, e.g. "vm-42" */
    char *ip;
    char *host_key_fp;        /* "SHA256:..." of the pinned host key */
    bool ssh_verified;        /* drover reached the node with that key: from then on
                               * another key is an alarm, not "still booting" */
    char *last_error;
    time_t created;
    time_t updated;
    /* Kubernetes health (health polling); k8s_since: when k8s_ready took
     * its value (the replacement of unhealthy nodes measures from it). */
    enum dr_k8s_ready k8s_ready;
    char *kubelet_version;    /* status.nodeInfo.kubeletVersion, NULL: unknown */
    char *k8s_reason;         /* the bad condition's reason (and message), NULL: none */
    time_t k8s_since;
};

/* Derived cluster states (DESIGN.md). */
enum dr_cluster_state {
    DR_CLUSTER_PENDING,
    DR_CLUSTER_PROVISIONING,
    DR_CLUSTER_UPDATING,
    DR_CLUSTER_ACTIVE,
    DR_CLUSTER_DEGRADED,
    DR_CLUSTER_ERROR,
    DR_CLUSTER_REMOVING,
    DR_CLUSTER_UNAVAILABLE,  /* its Kubernetes API does not answer (health polling) */
};

/* The cluster's Kubernetes API as health polling last found it. */
enum dr_api_state {
    DR_API_UNPOLLED,
    DR_API_UP,    /* /readyz answered ok and the nodes were listed */
    DR_API_DOWN,  /* no answer, refused, or not ready: error says which */
};
const char *api_state_key(enum dr_api_state a);   /* "", "up", "down" */
struct dr_health {
    enum dr_api_state api;
    int nodes_ready;   /* Nodes the API lists with Ready True */
    int nodes_total;   /* Nodes the API lists */
    time_t polled;     /* the last poll (0: never) */
    char *error;       /* why the API is down, NULL when up */
};

/* The actual nodes of one cluster. */
struct dr_cluster_status {
    char *cluster;
    struct dr_node *nodes;
    size_t n_nodes;
    struct dr_health health;
    struct dr_origin origin;
    /* The state log (clusters/<name>.state.log, store_log.c): the sequence
     * number of the last record this status includes (the snapshot's
     * log_seq key, then each record replayed), the records in the log
     * beside the snapshot, and whether its last record was torn or did not
     * load (the next save then writes a snapshot, which drops the log). */
    unsigned long log_seq;
    size_t log_records;
    bool log_torn;
};

void origin_done(struct dr_origin *o);
void vcenter_done(struct dr_vcenter *v);
void template_done(struct dr_template *t);
void pool_done(struct dr_pool *p);
void cluster_done(struct dr_cluster *c);
void node_done(struct dr_node *n);
void cluster_status_done(struct dr_cluster_status *s);

/* Deep copies (for snapshots handed to other threads). */
void node_copy(struct dr_node *dst, const struct dr_node *src);
/* Whether a and b hold the same values in every field the state file keeps
 * (a field added to struct dr_node belongs in node_copy, node_equal,
 * status_to_text and parse_node). */
bool node_equal(const struct dr_node *a, const struct dr_node *b);
bool health_equal(const struct dr_health *a, const struct dr_health *b);
void template_copy(struct dr_template *dst, const struct dr_template *src);
void cluster_copy(struct dr_cluster *dst, const struct dr_cluster *src);
void vcenter_copy(struct dr_vcenter *dst, const struct dr_vcenter *src);
void pool_copy(struct dr_pool *dst, const struct dr_pool *src);
void cluster_status_copy(struct dr_cluster_status *dst, const struct dr_cluster_status *src);

/* Stable machine names ("waiting-for-ip") and translated labels. */
const char *node_state_key(enum dr_node_state s);
const char *node_state_label(enum dr_node_state s);
bool node_state_from_key(const char *key, enum dr_node_state *out);
/* A node that failed while provisioning and still has its VM (kept by
 * keep_failed_vms, or a clean-up that could not run): replacing the node
 * destroys it. */
bool node_vm_kept(const struct dr_node *n);
const char *cluster_state_key(enum dr_cluster_state s);
const char *cluster_state_label(enum dr_cluster_state s);
const char *distribution_key(enum dr_distribution d);  /* "k3s", "rke2" */
bool distribution_from_key(const char *key, enum dr_distribution *out);
/* Whether version is a release tag of distribution d: k3s "vX.Y.Z+k3sN",
 * rke2 "vX.Y.Z+rke2rN" (the forms of their GitHub release tags, which their
 * installers take as INSTALL_K3S_VERSION / INSTALL_RKE2_VERSION): numbers
 * without leading zeros, at most 9 digits each, N from 1. On false,
 * *form is the expected form and *example an example, for the message. */
bool distribution_version_valid(enum dr_distribution d, const char *version, const char **form,
                                const char **example);
const char *cloud_provider_key(enum dr_cloud_provider p); /* "none", "vsphere" */
bool cloud_provider_from_key(const char *key, enum dr_cloud_provider *out);
void cloud_vsphere_done(struct dr_cloud_vsphere *v);
void cloud_vsphere_copy(struct dr_cloud_vsphere *dst, const struct dr_cloud_vsphere *src);
/* The StorageClass's name: sc_name or the default "vsphere-csi-sc". */
const char *cloud_vsphere_sc_name(const struct dr_cloud_vsphere *v);
const char *clone_mode_key(enum dr_clone_mode m);      /* "full", "linked" */
bool clone_mode_from_key(const char *key, enum dr_clone_mode *out);
/* "etcd,control-plane,worker" into buf. */
const char *roles_format(unsigned roles, char *buf, size_t len);
bool roles_parse_one(const char *name, unsigned *bit);
/* The name of one DR_ROLE_* bit, or NULL. */
const char *role_name(unsigned bit);

/* Derive a cluster's state from its spec and its nodes; a cluster drover
 * counts active or degraded is unavailable when its API is down, and
 * degraded when the API calls one of its active nodes not Ready. */
enum dr_cluster_state cluster_state_derive(const struct dr_cluster *spec,
                                           const struct dr_cluster_status *status);
/* Nodes ready (ACTIVE, and Ready or not yet polled by health polling) out
 * of total (not REMOVED). */
void cluster_node_counts(const struct dr_cluster_status *status, int *ready, int *total);

#endif
