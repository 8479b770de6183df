/* The vSphere client against a private lab instance: login, TLS policy,
 * inventory, the VM lifecycle and vCenter faults. */
#include "config.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "labenv.h"
#include "vsphere/internal.h"
#include "vsphere/vsphere.h"

static struct labenv lab;
static struct dr_vcenter vc;

static void
lab_setup(void)
{
    if (!labenv_up(&lab, "--vms 2 --hosts 3")) {
        fprintf(stderr, "lab up failed\n");
        exit(1);
    }
}

static void
lab_teardown(void)
{
    labenv_down(&lab);
}

/* A vcenter entry for the lab with the given TLS policy. */
static void
vc_init(const char *pin, const char *ca_file, bool insecure)
{
    labenv_vcenter(&lab, &vc);
    vc.pin = (char *)pin;
    vc.ca_file = (char *)ca_file;
    vc.insecure = insecure;
}

static struct vs_session *
login(void)
{
    struct vs_session *s = NULL;
    struct dr_error e = {0};

    vc_init(labenv_get(&lab, "PIN"), NULL, false);
    ck_assert_int_eq(vs_session_new(&vc, labenv_get(&lab, "PASSWORD"), &s, &e), DR_E_OK);
    ck_assert_msg(vs_login(s, &e) == DR_E_OK, "login: %s", e.msg);
    return s;
}

static enum dr_err
try_login(const char *password, struct dr_error *e)
{
    struct vs_session *s = NULL;
    enum dr_err err = vs_session_new(&vc, password, &s, e);

    if (err == DR_E_OK)
        err = vs_login(s, e);
    vs_session_free(&s);
    return err;
}

START_TEST(login_good)
{
    struct vs_session *s = login();
    const struct vs_about *a = vs_session_about(s);

    ck_assert_str_eq(a->name, "VMware vCenter Server");
    ck_assert_str_eq(a->api_type, "VirtualCenter");
    ck_assert_ptr_nonnull(a->api_version);
    /* Later calls reuse the session's connection: no new connects. */
    for (int i = 0; i < 3; i++) {
        char *id = NULL, *type = NULL;
        long connects = -1;
        struct dr_error e = { 0 };
        ck_assert_int_eq(vs_find_by_path(s, labenv_get(&lab, "DATACENTER"), &id, &type, &e), DR_E_OK);
        curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &connects);
        ck_assert_int_eq(connects, 0);
        free(id);
        free(type);
    }
    vs_session_free(&s);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(login_bad)
{
    struct vs_session *s = NULL;
    struct dr_error e = {0};

    vc_init(labenv_get(&lab, "PIN"), NULL, false);
    ck_assert_int_eq(vs_session_new(&vc, "not-the-password", &s, &e), DR_E_OK);
    ck_assert_int_eq(vs_login(s, &e), DR_E_AUTH);
    ck_assert_str_eq(vs_last_fault(s), "InvalidLogin");
    ck_assert_msg(strstr(e.msg, "InvalidLogin") && strstr(e.msg, "Login failure"), "%s", e.msg);
    ck_assert_ptr_null(strstr(e.msg, "not-the-password"));
    vs_session_free(&s);
}
END_TEST

