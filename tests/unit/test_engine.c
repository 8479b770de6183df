/* The engine's pipeline against an in-memory backend (engine_fake.c): every
 * node walks the steps in order with the first server first, a spec with
 * problems is refused whole, and pools scale up and down. The same flows run
 * against the real lab in tests/integration/engine-*.t. */
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

int
main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("pipeline");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_provision_three_nodes);
    tcase_add_test(tc, test_scale_up_and_down);
    tcase_add_test(tc, test_bad_spec_refused_whole);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
