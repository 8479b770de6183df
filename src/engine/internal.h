/* The engine's private state, shared by engine.c (commands, snapshots,
 * reconcile), worker.c (the pipeline on worker threads) and recover.c
 * (start-up replay and reconcile with vCenter). One mutex (mu) guards it;
 * store_mu serialises file saves and is always taken before mu. */
#ifndef DR_ENGINE_INTERNAL_H
#define DR_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "core/store.h"
#include "engine/admit.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "engine/queue.h"

/* The pre-clone gate of a cluster (gate.c). */
enum eng_gate_state {
    ENG_GATE_UNCHECKED,  /* the next clone checks the templates first */
    ENG_GATE_RUNNING,    /* a worker is checking; the other clones wait */
    ENG_GATE_PASSED,
    ENG_GATE_FAILED,     /* gate_error says why; clones fail until the next apply */
};

struct eng_cluster {
    char *name;
    struct dr_cluster spec;
    bool has_spec;
    struct dr_cluster_status status;
    size_t cap_nodes;
    bool deleting;
    enum dr_cluster_state state;   /* last reported */
    unsigned long gen;             /* bumped on every change to status */
    unsigned long saved_gen;
    bool reconcile_wanted;         /* a command came in during recovery */
    enum eng_gate_state gate;
    unsigned long gate_gen;        /* bumped by each apply or retry */
    char *gate_error;
    /* The apply that set it ran preflight itself (engine_apply_cluster_opts,
     * `drover apply`) or skipped it on purpose: the gate checks only names
     * and tags. Cleared by eng_gate_reset (a retry, a later apply). */
    bool gate_light;
    long long health_next_ms;      /* when its next health poll is due (health.c) */
    char *replace_held;            /* why due replacements wait, as last reported (remediate.c) */
    bool health_running;           /* a worker polls it now */
    /* The host keys keys/<name>/known_hosts was last written with, by node
     * and pinned fingerprint (known_hosts.c): a key read once is not read
     * again while the node keeps its fingerprint. */
    struct eng_known_key *known_keys;
    size_t n_known_keys;
};

struct eng_job {
    unsigned id;
    enum dr_job_kind kind;
    enum dr_job_state state;
    char *cluster;
    char *node;
    enum dr_node_state step;
    int attempts;
    int percent;
    char *text;
    char *error;
    time_t created;
    time_t finished;
    long long not_before_ms;
    atomic_bool cancel;
    bool keep_state;     /* cancelled by engine_stop: the node stays at its step */
    bool superseded;     /* a removal took over: leave the node's state alone */
    bool has_slot;       /* a clone step holding its host's and datastore's units */
    struct admit_need slot; /* a clone's host and datastore (admit.c), worked out once */
    bool skip_drain_unreachable; /* a replacement of an unreachable node: no drain
                                  * when the API cannot be reached */
};

/* What a step's callbacks (step_progress, step_log) report against. */
struct eng_run {
    struct dr_engine *e;
    struct eng_job *job;
    char *cluster;
    char *node;
    unsigned long intent_seq; /* the journal intent of the mutation running, 0: none */
    char *task;               /* the vCenter task it started (step_task), caller frees */
};

struct dr_engine {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_mutex_t store_mu;
    pthread_mutex_t known_hosts_mu; /* serialises known_hosts writes; taken before mu */
    struct dr_store store;          /* own copy; used under store_mu */
    char *state_dir;
    char *config_dir;
    char *install_id;
    int lock_fd;
    bool observer;
    long observer_pid;
    bool read_only;
    bool headless;
    struct eng_queue queue;
    struct eng_journal journal;
    bool journal_open;
    struct eng_backend backend;
    struct dr_settings settings;    /* copy */
    struct dr_template *templates;  /* copies, refreshed on apply */
    size_t n_templates;
    struct dr_vcenter *vcenters;
    size_t n_vcenters;
    struct eng_cluster **clusters;
    size_t n_clusters;
    size_t cap_clusters;
    struct eng_job **jobs;          /* in creation order */
    size_t n_jobs;
    size_t cap_jobs;
    unsigned next_job;
    struct eng_intent *open_clones; /* clone intents with no result (crash) */
    struct eng_intent *settling;    /* other mutations in flight at the crash */
    size_t n_settling;
    size_t cap_settling;
    size_t n_open_clones;
    size_t cap_open_clones;
    pthread_t *threads;
    int n_workers;
    int busy;
    pthread_t aux;                  /* recovery, or the observer's poller */
    bool has_aux;
    int observe_wake[2];            /* written once to stop the observer */
    /* Observing (observe.c): no drover holds the state folder's lock, so
     * nodes in progress stand still; since owner_stopped (when this one saw
     * it go, else the state files' last write). owner_seen: one held it. */
    bool owner_gone;
    bool owner_seen;
    time_t owner_stopped;
    bool recovering;
    bool crashed;                   /* the journal held records: the last run died */
    bool stopping;
    bool quit;
    unsigned seed;
    struct eng_request **requests;  /* the console's requests in flight (requests.c) */
    size_t n_requests;
    size_t cap_requests;
    unsigned next_request;
    struct dr_inventory *inv_cache; /* one per vCenter, for the session */
    size_t n_inv_cache;
    struct admit admit;             /* clones' units per host and datastore (admit.c) */
    int clones_running;             /* clone steps holding a slot */
    atomic_int health_stop;         /* set by engine_free: a health poll gives up */
};

