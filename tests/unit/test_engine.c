/* The engine's decisions (pipeline order, first server first, scale up and
 * down, retries and ERROR, retry from the failed step, cancel, delete,
 * read-only, the lock, crash recovery) against an in-memory backend. The
 * same flows run against the real lab in tests/integration/engine-*.t. */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/keys.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/journal.h"

enum dr_err engine_new_with_backend(const struct dr_store *store,
                                    const struct dr_engine_options *opts,
                                    const struct eng_backend *backend, struct dr_engine **out,
                                    struct dr_error *e);

/* An in-memory vCenter with fault injection. */
struct fake_vm {
    char *id, *name, *owner;
    bool on;
};

static struct fake {
    pthread_mutex_t mu;
    struct fake_vm vms[256];
    int n_vms;
    int next_id;
    /* Fault: fail `fail_step` of node `fail_node` `fail_count` times with fail_code. */
    enum dr_node_state fail_step;
    char fail_node[64];
    int fail_count;
    enum dr_err fail_code;
    char fail_cause[64]; /* the injected error's cause ("" none) */
    /* When set, an injected fault also re-marks the node's VM with this
     * owner (someone else took it over meanwhile). */
    char remark_owner[64];
    /* Order of bootstraps: the first server must finish before others start. */
    char boot_log[2048];
    int step_delay_ms;
    int clones;
} fk;

static void
fake_reset(void)
{
    for (int i = 0; i < fk.n_vms; i++) {
        free(fk.vms[i].id);
        free(fk.vms[i].name);
        free(fk.vms[i].owner);
    }
    memset(&fk, 0, sizeof fk);
    pthread_mutex_init(&fk.mu, NULL);
    fk.fail_step = DR_NODE__COUNT;
}

static struct fake_vm *
fake_add_vm(const char *name, const char *owner)
{
    struct fake_vm *v = &fk.vms[fk.n_vms++];

    v->id = xasprintf("vm-%d", ++fk.next_id);
    v->name = xstrdup(name);
    v->owner = xstrdup0(owner);
    return v;
}

static int
fake_find(const char *id)
{
    for (int i = 0; i < fk.n_vms; i++)
        if (str_eq(fk.vms[i].id, id))
            return i;
    return -1;
}

static enum dr_err
fake_fault(struct eng_step *s, struct dr_error *e)
{
    enum dr_err rc = DR_E_OK;

    if (fk.step_delay_ms) {
        struct timespec ts = { 0, fk.step_delay_ms * 1000000L };
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&fk.mu);
    if (s->step == fk.fail_step && str_eq(s->node.name, fk.fail_node) && fk.fail_count > 0) {
        fk.fail_count--;
        rc = dr_error_set(e, fk.fail_code, "injected fault in %s on %s",
                          node_state_key(s->step), s->node.name);
        if (fk.fail_cause[0])
            dr_error_cause(e, "%s", fk.fail_cause);
        if (fk.remark_owner[0] && s->node.vm_id && fake_find(s->node.vm_id) >= 0) {
            struct fake_vm *v = &fk.vms[fake_find(s->node.vm_id)];

            free(v->owner);
            v->owner = xstrdup(fk.remark_owner);
        }
    }
    pthread_mutex_unlock(&fk.mu);
    return rc;
}

