/* The console's inventory requests through the engine, against an in-memory
 * backend: the answer comes as an event naming the request, the cache serves
 * a second request without a fetch and a refresh bypasses it, an abandoned
 * request's late answer is dropped, failures are reported, read-only and
 * unknown vCenters are refused; and the template values a picker offers
 * (inventory_finish) are what vs_resolve_placement reads. The same flow runs
 * against the lab in tests/integration/inventory.t. */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/engine.h"

enum dr_err engine_new_with_backend(const struct dr_store *store,
                                    const struct dr_engine_options *opts,
                                    const struct eng_backend *backend, struct dr_engine **out,
                                    struct dr_error *e);

static struct {
    pthread_mutex_t mu;
    int calls;      /* inventory calls started */
    int returned;   /* and finished */
    bool hold;      /* block until released or cancelled */
    bool cancelled; /* the last call saw its cancel flag */
    enum dr_err fail;
} fk = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
item(struct dr_inventory *inv, enum dr_inv_kind k, const char *name, const char *path,
     const char *compute)
{
    struct dr_inv_item *it;

    inv->items = xrealloc(inv->items, (inv->n + 1) * sizeof *inv->items);
    it = &inv->items[inv->n++];
    memset(it, 0, sizeof *it);
    it->kind = k;
    it->id = xasprintf("obj-%zu", inv->n);
    it->name = xstrdup(name);
    it->path = xstrdup(path);
    it->datacenter = k == DR_INV_DATACENTER ? NULL : xstrdup("DC0");
    it->compute = xstrdup0(compute);
}