/* How long a mutation sent just before a crash is given to finish. */
#define ENG_SETTLE_S 10
/* How long an operator's cancel waits for vCenter to cancel a clone task
 * (CancelTask) before leaving it to the node's next step. */
#define ENG_CANCEL_WAIT_S 30

/* engine.c */
long long eng_settle_until(struct dr_engine *e, const char *cluster, const char *node);
struct eng_cluster *eng_find_cluster(struct dr_engine *e, const char *name);
struct dr_node *eng_find_node(struct eng_cluster *c, const char *name);
const struct dr_pool *eng_find_pool(const struct eng_cluster *c, const char *name);
const struct dr_template *eng_find_template(struct dr_engine *e, const char *name);
const struct dr_vcenter *eng_find_vcenter(struct dr_engine *e, const char *name);
char *eng_owner(struct dr_engine *e, const char *cluster, const char *node);
void eng_reconcile(struct dr_engine *e, struct eng_cluster *c);
void eng_reconcile_all(struct dr_engine *e);
/* Save a cluster's state if it changed; takes the locks itself. On return
 * the files hold every change made before the call (or the failure was
 * logged and emitted): a save another thread ran meanwhile that covers them
 * is enough (group commit: callers waiting on the store skip). The nodes
 * that differ from what the store saved go to the state log as one record
 * (store_log_nodes); a snapshot of all of them when one is due
 * (store_log_due: the first save of a run, every max(256, 4 x nodes)
 * records). eng_save_all: a snapshot of every cluster (after recovery, on
 * a clean stop), which takes each log in. */
void eng_save_cluster(struct dr_engine *e, const char *name);
void eng_save_all(struct dr_engine *e);
/* Finish deleting a cluster whose nodes are all gone (files, keys, logs). */
void eng_finish_delete(struct dr_engine *e, const char *name);
void eng_touch(struct eng_cluster *c);
void eng_emit(struct dr_engine *e, const struct dr_event *ev);
void eng_emit_node(struct dr_engine *e, unsigned job, const char *cluster,
                   const struct dr_node *n, const char *text);
void eng_emit_cluster_state(struct dr_engine *e, struct eng_cluster *c);
void eng_node_log(struct dr_engine *e, const char *cluster, const char *node,
                  const char *text);
/* A warning about step s for everyone watching (a job event: the CLI prints
 * it, the console lists it) and drover's log, and with node_log the node's
 * own log too. text is the caller's. */
void eng_step_warn(struct eng_step *s, const char *text, bool node_log);
struct eng_job *eng_add_job(struct dr_engine *e, enum dr_job_kind kind, const char *cluster,
                            const char *node, enum dr_node_state step);
struct eng_job *eng_active_job(struct dr_engine *e, const char *cluster, const char *node);
void eng_job_finish(struct dr_engine *e, struct eng_job *j, enum dr_job_state st,
                    const char *error);
/* Write keys/<cluster>/known_hosts: every node with an address and its
 * pinned host key (known_hosts.c). Writes are serialised (known_hosts_mu),
 * so the last one has the latest nodes; a node's key file is read once per
 * fingerprint, not on every write. Call without mu. */
void eng_write_known_hosts(struct dr_engine *e, const char *cluster);
/* Free c's cached host keys (with the cluster; callers hold mu). */
void eng_known_hosts_free(struct eng_cluster *c);
void eng_remove_node_files(struct dr_engine *e, const char *cluster, const char *node);
struct eng_intent *eng_open_clone(struct dr_engine *e, const char *cluster, const char *node);
void eng_drop_open_clone(struct dr_engine *e, const char *cluster, const char *node);
/* Keep a copy of clone intent it open (its task may still run in vCenter):
 * it replaces the node's open clone, and the journal keeps it over a clean
 * stop. Called with mu held. */
