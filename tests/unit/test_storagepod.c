/* The member of a datastore cluster each clone goes on (vs_pod_pick,
 * src/vsphere/storagepod.c): the most free space after what this run put
 * there, as Storage DRS's initial placement weighs space. The lab checks
 * where the VMs really land: tests/integration/datastore-cluster.t. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "vsphere/vsphere.h"

#define GIB (1024LL * 1024 * 1024)

static struct vs_pod_member
member(const char *id, long long free_gib)
{
    return (struct vs_pod_member){.id = (char *)id, .path = (char *)id,
                                  .free_space = free_gib * GIB, .capacity = 100 * GIB};
}

START_TEST(test_most_free_first)
{
    struct vs_pod_member m[] = {member("a", 5), member("b", 40), member("c", 12)};

    ck_assert_int_eq(vs_pod_pick(m, 3, NULL, 0), 1);
}
END_TEST

START_TEST(test_none)
{
    ck_assert_int_eq(vs_pod_pick(NULL, 0, NULL, 0), -1);
}
END_TEST

START_TEST(test_ties_go_to_the_first)
{
    struct vs_pod_member m[] = {member("a", 7), member("b", 7)};

    ck_assert_int_eq(vs_pod_pick(m, 2, NULL, 0), 0);
}
END_TEST

/* 20 clones of 4 GiB each, placed one after the other as b_clone does:
 * they spread so that the free space left evens out, the largest member
 * taking the first ones, and none goes where less is left than elsewhere. */
START_TEST(test_twenty_clones_spread)
{
    struct vs_pod_member m[] = {member("a", 100), member("b", 60), member("c", 20)};
    long long placed[3] = {0, 0, 0};
    int count[3] = {0, 0, 0};

    for (int i = 0; i < 20; i++) {
        int pick = vs_pod_pick(m, 3, placed, 4 * GIB);

        ck_assert_int_ge(pick, 0);
        for (int k = 0; k < 3; k++)
            ck_assert_int_ge(m[pick].free_space - placed[pick], m[k].free_space - placed[k]);
        if (i < 11) /* a until it has no more left than b's 60 GiB (a tie: a) */
            ck_assert_int_eq(pick, 0);
        placed[pick] += 4 * GIB;
        count[pick]++;
    }
    /* a took 11 alone (100 down to 56 GiB left), then b and a alternate
     * (b 5, a 4) while both stay above c's 20: 40, 40 and 20 GiB left. */
    ck_assert_int_eq(count[0], 15);
    ck_assert_int_eq(count[1], 5);
    ck_assert_int_eq(count[2], 0);
}
END_TEST

/* Admission asks for the members in this order and takes the first with
 * a clone slot (src/engine/admit.c). */
START_TEST(test_order)
{
    struct vs_pod_member m[] = {member("a", 10), member("b", 30), member("c", 20),
                                member("d", 30)};
    long long placed[4] = {0, 0, 0, 15 * GIB};
    size_t order[4];

    vs_pod_order(m, 4, NULL, order);
    /* b and d tie at 30: b, listed first, comes first, as vs_pod_pick says. */
    ck_assert_uint_eq(order[0], 1);
    ck_assert_uint_eq(order[1], 3);
    ck_assert_uint_eq(order[2], 2);
    ck_assert_uint_eq(order[3], 0);
    ck_assert_int_eq(vs_pod_pick(m, 4, NULL, 0), (int)order[0]);
    vs_pod_order(m, 4, placed, order); /* d has 15 left */
    ck_assert_uint_eq(order[0], 1);
    ck_assert_uint_eq(order[1], 2);
    ck_assert_uint_eq(order[2], 3);
    ck_assert_uint_eq(order[3], 0);
    ck_assert_int_eq(vs_pod_pick(m, 4, placed, 0), (int)order[0]);
}
END_TEST

/* A member without room for the VM is never picked, however the others
 * stand (the lab's full pod: 1.0 and 0.0 GiB free, --skip-preflight); none
 * with room: -1, and the clone fails naming the pod (backend_pod.c). */
START_TEST(test_no_room)
{
    struct vs_pod_member full[] = {member("fds1", 1), member("fds2", 0)};
    struct vs_pod_member m[] = {member("a", 3), member("b", 0), member("c", 5)};
    long long placed[3] = {0, 0, 0};

    ck_assert_int_eq(vs_pod_pick(full, 2, NULL, 2 * GIB), -1);
    ck_assert_int_eq(vs_pod_pick(full, 2, NULL, 1 * GIB), 0);
    /* c (5 free) first; then a and c have 3 left each: a, listed first;
     * then c (3 left, a 1); then a and c have 1 left, b none: no member
     * has room. */
    ck_assert_int_eq(vs_pod_pick(m, 3, placed, 2 * GIB), 2);
    placed[2] += 2 * GIB;
    ck_assert_int_eq(vs_pod_pick(m, 3, placed, 2 * GIB), 0);
    placed[0] += 2 * GIB;
    ck_assert_int_eq(vs_pod_pick(m, 3, placed, 2 * GIB), 2);
    placed[2] += 2 * GIB;
    ck_assert_int_eq(vs_pod_pick(m, 3, placed, 2 * GIB), -1);
    /* What was placed is released (a failed clone): c has room again. */
    placed[2] -= 2 * GIB;
    ck_assert_int_eq(vs_pod_pick(m, 3, placed, 2 * GIB), 2);
    /* A member with exactly the room the VM takes is a choice. */
    ck_assert_int_eq(vs_pod_pick(full, 2, NULL, 1 * GIB), 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("storagepod");
    TCase *tc = tcase_create("pick");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_most_free_first);
    tcase_add_test(tc, test_none);
    tcase_add_test(tc, test_ties_go_to_the_first);
    tcase_add_test(tc, test_twenty_clones_spread);
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_no_room);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
