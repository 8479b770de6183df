/* The seam between the engine and the outside world. The engine decides
 * (which step, when, retries, journal, state); a backend acts (vSphere calls,
 * cloud-init, SSH). The real backend (backend_vs.c) sits on src/vsphere and
 * src/bootstrap; unit tests supply an in-memory one to pin down the engine's
 * decisions without a lab.
 *
 * Every operation is called on a worker thread with that thread's context
 * (thread_init), must return by s->deadline_ms and should give up soon after
 * *s->cancel turns true (DR_E_CANCELLED). */
#ifndef DR_ENGINE_BACKEND_H
#define DR_ENGINE_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/model.h"
#include "core/store.h"
#include "engine/engine.h"

struct eng_vm {
    char *id;      /* managed object id */
    char *name;
    char *owner;   /* guestinfo.drover.owner, NULL when unmarked */
};

void eng_vm_done(struct eng_vm *vm);
void eng_vms_free(struct eng_vm *v, size_t n);

/* Everything one step needs: private copies owned by the worker. */
struct eng_step {
    const char *install_id;
    const char *state_dir;
    const struct dr_settings *settings;
    const struct dr_cluster *spec;
    const struct dr_pool *pool;
    const struct dr_template *tmpl;
    const struct dr_vcenter *vcenter;
    const struct dr_vcenter *cloud_vcenter; /* the CPI/CSI's entry (cloud.c), or NULL */
    struct dr_node node;        /* the backend sets vm_id, ip, host_key_fp */
    const char *owner;          /* "<install-id>/<cluster>/<node>" */
    bool first_server;
    const char *server_ip;      /* for joiners: the first server's address */
    enum dr_node_state step;
    long long deadline_ms;      /* util_now_ms() based */
    const char *datastore;      /* CLONING: the datastore cluster member admission took
                                 * for this clone (pod_take), or NULL */
    bool drain;                 /* REMOVING: drain the node first (engine/drain.c) */
    bool drain_skip_unreachable; /* ... but not when the API cannot be reached */
    atomic_bool *cancel;
    void *priv;                 /* the engine's */
};

