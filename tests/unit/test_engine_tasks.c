/* Clone tasks that outlive their step (src/engine/inflight.c) against an
 * in-memory vCenter whose clone tasks run until the test lets them end, as
 * vCenter's run on without their client: an operator's cancel sends
 * CancelTask and keeps a VM made anyway with the node; a stop leaves the task
 * running and the next start takes its VM; a delete cancels a task an
 * earlier run left open. Never a second VM for a node, never one left that
 * nothing tracks. The same against the lab: engine-clone-race.t. */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/store.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "engine/journal.h"

enum dr_err engine_new_with_backend(const struct dr_store *store,
                                    const struct dr_engine_options *opts,
                                    const struct eng_backend *backend, struct dr_engine **out,
                                    struct dr_error *e);

enum { T_RUNNING, T_SUCCESS, T_ERROR };

static struct {
    pthread_mutex_t mu;
    struct { char id[16], name[32], owner[128]; } vms[16];
    int n_vms;
    struct { char id[16], name[32], owner[128], vm[16]; int state; } tasks[16];
    int n_tasks;
    int next;
    int clones;
    int cancels;   /* CancelTask calls */
    int waits;     /* waits for a task without cancelling it */
    int configures;
    int configured_while_running; /* a reconfigure sent while a task ran */
    bool hold;     /* clone tasks run until fake_finish() */
    bool too_late; /* CancelTask reaches a task that has just made its VM */
} fk = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The task makes its VM. Called with fk.mu held. */
static void
finish_locked(int t)
{
    int v = fk.n_vms++;

    snprintf(fk.vms[v].id, sizeof fk.vms[v].id, "vm-%d", ++fk.next);
    memcpy(fk.vms[v].name, fk.tasks[t].name, sizeof fk.vms[v].name);
    memcpy(fk.vms[v].owner, fk.tasks[t].owner, sizeof fk.vms[v].owner);
    memcpy(fk.tasks[t].vm, fk.vms[v].id, sizeof fk.tasks[t].vm);
    fk.tasks[t].state = T_SUCCESS;
}

/* vCenter ends every running clone task with its VM. */
static void
fake_finish(void)
{
    pthread_mutex_lock(&fk.mu);
    for (int t = 0; t < fk.n_tasks; t++)
        if (fk.tasks[t].state == T_RUNNING)
            finish_locked(t);
    pthread_mutex_unlock(&fk.mu);
}

static int
running_tasks(void)
{
    int n = 0;

    pthread_mutex_lock(&fk.mu);
    for (int t = 0; t < fk.n_tasks; t++)
        n += fk.tasks[t].state == T_RUNNING;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

static int
find_task(const char *id)
{
    for (int t = 0; t < fk.n_tasks; t++)
        if (str_eq(fk.tasks[t].id, id))
            return t;
    return -1;
}

static int
find_vm(const char *id)
{
    for (int v = 0; v < fk.n_vms; v++)
        if (str_eq(fk.vms[v].id, id))
            return v;
    return -1;
}

static void
pause_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };

    nanosleep(&ts, NULL);
}

static enum dr_err
f_clone(void *tctx, struct eng_step *s, struct dr_error *e)
{
    int t;
    char id[16];

    pthread_mutex_lock(&fk.mu);
    t = fk.n_tasks++;
    snprintf(fk.tasks[t].id, sizeof fk.tasks[t].id, "task-%d", ++fk.next);
    snprintf(fk.tasks[t].name, sizeof fk.tasks[t].name, "%s", s->node.name);
    snprintf(fk.tasks[t].owner, sizeof fk.tasks[t].owner, "%s", s->owner);
    fk.tasks[t].state = T_RUNNING;
    fk.clones++;
    snprintf(id, sizeof id, "%s", fk.tasks[t].id);
    if (!fk.hold)
        finish_locked(t);
    pthread_mutex_unlock(&fk.mu);
    step_task(s, id);
    for (;;) {
        pthread_mutex_lock(&fk.mu);
        t = find_task(id);
        if (fk.tasks[t].state == T_SUCCESS) {
            s->node.vm_id = xstrdup(fk.tasks[t].vm);
            pthread_mutex_unlock(&fk.mu);
            return DR_E_OK;
        }
        if (fk.tasks[t].state == T_ERROR) {
            pthread_mutex_unlock(&fk.mu);
            return dr_error_set(e, DR_E_FAULT, "RequestCanceled");
        }
        pthread_mutex_unlock(&fk.mu);
        if (step_cancelled(s))
            return dr_error_set(e, DR_E_CANCELLED, "cancelled while waiting for %s", id);
        pause_ms(5);
    }
}