static enum dr_err
f_find_vm(void *t, struct eng_step *s, const char *name, struct eng_vm *vm, bool *found,
          struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    *found = false;
    for (int i = 0; i < fk.n_vms; i++)
        if (str_eq(fk.vms[i].name, name)) {
            *found = true;
            vm->id = xstrdup(fk.vms[i].id);
            vm->name = xstrdup(name);
            vm->owner = xstrdup0(fk.vms[i].owner);
            break;
        }
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_vm_exists(void *t, struct eng_step *s, const char *id, bool *exists, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    *exists = fake_find(id) >= 0;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_vm_owner(void *t, struct eng_step *s, const char *id, bool *exists, char **owner,
           struct dr_error *e)
{
    int i;

    pthread_mutex_lock(&fk.mu);
    i = fake_find(id);
    *exists = i >= 0;
    *owner = i >= 0 ? xstrdup0(fk.vms[i].owner) : NULL;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_list_owned(void *t, const struct dr_vcenter *vc, const char *prefix, struct eng_vm **out,
             size_t *n, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    *out = xcalloc((size_t)fk.n_vms + 1, sizeof **out);
    *n = 0;
    for (int i = 0; i < fk.n_vms; i++)
        if (fk.vms[i].owner && str_has_prefix(fk.vms[i].owner, prefix)) {
            (*out)[*n].id = xstrdup(fk.vms[i].id);
            (*out)[*n].name = xstrdup(fk.vms[i].name);
            (*out)[*n].owner = xstrdup(fk.vms[i].owner);
            (*n)++;
        }
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_clone(void *t, struct eng_step *s, struct dr_error *e)
{
    enum dr_err rc = fake_fault(s, e);

    if (rc != DR_E_OK)
        return rc;
    pthread_mutex_lock(&fk.mu);
    s->node.vm_id = xstrdup(fake_add_vm(s->node.name, s->owner)->id);
    fk.clones++;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_simple(void *t, struct eng_step *s, struct dr_error *e)
{
    enum dr_err rc = fake_fault(s, e);

    if (rc != DR_E_OK)
        return rc;
    if (s->step == DR_NODE_WAITING_FOR_IP) {
        free(s->node.ip);
        s->node.ip = xasprintf("10.0.0.%d", fake_find(s->node.vm_id) + 1);
    }
    step_progress(s, 50, "halfway through %s", node_state_key(s->step));
    return DR_E_OK;
}

static enum dr_err
f_bootstrap(void *t, struct eng_step *s, struct dr_error *e)
{
    enum dr_err rc;
    char line[128];

    pthread_mutex_lock(&fk.mu);
    snprintf(line, sizeof line, "start %s%s;", s->node.name, s->first_server ? "(first)" : "");
    strncat(fk.boot_log, line, sizeof fk.boot_log - strlen(fk.boot_log) - 1);
    pthread_mutex_unlock(&fk.mu);
    step_log(s, "running the recipe with token=supersecret");
    rc = fake_fault(s, e);
    pthread_mutex_lock(&fk.mu);
    snprintf(line, sizeof line, "end %s;", s->node.name);
    strncat(fk.boot_log, line, sizeof fk.boot_log - strlen(fk.boot_log) - 1);
    pthread_mutex_unlock(&fk.mu);
    return rc;
}

static enum dr_err
f_destroy(void *t, struct eng_step *s, struct dr_error *e)
{
    /* Only a removal's own fault: a clean-up after a failed step runs
     * with that step's name. */
    enum dr_err rc = s->step == DR_NODE_REMOVING ? fake_fault(s, e) : DR_E_OK;
    int i;

    if (rc != DR_E_OK)
        return rc;
    pthread_mutex_lock(&fk.mu);
    i = fake_find(s->node.vm_id);
    if (i >= 0) {
        free(fk.vms[i].id);
        free(fk.vms[i].name);
        free(fk.vms[i].owner);
        fk.vms[i] = fk.vms[--fk.n_vms];
        memset(&fk.vms[fk.n_vms], 0, sizeof fk.vms[0]);
    }
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static const struct eng_backend_ops fake_ops = {
    .find_vm = f_find_vm,
    .vm_exists = f_vm_exists,
    .vm_owner = f_vm_owner,
    .list_owned = f_list_owned,
    .clone = f_clone,
    .configure = f_simple,
    .power_on = f_simple,
    .wait_ip = f_simple,
    .wait_ssh = f_simple,
    .bootstrap = f_bootstrap,
    .join = f_simple,
    .destroy = f_destroy,
};

/* A configuration folder with one vCenter, one template and fast retries. */
static char cfgdir[64], statedir[64];

static void
write_file(const char *dir, const char *rel, const char *text, mode_t mode)
{
    char *path = util_path_join(dir, rel);
    char *parent = util_dirname(path);

    ck_assert_int_eq(util_mkdir_p(parent, 0700, NULL), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, text, strlen(text), mode, NULL), DR_E_OK);
    free(parent);
    free(path);
}

static void
setup(void)
{
    char base[] = "/tmp/drover-engine-XXXXXX";

    fake_reset();
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(cfgdir, sizeof cfgdir, "%s/config", base);
    snprintf(statedir, sizeof statedir, "%s/state", base);
    write_file(cfgdir, "drover.cfg",
               "workers = 4;\nretries = 2;\nretry_backoff_ms = 10;\n", 0600);
    write_file(cfgdir, "vcenters.cfg",
               "vcenters = ( { name = \"lab\"; url = \"https://127.0.0.1:1/sdk\";"
               " user = \"u\"; password = \"p\"; } );\n", 0600);
    write_file(cfgdir, "templates/lab.cfg",
               "vcenter = \"lab\";\ndatacenter = \"DC0\";\ncluster = \"DC0_C0\";\n"
               "datastore = \"LocalDS_0\";\nfolder = \"k8s\";\nnetworks = [ \"VM Network\" ];\n"
               "clone_from = \"ubuntu-22.04-template\";\ncpus = 2;\nmemory_mib = 2048;\n",
               0600);
}

static void
open_store(struct dr_store *s)
{
    struct dr_error e = { 0 };

    ck_assert_int_eq(store_init(s, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_msg(store_load(s, &e) == DR_E_OK, "%s", e.msg);
    for (size_t i = 0; i < s->n_diags; i++) {
        char *d = store_diag_format(&s->diags[i]);
        ck_abort_msg("diagnostic: %s", d);
        free(d);
    }
}

static struct dr_engine *
start(struct dr_engine_options *o)
{
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_engine *eng = NULL;
    struct eng_backend b = { .ops = &fake_ops };

    open_store(&s);
    ck_assert_msg(engine_new_with_backend(&s, o, &b, &eng, &e) == DR_E_OK, "%s", e.msg);
    store_done(&s);
    return eng;
}

static void
spec_init(struct dr_cluster *c, struct dr_pool *pools, int servers, int agents)
{
    memset(pools, 0, 2 * sizeof *pools);
    pools[0] = (struct dr_pool){ .name = "server", .template = "lab", .quantity = servers,
                                 .roles = DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD };
    pools[1] = (struct dr_pool){ .name = "agent", .template = "lab", .quantity = agents,
                                 .roles = DR_ROLE_WORKER };
    *c = (struct dr_cluster){ .name = "lab", .distribution = DR_DIST_K3S, .vcenter = "lab",
                              .pools = pools, .n_pools = 2 };
}

/* Wait (bounded) until the engine is idle, draining events as they come;
 * returns the node-state events seen as "node:state " text. */
static char *
wait_idle(struct dr_engine *eng)
{
    char *seen = xstrdup("");

    long long deadline = util_now_ms() + 50000;

    while (util_now_ms() < deadline) {
        struct pollfd p = { .fd = engine_wake_fd(eng), .events = POLLIN };
        struct dr_event *ev;
        bool idle;
        size_t n;

        poll(&p, 1, 10);
        /* Idle first, then drain: the last events are not missed. */
        idle = engine_idle(eng);
        n = engine_drain_events(eng, &ev);
        for (size_t k = 0; k < n; k++) {
            if (ev[k].kind == DR_EV_NODE_STATE && strlen(seen) < 4000) {
                char *t = xasprintf("%s%s:%s ", seen, ev[k].node, node_state_key(ev[k].state));
                free(seen);
                seen = t;
            }
            ck_assert_ptr_null(strstr(ev[k].text, "supersecret"));
        }
        engine_events_free(ev, n);
        if (idle)
            return seen;
    }
    ck_abort_msg("engine not idle after 50 s; saw %.300s", seen);
    return seen;
}

static const struct dr_node *
snap_node(const struct dr_snapshot *s, const char *name)
{
    const struct dr_cluster_view *v = snapshot_find_cluster(s, "lab");

    for (size_t i = 0; v && i < v->status.n_nodes; i++)
        if (str_eq(v->status.nodes[i].name, name))
            return &v->status.nodes[i];
    return NULL;
}

static int
count_state(const struct dr_snapshot *s, enum dr_node_state st)
{
    const struct dr_cluster_view *v = snapshot_find_cluster(s, "lab");
    int n = 0;

    for (size_t i = 0; v && i < v->status.n_nodes; i++)
        n += v->status.nodes[i].state == st;
    return n;
}

START_TEST(test_provision_three_nodes)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    struct dr_store st;
    char *seen, *log, *path;
    const char *first_end, *agent_start;

    spec_init(&spec, pools, 1, 2);
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    seen = wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 3);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->state, DR_CLUSTER_ACTIVE);
    ck_assert_ptr_nonnull(snap_node(s, "server-01"));
    ck_assert_ptr_nonnull(snap_node(s, "agent-01"));
    ck_assert_ptr_nonnull(snap_node(s, "agent-02"));
    ck_assert_ptr_nonnull(snap_node(s, "agent-02")->vm_id);
    ck_assert_ptr_nonnull(snap_node(s, "agent-02")->ip);
    engine_snapshot_free(&s);
    /* Every node walked the whole pipeline, in order. */
    ck_assert_msg(strstr(seen, "agent-01:cloning agent-01:configuring") ||
                      strstr(seen, "agent-01:cloning"), "%s", seen);
    {
        const char *order[] = { "cloning", "configuring", "powering-on", "waiting-for-ip",
                                "waiting-for-ssh", "bootstrapping", "joining", "active" };
        const char *at = seen;

        for (size_t i = 0; i < DR_ARRAY_LEN(order); i++) {
            char *needle = xasprintf("agent-02:%s ", order[i]);
            const char *hit = strstr(at, needle);

            ck_assert_msg(hit != NULL, "agent-02 never reached %s: %s", order[i], seen);
            at = hit;
            free(needle);
        }
    }
    /* The first server bootstraps before the agents start theirs. */
    first_end = strstr(fk.boot_log, "end server-01;");
    agent_start = strstr(fk.boot_log, "start agent-");
    ck_assert_msg(strstr(fk.boot_log, "start server-01(first)") == fk.boot_log, "%s",
                  fk.boot_log);
    ck_assert_msg(first_end && agent_start && first_end < agent_start, "%s", fk.boot_log);
    ck_assert_int_eq(fk.n_vms, 3);
    free(seen);
    /* The node log has the steps, and no secret. */
    path = engine_node_log_path(eng, "lab", "agent-01");
    ck_assert_int_eq(util_read_file(path, &log, NULL, &e), DR_E_OK);
    ck_assert_ptr_nonnull(strstr(log, "bootstrapping"));
    ck_assert_ptr_nonnull(strstr(log, "running the recipe"));
    ck_assert_ptr_null(strstr(log, "supersecret"));
    free(log);
    free(path);
    engine_free(&eng);
    ck_assert_ptr_null(eng);

    /* The state file says the same after the engine is gone. */
    open_store(&st);
    ck_assert_ptr_nonnull(store_find_status(&st, "lab"));
    ck_assert_int_eq(store_find_status(&st, "lab")->n_nodes, 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(store_find_status(&st, "lab")->nodes[i].state, DR_NODE_ACTIVE);
    ck_assert_ptr_nonnull(store_find_cluster(&st, "lab"));
    store_done(&st);
}
END_TEST

/* Field cases B and issue 9's static checks, through the engine's own
 * command (the console's path): a spec with several problems is refused
 * with all of them and nothing is cloned. */
START_TEST(test_bad_spec_refused_whole)
{
    struct dr_engine_options o = { 0 };
    struct dr_engine *eng;
    struct dr_cluster c;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };

    write_file(cfgdir, "templates/bad.cfg",
               "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"LocalDS_0\";\n"
               "clone_from = \"u\";\nuser_data = \"---\\n#cloud-config\\n\";\n",
               0600);
    eng = start(&o);
    spec_init(&c, pools, 1, 1);
    c.version = "v1.30.4";
    pools[0].template = "bad";
    pools[1].template = "ghost";
    ck_assert_int_eq(engine_apply_cluster(eng, &c, &e), DR_E_INVAL);
    ck_assert_msg(strstr(e.msg, "3 problems: "), "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "version: 'v1.30.4' is not a k3s release"), "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "pools[1].template: no template 'ghost'"), "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "template bad (templates/bad.cfg:5): user_data line 1: a YAML "
                                "document marker"),
                  "%s", e.msg);
    ck_assert_ptr_null(strchr(e.msg, '\n'));
    free(wait_idle(eng));
    ck_assert_int_eq(fk.clones, 0);
    ck_assert_int_eq(fk.n_vms, 0);
    engine_free(&eng);
}
END_TEST

START_TEST(test_scale_up_and_down)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    spec_init(&spec, pools, 1, 2);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(engine_scale_pool(eng, "lab", "agent", 4, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 5);
    ck_assert_ptr_nonnull(snap_node(s, "agent-04"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 5);

    ck_assert_int_eq(engine_scale_pool(eng, "lab", "agent", 1, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    /* Highest numbers go first: agent-01 stays. */
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->status.n_nodes, 2);
    ck_assert_ptr_nonnull(snap_node(s, "agent-01"));
    ck_assert_ptr_null(snap_node(s, "agent-02"));
    ck_assert_ptr_null(snap_node(s, "agent-04"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 2);
    ck_assert_int_eq(engine_scale_pool(eng, "lab", "nope", 1, &e), DR_E_NOTFOUND);
    ck_assert_int_eq(engine_scale_pool(eng, "nope", "agent", 1, &e), DR_E_NOTFOUND);
    engine_free(&eng);
}
END_TEST

START_TEST(test_retry_then_error_then_operator_retry)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    const struct dr_node *n;

    spec_init(&spec, pools, 1, 2);
    /* Transient: two timeouts, retries = 2: still ACTIVE. */
    fk.fail_step = DR_NODE_CONFIGURING;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-01");
    fk.fail_count = 2;
    fk.fail_code = DR_E_TIMEOUT;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 3);
    engine_snapshot_free(&s);

    /* Persistent: the recipe fails on agent-03 every time. */
    fk.fail_step = DR_NODE_BOOTSTRAPPING;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-03");
    fk.fail_count = 1000;
    fk.fail_code = DR_E_REMOTE;
    ck_assert_int_eq(engine_scale_pool(eng, "lab", "agent", 3, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    n = snap_node(s, "agent-03");
    ck_assert_int_eq(n->state, DR_NODE_ERROR);
    ck_assert_int_eq(n->step, DR_NODE_BOOTSTRAPPING);
    ck_assert_int_eq(n->attempts, 3);
    ck_assert_ptr_nonnull(strstr(n->last_error, "injected fault in bootstrapping on agent-03"));
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 3);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->state, DR_CLUSTER_DEGRADED);
    /* Failed for good: the VM cloned for it is gone, and the reason says so. */
    ck_assert_ptr_null(n->vm_id);
    ck_assert_ptr_nonnull(strstr(n->last_error, "was destroyed"));
    ck_assert_int_eq(fk.n_vms, 3);
    engine_snapshot_free(&s);

    /* The operator fixes the fault and retries: with its VM gone, it starts
     * with a new clone. */
    fk.fail_count = 0;
    pthread_mutex_lock(&fk.mu);
    fk.boot_log[0] = '\0';
    pthread_mutex_unlock(&fk.mu);
    int clones = fk.clones;
    ck_assert_int_eq(engine_retry_node(eng, "lab", "agent-03", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-03")->state, DR_NODE_ACTIVE);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.clones, clones + 1);
    ck_assert_int_eq(fk.n_vms, 4);
    ck_assert_ptr_nonnull(strstr(fk.boot_log, "start agent-03"));
    ck_assert_int_eq(engine_retry_node(eng, "lab", "agent-03", &e), DR_E_INVAL);
    engine_free(&eng);
}
END_TEST

/* The failure classes through the engine: a vSphere fault that says the
 * input is invalid puts the node in ERROR after one attempt, with what to
 * do; a busy task is retried like a timeout. */
START_TEST(test_permanent_fault_not_retried)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    const struct dr_node *n;

    spec_init(&spec, pools, 1, 2);
    fk.fail_step = DR_NODE_POWERING_ON;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-01");
    fk.fail_count = 1000;
    fk.fail_code = DR_E_FAULT;
    snprintf(fk.fail_cause, sizeof fk.fail_cause, "fault:InvalidArgument");
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    n = snap_node(s, "agent-01");
    ck_assert_int_eq(n->state, DR_NODE_ERROR);
    ck_assert_int_eq(n->step, DR_NODE_POWERING_ON);
    ck_assert_int_eq(n->attempts, 1);
    ck_assert_ptr_nonnull(strstr(n->last_error, "injected fault in powering-on"));
    ck_assert_ptr_nonnull(strstr(n->last_error, "to fix: correct the template"));
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 2);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.fail_count, 999);  /* asked once */

    /* TaskInProgress twice, then it clears: retried, and the node is ACTIVE. */
    fk.fail_count = 2;
    snprintf(fk.fail_cause, sizeof fk.fail_cause, "fault:TaskInProgress");
    ck_assert_int_eq(engine_retry_node(eng, "lab", "agent-01", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ACTIVE);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.fail_count, 0);
    fk.fail_cause[0] = '\0';
    engine_free(&eng);
}
END_TEST

START_TEST(test_non_retryable_and_foreign_vm_name)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    /* Someone else's VM already has the name the engine would use. */
    fake_add_vm("agent-01", NULL);
    spec_init(&spec, pools, 1, 1);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ERROR);
    ck_assert_int_eq(snap_node(s, "agent-01")->step, DR_NODE_CLONING);
    ck_assert_ptr_nonnull(strstr(snap_node(s, "agent-01")->last_error, "already exists"));
    ck_assert_int_eq(snap_node(s, "agent-01")->attempts, 1);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 2);  /* the foreign VM was left alone */
    engine_free(&eng);
}
END_TEST

