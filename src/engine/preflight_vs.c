/* Preflight's checks on the real backend (issue 11), after the gate's
 * placement and label checks (gate_vs.c) resolved every template of one
 * vCenter: the facts of every object involved come in ONE property-collector
 * pass (vs_facts_get) and the privileges in one HasPrivilegeOnEntities, then
 * each check below reads them. Nothing here changes vCenter. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/guestos.h"
#include "core/i18n.h"
#include "core/util.h"
#include "engine/cloud.h"
#include "engine/preflight_vs.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
/* A linked clone's delta disk, estimated per VM (it grows with what the
 * guest writes; vSphere cannot say in advance). */
#define LINKED_DELTA_BYTES (1024LL * 1024 * 1024)

static double
gib(long long b)
{
    return (double)b / GIB;
}

/* The guest OS ids (config.guestId) that are not Linux, by prefix
 * (vSphere API, VirtualMachineGuestOsIdentifier). */
static bool
guest_not_linux(const char *id)
{
    static const char *const not_linux[] = {"win", "darwin", "freebsd", "solaris", "netware",
                                            "os2", "dos", "sco", "openServer", "unixWare",
                                            "eComStation", "vmkernel", NULL};
    for (const char *const *p = not_linux; id && *p; p++)
        if (strncmp(id, *p, strlen(*p)) == 0)
            return true;
    return false;
}

static void
check_template(const struct pf_item *it, const struct vs_fact *src, const struct eng_check_opts *o,
               struct eng_problems *out)
{
    const struct dr_template *t = it->tmpl;
    const char *path = it->pl->source_path;

