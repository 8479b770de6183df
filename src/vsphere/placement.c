#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

struct snap_find {
    const char *name; /* a snapshot's name, or its path "a/b" (a leading '/': from a root) */
    char *id;
    size_t n_match;
    char *matched; /* the matches' paths, ", "-separated, for the message */
    char *seen;    /* the snapshots' names, ", "-separated, for the message */
};

/* Whether the snapshot at path (its names from a root, '/'-joined) called
 * name is the one f asks for: by its name, or by its path when the asked
 * name holds a '/'. vCenter allows two snapshots of one name. */
static bool
snap_matches(const struct snap_find *f, const char *name, const char *path)
{
    const char *want = f->name;

    if (strcmp(name, want) == 0)
        return true;
    if (strchr(want, '/') == NULL)
        return false;
    if (*want == '/')
        want++;
    return strcmp(path, want) == 0;
}

static void
snap_walk(xmlNodePtr list_parent, const char *list_name, const char *parent, struct snap_find *f)
{
    soap_each(t, list_parent, list_name)
    {
        char *name = soap_child_text(t, "name");
        char *path = NULL;

        if (name) {
            char *all = xasprintf("%s%s%s", f->seen ? f->seen : "", f->seen ? ", " : "", name);
            free(f->seen);
            f->seen = all;
            path = parent ? xasprintf("%s/%s", parent, name) : xstrdup(name);
            if (snap_matches(f, name, path)) {
                char *m = xasprintf("%s%s\"%s\"", f->matched ? f->matched : "",
                                    f->matched ? ", " : "", path);
                free(f->matched);
                f->matched = m;
                if (f->n_match++ == 0)
                    f->id = soap_child_text(t, "snapshot");
            }
        }
        free(name);
        snap_walk(t, "childSnapshotList", path ? path : parent, f);
        free(path);
    }
}

static enum dr_err
on_snapshot(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct snap_find *f = user;
    xmlNodePtr info = vs_prop(oc, "snapshot");

    if (info == NULL)
        return DR_E_OK;
    if (f->name == NULL)
        f->id = soap_child_text(info, "currentSnapshot");
    else
        snap_walk(info, "rootSnapshotList", NULL, f);
    return DR_E_OK;
}

/* The snapshot of VM vm (its inventory path shown, not its moref) that a
 * linked clone starts from: the one named (its name, or its path in the
 * snapshot tree "parent/child", "/name" for a root one), else the current
 * one. DR_E_NOTFOUND when none matches or the name means more than one
 * (vCenter allows equal names): the message lists their paths. */
static enum dr_err
find_snapshot(struct vs_session *s, const char *vm, const char *shown, const char *name, char **id,
              struct dr_error *e)
{
    static const char *const paths[] = {"snapshot", NULL};
    struct snap_find f = {.name = str_empty(name) ? NULL : name};
    enum dr_err err = vs_retrieve_one(s, "VirtualMachine", vm, paths, on_snapshot, &f, e);

    if (shown == NULL)
        shown = vm;
    if (err == DR_E_OK && f.id == NULL && f.name)
        err = dr_error_set(e, DR_E_NOTFOUND,
                           _("vCenter %s: snapshot %s not found on %s (its snapshots: %s)"),
                           s->name, f.name, shown, f.seen ? f.seen : _("none"));
    else if (err == DR_E_OK && f.n_match > 1)
        err = dr_error_set(e, DR_E_NOTFOUND,
                           _("vCenter %s: snapshot \"%s\" of %s is ambiguous: %zu snapshots match "
                             "(by their paths in its snapshot tree: %s); write the path of one, "
                             "e.g. \"parent/child\", or \"/%s\" for a root snapshot of that "
                             "name"),
                           s->name, f.name, shown, f.n_match, f.matched, f.name);
    else if (err == DR_E_OK && f.id == NULL)
        err = dr_error_set(e, DR_E_NOTFOUND,
                           _("vCenter %s: %s has no snapshot for a linked clone"), s->name, shown);
    free(f.seen);
    free(f.matched);
    if (err != DR_E_OK) {
        free(f.id);
        return err;
    }
    *id = f.id;
    return DR_E_OK;
}

void
vs_problems_done(struct vs_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].subfield);
        free(p->v[i].message);
    }
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