START_TEST(test_delete_cluster)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char *p;

    spec_init(&spec, pools, 1, 2);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    p = keys_cluster_path(statedir, "lab");
    {
        char *dir = util_dirname(p);
        util_mkdir_p(dir, 0700, NULL);
        util_write_atomic(p, "k", 1, 0600, NULL);
        free(dir);
    }
    ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_ptr_null(snapshot_find_cluster(s, "lab"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 0);
    ck_assert_int_ne(access(p, F_OK), 0);
    free(p);
    p = xasprintf("%s/clusters/lab.state", statedir);
    ck_assert_int_ne(access(p, F_OK), 0);
    free(p);
    p = xasprintf("%s/clusters/lab.cfg", cfgdir);
    ck_assert_int_ne(access(p, F_OK), 0);
    free(p);
    ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_NOTFOUND);
    engine_free(&eng);
}
END_TEST

/* issue 10 §4: a node failed for good keeps its VM only when asked to, and
 * a VM whose owner marker is not the node's is never destroyed. */
START_TEST(test_failed_vm_kept_or_foreign)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    const struct dr_node *n;
    int clones;

    spec_init(&spec, pools, 1, 1);
    pools[1].keep_failed_vms = true;
    fk.fail_step = DR_NODE_POWERING_ON;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-01");
    fk.fail_count = 1000;
    fk.fail_code = DR_E_REMOTE;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    n = snap_node(s, "agent-01");
    ck_assert_int_eq(n->state, DR_NODE_ERROR);
    ck_assert_ptr_nonnull(n->vm_id);
    ck_assert_ptr_nonnull(strstr(n->last_error, "kept (keep_failed_vms = true)"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 2);

    /* Retried with the VM kept: it resumes at powering-on, no new clone. */
    fk.fail_count = 0;
    clones = fk.clones;
    ck_assert_int_eq(engine_retry_node(eng, "lab", "agent-01", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ACTIVE);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.clones, clones);

    /* The same failure without keep_failed_vms, while someone else took the
     * VM over (its marker changed): it is left alone and forgotten. */
    pools[1].keep_failed_vms = false;
    pools[1].quantity = 2;
    fk.fail_step = DR_NODE_POWERING_ON;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-02");
    snprintf(fk.remark_owner, sizeof fk.remark_owner, "someone-else/x/y");
    fk.fail_count = 1000;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    n = snap_node(s, "agent-02");
    ck_assert_int_eq(n->state, DR_NODE_ERROR);
    ck_assert_ptr_null(n->vm_id);
    ck_assert_ptr_nonnull(strstr(n->last_error, "left alone: its owner marker is someone-else/x/y"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 3);

    /* Deleting the cluster destroys its own VMs and still not that one. */
    fk.fail_count = 0;
    ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_ptr_null(snapshot_find_cluster(s, "lab"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);
    ck_assert_str_eq(fk.vms[0].owner, "someone-else/x/y");
    engine_free(&eng);
}
END_TEST

/* issue 10 §5: a delete whose removals failed can be run again and ends
 * with zero VMs; apply on a cluster being deleted names the command. */
START_TEST(test_delete_again_after_failure)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    spec_init(&spec, pools, 1, 1);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    fk.fail_step = DR_NODE_REMOVING;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-01");
    fk.fail_count = 1000;
    fk.fail_code = DR_E_CONNECT;
    ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_ptr_nonnull(snapshot_find_cluster(s, "lab"));
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ERROR);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);

    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_BUSY);
    ck_assert_ptr_nonnull(strstr(e.msg, "drover delete cluster lab --yes"));

    fk.fail_count = 0;
    ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_ptr_null(snapshot_find_cluster(s, "lab"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 0);
    engine_free(&eng);
}
END_TEST

