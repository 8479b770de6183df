/* The in-memory vCenter with fault injection and the configuration folder
 * the engine's unit tests (tests/unit/test_engine*.c) run against: see
 * engine_fake.h. */
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
#include "engine_fake.h"

struct fake fk;

void
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

void
fake_fail(enum dr_node_state step, const char *node, int count, enum dr_err code)
{
    fk.fail_step = step;
    snprintf(fk.fail_node, sizeof fk.fail_node, "%s", node);
    fk.fail_count = count;
    fk.fail_code = code;
}

struct fake_vm *
fake_add_vm(const char *name, const char *owner)
{
    struct fake_vm *v = &fk.vms[fk.n_vms++];

    v->id = xasprintf("vm-%d", ++fk.next_id);
    v->name = xstrdup(name);
    v->owner = xstrdup0(owner);
    return v;
}

int
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

static void
fake_order(const char *what, const char *node)
{
    size_t len = strlen(fk.order);

    snprintf(fk.order + len, sizeof fk.order - len, "%s %s;", what, node);
}

static enum dr_err
f_clone(void *t, struct eng_step *s, struct dr_error *e)
{
    enum dr_err rc;

    pthread_mutex_lock(&fk.mu);
    fake_order("clone", s->node.name);
    if (++fk.clones_now > fk.clones_max)
        fk.clones_max = fk.clones_now;
    pthread_mutex_unlock(&fk.mu);
    if (fk.clone_ms) {  /* vCenter copying the disks */
        struct timespec ts = { fk.clone_ms / 1000, (fk.clone_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
    rc = fake_fault(s, e);
    pthread_mutex_lock(&fk.mu);
    fk.clones_now--;
    if (rc == DR_E_OK) {
        s->node.vm_id = xstrdup(fake_add_vm(s->node.name, s->owner)->id);
        fk.clones++;
    }
    pthread_mutex_unlock(&fk.mu);
    return rc;
}

static enum dr_err
f_simple(void *t, struct eng_step *s, struct dr_error *e)
{
    enum dr_err rc = fake_fault(s, e);

    if (rc != DR_E_OK)
        return rc;
    if (s->step == DR_NODE_POWERING_ON) {
        pthread_mutex_lock(&fk.mu);
        fake_order("power_on", s->node.name);
        pthread_mutex_unlock(&fk.mu);
    }
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

const struct eng_backend_ops fake_ops = {
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
char cfgdir[64], statedir[64];

void
write_file(const char *dir, const char *rel, const char *text, mode_t mode)
{
    char *path = util_path_join(dir, rel);
    char *parent = util_dirname(path);

    ck_assert_int_eq(util_mkdir_p(parent, 0700, NULL), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, text, strlen(text), mode, NULL), DR_E_OK);
    free(parent);
    free(path);
}

void
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

void
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

struct dr_engine *
start(struct dr_engine_options *o)
{
    return start_ops(&fake_ops, o);
}

struct dr_engine *
start_ops(const struct eng_backend_ops *ops, struct dr_engine_options *o)
{
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_engine *eng = NULL;
    struct eng_backend b = { .ops = ops };

    open_store(&s);
    ck_assert_msg(engine_new_with_backend(&s, o, &b, &eng, &e) == DR_E_OK, "%s", e.msg);
    store_done(&s);
    return eng;
}

void
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
 * returns the events of kind seen: node states as "node:state ", any other
 * kind as its text and a newline. */
static char *
wait_idle_kind(struct dr_engine *eng, enum dr_event_kind kind)
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
            if (ev[k].kind == kind && kind == DR_EV_NODE_STATE && strlen(seen) < 4000) {
                char *t = xasprintf("%s%s:%s ", seen, ev[k].node, node_state_key(ev[k].state));
                free(seen);
                seen = t;
            } else if (ev[k].kind == kind && kind != DR_EV_NODE_STATE) {
                char *t = xasprintf("%s%s\n", seen, ev[k].text);
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

char *
wait_idle(struct dr_engine *eng)
{
    return wait_idle_kind(eng, DR_EV_NODE_STATE);
}

char *
wait_idle_cluster(struct dr_engine *eng)
{
    return wait_idle_kind(eng, DR_EV_CLUSTER);
}

const struct dr_node *
snap_node(const struct dr_snapshot *s, const char *name)
{
    const struct dr_cluster_view *v = snapshot_find_cluster(s, "lab");

    for (size_t i = 0; v && i < v->status.n_nodes; i++)
        if (str_eq(v->status.nodes[i].name, name))
            return &v->status.nodes[i];
    return NULL;
}

int
count_state(const struct dr_snapshot *s, enum dr_node_state st)
{
    const struct dr_cluster_view *v = snapshot_find_cluster(s, "lab");
    int n = 0;

    for (size_t i = 0; v && i < v->status.n_nodes; i++)
        n += v->status.nodes[i].state == st;
    return n;
}
