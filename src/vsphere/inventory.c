#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

/* One entity as collected, before it is sorted into the inventory. */
struct raw {
    char *type;
    struct vs_object obj;
    struct vs_datastore ds; /* for datastores */
    struct vs_vm vm;        /* for VMs */
};

struct collect {
    struct raw *v;
    size_t n, cap;
};

static void
raw_free_unused(struct raw *r, bool obj_moved)
{
    if (!obj_moved) {
        free(r->obj.id);
        free(r->obj.name);
        free(r->obj.parent);
        free(r->obj.datacenter);
        free(r->obj.type);
        free(r->obj.path);
        free(r->obj.compute);
    }
    free(r->type);
}

/* Snapshot names of a VirtualMachineSnapshotTree list, depth first. */
static void
snap_names(xmlNodePtr parent, const char *list, char ***out)
{
    soap_each(t, parent, list)
    {
        char *name = soap_child_text(t, "name");
        if (name)
            strv_push(out, name);
        free(name);
        snap_names(t, "childSnapshotList", out);
    }
}

static enum dr_err
on_entity(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct collect *c = user;
    struct raw *r;

    c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    r = &c->v[c->n++];
    memset(r, 0, sizeof *r);
    r->type = xstrdup(type);
    r->obj.id = xstrdup(id);
    r->obj.name = vs_prop_text(oc, "name");
    r->obj.parent = vs_prop_text(oc, "parent");
    r->obj.type = xstrdup(type);
    if (r->obj.name == NULL) {
        r->obj.name = xstrdup("");
    } else {
        /* As the operator types it: "VLAN 10/app", not vCenter's %2f. */
        char *plain = vs_name_unescape(r->obj.name);
        free(r->obj.name);
        r->obj.name = plain;
    }
    if (strcmp(type, "Datastore") == 0 || strcmp(type, "StoragePod") == 0) {
        char *t = vs_prop_text(oc, "summary.capacity");
        r->ds.capacity = t ? atoll(t) : 0;
        free(t);
        t = vs_prop_text(oc, "summary.freeSpace");
        r->ds.free_space = t ? atoll(t) : 0;
        free(t);
        r->ds.type = strcmp(type, "StoragePod") == 0 ? xstrdup(type)
                                                     : vs_prop_text(oc, "summary.type");
    } else if (strcmp(type, "VirtualMachine") == 0) {
        char *t = vs_prop_text(oc, "config.template");
        r->vm.template = t && strcmp(t, "true") == 0;
        free(t);
        r->vm.power_state = vs_prop_text(oc, "runtime.powerState");
        r->vm.ip = vs_prop_text(oc, "guest.ipAddress");
        if (r->vm.ip && *r->vm.ip == '\0')
            xfree(&r->vm.ip);
        r->vm.pool = vs_prop_text(oc, "resourcePool");
        r->vm.host = vs_prop_text(oc, "runtime.host");
        t = vs_prop_text(oc, "config.hardware.numCPU");
        r->vm.cpus = t ? atoi(t) : 0;
        free(t);
        t = vs_prop_text(oc, "config.hardware.memoryMB");
        r->vm.memory_mib = t ? atoi(t) : 0;
        free(t);
        r->vm.owner = vs_option_value(vs_prop(oc, "config.extraConfig"), VS_OWNER_KEY);
        r->vm.guest_os = vs_prop_text(oc, "config.guestFullName");
        if (r->vm.guest_os && *r->vm.guest_os == '\0')
            xfree(&r->vm.guest_os);
        {
            xmlNodePtr snap = vs_prop(oc, "snapshot");
            if (snap)
                snap_names(snap, "rootSnapshotList", &r->vm.snapshots);
        }
    }
    return DR_E_OK;
}

static int
cmp_raw_id(const void *a, const void *b)
{
    return strcmp(((const struct raw *)a)->obj.id, ((const struct raw *)b)->obj.id);
}

static struct raw *
find_raw(struct collect *c, const char *id)
{
    struct raw key = {.obj.id = (char *)id};

    return id && c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, cmp_raw_id) : NULL;
}

/* The inventory path of r: its ancestors' names joined by "/", up to (not
 * including) the root folder, which is not in the view. A "/" in a name is
 * written "%2f" and a "%" "%25", as vCenter escapes them in names. */
