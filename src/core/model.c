#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/model.h"
#include "core/util.h"

static const char *const node_state_keys[] = {
#define DR_NODE_STATE_KEY(id, key, label) key,
    DR_NODE_STATES(DR_NODE_STATE_KEY)
#undef DR_NODE_STATE_KEY
};

static const char *const node_state_labels[] = {
#define DR_NODE_STATE_LABEL(id, key, label) label,
    DR_NODE_STATES(DR_NODE_STATE_LABEL)
#undef DR_NODE_STATE_LABEL
};

/* Indexed by enum dr_cluster_state. */
static const struct {
    const char *key;
    const char *label;
} cluster_states[] = {
    [DR_CLUSTER_PENDING] = {"pending", N_("Pending")},
    [DR_CLUSTER_PROVISIONING] = {"provisioning", N_("Provisioning")},
    [DR_CLUSTER_UPDATING] = {"updating", N_("Updating")},
    [DR_CLUSTER_ACTIVE] = {"active", N_("Active")},
    [DR_CLUSTER_DEGRADED] = {"degraded", N_("Degraded")},
    [DR_CLUSTER_ERROR] = {"error", N_("Error")},
    [DR_CLUSTER_REMOVING] = {"removing", N_("Removing")},
    [DR_CLUSTER_UNAVAILABLE] = {"unavailable", N_("Unavailable")},
};

static const char *const k8s_ready_keys[] = {
    [DR_K8S_UNPOLLED] = "", [DR_K8S_READY] = "ready", [DR_K8S_NOT_READY] = "not-ready",
    [DR_K8S_UNKNOWN] = "unknown", [DR_K8S_MISSING] = "missing",
};
static const char *const k8s_ready_labels[] = {
    [DR_K8S_UNPOLLED] = "", [DR_K8S_READY] = "Ready", [DR_K8S_NOT_READY] = "NotReady",
    [DR_K8S_UNKNOWN] = "Unknown", [DR_K8S_MISSING] = "Missing",
};

const char *
k8s_ready_key(enum dr_k8s_ready r)
{
    return (unsigned)r < DR_ARRAY_LEN(k8s_ready_keys) ? k8s_ready_keys[r] : "";
}

const char *
k8s_ready_label(enum dr_k8s_ready r)
{
    return (unsigned)r < DR_ARRAY_LEN(k8s_ready_labels) ? k8s_ready_labels[r] : "";
}

bool
k8s_ready_from_key(const char *key, enum dr_k8s_ready *out)
{
    for (size_t i = 0; key && i < DR_ARRAY_LEN(k8s_ready_keys); i++) {
        if (!strcmp(key, k8s_ready_keys[i])) {
            *out = (enum dr_k8s_ready)i;
            return true;
        }
    }
    return false;
}

const char *
api_state_key(enum dr_api_state a)
{
    return a == DR_API_UP ? "up" : a == DR_API_DOWN ? "down" : "";
}

const char *const template_field_keys[DR_TF__COUNT + 1] = {
#define DR_TFIELD_KEY(id, key) key,
    DR_TEMPLATE_FIELDS(DR_TFIELD_KEY)
#undef DR_TFIELD_KEY
        NULL,
};

const char *
template_field_key(enum dr_tfield f)
{
    return (unsigned)f < DR_TF__COUNT ? template_field_keys[f] : NULL;
}

bool
template_field_from_key(const char *key, enum dr_tfield *out)
{
    for (size_t i = 0; key && i < DR_TF__COUNT; i++)
        if (strcmp(template_field_keys[i], key) == 0) {
            *out = (enum dr_tfield)i;
            return true;
        }
    return false;
}

char *
template_field_where(const struct dr_template *t, enum dr_tfield f)
{
    int line = (unsigned)f < DR_TF__COUNT && t->line[f] > 0 ? t->line[f] : t->origin.line;

    if (t->origin.file == NULL)
        return xasprintf(_("template %s"), t->name ? t->name : "?");
    if (line <= 0)
        return xstrdup(t->origin.file);
    return xasprintf("%s:%d", t->origin.file, line);
}

static const char *const distribution_keys[] = {
    [DR_DIST_K3S] = "k3s",
    [DR_DIST_RKE2] = "rke2",
};

static const char *const clone_mode_keys[] = {
    [DR_CLONE_FULL] = "full",
    [DR_CLONE_LINKED] = "linked",
};

