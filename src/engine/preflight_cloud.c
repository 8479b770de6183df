/* Preflight for cloud_provider = "vsphere" (issue 14): does the account the
 * CPI and CSI driver log in with (vsphere.vcenter) have their privileges?
 * It is asked as that user: a session of its own, then one
 * HasPrivilegeOnEntities on the objects the nodes will use.
 *
 * The privileges are VMware's for the vSphere Container Storage Plug-in
 * ("vSphere Roles and Privileges": CNS-DATASTORE, CNS-VM,
 * CNS-SEARCH-AND-SPBM, Read-only); the CPI needs Read-only (kubernetes
 * cloud-provider-vsphere, "vSphere permissions"). drover(1) lists this
 * table (test_docs compares). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/backend_vs.h"
#include "engine/cloud.h"
#include "engine/engine.h"

enum cloud_on { ON_ROOT, ON_DATACENTER, ON_DATASTORE, ON_FOLDER };

static const struct {
    const char *id;
    enum cloud_on on;
    const char *why;
} privs[] = {
    {"System.Read", ON_DATACENTER, N_("read the inventory: the CPI finds the nodes' VMs")},
    {"Cns.Searchable", ON_ROOT, N_("search Cloud Native Storage volumes (CSI)")},
    {"StorageProfile.View", ON_ROOT, N_("read storage policies (CSI)")},
    {"Datastore.FileManagement", ON_DATASTORE, N_("create and delete volumes on it (CSI)")},
    {"VirtualMachine.Config.AddExistingDisk", ON_FOLDER,
     N_("attach volumes to the nodes' VMs (CSI; the role propagated to the VMs)")},
    {"VirtualMachine.Config.AddRemoveDevice", ON_FOLDER,
     N_("add and remove the volumes' disks on the nodes' VMs (CSI; propagated)")},
};

static const char *const on_keys[] = {[ON_ROOT] = "vcenter",
                                      [ON_DATACENTER] = "datacenter",
                                      [ON_DATASTORE] = "datastore",
                                      [ON_FOLDER] = "folder"};

bool
engine_cloud_privilege(size_t i, const char **id, const char **on, const char **why)
{
    if (i >= DR_ARRAY_LEN(privs))
        return false;
    *id = privs[i].id;
    *on = on_keys[privs[i].on];
    *why = privs[i].why;
    return true;
}

/* A privilege finding, on the cluster file's vsphere.vcenter. */
static struct dr_finding *
finding(struct eng_problems *out, const struct eng_check_opts *o, enum dr_severity sev,
        const char *object, const char *fix, const char *msg)
{
    struct dr_finding *f = eng_finding_add(out, NULL, DR_TF__COUNT, "vsphere.vcenter", sev,
                                           "privileges", object, fix, "%s", msg);

    f->file = xstrdup0(o->cluster_file);
    f->line = o->cloud_line;
    return f;
}

/* A finding on the StorageClass's datastore_url: where the CSI driver puts
 * volumes, a placement (no privilege is missing). */
static void
url_finding(struct eng_problems *out, const struct eng_check_opts *o, enum dr_severity sev,
            const char *fix, const char *msg)
{
    struct dr_finding *f = eng_finding_add(out, NULL, DR_TF__COUNT,
                                           "vsphere.storage_class.datastore_url", sev, "placement",
                                           NULL, fix, "%s", msg);

    f->file = xstrdup0(o->cluster_file);
    f->line = o->cloud_sc_url_line;
}

/* "ds:///vmfs/volumes/x/" and "ds:///vmfs/volumes/x" are the same URL. */
static bool
same_url(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);

    while (na > 0 && a[na - 1] == '/')
        na--;
    while (nb > 0 && b[nb - 1] == '/')
        nb--;
    return na == nb && strncmp(a, b, na) == 0;
}

/* The StorageClass's datastore_url must be a datastore the nodes' hosts
 * reach (the CSI driver provisions there; a wrong URL fails only when a
 * volume is asked for). The finding names the datastores they do reach. */
static void
check_sc_url(struct vs_session *vs, const struct vs_placement *pl, const bool *placed, size_t n,
             const struct eng_check_opts *o, struct eng_problems *out)
{
    struct vs_facts cq = {0}, dq = {0};
    struct dr_error e = {0};
    char *seen = xstrdup("");
    bool found = false;
    enum dr_err rc;

    for (size_t i = 0; i < n; i++)
        if (placed[i] && pl[i].compute)
            vs_facts_add(&cq, pl[i].compute_type, pl[i].compute);
    rc = vs_facts_get(vs, &cq, &e);
    for (size_t i = 0; rc == DR_E_OK && i < cq.n; i++)
        for (char **d = cq.v[i].datastores; d && *d; d++)
            vs_facts_add(&dq, "Datastore", *d);
    if (rc == DR_E_OK)
        rc = vs_facts_get(vs, &dq, &e);
    if (rc != DR_E_OK) {
        char *msg = xasprintf(_("could not read the datastores' URLs: %s"), dr_error_text(&e));
        url_finding(out, o, DR_SEV_WARNING, NULL, msg);
        free(msg);
        goto out;
    }
    for (size_t i = 0; i < dq.n && !found; i++) {
        char *t;

        if (dq.v[i].url == NULL)
            continue;
        found = same_url(dq.v[i].url, o->cloud_sc_url);
        t = xasprintf("%s%s%s (%s)", seen, *seen ? ", " : "", dq.v[i].name ? dq.v[i].name : "?",
                      dq.v[i].url);
        free(seen);
        seen = t;
    }
    if (!found) {
        char *msg =
            xasprintf(_("no datastore the nodes' hosts reach has the URL %s"), o->cloud_sc_url);
        char *fix = xasprintf(_("use one of: %s"), *seen ? seen : _("(none found)"));
        url_finding(out, o, DR_SEV_ERROR, fix, msg);
        free(msg);
        free(fix);
    }
out:
    free(seen);
    vs_facts_done(&cq);
    vs_facts_done(&dq);
}

