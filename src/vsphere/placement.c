#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

/* Find path, expecting one of the given types ("Folder|ResourcePool"). */
static enum dr_err
find_typed2(struct vs_session *s, const char *path, const char *types, const char *field, char **id,
            char **type_out, struct dr_error *e)
{
    char *type = NULL;
    enum dr_err err = vs_find_by_path(s, path, id, &type, e);

    if (err == DR_E_NOTFOUND) {
        dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: %s: nothing at %s"), s->name, field, path);
    } else if (err == DR_E_OK && !strstr(types, type)) {
        err = dr_error_set(e, DR_E_INVAL, _("vCenter %s: %s: %s is a %s, not a %s"), s->name, field,
                           path, type, types);
        xfree(id);
    }
    if (err == DR_E_OK && type_out)
        *type_out = type;
    else
        free(type);
    return err;
}

static enum dr_err
find_typed(struct vs_session *s, const char *path, const char *types, const char *field, char **id,
           struct dr_error *e)
{
    return find_typed2(s, path, types, field, id, NULL, e);
}

/* dc/kind/name, or name itself when it is an absolute inventory path
 * ("/DC0/vm/x"). */
static char *
path_under(const char *dc, const char *kind, const char *name)
{
    if (name[0] == '/')
        return xstrdup(name + 1);
    if (kind == NULL)
        return xasprintf("%s/%s", dc, name);
    return xasprintf("%s/%s/%s", dc, kind, name);
}

struct snap_find {
    const char *name;
    char *id;
};

static void
snap_walk(xmlNodePtr list_parent, const char *list_name, struct snap_find *f)
{
    soap_each(t, list_parent, list_name)
    {
        char *name = soap_child_text(t, "name");
        bool match = name && strcmp(name, f->name) == 0;
        free(name);
        if (match && f->id == NULL)
            f->id = soap_child_text(t, "snapshot");
        snap_walk(t, "childSnapshotList", f);
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
        snap_walk(info, "rootSnapshotList", f);
    return DR_E_OK;
}

static enum dr_err
find_snapshot(struct vs_session *s, const char *vm, const char *name, char **id, struct dr_error *e)
{
    static const char *const paths[] = {"snapshot", NULL};
    struct snap_find f = {.name = str_empty(name) ? NULL : name};
    enum dr_err err = vs_retrieve_one(s, "VirtualMachine", vm, paths, on_snapshot, &f, e);

    if (err != DR_E_OK) {
        free(f.id);
        return err;
    }
    if (f.id == NULL && f.name)
        return dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: snapshot %s not found on %s"), s->name,
                            f.name, vm);
    if (f.id == NULL)
        return dr_error_set(e, DR_E_NOTFOUND,
                            _("vCenter %s: %s has no snapshot for a linked clone"), s->name, vm);
    *id = f.id;
    return DR_E_OK;
}

enum dr_err
vs_resolve_placement(struct vs_session *s, const struct dr_template *t, struct vs_placement *p,
                     struct dr_error *e)
{
    enum dr_err err;
    char *path = NULL, *compute = NULL;
    const char *dc = t->datacenter;

    memset(p, 0, sizeof *p);
    if (str_empty(dc))
        return dr_error_set(e, DR_E_INVAL, _("template %s: no datacenter"),
                            t->name ? t->name : "?");
    if ((err = find_typed(s, dc, "Datacenter", "datacenter", &p->datacenter, e)) != DR_E_OK)
        goto out;

    path = str_empty(t->folder) ? xasprintf("%s/vm", dc) : path_under(dc, "vm", t->folder);
    err = find_typed(s, path, "Folder", "folder", &p->folder, e);
    if (err != DR_E_OK)
        goto out;
    xfree(&path);

    if (!str_empty(t->cluster)) {
        compute = path_under(dc, "host", t->cluster);
        if (!str_empty(t->host)) {
            path = xasprintf("%s/%s", compute, t->host);
            if ((err = find_typed(s, path, "HostSystem", "host", &p->host, e)) != DR_E_OK)
                goto out;
            xfree(&path);
        }
    } else if (!str_empty(t->host)) {
        compute = path_under(dc, "host", t->host);
        path = xasprintf("%s/%s", compute, t->host);
        if ((err = find_typed(s, path, "HostSystem", "host", &p->host, e)) != DR_E_OK)
            goto out;
        xfree(&path);
    } else {
        err = dr_error_set(e, DR_E_INVAL, _("template %s: neither cluster nor host"),
                           t->name ? t->name : "?");
        goto out;
    }
    path = str_empty(t->resource_pool) ? xasprintf("%s/Resources", compute)
                                       : xasprintf("%s/Resources/%s", compute, t->resource_pool);
    if ((err = find_typed(s, path, "ResourcePool VirtualApp", "resource_pool", &p->pool, e)) !=
        DR_E_OK)
        goto out;
    xfree(&path);

    if (!str_empty(t->datastore)) {
        path = path_under(dc, "datastore", t->datastore);
        if ((err = find_typed(s, path, "Datastore", "datastore", &p->datastore, e)) != DR_E_OK)
            goto out;
        xfree(&path);
    }
    for (char **n = t->networks; n && *n; n++) {
        char *id = NULL, *type = NULL;
        const char *base = strrchr(*n, '/');
        path = path_under(dc, "network", *n);
        if ((err = find_typed2(s, path, "Network DistributedVirtualPortgroup OpaqueNetwork",
                               "networks", &id, &type, e)) != DR_E_OK)
            goto out;
        strv_push(&p->networks, id);
        p->nics = xrealloc(p->nics, (p->n_nics + 1) * sizeof *p->nics);
        err = vs_nic_resolve(s, id, type, base ? base + 1 : *n, &p->nics[p->n_nics++], e);
        free(id);
        free(type);
        xfree(&path);
        if (err != DR_E_OK)
            goto out;
    }

    if (str_empty(t->clone_from)) {
        err = dr_error_set(e, DR_E_INVAL, _("template %s: no clone_from"), t->name ? t->name : "?");
        goto out;
    }
    /* clone_from: a path, else a name in the template's folder, else in the
     * datacenter's VM folder. */
    if (strchr(t->clone_from, '/')) {
        path = path_under(dc, NULL, t->clone_from);
        err = find_typed(s, path, "VirtualMachine", "clone_from", &p->source, e);
    } else {
        path = xasprintf("%s/vm/%s", dc, t->clone_from);
        err = find_typed(s, path, "VirtualMachine", "clone_from", &p->source, e);
        if (err == DR_E_NOTFOUND && !str_empty(t->folder)) {
            err = vs_find_vm(s, p->folder, t->clone_from, &p->source, e);
            if (err == DR_E_NOTFOUND)
                dr_error_set(e, err,
                             _("vCenter %s: clone_from: no VM or template named %s in %s/vm "
                               "or in folder %s"),
                             s->name, t->clone_from, dc, t->folder);
        }
    }
    if (err != DR_E_OK)
        goto out;
    if (t->clone_mode == DR_CLONE_LINKED)
        err = find_snapshot(s, p->source, t->snapshot, &p->snapshot, e);
out:
    free(path);
    free(compute);
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
    memset(p, 0, sizeof *p);
}
