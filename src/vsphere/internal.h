/* Shared between the files of src/vsphere only. */
#ifndef DR_VSPHERE_INTERNAL_H
#define DR_VSPHERE_INTERNAL_H

#include <curl/curl.h>
#include <sys/socket.h>

#include "vsphere/soap.h"
#include "vsphere/vsphere.h"

struct vs_buf {
    char *data;
    size_t len;
    size_t cap;
};

/* How one vCenter is reached: its TLS policy and its proxy (session.c). The
 * one set-up every handle to that vCenter gets: the SOAP session's, the vAPI
 * REST handle duplicated from it, and the certificate probes. */
struct vs_net {
    char *ca_file;
    char *pin;
    bool insecure;
    char *proxy;      /* given to libcurl as CURLOPT_PROXY: a URL, or "" (none) */
    char *proxy_shown; /* the proxy without user and password, NULL when none */
    const char *proxy_from; /* "HTTPS_PROXY", "proxy in vcenters.cfg"... */
    bool proxy_none;        /* proxy = "none" */
    long proxy_port;        /* the port libcurl dials for the proxy */
    char *proxy_host;
    long url_port; /* the vCenter's */
    /* Where the last socket went (CURLOPT_OPENSOCKETFUNCTION): tells
     * whether an error came through the proxy or NO_PROXY bypassed it. */
    struct sockaddr_storage last;
    bool have_last;
};

/* From the vCenter's entry and the environment: proxy = "none" means no
 * proxy; a URL that proxy; unset: https_proxy, HTTPS_PROXY, all_proxy or
 * ALL_PROXY, the first that is set (libcurl's own order). NO_PROXY (or
 * no_proxy) is left to libcurl and applies in every case but "none".
 * DR_E_INVAL for a proxy URL libcurl cannot parse. */
enum dr_err vs_net_init(struct vs_net *n, const struct dr_vcenter *vc, struct dr_error *e);
void vs_net_done(struct vs_net *n);
/* Give handle c the proxy (and with tls the TLS policy) of n; n must
 * outlive c and every handle duplicated from it (vs_curl_error finds n
 * through CURLOPT_PRIVATE). Not CURLE_OK when libcurl refused an option. */
CURLcode vs_net_apply(CURL *c, struct vs_net *n, bool tls);

struct vs_session {
    CURL *curl;
    struct vs_net net;
    struct curl_slist *headers;
    char *name; /* the vCenter's name in drover's config */
    char *url;
    char *user;
    char *password;
    long timeout_s;
    long task_timeout_s;
    int page_size; /* objects per RetrievePropertiesEx page */
    const atomic_bool *cancel;
    vs_progress_fn progress;
    void *progress_user;
    vs_task_fn task_hook;
    void *task_user;
    bool logged_in;
    bool in_login;
    struct vs_about about;
    /* service content */
    char *root_folder;
    char *property_collector;
    char *view_manager;
    char *search_index;
    char *session_manager;
    char *custom_fields_manager; /* NULL on a standalone host */
    char *task_manager;
    char *authorization_manager; /* NULL when the server has none */
    bool tree_caching;           /* vs_tree_cache: one inventory tree for a batch */
    struct vs_tree *tree_cached;
    struct vs_rest *rest;        /* the vAPI REST connection (rest.c), once used */
    char *session_key; /* from Login; tests watch it expire */
    int logins;        /* successful logins, re-logins included */
    char last_fault[128];
    char curl_err[CURL_ERROR_SIZE];
    struct vs_buf resp;
};

/* The vAPI REST endpoint (rest.c): method "GET", "POST" or "DELETE" on
 * path under /rest ("/com/vmware/cis/tagging/tag"), with "?~action=" when
 * action is not NULL and body as JSON when not NULL. Logs in with the
 * session's user and password first (and again once on a 401). *value gets
 * the answer's "value" (the caller cJSON_Deletes it; JSON null when there is
 * none); value may be NULL. Errors: DR_E_AUTH (401), DR_E_NOTFOUND (404),
 * DR_E_FAULT (403 and any other status, with vAPI's error type and message;
 * vs_last_fault() gets the type, e.g. "not_found"), and the connection
 * errors of a SOAP call. */
struct cJSON;
enum dr_err vs_rest_call(struct vs_session *s, const char *method, const char *path,
                         const char *action, const struct cJSON *body, struct cJSON **value,
                         struct dr_error *e);
