/* A vim25 SOAP client for vCenter (libcurl + libxml2): sessions, TLS policy,
 * inventory, and the VM lifecycle drover's node pipeline needs.
 *
 * Threads: call vs_global_init() once before any thread starts; then each
 * worker owns its own session (a session is not shared between threads).
 * Every call blocks for at most the session's timeout per request (tasks and
 * waits take their own timeouts) and returns early with DR_E_CANCELLED when
 * the session's cancel flag becomes true.
 *
 * Errors: DR_E_AUTH (InvalidLogin), DR_E_TLS (certificate, pin or CA
 * refused), DR_E_CONNECT (no connection, connection lost), DR_E_TIMEOUT,
 * DR_E_CANCELLED, DR_E_FAULT (any other vCenter fault: the message carries
 * the fault's name and vCenter's text, and vs_last_fault() the bare name),
 * DR_E_NOTFOUND (an inventory path or name that does not exist), DR_E_PROTO
 * (a response that is not what the API promises). */
#ifndef DR_VSPHERE_H
#define DR_VSPHERE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "core/model.h"

/* Process-wide set-up of libcurl and libxml2: once, before threads start. */
enum dr_err vs_global_init(struct dr_error *e);
void vs_global_cleanup(void);

struct vs_session;

/* Called while a task runs: its vim25 name ("CloneVM_Task") and 0..100. */
typedef void (*vs_progress_fn)(void *user, const char *task, int percent);
/* Called once a *_Task method has answered with its task (id "task-123"),
 * before the task is waited for: the caller records it (the intent journal),
 * so that a stop or a crash while the task runs can find it again. */
typedef void (*vs_task_fn)(void *user, const char *what, const char *task_id);

/* A session for one vCenter (url, user, TLS policy and timeout from vc).
 * The password is copied and wiped on free. Nothing is sent yet. */
enum dr_err vs_session_new(const struct dr_vcenter *vc, const char *password,
                           struct vs_session **out, struct dr_error *e);
/* Logs out (best effort) and frees; sets *s to NULL. */
void vs_session_free(struct vs_session **s);
/* RetrieveServiceContent + Login. Later calls log in again by themselves,
 * once, when vCenter answers NotAuthenticated (an expired session). */
enum dr_err vs_login(struct vs_session *s, struct dr_error *e);
void vs_set_cancel(struct vs_session *s, const atomic_bool *cancel);
void vs_set_progress(struct vs_session *s, vs_progress_fn fn, void *user);
/* The task hook (NULL: none). A *_Task request that has been sent is never
 * cut by the cancel flag: vCenter may start the task anyway (it runs on
 * after the client goes), so the call waits for the task's id (bounded by
 * the request timeout) and hands it to fn; the cancel flag then ends only
 * the wait for the task, after one last look at its state. */
void vs_set_task_hook(struct vs_session *s, vs_task_fn fn, void *user);
/* Override the per-request timeout (seconds; 0: the vCenter's setting). */
void vs_set_timeout(struct vs_session *s, int seconds);
/* How long a task may run before DR_E_TIMEOUT (seconds; default 3600). */
void vs_set_task_timeout(struct vs_session *s, int seconds);
/* The fault name of the last DR_E_FAULT/DR_E_AUTH ("InvalidPowerState"),
 * "" when the last error was not a fault. */
const char *vs_last_fault(const struct vs_session *s);

/* From the service content, valid after vs_login(). */
struct vs_about {
    char *name; /* "VMware vCenter Server" */
    char *full_name;
    char *version; /* "7.0.3" */
    char *build;
    char *api_type;    /* "VirtualCenter" or "HostAgent" */
    char *api_version; /* "7.0.3.0" */
    char *instance_uuid;
};
const struct vs_about *vs_session_about(const struct vs_session *s);
/* The session's proxy: its URL without user and password, NULL for none
 * (unset, or proxy = "none" in vcenters.cfg). *from (may be NULL) gets
 * where it was set ("vcenters.cfg", "HTTPS_PROXY"...), *used (may be NULL)
 * whether the last request went through it (false when NO_PROXY matched). */
const char *vs_session_proxy(const struct vs_session *s, const char **from, bool *used);

/* The server's certificate as the operator confirms it (`drover vcenter
 * trust`); fetched without verification, so never trust it silently. */