    if (src == NULL || !src->found)
        return;
    if (!src->is_template && !str_eq(src->power_state, "poweredOff"))
        eng_finding_add(out, t, DR_TF_CLONE_FROM, NULL, DR_SEV_ERROR, "template", path,
                        _("power it off or mark it as a template"),
                        _("the clone source is a VM that is %s, not a template or a "
                          "powered-off VM"),
                        src->power_state ? src->power_state : "?");
    if (str_eq(src->tools_status, "toolsNotInstalled") ||
        (src->tools_version && strcmp(src->tools_version, "0") == 0 &&
         !str_eq(src->tools_status, "toolsOk") && !str_eq(src->tools_status, "toolsNotRunning") &&
         !str_eq(src->tools_status, "toolsOld")))
        eng_finding_add(out, t, DR_TF_CLONE_FROM, NULL, DR_SEV_ERROR, "template", path,
                        _("install open-vm-tools in the source and make it a template again"),
                        _("VMware Tools is not installed in the clone source: the guest could "
                          "not read its cloud-init data (guestinfo) nor report its IP"));
    if (strv_len(t->networks) == 0 && src->nics == 0)
        eng_finding_add(out, t, DR_TF_NETWORKS, NULL, DR_SEV_ERROR, "template", path,
                        _("name the node network in networks"),
                        _("the clone source has no NIC and networks is empty: the nodes would "
                          "have no network"));
    if (guest_not_linux(src->guest_id))
        eng_finding_add(out, t, DR_TF_CLONE_FROM, NULL, DR_SEV_ERROR, "template", path,
                        _("clone from a Linux template"),
                        _("the clone source's guest OS is %s (%s), not Linux: cloud-init and "
                          "the bootstrap recipes need Linux"),
                        src->guest_name ? src->guest_name : "?",
                        src->guest_id ? src->guest_id : "?");
    else if (str_empty(src->guest_id) || strncmp(src->guest_id, "other", 5) == 0)
        eng_finding_add(out, t, DR_TF_CLONE_FROM, NULL, DR_SEV_WARNING, "template", path,
                        _("set the VM's guest OS to its Linux distribution"),
                        _("the clone source's guest OS is %s: not known to be Linux"),
                        str_empty(src->guest_id) ? _("not set") : src->guest_id);
    if (!str_empty(t->os)) {
        /* os names what the clone source runs: vCenter's guest OS for it
         * must agree (a wrong clone_from, or a wrong os, either way the
         * nodes would not be what the template says). Unset or "other":
         * vCenter cannot confirm it, a warning. */
        enum dr_os_match m = guestos_match(t->os, src->guest_id);
        char *want = guestos_suggest(src->guest_id);
        char *fix = want ? xasprintf(_("set os to \"%s\" if that is what it runs, or clone_from "
                                       "a %s source"),
                                     want, t->os)
                         : NULL;

        if (m == DR_OS_MISMATCH)
            eng_finding_add(out, t, DR_TF_OS, NULL, DR_SEV_ERROR, "template", path, fix,
                            _("os is \"%s\", but vCenter reports the clone source's guest OS "
                              "as %s (%s)"),
                            t->os, src->guest_name ? src->guest_name : "?",
                            src->guest_id ? src->guest_id : "?");
        else if (m == DR_OS_UNKNOWN)
            eng_finding_add(out, t, DR_TF_OS, NULL, DR_SEV_WARNING, "template", path,
                            _("set the source VM's guest OS in vCenter to its distribution"),
                            _("os \"%s\" cannot be confirmed: vCenter reports the clone "
                              "source's guest OS as %s"),
                            t->os, str_empty(src->guest_id) ? _("not set") : src->guest_id);
        free(fix);
        free(want);
    }
    if (t->disk_gib > 0 && src->disk_bytes > (long long)t->disk_gib * 1024 * 1024 * 1024)
        eng_finding_add(out, t, DR_TF_DISK_GIB, NULL, DR_SEV_ERROR, "template", path,
                        _("set disk_gib to at least the source's size, or 0 to keep it"),
                        _("disk_gib %d is smaller than the clone source's disks (%.1f GiB): "
                          "vSphere cannot shrink a disk"),
                        t->disk_gib, gib(src->disk_bytes));
    /* vSphere's CSI driver (persistent volumes on vSphere datastores)
     * needs the disks' UUIDs: disk.EnableUUID = TRUE (VMware, "vSphere CSI
     * driver prerequisites"). A cluster with cloud_provider "vsphere" runs
     * it: the spec check (eng_check_cloud) already errs when extra_config
     * lacks it, whatever the source has, so nothing more here (one fault,
     * one finding). A cluster without does not: nothing to say. A template
     * tested alone (the editor's test) may serve either: a note. */
    if (!eng_clone_enable_uuid(t, src->enable_uuid) && o && o->template_test)
        eng_finding_add(out, t, DR_TF_EXTRA_CONFIG, NULL, DR_SEV_NOTE, "template", path,
                        _("add { key = \"disk.EnableUUID\"; value = \"TRUE\"; } to "
                          "extra_config if the cluster will use the vSphere CSI driver"),
                        _("disk.EnableUUID is not TRUE in the clone source or extra_config: "
                          "the vSphere CSI driver cannot attach volumes"));
    {
        char *fix = xasprintf(_("check the data side with `drover cloud-init %s --hostname "
                                "NAME`"),
                              t->name ? t->name : "TEMPLATE");
        eng_finding_add(out, t, DR_TF_CLONE_FROM, NULL, DR_SEV_NOTE, "template", path, fix,
                        _("only a boot can confirm that cloud-init in the clone source reads "
                          "guestinfo (its VMware datasource) and runs the user-data"));
        free(fix);
    }
}

/* The bytes one new VM takes on its datastore: its disks (a full clone
 * copies the source's, grown to disk_gib; a linked clone's delta disk is
 * estimated) and its swap file (as large as its memory). */
static long long
vm_bytes(const struct dr_template *t, const struct vs_fact *src, long long *disk, long long *swap)
{
    long long grown = (long long)t->disk_gib * 1024 * 1024 * 1024;
    long long mem = t->memory_mib > 0 ? t->memory_mib : (src ? src->memory_mib : 0);

    if (t->clone_mode == DR_CLONE_LINKED)
        *disk = LINKED_DELTA_BYTES + (src && grown > src->disk_bytes ? grown - src->disk_bytes : 0);
    else
        *disk = src && src->disk_bytes > grown ? src->disk_bytes : grown;
    *swap = mem * 1024 * 1024;
    return *disk + *swap;
}