/* Report progress within the step (0..100) and/or a short text. */
void step_progress(struct eng_step *s, int pct, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One line for the node's log (redacted before it is written or shown). */
void step_log(struct eng_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool step_cancelled(const struct eng_step *s);
/* The vCenter task (task_id, "task-123") that the step's mutation started,
 * reported once vCenter answered and before the backend waits for it: the
 * engine writes it to the intent journal (a T record) at once, so that a
 * run stopped or killed while the task runs finds it again. */
void step_task(struct eng_step *s, const char *task_id);

/* How a vCenter task ended, or that it has not (task_settle). */
enum eng_task_end {
    ENG_TASK_RUNNING,
    ENG_TASK_SUCCESS,
    ENG_TASK_ERROR,
    ENG_TASK_GONE,   /* vCenter no longer knows the task (it forgets ended ones) */
};

/* What the pre-clone check and preflight found: findings (engine.h) with
 * file:line of the template field, the field ("networks[0]"), the object,
 * what is wrong and how to fix it. The gate stops on errors only. */
struct eng_problems {
    struct dr_finding *v;
    size_t n;
};
/* Append an error (check "placement") with template t's file and the line
 * of field f; field is what the message names ("networks[1]"), NULL: the
 * key of f. */
void eng_problem_add(struct eng_problems *p, const struct dr_template *t, enum dr_tfield f,
                     const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Append any finding: t NULL when no template file is at fault; f
 * DR_TF__COUNT for the template's own line; object (full inventory path)
 * and fix may be NULL. Returns the new finding (to adjust its line). */
struct dr_finding *eng_finding_add(struct eng_problems *p, const struct dr_template *t,
                                   enum dr_tfield f, const char *field, enum dr_severity sev,
                                   const char *check, const char *object, const char *fix,
                                   const char *fmt, ...) __attribute__((format(printf, 9, 10)));
void eng_problems_done(struct eng_problems *p);

/* One template the pre-clone check resolves, with the vCenter it clones on. */
struct eng_check_item {
    const struct dr_template *tmpl;
    const struct dr_vcenter *vcenter;
    /* Preflight only (0/NULL in the gate): the VMs this apply would clone
     * from the template (nodes without a VM yet), and their names. */
    int new_vms;
    char **new_names;
};

/* What a check_templates call runs: NULL (the gate) resolves names, tags
 * and custom attributes only; preflight adds every other check. */
struct eng_check_opts {
    bool preflight;
    int margin_pct;           /* datastore space kept free, % of the new disks */
    const char *cluster;      /* the cluster's name */
    const char *cluster_file; /* its spec file, for the names check's findings */
    const char *install_id;   /* this installation's id, NULL when none yet */
    bool cloud_vsphere;       /* cloud_provider "vsphere": disk.EnableUUID is required */
    bool template_test;       /* a template tested alone: notes on what a cluster may use */
    const struct dr_vcenter *cloud_vcenter; /* the CPI/CSI's entry (privileges checked), or NULL */
    int cloud_line;           /* the cluster file's vsphere.vcenter line (else its vsphere
                               * block's), for the privilege findings */
    const char *cloud_sc_url; /* its StorageClass's datastore_url, checked to exist; or NULL */
    int cloud_sc_url_line;    /* that key's line in the cluster file */
};

struct eng_backend_ops {
    void *(*thread_init)(void *ctx);
    void (*thread_done)(void *tctx);
    /* A VM named name in the template's folder (vCenter allows duplicates:
     * found is true when at least one exists; vm describes one of them). */
    enum dr_err (*find_vm)(void *tctx, struct eng_step *s, const char *name, struct eng_vm *vm,
                           bool *found, struct dr_error *e);
    enum dr_err (*vm_exists)(void *tctx, struct eng_step *s, const char *vm_id, bool *exists,
                             struct dr_error *e);
    /* The owner marker (guestinfo.drover.owner) of VM vm_id, from the
     * vCenter alone (no template placement): *exists is false when the VM is
     * gone; *owner (caller frees) is NULL when it carries no marker. */
    enum dr_err (*vm_owner)(void *tctx, struct eng_step *s, const char *vm_id, bool *exists,
                            char **owner, struct dr_error *e);
    /* Every VM on the vCenter whose owner marker starts with prefix. */
    enum dr_err (*list_owned)(void *tctx, const struct dr_vcenter *vc, const char *prefix,
                              struct eng_vm **vms, size_t *n, struct dr_error *e);
    /* The pipeline. clone sets s->node.vm_id; wait_ip sets s->node.ip. */
    enum dr_err (*clone)(void *tctx, struct eng_step *s, struct dr_error *e);
    enum dr_err (*configure)(void *tctx, struct eng_step *s, struct dr_error *e);
    enum dr_err (*power_on)(void *tctx, struct eng_step *s, struct dr_error *e);
    enum dr_err (*wait_ip)(void *tctx, struct eng_step *s, struct dr_error *e);
    enum dr_err (*wait_ssh)(void *tctx, struct eng_step *s, struct dr_error *e);
    enum dr_err (*bootstrap)(void *tctx, struct eng_step *s, struct dr_error *e);
    enum dr_err (*join)(void *tctx, struct eng_step *s, struct dr_error *e);
    /* The live pre-clone gate (DESIGN.md): resolve every template a cluster
     * clones from against its vCenter and append EVERY problem to out (a
     * name that matches nothing or more than one object, a network kind
     * drover cannot attach, a tag that does not exist...). Nothing is
     * created. DR_E_OK when the check ran, problems or not; an error only
     * when it could not run (vCenter unreachable: retried like a step).
     * Extend it with a checker in gate_vs.c. NULL: no live check. */
    enum dr_err (*check_templates)(void *tctx, struct eng_step *s,
                                   const struct eng_check_item *items, size_t n,
                                   const struct eng_check_opts *opts,
                                   struct eng_problems *out, struct dr_error *e);
    /* Wait up to wait_s seconds (and while *s->cancel stays false) for
     * task_id, a task an earlier step or run started, to end; cancel_it:
     * ask vCenter to cancel it first (CancelTask). DR_E_OK with *end
     * (ENG_TASK_RUNNING: still running when the wait ended; ENG_TASK_SUCCESS:
     * *vm_id, caller frees, is its result; ENG_TASK_ERROR: e has its fault),
     * or the error of looking at it. NULL: the backend has no tasks. */
    enum dr_err (*task_settle)(void *tctx, struct eng_step *s, const char *task_id,
                               bool cancel_it, int wait_s, enum eng_task_end *end, char **vm_id,
                               struct dr_error *e);
    /* The tasks vCenter is running on the step's clone source (*task_ids,
     * NULL-terminated, strv_free): a clone whose request was out when a
     * run died, with no task id recorded, is among them. NULL: unknown. */
    enum dr_err (*source_tasks)(void *tctx, struct eng_step *s, char ***task_ids,
                                struct dr_error *e);
    /* Datastore clusters (a template's datastore naming a StoragePod), for
     * clone admission (admit.c); both are called under the engine's mutex
     * and answer from what the backend has resolved, without asking
     * vCenter. pod_members: 1 when template t on vCenter vcenter names a
     * datastore cluster, *members (strv_free) the members a clone may go
     * on, the best first (most free space after what this run put there,
     * those it fits on); 0 when t names none; -1 when t's placement is not
     * resolved yet (the gate resolves it). pod_take: charge member with one
     * clone of t, so the next answer weighs it; the clone step then goes
     * there (s->datastore). NULL ops: no datastore clusters. */
    int (*pod_members)(void *ctx, const struct dr_template *t, const char *vcenter,
                       char ***members);
    void (*pod_take)(void *ctx, const struct dr_template *t, const char *vcenter,
                     const char *member);
    /* Power off and destroy s->node.vm_id; a VM already gone is success. */
    enum dr_err (*destroy)(void *tctx, struct eng_step *s, struct dr_error *e);
    /* The console's requests, on a request thread of their own (ctx, not a
     * worker's tctx); give up soon after *cancel turns true. inventory
     * fills kind, id, name, path, datacenter and the facts (the engine runs
     * inventory_finish()); NULL: the backend cannot list inventory. */
    enum dr_err (*inventory)(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                             struct dr_inventory *out, struct dr_error *e);
    /* The certificate at vc->url, unverified; and a login check. */
    enum dr_err (*fetch_cert)(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                              struct dr_cert *out, struct dr_error *e);
    enum dr_err (*check_login)(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                               char **product, struct dr_error *e);
    void (*free)(void *ctx);
};

struct eng_backend {
    const struct eng_backend_ops *ops;
    void *ctx;
};

/* The real backend (vSphere + SSH). */
enum dr_err backend_vs_new(struct eng_backend *b, struct dr_error *e);
/* Its inventory operation (backend_inv.c): a session of its own per call. */
enum dr_err backend_vs_inventory(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                                 struct dr_inventory *out, struct dr_error *e);
enum dr_err backend_vs_fetch_cert(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                                  struct dr_cert *out, struct dr_error *e);
enum dr_err backend_vs_check_login(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                                   char **product, struct dr_error *e);

#endif
