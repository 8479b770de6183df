/* The operator's control of a running engine against the in-memory backend
 * (engine_fake.c): read-only mode and the lock, cancel and replace, recovery
 * after a crash from the journal, stop and resume, and the bounded job
 * registry. Against the lab: engine-crash.t, engine-signals.t. */
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
    TCase *tc = tcase_create("control");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
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