enum dr_err
vsb_preflight_cloud(void *tctx, struct eng_step *s, const struct vs_placement *pl,
                    const bool *placed, size_t n, const struct eng_check_opts *o,
                    struct eng_problems *out)
{
    const struct dr_vcenter *vc = o->cloud_vcenter;
    const char *ids[DR_ARRAY_LEN(privs)];
    const char *user = vc->user ? vc->user : "?";
    struct vs_facts q = {0};
    struct vs_session *vs;
    struct dr_error e = {0};
    const char *root;

    if (vsb_session(tctx, vc, s, &vs, &e) != DR_E_OK) {
        char *msg = xasprintf(_("the CPI/CSI's account %s (vCenter entry %s) cannot log in: %s"),
                              user, vc->name, dr_error_text(&e));
        finding(out, o, DR_SEV_ERROR, NULL,
                _("correct the entry's user and password in vcenters.cfg"), msg);
        free(msg);
        return DR_E_OK;
    }
    if (!str_empty(o->cloud_sc_url))
        check_sc_url(vs, pl, placed, n, o, out);
    root = vs_session_root_folder(vs);
    if (root)
        vs_facts_add(&q, "Folder", root);
    for (size_t i = 0; i < n; i++) {
        if (!placed[i])
            continue;
        if (pl[i].datacenter)
            vs_facts_add(&q, "Datacenter", pl[i].datacenter);
        if (pl[i].datastore)
            vs_facts_add(&q, "Datastore", pl[i].datastore);
        if (pl[i].folder)
            vs_facts_add(&q, "Folder", pl[i].folder);
    }
    for (size_t j = 0; j < DR_ARRAY_LEN(privs); j++)
        ids[j] = privs[j].id;
    if (vs_privileges_get(vs, &q, ids, DR_ARRAY_LEN(privs), &e) != DR_E_OK) {
        char *msg = xasprintf(_("could not ask for %s's privileges: %s"), user, dr_error_text(&e));
        finding(out, o, DR_SEV_WARNING, NULL,
                _("check the CPI/CSI privileges drover(1) lists by hand"), msg);
        free(msg);
        vs_facts_done(&q);
        return DR_E_OK;
    }
    for (size_t j = 0; j < DR_ARRAY_LEN(privs); j++) {
        for (size_t i = 0; i < n + 1; i++) {
            const char *id = NULL, *path = NULL;
            const struct vs_fact *x;
            char *msg, *fix;

            if (i == n) { /* the root, once */
                if (privs[j].on != ON_ROOT)
                    break;
                id = root, path = "/";
            } else if (privs[j].on == ON_ROOT || !placed[i]) {
                continue;
            } else if (privs[j].on == ON_DATACENTER) {
                id = pl[i].datacenter;
            } else if (privs[j].on == ON_DATASTORE) {
                id = pl[i].datastore, path = pl[i].datastore_path;
            } else {
                id = pl[i].folder, path = pl[i].folder_path;
            }
            /* The same object through two templates: said once. */
            for (size_t k = 0; i < n && k < i && id; k++)
                if (placed[k] && ((privs[j].on == ON_DATACENTER && str_eq(pl[k].datacenter, id)) ||
                                  (privs[j].on == ON_DATASTORE && str_eq(pl[k].datastore, id)) ||
                                  (privs[j].on == ON_FOLDER && str_eq(pl[k].folder, id))))
                    id = NULL;
            x = id ? vs_facts_find(&q, id) : NULL;
            if (x == NULL || x->granted == NULL || x->granted[j] != VS_PRIV_MISSING)
                continue;
            msg = xasprintf(_("the CPI/CSI's account %s lacks the privilege %s on the %s (needed "
                              "to %s)"),
                            user, privs[j].id, on_keys[privs[j].on], _(privs[j].why));
            fix = xasprintf(_("grant %s a role with %s on it (see drover(1), CLOUD PROVIDER)"),
                            user, privs[j].id);
            finding(out, o, DR_SEV_ERROR, path, fix, msg);
            free(msg);
            free(fix);
        }
    }
    vs_facts_done(&q);
    return DR_E_OK;
}
