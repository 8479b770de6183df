#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/plan.h"

const char *
plan_pool_prefix(const struct dr_pool *p, char *buf, size_t len)
{
    const char *pre = str_empty(p->hostname_prefix) ? p->name : p->hostname_prefix;

    snprintf(buf, len, "%s%s", pre, str_has_suffix(pre, "-") ? "" : "-");
    return buf;
}

char *
plan_node_name(const char *prefix, int number)
{
    const char *dash = str_has_suffix(prefix, "-") ? "" : "-";

    return xasprintf("%s%s%02d", prefix, dash, number);
}

int
plan_node_number(const char *name)
{
    size_t len = strlen(name), i = len;

    while (i > 0 && isdigit((unsigned char)name[i - 1]))
        i--;
    if (i == len || len - i > 6)
        return 0;
    return atoi(name + i);
}

char *
plan_next_name(const struct dr_pool *p, char *const *taken, size_t n_taken,
               bool (*exists)(void *ud, const char *name), void *ud)
{
    char prefix[128];

    plan_pool_prefix(p, prefix, sizeof prefix);
    for (int number = 1;; number++) {
        char *name = plan_node_name(prefix, number);
        bool used = false;

        for (size_t i = 0; i < n_taken && !used; i++)
            used = str_eq(taken[i], name);
        if (!used && exists && exists(ud, name))
            used = true;
        if (!used)
            return name;
        free(name);
    }
}

size_t
plan_scale_down(const struct dr_node *nodes, const size_t *idx, size_t n, size_t count,
                size_t *out)
{
    size_t chosen = 0;
    bool *taken = xcalloc(n ? n : 1, sizeof *taken);

    while (chosen < count && chosen < n) {
        long best = -1;

        for (size_t i = 0; i < n; i++) {
            if (taken[i])
                continue;
            if (best < 0 ||
                plan_node_number(nodes[idx[i]].name) > plan_node_number(nodes[idx[best]].name) ||
                (plan_node_number(nodes[idx[i]].name) ==
                     plan_node_number(nodes[idx[best]].name) &&
                 strcmp(nodes[idx[i]].name, nodes[idx[best]].name) > 0))
                best = (long)i;
        }
        taken[best] = true;
        out[chosen++] = idx[best];
    }
    free(taken);
    return chosen;
}

bool
plan_pool_is_server(const struct dr_pool *p)
{
    return (p->roles & (DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD)) != 0;
}

long
plan_first_server(const struct dr_cluster *spec, const struct dr_node *nodes, size_t n)
{
    for (size_t pi = 0; pi < spec->n_pools; pi++) {
        long best = -1;

        if (!plan_pool_is_server(&spec->pools[pi]))
            continue;
        for (size_t i = 0; i < n; i++) {
            if (!str_eq(nodes[i].pool, spec->pools[pi].name) ||
                nodes[i].state == DR_NODE_REMOVING || nodes[i].state == DR_NODE_REMOVED)
                continue;
            if (best < 0 || plan_node_number(nodes[i].name) < plan_node_number(nodes[best].name))
                best = (long)i;
        }
        if (best >= 0)
            return best;
    }
    return -1;
}

long long
plan_backoff_ms(int attempt, long long base_ms, long long cap_ms, unsigned *seed)
{
    long long d = base_ms > 0 ? base_ms : 1;

    for (int i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    return d / 2 + (long long)((double)rand_r(seed) / ((double)RAND_MAX + 1.0) * (double)(d - d / 2 + 1));
}

enum dr_node_state
plan_next_step(enum dr_node_state s)
{
    switch (s) {
    case DR_NODE_PENDING: return DR_NODE_CLONING;
    case DR_NODE_CLONING: return DR_NODE_CONFIGURING;
    case DR_NODE_CONFIGURING: return DR_NODE_POWERING_ON;
    case DR_NODE_POWERING_ON: return DR_NODE_WAITING_FOR_IP;
    case DR_NODE_WAITING_FOR_IP: return DR_NODE_WAITING_FOR_SSH;
    case DR_NODE_WAITING_FOR_SSH: return DR_NODE_BOOTSTRAPPING;
    case DR_NODE_BOOTSTRAPPING: return DR_NODE_JOINING;
    case DR_NODE_JOINING: return DR_NODE_ACTIVE;
    default: return s;
    }
}

bool
plan_is_pipeline_step(enum dr_node_state s)
{
    return s >= DR_NODE_CLONING && s <= DR_NODE_JOINING;
}

int
plan_percent(enum dr_node_state s, int pct)
{
    /* Where each step starts; bootstrapping is the long one. */
    static const int start[] = {
        [DR_NODE_PENDING] = 0,          [DR_NODE_CLONING] = 2,
        [DR_NODE_CONFIGURING] = 15,     [DR_NODE_POWERING_ON] = 22,
        [DR_NODE_WAITING_FOR_IP] = 27,  [DR_NODE_WAITING_FOR_SSH] = 35,
        [DR_NODE_BOOTSTRAPPING] = 45,   [DR_NODE_JOINING] = 85,
        [DR_NODE_ACTIVE] = 100,
    };

    if (pct < 0)
        pct = 0;
    if (pct > 100)
        pct = 100;
    if (s == DR_NODE_ACTIVE)
        return 100;
    if (!plan_is_pipeline_step(s))
        return 0;
    return start[s] + (start[plan_next_step(s)] - start[s]) * pct / 100;
}