START_TEST(tls_policy)
{
    struct dr_error e = {0};
    const char *pw = labenv_get(&lab, "PASSWORD");

    vc_init(labenv_get(&lab, "PIN"), NULL, false);
    ck_assert_msg(try_login(pw, &e) == DR_E_OK, "right pin: %s", e.msg);
    vc_init("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL, false);
    ck_assert_int_eq(try_login(pw, &e), DR_E_TLS);
    vc_init(NULL, NULL, false);
    ck_assert_int_eq(try_login(pw, &e), DR_E_TLS); /* unknown CA: system store */
    vc_init(NULL, labenv_get(&lab, "CERT"), false);
    ck_assert_msg(try_login(pw, &e) == DR_E_OK, "ca_file: %s", e.msg);
    vc_init(NULL, NULL, true);
    ck_assert_msg(try_login(pw, &e) == DR_E_OK, "insecure: %s", e.msg);
    vc_init("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL, true);
    ck_assert_int_eq(try_login(pw, &e), DR_E_TLS); /* a pin holds even then */
}
END_TEST

START_TEST(cert_fetch)
{
    struct vs_cert_info ci;
    struct dr_error e = {0};

    vc_init(NULL, NULL, false);
    ck_assert_msg(vs_fetch_cert(&vc, &ci, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(ci.pin, labenv_get(&lab, "PIN"));
    ck_assert_str_eq(ci.sha256_fingerprint, labenv_get(&lab, "CERT_SHA256"));
    ck_assert_msg(strstr(ci.subject, "CN=127.0.0.1"), "%s", ci.subject);
    ck_assert(ci.not_after > ci.not_before);
    ck_assert(!ci.verified);
    ck_assert_ptr_nonnull(ci.verify_error);
    vs_cert_info_done(&ci);
    vc_init(labenv_get(&lab, "PIN"), NULL, false);
    ck_assert_int_eq(vs_fetch_cert(&vc, &ci, &e), DR_E_OK);
    ck_assert(ci.verified);
    vs_cert_info_done(&ci);
}
END_TEST

/* Names of one type in the lab's inventory.json, sorted, joined by ','. */
static const char *skip_id; /* the root folder: a view never holds its container */

static char *
lab_names(cJSON *inv, const char *type)
{
    cJSON *arr = cJSON_GetObjectItem(inv, type), *it;
    char **v = NULL, *out = xstrdup("");

    cJSON_ArrayForEach(it, arr)
    {
        if (skip_id && strcmp(cJSON_GetObjectItem(it, "id")->valuestring, skip_id) == 0)
            continue;
        strv_push(&v, cJSON_GetObjectItem(it, "name")->valuestring);
    }
    for (size_t i = 0; v && v[i]; i++)
        for (size_t j = i + 1; v[j]; j++)
            if (strcmp(v[i], v[j]) > 0) {
                char *t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
    for (size_t i = 0; v && v[i]; i++) {
        char *n = xasprintf("%s%s%s", out, *out ? "," : "", v[i]);
        free(out);
        out = n;
    }
    strv_free(&v);
    return out;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
our_names(const struct vs_object *o, size_t n, size_t stride)
{
    char **v = xcalloc(n + 1, sizeof *v), *out = xstrdup("");

    for (size_t i = 0; i < n; i++)
        v[i] = ((const struct vs_object *)((const char *)o + i * stride))->name;
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *s = xasprintf("%s%s%s", out, *out ? "," : "", v[i]);
        free(out);
        out = s;
    }
    free(v);
    return out;
}

#define CHECK_NAMES(label, ours, n, stride, ...)                                                   \
    do {                                                                                           \
        char *want = lab_names(inv, __VA_ARGS__), *got = our_names(ours, n, stride);               \
        ck_assert_msg(strcmp(want, got) == 0, "%s: want %s got %s", label, want, got);             \
        free(want);                                                                                \
        free(got);                                                                                 \
    } while (0)

START_TEST(inventory)
{
    struct vs_session *s = login();
    struct vs_inventory i;
    struct dr_error e = {0};
    char *path = labenv_path(&lab, "inventory.json"), *json;
    cJSON *inv;
    size_t templates = 0;

    ck_assert_int_eq(util_read_file(path, &json, NULL, &e), DR_E_OK);
    inv = cJSON_Parse(json);
    ck_assert_ptr_nonnull(inv);
    ck_assert_msg(vs_inventory_get(s, &i, &e) == DR_E_OK, "%s", e.msg);
    skip_id = s->root_folder;
    CHECK_NAMES("datacenters", i.datacenters, i.n_datacenters, sizeof *i.datacenters, "Datacenter");
    CHECK_NAMES("clusters", i.clusters, i.n_clusters, sizeof *i.clusters, "ClusterComputeResource");
    CHECK_NAMES("hosts", i.hosts, i.n_hosts, sizeof *i.hosts, "HostSystem");
    CHECK_NAMES("pools", i.pools, i.n_pools, sizeof *i.pools, "ResourcePool");
    CHECK_NAMES("datastores", &i.datastores[0].obj, i.n_datastores, sizeof *i.datastores,
                "Datastore");
    CHECK_NAMES("folders", i.folders, i.n_folders, sizeof *i.folders, "Folder");
    CHECK_NAMES("vms", &i.vms[0].obj, i.n_vms, sizeof *i.vms, "VirtualMachine");
    ck_assert_int_eq(i.n_networks, (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(inv, "Network")) +
                                       (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(
                                           inv, "DistributedVirtualPortgroup")));
    ck_assert_int_eq(i.n_hosts, 4);
    for (size_t k = 0; k < i.n_vms; k++) {
        if (i.vms[k].template) {
            templates++;
            ck_assert_str_eq(i.vms[k].obj.name, labenv_get(&lab, "TEMPLATE"));
        }
        ck_assert_str_eq(i.vms[k].obj.datacenter, labenv_get(&lab, "DATACENTER"));
    }
    ck_assert_int_eq(templates, 1);
    ck_assert(i.datastores[0].capacity > 0);
    ck_assert(i.datastores[0].free_space > 0);
    /* The same in pages of 3 objects (ContinueRetrievePropertiesEx). */
    {
        struct vs_inventory paged;
        s->page_size = 3;
        ck_assert_msg(vs_inventory_get(s, &paged, &e) == DR_E_OK, "%s", e.msg);
        ck_assert_int_eq(paged.n_vms, i.n_vms);
        ck_assert_int_eq(paged.n_folders, i.n_folders);
        ck_assert_int_eq(paged.n_hosts, i.n_hosts);
        ck_assert_int_eq(paged.n_networks, i.n_networks);
        vs_inventory_done(&paged);
    }
    vs_inventory_done(&i);
    cJSON_Delete(inv);
    free(json);
    free(path);
    vs_session_free(&s);
}
END_TEST

START_TEST(find_by_path)
{
    struct vs_session *s = login();
    struct dr_error e = {0};
    char *id = NULL, *type = NULL;
    const char *tp = labenv_get(&lab, "TEMPLATE_PATH");

    ck_assert_msg(vs_find_by_path(s, tp + 1, &id, &type, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(type, "VirtualMachine");
    free(id);
    free(type);
    ck_assert_int_eq(vs_find_by_path(s, "DC0/vm/no-such-vm", &id, &type, &e), DR_E_NOTFOUND);
    ck_assert_ptr_null(id);
    vs_session_free(&s);
}
END_TEST

static char *lab_networks[2];

static void
lab_template(struct dr_template *t, enum dr_clone_mode mode)
{
    memset(t, 0, sizeof *t);
    /* Full clones go to the standard network, linked ones to the port group. */
    lab_networks[0] =
        mode == DR_CLONE_FULL ? (char *)labenv_get(&lab, "NETWORK") : (char *)"DC0_DVPG0";
    t->networks = lab_networks;
    t->name = (char *)"lab";
    t->datacenter = (char *)labenv_get(&lab, "DATACENTER");
    t->cluster = (char *)labenv_get(&lab, "CLUSTER");
    t->resource_pool = (char *)labenv_get(&lab, "POOL");
    t->datastore = (char *)labenv_get(&lab, "DATASTORE");
    t->folder = (char *)labenv_get(&lab, "FOLDER");
    t->clone_from = (char *)labenv_get(&lab, "TEMPLATE");
    t->clone_mode = mode;
}

/* The backing of a VM's first NIC: "VirtualEthernetCardNetworkBackingInfo:VM Network" or
 * "VirtualEthernetCardDistributedVirtualPortBackingInfo:<portgroup key>". */
static enum dr_err
on_nic(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    char **out = user;
    xmlNodePtr devs = vs_prop(oc, "config.hardware.device");

    for (xmlNodePtr d = devs ? devs->children : NULL; d; d = d->next) {
        xmlNodePtr b = soap_child(d, "backing");
        char *bt, *what;
        if (d->type != XML_ELEMENT_NODE || soap_child(d, "macAddress") == NULL || b == NULL)
            continue;
        bt = soap_type(b);
        what = soap_child(b, "port") ? soap_child_text(soap_child(b, "port"), "portgroupKey")
                                     : soap_child_text(b, "deviceName");
        *out = xasprintf("%s:%s", bt ? bt : "?", what ? what : "?");
        free(bt);
        free(what);
        break;
    }
    return DR_E_OK;
}

static char *
first_nic(struct vs_session *s, const char *vm)
{
    static const char *const paths[] = {"config.hardware.device", NULL};
    char *out = NULL;

    ck_assert_int_eq(vs_retrieve_one(s, "VirtualMachine", vm, paths, on_nic, &out, NULL), DR_E_OK);
    ck_assert_ptr_nonnull(out);
    return out;
}

static int progress_100;

static void
on_progress(void *user, const char *task, int pct)
{
    if (pct == 100)
        progress_100++;
}

static const char *
kv_get(const struct dr_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

static void
lifecycle(enum dr_clone_mode mode, const char *name)
{
    struct vs_session *s = login();
    struct dr_template t;
    struct vs_placement p;
    struct dr_error e = {0};
    char *vm = NULL, *found = NULL, *ip = NULL, *state = NULL;
    struct dr_kv *kv = NULL;
    size_t n = 0;
    struct vs_keyed_vm *keyed = NULL;
    bool listed = false;
    char owner[128];
    char *ignore[] = {(char *)"192.168.0.0/16", NULL};

    snprintf(owner, sizeof owner, "install-1/c1/%s", name);
    const struct dr_kv clone_kv[] = {{.key = (char *)VS_OWNER_KEY, .value = owner}};
    const struct dr_kv cfg_kv[] = {
        {.key = (char *)"guestinfo.userdata", .value = (char *)"I2Nsb3VkLWNvbmZpZwo="},
        {.key = (char *)"guestinfo.userdata.encoding", .value = (char *)"base64"},
        {.key = (char *)"SET.guest.ipAddress", .value = (char *)"192.168.7.9"},
    };
    const struct dr_kv ip_kv[] = {
        {.key = (char *)"SET.guest.ipAddress", .value = (char *)"10.20.30.40"}};

    vs_set_progress(s, on_progress, NULL);
    lab_template(&t, mode);
    ck_assert_msg(vs_resolve_placement(s, &t, &p, NULL, &e) == DR_E_OK, "%s", e.msg);
    ck_assert(mode != DR_CLONE_LINKED || p.snapshot != NULL);
    struct vs_clone_spec cs = {
        .source = p.source,
        .name = name,
        .folder = p.folder,
        .pool = p.pool,
        .datastore = p.datastore,
        .linked = mode == DR_CLONE_LINKED,
        .snapshot = p.snapshot,
        .extra_config = clone_kv,
        .n_extra_config = 1,
        .nics = p.nics,
        .n_nics = p.n_nics,
    };
    progress_100 = 0;
    ck_assert_msg(vs_clone_vm(s, &cs, &vm, &e) == DR_E_OK, "clone: %s", e.msg);
    ck_assert(progress_100 > 0);
    ck_assert_msg(vs_find_vm(s, p.folder, name, &found, &e) == DR_E_OK, "find: %s", e.msg);
    ck_assert_str_eq(found, vm);
    {
        char *nic = first_nic(s, vm), *want;
        ck_assert_int_eq(p.n_nics, 1);
        want =
            mode == DR_CLONE_FULL
                ? xasprintf("VirtualEthernetCardNetworkBackingInfo:%s", labenv_get(&lab, "NETWORK"))
                : xasprintf("VirtualEthernetCardDistributedVirtualPortBackingInfo:%s",
                            p.nics[0].portgroup_key);
        ck_assert_str_eq(nic, want);
        free(nic);
        free(want);
    }

    struct vs_reconfig rc = {
        .cpus = 2, .memory_mib = 2048, .disk_gib = 10, .extra_config = cfg_kv, .n_extra_config = 3};
    ck_assert_msg(vs_reconfigure_vm(s, vm, &rc, &e) == DR_E_OK, "reconfigure: %s", e.msg);
    ck_assert_msg(vs_get_extra_config(s, vm, &kv, &n, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(kv_get(kv, n, "guestinfo.userdata"), "I2Nsb3VkLWNvbmZpZwo=");
    ck_assert_str_eq(kv_get(kv, n, VS_OWNER_KEY), owner);
    vs_kv_free(kv, n);

    ck_assert_msg(vs_power_on(s, vm, &e) == DR_E_OK, "power on: %s", e.msg);
    ck_assert_msg(vs_power_on(s, vm, &e) == DR_E_OK, "power on again: %s", e.msg);
    ck_assert_int_eq(vs_vm_power_state(s, vm, &state, &e), DR_E_OK);
    ck_assert_str_eq(state, "poweredOn");
    xfree(&state);
    /* The only address is in an ignored range: no IP within the timeout. */
    ck_assert_int_eq(vs_wait_for_ip(s, vm, NULL, ignore, 1, &ip, &e), DR_E_TIMEOUT);
    ck_assert_int_eq(
        vs_reconfigure_vm(s, vm, &(struct vs_reconfig){.extra_config = ip_kv, .n_extra_config = 1},
                          &e),
        DR_E_OK);
    ck_assert_msg(vs_wait_for_ip(s, vm, NULL, ignore, 30, &ip, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(ip, "10.20.30.40");
    xfree(&ip);

    ck_assert_int_eq(vs_list_vms_with_key(s, VS_OWNER_KEY, &keyed, &n, &e), DR_E_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(keyed[i].id, vm) == 0) {
            listed = true;
            ck_assert_str_eq(keyed[i].value, owner);
            ck_assert_str_eq(keyed[i].power_state, "poweredOn");
        }
    ck_assert(listed);
    vs_keyed_vms_free(keyed, n);

    ck_assert_msg(vs_shutdown(s, vm, 10, &e) == DR_E_OK, "shutdown: %s", e.msg);
    ck_assert_int_eq(vs_vm_power_state(s, vm, &state, &e), DR_E_OK);
    ck_assert_str_eq(state, "poweredOff");
    xfree(&state);
    ck_assert_msg(vs_destroy_vm(s, vm, &e) == DR_E_OK, "destroy: %s", e.msg);
    ck_assert_int_eq(vs_find_vm(s, p.folder, name, &ip, &e), DR_E_NOTFOUND);
    ck_assert_ptr_null(ip);
    ck_assert_int_eq(vs_vm_power_state(s, vm, &state, &e), DR_E_NOTFOUND);
    free(found);
    free(vm);
    vs_placement_done(&p);
    vs_session_free(&s);
}

START_TEST(lifecycle_full)
{
    lifecycle(DR_CLONE_FULL, "node-full-1");
}
END_TEST

START_TEST(lifecycle_linked)
{
    lifecycle(DR_CLONE_LINKED, "node-linked-1");
}
END_TEST

START_TEST(faults)
{
    struct vs_session *s = login();
    struct dr_template t;
    struct vs_placement p;
    struct dr_error e = {0};
    char *vm = NULL;

    lab_template(&t, DR_CLONE_FULL);
    ck_assert_int_eq(vs_resolve_placement(s, &t, &p, NULL, &e), DR_E_OK);

    struct vs_clone_spec cs = {.source = p.source,
                               .name = "bad-ds",
                               .folder = p.folder,
                               .pool = p.pool,
                               .datastore = "datastore-does-not-exist"};
    ck_assert_int_eq(vs_clone_vm(s, &cs, &vm, &e), DR_E_FAULT);
    ck_assert_str_eq(vs_last_fault(s), "ManagedObjectNotFound");
    ck_assert_msg(strstr(e.msg, "datastore-does-not-exist") && strstr(e.msg, "CloneVM_Task"), "%s",
                  e.msg);

    cs.datastore = p.datastore;
    cs.pool = "resgroup-does-not-exist";
    ck_assert_int_eq(vs_clone_vm(s, &cs, &vm, &e), DR_E_FAULT);
    ck_assert_str_eq(vs_last_fault(s), "ManagedObjectNotFound");
    ck_assert_msg(strstr(e.msg, "resgroup-does-not-exist"), "%s", e.msg);

    ck_assert_int_eq(vs_power_on(s, p.source, &e), DR_E_FAULT);
    ck_assert_msg(strstr(e.msg, "template"), "power on a template: %s", e.msg);

    cs.pool = p.pool;
    cs.name = "on-and-destroyed";
    ck_assert_int_eq(vs_clone_vm(s, &cs, &vm, &e), DR_E_OK);
    ck_assert_int_eq(vs_power_on(s, vm, &e), DR_E_OK);
    ck_assert_int_eq(vs_destroy_vm(s, vm, &e), DR_E_FAULT);
    ck_assert_str_eq(vs_last_fault(s), "InvalidPowerState");
    ck_assert_msg(strstr(e.msg, "poweredOn"), "%s", e.msg);
    ck_assert_int_eq(vs_power_off(s, vm, &e), DR_E_OK);
    /* A guest shutdown of a VM that is off: the fault falls back to power-off. */
    ck_assert_msg(vs_shutdown(s, vm, 5, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_int_eq(vs_destroy_vm(s, vm, &e), DR_E_OK);

    t.resource_pool = (char *)"no-such-pool";
    ck_assert_int_eq(vs_resolve_placement(s, &t, &(struct vs_placement){0}, NULL, &e), DR_E_INVAL);
    ck_assert_msg(strstr(e.msg, "resource_pool") && strstr(e.msg, "no-such-pool"), "%s", e.msg);
    free(vm);
    vs_placement_done(&p);
    vs_session_free(&s);
}
END_TEST

/* One session per thread, all at once (the engine's worker model). */
static void *
thread_work(void *arg)
{
    struct vs_session *s = NULL;
    struct vs_inventory inv;
    struct dr_error e = {0};
    long ok = 0;

    if (vs_session_new(&vc, labenv_get(&lab, "PASSWORD"), &s, &e) == DR_E_OK &&
        vs_login(s, &e) == DR_E_OK) {
        for (int i = 0; i < 5; i++) {
            if (vs_inventory_get(s, &inv, &e) != DR_E_OK)
                break;
            ok += inv.n_vms > 0;
            vs_inventory_done(&inv);
        }
    }
    vs_session_free(&s);
    return (void *)ok;
}

START_TEST(threads)
{
    pthread_t th[6];
    void *ok;

    vc_init(labenv_get(&lab, "PIN"), NULL, false);
    for (size_t i = 0; i < DR_ARRAY_LEN(th); i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_work, NULL), 0);
    for (size_t i = 0; i < DR_ARRAY_LEN(th); i++) {
        pthread_join(th[i], &ok);
        ck_assert_int_eq((long)ok, 5);
    }
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("vsphere_lab");
    TCase *tc = tcase_create("lab");
    SRunner *sr;
    int failed;
    struct dr_error e = {0};

    labenv_require();
    if (vs_global_init(&e) != DR_E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    tcase_add_unchecked_fixture(tc, lab_setup, lab_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, login_good);
    tcase_add_test(tc, login_bad);
    tcase_add_test(tc, tls_policy);
    tcase_add_test(tc, cert_fetch);
    tcase_add_test(tc, inventory);
    tcase_add_test(tc, find_by_path);
    tcase_add_test(tc, lifecycle_full);
    tcase_add_test(tc, lifecycle_linked);
    tcase_add_test(tc, faults);
    tcase_add_test(tc, threads);
    suite_add_tcase(su, tc);
    sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    vs_global_cleanup();
    return failed ? 1 : 0;
}
