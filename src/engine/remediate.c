/* Replacing unhealthy nodes (issue 13): after each health poll, a node that
 * Kubernetes has reported NotReady or Unknown, or not listed (Missing), for longer than its
 * pool's delete_not_ready_after is replaced (the decision is replace_pick,
 * replace.c: one node per pool at a time, never while more than
 * max_unhealthy of the pool is unhealthy, never the last server). The
 * replacement is the operator's R done by the engine: a REPLACE job whose
 * removal skips the cordon and evictions (the node's kubelet does not
 * answer, so its pods cannot terminate gracefully) but deletes its Node
 * object, then provisions the node afresh. Every replacement, and every
 * new reason one is held back, is an event. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"
#include "engine/replace.h"

/* NotReady or Unknown, as Rancher's "delete not ready after" counts, and
 * Missing: an active node whose Node is not in the API (deleted, or its
 * kubelet refused) runs no pods either. A slow kubelet is not Missing: the
 * join waits for its Ready Node (register.c) before the node is active,
 * and health marks only active nodes Missing (health.c). */
static bool
unhealthy(enum dr_k8s_ready r)
{
    return r == DR_K8S_NOT_READY || r == DR_K8S_UNKNOWN || r == DR_K8S_MISSING;
}

static void
note(struct dr_engine *e, const char *cluster, const char *node, enum dr_log_level level,
     const char *text)
{
    struct dr_event ev = { .kind = DR_EV_LOG, .cluster = (char *)cluster, .node = (char *)node,
                           .level = level, .text = (char *)text };

    log_msg(level, "%s%s%s: %s", cluster, node ? "/" : "", node ? node : "", text);
    if (node)
        eng_node_log(e, cluster, node, text);
    eng_emit(e, &ev);
}

bool
eng_replace_unhealthy(struct dr_engine *e, struct eng_cluster *c, time_t now)
{
    struct replace_node *rn;
    size_t n = c->status.n_nodes;
    char *held = NULL;
    bool queued = false;

    if (!c->has_spec || c->deleting || e->read_only || e->observer || e->stopping || n == 0)
        return false;
    rn = xcalloc(n, sizeof *rn);
    for (size_t i = 0; i < n; i++) {
        const struct dr_node *x = &c->status.nodes[i];

        rn[i].name = x->name;
        rn[i].pool = x->pool;
        rn[i].roles = x->roles;
        rn[i].busy = x->state != DR_NODE_ACTIVE || eng_active_job(e, c->name, x->name) != NULL;
        rn[i].unhealthy = unhealthy(x->k8s_ready);
        rn[i].unhealthy_since_ms = (long long)x->k8s_since * 1000;
    }
    for (size_t p = 0; p < c->spec.n_pools; p++) {
        const struct dr_pool *pool = &c->spec.pools[p];
        char *why = NULL;
        long i = replace_pick(pool, rn, n, (long long)now * 1000, &why);

        if (i >= 0) {
            struct dr_node *x = &c->status.nodes[i];
            char *t = xasprintf(_("replacing %s: Kubernetes has reported it %s for %lld s, longer "
                                  "than pool %s's delete_not_ready_after (%d s); its drain is "
                                  "skipped (the node does not answer), its Node object and VM "
                                  "go, and it is provisioned afresh"),
                                x->name, k8s_ready_label(x->k8s_ready),
                                (long long)(now - x->k8s_since), pool->name,
                                pool->delete_not_ready_after_s);
            struct eng_job *j;

            note(e, c->name, x->name, DR_LOG_WARN, t);
            free(t);
            j = eng_add_job(e, DR_JOB_REPLACE, c->name, x->name, DR_NODE_REMOVING);
            j->skip_drain_unreachable = true;
            /* Its health starts over once it is back (no replacement loop
             * on the old reading). */
            x->k8s_ready = DR_K8S_UNPOLLED;
            x->k8s_since = now;
            rn[i].busy = true;
            eng_touch(c);
            queued = true;
        } else if (why) {
            /* Several pools: one line each, joined. */
            char *h = held ? xasprintf("%s; %s", held, why) : xstrdup(why);

            free(held);
            held = h;
        }
        free(why);
    }
    if (!str_eq(held, c->replace_held)) {
        if (held)
            note(e, c->name, NULL, DR_LOG_WARN, held);
        free(c->replace_held);
        c->replace_held = held;
    } else {
        free(held);
    }
    free(rn);
    return queued;
}
