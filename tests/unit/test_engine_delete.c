/* Deleting and removing against the in-memory backend (engine_fake.c): a
 * cluster's VMs go and only those the owner marker names as the cluster's;
 * a failed node's VM is kept or left as asked; a delete that failed can be
 * run again. Against the lab: engine-delete.t, engine-cleanup.t. */
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
    fake_fail(DR_NODE_POWERING_ON, "agent-01", 1000, DR_E_REMOTE);
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
    fake_fail(DR_NODE_REMOVING, "agent-01", 1000, DR_E_CONNECT);
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
    fake_fail(DR_NODE_CLONING, "agent-01", 1000, DR_E_INVAL);
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

int
main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("delete");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_delete_cluster);
    tcase_add_test(tc, test_failed_vm_kept_or_foreign);
    tcase_add_test(tc, test_delete_again_after_failure);
    tcase_add_test(tc, test_remove_by_owner_marker);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