struct vs_cert_info {
    char *subject;
    char *issuer;
    time_t not_before;
    time_t not_after;
    char *sha256_fingerprint; /* "AB:CD:..." over the DER certificate */
    char *pin;                /* "sha256//<base64>" over the public key */
    bool verified;            /* the configured TLS policy accepts it */
    char *verify_error;       /* why not, when !verified */
};
enum dr_err vs_fetch_cert(const struct dr_vcenter *vc, struct vs_cert_info *out,
                          struct dr_error *e);
void vs_cert_info_done(struct vs_cert_info *c);

/* Inventory. Ids are vCenter managed object ids ("vm-42"): opaque strings. */
struct vs_object {
    char *id;
    char *name;       /* as the operator types it: vCenter's %2f is a '/' again */
    char *parent;     /* parent's id (a host's cluster, a pool's parent...) */
    char *datacenter; /* the datacenter's name, NULL for the datacenters */
    char *type;       /* the vim25 type: "ClusterComputeResource", "DistributedVirtualPortgroup"... */
    char *path;       /* the full inventory path, "DC0/host/C0/Resources/web" (as
                       * FindByInventoryPath takes it; "/" inside a name is "%2f") */
    char *compute;    /* hosts and resource pools: the inventory path of their compute
                       * cluster or standalone host's compute resource; else NULL */
};

struct vs_datastore {
    struct vs_object obj;
    char *type;         /* "VMFS", "NFS", "OTHER"... */
    long long capacity; /* bytes */
    long long free_space;
};

struct vs_vm {
    struct vs_object obj; /* parent: the VM's folder */
    bool template;
    char *power_state; /* "poweredOn", "poweredOff", "suspended" */
    char *ip;          /* guest.ipAddress, NULL when unknown */
    char *pool;        /* resource pool id, NULL for templates */
    char *host;        /* host id */
    int cpus;
    int memory_mib;
    char *owner; /* extraConfig guestinfo.drover.owner, or NULL */
    char *guest_os;   /* config.guestFullName ("Ubuntu Linux (64-bit)"), NULL when unknown */
    char **snapshots; /* snapshot names, depth first, NULL-terminated; NULL when none */
};

struct vs_inventory {
    struct vs_object *datacenters;
    size_t n_datacenters;
    struct vs_object *clusters;
    size_t n_clusters;
    struct vs_object *hosts;
    size_t n_hosts; /* parent: cluster or compute resource */
    struct vs_object *pools;
    size_t n_pools;
    struct vs_datastore *datastores;
    size_t n_datastores; /* parent: a folder or a datastore cluster */
    struct vs_datastore *datastore_clusters; /* StoragePod; type is "StoragePod" */
    size_t n_datastore_clusters;
    struct vs_object *networks;
    size_t n_networks; /* networks and port groups */
    struct vs_object *folders;
    size_t n_folders;
    struct vs_vm *vms;
    size_t n_vms; /* templates too */
};

#define VS_OWNER_KEY "guestinfo.drover.owner"

/* Everything below the root folder (ContainerView + RetrievePropertiesEx,
 * paged). */
enum dr_err vs_inventory_get(struct vs_session *s, struct vs_inventory *out, struct dr_error *e);
void vs_inventory_done(struct vs_inventory *inv);

/* Names (names.c). vCenter stores a '/' inside a name as %2f, a '\' as %5c
 * and a '%' as %25 (vSphere API, ManagedEntity.name); paths join such names
 * with '/'. Results are newly allocated. */
char *vs_name_unescape(const char *raw); /* "a%2fb" -> "a/b": as the operator typed it */
char *vs_name_escape(const char *name);  /* "a/b" -> "a%2fb": one path segment */
/* "/DC0/network/a%2fb" -> {"DC0", "network", "a/b", NULL} (unescaped). */
char **vs_path_split(const char *path);
/* Does vCenter's (escaped) name raw stand for plain? */
bool vs_name_equal(const char *raw, const char *plain);

/* SearchIndex.FindByInventoryPath ("DC0/vm/k8s"): the object's id and type
 * ("Folder", "VirtualMachine"...). DR_E_NOTFOUND when nothing is there. */
enum dr_err vs_find_by_path(struct vs_session *s, const char *path, char **id, char **type,
                            struct dr_error *e);