static enum dr_err
f_task_settle(void *tctx, struct eng_step *s, const char *id, bool cancel_it, int wait_s,
              enum eng_task_end *end, char **vm, struct dr_error *e)
{
    long long deadline = util_now_ms() + wait_s * 1000LL;
    int t;

    *vm = NULL;
    pthread_mutex_lock(&fk.mu);
    t = find_task(id);
    ck_assert_int_ge(t, 0);
    fk.waits += !cancel_it;
    if (cancel_it) {
        fk.cancels++;
        if (fk.tasks[t].state == T_RUNNING) {
            if (fk.too_late)
                finish_locked(t);
            else
                fk.tasks[t].state = T_ERROR;
        }
    }
    pthread_mutex_unlock(&fk.mu);
    for (;;) {
        pthread_mutex_lock(&fk.mu);
        t = find_task(id);
        *end = fk.tasks[t].state == T_SUCCESS ? ENG_TASK_SUCCESS
             : fk.tasks[t].state == T_ERROR   ? ENG_TASK_ERROR
                                              : ENG_TASK_RUNNING;
        if (*end == ENG_TASK_SUCCESS)
            *vm = xstrdup(fk.tasks[t].vm);
        pthread_mutex_unlock(&fk.mu);
        if (*end == ENG_TASK_ERROR)
            dr_error_set(e, DR_E_FAULT, "RequestCanceled");
        if (*end != ENG_TASK_RUNNING || util_now_ms() >= deadline || step_cancelled(s))
            return DR_E_OK;
        pause_ms(5);
    }
}

