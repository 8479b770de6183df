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
#include "engine_fake.h"

enum { T_RUNNING, T_SUCCESS, T_ERROR };

/* vCenter's clone tasks; the VMs they make are engine_fake's (fk.vms), and
 * fk.mu guards both. */
static struct {
    struct { char id[16], name[32], owner[128], vm[16]; int state; } tasks[16];
    int n_tasks;
    int next;
    int cancels;   /* CancelTask calls */
    int waits;     /* waits for a task without cancelling it */
    int configures;
    int configured_while_running; /* a reconfigure sent while a task ran */
    bool hold;     /* clone tasks run until fake_finish() */
    bool too_late; /* CancelTask reaches a task that has just made its VM */
} tk;

/* The task makes its VM. Called with fk.mu held. */
static void
finish_locked(int t)
{
    struct fake_vm *v = fake_add_vm(tk.tasks[t].name, tk.tasks[t].owner);

    snprintf(tk.tasks[t].vm, sizeof tk.tasks[t].vm, "%s", v->id);
    tk.tasks[t].state = T_SUCCESS;
}

/* vCenter ends every running clone task with its VM. */
static void
fake_finish(void)
{
    pthread_mutex_lock(&fk.mu);
    for (int t = 0; t < tk.n_tasks; t++)
        if (tk.tasks[t].state == T_RUNNING)
            finish_locked(t);
    pthread_mutex_unlock(&fk.mu);
}