/* A network a clone's NIC is attached to, with what its backing needs. */
struct vs_nic {
    char *network; /* id */
    char *type;    /* "Network", "DistributedVirtualPortgroup", "OpaqueNetwork" */
    char *name;    /* as vCenter stores it (a standard port group's deviceName) */
    char *portgroup_key; /* port groups: the port group's key */
    char *switch_uuid;   /* port groups: the distributed switch's uuid */
    char *opaque_id;     /* opaque (NSX) networks: opaqueNetworkId */
    char *opaque_type;   /* and opaqueNetworkType */
};

/* Where a node template's clones go, resolved from its names. */
struct vs_placement {
    char *datacenter;    /* id */
    char *folder;        /* VM folder id (the template's folder, else the datacenter's vm folder) */
    char *pool;          /* resource pool id (named pool, else the cluster's/host's root pool) */
    char *datastore;     /* datastore id; NULL when the template names a datastore cluster */
    char *host;          /* host id when the template names a host, else NULL */
    char *source;        /* id of the VM or template to clone */
    char *snapshot;      /* snapshot id for linked clones (named, else current) */
    char **networks;     /* network ids, NULL-terminated */
    struct vs_nic *nics; /* the same networks with their backing details */
    size_t n_nics;
    /* For preflight: the compute resource (cluster, or a standalone host's
     * ComputeResource) and its type; each object's full inventory path
     * (escaped names, as FindByInventoryPath takes them); and the VMs
     * directly in the folder, names as vCenter stores them. */
    char *compute;
    char *compute_type;
    char *folder_path, *pool_path, *datastore_path, *host_path, *compute_path, *source_path;
    char **network_paths;   /* NULL-terminated, as networks */
    char **folder_vm_ids;   /* NULL-terminated */
    char **folder_vm_names; /* the same order */
    /* A template whose datastore names a datastore cluster (StoragePod):
     * the pod and its members a clone may go on (accessible, not in
     * maintenance, mounted on a host the VM may run on), as vCenter said
     * when the placement was resolved. Each clone picks one with
     * vs_pod_pick. */
    char *pod, *pod_path;
    struct vs_pod_member *members;
    size_t n_members;
    long long source_disk_bytes; /* pods only: the source's disks, summed (bytes) */
    long long source_memory_mib; /* pods only: the source's memory */
};
/* A member datastore of a datastore cluster. */
struct vs_pod_member {
    char *id, *path;
    long long free_space, capacity; /* bytes, summary.freeSpace and capacity */
};
/* The member a new VM of `need` bytes goes on: among those with room for
 * it (free space less what drover has placed there in this run, placed[i]
 * bytes for members[i], at least need), the one with the most left, as
 * Storage DRS's initial placement weighs space (it also weighs I/O load,
 * which drover cannot see, and never places a VM on a datastore without
 * room). Ties: the first. Returns the index, or -1 when no member has room
 * (or n is 0). need <= 0: any member. */
int vs_pod_pick(const struct vs_pod_member *members, size_t n, const long long *placed,
                long long need);
/* The same order for all n members: order[0] is vs_pod_pick's answer, then
 * the others by the free space they have left, most first (ties: in
 * members' order). order holds n indexes. */
void vs_pod_order(const struct vs_pod_member *members, size_t n, const long long *placed,
                  size_t *order);
/* A name of a template that does not resolve: which field, and why. */
struct vs_problem {
    enum dr_tfield field;
    char *subfield; /* "networks[1]", or NULL: the field's key */
    char *message;
    int line;       /* the list element's own line; 0: the field's line */
};
struct vs_problems {
    struct vs_problem *v;
    size_t n;
};
void vs_problems_done(struct vs_problems *p);

/* While on, every resolve on s shares one inventory tree (fetched once):
 * for a batch of checks that must see one state of vCenter (preflight).
 * Off drops it. */
void vs_tree_cache(struct vs_session *s, bool on);