void eng_keep_open_clone(struct dr_engine *e, const struct eng_intent *it);
void eng_intent_copy(struct eng_intent *d, const struct eng_intent *s);

/* inflight.c: tasks that may outlive their step. */
/* A reconfigure, power-on or destroy cut by a cancel (rc) after its task
 * started: wait up to ENG_SETTLE_S for the task and return its outcome, or
 * rc when it still runs. */
enum dr_err eng_settle_cut_task(struct dr_engine *e, void *tctx, struct eng_step *s,
                                const char *task, enum dr_err rc, struct dr_error *err);
/* The clone, journaled; a clone cut while its task runs stays open. */
enum dr_err eng_journaled_clone(struct dr_engine *e, void *tctx, struct eng_step *s,
                                struct dr_error *err);
/* Wait for the node's open clone task first; *done when its VM is the
 * node's now (s->node.vm_id). */
enum dr_err eng_resume_clone(struct dr_engine *e, void *tctx, struct eng_step *s, bool *done,
                             struct dr_error *err);
/* Cancel and wait for the node's open clone task before a removal; *extra
 * (caller frees): a VM it made besides s->node.vm_id. */
/* Wait for the node's reconfigure or power-on task that was in flight at a
 * crash (a settling intent with its task) before its step runs again. */
enum dr_err eng_settle_earlier(struct dr_engine *e, void *tctx, struct eng_step *s,
                               struct dr_error *err);
/* The node's clone intent is open with no task known (a run died while
 * its CloneVM_Task request was out): wait for the tasks running on the
 * clone source to end, so the VM, if that request made one, can be found
 * by name and owner marker before anything is cloned. */
enum dr_err eng_wait_unknown_clone(struct dr_engine *e, void *tctx, struct eng_step *s,
                                   struct dr_error *err);
enum dr_err eng_settle_for_removal(struct dr_engine *e, void *tctx, struct eng_step *s,
                                   char **extra, struct dr_error *err);

/* admit.c: 1 when job j is a clone that must wait for a slot on its host
 * or datastore, or for a worker (*why: which), else 0. Called with mu held. */
int eng_admit_blocked(struct dr_engine *e, const struct eng_job *j, const char **why);
/* A clone step takes its slot as it starts and gives it back as it ends,
 * however it ended (waking the workers). Called with mu held. */
void eng_admit_take(struct dr_engine *e, struct eng_job *j);
void eng_admit_release(struct dr_engine *e, struct eng_job *j);
/* A clone admitted before its template's placement was resolved (its
 * slot unresolved: the template's datastore, one clone at a time) takes
 * its real slot now, before it clones: a datastore cluster's member
 * (pod_take; s->datastore), the best with room, or the datastore, settled.
 * The gate calls it as it passes, under e->mu, before any other clone of
 * the template is admitted on resolved slots (_locked); run_clone again
 * before it clones (takes e->mu), for a clone whose gate another worker
 * ran. */
void eng_admit_settle(struct dr_engine *e, struct eng_step *s);
void eng_admit_settle_locked(struct dr_engine *e, struct eng_step *s);
/* The worker picked runnable job j (index next - 1): when it is a clone
 * whose host already runs clones, a runnable clone from e->jobs[next..] on
 * the same datastore whose host runs fewer, so that hosts sharing a
 * datastore take its slots in turn (fewest waves); else j. mu held. */
struct eng_job *eng_admit_prefer(struct dr_engine *e, struct eng_job *j, size_t next);

/* worker.c */
void *eng_worker_main(void *arg);
bool eng_job_finished(const struct eng_job *j);
/* 0 runnable, 1 blocked for now, 2 blocked until an operator acts. */
int eng_job_blocked(struct dr_engine *e, const struct eng_job *j, const char **why);
enum dr_err eng_destroy_vm(struct dr_engine *e, void *tctx, struct eng_step *s,
                           struct dr_error *err);

/* gate.c: run (or wait for) the cluster's pre-clone check before a CLONING
 * step; takes mu itself. DR_E_INVAL with every problem when it failed. */
enum dr_err eng_gate(struct dr_engine *e, void *tctx, struct eng_step *s, struct dr_error *err);
/* Check again before the next clone (an apply, a retry). Callers hold mu. */
void eng_gate_reset(struct eng_cluster *c);

/* gate.c: severity, then file:line order. */
int eng_finding_cmp(const void *a, const void *b);

