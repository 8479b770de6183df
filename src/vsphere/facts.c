/* Preflight's facts: what the checks need to know about the objects a
 * cluster's templates resolved to (the clone sources, datastores, compute
 * resources, hosts, VMs that share a node's name), in ONE
 * RetrievePropertiesEx for all of them, and the session user's privileges
 * on them in one AuthorizationManager.HasPrivilegeOnEntities. Read-only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

static const char *const vm_paths[] = {
    "name", "config.template", "runtime.powerState", "guest.toolsStatus",
    "config.tools.toolsVersion", "config.guestId", "config.guestFullName",
    "config.hardware.device", "config.hardware.numCPU", "config.hardware.memoryMB",
    "config.extraConfig", NULL};
static const char *const ds_paths[] = {"name", "summary", "host", NULL};
static const char *const compute_paths[] = {"name", "datastore", "host", "summary", NULL};
static const char *const host_paths[] = {"name", "datastore", "summary.hardware",
                                         "summary.quickStats", "runtime.inMaintenanceMode", NULL};

/* The ids (ManagedObjectReference texts) under val, each <ManagedObjectReference>. */
static char **
morefs(xmlNodePtr val)
{
    char **out = xcalloc(1, sizeof *out);

    if (val == NULL)
        return out;
    soap_each(m, val, "ManagedObjectReference")
    {
        char *id = soap_text(m);
        if (id)
            strv_push(&out, id);
        free(id);
    }
    return out;
}

static bool
is_nic_type(const char *type)
{
    static const char *const nics[] = {"VirtualVmxnet3", "VirtualVmxnet3Vrdma", "VirtualVmxnet2",
                                       "VirtualVmxnet", "VirtualE1000", "VirtualE1000e",
                                       "VirtualPCNet32", "VirtualSriovEthernetCard", NULL};
    for (const char *const *n = nics; type && *n; n++)
        if (strcmp(type, *n) == 0)
            return true;
    return false;
}

static void
vm_devices(struct vs_fact *f, xmlNodePtr val)
{
    if (val == NULL)
        return;
    soap_each(d, val, "VirtualDevice")
    {
        char *type = soap_type(d);

        if (is_nic_type(type))
            f->nics++;
        else if (type && strcmp(type, "VirtualDisk") == 0) {
            long long b = soap_child_ll(d, "capacityInBytes", -1);
            if (b < 0)
                b = soap_child_ll(d, "capacityInKB", 0) * 1024;
            f->disk_bytes += b;
            f->disks++;
        }
        free(type);
    }
}

static long long
child_ll(xmlNodePtr n, const char *name)
{
    return n ? soap_child_ll(n, name, 0) : 0;
}

