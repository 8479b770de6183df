/* The provisioning engine's public face, and the only engine header the UI
 * and the CLI include: commands go in, events and snapshots come out.
 *
 * The engine runs node jobs on its own worker threads (DESIGN.md "Threads and
 * events"). Nothing handed out here points into memory those threads own:
 * events and snapshots are deep copies the caller frees. Every function is
 * safe to call from any thread. */
#ifndef DR_ENGINE_H
#define DR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"
#include "core/model.h"

struct dr_store;
struct dr_engine;

enum dr_event_kind {
    DR_EV_NODE_STATE,  /* a node moved: state, step (the failed one on ERROR), text = reason */
    DR_EV_PROGRESS,    /* percent and/or text changed within a step */
    DR_EV_LOG,         /* one line of a node's log (step messages, bootstrap output) */
    DR_EV_JOB,         /* a job was queued, started, waits, or finished: job_state */
    DR_EV_CLUSTER,     /* a cluster was added, changed its derived state, or went away */
    DR_EV_ENGINE,      /* engine-wide news: recovery, headless, another drover holds the lock */
    DR_EV_REQUEST,     /* a request (inventory, certificate, login) answered: request set;
                        * level DR_LOG_ERROR and text the reason when it failed */
};

enum dr_job_kind {
    DR_JOB_PROVISION,  /* walk a node from its current step to ACTIVE */
    DR_JOB_REMOVE,     /* destroy a node's VM, then forget the node */
    DR_JOB_REPLACE,    /* destroy a node's VM, then provision it afresh */
};

enum dr_job_state {
    DR_JOB_QUEUED,     /* waiting for a free worker */
    DR_JOB_RUNNING,    /* a worker runs one of its steps */
    DR_JOB_WAITING,    /* backing off before a retry, or waiting for the first server */
    DR_JOB_DONE,
    DR_JOB_FAILED,     /* its node is in ERROR */
    DR_JOB_CANCELLED,
};

struct dr_event {
    enum dr_event_kind kind;
    unsigned long seq;          /* increasing by one; a gap means events were dropped */
    time_t time;
    unsigned job;               /* 0: not about a job */
    enum dr_job_state job_state;
    char *cluster;              /* NULL for engine-wide events */
    char *node;                 /* NULL for cluster-wide events */
    enum dr_node_state state;
    enum dr_node_state step;
    int percent;                /* 0..100 through the node's pipeline */
    enum dr_cluster_state cluster_state;  /* for DR_EV_CLUSTER */
    enum dr_log_level level;
    char *text;                 /* never NULL; "" when there is nothing to say */
    unsigned request;           /* DR_EV_REQUEST: the request's id */
};

struct dr_job {
    unsigned id;
    enum dr_job_kind kind;
    enum dr_job_state state;
    char *cluster;
    char *node;
    enum dr_node_state step;    /* the step running or next to run */
    int percent;
    int attempts;               /* of the current step */
    char *text;                 /* last progress text, "" when none */
    char *error;                /* reason when FAILED, else NULL */
    time_t created;
    time_t finished;            /* 0 while not finished */
};

/* One cluster as the engine sees it: what is wanted and what exists. */
struct dr_cluster_view {
    struct dr_cluster spec;           /* desired state (deep copy) */
    struct dr_cluster_status status;  /* actual nodes (deep copy) */
    enum dr_cluster_state state;      /* derived */
    bool deleting;                    /* delete requested: removing every node */
    int ready;                        /* ACTIVE nodes */
    int total;                        /* nodes not REMOVED */
    /* Observing: no drover runs the engine and some node is in progress
     * (cloning .. joining, removing): those nodes stand still. */
    bool stalled;
};

struct dr_snapshot {
    unsigned long seq;          /* events up to this one are reflected */
    bool read_only;
    bool observer;              /* another drover runs the engine; this one watches */
    long observer_pid;          /* that drover's pid when known, else 0 */
    /* Observing and no drover holds the state folder's lock: when that
     * drover was seen to stop (or, never seen, when the state files were
     * last written); 0 while one runs, and in an engine that runs itself. */
    time_t owner_stopped;
    bool headless;
    int workers;
    int busy_workers;
    struct dr_cluster_view *clusters;
    size_t n_clusters;
    struct dr_job *jobs;        /* newest first; finished jobs are kept a while */
    size_t n_jobs;
};

struct dr_engine_options {
    bool read_only;             /* refuse every command (also from settings.read_only) */
    int workers;                /* 0: settings.workers */
    /* No Kubernetes health polling (settings.health_interval ignored): for
     * one-shot commands such as drover apply, whose outcome is drover's own
     * pipeline; the console polls. */
    bool no_health;
};