/* Preflight's facts (facts.c) about the objects a template resolved to. */
enum vs_priv_state { VS_PRIV_UNKNOWN, VS_PRIV_GRANTED, VS_PRIV_MISSING };
struct vs_fact {
    char *type;   /* in: "VirtualMachine", "Datastore", "ClusterComputeResource",
                   * "ComputeResource", "HostSystem" (or any entity, for privileges) */
    char *id;     /* in */
    bool found;
    char *name;
    /* VirtualMachine */
    bool is_template;
    char *power_state;   /* runtime.powerState */
    char *tools_status;  /* guest.toolsStatus: "toolsNotInstalled", "toolsNotRunning"... */
    char *tools_version; /* config.tools.toolsVersion, "0" when none */
    char *guest_id;      /* config.guestId ("ubuntu64Guest") */
    char *guest_name;    /* config.guestFullName */
    int nics, disks;
    long long disk_bytes;   /* every virtual disk's capacity, summed */
    int cpus;
    long long memory_mib;
    char *owner;         /* guestinfo.drover.owner, NULL when unmarked */
    char *enable_uuid;   /* extraConfig disk.EnableUUID, NULL when unset */
    /* Datastore */
    long long capacity, free_space; /* bytes */
    bool accessible;
    char *url;           /* summary.url, "ds:///vmfs/volumes/<uuid>/" */
    char **hosts;        /* ids of the hosts that mount it */
    /* HostSystem, ComputeResource, ClusterComputeResource */
    char **datastores;   /* ids of the datastores it reaches */
    char **hosts_of;     /* a compute resource's hosts */
    long long memory_bytes;      /* host: physical; compute: effective (total when 0) */
    long long cpu_mhz;           /* host: cores x MHz; compute: effective */
    int cores;
    long long memory_used_bytes; /* host */
    long long cpu_used_mhz;      /* host */
    bool maintenance;            /* host in maintenance mode; datastore: summary.maintenanceMode
                                  * is not "normal" */
    /* privileges (vs_privileges_get): one per asked privilege */
    enum vs_priv_state *granted;
};
struct vs_facts {
    struct vs_fact *v;
    size_t n;
};
/* Add (type, id) to the query once; returns its entry. */
struct vs_fact *vs_facts_add(struct vs_facts *q, const char *type, const char *id);
struct vs_fact *vs_facts_find(const struct vs_facts *q, const char *id);
/* Fill every entry in ONE RetrievePropertiesEx (paged). found stays false
 * for an object vCenter did not return. */
enum dr_err vs_facts_get(struct vs_session *s, struct vs_facts *q, struct dr_error *e);
/* The session user's privileges privs on every entry (one
 * AuthorizationManager.HasPrivilegeOnEntities): granted[j] for privs[j]. A
 * fault (the user may not ask, an older vCenter) is the error. */
enum dr_err vs_privileges_get(struct vs_session *s, struct vs_facts *q,
                              const char *const *privs, size_t n_privs, struct dr_error *e);
void vs_facts_done(struct vs_facts *q);
/* The session's vCenter root folder id ("group-d1"), NULL before login. */
const char *vs_session_root_folder(const struct vs_session *s);

/* Resolve every inventory name of t (datacenter, folder, cluster or host,
 * resource_pool, datastore, networks, clone_from, snapshot). Each name is
 * matched exactly (a '/' in a name is part of it) or as a full inventory
 * path ("DC0/network/sw01/k8s-net", %2f for a '/' inside a name), or as a
 * path below its kind's folder; a name that means no object, or more than
 * one (every full path is listed), is a problem. Every problem is appended
 * to probs (all of them, not only the first) and the result is DR_E_INVAL
 * with *out empty; with probs NULL the first problem is the error message.
 * Other errors: vCenter could not be asked. */
enum dr_err vs_resolve_placement(struct vs_session *s, const struct dr_template *t,
                                 struct vs_placement *out, struct vs_problems *probs,
                                 struct dr_error *e);
void vs_placement_done(struct vs_placement *p);

/* VM lifecycle. */
struct vs_clone_spec {
    const char *source;    /* VM or template id */
    const char *name;      /* the new VM's name (vCenter allows duplicates:
                            * check with vs_find_vm first) */
    const char *folder;    /* id */
    const char *pool;      /* id */
    const char *datastore; /* id; NULL: the source's */
    const char *host;      /* id; NULL: vCenter chooses */
    bool linked;           /* a linked clone from snapshot */
    const char *snapshot;  /* snapshot id (linked clones) */
    int cpus;              /* 0: keep the source's */
    int memory_mib;        /* 0: keep */
    const struct dr_kv *extra_config;
    size_t n_extra_config;
    /* The clone's NICs are exactly these, in order: the source's NIC i is
     * re-backed to nics[i], missing NICs are added (vmxnet3), surplus ones
     * removed. n_nics 0: the source's NICs stay as they are. */
    const struct vs_nic *nics;
    size_t n_nics;
};
/* Whether VM vm_id's network adapters (in device order) are exactly want[0..n)
 * (nic_check.c): a standard port group's adapter backed by its network, a
 * distributed one's by its switch uuid and port group key, an opaque one's
 * by its id. n == 0: nothing to check. DR_E_INVAL naming each adapter that
 * differs, is missing or is one too many; a vCenter error as it came. */