/* The current vAPI session id, NULL before the first REST call (tests watch
 * it change after vCenter dropped the session; a secret: never log it). */
const char *vs_rest_session_id(const struct vs_session *s);
/* Log out of vAPI (best effort) and free the REST connection. */
void vs_rest_free(struct vs_session *s);
void vs_rest_set_timeout(struct vs_session *s, long seconds);

/* Apply the vCenter's TLS policy to a curl handle (session.c; cert.c too);
 * not CURLE_OK when libcurl refused part of it (e.g. cannot pin). */
CURLcode vs_tls_apply(CURL *c, const char *ca_file, const char *pin, bool insecure);
/* A curl result as a dr_err with a message naming the server and, for a
 * handle set up by vs_net_apply, the proxy the request went through (and
 * how to bypass it). A proxy's refusal of the tunnel (its answer to
 * CONNECT) is DR_E_CONNECT with cause "proxy:<status>" (src/engine/classify.c
 * classes 4xx permanent, 5xx transient). */
enum dr_err vs_curl_error(CURL *c, CURLcode rc, const char *url, const char *detail,
                          struct dr_error *e);

/* One SOAP call: send req, parse into resp. A vCenter fault becomes
 * DR_E_FAULT/DR_E_AUTH with "Name: message" (resp is freed then). Re-logs
 * in once on NotAuthenticated. */
enum dr_err vs_call(struct vs_session *s, struct soap_req *req, struct soap_resp *resp,
                    struct dr_error *e);
bool vs_cancelled(const struct vs_session *s);
/* Sleep ms, waking early on cancel; false when cancelled. */
bool vs_sleep(const struct vs_session *s, int ms);

/* Tasks (task.c): wait for a task to finish; result_id gets info.result's
 * managed object id when there is one (may be NULL). */
enum dr_err vs_task_wait(struct vs_session *s, const char *task_id, const char *what,
                         char **result_id, struct dr_error *e);
/* Call a *_Task method and wait for its task. */
enum dr_err vs_call_task(struct vs_session *s, struct soap_req *req, const char *what,
                         char **result_id, struct dr_error *e);

/* Property collector (collector.c). A callback gets each ObjectContent. */
#define VS_PAGE_SIZE 500
typedef enum dr_err (*vs_object_fn)(void *user, const char *type, const char *id, xmlNodePtr oc,
                                    struct dr_error *e);
struct vs_propspec {
    const char *type;
    const char *const *paths; /* NULL-terminated; NULL: all properties */
};
/* Every object of the spec types in a container view over root (recursive). */
enum dr_err vs_retrieve_view(struct vs_session *s, const char *root_type, const char *root_id,
                             const struct vs_propspec *specs, size_t n_specs, bool recursive,
                             vs_object_fn fn, void *user, struct dr_error *e);
/* Some properties of one object. */
/* A RetrievePropertiesEx whose specSet the caller filled in req, paged. */
enum dr_err vs_retrieve_spec(struct vs_session *s, struct soap_req *req, vs_object_fn fn,
                             void *user, struct dr_error *e);
enum dr_err vs_retrieve_one(struct vs_session *s, const char *type, const char *id,
                            const char *const *paths, vs_object_fn fn, void *user,
                            struct dr_error *e);
/* Feed each ObjectContent of a RetrieveResult (<returnval>) to fn; *token
 * gets the continuation token or NULL. */
enum dr_err vs_walk_result(xmlNodePtr rv, vs_object_fn fn, void *user, char **token,
                           struct dr_error *e);
/* The <val> of property name in an ObjectContent, or NULL. */
xmlNodePtr vs_prop(xmlNodePtr oc, const char *name);
char *vs_prop_text(xmlNodePtr oc, const char *name);
/* The value of key in an ArrayOfOptionValue (vm.c), newly allocated, or NULL.
 * Keys compare without regard to case, as a .vmx file's do. */
char *vs_option_value(xmlNodePtr val, const char *key);

/* Is ip an address a node can be reached on: not link-local, loopback or
 * unspecified, and outside every ignore CIDR (ip.c)? */
bool vs_ip_usable(const char *ip, char *const *ignore);

