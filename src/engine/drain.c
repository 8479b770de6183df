/* Drain before removal (issue 13): before a node's VM is destroyed by a
 * scale down, `drover delete` of the node or a replacement, the node is
 * cordoned, its pods are evicted through the Eviction API (DaemonSet and
 * mirror pods stay, as kubectl drain --ignore-daemonsets leaves them), the
 * engine waits for them to go, and the Node object is deleted; then the
 * existing removal destroys the VM. The HTTP is src/k8s/drain.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"
#include "k8s/client.h"
#include "k8s/drain.h"

/* One API call's bound: the stand-in and a healthy API server answer in
 * milliseconds; a dead one is found out in this much. */
enum { CALL_MS = 10000, BACKOFF_FIRST_MS = 500, BACKOFF_CAP_MS = 5000 };

/* A drain step: the node's progress (events) and its log. */
static void
drain_step(struct eng_step *s, int pct, const char *text)
{
    step_progress(s, pct, "%s", text);
    step_log(s, "%s", text);
}

/* Sleep ms, or less when the job is cancelled or the deadline comes. */
static void
nap(const struct eng_step *s, long long ms, long long deadline_ms)
{
    long long end = util_now_ms() + ms;

    if (end > deadline_ms)
        end = deadline_ms;
    while (!step_cancelled(s) && util_now_ms() < end) {
        long long left = end - util_now_ms();
        struct timespec ts = { 0, (left > 100 ? 100 : (left > 0 ? left : 1)) * 1000000L };

        nanosleep(&ts, NULL);
    }
}

/* The API could not be reached (transport error st == -1): a warning
 * event, then either the drain is skipped (s->drain_skip_unreachable: the
 * node is replaced because it is unreachable; or drover never reached the
 * node, so it never joined Kubernetes and has nothing to drain) or the step
 * fails as a connection error (retried with the engine's backoff; nothing
 * is destroyed undrained). */
static enum dr_err
unreachable(struct eng_step *s, const char *server, const char *what, const char *why,
            bool *skipped, struct dr_error *err)
{
    char *t;

    if (s->drain_skip_unreachable || !s->node.ssh_verified) {
        t = xasprintf(_("Kubernetes API %s unreachable while %s (%s): drain skipped, %s"),
                      server, what, why ? why : "",
                      s->drain_skip_unreachable
                          ? _("the node is replaced because it is unreachable")
                          : _("drover never reached the node, so it never joined"));
        eng_step_warn(s, t, true);
        free(t);
        *skipped = true;
        return DR_E_OK;
    }
    t = xasprintf(_("Kubernetes API %s unreachable while %s (%s): the node is not drained and "
                    "its VM stays; the removal is retried (drain_before_delete = false in its "
                    "pool removes it undrained)"),
                  server, what, why ? why : "");
    eng_step_warn(s, t, true);
    dr_error_set(err, DR_E_CONNECT, "%s", t);
    dr_error_cause(err, "drain:unreachable");
    free(t);
    return DR_E_CONNECT;
}

static enum dr_err
api_error(struct dr_error *err, const char *what, int st, const char *why)
{
    dr_error_set(err, DR_E_PROTO, _("drain: %s: the API answered %d: %s"), what, st,
                 why ? why : "");
    return DR_E_PROTO;
}

/* Evict every evictable pod on the node until none is left or the drain's
 * deadline passes. A refused eviction (429: a PodDisruptionBudget) is
 * retried with backoff; an accepted one is waited for. */
static enum dr_err
evict_all(struct eng_step *s, struct k8s_client *kc, const char *server, long long deadline_ms,
          int timeout_s, bool *skipped, struct dr_error *err)
{
    long long backoff = BACKOFF_FIRST_MS;
    char *refused = NULL; /* the last refusal, for the timeout's message */
    int round = 0;
    enum dr_err rc = DR_E_OK;

    for (;;) {
        struct k8s_pod *pods = NULL;
        size_t n = 0, left = 0, evicted = 0;
        char *why = NULL;
        int st = k8s_node_pods(kc, s->node.name, CALL_MS, &pods, &n, &why);

        if (step_cancelled(s)) {
            free(why);
            k8s_pods_free(pods, n);
            rc = dr_error_set(err, DR_E_CANCELLED, _("cancelled while draining"));
            break;
        }
        if (st == -1) {
            rc = unreachable(s, server, _("listing the node's pods"), why, skipped, err);
            free(why);
            break;
        }
        if (st != 200) {
            rc = api_error(err, _("listing the node's pods"), st, why);
            free(why);
            break;
        }
        for (size_t i = 0; i < n; i++)
            left += k8s_pod_evictable(&pods[i]);
        if (left == 0) {
            drain_step(s, 60, _("draining: no pods left to evict (DaemonSet and mirror pods "
                                "stay)"));
            k8s_pods_free(pods, n);
            break;
        }
        if (round++ == 0) {
            char *t = xasprintf(_("draining: evicting %zu pod(s)"), left);

            drain_step(s, 20, t);
            free(t);
        }
        for (size_t i = 0; i < n && rc == DR_E_OK; i++) {
            if (!k8s_pod_evictable(&pods[i]) || pods[i].terminating)
                continue;
            xfree(&why);
            st = k8s_pod_evict(kc, pods[i].ns, pods[i].name, CALL_MS, &why);
            if (st == 200 || st == 201) {
                step_log(s, "evicted pod %s/%s", pods[i].ns, pods[i].name);
                evicted++;
            } else if (st == 404) {
                step_log(s, "pod %s/%s is already gone", pods[i].ns, pods[i].name);
            } else if (st == 429) {
                char *t = xasprintf(_("eviction of pod %s/%s refused for now (%s); retrying "
                                      "until the drain timeout (%d s)"),
                                    pods[i].ns, pods[i].name, why ? why : "429", timeout_s);
                /* The first refusal of a pod is an event, the retries go
                 * to the node's log. */
                if (!str_eq(refused, t))
                    eng_step_warn(s, t, true);
                else
                    step_log(s, "%s", t);
                free(refused);
                refused = t;
            } else if (st == -1) {
                rc = unreachable(s, server, _("evicting pods"), why, skipped, err);
            } else {
                step_log(s, "eviction of pod %s/%s: HTTP %d: %s", pods[i].ns, pods[i].name, st,
                         why ? why : "");
            }
        }
        free(why);
        k8s_pods_free(pods, n);
        if (rc != DR_E_OK || *skipped)
            break;
        if (util_now_ms() >= deadline_ms) {
            rc = dr_error_set(err, DR_E_TIMEOUT,
                              _("drain of %s did not finish in drain_timeout (%d s): %zu pod(s) "
                                "still on the node%s%s; the node stays cordoned and its VM "
                                "stays. Let the evictions pass (the PodDisruptionBudget named) or "
                                "set drain_before_delete = false in its pool, then remove it "
                                "again"),
                              s->node.name, timeout_s, left, refused ? _("; last refusal: ") : "",
                              refused ? refused : "");
            dr_error_cause(err, "drain:timeout");
            break;
        }
        /* Accepted evictions: pods terminate; refused ones: the budget
         * may allow them once replicas run elsewhere. */
        nap(s, evicted ? BACKOFF_FIRST_MS : backoff, deadline_ms);
        if (!evicted && backoff < BACKOFF_CAP_MS)
            backoff = backoff * 2 > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : backoff * 2;
    }
    free(refused);
    return rc;
}

