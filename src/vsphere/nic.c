/* Moving a clone's NICs to the template's networks: resolving what a NIC
 * backing needs, and the device edits in the clone's relocate spec. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

struct pg_info {
    char *key;
    char *dvs;
    char *dvs_type;
    char *uuid;
};

static enum dr_err
on_pg(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct pg_info *p = user;
    xmlNodePtr dvs = vs_prop(oc, "config.distributedVirtualSwitch");

    p->key = vs_prop_text(oc, "key");
    p->dvs = soap_text(dvs);
    if (dvs) {
        xmlChar *t = xmlGetNoNsProp(dvs, BAD_CAST "type");
        p->dvs_type = xstrdup(t ? (const char *)t : "VmwareDistributedVirtualSwitch");
        xmlFree(t);
    }
    return DR_E_OK;
}

static enum dr_err
on_dvs(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct pg_info *p = user;

    p->uuid = vs_prop_text(oc, "uuid");
    return DR_E_OK;
}

enum dr_err
vs_nic_resolve(struct vs_session *s, const char *id, const char *type, const char *name,
               struct vs_nic *out, struct dr_error *e)
{
    static const char *const pg_paths[] = {"key", "config.distributedVirtualSwitch", NULL};
    static const char *const dvs_paths[] = {"uuid", NULL};
    struct pg_info p = {0};
    enum dr_err err = DR_E_OK;

    memset(out, 0, sizeof *out);
    out->network = xstrdup(id);
    out->type = xstrdup(type);
    out->name = xstrdup(name);
    if (strcmp(type, "DistributedVirtualPortgroup") != 0)
        return DR_E_OK;
    err = vs_retrieve_one(s, type, id, pg_paths, on_pg, &p, e);
    if (err == DR_E_OK && (p.key == NULL || p.dvs == NULL))
        err = dr_error_set(e, DR_E_PROTO, _("vCenter %s: port group %s has no key or switch"),
                           s->name, name);
    if (err == DR_E_OK) {
        err = vs_retrieve_one(s, p.dvs_type, p.dvs, dvs_paths, on_dvs, &p, e);
        /* Some servers name the switch by its base type; the object is a
         * VmwareDistributedVirtualSwitch. */
        if (err == DR_E_FAULT && strcmp(s->last_fault, "ManagedObjectNotFound") == 0 &&
            strcmp(p.dvs_type, "VmwareDistributedVirtualSwitch") != 0)
            err = vs_retrieve_one(s, "VmwareDistributedVirtualSwitch", p.dvs, dvs_paths, on_dvs, &p,
                                  e);
    }
    if (err == DR_E_OK && p.uuid == NULL)
        err = dr_error_set(e, DR_E_PROTO, _("vCenter %s: switch %s has no uuid"), s->name, p.dvs);
    out->portgroup_key = p.key;
    out->switch_uuid = p.uuid;
    free(p.dvs);
    free(p.dvs_type);
    return err;
}

void
vs_nic_done(struct vs_nic *n)
{
    free(n->network);
    free(n->type);
    free(n->name);
    free(n->portgroup_key);
    free(n->switch_uuid);
    free(n->opaque_id);
    free(n->opaque_type);
    memset(n, 0, sizeof *n);
}

void
vs_nics_free(struct vs_nic *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vs_nic_done(&v[i]);
    free(v);
}

struct nic_list {
    xmlDocPtr doc; /* copies of the source's ethernet cards */
};

static bool
is_nic(xmlNodePtr dev)
{
    /* Every VirtualEthernetCard subtype has a MAC address field. */
    return soap_child(dev, "macAddress") != NULL || soap_child(dev, "addressType") != NULL;
}

static enum dr_err
on_nics(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct nic_list *l = user;
    xmlNodePtr devs = vs_prop(oc, "config.hardware.device"), root;

    l->doc = xmlNewDoc(BAD_CAST "1.0");
    root = xmlNewDocNode(l->doc, NULL, BAD_CAST "nics", NULL);
    xmlDocSetRootElement(l->doc, root);
    for (xmlNodePtr d = devs ? devs->children : NULL; d; d = d->next)
        if (d->type == XML_ELEMENT_NODE && is_nic(d))
            xmlAddChild(root, xmlDocCopyNode(d, l->doc, 1));
    return DR_E_OK;
}

