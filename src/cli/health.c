/* Kubernetes health in `drover status` (cli.h): what health polling last
 * saved in the cluster's state file. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/model.h"
#include "core/util.h"

/* An RFC 3339 UTC time, or NULL for 0 (buf holds it). */
static const char *
rfc3339(time_t t, char *buf, size_t len)
{
    struct tm tm;
    if (t == 0 || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return NULL;
    return buf;
}

void
cli_status_health_json(cJSON *root, const struct dr_health *h)
{
    char buf[32];
    cJSON *k = cJSON_AddObjectToObject(root, "kubernetes");
    cli_json_str(k, "api", h->api == DR_API_UNPOLLED ? NULL : api_state_key(h->api));
    if (h->api == DR_API_UNPOLLED) {
        cJSON_AddNullToObject(k, "nodes_ready");
        cJSON_AddNullToObject(k, "nodes_total");
    } else {
        cJSON_AddNumberToObject(k, "nodes_ready", h->nodes_ready);
        cJSON_AddNumberToObject(k, "nodes_total", h->nodes_total);
    }
    cli_json_str(k, "polled", rfc3339(h->polled, buf, sizeof buf));
    cli_json_str(k, "error", h->error);
}

void
cli_status_node_k8s_json(cJSON *o, const struct dr_node *n)
{
    char buf[32];
    cli_json_str(o, "k8s_ready",
                 n->k8s_ready == DR_K8S_UNPOLLED ? NULL : k8s_ready_label(n->k8s_ready));
    cli_json_str(o, "kubelet", n->kubelet_version);
    cli_json_str(o, "k8s_reason", n->k8s_reason);
    cli_json_str(o, "k8s_since",
                 n->k8s_ready == DR_K8S_UNPOLLED ? NULL : rfc3339(n->k8s_since, buf, sizeof buf));
}

void
cli_status_health_text(const struct dr_health *h)
{
    char buf[32];
    const char *at = rfc3339(h->polled, buf, sizeof buf);
    if (h->api == DR_API_UP)
        printf(_("kubernetes: API up, %d/%d nodes Ready (polled %s)\n"), h->nodes_ready,
               h->nodes_total, at ? at : "-");
    else if (h->api == DR_API_DOWN)
        printf(_("kubernetes: API down (polled %s): %s\n"), at ? at : "-",
               h->error ? h->error : "");
}