enum dr_err vs_vm_nics_check(struct vs_session *s, const char *vm_id, const struct vs_nic *want,
                             size_t n, struct dr_error *e);
/* CloneVM_Task; the new VM is powered off (the clone spec's powerOn is not
 * used: vs_power_on explicitly). */
enum dr_err vs_clone_vm(struct vs_session *s, const struct vs_clone_spec *spec, char **vm_id,
                        struct dr_error *e);

struct vs_reconfig {
    int cpus;                         /* 0: keep */
    int memory_mib;                   /* 0: keep */
    int disk_gib;                     /* grow the first disk to this; 0 or smaller: keep */
    const struct dr_kv *extra_config; /* set (value "" removes a key) */
    size_t n_extra_config;
};
enum dr_err vs_reconfigure_vm(struct vs_session *s, const char *vm_id, const struct vs_reconfig *r,
                              struct dr_error *e);

/* Powering on a VM that is on (or off one that is off) is not an error. */
enum dr_err vs_power_on(struct vs_session *s, const char *vm_id, struct dr_error *e);
enum dr_err vs_power_off(struct vs_session *s, const char *vm_id, struct dr_error *e);
/* ShutdownGuest, wait up to timeout_s for poweredOff, else power off. */
enum dr_err vs_shutdown(struct vs_session *s, const char *vm_id, int timeout_s, struct dr_error *e);
/* Destroy_Task. vCenter refuses a powered-on VM (InvalidPowerState): power
 * it off first. */
enum dr_err vs_destroy_vm(struct vs_session *s, const char *vm_id, struct dr_error *e);

/* How a task ended, or that it has not (vs_task_poll, vs_task_settle). */
enum vs_task_end {
    VS_TASK_RUNNING, /* queued or running */
    VS_TASK_SUCCESS, /* *result_id: info.result's managed object id, if any */
    VS_TASK_ERROR,   /* e: the task's fault */
    VS_TASK_GONE,    /* vCenter no longer knows it (it forgets ended tasks) */
};
/* One look at task_id's TaskInfo through the property collector. DR_E_OK
 * with *end set, or the error of the look itself. */
enum dr_err vs_task_poll(struct vs_session *s, const char *task_id, enum vs_task_end *end,
                         char **result_id, struct dr_error *e);
/* Wait up to wait_s seconds (and while the cancel flag stays false) for
 * task_id to end; cancel_it: send CancelTask first (vCenter's answer for a
 * task that has ended or cannot be cancelled is ignored: the wait tells).
 * DR_E_OK with *end (VS_TASK_RUNNING when the time ran out or the wait was
 * cancelled), or the error of a look at the task. */
enum dr_err vs_task_settle(struct vs_session *s, const char *task_id, bool cancel_it, int wait_s,
                           enum vs_task_end *end, char **result_id, struct dr_error *e);

/* The tasks vCenter is running (queued or running) on entity_id, from the
 * TaskManager's recentTask: *task_ids (NULL-terminated, strv_free) gets
 * them, NULL when there are none. A clone's task runs on its source. */
enum dr_err vs_running_tasks_on(struct vs_session *s, const char *entity_id, char ***task_ids,
                                struct dr_error *e);

/* "poweredOn", "poweredOff" or "suspended" (newly allocated). */
enum dr_err vs_vm_power_state(struct vs_session *s, const char *vm_id, char **state,
                              struct dr_error *e);

/* The VM named name directly in folder_id (DR_E_NOTFOUND when none). */
enum dr_err vs_find_vm(struct vs_session *s, const char *folder_id, const char *name, char **vm_id,
                       struct dr_error *e);