static const struct {
    unsigned bit;
    const char *name;
} role_names[] = {
    {DR_ROLE_ETCD, "etcd"},
    {DR_ROLE_CONTROL_PLANE, "control-plane"},
    {DR_ROLE_WORKER, "worker"},
};

void
origin_done(struct dr_origin *o)
{
    xfree(&o->file);
    o->line = 0;
}

static void
origin_copy(struct dr_origin *dst, const struct dr_origin *src)
{
    dst->file = xstrdup0(src->file);
    dst->line = src->line;
}

static void
kvs_free(struct dr_kv **kv, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        free((*kv)[i].key);
        free((*kv)[i].value);
    }
    xfree(kv);
    *n = 0;
}

static struct dr_kv *
kvs_dup(const struct dr_kv *kv, size_t n)
{
    struct dr_kv *d;

    if (n == 0)
        return NULL;
    d = xcalloc(n, sizeof *d);
    for (size_t i = 0; i < n; i++) {
        d[i].key = xstrdup0(kv[i].key);
        d[i].value = xstrdup0(kv[i].value);
    }
    return d;
}

static char **
strv_dup0(char *const *v)
{
    return v ? strv_dup(v) : NULL;
}

void
vcenter_done(struct dr_vcenter *v)
{
    xfree(&v->name);
    xfree(&v->url);
    xfree(&v->user);
    if (v->password)
        memset(v->password, 0, strlen(v->password));
    xfree(&v->password);
    xfree(&v->password_file);
    xfree(&v->password_env);
    xfree(&v->ca_file);
    xfree(&v->pin);
    xfree(&v->proxy);
    origin_done(&v->origin);
    memset(v, 0, sizeof *v);
}

void
vcenter_copy(struct dr_vcenter *dst, const struct dr_vcenter *src)
{
    *dst = *src;
    dst->name = xstrdup0(src->name);
    dst->url = xstrdup0(src->url);
    dst->user = xstrdup0(src->user);
    dst->password = xstrdup0(src->password);
    dst->password_file = xstrdup0(src->password_file);
    dst->password_env = xstrdup0(src->password_env);
    dst->ca_file = xstrdup0(src->ca_file);
    dst->pin = xstrdup0(src->pin);
    dst->proxy = xstrdup0(src->proxy);
    origin_copy(&dst->origin, &src->origin);
}

void
template_done(struct dr_template *t)
{
    xfree(&t->name);
    xfree(&t->vcenter);
    xfree(&t->datacenter);
    xfree(&t->cluster);
    xfree(&t->host);
    xfree(&t->resource_pool);
    xfree(&t->datastore);
    xfree(&t->folder);
    strv_free(&t->networks);
    xfree(&t->clone_from);
    xfree(&t->snapshot);
    xfree(&t->user_data);
    kvs_free(&t->extra_config, &t->n_extra_config);
    strv_free(&t->tags);
    xfree(&t->tag_lines);
    kvs_free(&t->custom_attributes, &t->n_custom_attributes);
    xfree(&t->custom_attribute_lines);
    xfree(&t->ssh_user);
    xfree(&t->os);
    origin_done(&t->origin);
    memset(t, 0, sizeof *t);
}

static int *
lines_dup(const int *lines, size_t n)
{
    int *d;

    if (lines == NULL || n == 0)
        return NULL;
    d = xcalloc(n, sizeof *d);
    memcpy(d, lines, n * sizeof *d);
    return d;
}

void
template_copy(struct dr_template *dst, const struct dr_template *src)
{
    *dst = *src;
    dst->name = xstrdup0(src->name);
    dst->vcenter = xstrdup0(src->vcenter);
    dst->datacenter = xstrdup0(src->datacenter);
    dst->cluster = xstrdup0(src->cluster);
    dst->host = xstrdup0(src->host);
    dst->resource_pool = xstrdup0(src->resource_pool);
    dst->datastore = xstrdup0(src->datastore);
    dst->folder = xstrdup0(src->folder);
    dst->networks = strv_dup0(src->networks);
    dst->clone_from = xstrdup0(src->clone_from);
    dst->snapshot = xstrdup0(src->snapshot);
    dst->user_data = xstrdup0(src->user_data);
    dst->extra_config = kvs_dup(src->extra_config, src->n_extra_config);
    dst->tags = strv_dup0(src->tags);
    dst->tag_lines = lines_dup(src->tag_lines, strv_len(src->tags));
    dst->custom_attributes = kvs_dup(src->custom_attributes, src->n_custom_attributes);
    dst->custom_attribute_lines =
        lines_dup(src->custom_attribute_lines, src->n_custom_attributes);
    dst->ssh_user = xstrdup0(src->ssh_user);
    dst->os = xstrdup0(src->os);
    origin_copy(&dst->origin, &src->origin);
}