static enum dr_err
f_inventory(void *ctx, const struct dr_vcenter *vc, atomic_bool *cancel, struct dr_inventory *out,
            struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    fk.calls++;
    pthread_mutex_unlock(&fk.mu);
    for (;;) {
        bool hold;

        pthread_mutex_lock(&fk.mu);
        hold = fk.hold;
        pthread_mutex_unlock(&fk.mu);
        if (!hold)
            break;
        if (atomic_load(cancel)) {
            pthread_mutex_lock(&fk.mu);
            fk.cancelled = true;
            fk.returned++;
            pthread_mutex_unlock(&fk.mu);
            return dr_error_set(e, DR_E_CANCELLED, "cancelled");
        }
        usleep(1000);
    }
    if (fk.fail != DR_E_OK) {
        pthread_mutex_lock(&fk.mu);
        fk.returned++;
        pthread_mutex_unlock(&fk.mu);
        return dr_error_set(e, fk.fail, "vCenter %s: cannot log in as %s: InvalidLogin", vc->name,
                            vc->user);
    }
    memset(out, 0, sizeof *out);
    item(out, DR_INV_VM, "web-1", "DC0/vm/k8s/web-1", NULL);
    item(out, DR_INV_DATACENTER, "DC0", "DC0", NULL);
    item(out, DR_INV_CLUSTER, "DC0_C0", "DC0/host/DC0_C0", NULL);
    item(out, DR_INV_HOST, "DC0_C0_H0", "DC0/host/DC0_C0/DC0_C0_H0", "DC0/host/DC0_C0");
    item(out, DR_INV_HOST, "DC0_H0", "DC0/host/DC0_H0/DC0_H0", "DC0/host/DC0_H0");
    item(out, DR_INV_POOL, "Resources", "DC0/host/DC0_C0/Resources", "DC0/host/DC0_C0");
    item(out, DR_INV_POOL, "web", "DC0/host/DC0_C0/Resources/web", "DC0/host/DC0_C0");
    item(out, DR_INV_POOL, "Resources", "DC0/host/DC0_H0/Resources", "DC0/host/DC0_H0");
    item(out, DR_INV_DATASTORE, "ds1", "DC0/datastore/pod1/ds1", NULL);
    item(out, DR_INV_DATASTORE_CLUSTER, "pod1", "DC0/datastore/pod1", NULL);
    item(out, DR_INV_DATASTORE, "fast", "DC0/datastore/pod1/fast", NULL);
    item(out, DR_INV_DATASTORE_CLUSTER, "fast", "DC0/datastore/fast", NULL);
    item(out, DR_INV_FOLDER, "vm", "DC0/vm", NULL);
    item(out, DR_INV_FOLDER, "k8s", "DC0/vm/k8s", NULL);
    item(out, DR_INV_FOLDER, "k8s", "DC0/vm/teamA/k8s", NULL);
    item(out, DR_INV_NETWORK, "k8s-net", "DC0/network/k8s-net", NULL);
    item(out, DR_INV_NETWORK, "k8s-net", "DC0/network/sw01/k8s-net", NULL);
    item(out, DR_INV_FOLDER, "host", "DC0/host", NULL);
    item(out, DR_INV_NETWORK, "VM Network", "DC0/network/VM Network", NULL);
    item(out, DR_INV_TEMPLATE, "ubuntu", "DC0/vm/ubuntu", NULL);
    out->items[out->n - 1].snapshots = strv_dup((char *[]){ "base", "patched", NULL });
    pthread_mutex_lock(&fk.mu);
    fk.returned++;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_list_owned(void *t, const struct dr_vcenter *vc, const char *prefix, struct eng_vm **out,
             size_t *n, struct dr_error *e)
{
    *out = NULL;
    *n = 0;
    return DR_E_OK;
}

/* What the last preflight's check_templates was given. */
static struct {
    int calls;
    size_t n;
    char name[32];
    int cpus;
    int new_vms;
    bool preflight;
    char cluster[32];
} ck;

/* A template with one CPU is an error, so that findings come back. */
static enum dr_err
f_check_templates(void *tctx, struct eng_step *s, const struct eng_check_item *items, size_t n,
                  const struct eng_check_opts *opts, struct eng_problems *out,
                  struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    ck.calls++;
    ck.n = n;
    snprintf(ck.name, sizeof ck.name, "%s", n ? items[0].tmpl->name : "");
    ck.cpus = n ? items[0].tmpl->cpus : 0;
    ck.new_vms = n ? items[0].new_vms : 0;
    ck.preflight = opts && opts->preflight;
    snprintf(ck.cluster, sizeof ck.cluster, "%s", opts && opts->cluster ? opts->cluster : "");
    pthread_mutex_unlock(&fk.mu);
    for (size_t i = 0; i < n; i++)
        if (items[i].tmpl->cpus == 1)
            eng_problem_add(out, items[i].tmpl, DR_TF_CPUS, NULL, "one CPU is too few");
    return DR_E_OK;
}

static const struct eng_backend_ops fake_ops = {
    .list_owned = f_list_owned,
    .inventory = f_inventory,
    .check_templates = f_check_templates,
};

static char cfgdir[64], statedir[64];

static void
setup(void)
{
    char base[] = "/tmp/drover-requests-XXXXXX";
    char *path;
    const char *vcs = "vcenters = ( { name = \"lab\"; url = \"https://127.0.0.1:1/sdk\";"
                      " user = \"u\"; password = \"p\"; } );\n";

    pthread_mutex_lock(&fk.mu);
    fk.calls = fk.returned = 0;
    fk.hold = fk.cancelled = false;
    fk.fail = DR_E_OK;
    pthread_mutex_unlock(&fk.mu);
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(cfgdir, sizeof cfgdir, "%s/config", base);
    snprintf(statedir, sizeof statedir, "%s/state", base);
    ck_assert_int_eq(util_mkdir_p(cfgdir, 0700, NULL), DR_E_OK);
    path = util_path_join(cfgdir, "vcenters.cfg");
    ck_assert_int_eq(util_write_atomic(path, vcs, strlen(vcs), 0600, NULL), DR_E_OK);
    free(path);
}

static struct dr_engine *
start(bool read_only)
{
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_engine *eng = NULL;
    struct eng_backend b = { .ops = &fake_ops };
    struct dr_engine_options o = { .read_only = read_only, .workers = 1 };

    ck_assert_int_eq(store_init(&s, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_msg(store_load(&s, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_msg(engine_new_with_backend(&s, &o, &b, &eng, &e) == DR_E_OK, "%s", e.msg);
    store_done(&s);
    return eng;
}

/* Wait (bounded) for the DR_EV_REQUEST event of id; copies its text. */
static bool
wait_answer(struct dr_engine *eng, unsigned id, enum dr_log_level *level, char *text, size_t len)
{
    long long deadline = util_now_ms() + 20000;

    while (util_now_ms() < deadline) {
        struct pollfd p = { .fd = engine_wake_fd(eng), .events = POLLIN };
        struct dr_event *ev;
        bool found = false;
        size_t n;

        poll(&p, 1, 50);
        n = engine_drain_events(eng, &ev);
        for (size_t k = 0; k < n; k++)
            if (ev[k].kind == DR_EV_REQUEST && ev[k].request == id) {
                found = true;
                if (level)
                    *level = ev[k].level;
                if (text)
                    snprintf(text, len, "%s", ev[k].text);
            }
        engine_events_free(ev, n);
        if (found)
            return true;
    }
    return false;
}

static int
calls(void)
{
    int n;

    pthread_mutex_lock(&fk.mu);
    n = fk.calls;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

static const struct dr_inv_item *
find(const struct dr_inventory *inv, enum dr_inv_kind k, const char *path)
{
    for (size_t i = 0; i < inv->n; i++)
        if (inv->items[i].kind == k && str_eq(inv->items[i].path, path))
            return &inv->items[i];
    return NULL;
}

START_TEST(answer_event_and_values)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    enum dr_log_level level = DR_LOG_DEBUG;
    struct dr_inventory *inv;
    const struct dr_inv_item *it;
    unsigned id = 0;
    char text[256];

    ck_assert_ptr_null(engine_inventory(eng, "lab"));
    ck_assert_msg(engine_request_inventory(eng, "lab", false, &id, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_uint_gt(id, 0);
    ck_assert(wait_answer(eng, id, &level, text, sizeof text));
    ck_assert_int_eq(level, DR_LOG_INFO);
    ck_assert_str_eq(text, "");
    inv = engine_inventory(eng, "lab");
    ck_assert_ptr_nonnull(inv);
    ck_assert_str_eq(inv->vcenter, "lab");
    ck_assert_uint_eq(inv->n, 20);
    /* Sorted by kind, then path. */
    for (size_t i = 1; i < inv->n; i++)
        ck_assert(inv->items[i - 1].kind < inv->items[i].kind ||
                  (inv->items[i - 1].kind == inv->items[i].kind &&
                   strcmp(inv->items[i - 1].path, inv->items[i].path) < 0));
    it = find(inv, DR_INV_DATACENTER, "DC0");
    ck_assert_str_eq(it->value, "DC0");
    ck_assert_str_eq(find(inv, DR_INV_CLUSTER, "DC0/host/DC0_C0")->value, "DC0_C0");
    /* A pool carries its compute cluster; the root pool is the default (""). */
    it = find(inv, DR_INV_POOL, "DC0/host/DC0_C0/Resources/web");
    ck_assert_str_eq(it->value, "web");
    ck_assert_str_eq(it->compute, "DC0_C0");
    ck_assert(it->in_cluster);
    ck_assert_str_eq(find(inv, DR_INV_POOL, "DC0/host/DC0_C0/Resources")->value, "");
    it = find(inv, DR_INV_POOL, "DC0/host/DC0_H0/Resources");
    ck_assert_str_eq(it->compute, "DC0_H0");
    ck_assert(!it->in_cluster);
    /* A host in a cluster by its name; a standalone one by its compute resource. */
    it = find(inv, DR_INV_HOST, "DC0/host/DC0_C0/DC0_C0_H0");
    ck_assert_str_eq(it->value, "DC0_C0_H0");
    ck_assert(it->in_cluster);
    it = find(inv, DR_INV_HOST, "DC0/host/DC0_H0/DC0_H0");
    ck_assert_str_eq(it->value, "DC0_H0");
    ck_assert(!it->in_cluster);
    /* A datastore inside a datastore cluster. */
    ck_assert_str_eq(find(inv, DR_INV_DATASTORE, "DC0/datastore/pod1/ds1")->value, "pod1/ds1");
    ck_assert_str_eq(find(inv, DR_INV_DATASTORE_CLUSTER, "DC0/datastore/pod1")->value, "pod1");
    /* A template's datastore names a datastore or a datastore cluster:
     * placement finds a cluster and a datastore of one name ambiguous, so
     * the cluster "fast" is offered by its full path (the datastore by its
     * path in pod1). */
    ck_assert_str_eq(find(inv, DR_INV_DATASTORE_CLUSTER, "DC0/datastore/fast")->value,
                     "DC0/datastore/fast");
    ck_assert_str_eq(find(inv, DR_INV_DATASTORE, "DC0/datastore/pod1/fast")->value, "pod1/fast");
    /* Folders: under vm/ only; vm/ itself is the default. */
    /* A name two objects of a kind share is not offered bare (placement
     * would refuse it as ambiguous): the one directly below gets its full
     * path, the deeper one its path below vm/ or network/. */
    ck_assert_str_eq(find(inv, DR_INV_FOLDER, "DC0/vm/k8s")->value, "DC0/vm/k8s");
    ck_assert_str_eq(find(inv, DR_INV_FOLDER, "DC0/vm/teamA/k8s")->value, "teamA/k8s");
    ck_assert_str_eq(find(inv, DR_INV_NETWORK, "DC0/network/k8s-net")->value,
                     "DC0/network/k8s-net");
    ck_assert_str_eq(find(inv, DR_INV_NETWORK, "DC0/network/sw01/k8s-net")->value,
                     "sw01/k8s-net");
    ck_assert_str_eq(find(inv, DR_INV_FOLDER, "DC0/vm")->value, "");
    ck_assert_ptr_null(find(inv, DR_INV_FOLDER, "DC0/host")->value);
    ck_assert_str_eq(find(inv, DR_INV_NETWORK, "DC0/network/VM Network")->value, "VM Network");
    /* clone_from: a name in vm/, else a path below the datacenter. */
    it = find(inv, DR_INV_TEMPLATE, "DC0/vm/ubuntu");
    ck_assert_str_eq(it->value, "ubuntu");
    ck_assert_str_eq(it->snapshots[1], "patched");
    ck_assert_str_eq(find(inv, DR_INV_VM, "DC0/vm/k8s/web-1")->value, "vm/k8s/web-1");
    inventory_free(&inv);
    ck_assert_ptr_null(inv);
    engine_free(&eng);
}
END_TEST

START_TEST(cache_and_refresh)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    unsigned a, b, c;

    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &a, &e), DR_E_OK);
    ck_assert(wait_answer(eng, a, NULL, NULL, 0));
    ck_assert_int_eq(calls(), 1);
    /* From the cache: answered, no second fetch. */
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &b, &e), DR_E_OK);
    ck_assert_uint_ne(a, b);
    ck_assert(wait_answer(eng, b, NULL, NULL, 0));
    ck_assert_int_eq(calls(), 1);
    /* A refresh fetches again. */
    ck_assert_int_eq(engine_request_inventory(eng, "lab", true, &c, &e), DR_E_OK);
    ck_assert(wait_answer(eng, c, NULL, NULL, 0));
    ck_assert_int_eq(calls(), 2);
    engine_free(&eng);
}
END_TEST

START_TEST(abandon_drops_late_answer)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    struct dr_inventory *inv;
    unsigned id;
    long long deadline;
    bool returned = false;

    pthread_mutex_lock(&fk.mu);
    fk.hold = true;
    pthread_mutex_unlock(&fk.mu);
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &id, &e), DR_E_OK);
    deadline = util_now_ms() + 10000;
    while (calls() == 0 && util_now_ms() < deadline)
        usleep(1000);
    ck_assert_int_eq(calls(), 1);
    engine_abandon_request(eng, id);
    /* The fetch sees its cancel flag and returns. */
    deadline = util_now_ms() + 10000;
    while (!returned && util_now_ms() < deadline) {
        pthread_mutex_lock(&fk.mu);
        returned = fk.returned == 1;
        pthread_mutex_unlock(&fk.mu);
        usleep(1000);
    }
    ck_assert(returned);
    ck_assert(fk.cancelled);
    /* ... and no answer comes: a follow-up request's answer comes, that one
     * does not. */
    pthread_mutex_lock(&fk.mu);
    fk.hold = false;
    pthread_mutex_unlock(&fk.mu);
    {
        unsigned next;
        struct pollfd p = { .fd = engine_wake_fd(eng), .events = POLLIN };
        struct dr_event *ev;
        size_t n;
        bool saw_old = false, saw_next = false;

        ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &next, &e), DR_E_OK);
        deadline = util_now_ms() + 20000;
        while (!saw_next && util_now_ms() < deadline) {
            poll(&p, 1, 50);
            n = engine_drain_events(eng, &ev);
            for (size_t k = 0; k < n; k++) {
                saw_old |= ev[k].kind == DR_EV_REQUEST && ev[k].request == id;
                saw_next |= ev[k].kind == DR_EV_REQUEST && ev[k].request == next;
            }
            engine_events_free(ev, n);
        }
        ck_assert(saw_next);
        ck_assert(!saw_old);
    }
    inv = engine_inventory(eng, "lab");
    ck_assert_ptr_nonnull(inv);
    inventory_free(&inv);
    engine_free(&eng);
}
END_TEST

