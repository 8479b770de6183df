/* The decision to replace an unhealthy node (replace.h). */
#include "config.h"

#include <stdlib.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/replace.h"

static bool
is_server(unsigned roles)
{
    return (roles & (DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE)) != 0;
}

long
replace_pick(const struct dr_pool *p, const struct replace_node *nodes, size_t n,
             long long now_ms, char **why)
{
    long long after_ms = (long long)p->delete_not_ready_after_s * 1000;
    size_t total = 0, bad = 0, other_servers = 0;
    long pick = -1;
    const char *busy = NULL;

    *why = NULL;
    if (p->delete_not_ready_after_s <= 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct replace_node *x = &nodes[i];

        if (!str_eq(x->pool, p->name))
            continue;
        total++;
        if (x->busy) {
            bad++;
            busy = x->name;
            continue;
        }
        if (!x->unhealthy)
            continue;
        bad++;
        if (now_ms - x->unhealthy_since_ms < after_ms)
            continue;
        if (pick < 0 || x->unhealthy_since_ms < nodes[pick].unhealthy_since_ms)
            pick = (long)i;
    }
    if (pick < 0)
        return -1;
    if (busy) {
        *why = xasprintf(_("%s is due for replacement, but %s of pool %s is being provisioned "
                           "or replaced: one node per pool at a time"),
                         nodes[pick].name, busy, p->name);
        return -1;
    }
    /* More than max_unhealthy percent: bad / total > pct / 100. */
    if (bad * 100 > (size_t)p->max_unhealthy_pct * total) {
        *why = xasprintf(_("%s is due for replacement, but %zu of the %zu nodes of pool %s are "
                           "unhealthy, more than max_unhealthy (%d%%): no replacement until "
                           "fewer are"),
                         nodes[pick].name, bad, total, p->name, p->max_unhealthy_pct);
        return -1;
    }
    if (is_server(nodes[pick].roles)) {
        for (size_t i = 0; i < n; i++)
            if ((long)i != pick && is_server(nodes[i].roles) && !nodes[i].busy &&
                !nodes[i].unhealthy)
                other_servers++;
        if (other_servers == 0) {
            *why = xasprintf(_("%s is due for replacement, but it is the cluster's last "
                               "healthy server: never replaced"),
                             nodes[pick].name);
            return -1;
        }
    }
    return pick;
}