static char *
raw_path(struct collect *c, struct raw *r)
{
    const char *names[64];
    int n = 0;
    size_t len = 1;
    char *out, *o;

    for (struct raw *p = r; p && n < 64; p = find_raw(c, p->obj.parent)) {
        names[n++] = p->obj.name;
        len += strlen(p->obj.name) * 3 + 1;
    }
    out = o = xmalloc(len);
    while (n-- > 0) {
        for (const char *q = names[n]; *q; q++) {
            if (*q == '/' || *q == '%') {
                memcpy(o, *q == '/' ? "%2f" : "%25", 3);
                o += 3;
            } else {
                *o++ = *q;
            }
        }
        if (n > 0)
            *o++ = '/';
    }
    *o = '\0';
    return out;
}

/* Append o to (*arr, *n). */
#define PUSH(arr, n, val)                                                                          \
    do {                                                                                           \
        (arr) = xrealloc((arr), ((n) + 1) * sizeof *(arr));                                        \
        (arr)[(n)++] = (val);                                                                      \
    } while (0)

enum dr_err
vs_inventory_get(struct vs_session *s, struct vs_inventory *inv, struct dr_error *e)
{
    static const char *const common[] = {"name", "parent", NULL};
    static const char *const ds_paths[] = {
        "name", "parent", "summary.capacity", "summary.freeSpace", "summary.type", NULL};
    static const char *const vm_paths[] = {"name",
                                           "parent",
                                           "config.template",
                                           "runtime.powerState",
                                           "guest.ipAddress",
                                           "resourcePool",
                                           "runtime.host",
                                           "config.hardware.numCPU",
                                           "config.hardware.memoryMB",
                                           "config.extraConfig",
                                           "config.guestFullName",
                                           "snapshot",
                                           NULL};
    static const char *const pod_paths[] = {"name", "parent", "summary.capacity",
                                            "summary.freeSpace", NULL};
    static const struct vs_propspec specs[] = {
        {.type = "Datacenter", .paths = common},  {.type = "ComputeResource", .paths = common},
        {.type = "HostSystem", .paths = common},  {.type = "ResourcePool", .paths = common},
        {.type = "Datastore", .paths = ds_paths}, {.type = "Network", .paths = common},
        {.type = "Folder", .paths = common},      {.type = "VirtualMachine", .paths = vm_paths},
        {.type = "StoragePod", .paths = pod_paths},
    };
    struct collect c = {0};
    enum dr_err err;

    memset(inv, 0, sizeof *inv);
    err = vs_retrieve_view(s, "Folder", s->root_folder, specs, DR_ARRAY_LEN(specs), true, on_entity,
                           &c, e);
    if (c.n > 0)
        qsort(c.v, c.n, sizeof *c.v, cmp_raw_id);
    /* Each object's datacenter: walk up the parents. */
    for (size_t i = 0; err == DR_E_OK && i < c.n; i++) {
        struct raw *r = &c.v[i], *p = r;
        int depth = 0;
        if (strcmp(r->type, "Datacenter") == 0)
            continue;
        while (p && strcmp(p->type, "Datacenter") != 0 && depth++ < 64)
            p = find_raw(&c, p->obj.parent);
        if (p && strcmp(p->type, "Datacenter") == 0)
            r->obj.datacenter = xstrdup(p->obj.name);
    }
    for (size_t i = 0; err == DR_E_OK && i < c.n; i++)
        c.v[i].obj.path = raw_path(&c, &c.v[i]);
    /* Hosts and pools: the compute resource above them. */
    for (size_t i = 0; err == DR_E_OK && i < c.n; i++) {
        struct raw *r = &c.v[i], *p;
        int depth = 0;
        if (strcmp(r->type, "HostSystem") != 0 && strcmp(r->type, "ResourcePool") != 0 &&
            strcmp(r->type, "VirtualApp") != 0)
            continue;
        for (p = find_raw(&c, r->obj.parent); p && depth++ < 64; p = find_raw(&c, p->obj.parent))
            if (strcmp(p->type, "ClusterComputeResource") == 0 ||
                strcmp(p->type, "ComputeResource") == 0) {
                r->obj.compute = xstrdup(p->obj.path);
                break;
            }
    }
    for (size_t i = 0; i < c.n; i++) {
        struct raw *r = &c.v[i];
        const char *t = r->type;
        bool moved = true;
        if (err != DR_E_OK) {
            moved = false;
            free(r->ds.type);
            free(r->vm.power_state);
            free(r->vm.ip);
            free(r->vm.pool);
            free(r->vm.host);
            free(r->vm.owner);
            free(r->vm.guest_os);
            strv_free(&r->vm.snapshots);
        } else if (strcmp(t, "Datacenter") == 0) {
            PUSH(inv->datacenters, inv->n_datacenters, r->obj);
        } else if (strcmp(t, "ClusterComputeResource") == 0) {
            PUSH(inv->clusters, inv->n_clusters, r->obj);
        } else if (strcmp(t, "HostSystem") == 0) {
            PUSH(inv->hosts, inv->n_hosts, r->obj);
        } else if (strcmp(t, "ResourcePool") == 0 || strcmp(t, "VirtualApp") == 0) {
            PUSH(inv->pools, inv->n_pools, r->obj);
        } else if (strcmp(t, "Datastore") == 0) {
            r->ds.obj = r->obj;
            PUSH(inv->datastores, inv->n_datastores, r->ds);
        } else if (strcmp(t, "StoragePod") == 0) {
            r->ds.obj = r->obj;
            PUSH(inv->datastore_clusters, inv->n_datastore_clusters, r->ds);
        } else if (strcmp(t, "Folder") == 0) {
            PUSH(inv->folders, inv->n_folders, r->obj);
        } else if (strcmp(t, "VirtualMachine") == 0) {
            r->vm.obj = r->obj;
            PUSH(inv->vms, inv->n_vms, r->vm);
        } else if (strcmp(t, "ComputeResource") == 0) {
            moved = false; /* a standalone host's wrapper: its host is listed */
        } else {
            PUSH(inv->networks, inv->n_networks, r->obj); /* Network and its subtypes */
        }
        raw_free_unused(r, moved);
    }
    free(c.v);
    if (err != DR_E_OK)
        memset(inv, 0, sizeof *inv);
    return err;
}

