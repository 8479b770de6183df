/* Failed steps against the in-memory backend (engine_fake.c): transient
 * faults are retried up to the retries, then ERROR until the operator
 * retries; a fault that says the input is invalid is not retried; a VM name
 * someone else uses fails the node. Against the lab: engine-faults.t,
 * engine-classes.t. */
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
    fake_fail(DR_NODE_CONFIGURING, "agent-01", 2, DR_E_TIMEOUT);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 3);
    engine_snapshot_free(&s);

    /* Persistent: the recipe fails on agent-03 every time. */
    fake_fail(DR_NODE_BOOTSTRAPPING, "agent-03", 1000, DR_E_REMOTE);
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
    fake_fail(DR_NODE_POWERING_ON, "agent-01", 1000, DR_E_FAULT);
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

int
main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("faults");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_retry_then_error_then_operator_retry);
    tcase_add_test(tc, test_non_retryable_and_foreign_vm_name);
    tcase_add_test(tc, test_permanent_fault_not_retried);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