static enum dr_err
on_fact(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct vs_facts *q = user;
    struct vs_fact *f = NULL;

    for (size_t i = 0; i < q->n && f == NULL; i++)
        if (str_eq(q->v[i].id, id))
            f = &q->v[i];
    if (f == NULL)
        return DR_E_OK;
    f->found = true;
    xfree(&f->name);
    f->name = vs_prop_text(oc, "name");
    if (strcmp(type, "VirtualMachine") == 0) {
        char *t = vs_prop_text(oc, "config.template");
        xmlNodePtr x;

        f->is_template = t && strcmp(t, "true") == 0;
        free(t);
        f->power_state = vs_prop_text(oc, "runtime.powerState");
        f->tools_status = vs_prop_text(oc, "guest.toolsStatus");
        f->tools_version = vs_prop_text(oc, "config.tools.toolsVersion");
        f->guest_id = vs_prop_text(oc, "config.guestId");
        f->guest_name = vs_prop_text(oc, "config.guestFullName");
        vm_devices(f, vs_prop(oc, "config.hardware.device"));
        t = vs_prop_text(oc, "config.hardware.numCPU");
        f->cpus = t ? atoi(t) : 0;
        free(t);
        t = vs_prop_text(oc, "config.hardware.memoryMB");
        f->memory_mib = t ? atoll(t) : 0;
        free(t);
        x = vs_prop(oc, "config.extraConfig");
        f->owner = vs_option_value(x, VS_OWNER_KEY);
        f->enable_uuid = vs_option_value(x, "disk.EnableUUID");
    } else if (strcmp(type, "Datastore") == 0) {
        xmlNodePtr sum = vs_prop(oc, "summary"), host = vs_prop(oc, "host");

        f->capacity = child_ll(sum, "capacity");
        f->free_space = child_ll(sum, "freeSpace");
        f->accessible = sum ? soap_child_bool(sum, "accessible", true) : false;
        xfree(&f->url);
        f->url = sum ? soap_child_text(sum, "url") : NULL;
        {
            char *mm = sum ? soap_child_text(sum, "maintenanceMode") : NULL;
            /* "normal", "enteringMaintenance", "inMaintenance" */
            f->maintenance = mm && strcmp(mm, "normal") != 0;
            free(mm);
        }
        f->hosts = xcalloc(1, sizeof *f->hosts);
        if (host)
            soap_each(m, host, "DatastoreHostMount")
            {
                /* A host that lists the datastore but has it unmounted or
                 * inaccessible (HostMountInfo) cannot put a VM on it. */
                xmlNodePtr mi = soap_child(m, "mountInfo");
                char *k = soap_child_text(m, "key");
                if (k && soap_child_bool(mi, "mounted", true) &&
                    soap_child_bool(mi, "accessible", true))
                    strv_push(&f->hosts, k);
                free(k);
            }
    } else if (strcmp(type, "HostSystem") == 0) {
        xmlNodePtr hw = vs_prop(oc, "summary.hardware"), qs = vs_prop(oc, "summary.quickStats");
        char *m = vs_prop_text(oc, "runtime.inMaintenanceMode");

        f->datastores = morefs(vs_prop(oc, "datastore"));
        f->memory_bytes = child_ll(hw, "memorySize");
        f->cores = (int)child_ll(hw, "numCpuCores");
        f->cpu_mhz = child_ll(hw, "cpuMhz") * f->cores;
        f->memory_used_bytes = child_ll(qs, "overallMemoryUsage") * 1024 * 1024;
        f->cpu_used_mhz = child_ll(qs, "overallCpuUsage");
        f->maintenance = m && strcmp(m, "true") == 0;
        free(m);
    } else { /* ClusterComputeResource, ComputeResource */
        xmlNodePtr sum = vs_prop(oc, "summary");

        f->datastores = morefs(vs_prop(oc, "datastore"));
        f->hosts_of = morefs(vs_prop(oc, "host"));
        f->memory_bytes = child_ll(sum, "effectiveMemory") * 1024 * 1024;
        if (f->memory_bytes == 0)
            f->memory_bytes = child_ll(sum, "totalMemory");
        f->cpu_mhz = child_ll(sum, "effectiveCpu");
        if (f->cpu_mhz == 0)
            f->cpu_mhz = child_ll(sum, "totalCpu");
        f->cores = (int)child_ll(sum, "numCpuCores");
    }
    return DR_E_OK;
}

enum dr_err
vs_facts_get(struct vs_session *s, struct vs_facts *q, struct dr_error *e)
{
    static const struct {
        const char *type;
        const char *const *paths;
    } kinds[] = {
        {"VirtualMachine", vm_paths},
        {"Datastore", ds_paths},
        {"ClusterComputeResource", compute_paths},
        {"ComputeResource", compute_paths},
        {"HostSystem", host_paths},
    };
    struct soap_req req;
    xmlNodePtr spec;
    enum dr_err err;

    if (q->n == 0)
        return DR_E_OK;
    soap_req_init(&req, "RetrievePropertiesEx");
    soap_add_moref(req.method, "_this", "PropertyCollector", s->property_collector);
    spec = soap_add_text(req.method, "specSet", NULL);
    for (size_t k = 0; k < DR_ARRAY_LEN(kinds); k++) {
        xmlNodePtr p = soap_add_text(spec, "propSet", NULL);

        soap_add_text(p, "type", kinds[k].type);
        soap_add_bool(p, "all", false);
        for (const char *const *path = kinds[k].paths; *path; path++)
            soap_add_text(p, "pathSet", *path);
    }
    for (size_t i = 0; i < q->n; i++) {
        xmlNodePtr os = soap_add_text(spec, "objectSet", NULL);

        soap_add_moref(os, "obj", q->v[i].type, q->v[i].id);
        soap_add_bool(os, "skip", false);
    }
    err = vs_retrieve_spec(s, &req, on_fact, q, e);
    soap_req_done(&req);
    return err;
}