static enum dr_err
f_find_vm(void *tctx, struct eng_step *s, const char *name, struct eng_vm *vm, bool *found,
          struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    *found = false;
    for (int v = 0; v < fk.n_vms && !*found; v++)
        if (str_eq(fk.vms[v].name, name)) {
            *found = true;
            vm->id = xstrdup(fk.vms[v].id);
            vm->name = xstrdup(name);
            vm->owner = xstrdup(fk.vms[v].owner);
        }
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_vm_exists(void *tctx, struct eng_step *s, const char *id, bool *exists, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    *exists = find_vm(id) >= 0;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_vm_owner(void *tctx, struct eng_step *s, const char *id, bool *exists, char **owner,
           struct dr_error *e)
{
    int v;

    pthread_mutex_lock(&fk.mu);
    v = find_vm(id);
    *exists = v >= 0;
    *owner = v >= 0 ? xstrdup(fk.vms[v].owner) : NULL;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_list_owned(void *tctx, const struct dr_vcenter *vc, const char *prefix, struct eng_vm **out,
             size_t *n, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    *out = xcalloc((size_t)fk.n_vms + 1, sizeof **out);
    *n = 0;
    for (int v = 0; v < fk.n_vms; v++)
        if (str_has_prefix(fk.vms[v].owner, prefix)) {
            (*out)[*n].id = xstrdup(fk.vms[v].id);
            (*out)[*n].name = xstrdup(fk.vms[v].name);
            (*out)[*n].owner = xstrdup(fk.vms[v].owner);
            (*n)++;
        }
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_step(void *tctx, struct eng_step *s, struct dr_error *e)
{
    if (s->step == DR_NODE_WAITING_FOR_IP) {
        free(s->node.ip);
        s->node.ip = xstrdup("10.0.0.1");
    }
    return DR_E_OK;
}

static enum dr_err
f_configure(void *tctx, struct eng_step *s, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    fk.configures++;
    for (int t = 0; t < fk.n_tasks; t++)
        fk.configured_while_running += fk.tasks[t].state == T_RUNNING;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_destroy(void *tctx, struct eng_step *s, struct dr_error *e)
{
    int v;

    pthread_mutex_lock(&fk.mu);
    v = find_vm(s->node.vm_id);
    if (v >= 0)
        fk.vms[v] = fk.vms[--fk.n_vms];
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static const struct eng_backend_ops fake_ops = {
    .find_vm = f_find_vm,     .vm_exists = f_vm_exists,   .vm_owner = f_vm_owner,
    .list_owned = f_list_owned, .clone = f_clone,         .configure = f_configure,
    .power_on = f_step,       .wait_ip = f_step,          .wait_ssh = f_step,
    .bootstrap = f_step,      .join = f_step,             .destroy = f_destroy,
    .task_settle = f_task_settle,
};

static char cfgdir[64], statedir[64];

static void
write_file(const char *rel, const char *text)
{
    char *path = util_path_join(cfgdir, rel);
    char *parent = util_dirname(path);

    ck_assert_int_eq(util_mkdir_p(parent, 0700, NULL), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, text, strlen(text), 0600, NULL), DR_E_OK);
    free(parent);
    free(path);
}

static void
setup(void)
{
    char base[] = "/tmp/drover-tasks-XXXXXX";

    pthread_mutex_lock(&fk.mu);
    fk.n_vms = fk.n_tasks = fk.clones = fk.cancels = fk.waits = 0;
    fk.configures = fk.configured_while_running = 0;
    fk.hold = fk.too_late = false;
    pthread_mutex_unlock(&fk.mu);
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(cfgdir, sizeof cfgdir, "%s/config", base);
    snprintf(statedir, sizeof statedir, "%s/state", base);
    write_file("drover.cfg", "workers = 4;\nretries = 1;\nretry_backoff_ms = 10;\n");
    write_file("vcenters.cfg", "vcenters = ( { name = \"lab\"; url = \"https://127.0.0.1:1/sdk\";"
                               " user = \"u\"; password = \"p\"; } );\n");
    write_file("templates/lab.cfg",
               "vcenter = \"lab\";\ndatacenter = \"DC0\";\ncluster = \"DC0_C0\";\n"
               "datastore = \"LocalDS_0\";\nfolder = \"k8s\";\nnetworks = [ \"VM Network\" ];\n"
               "clone_from = \"ubuntu-22.04-template\";\n");
}

static struct dr_engine *
start(void)
{
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_engine *eng = NULL;
    struct eng_backend b = { .ops = &fake_ops };

    ck_assert_int_eq(store_init(&s, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_int_eq(store_load(&s, &e), DR_E_OK);
    ck_assert_msg(engine_new_with_backend(&s, NULL, &b, &eng, &e) == DR_E_OK, "%s", e.msg);
    store_done(&s);
    return eng;
}

static void
wait_idle(struct dr_engine *eng)
{
    long long deadline = util_now_ms() + 30000;

    while (util_now_ms() < deadline) {
        struct pollfd p = { .fd = engine_wake_fd(eng), .events = POLLIN };
        struct dr_event *ev;
        bool idle;
        size_t n;

        poll(&p, 1, 10);
        idle = engine_idle(eng);
        n = engine_drain_events(eng, &ev);
        engine_events_free(ev, n);
        if (idle)
            return;
    }
    ck_abort_msg("engine not idle after 30 s");
}

/* Wait (bounded) until n clone tasks run. */
static void
wait_running(int n)
{
    for (int i = 0; i < 6000 && running_tasks() < n; i++)
        pause_ms(5);
    ck_assert_int_eq(running_tasks(), n);
}

static void
spec_init(struct dr_cluster *c, struct dr_pool *pools, int agents)
{
    pools[0] = (struct dr_pool){ .name = "server", .template = "lab", .quantity = 1,
                                 .roles = DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD };
    pools[1] = (struct dr_pool){ .name = "agent", .template = "lab", .quantity = agents,
                                 .roles = DR_ROLE_WORKER };
    *c = (struct dr_cluster){ .name = "lab", .distribution = DR_DIST_K3S, .vcenter = "lab",
                              .pools = pools, .n_pools = 2 };
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

static char *
journal_text(void)
{
    char *path = util_path_join(statedir, "journal"), *text = NULL;

    if (util_read_file(path, &text, NULL, NULL) != DR_E_OK)
        text = xstrdup("");
    free(path);
    return text;
}

/* The operator cancels a clone: CancelTask, no VM; a retry clones afresh. */
START_TEST(cancel_sends_cancel_task)
{
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char *j;

    spec_init(&spec, pools, 0);
    fk.hold = true;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_running(1);
    ck_assert_int_eq(engine_cancel_node(eng, "lab", "server-01", &e), DR_E_OK);
    wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ERROR);
    ck_assert_ptr_null(snap_node(s, "server-01")->vm_id);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.cancels, 1);
    ck_assert_int_eq(fk.n_vms, 0);
    ck_assert_int_eq(running_tasks(), 0);

    fk.hold = false;
    ck_assert_int_eq(engine_retry_node(eng, "lab", "server-01", &e), DR_E_OK);
    wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ACTIVE);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);
    ck_assert_int_eq(fk.clones, 2);
    engine_free(&eng);
    /* Nothing left open: the next start has nothing to recover. */
    j = journal_text();
    ck_assert_str_eq(j, "");
    free(j);
}
END_TEST

/* The cancel comes too late: the task made its VM, which stays with the
 * node (in ERROR); a retry carries on with it, no second clone. */
START_TEST(cancel_too_late_keeps_the_vm)
{
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    spec_init(&spec, pools, 0);
    fk.hold = true;
    fk.too_late = true;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_running(1);
    ck_assert_int_eq(engine_cancel_node(eng, "lab", "server-01", &e), DR_E_OK);
    wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ERROR);
    ck_assert_str_eq(snap_node(s, "server-01")->vm_id, fk.vms[0].id);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);

    ck_assert_int_eq(engine_retry_node(eng, "lab", "server-01", &e), DR_E_OK);
    wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ACTIVE);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);
    ck_assert_int_eq(fk.clones, 1);
    engine_free(&eng);
}
END_TEST

