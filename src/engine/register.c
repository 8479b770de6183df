/* After the join: wait for the node's kubelet to register (issue fix-join).
 * A recipe exiting 0 says the service was started, not that Kubernetes
 * took the node: k3s's supervisor refuses a kubelet whose node name it
 * holds another node password for ("Node password rejected, duplicate
 * hostname"), and such a node never appears in `kubectl get nodes`. So
 * the join step ends only once the cluster's API lists a Node of the
 * node's name with Ready True, or fails with the state last seen. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/internal.h"
#include "k8s/client.h"

#define REGISTER_POLL_MS 2000
#define REGISTER_CALL_MS 10000

/* What the last list said about the node, for the timeout's message. */
static char *
seen_of(int st, const struct k8s_node *nodes, size_t n, const char *name, const char *why)
{
    if (st == 200) {
        for (size_t i = 0; i < n; i++)
            if (!strcmp(nodes[i].name, name))
                return xasprintf(_("the Node is there but not Ready (%s)"),
                                 nodes[i].ready == K8S_NOT_READY ? "NotReady" : "Unknown");
        return xasprintf(_("the API lists %zu Node(s), none named %s"), n, name);
    }
    return xasprintf(_("the API did not answer the node list: %s"), why ? why : "");
}

enum dr_err
eng_wait_registered(struct eng_step *s, struct dr_error *err)
{
    int limit_s = s->settings ? s->settings->register_timeout_s : DR_REGISTER_TIMEOUT_DEFAULT;
    char *path, *why = NULL, *seen = NULL;
    struct k8s_client *kc;
    long long deadline_ms;
    enum dr_err rc = DR_E_OK;

    if (limit_s <= 0) {
        step_log(s, "register_timeout = 0: not waiting for Node %s", s->node.name);
        return DR_E_OK;
    }
    path = xasprintf("%s/kubeconfig/%s.yaml", s->state_dir, s->spec->name);
    if (access(path, F_OK) != 0) {
        step_log(s, "no kubeconfig (%s): not waiting for Node %s", path, s->node.name);
        free(path);
        return DR_E_OK;
    }
    kc = k8s_client_open(path, NULL, &why);
    free(path);
    if (kc == NULL) {
        rc = dr_error_set(err, DR_E_INVAL, _("kubelet registration: the cluster's kubeconfig: %s"),
                          why ? why : "");
        free(why);
        return rc;
    }
    step_progress(s, 50, _("waiting for Node %s to register with Kubernetes (%s)"), s->node.name,
                  k8s_client_server(kc));
    deadline_ms = util_now_ms() + (long long)limit_s * 1000;
    for (;;) {
        struct k8s_node *nodes = NULL;
        size_t n = 0;
        int st;

        xfree(&why);
        st = k8s_nodes_list(kc, REGISTER_CALL_MS, &nodes, &n, &why);
        if (st == 200) {
            for (size_t i = 0; i < n; i++)
                if (!strcmp(nodes[i].name, s->node.name) && nodes[i].ready == K8S_READY) {
                    step_log(s, "Node %s registered with Kubernetes and is Ready", s->node.name);
                    k8s_nodes_free(nodes, n);
                    goto out;
                }
        }
        free(seen);
        seen = seen_of(st, nodes, n, s->node.name, why);
        k8s_nodes_free(nodes, n);
        if (step_cancelled(s)) {
            rc = dr_error_set(err, DR_E_CANCELLED, _("cancelled while waiting for Node %s"),
                              s->node.name);
            goto out;
        }
        if (util_now_ms() >= deadline_ms) {
            rc = dr_error_set(err, DR_E_TIMEOUT,
                              _("kubelet did not register: no Ready Node %s in Kubernetes after "
                                "%d s (register_timeout): %s; the node's k3s/rke2 agent log says "
                                "why (a refused node password means another node of that name "
                                "was known to the server)"),
                              s->node.name, limit_s, seen);
            dr_error_cause(err, "join:unregistered");
            goto out;
        }
        for (int waited = 0; waited < REGISTER_POLL_MS && !step_cancelled(s); waited += 200)
            usleep(200 * 1000);
    }
out:
    free(seen);
    free(why);
    k8s_client_free(kc);
    return rc;
}