/* Start the engine on a loaded store: take the state folder's lock, replay
 * the journal, reconcile with vCenter in the background, and start the
 * workers. The engine keeps its own copy of the store's folders and
 * contents; the caller's store is not used afterwards. When another drover
 * holds the lock, the engine starts as an observer: read-only, no workers,
 * re-reading the state files and reporting changes as events. */
enum dr_err engine_new(const struct dr_store *store, const struct dr_engine_options *opts,
                       struct dr_engine **out, struct dr_error *e);
/* Cancel what still runs at a safe point, save every state, stop the
 * workers, release the lock, and free. *e becomes NULL. */
void engine_free(struct dr_engine **e);

/* Readable when events are waiting. Poll it for POLLIN and then call
 * engine_drain_events(), which also empties the pipe. Never blocks. */
int engine_wake_fd(const struct dr_engine *e);
/* Take every queued event (oldest first). Returns the count; *out is NULL
 * when there are none. Free with engine_events_free(). */
size_t engine_drain_events(struct dr_engine *e, struct dr_event **out);
void engine_events_free(struct dr_event *ev, size_t n);

/* A consistent deep copy of clusters, nodes and jobs. */
struct dr_snapshot *engine_snapshot(struct dr_engine *e);
void engine_snapshot_free(struct dr_snapshot **s);
/* What a stalled cluster's notice says (snapshot's owner_stopped, local
 * time); the caller frees it. */
char *engine_stalled_text(time_t owner_stopped);
/* Whether a node in state s is on its way (cloning .. joining, removing):
 * it stands still while no drover runs the engine. */
bool engine_node_in_progress(enum dr_node_state s);
const struct dr_cluster_view *snapshot_find_cluster(const struct dr_snapshot *s,
                                                    const char *name);

/* Commands. Each returns at once (the work happens on the workers);
 * DR_E_READONLY in read-only mode, DR_E_BUSY in an observer, DR_E_NOTFOUND
 * for an unknown cluster/pool/node/job, DR_E_INVAL for a bad spec. */

/* What the checks without vCenter look names up in. */
struct dr_check_config {
    const struct dr_template *templates;
    size_t n_templates;
    const struct dr_vcenter *vcenters;
    size_t n_vcenters;
    const char *config_dir;   /* for messages */
    /* The store's loader already reported templates and vCenters that do
     * not exist (drover validate): do not say it again. */
    bool refs_checked;
    /* The caller reported the problems of template files that did not load
     * (drover apply): do not add "did not load" for them. */
    bool loads_reported;
};

/* Every problem with spec that can be known without vCenter and would
 * otherwise fail only after a VM exists: the cluster's name, version (its
 * distribution's release form), recipe and airgap bundle; each pool's
 * quantity, template and vCenter, and the node names its prefix makes (DNS
 * labels, RFC 1123: they are the guests' hostnames and the VMs' names); and
 * each template's cloud-init and guestinfo sizes (ci_check_template) for the
 * longest name its pools can make. Each problem and each warning is one line
 * pushed to *problems or *warnings (strvs the caller frees; the same line is
 * pushed once). Returns the number of problems added. */
size_t engine_check_spec(const struct dr_check_config *cfg, const struct dr_cluster *spec,
                         char ***problems, char ***warnings);
/* The same for a template on its own (any node name up to 63 characters). */
size_t engine_check_template(const struct dr_template *t, char ***problems, char ***warnings);

/* Preflight (issue 11): everything that will go wrong with a cluster in
 * vCenter, found before anything is created. Each finding has a severity,
 * the check that found it, where in the configuration it comes from, the
 * vCenter object it is about, what is wrong and how to fix it. */
enum dr_severity {
    DR_SEV_ERROR,    /* the apply would fail: an apply stops before any clone */
    DR_SEV_WARNING,  /* may fail or misbehave (overcommit, only a boot can tell) */
    DR_SEV_NOTE,     /* what preflight cannot know from vCenter */
};
const char *severity_key(enum dr_severity s);   /* "error", "warning", "note" */

struct dr_finding {
    enum dr_severity severity;
    char *check;     /* "placement", "capacity", "template", "names", "privileges", "labels",
                      * "bundle" */
    char *file;      /* the configuration file the finding is about, NULL: none */
    int line;        /* 0 when not known */
    char *field;     /* "datastore", "networks[1]"; NULL when not one field */
    char *object;    /* the vCenter object's full inventory path ("DC0/datastore/ds1"), NULL */
    char *message;   /* what is wrong */
    char *fix;       /* how to fix it, NULL when there is nothing to add */
};