bool
node_vm_kept(const struct dr_node *n)
{
    return n->state == DR_NODE_ERROR && n->step != DR_NODE_REMOVING && n->vm_id != NULL &&
           n->vm_id[0] != '\0';
}

void
pool_defaults(struct dr_pool *p)
{
    memset(p, 0, sizeof *p);
    p->quantity = 1;
    p->drain_before_delete = true;
    p->drain_timeout_s = DR_POOL_DRAIN_TIMEOUT_DEFAULT;
    p->max_unhealthy_pct = DR_POOL_MAX_UNHEALTHY_DEFAULT;
}

void
pool_done(struct dr_pool *p)
{
    xfree(&p->name);
    xfree(&p->template);
    xfree(&p->hostname_prefix);
    origin_done(&p->origin);
    memset(p, 0, sizeof *p);
}

void
pool_copy(struct dr_pool *dst, const struct dr_pool *src)
{
    *dst = *src;
    dst->name = xstrdup0(src->name);
    dst->template = xstrdup0(src->template);
    dst->hostname_prefix = xstrdup0(src->hostname_prefix);
    origin_copy(&dst->origin, &src->origin);
}

void
cluster_done(struct dr_cluster *c)
{
    xfree(&c->name);
    xfree(&c->version);
    xfree(&c->vcenter);
    xfree(&c->recipe);
    xfree(&c->airgap_bundle);
    cloud_vsphere_done(&c->vsphere);
    for (size_t i = 0; i < c->n_pools; i++)
        pool_done(&c->pools[i]);
    xfree(&c->pools);
    origin_done(&c->origin);
    memset(c, 0, sizeof *c);
}

void
cluster_copy(struct dr_cluster *dst, const struct dr_cluster *src)
{
    *dst = *src;
    dst->name = xstrdup0(src->name);
    dst->version = xstrdup0(src->version);
    dst->vcenter = xstrdup0(src->vcenter);
    dst->recipe = xstrdup0(src->recipe);
    dst->airgap_bundle = xstrdup0(src->airgap_bundle);
    cloud_vsphere_copy(&dst->vsphere, &src->vsphere);
    dst->pools = src->n_pools ? xcalloc(src->n_pools, sizeof *dst->pools) : NULL;
    for (size_t i = 0; i < src->n_pools; i++)
        pool_copy(&dst->pools[i], &src->pools[i]);
    origin_copy(&dst->origin, &src->origin);
}

void
node_done(struct dr_node *n)
{
    xfree(&n->name);
    xfree(&n->cluster);
    xfree(&n->pool);
    xfree(&n->vm_id);
    xfree(&n->ip);
    xfree(&n->host_key_fp);
    xfree(&n->last_error);
    xfree(&n->kubelet_version);
    xfree(&n->k8s_reason);
    memset(n, 0, sizeof *n);
}

void
node_copy(struct dr_node *dst, const struct dr_node *src)
{
    *dst = *src;
    dst->name = xstrdup0(src->name);
    dst->cluster = xstrdup0(src->cluster);
    dst->pool = xstrdup0(src->pool);
    dst->vm_id = xstrdup0(src->vm_id);
    dst->ip = xstrdup0(src->ip);
    dst->host_key_fp = xstrdup0(src->host_key_fp);
    dst->last_error = xstrdup0(src->last_error);
    dst->kubelet_version = xstrdup0(src->kubelet_version);
    dst->k8s_reason = xstrdup0(src->k8s_reason);
}

bool
node_equal(const struct dr_node *a, const struct dr_node *b)
{
    return str_eq(a->name, b->name) && str_eq(a->cluster, b->cluster) &&
           str_eq(a->pool, b->pool) && a->roles == b->roles && a->state == b->state &&
           a->step == b->step && a->percent == b->percent && a->attempts == b->attempts &&
           str_eq(a->vm_id, b->vm_id) && str_eq(a->ip, b->ip) &&
           str_eq(a->host_key_fp, b->host_key_fp) && a->ssh_verified == b->ssh_verified &&
           str_eq(a->last_error, b->last_error) && a->created == b->created &&
           a->updated == b->updated && a->k8s_ready == b->k8s_ready &&
           str_eq(a->kubelet_version, b->kubelet_version) &&
           str_eq(a->k8s_reason, b->k8s_reason) && a->k8s_since == b->k8s_since;
}

