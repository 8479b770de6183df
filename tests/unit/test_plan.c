#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/plan.h"

static bool
exists_03(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "worker-03") == 0;
}

START_TEST(test_names)
{
    struct dr_pool p = { .name = "worker" };
    char buf[64];
    char *taken[] = { "worker-01", "worker-02", "server-01" };
    char *n;

    ck_assert_str_eq(plan_pool_prefix(&p, buf, sizeof buf), "worker-");
    p.hostname_prefix = "wk-";
    ck_assert_str_eq(plan_pool_prefix(&p, buf, sizeof buf), "wk-");
    p.hostname_prefix = NULL;
    n = plan_node_name("worker", 1);
    ck_assert_str_eq(n, "worker-01");
    free(n);
    n = plan_node_name("big-", 123);
    ck_assert_str_eq(n, "big-123");
    free(n);
    ck_assert_int_eq(plan_node_number("worker-07"), 7);
    ck_assert_int_eq(plan_node_number("worker-123"), 123);
    ck_assert_int_eq(plan_node_number("worker"), 0);

    /* The lowest free counter, skipping names in the state and in vCenter. */
    n = plan_next_name(&p, taken, 3, NULL, NULL);
    ck_assert_str_eq(n, "worker-03");
    free(n);
    n = plan_next_name(&p, taken, 3, exists_03, NULL);
    ck_assert_str_eq(n, "worker-04");
    free(n);
    n = plan_next_name(&p, taken + 1, 1, NULL, NULL);
    ck_assert_str_eq(n, "worker-01");
    free(n);
}
END_TEST

START_TEST(test_scale_down_highest_first)
{
    struct dr_node nodes[5] = {
        { .name = "worker-02" }, { .name = "worker-10" }, { .name = "worker-01" },
        { .name = "server-01" }, { .name = "worker-03" },
    };
    size_t idx[] = { 0, 1, 2, 4 }, out[4];

    ck_assert_int_eq(plan_scale_down(nodes, idx, 4, 2, out), 2);
    ck_assert_str_eq(nodes[out[0]].name, "worker-10");
    ck_assert_str_eq(nodes[out[1]].name, "worker-03");
    ck_assert_int_eq(plan_scale_down(nodes, idx, 4, 9, out), 4);
    ck_assert_str_eq(nodes[out[3]].name, "worker-01");
}
END_TEST

START_TEST(test_first_server)
{
    struct dr_pool pools[2] = {
        { .name = "agent", .roles = DR_ROLE_WORKER },
        { .name = "server", .roles = DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD },
    };
    struct dr_cluster spec = { .name = "c", .pools = pools, .n_pools = 2 };
    struct dr_node nodes[4] = {
        { .name = "agent-01", .pool = "agent" },
        { .name = "server-02", .pool = "server" },
        { .name = "server-01", .pool = "server", .state = DR_NODE_REMOVING },
        { .name = "server-03", .pool = "server" },
    };

    ck_assert_int_eq(plan_first_server(&spec, nodes, 4), 1);
    nodes[2].state = DR_NODE_CLONING;
    ck_assert_int_eq(plan_first_server(&spec, nodes, 4), 2);
    spec.n_pools = 1;
    ck_assert_int_eq(plan_first_server(&spec, nodes, 4), -1);
}
END_TEST

START_TEST(test_backoff)
{
    unsigned seed = 42;

    for (int round = 0; round < 200; round++) {
        long long a1 = plan_backoff_ms(1, 1000, 60000, &seed);
        long long a3 = plan_backoff_ms(3, 1000, 60000, &seed);
        long long a20 = plan_backoff_ms(20, 1000, 60000, &seed);

        ck_assert(a1 >= 500 && a1 <= 1000);
        ck_assert(a3 >= 2000 && a3 <= 4000);
        ck_assert(a20 >= 30000 && a20 <= 60000);
    }
    /* Jitter: two engines retrying together do not stay in lock-step. */
    {
        long long first = plan_backoff_ms(4, 1000, 60000, &seed);
        bool differs = false;

        for (int i = 0; i < 20 && !differs; i++)
            differs = plan_backoff_ms(4, 1000, 60000, &seed) != first;
        ck_assert(differs);
    }
}
END_TEST

START_TEST(test_pipeline_order)
{
    enum dr_node_state s = DR_NODE_PENDING;
    int last = -1, steps = 0;

    while (s != DR_NODE_ACTIVE) {
        int p = plan_percent(s, 0);

        ck_assert_int_gt(p, last - (s == DR_NODE_PENDING));
        ck_assert_int_le(plan_percent(s, 100), plan_percent(plan_next_step(s), 0));
        last = p;
        s = plan_next_step(s);
        steps++;
    }
    ck_assert_int_eq(steps, 8);
    ck_assert_int_eq(plan_percent(DR_NODE_ACTIVE, 0), 100);
    ck_assert(plan_is_pipeline_step(DR_NODE_JOINING));
    ck_assert(!plan_is_pipeline_step(DR_NODE_ERROR));
    ck_assert_int_eq(plan_next_step(DR_NODE_ERROR), DR_NODE_ERROR);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("plan");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_scale_down_highest_first);
    tcase_add_test(tc, test_first_server);
    tcase_add_test(tc, test_backoff);
    tcase_add_test(tc, test_pipeline_order);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
