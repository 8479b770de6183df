/* The in-memory vCenter the engine's unit tests run against
 * (tests/unit/test_engine*.c, test_admit.c, test_health.c): VMs with owner
 * markers, a fault injected into one step of one node, the order of
 * bootstraps; and a configuration folder with one vCenter and one template
 * (setup, a Check fixture) from which start() makes an engine on it. */
#ifndef DR_TEST_ENGINE_FAKE_H
#define DR_TEST_ENGINE_FAKE_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "core/store.h"
#include "engine/backend.h"
#include "engine/engine.h"

enum dr_err engine_new_with_backend(const struct dr_store *store,
                                    const struct dr_engine_options *opts,
                                    const struct eng_backend *backend, struct dr_engine **out,
                                    struct dr_error *e);

/* An in-memory vCenter with fault injection. */
struct fake_vm {
    char *id, *name, *owner;
    bool on;
};

struct fake {
    pthread_mutex_t mu;
    struct fake_vm vms[256];
    int n_vms;
    int next_id;
    /* Fault: fail `fail_step` of node `fail_node` `fail_count` times with fail_code. */
    enum dr_node_state fail_step;
    char fail_node[64];
    int fail_count;
    enum dr_err fail_code;
    char fail_cause[64]; /* the injected error's cause ("" none) */
    /* When set, an injected fault also re-marks the node's VM with this
     * owner (someone else took it over meanwhile). */
    char remark_owner[64];
    /* Order of bootstraps: the first server must finish before others start. */
    char boot_log[2048];
    int step_delay_ms;
    int clones;
    /* Clones at once (test_admit.c): each clone takes clone_ms; clones_now
     * and clones_max count them; order lists "clone NAME;" as one starts
     * and "power_on NAME;" as a node powers on. */
    int clone_ms;
    int clones_now, clones_max;
    char order[8192];
};
extern struct fake fk;

/* Forget every VM and fault (setup does). */
void fake_reset(void);
/* Fail `step` of node `node` the next `count` times with `code`. */
void fake_fail(enum dr_node_state step, const char *node, int count, enum dr_err code);
/* A VM named name (owner NULL: no owner marker), as if someone made it. */
struct fake_vm *fake_add_vm(const char *name, const char *owner);
/* The index of VM id in fk.vms, or -1. */
int fake_find(const char *id);

/* The configuration and state folders setup made. */
extern char cfgdir[64], statedir[64];
/* Write text to dir/rel (folders made 0700) with mode. */
void write_file(const char *dir, const char *rel, const char *text, mode_t mode);
/* Checked fixture: fake_reset and fresh folders (workers 4, retries 2, fast
 * backoff; vCenter "lab", template "lab"). */
void setup(void);
/* Load the folders into s; a diagnostic fails the test. */
void open_store(struct dr_store *s);
/* The fake's backend operations; a test that needs one step to behave
 * otherwise copies them, replaces that one and calls start_ops. */
extern const struct eng_backend_ops fake_ops;
/* An engine on the folders and the fake (o may be NULL). */
struct dr_engine *start(struct dr_engine_options *o);
/* The same on ops (kept by the engine: static storage). */
struct dr_engine *start_ops(const struct eng_backend_ops *ops, struct dr_engine_options *o);
/* Cluster "lab" (k3s on vCenter "lab"): pool server (etcd, control plane)
 * and pool agent (worker) of template "lab"; pools holds two. */
void spec_init(struct dr_cluster *c, struct dr_pool *pools, int servers, int agents);
/* Wait (bounded, 50 s) until the engine is idle, draining events; returns
 * the node-state events as "node:state " text (caller frees). Fails the test
 * if any event's text holds the recipe's secret. */
char *wait_idle(struct dr_engine *eng);
/* The same, returning the text of every cluster event, one a line. */
char *wait_idle_cluster(struct dr_engine *eng);
/* Node name of cluster "lab" in s, or NULL. */
const struct dr_node *snap_node(const struct dr_snapshot *s, const char *name);
/* How many nodes of cluster "lab" are in state st. */
int count_state(const struct dr_snapshot *s, enum dr_node_state st);

#endif