static void
check_capacity(struct pf_item *items, size_t n, const struct vs_facts *f,
               const struct eng_check_opts *o, struct eng_problems *out)
{
    /* Datastores: every template's new VMs on it, summed. */
    for (size_t i = 0; i < n; i++) {
        const struct vs_fact *ds = items[i].pl ? vs_facts_find(f, items[i].pl->datastore) : NULL;
        long long need = 0, disks = 0, swaps = 0, want;
        int vms = 0;
        bool first = true;

        if (ds == NULL || !ds->found)
            continue;
        for (size_t k = 0; k < n; k++) {
            long long d, sw;

            if (!items[k].pl || !str_eq(items[k].pl->datastore, ds->id))
                continue;
            if (k < i) {
                first = false;
                break;
            }
            need += (long long)items[k].new_vms *
                    vm_bytes(items[k].tmpl, vs_facts_find(f, items[k].pl->source), &d, &sw);
            disks += (long long)items[k].new_vms * d;
            swaps += (long long)items[k].new_vms * sw;
            vms += items[k].new_vms;
        }
        if (!first)
            continue;
        if (!ds->accessible) {
            eng_finding_add(out, items[i].tmpl, DR_TF_DATASTORE, NULL, DR_SEV_ERROR, "capacity",
                            items[i].pl->datastore_path,
                            _("bring the datastore back, or choose another"),
                            _("the datastore is not accessible"));
            continue;
        }
        if (vms == 0)
            continue;
        want = need + need * o->margin_pct / 100;
        if (want > ds->free_space)
            eng_finding_add(out, items[i].tmpl, DR_TF_DATASTORE, NULL, DR_SEV_ERROR, "capacity",
                            items[i].pl->datastore_path,
                            _("free space on it, choose another datastore, or lower "
                              "preflight_margin_pct"),
                            _("%d new VM(s) need %.1f GiB (disks %.1f GiB + swap %.1f GiB, "
                              "+%d%% margin: %.1f GiB) but the datastore has %.1f GiB free of "
                              "%.1f GiB"),
                            vms, gib(need), gib(disks), gib(swaps), o->margin_pct, gib(want),
                            gib(ds->free_space), gib(ds->capacity));
    }
    /* Datastore clusters: the new VMs of every template on the pod against
     * the free space of its usable members, summed (each clone goes on
     * one member; placement left out the members no target host mounts,
     * and refused a pod with none). */
    for (size_t i = 0; i < n; i++) {
        const struct vs_placement *pl = items[i].pl;
        long long need = 0, want, have = 0, cap = 0;
        int vms = 0;
        bool first = true;

        if (pl == NULL || pl->pod == NULL || pl->n_members == 0)
            continue;
        for (size_t k = 0; k < n && first; k++) {
            long long d, sw;

            if (!items[k].pl || !str_eq(items[k].pl->pod, pl->pod))
                continue;
            if (k < i)
                first = false;
            need += (long long)items[k].new_vms *
                    vm_bytes(items[k].tmpl, vs_facts_find(f, items[k].pl->source), &d, &sw);
            vms += items[k].new_vms;
        }
        if (!first || vms == 0)
            continue;
        for (size_t m = 0; m < pl->n_members; m++) {
            have += pl->members[m].free_space;
            cap += pl->members[m].capacity;
        }
        want = need + need * o->margin_pct / 100;
        if (want > have)
            eng_finding_add(out, items[i].tmpl, DR_TF_DATASTORE, NULL, DR_SEV_ERROR, "capacity",
                            pl->pod_path,
                            _("free space on its datastores, add one to the datastore cluster, "
                              "or lower preflight_margin_pct"),
                            _("%d new VM(s) need %.1f GiB (+%d%% margin: %.1f GiB) but the "
                              "datastore cluster's %zu usable datastore(s) have %.1f GiB free "
                              "of %.1f GiB"),
                            vms, gib(need), o->margin_pct, gib(want), pl->n_members, gib(have),
                            gib(cap));
    }
    /* Compute: memory and CPUs the new VMs ask for (vSphere overcommits:
     * a warning). */
    for (size_t i = 0; i < n; i++) {
        const char *cid = items[i].pl ? (items[i].pl->host ? items[i].pl->host
                                                           : items[i].pl->compute) : NULL;
        const struct vs_fact *c = vs_facts_find(f, cid);
        long long mem = 0, have_mem;
        int cpus = 0, vms = 0;
        bool first = true;

        if (c == NULL || !c->found)
            continue;
        for (size_t k = 0; k < n && first; k++) {
            const char *kid = items[k].pl ? (items[k].pl->host ? items[k].pl->host
                                                               : items[k].pl->compute) : NULL;
            const struct vs_fact *src = items[k].pl ? vs_facts_find(f, items[k].pl->source) : NULL;
            long long m = items[k].tmpl->memory_mib > 0 ? items[k].tmpl->memory_mib
                                                        : (src ? src->memory_mib : 0);
            int cp = items[k].tmpl->cpus > 0 ? items[k].tmpl->cpus : (src ? src->cpus : 0);

            if (!str_eq(kid, cid))
                continue;
            if (k < i)
                first = false;
            mem += (long long)items[k].new_vms * m * 1024 * 1024;
            cpus += items[k].new_vms * cp;
            vms += items[k].new_vms;
        }
        if (!first || vms == 0)
            continue;
        have_mem = c->memory_bytes - c->memory_used_bytes;
        if (mem > have_mem)
            eng_finding_add(out, items[i].tmpl, items[i].pl->host ? DR_TF_HOST : DR_TF_CLUSTER,
                            NULL, DR_SEV_WARNING, "capacity",
                            items[i].pl->host ? items[i].pl->host_path : items[i].pl->compute_path,
                            _("add hosts or memory, or lower memory_mib or the pools' quantities"),
                            _("%d new VM(s) ask for %.1f GiB of memory; it has %.1f GiB%s "
                              "(vSphere overcommits, so they may still start, slowly)"),
                            vms, gib(mem), gib(have_mem),
                            c->memory_used_bytes ? _(" unused") : "");
        if (c->cores > 0 && cpus > c->cores)
            eng_finding_add(out, items[i].tmpl, items[i].pl->host ? DR_TF_HOST : DR_TF_CLUSTER,
                            NULL, DR_SEV_WARNING, "capacity",
                            items[i].pl->host ? items[i].pl->host_path : items[i].pl->compute_path,
                            _("add hosts, or lower cpus or the pools' quantities"),
                            _("%d new VM(s) ask for %d vCPUs; it has %d physical cores "
                              "(%.1f GHz)"),
                            vms, cpus, c->cores, (double)c->cpu_mhz / 1000.0);
        if (c->maintenance)
            eng_finding_add(out, items[i].tmpl, DR_TF_HOST, NULL, DR_SEV_ERROR, "placement",
                            items[i].pl->host_path, _("take the host out of maintenance mode, "
                                                      "or choose another"),
                            _("the host is in maintenance mode: no VM can power on there"));
    }
}