START_TEST(free_cancels_inflight)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    unsigned id;

    pthread_mutex_lock(&fk.mu);
    fk.hold = true;
    pthread_mutex_unlock(&fk.mu);
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &id, &e), DR_E_OK);
    engine_free(&eng); /* joins the request after cancelling it: no hang, no leak */
    ck_assert_ptr_null(eng);
}
END_TEST

START_TEST(failure_is_reported)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    enum dr_log_level level = DR_LOG_DEBUG;
    char text[256] = "";
    unsigned id;

    fk.fail = DR_E_AUTH;
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &id, &e), DR_E_OK);
    ck_assert(wait_answer(eng, id, &level, text, sizeof text));
    ck_assert_int_eq(level, DR_LOG_ERROR);
    ck_assert_msg(strstr(text, "InvalidLogin") != NULL, "%s", text);
    ck_assert_ptr_null(engine_inventory(eng, "lab"));
    engine_free(&eng);
}
END_TEST

START_TEST(save_vcenter)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    struct dr_vcenter vc = { .name = "second", .url = "https://127.0.0.1:2/sdk", .user = "u2",
                             .password_env = "VC2_PW", .timeout_s = 60 };
    struct dr_store s;
    unsigned id;

    ck_assert_msg(engine_save_vcenter(eng, &vc, &e) == DR_E_OK, "%s", e.msg);
    /* The engine knows it at once: a request for it goes out. */
    ck_assert_int_eq(engine_request_inventory(eng, "second", false, &id, &e), DR_E_OK);
    ck_assert(wait_answer(eng, id, NULL, NULL, 0));
    engine_free(&eng);
    ck_assert_int_eq(store_init(&s, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_int_eq(store_load(&s, &e), DR_E_OK);
    ck_assert_uint_eq(s.n_diags, 0);
    ck_assert_uint_eq(s.n_vcenters, 2);
    ck_assert_str_eq(store_find_vcenter(&s, "second")->password_env, "VC2_PW");
    store_done(&s);
}
END_TEST

START_TEST(refusals)
{
    struct dr_engine *eng = start(false);
    struct dr_error e = { 0 };
    unsigned id = 7;

    ck_assert_int_eq(engine_request_inventory(eng, "nope", false, &id, &e), DR_E_NOTFOUND);
    ck_assert_uint_eq(id, 0);
    ck_assert_ptr_nonnull(strstr(e.msg, "nope"));
    engine_free(&eng);
    eng = start(true);
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &id, &e), DR_E_READONLY);
    ck_assert_int_eq(calls(), 0);
    /* Onboarding is refused too, and nothing is written. */
    {
        struct dr_vcenter vc = { .name = "new", .url = "https://127.0.0.1:1/sdk", .user = "u",
                                 .password = "p", .timeout_s = 60 };
        char *path = util_path_join(cfgdir, "vcenters.cfg");
        char *before = NULL, *after = NULL;
        size_t len;

        ck_assert_int_eq(util_read_file(path, &before, &len, NULL), DR_E_OK);
        ck_assert_int_eq(engine_request_cert(eng, &vc, &id, &e), DR_E_READONLY);
        ck_assert_int_eq(engine_request_login(eng, &vc, &id, &e), DR_E_READONLY);
        ck_assert_int_eq(engine_save_vcenter(eng, &vc, &e), DR_E_READONLY);
        ck_assert_int_eq(util_read_file(path, &after, &len, NULL), DR_E_OK);
        ck_assert_str_eq(before, after);
        free(before);
        free(after);
        free(path);
    }
    engine_free(&eng);
}
END_TEST

