#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "vsphere/internal.h"

static void
add_extra_config(xmlNodePtr config, const struct dr_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xmlNodePtr o = soap_add_text(config, "extraConfig", NULL);
        soap_set_type(o, "OptionValue");
        soap_add_text(o, "key", kv[i].key);
        soap_add_string_value(o, "value", kv[i].value ? kv[i].value : "");
    }
}

enum dr_err
vs_clone_vm(struct vs_session *s, const struct vs_clone_spec *c, char **vm_id, struct dr_error *e)
{
    struct soap_req req;
    xmlNodePtr spec, loc, cfg;
    enum dr_err err;

    *vm_id = NULL;
    if (str_empty(c->source) || str_empty(c->name) || str_empty(c->folder))
        return dr_error_set(e, DR_E_INVAL, _("clone: source, name and folder are required"));
    soap_req_init(&req, "CloneVM_Task");
    soap_add_moref(req.method, "_this", "VirtualMachine", c->source);
    soap_add_moref(req.method, "folder", "Folder", c->folder);
    soap_add_text(req.method, "name", c->name);
    spec = soap_add_text(req.method, "spec", NULL);
    /* Element order follows the WSDL: vCenter rejects a shuffled spec. */
    loc = soap_add_text(spec, "location", NULL);
    if (c->datastore)
        soap_add_moref(loc, "datastore", "Datastore", c->datastore);
    if (c->linked)
        soap_add_text(loc, "diskMoveType", "createNewChildDiskBacking");
    if (c->pool)
        soap_add_moref(loc, "pool", "ResourcePool", c->pool);
    if (c->host)
        soap_add_moref(loc, "host", "HostSystem", c->host);
    soap_add_bool(spec, "template", false);
    if (c->cpus > 0 || c->memory_mib > 0 || c->n_extra_config > 0 || c->n_nics > 0) {
        cfg = soap_add_text(spec, "config", NULL);
        if (c->cpus > 0)
            soap_add_int(cfg, "numCPUs", c->cpus);
        if (c->memory_mib > 0)
            soap_add_int(cfg, "memoryMB", c->memory_mib);
        /* NICs in the clone's config spec: there vCenter takes edits, adds
         * and removals (a relocate spec edits only). */
        if ((err = vs_nic_changes(s, c->source, c->nics, c->n_nics, cfg, e)) != DR_E_OK) {
            soap_req_done(&req);
            return err;
        }
        add_extra_config(cfg, c->extra_config, c->n_extra_config);
    }
    soap_add_bool(spec, "powerOn", false);
    if (c->linked && c->snapshot)
        soap_add_moref(spec, "snapshot", "VirtualMachineSnapshot", c->snapshot);
    err = vs_call_task(s, &req, "CloneVM_Task", vm_id, e);
    soap_req_done(&req);
    if (err == DR_E_OK && *vm_id == NULL)
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: CloneVM_Task gave no VM"), s->name);
    return err;
}

struct disk_find {
    xmlDocPtr doc; /* kept: the device node lives in it */
    xmlNodePtr disk;
};

static enum dr_err
on_devices(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct disk_find *d = user;
    xmlNodePtr devs = vs_prop(oc, "config.hardware.device");

    for (xmlNodePtr dev = devs ? devs->children : NULL; dev; dev = dev->next) {
        char *t;
        if (dev->type != XML_ELEMENT_NODE)
            continue;
        t = soap_type(dev);
        if (t && strcmp(t, "VirtualDisk") == 0) {
            /* Copy out: the response document is freed after the callback. */
            d->doc = xmlNewDoc(BAD_CAST "1.0");
            d->disk = xmlDocCopyNode(dev, d->doc, 1);
            xmlDocSetRootElement(d->doc, d->disk);
            free(t);
            break;
        }
        free(t);
    }
    return DR_E_OK;
}

/* A deviceChange that grows the first disk to gib, or NULL when it is
 * already that big (disks never shrink). */