static int
running_tasks(void)
{
    int n = 0;

    pthread_mutex_lock(&fk.mu);
    for (int t = 0; t < tk.n_tasks; t++)
        n += tk.tasks[t].state == T_RUNNING;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

static int
find_task(const char *id)
{
    for (int t = 0; t < tk.n_tasks; t++)
        if (str_eq(tk.tasks[t].id, id))
            return t;
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
    t = tk.n_tasks++;
    snprintf(tk.tasks[t].id, sizeof tk.tasks[t].id, "task-%d", ++tk.next);
    snprintf(tk.tasks[t].name, sizeof tk.tasks[t].name, "%s", s->node.name);
    snprintf(tk.tasks[t].owner, sizeof tk.tasks[t].owner, "%s", s->owner);
    tk.tasks[t].state = T_RUNNING;
    fk.clones++;
    snprintf(id, sizeof id, "%s", tk.tasks[t].id);
    if (!tk.hold)
        finish_locked(t);
    pthread_mutex_unlock(&fk.mu);
    step_task(s, id);
    for (;;) {
        pthread_mutex_lock(&fk.mu);
        t = find_task(id);
        if (tk.tasks[t].state == T_SUCCESS) {
            s->node.vm_id = xstrdup(tk.tasks[t].vm);
            pthread_mutex_unlock(&fk.mu);
            return DR_E_OK;
        }
        if (tk.tasks[t].state == T_ERROR) {
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
    tk.waits += !cancel_it;
    if (cancel_it) {
        tk.cancels++;
        if (tk.tasks[t].state == T_RUNNING) {
            if (tk.too_late)
                finish_locked(t);
            else
                tk.tasks[t].state = T_ERROR;
        }
    }
    pthread_mutex_unlock(&fk.mu);
    for (;;) {
        pthread_mutex_lock(&fk.mu);
        t = find_task(id);
        *end = tk.tasks[t].state == T_SUCCESS ? ENG_TASK_SUCCESS
             : tk.tasks[t].state == T_ERROR   ? ENG_TASK_ERROR
                                              : ENG_TASK_RUNNING;
        if (*end == ENG_TASK_SUCCESS)
            *vm = xstrdup(tk.tasks[t].vm);
        pthread_mutex_unlock(&fk.mu);
        if (*end == ENG_TASK_ERROR)
            dr_error_set(e, DR_E_FAULT, "RequestCanceled");
        if (*end != ENG_TASK_RUNNING || util_now_ms() >= deadline || step_cancelled(s))
            return DR_E_OK;
        pause_ms(5);
    }
}

static enum dr_err
f_configure(void *tctx, struct eng_step *s, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    tk.configures++;
    for (int t = 0; t < tk.n_tasks; t++)
        tk.configured_while_running += tk.tasks[t].state == T_RUNNING;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

/* engine_fake's vCenter whose clones are tasks (above); setup (the
 * fixture) made the folders, tasks_setup empties the tasks. */
static void
tasks_setup(void)
{
    setup();
    memset(&tk, 0, sizeof tk);
    write_file(cfgdir, "drover.cfg", "workers = 4;\nretries = 1;\nretry_backoff_ms = 10;\n", 0600);
}

static struct dr_engine *
tasks_start(void)
{
    static struct eng_backend_ops ops;

    ops = fake_ops;
    ops.clone = f_clone;
    ops.configure = f_configure;
    ops.task_settle = f_task_settle;
    return start_ops(&ops, NULL);
}

/* Wait (bounded) until n clone tasks run. */
static void
wait_running(int n)
{
    for (int i = 0; i < 6000 && running_tasks() < n; i++)
        pause_ms(5);
    ck_assert_int_eq(running_tasks(), n);
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
    struct dr_engine *eng = tasks_start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char *j;

    spec_init(&spec, pools, 1, 0);
    tk.hold = true;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_running(1);
    ck_assert_int_eq(engine_cancel_node(eng, "lab", "server-01", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ERROR);
    ck_assert_ptr_null(snap_node(s, "server-01")->vm_id);
    engine_snapshot_free(&s);
    ck_assert_int_eq(tk.cancels, 1);
    ck_assert_int_eq(fk.n_vms, 0);
    ck_assert_int_eq(running_tasks(), 0);

    tk.hold = false;
    ck_assert_int_eq(engine_retry_node(eng, "lab", "server-01", &e), DR_E_OK);
    free(wait_idle(eng));
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
    struct dr_engine *eng = tasks_start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;

    spec_init(&spec, pools, 1, 0);
    tk.hold = true;
    tk.too_late = true;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_running(1);
    ck_assert_int_eq(engine_cancel_node(eng, "lab", "server-01", &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ERROR);
    ck_assert_str_eq(snap_node(s, "server-01")->vm_id, fk.vms[0].id);
    engine_snapshot_free(&s);
    ck_assert_int_eq(fk.n_vms, 1);

    ck_assert_int_eq(engine_retry_node(eng, "lab", "server-01", &e), DR_E_OK);
    free(wait_idle(eng));
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
    struct dr_engine *eng = tasks_start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    char *j;

    spec_init(&spec, pools, 1, 2);
    tk.hold = true;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    wait_running(3);
    engine_stop(eng);
    free(wait_idle(eng));
    engine_free(&eng);
    ck_assert_int_eq(tk.cancels, 0);
    ck_assert_int_eq(running_tasks(), 3);
    j = journal_text();
    for (int t = 0; t < 3; t++) {
        char *want = xasprintf("task=%s", tk.tasks[t].id);

        ck_assert_msg(strstr(j, want), "journal lacks %s:\n%s", want, j);
        free(want);
    }
    free(j);

    eng = tasks_start();
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    /* Every node waits for its task; then vCenter ends them. */
    for (int i = 0; i < 6000; i++) {
        pthread_mutex_lock(&fk.mu);
        int waits = tk.waits;
        pthread_mutex_unlock(&fk.mu);
        if (waits >= 3)
            break;
        pause_ms(5);
    }
    ck_assert_int_eq(tk.waits, 3);
    ck_assert_int_eq(fk.clones, 3);
    fake_finish();
    free(wait_idle(eng));
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

        tasks_setup();
        eng = tasks_start();
        spec_init(&spec, pools, 1, 1);
        tk.hold = true;
        tk.too_late = late;
        ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
        wait_running(2);
        engine_stop(eng);
        free(wait_idle(eng));
        engine_free(&eng);

        eng = tasks_start();
        ck_assert_int_eq(engine_delete_cluster(eng, "lab", &e), DR_E_OK);
        free(wait_idle(eng));
        ck_assert_int_eq(tk.cancels, 2);
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
    struct dr_engine *eng = tasks_start();
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

    spec_init(&spec, pools, 1, 0);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    engine_free(&eng);
    ck_assert_int_eq(tk.configures, 1);
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
    snprintf(tk.tasks[tk.n_tasks].id, sizeof tk.tasks[0].id, "task-%d", ++tk.next % 1000);
    tk.tasks[tk.n_tasks++].state = T_RUNNING;
    pthread_mutex_unlock(&fk.mu);
    jpath = util_path_join(statedir, "journal");
    ck_assert_int_eq(journal_open(&j, jpath, &v, &n, &e), DR_E_OK);
    intents_free(v, n);
    seq = journal_intent(&j, "configure", "lab", "server-01", "server-01", vm, &e);
    ck_assert_int_ne(seq, 0);
    ck_assert_int_eq(journal_task(&j, seq, tk.tasks[tk.n_tasks - 1].id, &e), DR_E_OK);
    journal_close(&j);
    free(jpath);

    eng = tasks_start();
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    for (int i = 0; i < 6000; i++) {
        pthread_mutex_lock(&fk.mu);
        int waits = tk.waits;
        pthread_mutex_unlock(&fk.mu);
        if (waits >= 1)
            break;
        pause_ms(5);
    }
    ck_assert_int_eq(tk.waits, 1);
    ck_assert_int_eq(tk.configures, 1);
    pthread_mutex_lock(&fk.mu);
    tk.tasks[tk.n_tasks - 1].state = T_SUCCESS;  /* vCenter ends it */
    pthread_mutex_unlock(&fk.mu);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(snap_node(s, "server-01")->state, DR_NODE_ACTIVE);
    ck_assert_str_eq(snap_node(s, "server-01")->vm_id, vm);
    engine_snapshot_free(&s);
    ck_assert_int_eq(tk.configures, 2);
    ck_assert_int_eq(tk.configured_while_running, 0);
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

    tcase_add_checked_fixture(tc, tasks_setup, NULL);
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