enum dr_err
eng_drain(struct dr_engine *e, struct eng_step *s, struct dr_error *err)
{
    char *path = xasprintf("%s/kubeconfig/%s.yaml", s->state_dir, s->spec->name), *why = NULL;
    int timeout_s = s->pool && s->pool->drain_timeout_s > 0 ? s->pool->drain_timeout_s
                                                            : DR_POOL_DRAIN_TIMEOUT_DEFAULT;
    long long deadline_ms = util_now_ms() + (long long)timeout_s * 1000;
    struct k8s_client *kc;
    bool skipped = false;
    const char *server;
    enum dr_err rc;
    int st;

    if (access(path, F_OK) != 0) {
        /* No server finished bootstrapping: there is no Kubernetes to drain
         * from (the node never joined one). */
        step_log(s, "no kubeconfig (%s): nothing to drain", path);
        free(path);
        return DR_E_OK;
    }
    kc = k8s_client_open(path, NULL, &why);
    free(path);
    if (kc == NULL) {
        rc = dr_error_set(err, DR_E_INVAL, _("drain: the cluster's kubeconfig: %s"),
                          why ? why : "");
        free(why);
        return rc;
    }
    server = k8s_client_server(kc);
    if (s->drain_skip_unreachable) {
        /* Replaced because Kubernetes reports it NotReady or Unknown: its
         * kubelet cannot terminate pods, so evictions would only wait out
         * drain_timeout. Deleting its Node lets the pod garbage collector
         * remove them, and their controllers start them elsewhere. */
        char *t = xasprintf(_("drain skipped: %s does not answer Kubernetes; its Node object is "
                              "deleted so that its pods are started elsewhere"),
                            s->node.name);

        eng_step_warn(s, t, true);
        free(t);
        goto delete_node;
    }

    {
        char *t = xasprintf(_("draining: cordoning %s (Kubernetes API %s)"), s->node.name, server);

        drain_step(s, 5, t);
        free(t);
    }
    st = k8s_node_cordon(kc, s->node.name, CALL_MS, &why);
    if (st == 404) {
        char *t = xasprintf(_("draining: Node %s is not in Kubernetes (never joined, or "
                              "already deleted): nothing to drain"), s->node.name);

        drain_step(s, 60, t);
        free(t);
        rc = DR_E_OK;
        goto out;
    }
    if (st == -1) {
        rc = unreachable(s, server, _("cordoning"), why, &skipped, err);
        goto out;
    }
    if (st != 200) {
        rc = api_error(err, _("cordoning"), st, why);
        goto out;
    }
    step_log(s, "cordoned %s (spec.unschedulable = true)", s->node.name);
    xfree(&why);

    rc = evict_all(s, kc, server, deadline_ms, timeout_s, &skipped, err);
    if (rc != DR_E_OK || skipped)
        goto out;

delete_node:
    {
        char *t = xasprintf(_("draining: deleting Node %s"), s->node.name);

        drain_step(s, 80, t);
        free(t);
    }
    st = k8s_node_delete(kc, s->node.name, CALL_MS, &why);
    if (st == -1)
        rc = unreachable(s, server, _("deleting the Node object"), why, &skipped, err);
    else if (st != 200 && st != 202 && st != 404)
        rc = api_error(err, _("deleting the Node object"), st, why);
    else
        step_log(s, "Node %s deleted from Kubernetes", s->node.name);
out:
    (void)e;
    free(why);
    k8s_client_free(kc);
    return rc;
}
