/* Reading a VM's network adapters back: after a clone, the VM's NICs must be
 * exactly the template's networks, in order. vCenter refuses a NIC change
 * it cannot make, but a simulator (or a proxy, or a plug-in) that drops one
 * would otherwise let a VM with the source's NICs pass silently. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

struct readback {
    const struct vs_nic *want;
    size_t n_want;
    size_t i;    /* adapters seen */
    char *diff;  /* what differs, "; "-joined */
};

static void
add_diff(struct readback *r, char *what)
{
    char *next = xasprintf("%s%s%s", r->diff ? r->diff : "", r->diff ? "; " : "", what);

    free(r->diff);
    free(what);
    r->diff = next;
}

/* What a NIC backing is on, for the message ("VM Network", "port group
 * dvportgroup-12 of switch UUID", "opaque network ID"), newly allocated. */
static char *
backing_text(xmlNodePtr b)
{
    xmlNodePtr port = soap_child(b, "port");
    char *t;

    if (port) {
        char *pg = soap_child_text(port, "portgroupKey"), *sw = soap_child_text(port, "switchUuid");
        t = xasprintf(_("distributed port group %s of switch %s"), pg ? pg : "?", sw ? sw : "?");
        free(pg);
        free(sw);
    } else if ((t = soap_child_text(b, "opaqueNetworkId")) != NULL) {
        char *o = xasprintf(_("opaque network %s"), t);
        free(t);
        t = o;
    } else if ((t = soap_child_text(b, "deviceName")) == NULL) {
        t = xstrdup(_("no network"));
    }
    return t;
}

static bool
text_eq(xmlNodePtr n, const char *want)
{
    char *t = soap_text(n);
    bool eq = t && want && strcmp(t, want) == 0;

    free(t);
    return eq;
}

/* Whether backing b is network w, by what vCenter backs each kind with. */
static bool
backing_is(xmlNodePtr b, const struct vs_nic *w)
{
    xmlNodePtr port = soap_child(b, "port");

    if (w->switch_uuid)
        return port && text_eq(soap_child(port, "switchUuid"), w->switch_uuid) &&
               text_eq(soap_child(port, "portgroupKey"), w->portgroup_key);
    if (w->opaque_id)
        return text_eq(soap_child(b, "opaqueNetworkId"), w->opaque_id);
    return port == NULL && text_eq(soap_child(b, "network"), w->network);
}

static enum dr_err
on_devices(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct readback *r = user;
    xmlNodePtr devs = vs_prop(oc, "config.hardware.device");

    (void)type, (void)id, (void)e;
    for (xmlNodePtr d = devs ? devs->children : NULL; d; d = d->next) {
        xmlNodePtr b;
        long long key;

        /* Every VirtualEthernetCard subtype has a MAC address field. */
        if (d->type != XML_ELEMENT_NODE ||
            (soap_child(d, "macAddress") == NULL && soap_child(d, "addressType") == NULL))
            continue;
        key = soap_child_ll(d, "key", -1);
        b = soap_child(d, "backing");
        if (r->i >= r->n_want) {
            char *on = backing_text(b);
            add_diff(r, xasprintf(_("adapter %zu (key %lld) is on %s, and the template has no "
                                    "network for it"),
                                  r->i + 1, key, on));
            free(on);
        } else if (!backing_is(b, &r->want[r->i])) {
            char *on = backing_text(b);
            add_diff(r, xasprintf(_("adapter %zu (key %lld) is on %s, not on \"%s\""), r->i + 1,
                                  key, on, r->want[r->i].name ? r->want[r->i].name : "?"));
            free(on);
        }
        r->i++;
    }
    return DR_E_OK;
}

enum dr_err
vs_vm_nics_check(struct vs_session *s, const char *vm_id, const struct vs_nic *want, size_t n,
                 struct dr_error *e)
{
    static const char *const paths[] = {"config.hardware.device", NULL};
    struct readback r = {.want = want, .n_want = n};
    enum dr_err err;

    if (n == 0)
        return DR_E_OK;
    err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_devices, &r, e);
    if (err != DR_E_OK) {
        free(r.diff);
        return err;
    }
    for (size_t i = r.i; i < n; i++)
        add_diff(&r, xasprintf(_("no adapter %zu for \"%s\""), i + 1,
                               want[i].name ? want[i].name : "?"));
    if (r.diff == NULL)
        return DR_E_OK;
    err = dr_error_set(e, DR_E_INVAL,
                       _("vCenter %s: VM %s's network adapters are not the template's networks "
                         "in order (%s); vCenter made the clone without the NIC changes drover "
                         "asked for: check that the VM's host can reach each network"),
                       s->name, vm_id, r.diff);
    free(r.diff);
    return err;
}