/* issue 10 §5: a node with no VM id is removed by its owner marker alone:
 * the VM whose marker is exactly the node's goes, one whose marker merely
 * starts with it (another node, "agent-010") stays. */
START_TEST(test_remove_by_owner_marker)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char owner[256], longer[300];

    spec_init(&spec, pools, 1, 1);
    fk.fail_step = DR_NODE_CLONING;
    snprintf(fk.fail_node, sizeof fk.fail_node, "agent-01");
    fk.fail_count = 1000;
    fk.fail_code = DR_E_INVAL;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ERROR);
    ck_assert_ptr_null(snap_node(s, "agent-01")->vm_id);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);
    /* server-01's marker is "<install-id>/lab/server-01". */
    ck_assert_ptr_nonnull(strstr(fk.vms[0].owner, "/lab/server-01"));
    snprintf(owner, sizeof owner, "%.*sagent-01", (int)(strlen(fk.vms[0].owner) - 9),
             fk.vms[0].owner);
    snprintf(longer, sizeof longer, "%s0", owner);
    /* A clone whose answer was lost, and another cluster member's agent-010. */
    fake_add_vm("agent-01", owner);
    fake_add_vm("agent-010", longer);
    fk.fail_count = 0;
    ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_ptr_null(snapshot_find_cluster(s, "lab"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);
    ck_assert_str_eq(fk.vms[0].owner, longer);
    engine_free(&eng);
}
END_TEST