struct resolve {
    struct vs_session *s;
    const struct dr_template *t;
    struct vs_tree tree;
    struct vs_problems *probs;
    struct vs_problems own; /* when the caller gave none */
};

static void problem(struct resolve *r, enum dr_tfield f, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct resolve *r, enum dr_tfield f, const char *sub, const char *fmt, ...)
{
    struct vs_problems *p = r->probs;
    struct vs_problem *x;
    va_list ap;
    int len;

    p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
    x = &p->v[p->n++];
    memset(x, 0, sizeof *x);
    x->field = f;
    x->subfield = sub ? xstrdup(sub) : NULL;
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    x->message = xmalloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(x->message, (size_t)len + 1, fmt, ap);
    va_end(ap);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The one object of types below scope that input means (exact name or
 * path, see vs_tree_find), or NULL after recording why not. what/whats:
 * the kind in the singular and plural ("network", "networks"). */
static const struct vs_entity *
resolve_one(struct resolve *r, enum dr_tfield f, const char *sub, const char *what,
            const char *whats, const char *const *types, const struct vs_entity *scope,
            const char *input)
{
    const struct vs_entity **m = NULL, *found = NULL;
    size_t n = vs_tree_find(&r->tree, types, scope ? scope->id : NULL, scope ? scope->id : NULL,
                            input, &m);

    if (n == 1) {
        found = m[0];
    } else if (n == 0) {
        char *where = scope ? vs_tree_path(&r->tree, scope) : NULL;
        const struct vs_entity **other = NULL;
        size_t n_other = scope ? vs_tree_find(&r->tree, types, NULL, NULL, input, &other) : 0;

        if (n_other > 0 && where && *where) {
            /* It exists, in the wrong place: a pool of another cluster, a
             * folder that is not a VM folder, another datacenter's object. */
            char *there = vs_tree_path(&r->tree, other[0]);
            problem(r, f, sub, _("\"%s\": no %s of that name or path in %s; %s is one, but not "
                                 "below %s (a pool of another compute resource, a folder "
                                 "that is not a VM folder, or another datacenter's)"),
                    input, what, where, there, where);
            free(there);
        } else if (where && *where)
            problem(r, f, sub, _("\"%s\": no %s of that name or path in %s"), input, what, where);
        else
            problem(r, f, sub, _("\"%s\": no %s of that name or path"), input, what);
        free(where);
        free(other);
    } else {
        char **paths = xcalloc(n + 1, sizeof *paths), *list = xstrdup("");
        for (size_t i = 0; i < n; i++)
            paths[i] = vs_tree_path(&r->tree, m[i]);
        qsort(paths, n, sizeof *paths, cmp_str);
        for (size_t i = 0; i < n; i++) {
            char *next = xasprintf("%s%s%s", list, i ? ", " : "", paths[i]);
            free(list);
            list = next;
        }
        problem(r, f, sub, _("\"%s\" matches %zu %s: %s (write the full path of one)"), input, n,
                whats, list);
        free(list);
        strv_free(&paths);
    }
    free(m);
    return found;
}

/* A datacenter's own folder ("vm", "host", "datastore", "network"). */
static const struct vs_entity *
dc_folder(struct resolve *r, const struct vs_entity *dc, const char *name)
{
    return vs_tree_child(&r->tree, dc->id, "Folder", name);
}

/* What a network's hosts are read into. */
struct net_hosts {
    char **hosts;  /* Network.host: the hosts that have it */
    char *dvs;     /* a distributed port group's switch id */
    char *dvs_type; /* and its type */
};

static enum dr_err
on_net_hosts(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct net_hosts *h = user;
    xmlNodePtr val = vs_prop(oc, "host");

    (void)type, (void)id, (void)e;
    soap_each(m, val, "ManagedObjectReference")
    {
        char *hid = soap_text(m);
        if (hid)
            strv_push(&h->hosts, hid);
        free(hid);
    }
    val = vs_prop(oc, "config.distributedVirtualSwitch");
    h->dvs = soap_text(val);
    if (val) {
        xmlChar *t = xmlGetNoNsProp(val, BAD_CAST "type");
        h->dvs_type = xstrdup(t ? (const char *)t : "VmwareDistributedVirtualSwitch");
        xmlFree(t);
    }
    return DR_E_OK;
}

/* "a, b, c" of the entities' names (newly allocated). */
static char *
host_names(struct resolve *r, char *const *ids)
{
    char *out = xstrdup("");

    for (size_t i = 0; ids && ids[i]; i++) {
        const struct vs_entity *h = vs_tree_by_id(&r->tree, ids[i]);
        char *next = xasprintf("%s%s%s", out, i ? ", " : "", h ? h->name : ids[i]);
        free(out);
        out = next;
    }
    return out;
}

/* A network the VM's host cannot reach fails the clone in vCenter (a
 * distributed port group is on its switch's member hosts only, a standard
 * port group on the hosts whose vSwitch has it): Network.host must hold the
 * template's host, or, in a cluster, one of its hosts (DRS places the VM on
 * a host that has all its networks). Opaque (NSX) networks are not checked:
 * vCenter does not list their hosts. Returns false after recording why. */
static bool
strv_has(char *const *v, const char *s)
{
    for (; v && *v; v++)
        if (strcmp(*v, s) == 0)
            return true;
    return false;
}

struct named {
    char *name, *parent;
};

static enum dr_err
on_named(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct named *n = user;

    (void)type, (void)id, (void)e;
    n->name = vs_prop_text(oc, "name");
    n->parent = vs_prop_text(oc, "parent");
    return DR_E_OK;
}

/* "DC0/network/sw01/DS1": a distributed switch's path (the inventory tree
 * does not hold switches), or its id when that cannot be read. */
static char *
switch_path(struct resolve *r, const char *type, const char *id)
{
    static const char *const paths[] = {"name", "parent", NULL};
    struct named n = {0};
    struct dr_error e = {0};
    const struct vs_entity *folder;
    char *out;

    if (id == NULL)
        return xstrdup("?");
    if (vs_retrieve_one(r->s, type ? type : "VmwareDistributedVirtualSwitch", id, paths, on_named,
                        &n, &e) !=
            DR_E_OK ||
        n.name == NULL) {
        free(n.name);
        free(n.parent);
        return xstrdup(id);
    }
    folder = n.parent ? vs_tree_by_id(&r->tree, n.parent) : NULL;
    if (folder) {
        char *fp = vs_tree_path(&r->tree, folder);
        out = xasprintf("%s/%s", fp, n.name);
        free(fp);
    } else {
        out = xstrdup(n.name);
    }
    free(n.name);
    free(n.parent);
    return out;
}

static bool
network_reachable(struct resolve *r, const struct vs_entity *x, const char *sub,
                  const char *input, char *const *targets, const char *where, bool one_host,
                  char ***have)
{
    static const char *const net_paths[] = {"host", NULL};
    static const char *const pg_paths[] = {"host", "config.distributedVirtualSwitch", NULL};
    struct net_hosts h = {0};
    struct dr_error e = {0};
    bool pg = strcmp(x->type, "DistributedVirtualPortgroup") == 0, ok = false;
    char *path, *names, *fix, *on;

    *have = NULL;
    if (strcmp(x->type, "OpaqueNetwork") == 0 || targets == NULL || targets[0] == NULL)
        return true;
    if (vs_retrieve_one(r->s, x->type, x->id, pg ? pg_paths : net_paths, on_net_hosts, &h, &e) !=
        DR_E_OK) {
        /* Not knowable here: the clone (and the NIC read-back) will tell. */
        strv_free(&h.hosts);
        free(h.dvs);
        free(h.dvs_type);
        return true;
    }
    for (char *const *t = targets; *t && !ok; t++)
        ok = strv_has(h.hosts, *t);
    if (ok) {
        *have = h.hosts;
        free(h.dvs);
        free(h.dvs_type);
        return true;
    }
    path = vs_tree_path(&r->tree, x);
    names = host_names(r, targets);
    if (pg) {
        char *swp = switch_path(r, h.dvs_type, h.dvs);
        fix = xasprintf(_("add %s to the distributed switch %s (its port groups reach only its "
                          "member hosts)"),
                        names, swp);
        free(swp);
    } else {
        fix = xasprintf(_("add the port group to a vSwitch of %s"), names);
    }
    on = h.hosts && h.hosts[0] ? host_names(r, h.hosts) : xstrdup(_("no host"));
    problem(r, DR_TF_NETWORKS, sub,
            _("\"%s\"%s%s%s is not available on %s %s (the network is on %s); vCenter would "
              "fail the clone: %s, give a host or cluster that has it, or choose another network"),
            input, str_eq(input, path) ? "" : " (", str_eq(input, path) ? "" : path,
            str_eq(input, path) ? "" : ")", one_host ? _("host") : _("any host of"), where, on,
            fix);
    free(on);
    free(fix);
    free(names);
    free(path);
    strv_free(&h.hosts);
    free(h.dvs);
    free(h.dvs_type);
    return false;
}

static void
resolve_networks(struct resolve *r, const struct vs_entity *netf, struct vs_placement *p,
                 char *const *targets, const char *where, bool one_host)
{
    char **common = NULL; /* the target hosts that have every network so far */
    bool all_ok = true;

    static const char *const types[] = {"Network", "DistributedVirtualPortgroup", "OpaqueNetwork",
                                        NULL};
    size_t i = 0;

    for (char **n = r->t->networks; n && *n; n++, i++) {
        char *sub = xasprintf("networks[%zu]", i);
        const struct vs_entity *x =
            resolve_one(r, DR_TF_NETWORKS, sub, _("network"), _("networks"), types, netf, *n);
        struct dr_error e = {0};
        struct vs_nic nic;

        if (x && strcmp(x->type, "OpaqueNetwork") == 0 && (!x->opaque_id || !x->opaque_type)) {
            problem(r, DR_TF_NETWORKS, sub, _("\"%s\": opaque network without an id or type"), *n);
            x = NULL;
        }
        if (x) {
            char **have = NULL;
            if (!network_reachable(r, x, sub, *n, targets, where, one_host, &have)) {
                all_ok = false;
                x = NULL;
            } else if (have) {
                char **keep = xcalloc(1, sizeof *keep);
                for (char *const *t = common ? common : targets; *t; t++)
                    if (strv_has(have, *t))
                        strv_push(&keep, *t);
                strv_free(&common);
                common = keep;
                strv_free(&have);
            }
        }
        if (x && vs_nic_resolve(r->s, x->id, x->type, x->name, &nic, &e) != DR_E_OK) {
            problem(r, DR_TF_NETWORKS, sub, "\"%s\": %s", *n, dr_error_text(&e));
            vs_nic_done(&nic);
            x = NULL;
        } else if (x) {
            if (strcmp(x->type, "OpaqueNetwork") == 0) {
                nic.opaque_id = xstrdup(x->opaque_id);
                nic.opaque_type = xstrdup(x->opaque_type);
            }
            strv_push(&p->networks, x->id);
            {
                char *np = vs_tree_path(&r->tree, x);
                strv_push(&p->network_paths, np);
                free(np);
            }
            p->nics = xrealloc(p->nics, (p->n_nics + 1) * sizeof *p->nics);
            p->nics[p->n_nics++] = nic;
        }
        free(sub);
    }
    /* Each network is on some host, but no one host has them all. */
    if (all_ok && common && common[0] == NULL && !one_host) {
        char *names = host_names(r, targets);
        problem(r, DR_TF_NETWORKS, NULL,
                _("no host of %s (%s) has all of these networks, so vCenter has no host to run "
                  "the VM on: put them on the same hosts, or choose other networks"),
                where, names);
        free(names);
    }
    strv_free(&common);
}

enum dr_err
vs_resolve_placement(struct vs_session *s, const struct dr_template *t, struct vs_placement *p,
                     struct vs_problems *probs, struct dr_error *e)
{
    static const char *const t_dc[] = {"Datacenter", NULL};
    static const char *const t_folder[] = {"Folder", NULL};
    static const char *const t_cluster[] = {"ClusterComputeResource", NULL};
    static const char *const t_host[] = {"HostSystem", NULL};
    static const char *const t_pool[] = {"ResourcePool", "VirtualApp", NULL};
    /* A datastore cluster (StoragePod) is named as a datastore is: a
     * datastore and a pod of the same name are ambiguous, as two
     * datastores are. */
    static const char *const t_ds[] = {"Datastore", "StoragePod", NULL};
    static const char *const t_vm[] = {"VirtualMachine", NULL};
    struct resolve r = {.s = s, .t = t};
    const struct vs_entity *dc, *vmf, *hostf, *dsf, *netf, *x, *compute = NULL, *pod = NULL;
    size_t before;
    enum dr_err err;

    memset(p, 0, sizeof *p);
    r.probs = probs ? probs : &r.own;
    before = r.probs->n;
    if ((err = vs_tree_get(s, &r.tree, e)) != DR_E_OK)
        return err;
    if (str_empty(t->datacenter)) {
        problem(&r, DR_TF_DATACENTER, NULL, _("is required"));
        goto out;
    }
    dc = resolve_one(&r, DR_TF_DATACENTER, NULL, _("datacenter"), _("datacenters"), t_dc, NULL,
                     t->datacenter);
    if (dc == NULL)
        goto out;
    p->datacenter = xstrdup(dc->id);
    vmf = dc_folder(&r, dc, "vm");
    hostf = dc_folder(&r, dc, "host");
    dsf = dc_folder(&r, dc, "datastore");
    netf = dc_folder(&r, dc, "network");
    if (!vmf || !hostf || !dsf || !netf) {
        problem(&r, DR_TF_DATACENTER, NULL, _("\"%s\" lacks its vm, host, datastore or network "
                                              "folder"),
                t->datacenter);
        goto out;
    }

    x = str_empty(t->folder) ? vmf
                             : resolve_one(&r, DR_TF_FOLDER, NULL, _("VM folder"),
                                           _("VM folders"), t_folder, vmf, t->folder);
    p->folder = x ? xstrdup(x->id) : NULL;
    p->folder_path = x ? vs_tree_path(&r.tree, x) : NULL;
    if (x) {
        p->folder_vm_ids = xcalloc(1, sizeof *p->folder_vm_ids);
        p->folder_vm_names = xcalloc(1, sizeof *p->folder_vm_names);
        for (size_t i = 0; i < r.tree.n; i++)
            if (str_eq(r.tree.v[i].parent, x->id) && str_eq(r.tree.v[i].type, "VirtualMachine")) {
                strv_push(&p->folder_vm_ids, r.tree.v[i].id);
                strv_push(&p->folder_vm_names, r.tree.v[i].name);
            }
    }

    if (!str_empty(t->cluster)) {
        compute = resolve_one(&r, DR_TF_CLUSTER, NULL, _("cluster"), _("clusters"), t_cluster,
                              hostf, t->cluster);
        if (compute && !str_empty(t->host)) {
            x = resolve_one(&r, DR_TF_HOST, NULL, _("host"), _("hosts"), t_host, compute,
                            t->host);
            p->host = x ? xstrdup(x->id) : NULL;
            p->host_path = x ? vs_tree_path(&r.tree, x) : NULL;
        }
    } else if (!str_empty(t->host)) {
        x = resolve_one(&r, DR_TF_HOST, NULL, _("host"), _("hosts"), t_host, hostf, t->host);
        if (x) {
            p->host = xstrdup(x->id);
            p->host_path = vs_tree_path(&r.tree, x);
            compute = vs_tree_by_id(&r.tree, x->parent);
        }
    } else {
        problem(&r, DR_TF_CLUSTER, NULL, _("give a cluster or a host"));
    }
    if (compute) {
        p->compute = xstrdup(compute->id);
        p->compute_type = xstrdup(compute->type);
        p->compute_path = vs_tree_path(&r.tree, compute);
    }
    if (compute) {
        const struct vs_entity *root = vs_tree_child(&r.tree, compute->id, "ResourcePool",
                                                     "Resources");
        if (root == NULL)
            problem(&r, str_empty(t->cluster) ? DR_TF_HOST : DR_TF_CLUSTER, NULL,
                    _("%s has no root resource pool"), compute->name);
        else if (str_empty(t->resource_pool))
            x = root;
        else
            x = resolve_one(&r, DR_TF_RESOURCE_POOL, NULL, _("resource pool"),
                            _("resource pools"), t_pool, root, t->resource_pool);
        p->pool = root && x ? xstrdup(x->id) : NULL;
        p->pool_path = root && x ? vs_tree_path(&r.tree, x) : NULL;
    }

    if (!str_empty(t->datastore)) {
        x = resolve_one(&r, DR_TF_DATASTORE, NULL, _("datastore or datastore cluster"),
                        _("datastores or datastore clusters"), t_ds, dsf, t->datastore);
        if (x && strcmp(x->type, "StoragePod") == 0) {
            pod = x;
            p->pod = xstrdup(x->id);
            p->pod_path = vs_tree_path(&r.tree, x);
        } else {
            p->datastore = x ? xstrdup(x->id) : NULL;
            p->datastore_path = x ? vs_tree_path(&r.tree, x) : NULL;
        }
    }
    {
        /* The hosts the VM may run on: the template's host, else the
         * compute resource's hosts. */
        char **targets = xcalloc(1, sizeof *targets);
        char *where = NULL;

        if (p->host) {
            strv_push(&targets, p->host);
            where = xstrdup(p->host_path ? p->host_path : p->host);
        } else if (compute) {
            for (size_t i = 0; i < r.tree.n; i++)
                if (str_eq(r.tree.v[i].parent, compute->id) &&
                    str_eq(r.tree.v[i].type, "HostSystem"))
                    strv_push(&targets, r.tree.v[i].id);
            where = vs_tree_path(&r.tree, compute);
        }
        resolve_networks(&r, netf, p, targets, where ? where : "?", p->host != NULL);
        if (pod && (compute || p->host)) {
            char *why = NULL;

            err = vs_pod_members(s, &r.tree, pod, targets, p, &why, e);
            if (err != DR_E_OK) {
                strv_free(&targets);
                free(where);
                goto out;
            }
            if (why)
                problem(&r, DR_TF_DATASTORE, NULL,
                        _("\"%s\" (datastore cluster %s) has no datastore that %s %s mounts "
                          "and can take a VM (%s); add a datastore to the cluster, mount one on "
                          "%s, grant the user Datastore.AllocateSpace on one, or choose "
                          "another datastore"),
                        t->datastore, p->pod_path, p->host ? _("host") : _("a host of"),
                        where ? where : "?", why, where ? where : "?");
            free(why);
        }
        strv_free(&targets);
        free(where);
    }

    if (str_empty(t->clone_from)) {
        problem(&r, DR_TF_CLONE_FROM, NULL, _("is required"));
    } else {
        x = resolve_one(&r, DR_TF_CLONE_FROM, NULL, _("VM or template"), _("VMs or templates"),
                        t_vm, vmf, t->clone_from);
        p->source = x ? xstrdup(x->id) : NULL;
        p->source_path = x ? vs_tree_path(&r.tree, x) : NULL;
    }
    if (p->source && p->pod) {
        /* What a clone takes on the member it goes on (vs_pod_pick). */
        struct vs_facts f = {0};
        struct dr_error fe = {0};
        const struct vs_fact *src = vs_facts_add(&f, "VirtualMachine", p->source);

        if (vs_facts_get(s, &f, &fe) == DR_E_OK && src->found) {
            p->source_disk_bytes = src->disk_bytes;
            p->source_memory_mib = src->memory_mib;
        }
        vs_facts_done(&f);
    }
    if (p->source && t->clone_mode == DR_CLONE_LINKED) {
        struct dr_error se = {0};
        err = find_snapshot(s, p->source, p->source_path, t->snapshot, &p->snapshot, &se);
        if (err == DR_E_NOTFOUND)
            problem(&r, str_empty(t->snapshot) ? DR_TF_CLONE_MODE : DR_TF_SNAPSHOT, NULL, "%s",
                    dr_error_text(&se));
        else if (err != DR_E_OK) {
            if (e)
                *e = se;
            goto out;
        }
    }
    err = DR_E_OK;
out:
    vs_tree_done(&r.tree);
    if (err == DR_E_OK && r.probs->n > before) {
        const struct vs_problem *first = &r.probs->v[before];
        err = dr_error_set(e, DR_E_INVAL, _("vCenter %s: %s: %s"), s->name,
                           first->subfield ? first->subfield : template_field_key(first->field),
                           first->message);
    }
    vs_problems_done(&r.own);
    if (err != DR_E_OK)
        vs_placement_done(p);
    return err;
}

void
vs_placement_done(struct vs_placement *p)
{
    free(p->datacenter);
    free(p->folder);
    free(p->pool);
    free(p->datastore);
    free(p->host);
    free(p->source);
    free(p->snapshot);
    strv_free(&p->networks);
    vs_nics_free(p->nics, p->n_nics);
    free(p->compute);
    free(p->compute_type);
    free(p->folder_path);
    free(p->pool_path);
    free(p->datastore_path);
    free(p->host_path);
    free(p->compute_path);
    free(p->source_path);
    strv_free(&p->network_paths);
    strv_free(&p->folder_vm_ids);
    strv_free(&p->folder_vm_names);
    vs_pod_members_free(p);
    memset(p, 0, sizeof *p);
}