static void
check_reach(const struct pf_item *it, const struct vs_facts *f, struct eng_problems *out)
{
    const struct vs_placement *p = it->pl;
    const struct vs_fact *where = vs_facts_find(f, p->host ? p->host : p->compute);

    if (p->datastore == NULL || where == NULL || !where->found || where->datastores == NULL)
        return;
    for (char **d = where->datastores; *d; d++)
        if (str_eq(*d, p->datastore))
            return;
    eng_finding_add(out, it->tmpl, DR_TF_DATASTORE, NULL, DR_SEV_ERROR, "placement",
                    p->datastore_path,
                    p->host ? _("mount the datastore on that host, or choose one it mounts")
                            : _("mount the datastore on the cluster's hosts, or choose one "
                                "they mount"),
                    _("the datastore is not reachable from %s"),
                    p->host ? p->host_path : p->compute_path);
}

/* Is owner this installation's marker for node name of the cluster? */
static bool
owned(const char *owner, const struct eng_check_opts *o, const char *name)
{
    char *tail;
    bool yes;

    if (owner == NULL)
        return false;
    if (o->install_id) {
        char *want = xasprintf("%s/%s/%s", o->install_id, o->cluster, name);
        yes = strcmp(owner, want) == 0;
        free(want);
        return yes;
    }
    tail = xasprintf("/%s/%s", o->cluster, name);
    yes = strlen(owner) >= strlen(tail) && strcmp(owner + strlen(owner) - strlen(tail), tail) == 0;
    free(tail);
    return yes;
}