struct vs_fact *
vs_facts_add(struct vs_facts *q, const char *type, const char *id)
{
    for (size_t i = 0; i < q->n; i++)
        if (str_eq(q->v[i].id, id))
            return &q->v[i];
    q->v = xrealloc(q->v, (q->n + 1) * sizeof *q->v);
    memset(&q->v[q->n], 0, sizeof q->v[q->n]);
    q->v[q->n].type = xstrdup(type);
    q->v[q->n].id = xstrdup(id);
    return &q->v[q->n++];
}

struct vs_fact *
vs_facts_find(const struct vs_facts *q, const char *id)
{
    for (size_t i = 0; id && i < q->n; i++)
        if (str_eq(q->v[i].id, id))
            return &q->v[i];
    return NULL;
}

void
vs_facts_done(struct vs_facts *q)
{
    for (size_t i = 0; i < q->n; i++) {
        struct vs_fact *f = &q->v[i];

        free(f->type);
        free(f->id);
        free(f->name);
        free(f->power_state);
        free(f->tools_status);
        free(f->tools_version);
        free(f->guest_id);
        free(f->guest_name);
        free(f->owner);
        free(f->enable_uuid);
        free(f->url);
        strv_free(&f->hosts);
        strv_free(&f->hosts_of);
        strv_free(&f->datastores);
        free(f->granted);
    }
    free(q->v);
    memset(q, 0, sizeof *q);
}

enum dr_err
vs_privileges_get(struct vs_session *s, struct vs_facts *q, const char *const *privs,
                  size_t n_privs, struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    enum dr_err err;

    if (q->n == 0 || n_privs == 0)
        return DR_E_OK;
    if (s->authorization_manager == NULL || s->session_key == NULL)
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: no authorization manager"), s->name);
    soap_req_init(&req, "HasPrivilegeOnEntities");
    soap_add_moref(req.method, "_this", "AuthorizationManager", s->authorization_manager);
    for (size_t i = 0; i < q->n; i++)
        soap_add_moref(req.method, "entity", q->v[i].type, q->v[i].id);
    soap_add_text(req.method, "sessionId", s->session_key);
    for (size_t j = 0; j < n_privs; j++)
        soap_add_text(req.method, "privId", privs[j]);
    err = vs_call(s, &req, &resp, e);
    soap_req_done(&req);
    if (err != DR_E_OK)
        return err;
    for (size_t i = 0; i < q->n; i++) {
        free(q->v[i].granted);
        q->v[i].granted = NULL;
    }
    soap_each(rv, resp.result, "returnval")
    {
        char *id = soap_child_text(rv, "entity");
        struct vs_fact *f = vs_facts_find(q, id);

        free(id);
        if (f == NULL)
            continue;
        f->granted = xcalloc(n_privs, sizeof *f->granted);
        soap_each(pa, rv, "privAvailability")
        {
            char *pid = soap_child_text(pa, "privId");
            bool yes = soap_child_bool(pa, "isGranted", false);

            for (size_t j = 0; pid && j < n_privs; j++)
                if (strcmp(pid, privs[j]) == 0)
                    f->granted[j] = yes ? VS_PRIV_GRANTED : VS_PRIV_MISSING;
            free(pid);
        }
    }
    soap_resp_done(&resp);
    return DR_E_OK;
}
