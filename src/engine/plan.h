/* The engine's pure decisions, kept apart from threads and I/O so that unit
 * tests can pin them down: node names and numbers, which node is the first
 * server, which nodes a scale-down removes, retry backoff, and how far
 * through its pipeline a node is. */
#ifndef DR_ENGINE_PLAN_H
#define DR_ENGINE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

/* The hostname prefix of a pool: its hostname_prefix, else "<pool>-". */
const char *plan_pool_prefix(const struct dr_pool *p, char *buf, size_t len);
/* Rancher-style name: prefix plus a two-digit (or wider) counter. A prefix
 * that does not end in '-' gets one: "worker" -> "worker-01". */
char *plan_node_name(const char *prefix, int number);
/* The counter at the end of a node name, or 0 when it has none. */
int plan_node_number(const char *name);

/* The next free name for pool p: the lowest counter whose name is not in
 * taken (n_taken names) and, when exists() is given, for which exists()
 * returns false (a VM of that name in vCenter). Newly allocated. */
char *plan_next_name(const struct dr_pool *p, char *const *taken, size_t n_taken,
                     bool (*exists)(void *ud, const char *name), void *ud);

/* Of the n nodes (indexes into nodes[]) that belong to one pool, choose
 * `count` to remove: highest counter first. Writes the chosen indexes into
 * out (at least count slots) and returns how many were chosen. */
size_t plan_scale_down(const struct dr_node *nodes, const size_t *idx, size_t n, size_t count,
                       size_t *out);

/* True for pools whose nodes run the control plane or etcd. */
bool plan_pool_is_server(const struct dr_pool *p);
/* Index of the first server among nodes (the lowest-numbered live node of the
 * first server pool in spec order), or -1 when there is none. */
long plan_first_server(const struct dr_cluster *spec, const struct dr_node *nodes, size_t n);

/* Delay before retry number attempt (1 = the first retry): base doubled each
 * time, capped at cap_ms, then "equal jitter": uniformly in [d/2, d]. seed
 * feeds rand_r so callers control randomness. */
long long plan_backoff_ms(int attempt, long long base_ms, long long cap_ms, unsigned *seed);

/* The step after s in the provisioning pipeline (ACTIVE after JOINING). */
enum dr_node_state plan_next_step(enum dr_node_state s);
/* True for the steps that walk a node towards ACTIVE. */
bool plan_is_pipeline_step(enum dr_node_state s);
/* Overall progress when step s is at pct (0..100) of its own work. */
int plan_percent(enum dr_node_state s, int pct);

#endif