static enum dr_err
disk_growth(struct vs_session *s, const char *vm_id, int gib, xmlNodePtr config, struct dr_error *e)
{
    static const char *const paths[] = {"config.hardware.device", NULL};
    struct disk_find d = {0};
    enum dr_err err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_devices, &d, e);
    long long want_kb = (long long)gib * 1024 * 1024, have_kb;
    xmlNodePtr change, dev, cap, bytes;

    if (err != DR_E_OK)
        return err;
    if (d.disk == NULL)
        return dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: VM %s has no disk to grow"), s->name,
                            vm_id);
    have_kb = soap_child_ll(d.disk, "capacityInKB", 0);
    if (have_kb >= want_kb) {
        xmlFreeDoc(d.doc);
        return DR_E_OK;
    }
    change = soap_add_text(config, "deviceChange", NULL);
    soap_add_text(change, "operation", "edit");
    /* The whole device as vCenter reported it, with the new capacity. */
    dev = xmlDocCopyNode(d.disk, config->doc, 1);
    xmlNodeSetName(dev, BAD_CAST "device");
    xmlAddChild(change, dev);
    xmlReconciliateNs(config->doc, dev);
    cap = soap_child(dev, "capacityInKB");
    if (cap) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", want_kb);
        xmlNodeSetContent(cap, BAD_CAST buf);
    }
    bytes = soap_child(dev, "capacityInBytes");
    if (bytes) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", want_kb * 1024);
        xmlNodeSetContent(bytes, BAD_CAST buf);
    }
    xmlFreeDoc(d.doc);
    return DR_E_OK;
}

enum dr_err
vs_reconfigure_vm(struct vs_session *s, const char *vm_id, const struct vs_reconfig *r,
                  struct dr_error *e)
{
    struct soap_req req;
    xmlNodePtr spec;
    enum dr_err err;

    soap_req_init(&req, "ReconfigVM_Task");
    soap_add_moref(req.method, "_this", "VirtualMachine", vm_id);
    spec = soap_add_text(req.method, "spec", NULL);
    if (r->cpus > 0)
        soap_add_int(spec, "numCPUs", r->cpus);
    if (r->memory_mib > 0)
        soap_add_int(spec, "memoryMB", r->memory_mib);
    if (r->disk_gib > 0 && (err = disk_growth(s, vm_id, r->disk_gib, spec, e)) != DR_E_OK) {
        soap_req_done(&req);
        return err;
    }
    add_extra_config(spec, r->extra_config, r->n_extra_config);
    err = vs_call_task(s, &req, "ReconfigVM_Task", NULL, e);
    soap_req_done(&req);
    return err;
}

static enum dr_err
on_power(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    char **state = user;

    free(*state);
    *state = vs_prop_text(oc, "runtime.powerState");
    return DR_E_OK;
}

enum dr_err
vs_vm_power_state(struct vs_session *s, const char *vm_id, char **state, struct dr_error *e)
{
    static const char *const paths[] = {"runtime.powerState", NULL};
    enum dr_err err;

    *state = NULL;
    err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_power, state, e);
    if (err == DR_E_FAULT && strcmp(s->last_fault, "ManagedObjectNotFound") == 0)
        err = DR_E_NOTFOUND;
    if (err == DR_E_OK && *state == NULL)
        err = dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: VM %s not found"), s->name, vm_id);
    return err;
}

static enum dr_err
power(struct vs_session *s, const char *vm_id, const char *method, const char *want,
      struct dr_error *e)
{
    struct soap_req req;
    enum dr_err err;

    soap_req_init(&req, method);
    soap_add_moref(req.method, "_this", "VirtualMachine", vm_id);
    err = vs_call_task(s, &req, method, NULL, e);
    soap_req_done(&req);
    if (err == DR_E_FAULT && strcmp(s->last_fault, "InvalidPowerState") == 0) {
        /* Already there is fine: a retried step must not fail on it. */
        char *state = NULL;
        struct dr_error e2 = {0};
        if (vs_vm_power_state(s, vm_id, &state, &e2) == DR_E_OK && strcmp(state, want) == 0)
            err = DR_E_OK;
        free(state);
    }
    return err;
}