/* Wait until the guest reports the address drover can SSH to: an address in
 * guest.net on the guest NIC whose deviceConfigId is the VM's NIC backed by
 * network (the template's first network as resolved for the clone; NULL,
 * or no NIC on it: the VM's first NIC). Guest NICs without a virtual device
 * (docker0, cni0: deviceConfigId -1), other NICs (a second NIC without DHCP
 * is not waited for), link-local, loopback and addresses inside the ignore
 * CIDRs (NULL-terminated, may be NULL) never count. IPv4 first; an IPv6
 * address is taken when no IPv4 address came VS_IPV6_GRACE_S (20) seconds
 * after it, or at the timeout. guest.ipAddress is not used: Tools put any
 * NIC's address there (often docker0's). *ip is newly allocated.
 * DR_E_TIMEOUT after timeout_s, naming what each guest NIC reported. */
enum dr_err vs_wait_for_ip(struct vs_session *s, const char *vm_id, const struct vs_nic *network,
                           char *const *ignore, int timeout_s, char **ip, struct dr_error *e);

/* A VM's extraConfig (all keys). */
enum dr_err vs_get_extra_config(struct vs_session *s, const char *vm_id, struct dr_kv **out,
                                size_t *n, struct dr_error *e);
void vs_kv_free(struct dr_kv *kv, size_t n);

/* Every VM (not template) that has extraConfig key (e.g. VS_OWNER_KEY). */
struct vs_keyed_vm {
    char *id;
    char *name;
    char *value; /* the key's value */
    char *power_state;
    char *ip; /* NULL when unknown */
};
enum dr_err vs_list_vms_with_key(struct vs_session *s, const char *key, struct vs_keyed_vm **out,
                                 size_t *n, struct dr_error *e);
void vs_keyed_vms_free(struct vs_keyed_vm *v, size_t n);

/* Tags and custom attributes (labels.c). A template's tags are vCenter tags
 * (vAPI tagging, attached after cloning), its custom_attributes vCenter's
 * custom fields (CustomFieldsManager, SetField on the VM). */

/* Split a template's tag into category and tag name at the first '/';
 * "%2f" inside either part is a literal '/' and "%25" a '%' (vCenter's own
 * escaping of names). A tag without '/' is a bare name: *category NULL.
 * false (nothing allocated) when a part is empty. */
bool vs_tag_spec_parse(const char *spec, char **category, char **name);

struct vs_label_tag {
    char *id;   /* vAPI tag id */
    char *path; /* "category/name" as vCenter spells them */
};
struct vs_label_field {
    int key; /* the custom field definition's key */
    char *name;
    char *value;
};
struct vs_labels {
    struct vs_label_tag *tags;
    size_t n_tags;
    struct vs_label_field *fields;
    size_t n_fields;
};

/* Look up the template's tags and custom attributes in the session's
 * vCenter: each tag (category/name, or a bare name found in exactly one
 * category) must exist in a category that may be attached to VMs, at most
 * one per category of SINGLE cardinality; each custom attribute must be
 * defined for VMs (or for every type). Every problem, not only the first,
 * is appended to probs (field DR_TF_TAGS, subfield "tags[I]", or
 * DR_TF_CUSTOM_ATTRIBUTES, "custom_attributes[I].key"; line: the element's).
 * DR_E_OK when vCenter answered (problems or not; out is complete only
 * without any), another error when it could not be asked. */
enum dr_err vs_labels_resolve(struct vs_session *s, const struct dr_template *t,
                              struct vs_labels *out, struct vs_problems *probs,
                              struct dr_error *e);
void vs_labels_done(struct vs_labels *l);
/* Every tag of the session's vCenter that a VM may carry (its category is
 * associable with VirtualMachine, or with every type), as a template's tags
 * element spells it: "category/name" with vCenter's escaping (%2f, %25),
 * sorted. *out is a newly allocated strv (NULL when there are none). An
 * error when the tagging service could not be asked. */
enum dr_err vs_labels_list_tags(struct vs_session *s, char ***out, struct dr_error *e);
/* Attach each tag to the VM and set each custom attribute's value. Run again
 * on the same VM it changes nothing (an attached tag stays attached, a
 * value is replaced). Needs the privileges "vSphere Tagging > Assign or
 * Unassign vSphere Tag" and "Global > Set custom attribute". */
enum dr_err vs_labels_apply(struct vs_session *s, const char *vm_id, const struct vs_labels *l,
                            struct dr_error *e);

#endif