START_TEST(test_read_only_and_lock)
{
    struct dr_engine_options ro = { .read_only = true };
    struct dr_engine *eng = start(NULL), *second, *viewer;
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    spec_init(&spec, pools, 1, 1);
    second = start(NULL);
    s = engine_snapshot(second);
    ck_assert(s->observer);
    ck_assert_int_eq(s->observer_pid, getpid());
    engine_snapshot_free(&s);
    ck_assert_int_eq(engine_apply_cluster(second, &spec, &e), DR_E_BUSY);
    ck_assert_ptr_nonnull(strstr(e.msg, "another drover"));
    viewer = start(&ro);
    ck_assert_int_eq(engine_apply_cluster(viewer, &spec, &e), DR_E_READONLY);
    ck_assert_int_eq(engine_delete_cluster(viewer, "lab", &e), DR_E_READONLY);
    ck_assert_int_eq(engine_retry_node(viewer, "lab", "x", &e), DR_E_READONLY);
    ck_assert_int_eq(engine_scale_pool(viewer, "lab", "agent", 2, &e), DR_E_READONLY);
    ck_assert_int_eq(engine_replace_node(viewer, "lab", "x", &e), DR_E_READONLY);
    ck_assert_int_eq(engine_cancel_job(viewer, 1, &e), DR_E_READONLY);
    ck_assert_int_eq(fk.n_vms, 0);
    engine_free(&viewer);
    engine_free(&second);

    /* The lock goes with the engine: the next one runs for real. */
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    engine_free(&eng);
    eng = start(NULL);
    s = engine_snapshot(eng);
    ck_assert(!s->observer);
    engine_snapshot_free(&s);
    engine_free(&eng);
}
END_TEST