/* The inventory's names (tree.c). */
struct vs_entity {
    char *id;
    char *type;   /* "Folder", "DistributedVirtualPortgroup"... */
    char *name;   /* as vCenter stores it: '/' escaped as %2f */
    char *parent; /* id, NULL for the root folder */
    char *opaque_id;   /* OpaqueNetwork: summary.opaqueNetworkId */
    char *opaque_type; /* and summary.opaqueNetworkType */
};
struct vs_tree {
    struct vs_entity *v; /* sorted by id */
    size_t n;
    char *root; /* the root folder's id */
};
enum dr_err vs_tree_get(struct vs_session *s, struct vs_tree *t, struct dr_error *e);
void vs_tree_done(struct vs_tree *t);
const struct vs_entity *vs_tree_by_id(const struct vs_tree *t, const char *id);
/* "DC0/network/sw01/k8s-net": escaped names from below the root folder. */
char *vs_tree_path(const struct vs_tree *t, const struct vs_entity *x);
/* Is x below ancestor (any depth)? Everything is below NULL and the root. */
bool vs_tree_under(const struct vs_tree *t, const struct vs_entity *x, const char *ancestor);
/* The child of parent with this type and (escaped) name, or NULL. */
const struct vs_entity *vs_tree_child(const struct vs_tree *t, const char *parent,
                                      const char *type, const char *raw_name);
/* Every entity of one of types (NULL-terminated) below scope that input
 * means: its exact name (never split on '/'), or its path from the top of
 * the inventory, or from below rel (e.g. a datacenter's network folder),
 * with %2f for a '/' inside a name. *out (free it) gets them; returns how
 * many. */
size_t vs_tree_find(const struct vs_tree *t, const char *const *types, const char *scope,
                    const char *rel, const char *input, const struct vs_entity ***out);
/* One NIC as VMware Tools lists it in guest.net (a GuestNicInfo). */
struct vs_guest_nic {
    int device;   /* deviceConfigId: the key of the VM's virtual NIC; -1 when
                   * none (docker0, cni0, flannel.1, bridges inside the guest) */
    char **addrs; /* ipAddress[], NULL-terminated, may be NULL */
    bool disconnected; /* GuestNicInfo.connected is false: the adapter is
                        * unplugged, its addresses are stale and never the
                        * SSH address */
};
/* How long an IPv6-only primary NIC is given to get an IPv4 address too
 * (seconds; SLAAC usually answers before DHCP). */
#define VS_IPV6_GRACE_S 20
/* The SSH address among nics (ip.c): addresses of the NIC whose device is
 * primary (the VM's NIC on the first network; -1 when unknown: the first
 * NIC with a virtual device that has an address). NICs with device -1,
 * link-local, loopback, unspecified and ignored addresses never count.
 * *v4 and *v6 get the first usable address of each family (newly allocated,
 * NULL when none); callers prefer *v4. */
void vs_ip_pick(const struct vs_guest_nic *nics, size_t n, int primary, char *const *ignore,
                char **v4, char **v6);
/* The key of vm_id's NIC backed by network (standard, distributed or
 * opaque; NULL: none), else of its first NIC, else -1 (no NIC) (ip.c). */
enum dr_err vs_primary_nic(struct vs_session *s, const char *vm_id, const struct vs_nic *network,
                           int *key, struct dr_error *e);

/* NICs (nic.c): what a backing on network id needs, and the device edits
 * that move the source's NICs to nics (appended to a relocate spec). */
enum dr_err vs_nic_resolve(struct vs_session *s, const char *id, const char *type, const char *name,
                           struct vs_nic *out, struct dr_error *e);
void vs_nic_done(struct vs_nic *n);
void vs_nics_free(struct vs_nic *v, size_t n);
/* Append to a VirtualMachineConfigSpec the deviceChanges that make the
 * clone's NICs exactly nics (see struct vs_clone_spec). */
enum dr_err vs_nic_changes(struct vs_session *s, const char *source, const struct vs_nic *nics,
                           size_t n, xmlNodePtr config, struct dr_error *e);

/* storagepod.c: the members of datastore cluster pod a clone may go on
 * (accessible, normal mode, mounted on one of targets, the hosts the VM
 * may run on, NULL or empty: any; the session user holds
 * Datastore.AllocateSpace there, asked in one HasPrivilegeOnEntities)
 * appended to p->members, read in one
 * RetrievePropertiesEx. None: *why (free it) says why, for the caller's
 * problem. Errors: vCenter could not be asked. */
enum dr_err vs_pod_members(struct vs_session *s, const struct vs_tree *tree,
                           const struct vs_entity *pod, char *const *targets,
                           struct vs_placement *p, char **why, struct dr_error *e);
void vs_pod_members_free(struct vs_placement *p);

#endif
