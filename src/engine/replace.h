/* Replacing unhealthy nodes (issue 13): the pure decision, kept apart from
 * the health poll and the jobs so that unit tests pin it down. */
#ifndef DR_ENGINE_REPLACE_H
#define DR_ENGINE_REPLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

/* One node of the cluster as the decision sees it. */
struct replace_node {
    const char *name;
    const char *pool;
    unsigned roles;               /* DR_ROLE_* */
    bool busy;                    /* drover provisions, removes or replaces it now */
    bool unhealthy;               /* Kubernetes reports it NotReady or Unknown */
    long long unhealthy_since_ms; /* since when (util_now_ms() clock) */
};

/* Which node of pool p to replace now: the index (into nodes, the whole
 * cluster's n nodes) of the node of p unhealthy the longest, once for more
 * than p->delete_not_ready_after_s (Rancher's node pool "delete not ready
 * after"); -1 for none. With -1, *why (caller frees; NULL when nothing is
 * due or the rule is off) says what holds a due replacement back:
 * - one node per pool at a time: another node of p is busy;
 * - more than p->max_unhealthy_pct percent of p's nodes unhealthy (busy
 *   ones count), as Cluster API's MachineHealthCheck maxUnhealthy stops
 *   remediation when many fail at once (a network or storage outage, not
 *   broken nodes);
 * - never the last server: a node with the etcd or control-plane role is
 *   not replaced unless another such node of the cluster is healthy and
 *   not busy (the replacement joins through it, and etcd keeps quorum). */
long replace_pick(const struct dr_pool *p, const struct replace_node *nodes, size_t n,
                  long long now_ms, char **why);

#endif