static void
check_names(const struct pf_item *it, const struct vs_facts *f, const struct eng_check_opts *o,
            struct eng_problems *out)
{
    const struct vs_placement *p = it->pl;

    for (char **nm = it->new_names; nm && *nm; nm++) {
        for (size_t k = 0; p->folder_vm_names && p->folder_vm_names[k]; k++) {
            const struct vs_fact *vm;
            char *path;

            if (!vs_name_equal(p->folder_vm_names[k], *nm))
                continue;
            vm = vs_facts_find(f, p->folder_vm_ids[k]);
            if (vm && owned(vm->owner, o, *nm))
                continue;
            path = xasprintf("%s/%s", p->folder_path ? p->folder_path : "", p->folder_vm_names[k]);
            eng_finding_add(out, NULL, DR_TF__COUNT, "pools", DR_SEV_ERROR, "names", path,
                            _("rename or remove that VM, or change the pool's hostname_prefix"),
                            vm && vm->owner ? _("a VM named %s already exists in the folder "
                                                "(owned by %s, not this cluster)")
                                            : _("a VM named %s already exists in the folder "
                                                "(not drover's)"),
                            *nm, vm && vm->owner ? vm->owner : "");
            out->v[out->n - 1].file = xstrdup0(o->cluster_file);
            free(path);
        }
    }
}

static bool
priv_applies(const struct dr_privilege *pr, const struct dr_template *t, const struct vs_fact *src)
{
    if (str_eq(pr->id, "VirtualMachine.Provisioning.DeployTemplate"))
        return src && src->is_template;
    if (str_eq(pr->id, "VirtualMachine.Provisioning.Clone"))
        return src && !src->is_template;
    if (str_eq(pr->id, "InventoryService.Tagging.AttachTag"))
        return strv_len(t->tags) > 0;
    if (str_eq(pr->id, "Global.SetCustomField"))
        return t->n_custom_attributes > 0;
    return true;
}