/* preflight.c: what one preflight looks at (copies or the caller's). */
struct eng_pf_input {
    const struct dr_cluster *spec;
    const struct dr_template *templates;
    size_t n_templates;
    const struct dr_vcenter *vcenters;
    size_t n_vcenters;
    const struct dr_cluster_status *status; /* NULL: no node exists yet */
    int margin_pct;
    const char *install_id;                 /* NULL: none yet */
    struct eng_step *step;                  /* the gate's clone step; NULL elsewhere */
    bool template_test;                     /* the template editor's test: no real cluster */
};
/* What one preflight looks at, copied under e->mu (engine_request_preflight
 * and the gate run it later without the lock). */
struct eng_pf_copy {
    struct dr_cluster spec;
    struct dr_cluster_status status;
    bool has_status;
    struct dr_template *templates;
    size_t n_templates;
    struct dr_vcenter *vcenters;
    size_t n_vcenters;
    int margin_pct;
    char *install_id;
    char *config_dir, *state_dir;           /* set by the caller when it needs them */
    struct dr_template *tmpl;               /* an unsaved template checked in place of the
                                               saved one of its name; NULL: none */
};
/* Copy cluster c's spec and status, the engine's templates, vCenters,
 * margin setting and install id (caller holds mu; eng_pf_copy_free). */
struct eng_pf_copy *eng_pf_copy_take(struct dr_engine *e, const struct eng_cluster *c);
/* Copies the engine's templates, vCenters, preflight margin and install id
 * into pf (under e->mu), for a preflight run off the engine's lock. */
void eng_pf_copy_config(struct eng_pf_copy *pf, const struct dr_engine *e);
void eng_pf_copy_free(struct eng_pf_copy *c);
/* Fill *in to check c (borrowing its memory), with step s (may be NULL). */
void eng_pf_copy_input(const struct eng_pf_copy *c, struct eng_step *s,
                       struct eng_pf_input *in);
/* Run preflight with backend b on a thread whose context is tctx. */
enum dr_err eng_preflight_run(const struct eng_backend *b, void *tctx,
                              const struct eng_pf_input *in, struct dr_preflight **out,
                              struct dr_error *e);
/* The state folder's install-id, NULL when there is none (newly allocated). */
char *eng_read_install_id(const char *state_dir);

/* requests.c: cancel and join every request, drop the cache. */
void eng_requests_free(struct dr_engine *e);

/* recover.c */
void *eng_recover_main(void *arg);
void *eng_observer_main(void *arg);
void eng_apply_journal(struct dr_engine *e, struct eng_intent *v, size_t n);

/* step.c: a step's timeout in seconds (the settings', else DESIGN.md's default). */
int eng_step_timeout_s(const struct dr_engine *e, enum dr_node_state step);
/* Drain s's node before its removal (engine/drain.c): cordon, evict its
 * pods (DaemonSet and mirror pods stay; evictions refused with 429 retried
 * until the pool's drain_timeout), delete its Node object. DR_E_OK when
 * drained, or when there is nothing to drain (no kubeconfig yet, no such
 * Node) or the drain was skipped (unreachable API and
 * s->drain_skip_unreachable); else the step fails with err (cause
 * "drain:timeout" or "drain:unreachable", classify.c). Called without mu. */
enum dr_err eng_drain(struct dr_engine *e, struct eng_step *s, struct dr_error *err);
/* After s's join (engine/register.c): poll the cluster's API (kubeconfig in
 * the state folder) every 2 s until it lists a Node named s->node.name with
 * Ready True, for at most settings.register_timeout seconds. DR_E_OK when
 * it does, or when there is no kubeconfig yet or the setting is 0; else
 * DR_E_TIMEOUT, cause "join:unregistered", naming what the API last said.
 * Called without mu. */
enum dr_err eng_wait_registered(struct eng_step *s, struct dr_error *err);
/* After a health poll of cluster c that reached its API (mu held; now from
 * time()): replace each pool's node that Kubernetes has reported NotReady
 * or Unknown for longer than the pool's delete_not_ready_after, as
 * replace_pick decides (one per pool at a time, max_unhealthy, never the
 * last server): a REPLACE job whose removal skips the drain (the node does
 * not answer) but deletes its Node. Every replacement, and each new reason
 * one waits, is an event and a line of drover.log. True when it queued one
 * (the node's health was reset: the state file should be saved). */
bool eng_replace_unhealthy(struct dr_engine *e, struct eng_cluster *c, time_t now);
/* Build the step context for a node (under mu); eng_step_done frees it. */
bool eng_step_init(struct dr_engine *e, struct eng_cluster *c, const struct dr_node *n,
                   enum dr_node_state step, struct eng_step *s);
void eng_step_done(struct eng_step *s);

#endif