/* "error: templates/a.cfg:6: datastore: DC0/datastore/x: what (fix: how)"
 * (newly allocated). */
char *finding_format(const struct dr_finding *f);
void finding_done(struct dr_finding *f);

struct dr_preflight {
    char *cluster;
    struct dr_finding *v;   /* errors first, then warnings, notes; by file and line */
    size_t n;
    size_t errors, warnings;
    long long elapsed_ms;   /* wall time of the check */
};
void preflight_free(struct dr_preflight **p);

/* Run preflight for spec on the calling thread (the CLI: it blocks on the
 * network; the console uses engine_request_preflight). Logs in to the
 * vCenters of spec's templates, resolves every template, and collects every
 * finding (see drover(1), PREFLIGHT). Read-only in vCenter. store gives the
 * templates, vCenters, settings (preflight_margin_pct) and the cluster's
 * state (nodes whose VM exists are not new). DR_E_OK when the check ran,
 * findings or not (*out, free with preflight_free); an error when it could
 * not run (a vCenter unreachable). */
enum dr_err engine_preflight(const struct dr_store *store, const struct dr_cluster *spec,
                             struct dr_preflight **out, struct dr_error *e);
/* The same for the console, on a request thread of its own (never a node
 * worker), with copies of the cluster's spec and state, the templates and
 * vCenters as the engine has them: answers with one DR_EV_REQUEST event
 * (text: the totals, or why it could not run, level DR_LOG_ERROR); then
 * engine_take_preflight() has the result. Allowed in read-only mode (it
 * changes nothing). DR_E_NOTFOUND for a cluster without a spec. */
enum dr_err engine_request_preflight(struct dr_engine *e, const char *cluster, unsigned *id,
                                     struct dr_error *err);
/* The same for a spec that is not saved (the wizard's review; a copy is
 * taken, the caller keeps spec): the templates and vCenters are the files'
 * as for a saved cluster, and tmpl, when not NULL, an unsaved template (the
 * editor's test) checked in place of the saved one of its name (copied).
 * A cluster of spec's name that the engine knows lends its nodes' state (a
 * node with a VM is not new). Answers as engine_request_preflight. */
enum dr_err engine_request_preflight_spec(struct dr_engine *e, const struct dr_cluster *spec,
                                          const struct dr_template *tmpl, unsigned *id,
                                          struct dr_error *err);
/* The answered request's result, once (NULL: failed, unknown or taken). */
struct dr_preflight *engine_take_preflight(struct dr_engine *e, unsigned id);

/* One privilege drover needs in vCenter (the table is the source for the
 * preflight check and the man page): its vSphere id, the object it is
 * needed on and why. */
enum dr_priv_object { DR_PRIV_SOURCE, DR_PRIV_FOLDER, DR_PRIV_POOL, DR_PRIV_DATASTORE,
                      DR_PRIV_NETWORK };
struct dr_privilege {
    const char *id;            /* "VirtualMachine.Provisioning.Clone" */
    enum dr_priv_object on;
    const char *why;           /* untranslated; N_() */
};
const struct dr_privilege *engine_privileges(size_t *n);
const char *priv_object_key(enum dr_priv_object o);
/* The i-th privilege the vSphere CPI/CSI account needs (cloud_provider
 * "vsphere"): its id, the object it is checked on ("vcenter" root,
 * "datacenter", "datastore", "folder") and why; false past the end. */
bool engine_cloud_privilege(size_t i, const char **id, const char **on, const char **why);  /* "template", "folder"... */

/* Create or update a cluster: save spec as clusters/<name>.cfg (after
 * re-reading templates and vCenters), having checked it with
 * engine_check_spec (DR_E_INVAL: "N problems: " and every problem, "; "
 * between them; each is also logged), and reconcile
 * its nodes with it. */
enum dr_err engine_apply_cluster(struct dr_engine *e, const struct dr_cluster *spec,
                                 struct dr_error *err);
/* How an apply was asked for. preflight_ran: the caller already ran
 * preflight (engine_preflight) for this spec, or skipped it on purpose
 * (`drover apply --skip-preflight`): the pre-clone gate then resolves only
 * the templates' names and tags again instead of running preflight's
 * checks a second time. */
struct dr_apply_opts {
    bool preflight_ran;
};
/* engine_apply_cluster with opts (NULL: as engine_apply_cluster). */
enum dr_err engine_apply_cluster_opts(struct dr_engine *e, const struct dr_cluster *spec,
                                      const struct dr_apply_opts *opts, struct dr_error *err);