enum dr_err
vs_power_on(struct vs_session *s, const char *vm_id, struct dr_error *e)
{
    return power(s, vm_id, "PowerOnVM_Task", "poweredOn", e);
}

enum dr_err
vs_power_off(struct vs_session *s, const char *vm_id, struct dr_error *e)
{
    return power(s, vm_id, "PowerOffVM_Task", "poweredOff", e);
}

enum dr_err
vs_shutdown(struct vs_session *s, const char *vm_id, int timeout_s, struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    struct dr_error ge = {0};
    enum dr_err err;
    long long deadline = util_now_ms() + (timeout_s > 0 ? timeout_s : 60) * 1000LL;
    char *state = NULL;

    soap_req_init(&req, "ShutdownGuest");
    soap_add_moref(req.method, "_this", "VirtualMachine", vm_id);
    err = vs_call(s, &req, &resp, &ge);
    soap_req_done(&req);
    if (err == DR_E_OK) {
        soap_resp_done(&resp);
        while (util_now_ms() < deadline) {
            err = vs_vm_power_state(s, vm_id, &state, e);
            if (err != DR_E_OK)
                return err;
            if (strcmp(state, "poweredOff") == 0) {
                free(state);
                return DR_E_OK;
            }
            xfree(&state);
            if (!vs_sleep(s, 1000))
                return dr_error_set(e, DR_E_CANCELLED, _("vCenter %s: cancelled"), s->name);
        }
        log_info("vCenter %s: %s did not shut down within %d s; powering off", s->name, vm_id,
                 timeout_s);
    } else if (err == DR_E_FAULT) {
        /* No VMware Tools, or already off: a hard power-off will do. */
        log_info("%s; powering off instead", ge.msg);
    } else {
        if (e != NULL)
            *e = ge;
        return err;
    }
    return vs_power_off(s, vm_id, e);
}

enum dr_err
vs_destroy_vm(struct vs_session *s, const char *vm_id, struct dr_error *e)
{
    struct soap_req req;
    enum dr_err err;

    soap_req_init(&req, "Destroy_Task");
    soap_add_moref(req.method, "_this", "VirtualMachine", vm_id);
    err = vs_call_task(s, &req, "Destroy_Task", NULL, e);
    soap_req_done(&req);
    return err;
}

/* SearchIndex.FindChild: one answer naming the child, not the names of
 * every VM in the folder (with 200 nodes each clone's existence check read
 * 200 names; vCenter's folders hold thousands). A folder's children have
 * unique names (vCenter refuses a duplicate with DuplicateName), so one is
 * all there is. */
enum dr_err
vs_find_vm(struct vs_session *s, const char *folder_id, const char *name, char **vm_id,
           struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    enum dr_err err;
    xmlNodePtr rv;
    xmlChar *type;
    bool vm;

    *vm_id = NULL;
    soap_req_init(&req, "FindChild");
    soap_add_moref(req.method, "_this", "SearchIndex", s->search_index);
    soap_add_moref(req.method, "entity", "Folder", folder_id);
    soap_add_text(req.method, "name", name);
    err = vs_call(s, &req, &resp, e);
    soap_req_done(&req);
    if (err != DR_E_OK)
        return err;
    rv = soap_child(resp.result, "returnval");
    type = rv ? xmlGetNoNsProp(rv, BAD_CAST "type") : NULL;
    vm = type && strcmp((const char *)type, "VirtualMachine") == 0;
    xmlFree(type);
    if (vm)
        *vm_id = soap_text(rv);
    soap_resp_done(&resp);
    if (*vm_id == NULL)
        return dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: no VM named %s in folder %s"), s->name,
                            name, folder_id);
    return DR_E_OK;
}

static void
kv_from_options(xmlNodePtr val, struct dr_kv **out, size_t *n)
{
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    for (xmlNodePtr o = val ? val->children : NULL; o; o = o->next) {
        if (o->type != XML_ELEMENT_NODE)
            continue;
        *out = xgrow(*out, &cap, *n + 1, sizeof **out);
        (*out)[*n].key = soap_child_text(o, "key");
        (*out)[*n].value = soap_child_text(o, "value");
        if ((*out)[*n].key == NULL)
            (*out)[*n].key = xstrdup("");
        if ((*out)[*n].value == NULL)
            (*out)[*n].value = xstrdup("");
        (*n)++;
    }
}

