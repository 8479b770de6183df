/* Kubernetes health polling (issue 13 "Health"): every health_interval
 * seconds a worker asks each active cluster's API server for /readyz and
 * the node list, with the kubeconfig the first server's bootstrap saved
 * (its client certificate and CA), and records what it says on the
 * cluster (API up or down, Nodes Ready/total, last poll) and its nodes
 * (Ready/NotReady/Unknown/Missing, kubelet version, the bad condition).
 * Transitions are events and saved in the state file; a poll that changes
 * nothing is neither. The polls ride on the workers' own wait: with no
 * cluster to poll they add no timer at all, so an idle engine still sleeps
 * without wake-ups. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/health.h"
#include "engine/internal.h"
#include "k8s/client.h"

/* One request's bound: a healthy API server answers /readyz in
 * milliseconds; kubectl's default request timeout is none, client-go's
 * health checks use a few seconds. */
#define HEALTH_REQUEST_MS 10000L

/* Whether cluster c has something to poll: a spec, not being deleted, and
 * an active node (the first server saves the kubeconfig as it turns
 * active). Called with mu held. */
static bool
pollable(const struct eng_cluster *c)
{
    if (!c->has_spec || c->deleting)
        return false;
    for (size_t i = 0; i < c->status.n_nodes; i++)
        if (c->status.nodes[i].state == DR_NODE_ACTIVE)
            return true;
    return false;
}

void
eng_health_global_init(void)
{
    char *err = NULL;
    if (k8s_global_init(&err) != 0)
        log_error("%s", err);
    free(err);
}

char *
eng_health_take(struct dr_engine *e, long long *wait_ms)
{
    int iv = e->settings.health_interval_s;
    if (iv <= 0 || e->observer || e->stopping || e->quit)
        return NULL;
    long long now = util_now_ms();
    for (size_t i = 0; i < e->n_clusters; i++) {
        struct eng_cluster *c = e->clusters[i];
        if (c->health_running || !pollable(c))
            continue;
        if (c->health_next_ms <= now) {
            c->health_running = true;
            return xstrdup(c->name);
        }
        long long due = c->health_next_ms - now;
        if (*wait_ms < 0 || due < *wait_ms)
            *wait_ms = due;
    }
    return NULL;
}

/* What one poll found (no lock needed to fill it). */
struct poll_result {
    bool skipped; /* no kubeconfig yet: nothing known */
    bool up;
    char *error;
    struct k8s_node *nodes;
    size_t n;
};

static void
poll_api(struct dr_engine *e, const char *name, struct poll_result *r)
{
    char *path = xasprintf("%s/kubeconfig/%s.yaml", e->state_dir, name), *err = NULL;
    if (access(path, R_OK) != 0) {
        r->skipped = true;
        free(path);
        return;
    }
    struct k8s_client *k = k8s_client_open(path, NULL, &err);
    free(path);
    if (k) {
        k8s_client_set_cancel(k, &e->health_stop);
        int ready = k8s_readyz(k, HEALTH_REQUEST_MS, &err);
        if (ready > 0 && k8s_nodes_list(k, HEALTH_REQUEST_MS, &r->nodes, &r->n, &err) == 200)
            r->up = true;
        k8s_client_free(k);
    }
    r->error = r->up ? NULL : (err ? err : xstrdup(_("the API server did not answer")));
    if (r->up)
        free(err);
}

static const struct k8s_node *
find_k8s_node(const struct poll_result *r, const char *name)
{
    for (size_t i = 0; name && i < r->n; i++)
        if (!strcmp(r->nodes[i].name, name))
            return &r->nodes[i];
    return NULL;
}

static enum dr_k8s_ready
ready_of(const struct k8s_node *kn)
{
    switch (kn->ready) {
    case K8S_READY:
        return DR_K8S_READY;
    case K8S_NOT_READY:
        return DR_K8S_NOT_READY;
    default:
        return DR_K8S_UNKNOWN;
    }
}