START_TEST(test_cancel_and_replace)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char *old_vm;

    spec_init(&spec, pools, 1, 1);
    fk.step_delay_ms = 30;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    /* Cancel agent-01 while it runs: ERROR "cancelled", and retry resumes it. */
    for (int i = 0; i < 500; i++) {
        if (engine_cancel_node(eng, "lab", "agent-01", &e) == DR_E_OK)
            break;
        usleep(2000);
    }
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ERROR);
    ck_assert_ptr_nonnull(strstr(snap_node(s, "agent-01")->last_error, "cancelled"));
    engine_snapshot_free(&s);
    ck_assert_int_eq(engine_retry_node(eng, "lab", "agent-01", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ACTIVE);
    old_vm = xstrdup(snap_node(s, "agent-01")->vm_id);
    engine_snapshot_free(&s);

    ck_assert_int_eq(engine_replace_node(eng, "lab", "agent-01", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "agent-01")->state, DR_NODE_ACTIVE);
    ck_assert_str_ne(snap_node(s, "agent-01")->vm_id, old_vm);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->status.n_nodes, 2);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 2);
    free(old_vm);
    engine_free(&eng);
}
END_TEST

static char *
install_id(void)
{
    char *path = util_path_join(statedir, "install-id"), *id = NULL;

    ck_assert_int_eq(util_read_file(path, &id, NULL, NULL), DR_E_OK);
    id[strcspn(id, "\n")] = '\0';
    free(path);
    return id;
}