bool
health_equal(const struct dr_health *a, const struct dr_health *b)
{
    return a->api == b->api && a->nodes_ready == b->nodes_ready &&
           a->nodes_total == b->nodes_total && a->polled == b->polled &&
           str_eq(a->error, b->error);
}

void
cluster_status_done(struct dr_cluster_status *s)
{
    xfree(&s->cluster);
    for (size_t i = 0; i < s->n_nodes; i++)
        node_done(&s->nodes[i]);
    xfree(&s->nodes);
    xfree(&s->health.error);
    origin_done(&s->origin);
    memset(s, 0, sizeof *s);
}

void
cluster_status_copy(struct dr_cluster_status *dst, const struct dr_cluster_status *src)
{
    *dst = *src;
    dst->cluster = xstrdup0(src->cluster);
    dst->nodes = src->n_nodes ? xcalloc(src->n_nodes, sizeof *dst->nodes) : NULL;
    for (size_t i = 0; i < src->n_nodes; i++)
        node_copy(&dst->nodes[i], &src->nodes[i]);
    dst->health.error = xstrdup0(src->health.error);
    origin_copy(&dst->origin, &src->origin);
}

const char *
node_state_key(enum dr_node_state s)
{
    if ((unsigned)s >= DR_NODE__COUNT)
        return "unknown";
    return node_state_keys[s];
}

const char *
node_state_label(enum dr_node_state s)
{
    if ((unsigned)s >= DR_NODE__COUNT)
        return _("Unknown");
    return _(node_state_labels[s]);
}

bool
node_state_from_key(const char *key, enum dr_node_state *out)
{
    for (size_t i = 0; key && i < DR_NODE__COUNT; i++) {
        if (strcmp(key, node_state_keys[i]) == 0) {
            *out = (enum dr_node_state)i;
            return true;
        }
    }
    return false;
}

const char *
cluster_state_key(enum dr_cluster_state s)
{
    if ((unsigned)s >= DR_ARRAY_LEN(cluster_states))
        return "unknown";
    return cluster_states[s].key;
}

const char *
cluster_state_label(enum dr_cluster_state s)
{
    if ((unsigned)s >= DR_ARRAY_LEN(cluster_states))
        return _("Unknown");
    return _(cluster_states[s].label);
}

const char *
distribution_key(enum dr_distribution d)
{
    if ((unsigned)d >= DR_ARRAY_LEN(distribution_keys))
        return "unknown";
    return distribution_keys[d];
}

bool
distribution_from_key(const char *key, enum dr_distribution *out)
{
    for (size_t i = 0; key && i < DR_ARRAY_LEN(distribution_keys); i++) {
        if (strcmp(key, distribution_keys[i]) == 0) {
            *out = (enum dr_distribution)i;
            return true;
        }
    }
    return false;
}

const char *
clone_mode_key(enum dr_clone_mode m)
{
    if ((unsigned)m >= DR_ARRAY_LEN(clone_mode_keys))
        return "unknown";
    return clone_mode_keys[m];
}

bool
clone_mode_from_key(const char *key, enum dr_clone_mode *out)
{
    for (size_t i = 0; key && i < DR_ARRAY_LEN(clone_mode_keys); i++) {
        if (strcmp(key, clone_mode_keys[i]) == 0) {
            *out = (enum dr_clone_mode)i;
            return true;
        }
    }
    return false;
}