static void
set_backing(xmlNodePtr dev, const struct vs_nic *n)
{
    xmlNodePtr old = soap_child(dev, "backing"), b, port;

    b = xmlNewDocNode(dev->doc, NULL, BAD_CAST "backing", NULL);
    if (old) {
        xmlAddPrevSibling(old, b);
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    } else {
        /* backing follows key and deviceInfo in a VirtualDevice */
        xmlNodePtr after = soap_child(dev, "deviceInfo");
        if (after == NULL)
            after = soap_child(dev, "key");
        if (after)
            xmlAddNextSibling(after, b);
        else
            xmlAddChild(dev, b);
    }
    xmlSetNs(b, dev->ns);
    if (n->switch_uuid) {
        soap_set_type(b, "VirtualEthernetCardDistributedVirtualPortBackingInfo");
        port = soap_add_text(b, "port", NULL);
        soap_add_text(port, "switchUuid", n->switch_uuid);
        soap_add_text(port, "portgroupKey", n->portgroup_key);
    } else if (n->opaque_id) {
        soap_set_type(b, "VirtualEthernetCardOpaqueNetworkBackingInfo");
        soap_add_text(b, "opaqueNetworkId", n->opaque_id);
        soap_add_text(b, "opaqueNetworkType", n->opaque_type);
    } else {
        soap_set_type(b, "VirtualEthernetCardNetworkBackingInfo");
        soap_add_text(b, "deviceName", n->name);
        soap_add_moref(b, "network", n->type, n->network);
    }
}

/* A deviceChange in config with operation op and a copy of dev (or a new
 * device when dev is NULL); returns the device node. */
static xmlNodePtr
add_change(xmlNodePtr config, const char *op, xmlNodePtr dev)
{
    xmlNodePtr change = soap_add_text(config, "deviceChange", NULL), d;

    soap_add_text(change, "operation", op);
    if (dev == NULL)
        return soap_add_text(change, "device", NULL);
    d = xmlDocCopyNode(dev, config->doc, 1);
    xmlNodeSetName(d, BAD_CAST "device");
    xmlAddChild(change, d);
    xmlReconciliateNs(config->doc, d);
    return d;
}

enum dr_err
vs_nic_changes(struct vs_session *s, const char *source, const struct vs_nic *nics, size_t n,
               xmlNodePtr config, struct dr_error *e)
{
    static const char *const paths[] = {"config.hardware.device", NULL};
    struct nic_list l = {0};
    enum dr_err err;
    size_t i = 0;

    if (n == 0)
        return DR_E_OK;
    err = vs_retrieve_one(s, "VirtualMachine", source, paths, on_nics, &l, e);
    if (err != DR_E_OK || l.doc == NULL) {
        if (l.doc)
            xmlFreeDoc(l.doc);
        return err != DR_E_OK ? err
                              : dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: VM %s not found"),
                                             s->name, source);
    }
    /* The source's NICs in device order: re-backed while there are
     * networks, removed after that. */
    for (xmlNodePtr d = xmlDocGetRootElement(l.doc)->children; d; d = d->next, i++) {
        if (i < n)
            set_backing(add_change(config, "edit", d), &nics[i]);
        else
            add_change(config, "remove", d);
    }
    xmlFreeDoc(l.doc);
    /* Networks beyond the source's NICs get a new vmxnet3 NIC each; new
     * devices carry negative keys (vSphere API, VirtualDevice.key). */
    for (; i < n; i++) {
        xmlNodePtr dev = add_change(config, "add", NULL), conn;

        soap_set_type(dev, "VirtualVmxnet3");
        soap_add_int(dev, "key", -100 - (long long)i);
        set_backing(dev, &nics[i]);
        conn = soap_add_text(dev, "connectable", NULL);
        soap_add_bool(conn, "startConnected", true);
        soap_add_bool(conn, "allowGuestControl", true);
        soap_add_bool(conn, "connected", true);
        soap_add_text(dev, "addressType", "generated");
    }
    return DR_E_OK;
}