/* engine_request_preflight_spec: a spec that is not saved is checked on a
 * request thread, with copies (the caller frees its spec and template at
 * once); an unsaved template stands in for the saved one of its name; the
 * answer is one event and the result is taken once; nothing is written. */
START_TEST(preflight_spec_unsaved)
{
    const char *tf = "vcenter = \"lab\"; datacenter = \"DC0\"; datastore = \"ds1\";\n"
                     "clone_from = \"ubuntu\"; cpus = 2;\n";
    char *tdir = util_path_join(cfgdir, "templates"), *path = util_path_join(tdir, "w.cfg");
    char *cdir = util_path_join(cfgdir, "clusters"), text[256];
    struct dr_engine *eng;
    struct dr_error e = { 0 };
    struct dr_preflight *pf;
    enum dr_log_level level;
    unsigned id = 0;

    ck_assert_int_eq(util_mkdir_p(tdir, 0700, NULL), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, tf, strlen(tf), 0600, NULL), DR_E_OK);
    memset(&ck, 0, sizeof ck);
    eng = start(false);
    for (int round = 0; round < 2; round++) {
        struct dr_cluster *spec = xcalloc(1, sizeof *spec);
        struct dr_template *t = NULL;

        spec->name = xstrdup("fresh");
        spec->vcenter = xstrdup("lab");
        spec->pools = xcalloc(1, sizeof *spec->pools);
        spec->n_pools = 1;
        spec->pools[0].name = xstrdup("p");
        spec->pools[0].template = xstrdup("w");
        spec->pools[0].quantity = 2;
        spec->pools[0].roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE | DR_ROLE_WORKER;
        if (round == 0) { /* the editor's test: the form's template, unsaved */
            t = xcalloc(1, sizeof *t);
            t->name = xstrdup("w");
            t->vcenter = xstrdup("lab");
            t->datacenter = xstrdup("DC0");
            t->datastore = xstrdup("ds1");
            t->clone_from = xstrdup("ubuntu");
            t->cpus = 1;
            t->memory_mib = 2048;
            t->ssh_port = 22;
        }
        ck_assert_msg(engine_request_preflight_spec(eng, spec, t, &id, &e) == DR_E_OK, "%s",
                      e.msg);
        ck_assert_uint_ne(id, 0);
        /* Copies were taken: the caller's go at once. */
        cluster_done(spec);
        free(spec);
        if (t) {
            template_done(t);
            free(t);
        }
        ck_assert(wait_answer(eng, id, &level, text, sizeof text));
        ck_assert_int_eq(level, DR_LOG_INFO);
        pf = engine_take_preflight(eng, id);
        ck_assert_ptr_nonnull(pf);
        ck_assert_ptr_null(engine_take_preflight(eng, id)); /* once */
        pthread_mutex_lock(&fk.mu);
        ck_assert_int_eq(ck.calls, round + 1);
        ck_assert_uint_eq(ck.n, 1);
        ck_assert_str_eq(ck.name, "w");
        ck_assert(ck.preflight);
        ck_assert_str_eq(ck.cluster, "fresh");
        ck_assert_int_eq(ck.new_vms, 2); /* no state: both nodes are new */
        /* Round 0 checked the unsaved template, round 1 the file's. */
        ck_assert_int_eq(ck.cpus, round == 0 ? 1 : 2);
        pthread_mutex_unlock(&fk.mu);
        ck_assert_uint_eq(pf->errors, round == 0 ? 1 : 0);
        ck_assert_ptr_nonnull(strstr(text, round == 0 ? "1 error(s)" : "0 error(s)"));
        preflight_free(&pf);
    }
    /* Nothing was saved: no cluster file, the template file as it was. */
    {
        char *cpath = util_path_join(cdir, "fresh.cfg"), *now = NULL;
        size_t len;

        ck_assert_int_ne(access(cpath, F_OK), 0);
        ck_assert_int_eq(util_read_file(path, &now, &len, NULL), DR_E_OK);
        ck_assert_str_eq(now, tf);
        free(now);
        free(cpath);
    }
    engine_free(&eng);
    free(path);
    free(tdir);
    free(cdir);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("engine_requests");
    TCase *t = tcase_create("inventory");

    tcase_add_checked_fixture(t, setup, NULL);
    tcase_add_test(t, answer_event_and_values);
    tcase_add_test(t, cache_and_refresh);
    tcase_add_test(t, abandon_drops_late_answer);
    tcase_add_test(t, free_cancels_inflight);
    tcase_add_test(t, failure_is_reported);
    tcase_add_test(t, refusals);
    tcase_add_test(t, save_vcenter);
    tcase_add_test(t, preflight_spec_unsaved);
    suite_add_tcase(s, t);
    return s;
}

int
main(void)
{
    SRunner *r = srunner_create(suite());
    int failed;

    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