/* Set one pool's quantity; scale-down removes the highest-numbered nodes. */
enum dr_err engine_scale_pool(struct dr_engine *e, const char *cluster, const char *pool,
                              int quantity, struct dr_error *err);
/* The files and folders a finished delete of cluster name removes (after
 * its VMs): the spec clusters/NAME.cfg under config_dir, and under
 * state_dir the state file, keys/NAME/, logs/NAME/ and kubeconfig/NAME.yaml
 * (folders end in "/"). Whether each exists is not checked. A newly
 * allocated strv of absolute paths. */
char **engine_delete_paths(const char *config_dir, const char *state_dir, const char *name);
/* Destroy every VM of the cluster, then remove what engine_delete_paths
 * names. */
enum dr_err engine_delete_cluster(struct dr_engine *e, const char *cluster,
                                  struct dr_error *err);
/* Run a node in ERROR again from the step that failed. */
enum dr_err engine_retry_node(struct dr_engine *e, const char *cluster, const char *node,
                              struct dr_error *err);
/* Destroy a node's VM and provision it again under the same name. */
enum dr_err engine_replace_node(struct dr_engine *e, const char *cluster, const char *node,
                                struct dr_error *err);
/* Stop a job at its next safe point; its node goes to ERROR ("cancelled"). */
enum dr_err engine_cancel_job(struct dr_engine *e, unsigned job, struct dr_error *err);
enum dr_err engine_cancel_node(struct dr_engine *e, const char *cluster, const char *node,
                               struct dr_error *err);

/* Requests for the console: vCenter inventory for its pickers. Each runs on
 * a thread of its own (never a node worker, so a busy engine still answers,
 * and never the caller's: DESIGN.md, the UI never waits on the network) and
 * answers with one DR_EV_REQUEST event carrying its id. */

enum dr_inv_kind {
    DR_INV_DATACENTER,
    DR_INV_CLUSTER,           /* compute cluster (ClusterComputeResource) */
    DR_INV_HOST,
    DR_INV_POOL,              /* resource pool or vApp */
    DR_INV_DATASTORE,
    DR_INV_DATASTORE_CLUSTER, /* StoragePod */
    DR_INV_FOLDER,
    DR_INV_NETWORK,
    DR_INV_TEMPLATE,
    DR_INV_VM,
    DR_INV_TAG,               /* a vCenter tag a VM may carry; path and value
                               * "category/name" as a template's tags spell it */
    DR_INV__COUNT
};

/* One inventory object, with the facts a picker shows. */
struct dr_inv_item {
    enum dr_inv_kind kind;
    char *id;          /* managed object id, opaque */
    char *name;
    char *path;        /* full inventory path, "DC0/host/C0/Resources/web" */
    char *datacenter;  /* NULL for datacenters */
    char *value;       /* what a node template's field holds to name it (templates/<name>.cfg,
                        * as vs_resolve_placement reads it): "web" for that pool, "C0" for
                        * the cluster; "" for a default (a compute's root pool, the
                        * datacenter's vm folder); NULL when no template field names it
                        * (a folder outside the vm folder) */
    char *compute;     /* hosts and pools: the template's cluster (or standalone host)
                        * value they belong to, e.g. "C0"; else NULL */
    bool in_cluster;   /* hosts: inside a compute cluster (not standalone) */
    char *type;        /* datastores: "VMFS", "NFS"...; networks: "Network",
                        * "DistributedVirtualPortgroup", "OpaqueNetwork"; else NULL */
    char *guest_os;    /* templates and VMs, NULL when unknown */
    char **snapshots;  /* templates and VMs: names, NULL-terminated; NULL when none */
    long long capacity;    /* datastores and datastore clusters: bytes */
    long long free_space;  /* bytes */
    int members;           /* datastore clusters: their datastores */
};

struct dr_inventory {
    char *vcenter;
    time_t fetched;
    struct dr_inv_item *items;  /* in kind order, then by path */
    size_t n;
};

/* Ask for a vCenter's inventory (by its name in vcenters.cfg). The answer is
 * kept for the session: a later request is answered from it, unless refresh
 * asks for a fresh fetch. *id names the request in its DR_EV_REQUEST event;
 * afterwards engine_inventory() holds the result. DR_E_NOTFOUND for an
 * unknown vCenter, DR_E_READONLY/DR_E_BUSY in read-only mode and in an
 * observer (the console's editors do not open there). */
enum dr_err engine_request_inventory(struct dr_engine *e, const char *vcenter, bool refresh,
                                     unsigned *id, struct dr_error *err);