static void
check_privileges(struct vs_session *vs, const struct dr_vcenter *vc, struct pf_item *items,
                 size_t n, const struct vs_facts *f, struct eng_problems *out)
{
    size_t np;
    const struct dr_privilege *pr = engine_privileges(&np);
    const char **ids = xcalloc(np, sizeof *ids);
    struct vs_facts q = { 0 };
    struct dr_error e = { 0 };

    for (size_t j = 0; j < np; j++)
        ids[j] = pr[j].id;
    for (size_t i = 0; i < n; i++) {
        const struct vs_placement *p = items[i].pl;

        if (p == NULL)
            continue;
        if (p->source)
            vs_facts_add(&q, "VirtualMachine", p->source);
        if (p->folder)
            vs_facts_add(&q, "Folder", p->folder);
        if (p->pool)
            vs_facts_add(&q, "ResourcePool", p->pool);
        if (p->datastore)
            vs_facts_add(&q, "Datastore", p->datastore);
        if (p->pod)
            vs_facts_add(&q, "StoragePod", p->pod);
        for (size_t k = 0; k < p->n_nics; k++)
            vs_facts_add(&q, p->nics[k].type, p->nics[k].network);
    }
    if (vs_privileges_get(vs, &q, ids, np, &e) != DR_E_OK) {
        eng_finding_add(out, NULL, DR_TF__COUNT, NULL, DR_SEV_WARNING, "privileges", NULL,
                        _("check the privileges drover(1) lists by hand"),
                        _("vCenter %s: could not ask for the user's privileges: %s"),
                        vc->name ? vc->name : "?", dr_error_text(&e));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct vs_placement *p = items[i].pl;
        const struct vs_fact *src = p ? vs_facts_find(f, p->source) : NULL;

        if (p == NULL)
            continue;
        for (size_t j = 0; j < np; j++) {
            const char *id = NULL, *path = NULL;
            enum dr_tfield field = DR_TF__COUNT;
            size_t n_obj = 1;

            if (!priv_applies(&pr[j], items[i].tmpl, src))
                continue;
            if (pr[j].on == DR_PRIV_NETWORK)
                n_obj = p->n_nics;
            for (size_t k = 0; k < n_obj; k++) {
                const struct vs_fact *x;
                char sub[32];

                switch (pr[j].on) {
                case DR_PRIV_SOURCE:
                    id = p->source, path = p->source_path, field = DR_TF_CLONE_FROM;
                    break;
                case DR_PRIV_FOLDER:
                    id = p->folder, path = p->folder_path, field = DR_TF_FOLDER;
                    break;
                case DR_PRIV_POOL:
                    id = p->pool, path = p->pool_path, field = DR_TF_RESOURCE_POOL;
                    break;
                case DR_PRIV_DATASTORE:
                    /* A datastore cluster: the pod (a role there propagates to
                     * its members). */
                    id = p->datastore ? p->datastore : p->pod;
                    path = p->datastore ? p->datastore_path : p->pod_path;
                    field = DR_TF_DATASTORE;
                    break;
                case DR_PRIV_NETWORK:
                    id = p->nics[k].network, field = DR_TF_NETWORKS;
                    path = p->network_paths ? p->network_paths[k] : NULL;
                    break;
                }
                x = vs_facts_find(&q, id);
                if (x == NULL || x->granted == NULL || x->granted[j] != VS_PRIV_MISSING)
                    continue;
                snprintf(sub, sizeof sub, "networks[%zu]", k);
                {
                    char *fix = xasprintf(_("grant %s to %s on it (a role with it, on this "
                                            "object or a parent, propagated)"),
                                          pr[j].id, vc->user ? vc->user : "the user");
                    eng_finding_add(out, items[i].tmpl, field,
                                    pr[j].on == DR_PRIV_NETWORK ? sub : NULL, DR_SEV_ERROR,
                                    "privileges", path, fix,
                                    _("%s lacks the privilege %s here (needed to %s)"),
                                    vc->user ? vc->user : "?", pr[j].id, _(pr[j].why));
                    free(fix);
                }
            }
        }
    }
out:
    vs_facts_done(&q);
    free(ids);
}

enum dr_err
vsb_preflight(struct vs_session *vs, const struct dr_vcenter *vc, struct pf_item *items, size_t n,
              const struct eng_check_opts *o, struct eng_problems *out, struct dr_error *e)
{
    struct vs_facts f = { 0 };
    enum dr_err rc;

    for (size_t i = 0; i < n; i++) {
        const struct vs_placement *p = items[i].pl;

        if (p == NULL)
            continue;
        if (p->source)
            vs_facts_add(&f, "VirtualMachine", p->source);
        if (p->datastore)
            vs_facts_add(&f, "Datastore", p->datastore);
        if (p->compute)
            vs_facts_add(&f, p->compute_type, p->compute);
        if (p->host)
            vs_facts_add(&f, "HostSystem", p->host);
        /* VMs in the folder that a new node's name would collide with. */
        for (char **nm = items[i].new_names; nm && *nm; nm++)
            for (size_t k = 0; p->folder_vm_names && p->folder_vm_names[k]; k++)
                if (vs_name_equal(p->folder_vm_names[k], *nm))
                    vs_facts_add(&f, "VirtualMachine", p->folder_vm_ids[k]);
    }
    rc = vs_facts_get(vs, &f, e);
    if (rc != DR_E_OK) {
        vs_facts_done(&f);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i].pl == NULL)
            continue;
        check_template(&items[i], vs_facts_find(&f, items[i].pl->source), o, out);
        check_reach(&items[i], &f, out);
        check_names(&items[i], &f, o, out);
    }
    check_capacity(items, n, &f, o, out);
    check_privileges(vs, vc, items, n, &f, out);
    vs_facts_done(&f);
    return DR_E_OK;
}
