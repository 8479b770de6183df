#include "config.h"

#include "core/i18n.h"
#include "core/util.h"
#include "engine/engine.h"
#include "engine/plan.h"

const char *
job_kind_key(enum dr_job_kind k)
{
    static const char *const keys[] = { "provision", "remove", "replace" };

    return (unsigned)k < DR_ARRAY_LEN(keys) ? keys[k] : "unknown";
}

const char *
job_state_key(enum dr_job_state s)
{
    static const char *const keys[] = { "queued", "running", "waiting", "done", "failed",
                                        "cancelled" };

    return (unsigned)s < DR_ARRAY_LEN(keys) ? keys[s] : "unknown";
}

const char *
job_state_label(enum dr_job_state s)
{
    static const char *const labels[] = { N_("Queued"), N_("Running"), N_("Waiting"),
                                          N_("Done"), N_("Failed"), N_("Cancelled") };

    return (unsigned)s < DR_ARRAY_LEN(labels) ? _(labels[s]) : "?";
}

const char *
event_kind_key(enum dr_event_kind k)
{
    static const char *const keys[] = { "node-state", "progress", "log", "job", "cluster",
                                        "engine", "request" };

    return (unsigned)k < DR_ARRAY_LEN(keys) ? keys[k] : "unknown";
}

const char *
inv_kind_key(enum dr_inv_kind k)
{
    static const char *const keys[] = { "datacenter", "cluster", "host", "pool", "datastore",
                                        "datastore-cluster", "folder", "network", "template",
                                        "vm", "tag" };

    return (unsigned)k < DR_ARRAY_LEN(keys) ? keys[k] : "unknown";
}

const char *
inv_kind_label(enum dr_inv_kind k)
{
    static const char *const labels[] = { N_("Datacenter"), N_("Compute cluster"), N_("Host"),
                                          N_("Resource pool"), N_("Datastore"),
                                          N_("Datastore cluster"), N_("Folder"), N_("Network"),
                                          N_("Template"), N_("VM"), N_("Tag") };

    return (unsigned)k < DR_ARRAY_LEN(labels) ? _(labels[k]) : "?";
}

char *
engine_node_name(const struct dr_pool *p, int number)
{
    char prefix[128];

    return plan_node_name(plan_pool_prefix(p, prefix, sizeof prefix), number);
}