/* Give up on a request (Esc): its fetch is cancelled and a late answer is
 * dropped, no event. Unknown or finished ids are ignored. */
void engine_abandon_request(struct dr_engine *e, unsigned id);
/* A copy of the vCenter's cached inventory, or NULL when none was fetched.
 * Free with inventory_free(). */
struct dr_inventory *engine_inventory(struct dr_engine *e, const char *vcenter);
void inventory_free(struct dr_inventory **inv);
/* Fill in value, compute and in_cluster from path, kind and datacenter (the
 * backends call it; exposed for tests). Sorts the items. */
void inventory_finish(struct dr_inventory *inv);
const char *inv_kind_key(enum dr_inv_kind k);   /* "datastore" */
const char *inv_kind_label(enum dr_inv_kind k); /* translated, "Datastore" */

/* Onboarding a vCenter (`drover vcenter trust`'s steps for the console). */

/* The certificate a vCenter presents, as the operator confirms it. */
struct dr_cert {
    char *subject;
    char *issuer;
    time_t not_before;
    time_t not_after;
    char *sha256_fingerprint; /* "AB:CD:..." over the DER certificate */
    char *pin;                /* "sha256//<base64>" over the public key */
    bool verified;            /* vc's TLS policy accepts it as it is */
    char *verify_error;       /* why not, when !verified */
};
void cert_free(struct dr_cert **c);

/* Fetch the certificate at vc->url (vc need not be saved: a copy is taken).
 * It is fetched without verification, so the console shows it and pins it
 * only when the operator confirms. Answers with DR_EV_REQUEST; then
 * engine_take_cert() has it. DR_E_READONLY in read-only mode. */
enum dr_err engine_request_cert(struct dr_engine *e, const struct dr_vcenter *vc, unsigned *id,
                                struct dr_error *err);
/* The answered request's certificate, once (NULL: failed, unknown or taken). */
struct dr_cert *engine_take_cert(struct dr_engine *e, unsigned id);
/* Log in to vc (not saved yet: a copy, password from its source) and out.
 * Answers with DR_EV_REQUEST: text is the product name on success, else the
 * reason (level DR_LOG_ERROR; never the password). */
enum dr_err engine_request_login(struct dr_engine *e, const struct dr_vcenter *vc, unsigned *id,
                                 struct dr_error *err);
/* Add or replace vc in vcenters.cfg through the store (validated, atomic,
 * 0600) and use it from now on. DR_E_READONLY in read-only mode. */
enum dr_err engine_save_vcenter(struct dr_engine *e, const struct dr_vcenter *vc,
                                struct dr_error *err);

/* Lifecycle around signals (the caller's signal handling decides when). */

/* The terminal went away (SIGHUP): log it and carry on; the caller exits
 * once engine_idle() turns true. */
void engine_set_headless(struct dr_engine *e);
/* SIGTERM/SIGINT: stop every job at its next safe point, keeping each node
 * at its current step so that the next start resumes it. */
void engine_stop(struct dr_engine *e);
/* No job queued, running or waiting, and start-up recovery finished. */
bool engine_idle(struct dr_engine *e);

/* The node's log file (state folder), newly allocated; it may not exist yet. */
char *engine_node_log_path(const struct dr_engine *e, const char *cluster, const char *node);

/* The name of node number (1, 2...) of pool p, as the engine names it
 * ("agent-01": the hostname prefix, else the pool's name, and a dash);
 * newly allocated. */
char *engine_node_name(const struct dr_pool *p, int number);

/* Names for JSON and labels for screens. */
const char *job_kind_key(enum dr_job_kind k);
const char *job_state_key(enum dr_job_state s);
const char *job_state_label(enum dr_job_state s);
const char *event_kind_key(enum dr_event_kind k);

/* Kubeconfig (engine/kubeconfig.c). engine_kubeconfig: the cluster's saved
 * kubeconfig (<state_dir>/kubeconfig/<cluster>.yaml, written when its first
 * server bootstrapped) with its cluster, user and context named after the
 * cluster; *out newly allocated YAML. DR_E_NOTFOUND when there is none yet,
 * DR_E_PARSE naming file:line when it is not a kubeconfig.
 * engine_kubeconfig_merge: existing (YAML text or NULL) with add's entries
 * merged in as kubectl merges (same name replaced, others kept,
 * current-context add's); where names existing in errors. */
enum dr_err engine_kubeconfig(const char *state_dir, const char *cluster, char **out,
                              struct dr_error *e);
enum dr_err engine_kubeconfig_merge(const char *existing, const char *where, const char *add,
                                    char **out, struct dr_error *e);

#endif