static void
event(struct dr_engine *e, const char *cluster, const char *node, enum dr_log_level level,
      const char *text)
{
    struct dr_event ev = {.kind = DR_EV_LOG,
                          .cluster = (char *)cluster,
                          .node = (char *)node,
                          .level = level,
                          .text = (char *)text};
    eng_emit(e, &ev);
    if (node)
        eng_node_log(e, cluster, node, text);
    log_msg(level, "%s%s%s: %s", cluster, node ? "/" : "", node ? node : "", text);
}

/* Replace *s with v (copied) when they differ; true when it changed. */
static bool
set_str(char **s, const char *v)
{
    if (str_eq(*s, v))
        return false;
    free(*s);
    *s = xstrdup0(v);
    return true;
}

/* Record r on cluster c (mu held); true when the state file should change. */
static bool
apply(struct dr_engine *e, struct eng_cluster *c, const struct poll_result *r, time_t now)
{
    struct dr_health *h = &c->status.health;
    bool changed = false;
    enum dr_api_state api = r->up ? DR_API_UP : DR_API_DOWN;

    h->polled = now;
    if (h->api != api) {
        char *t = r->up ? xasprintf(_("Kubernetes API up"))
                        : xasprintf(_("Kubernetes API down: %s"), r->error);
        event(e, c->name, NULL, r->up ? DR_LOG_INFO : DR_LOG_WARN, t);
        free(t);
        h->api = api;
        changed = true;
    }
    changed |= set_str(&h->error, r->error);
    if (!r->up)
        return changed;

    int ready = 0;
    for (size_t i = 0; i < r->n; i++)
        ready += r->nodes[i].ready == K8S_READY;
    if (h->nodes_ready != ready || h->nodes_total != (int)r->n) {
        h->nodes_ready = ready;
        h->nodes_total = (int)r->n;
        changed = true;
    }
    for (size_t i = 0; i < c->status.n_nodes; i++) {
        struct dr_node *n = &c->status.nodes[i];
        if (n->state == DR_NODE_REMOVED)
            continue;
        const struct k8s_node *kn = find_k8s_node(r, n->name);
        /* A node drover is still making has no Node yet: not news. */
        enum dr_k8s_ready st = kn                           ? ready_of(kn)
                               : n->state == DR_NODE_ACTIVE ? DR_K8S_MISSING
                                                            : DR_K8S_UNPOLLED;
        char *reason = kn && *kn->reason
                           ? (*kn->message ? xasprintf("%s: %s", kn->reason, kn->message)
                                           : xstrdup(kn->reason))
                           : NULL;
        if (n->k8s_ready != st) {
            char *t = st == DR_K8S_MISSING ? xasprintf(_("Kubernetes: no Node named %s"), n->name)
                      : reason ? xasprintf(_("Kubernetes: %s (%s)"), k8s_ready_label(st), reason)
                               : xasprintf(_("Kubernetes: %s"), k8s_ready_label(st));
            if (st != DR_K8S_UNPOLLED)
                event(e, c->name, n->name, st == DR_K8S_READY ? DR_LOG_INFO : DR_LOG_WARN, t);
            free(t);
            n->k8s_ready = st;
            n->k8s_since = now;
            changed = true;
        }
        changed |= set_str(&n->kubelet_version,
                           kn && *kn->kubelet_version ? kn->kubelet_version : n->kubelet_version);
        changed |= set_str(&n->k8s_reason, reason);
        free(reason);
    }
    return changed;
}

void
eng_health_poll(struct dr_engine *e, const char *name)
{
    struct poll_result r = {0};
    poll_api(e, name, &r);

    bool save = false;
    pthread_mutex_lock(&e->mu);
    struct eng_cluster *c = eng_find_cluster(e, name);
    if (c) {
        c->health_running = false;
        c->health_next_ms = util_now_ms() + (long long)e->settings.health_interval_s * 1000;
        if (!r.skipped && pollable(c) && apply(e, c, &r, time(NULL))) {
            eng_touch(c);
            save = true;
        }
        /* Node readings are fresh only when the API answered. */
        if (!r.skipped && r.up && pollable(c) && eng_replace_unhealthy(e, c, time(NULL)))
            save = true;
        if (save)
            eng_emit_cluster_state(e, c);
    }
    pthread_mutex_unlock(&e->mu);
    if (save)
        eng_save_cluster(e, name);
    free(r.error);
    k8s_nodes_free(r.nodes, r.n);
}
