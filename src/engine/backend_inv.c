/* The real backend's answers to the console's requests: a vCenter's
 * inventory through src/vsphere, on a session of the request's own (a
 * session is not shared between threads), converted to the engine's public
 * struct dr_inventory. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "vsphere/vsphere.h"

static struct dr_inv_item *
add(struct dr_inventory *inv, size_t *cap, enum dr_inv_kind kind, const struct vs_object *o)
{
    struct dr_inv_item *it;

    inv->items = xgrow(inv->items, cap, inv->n + 1, sizeof *inv->items);
    it = &inv->items[inv->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->id = xstrdup0(o->id);
    it->name = xstrdup0(o->name);
    it->path = xstrdup0(o->path);
    it->datacenter = xstrdup0(o->datacenter);
    it->compute = xstrdup0(o->compute);
    return it;
}

static void
convert(const struct vs_inventory *v, struct dr_inventory *inv)
{
    size_t cap = 0;

    for (size_t i = 0; i < v->n_datacenters; i++)
        add(inv, &cap, DR_INV_DATACENTER, &v->datacenters[i]);
    for (size_t i = 0; i < v->n_clusters; i++)
        add(inv, &cap, DR_INV_CLUSTER, &v->clusters[i]);
    for (size_t i = 0; i < v->n_hosts; i++)
        add(inv, &cap, DR_INV_HOST, &v->hosts[i]);
    for (size_t i = 0; i < v->n_pools; i++)
        add(inv, &cap, DR_INV_POOL, &v->pools[i]);
    for (size_t i = 0; i < v->n_datastores; i++) {
        struct dr_inv_item *it = add(inv, &cap, DR_INV_DATASTORE, &v->datastores[i].obj);
        it->type = xstrdup0(v->datastores[i].type);
        it->capacity = v->datastores[i].capacity;
        it->free_space = v->datastores[i].free_space;
    }
    for (size_t i = 0; i < v->n_datastore_clusters; i++) {
        const struct vs_datastore *d = &v->datastore_clusters[i];
        struct dr_inv_item *it = add(inv, &cap, DR_INV_DATASTORE_CLUSTER, &d->obj);
        it->capacity = d->capacity;
        it->free_space = d->free_space;
        for (size_t k = 0; k < v->n_datastores; k++)
            if (str_eq(v->datastores[k].obj.parent, d->obj.id))
                it->members++;
    }
    for (size_t i = 0; i < v->n_folders; i++)
        add(inv, &cap, DR_INV_FOLDER, &v->folders[i]);
    for (size_t i = 0; i < v->n_networks; i++)
        add(inv, &cap, DR_INV_NETWORK, &v->networks[i])->type = xstrdup0(v->networks[i].type);
    for (size_t i = 0; i < v->n_vms; i++) {
        const struct vs_vm *m = &v->vms[i];
        struct dr_inv_item *it = add(inv, &cap, m->template ? DR_INV_TEMPLATE : DR_INV_VM, &m->obj);
        it->guest_os = xstrdup0(m->guest_os);
        it->snapshots = m->snapshots ? strv_dup(m->snapshots) : NULL;
    }
}

/* A session to vc (not logged in yet) with its password, which is wiped
 * once the session holds it. */
static enum dr_err
session_new(const struct dr_vcenter *vc, struct vs_session **out, struct dr_error *e)
{
    char *pw = NULL;
    enum dr_err rc = vcenter_password(vc, &pw, e);

    if (rc != DR_E_OK)
        return rc;
    rc = vs_session_new(vc, pw, out, e);
    if (pw) {
        memset(pw, 0, strlen(pw));
        free(pw);
    }
    return rc;
}

enum dr_err
backend_vs_inventory(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                     struct dr_inventory *out, struct dr_error *e)
{
    struct vs_session *s = NULL;
    struct vs_inventory v;
    enum dr_err rc;

    (void)ctx;
    memset(out, 0, sizeof *out);
    rc = session_new(vc, &s, e);
    if (rc != DR_E_OK)
        return rc;
    vs_set_cancel(s, cancel);
    rc = vs_login(s, e);
    if (rc == DR_E_OK)
        rc = vs_inventory_get(s, &v, e);
    if (rc == DR_E_OK) {
        char **tags = NULL;
        struct dr_error te = { 0 };
        size_t cap;

        convert(&v, out);
        vs_inventory_done(&v);
        cap = out->n;
        /* The tags a VM may carry, for the template editor's tags picker.
         * A vCenter whose tagging service does not answer still has its
         * inventory: the tags are then typed (and checked before a clone). */
        if (vs_labels_list_tags(s, &tags, &te) == DR_E_OK) {
            for (size_t i = 0; tags && tags[i]; i++) {
                struct vs_object o = { .name = tags[i], .path = tags[i] };
                add(out, &cap, DR_INV_TAG, &o);
            }
        } else {
            log_warn("vCenter %s: no tags for the pickers: %s", vc->name, dr_error_text(&te));
        }
        strv_free(&tags);
    }
    vs_session_free(&s);
    return rc;
}

enum dr_err
backend_vs_fetch_cert(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                      struct dr_cert *out, struct dr_error *e)
{
    struct vs_cert_info ci;
    enum dr_err rc;

    (void)ctx;
    (void)cancel; /* one TLS handshake, bounded by the vCenter's timeout */
    memset(out, 0, sizeof *out);
    rc = vs_fetch_cert(vc, &ci, e);
    if (rc != DR_E_OK)
        return rc;
    out->subject = xstrdup0(ci.subject);
    out->issuer = xstrdup0(ci.issuer);
    out->not_before = ci.not_before;
    out->not_after = ci.not_after;
    out->sha256_fingerprint = xstrdup0(ci.sha256_fingerprint);
    out->pin = xstrdup0(ci.pin);
    out->verified = ci.verified;
    out->verify_error = xstrdup0(ci.verify_error);
    vs_cert_info_done(&ci);
    return DR_E_OK;
}

enum dr_err
backend_vs_check_login(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel,
                       char **product, struct dr_error *e)
{
    struct vs_session *s = NULL;
    enum dr_err rc;

    (void)ctx;
    *product = NULL;
    rc = session_new(vc, &s, e);
    if (rc != DR_E_OK)
        return rc;
    vs_set_cancel(s, cancel);
    rc = vs_login(s, e);
    if (rc == DR_E_OK) {
        const struct vs_about *a = vs_session_about(s);
        *product = xstrdup(a && a->full_name ? a->full_name : vc->url);
    }
    vs_session_free(&s);
    return rc;
}