/* A stop (SIGTERM) leaves the tasks running and keeps them in the journal;
 * the next start waits for them and takes their VMs. */
START_TEST(stop_then_next_start_takes_the_vms)
{
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char *j;

    spec_init(&spec, pools, 2);
    fk.hold = true;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_running(3);
    engine_stop(eng);
    wait_idle(eng);
    engine_free(&eng);
    ck_assert_int_eq(fk.cancels, 0);
    ck_assert_int_eq(running_tasks(), 3);
    j = journal_text();
    for (int t = 0; t < 3; t++) {
        char *want = xasprintf("task=%s", fk.tasks[t].id);

        ck_assert_msg(strstr(j, want), "journal lacks %s:\n%s", want, j);
        free(want);
    }
    free(j);

    eng = start();
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    /* Every node waits for its task; then vCenter ends them. */
    for (int i = 0; i < 6000; i++) {
        pthread_mutex_lock(&fk.mu);
        int waits = fk.waits;
        pthread_mutex_unlock(&fk.mu);
        if (waits >= 3)
            break;
        pause_ms(5);
    }
    ck_assert_int_eq(fk.waits, 3);
    ck_assert_int_eq(fk.clones, 3);
    fake_finish();
    wait_idle(eng);
    s = engine_snapshot(eng);
    for (size_t i = 0; i < snapshot_find_cluster(s, "lab")->status.n_nodes; i++)
        ck_assert_int_eq(snapshot_find_cluster(s, "lab")->status.nodes[i].state,
                         DR_NODE_ACTIVE);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.clones, 3);
    ck_assert_int_eq(fk.n_vms, 3);
    engine_free(&eng);
    j = journal_text();
    ck_assert_str_eq(j, "");
    free(j);
}
END_TEST

/* A stop, then the cluster is deleted: the open tasks are cancelled (or
 * their VMs destroyed when the cancel comes too late): nothing is left. */