/* A crash leaves: a clone in flight (journal intent, unmarked VM), an
 * orphan VM with the owner marker of a node the state does not know, a
 * duplicate VM for a known node, and a node whose VM vanished. */
START_TEST(test_recovery_after_crash)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    struct eng_journal j;
    struct eng_intent *v;
    size_t n;
    char *id, *owner, *jpath;

    spec_init(&spec, pools, 1, 2);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    engine_free(&eng);
    id = install_id();

    /* Vanished: agent-02's VM is gone. */
    s = NULL;
    for (int i = 0; i < fk.n_vms; i++)
        if (str_eq(fk.vms[i].name, "agent-02")) {
            free(fk.vms[i].id);
            free(fk.vms[i].name);
            free(fk.vms[i].owner);
            fk.vms[i] = fk.vms[--fk.n_vms];
            memset(&fk.vms[fk.n_vms], 0, sizeof fk.vms[0]);
        }
    /* Orphan and duplicate. */
    owner = xasprintf("%s/lab/agent-09", id);
    fake_add_vm("agent-09", owner);
    free(owner);
    owner = xasprintf("%s/lab/agent-01", id);
    fake_add_vm("agent-01", owner);
    free(owner);
    /* Someone else's drover: never touched. */
    fake_add_vm("other", "0123456789abcdef/lab/agent-01");
    ck_assert_int_eq(fk.n_vms, 5);

    /* A scale-up to 3 agents was cloning agent-03 when drover died. */
    {
        struct dr_store st;
        struct dr_cluster_status cs = { 0 };
        const struct dr_cluster_status *old;

        open_store(&st);
        old = store_find_status(&st, "lab");
        cluster_status_copy(&cs, old);
        cs.nodes = xrealloc(cs.nodes, (cs.n_nodes + 1) * sizeof *cs.nodes);
        memset(&cs.nodes[cs.n_nodes], 0, sizeof cs.nodes[0]);
        cs.nodes[cs.n_nodes] = (struct dr_node){ .name = xstrdup("agent-03"),
                                                 .cluster = xstrdup("lab"),
                                                 .pool = xstrdup("agent"),
                                                 .roles = DR_ROLE_WORKER,
                                                 .state = DR_NODE_CLONING,
                                                 .step = DR_NODE_CLONING };
        cs.n_nodes++;
        ck_assert_int_eq(store_save_status(&st, &cs, &e), DR_E_OK);
        cluster_status_done(&cs);
        pools[1].quantity = 3;
        ck_assert_int_eq(store_save_cluster(&st, &spec, &e), DR_E_OK);
        store_done(&st);
    }
    fake_add_vm("agent-03", NULL);
    jpath = util_path_join(statedir, "journal");
    ck_assert_int_eq(journal_open(&j, jpath, &v, &n, &e), DR_E_OK);
    intents_free(v, n);
    ck_assert_int_ne(journal_intent(&j, "clone", "lab", "agent-03", "agent-03", NULL, &e), 0);
    journal_close(&j);
    free(jpath);
    int clones = fk.clones;

    eng = start(NULL);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 4);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->status.n_nodes, 4);
    engine_snapshot_free(&s);
    /* agent-03 adopted (no clone), agent-02 recreated (one clone); the
     * orphan and the duplicate destroyed; the foreign VM kept. */
    {
        char names[512] = "";

        for (int i = 0; i < fk.n_vms; i++) {
            strncat(names, fk.vms[i].name, sizeof names - strlen(names) - 2);
            strcat(names, " ");
        }
        ck_assert_msg(fk.n_vms == 5 && fk.clones == clones + 1, "VMs: %s(%d clones)", names,
                      fk.clones - clones);
    }
    {
        int names[5] = { 0 };
        const char *want[] = { "server-01", "agent-01", "agent-02", "agent-03", "other" };

        for (int i = 0; i < fk.n_vms; i++)
            for (int k = 0; k < 5; k++)
                names[k] += str_eq(fk.vms[i].name, want[k]);
        for (int k = 0; k < 5; k++)
            ck_assert_msg(names[k] == 1, "%s: %d VMs", want[k], names[k]);
    }
    engine_free(&eng);
    free(id);
}
END_TEST