const char *
roles_format(unsigned roles, char *buf, size_t len)
{
    size_t used = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < DR_ARRAY_LEN(role_names); i++) {
        if (!(roles & role_names[i].bit))
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", role_names[i].name);
        if (n < 0 || (size_t)n >= len - used) {
            buf[used] = '\0'; /* whole names only */
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

bool
roles_parse_one(const char *name, unsigned *bit)
{
    for (size_t i = 0; name && i < DR_ARRAY_LEN(role_names); i++) {
        if (strcmp(name, role_names[i].name) == 0) {
            *bit = role_names[i].bit;
            return true;
        }
    }
    return false;
}

const char *
role_name(unsigned bit)
{
    for (size_t i = 0; i < DR_ARRAY_LEN(role_names); i++) {
        if (role_names[i].bit == bit)
            return role_names[i].name;
    }
    return NULL;
}

void
cluster_node_counts(const struct dr_cluster_status *status, int *ready, int *total)
{
    int r = 0, t = 0;

    for (size_t i = 0; status && i < status->n_nodes; i++) {
        enum dr_node_state st = status->nodes[i].state;
        if (st == DR_NODE_REMOVED)
            continue;
        t++;
        /* Active in drover's pipeline, and not said otherwise by the
         * cluster's own API (health polling): Unknown, NotReady or missing
         * is not ready. */
        if (st == DR_NODE_ACTIVE && (status->nodes[i].k8s_ready == DR_K8S_UNPOLLED ||
                                     status->nodes[i].k8s_ready == DR_K8S_READY))
            r++;
    }
    if (ready)
        *ready = r;
    if (total)
        *total = t;
}

/* The rules, in order: a cluster whose spec is gone is being removed; failed
 * nodes make it degraded (some still serve) or failed (none do); work in
 * flight is provisioning the first time and updating after; a cluster whose
 * live nodes match its pools is active. */
/* What Kubernetes says of a cluster drover counts active or degraded: its
 * API down makes it unavailable, an active node not Ready degraded. */
static enum dr_cluster_state
health_state(enum dr_cluster_state st, const struct dr_cluster_status *status)
{
    if (status->health.api == DR_API_DOWN)
        return DR_CLUSTER_UNAVAILABLE;
    if (status->health.api != DR_API_UP)
        return st;
    for (size_t i = 0; i < status->n_nodes; i++) {
        const struct dr_node *n = &status->nodes[i];
        if (n->state == DR_NODE_ACTIVE && n->k8s_ready != DR_K8S_UNPOLLED && n->k8s_ready != DR_K8S_READY)
            return DR_CLUSTER_DEGRADED;
    }
    return st;
}

enum dr_cluster_state
cluster_state_derive(const struct dr_cluster *spec, const struct dr_cluster_status *status)
{
    int desired = 0, active = 0, errors = 0, busy = 0, live = 0;

    if (spec == NULL)
        return DR_CLUSTER_REMOVING;
    for (size_t i = 0; i < spec->n_pools; i++)
        desired += spec->pools[i].quantity > 0 ? spec->pools[i].quantity : 0;
    for (size_t i = 0; status && i < status->n_nodes; i++) {
        switch (status->nodes[i].state) {
        case DR_NODE_REMOVED:
            continue;
        case DR_NODE_ACTIVE:
            active++;
            break;
        case DR_NODE_ERROR:
            errors++;
            break;
        default:
            busy++;
            break;
        }
        live++;
    }
    if (live == 0)
        return desired > 0 ? DR_CLUSTER_PENDING : DR_CLUSTER_ACTIVE;
    if (errors > 0)
        return active > 0 ? health_state(DR_CLUSTER_DEGRADED, status) : DR_CLUSTER_ERROR;
    if (busy > 0)
        return active > 0 ? DR_CLUSTER_UPDATING : DR_CLUSTER_PROVISIONING;
    if (active != desired)
        return DR_CLUSTER_UPDATING;
    return health_state(DR_CLUSTER_ACTIVE, status);
}

/* A release number at *p, advancing past it: decimal digits without a
 * leading zero (a tag is never "v01.30"), at most 9 of them (no release
 * comes near; more would overflow what the installers compare), and at
 * least min. */
static bool
release_number(const char **p, unsigned long min)
{
    const char *q = *p;
    unsigned long n = 0;

    while (**p >= '0' && **p <= '9') {
        if (*p - q >= 9)
            return false;
        n = n * 10 + (unsigned long)(**p - '0');
        (*p)++;
    }
    if (*p == q || (q[0] == '0' && *p - q > 1))
        return false;
    return n >= min;
}

bool
distribution_version_valid(enum dr_distribution d, const char *version, const char **form,
                           const char **example)
{
    const char *tag = d == DR_DIST_RKE2 ? "+rke2r" : "+k3s";
    const char *p = version;

    *form = d == DR_DIST_RKE2 ? "vX.Y.Z+rke2rN" : "vX.Y.Z+k3sN";
    *example = d == DR_DIST_RKE2 ? "v1.30.4+rke2r1" : "v1.30.4+k3s1";
    if (p == NULL || *p++ != 'v')
        return false;
    for (int i = 0; i < 3; i++) {
        if (!release_number(&p, 0) || (i < 2 && *p++ != '.'))
            return false;
    }
    if (strncmp(p, tag, strlen(tag)) != 0)
        return false;
    p += strlen(tag);
    /* The build suffix counts from 1: v1.30.4+k3s1 and v1.30.4+rke2r1 are
     * the first builds of Kubernetes v1.30.4 (their GitHub release tags). */
    return release_number(&p, 1) && *p == '\0';
}