void
vs_kv_free(struct dr_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

struct kv_out {
    struct dr_kv *kv;
    size_t n;
    bool found;
};

static enum dr_err
on_extra(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct kv_out *k = user;

    vs_kv_free(k->kv, k->n);
    kv_from_options(vs_prop(oc, "config.extraConfig"), &k->kv, &k->n);
    k->found = true;
    return DR_E_OK;
}

enum dr_err
vs_get_extra_config(struct vs_session *s, const char *vm_id, struct dr_kv **out, size_t *n,
                    struct dr_error *e)
{
    static const char *const paths[] = {"config.extraConfig", NULL};
    struct kv_out k = {0};
    enum dr_err err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_extra, &k, e);

    if (err == DR_E_FAULT && strcmp(s->last_fault, "ManagedObjectNotFound") == 0)
        err = DR_E_NOTFOUND;
    *out = NULL;
    *n = 0;
    if (err != DR_E_OK) {
        vs_kv_free(k.kv, k.n);
        return err;
    }
    if (!k.found)
        return dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: VM %s not found"), s->name, vm_id);
    *out = k.kv;
    *n = k.n;
    return DR_E_OK;
}

char *
vs_option_value(xmlNodePtr val, const char *key)
{
    for (xmlNodePtr o = val ? val->children : NULL; o; o = o->next) {
        char *k;
        bool match;
        if (o->type != XML_ELEMENT_NODE)
            continue;
        k = soap_child_text(o, "key");
        /* .vmx keys are case-insensitive: "GuestInfo.Drover.Owner" set by
         * another tool is the same variable as drover's own spelling. */
        match = k && strcasecmp(k, key) == 0;
        free(k);
        if (match)
            return soap_child_text(o, "value");
    }
    return NULL;
}

struct keyed {
    const char *key;
    struct vs_keyed_vm *v;
    size_t n, cap;
};

static enum dr_err
on_keyed(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct keyed *k = user;
    char *tmpl = vs_prop_text(oc, "config.template");
    char *value = vs_option_value(vs_prop(oc, "config.extraConfig"), k->key);
    bool is_template = tmpl && strcmp(tmpl, "true") == 0;
    struct vs_keyed_vm *v;

    free(tmpl);
    if (value == NULL || is_template) {
        free(value);
        return DR_E_OK;
    }
    k->v = xgrow(k->v, &k->cap, k->n + 1, sizeof *k->v);
    v = &k->v[k->n++];
    v->id = xstrdup(id);
    v->name = vs_prop_text(oc, "name");
    v->value = value;
    v->power_state = vs_prop_text(oc, "runtime.powerState");
    v->ip = vs_prop_text(oc, "guest.ipAddress");
    if (v->ip && *v->ip == '\0')
        xfree(&v->ip);
    return DR_E_OK;
}

enum dr_err
vs_list_vms_with_key(struct vs_session *s, const char *key, struct vs_keyed_vm **out, size_t *n,
                     struct dr_error *e)
{
    static const char *const paths[] = {
        "name", "config.template", "config.extraConfig", "runtime.powerState", "guest.ipAddress",
        NULL};
    const struct vs_propspec spec = {.type = "VirtualMachine", .paths = paths};
    struct keyed k = {.key = key};
    enum dr_err err =
        vs_retrieve_view(s, "Folder", s->root_folder, &spec, 1, true, on_keyed, &k, e);

    if (err != DR_E_OK) {
        vs_keyed_vms_free(k.v, k.n);
        *out = NULL;
        *n = 0;
        return err;
    }
    *out = k.v;
    *n = k.n;
    return DR_E_OK;
}

void
vs_keyed_vms_free(struct vs_keyed_vm *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].name);
        free(v[i].value);
        free(v[i].power_state);
        free(v[i].ip);
    }
    free(v);
}