/* An orderly stop (SIGTERM) keeps nodes at their step; the next start does
 * not touch vCenter or resume by itself (the journal is empty), and a retry
 * or apply carries on from that step. */
START_TEST(test_stop_then_resume)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    int paused = 0, clones;

    spec_init(&spec, pools, 1, 2);
    fk.step_delay_ms = 40;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    for (int i = 0; i < 1000 && fk.clones < 3; i++)
        usleep(2000);
    engine_stop(eng);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    for (size_t i = 0; i < snapshot_find_cluster(s, "lab")->status.n_nodes; i++) {
        const struct dr_node *n = &snapshot_find_cluster(s, "lab")->status.nodes[i];

        ck_assert_int_ne(n->state, DR_NODE_ERROR);
        paused += n->state != DR_NODE_ACTIVE;
    }
    engine_snapshot_free(&s);
    ck_assert_int_gt(paused, 0);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_CANCELLED);
    engine_free(&eng);

    fk.step_delay_ms = 0;
    clones = fk.clones;
    eng = start(NULL);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(s->n_jobs, 0);
    ck_assert_int_lt(count_state(s, DR_NODE_ACTIVE), 3);
    engine_snapshot_free(&s);
    ck_assert_int_eq(engine_retry_node(eng, "lab", "agent-02", &e), DR_E_OK);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 3);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 3);
    ck_assert_int_eq(fk.clones, 3);
    (void)clones;
    engine_free(&eng);
}
END_TEST

/* The job registry stays bounded: old finished jobs are forgotten while
 * the engine goes on working (hundreds of jobs through one engine). */
START_TEST(test_registry_bounded)
{
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    spec_init(&spec, pools, 1, 120);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.n_vms, 121);
    ck_assert_int_eq(engine_scale_pool(eng, "lab", "agent", 0, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.n_vms, 1);
    s = engine_snapshot(eng);
    ck_assert_int_le(s->n_jobs, 200);
    ck_assert_int_ge(s->n_jobs, 100);
    /* Newest first: the last removal is at the top. */
    ck_assert_int_eq(s->jobs[0].kind, DR_JOB_REMOVE);
    ck_assert_int_gt(s->jobs[0].id, s->jobs[s->n_jobs - 1].id);
    engine_snapshot_free(&s);
    engine_free(&eng);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_provision_three_nodes);
    tcase_add_test(tc, test_scale_up_and_down);
    tcase_add_test(tc, test_bad_spec_refused_whole);
    tcase_add_test(tc, test_retry_then_error_then_operator_retry);
    tcase_add_test(tc, test_non_retryable_and_foreign_vm_name);
    tcase_add_test(tc, test_permanent_fault_not_retried);
    tcase_add_test(tc, test_delete_cluster);
    tcase_add_test(tc, test_failed_vm_kept_or_foreign);
    tcase_add_test(tc, test_delete_again_after_failure);
    tcase_add_test(tc, test_remove_by_owner_marker);
    tcase_add_test(tc, test_read_only_and_lock);
    tcase_add_test(tc, test_cancel_and_replace);
    tcase_add_test(tc, test_recovery_after_crash);
    tcase_add_test(tc, test_stop_then_resume);
    tcase_add_test(tc, test_registry_bounded);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