START_TEST(delete_cancels_open_tasks)
{
    for (int late = 0; late < 2; late++) {
        struct dr_engine *eng;
        struct dr_cluster spec;
        struct dr_pool pools[2];
        struct dr_error e = { 0 };

        setup();
        eng = start();
        spec_init(&spec, pools, 1);
        fk.hold = true;
        fk.too_late = late;
        ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
        wait_running(2);
        engine_stop(eng);
        wait_idle(eng);
        engine_free(&eng);

        eng = start();
        ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
        wait_idle(eng);
        ck_assert_int_eq(fk.cancels, 2);
        ck_assert_int_eq(running_tasks(), 0);
        ck_assert_msg(fk.n_vms == 0, "late=%d: %d VMs left", late, fk.n_vms);
        engine_free(&eng);
    }
}
END_TEST

/* kill -9 while a reconfigure task ran (its task in the journal): the next
 * start's configure step waits for that task before it reconfigures. */
START_TEST(crash_during_reconfigure_waits_for_its_task)
{
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    struct dr_store st;
    struct dr_cluster_status cs = { 0 };
    struct eng_journal j;
    struct eng_intent *v;
    size_t n;
    unsigned long seq;
    char *jpath, *vm;

    spec_init(&spec, pools, 0);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_idle(eng);
    engine_free(&eng);
    ck_assert_int_eq(fk.configures, 1);
    vm = xstrdup(fk.vms[0].id);

    /* The crash: server-01 at CONFIGURING, its ReconfigVM_Task running. */
    ck_assert_int_eq(store_init(&st, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_int_eq(store_load(&st, &e), DR_E_OK);
    cluster_status_copy(&cs, store_find_status(&st, "lab"));
    cs.nodes[0].state = cs.nodes[0].step = DR_NODE_CONFIGURING;
    ck_assert_int_eq(store_save_status(&st, &cs, &e), DR_E_OK);
    cluster_status_done(&cs);
    store_done(&st);
    pthread_mutex_lock(&fk.mu);
    snprintf(fk.tasks[fk.n_tasks].id, sizeof fk.tasks[0].id, "task-%d", ++fk.next % 1000);
    fk.tasks[fk.n_tasks++].state = T_RUNNING;
    pthread_mutex_unlock(&fk.mu);
    jpath = util_path_join(statedir, "journal");
    ck_assert_int_eq(journal_open(&j, jpath, &v, &n, &e), DR_E_OK);
    intents_free(v, n);
    seq = journal_intent(&j, "configure", "lab", "server-01", "server-01", vm, &e);
    ck_assert_int_ne(seq, 0);
    ck_assert_int_eq(journal_task(&j, seq, fk.tasks[fk.n_tasks - 1].id, &e), DR_E_OK);
    journal_close(&j);
    free(jpath);

    eng = start();
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    for (int i = 0; i < 6000; i++) {
        pthread_mutex_lock(&fk.mu);
        int waits = fk.waits;
        pthread_mutex_unlock(&fk.mu);
        if (waits >= 1)
            break;
        pause_ms(5);
    }
    ck_assert_int_eq(fk.waits, 1);
    ck_assert_int_eq(fk.configures, 1);
    pthread_mutex_lock(&fk.mu);
    fk.tasks[fk.n_tasks - 1].state = T_SUCCESS;  /* vCenter ends it */
    pthread_mutex_unlock(&fk.mu);
    wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ACTIVE);
    ck_assert_str_eq(snap_node(s, "server-01")->vm_id, vm);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.configures, 2);
    ck_assert_int_eq(fk.configured_while_running, 0);
    ck_assert_int_eq(fk.n_vms, 1);
    engine_free(&eng);
    free(vm);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("engine_tasks");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, cancel_sends_cancel_task);
    tcase_add_test(tc, cancel_too_late_keeps_the_vm);
    tcase_add_test(tc, stop_then_next_start_takes_the_vms);
    tcase_add_test(tc, delete_cancels_open_tasks);
    tcase_add_test(tc, crash_during_reconfigure_waits_for_its_task);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