static void
object_done(struct vs_object *o)
{
    free(o->id);
    free(o->name);
    free(o->parent);
    free(o->datacenter);
    free(o->type);
    free(o->path);
    free(o->compute);
}

static void
objects_free(struct vs_object *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        object_done(&v[i]);
    free(v);
}

void
vs_inventory_done(struct vs_inventory *inv)
{
    objects_free(inv->datacenters, inv->n_datacenters);
    objects_free(inv->clusters, inv->n_clusters);
    objects_free(inv->hosts, inv->n_hosts);
    objects_free(inv->pools, inv->n_pools);
    objects_free(inv->networks, inv->n_networks);
    objects_free(inv->folders, inv->n_folders);
    for (size_t i = 0; i < inv->n_datastores; i++) {
        object_done(&inv->datastores[i].obj);
        free(inv->datastores[i].type);
    }
    free(inv->datastores);
    for (size_t i = 0; i < inv->n_datastore_clusters; i++) {
        object_done(&inv->datastore_clusters[i].obj);
        free(inv->datastore_clusters[i].type);
    }
    free(inv->datastore_clusters);
    for (size_t i = 0; i < inv->n_vms; i++) {
        struct vs_vm *v = &inv->vms[i];
        object_done(&v->obj);
        free(v->power_state);
        free(v->ip);
        free(v->pool);
        free(v->host);
        free(v->owner);
        free(v->guest_os);
        strv_free(&v->snapshots);
    }
    free(inv->vms);
    memset(inv, 0, sizeof *inv);
}

enum dr_err
vs_find_by_path(struct vs_session *s, const char *path, char **id, char **type, struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    enum dr_err err;
    xmlNodePtr rv;

    *id = NULL;
    if (type)
        *type = NULL;
    soap_req_init(&req, "FindByInventoryPath");
    soap_add_moref(req.method, "_this", "SearchIndex", s->search_index);
    soap_add_text(req.method, "inventoryPath", path);
    err = vs_call(s, &req, &resp, e);
    soap_req_done(&req);
    if (err != DR_E_OK)
        return err;
    rv = soap_child(resp.result, "returnval");
    if (rv == NULL) {
        soap_resp_done(&resp);
        return dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: nothing at inventory path %s"),
                            s->name, path);
    }
    *id = soap_text(rv);
    if (type) {
        xmlChar *t = xmlGetNoNsProp(rv, BAD_CAST "type");
        *type = xstrdup(t ? (const char *)t : "");
        xmlFree(t);
    }
    soap_resp_done(&resp);
    return DR_E_OK;
}
