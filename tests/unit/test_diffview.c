#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/store.h"
#include "core/util.h"
#include "ui/diffview.h"

/* The edit review's diff over specs as the store writes them: hunks under a
 * header naming the pool or group, "-" before "+". */

static void
two_pools(struct dr_cluster *c)
{
    memset(c, 0, sizeof *c);
    c->name = xstrdup("web");
    c->distribution = DR_DIST_K3S;
    c->vcenter = xstrdup("lab");
    c->n_pools = 2;
    c->pools = xcalloc(2, sizeof *c->pools);
    for (size_t i = 0; i < 2; i++) {
        pool_defaults(&c->pools[i]);
        c->pools[i].name = xstrdup(i ? "agent" : "server");
        c->pools[i].template = xstrdup("lab");
        c->pools[i].quantity = i ? 2 : 1;
        c->pools[i].roles = i ? DR_ROLE_WORKER : DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE;
    }
}

static size_t
index_of(char **l, const char *s)
{
    for (size_t i = 0; l[i]; i++)
        if (str_eq(l[i], s))
            return i;
    ck_abort_msg("not in the diff: %s", s);
    return 0;
}

START_TEST(test_scale_names_the_pool)
{
    struct dr_cluster a, b;
    char *ta, *tb, **l;
    size_t same = 0;

    two_pools(&a);
    two_pools(&b);
    b.pools[1].quantity = 1;
    ta = store_cluster_text(&a);
    tb = store_cluster_text(&b);
    l = ui_diff_lines(ta, tb, &same);
    ck_assert_str_eq(l[0], "@@ pool agent @@");
    ck_assert_ptr_nonnull(strstr(l[1], "- "));
    ck_assert_ptr_nonnull(strstr(l[1], "quantity = 2;"));
    ck_assert_ptr_nonnull(strstr(l[2], "+ "));
    ck_assert_ptr_nonnull(strstr(l[2], "quantity = 1;"));
    ck_assert_ptr_null(l[3]);
    ck_assert_uint_gt(same, 10);
    strv_free(&l);
    free(ta);
    free(tb);
    cluster_done(&a);
    cluster_done(&b);
}
END_TEST

START_TEST(test_top_level_group_and_new_pool)
{
    struct dr_cluster a, b;
    char *ta, *tb, **l;

    two_pools(&a);
    two_pools(&b);
    free(b.vcenter);
    b.vcenter = xstrdup("lab2");
    b.pools[0].quantity = 3;
    a.cloud_provider = b.cloud_provider = DR_CLOUD_VSPHERE;
    a.vsphere.storage_class = b.vsphere.storage_class = true;
    a.vsphere.sc_datastore_url = xstrdup("ds:///vmfs/volumes/x/");
    b.vsphere.sc_datastore_url = xstrdup("ds:///vmfs/volumes/x/");
    b.vsphere.sc_default = true;
    b.pools = xrealloc(b.pools, 3 * sizeof *b.pools);
    pool_defaults(&b.pools[2]);
    b.pools[2].name = xstrdup("gpu");
    b.pools[2].template = xstrdup("lab");
    b.pools[2].roles = DR_ROLE_WORKER;
    b.n_pools = 3;
    ta = store_cluster_text(&a);
    tb = store_cluster_text(&b);
    l = ui_diff_lines(ta, tb, NULL);
    /* The vCenter line: a top-level key, old before new. */
    ck_assert_uint_lt(index_of(l, "@@ cluster @@"), index_of(l, "- vcenter = \"lab\";"));
    ck_assert_uint_lt(index_of(l, "- vcenter = \"lab\";"), index_of(l, "+ vcenter = \"lab2\";"));
    ck_assert_uint_lt(index_of(l, "@@ pool server @@"), index_of(l, "-     quantity = 1;"));
    ck_assert_uint_lt(index_of(l, "-     quantity = 1;"), index_of(l, "+     quantity = 3;"));
    ck_assert_uint_gt(index_of(l, "+     name = \"gpu\";"), index_of(l, "+     quantity = 3;"));
    /* A nested group is named by its path. */
    ck_assert_uint_lt(index_of(l, "@@ vsphere.storage_class @@"),
                      index_of(l, "-     default = false;"));
    ck_assert_uint_lt(index_of(l, "-     default = false;"), index_of(l, "+     default = true;"));
    strv_free(&l);
    /* Nothing changed: no line. */
    l = ui_diff_lines(ta, ta, NULL);
    ck_assert_ptr_null(l[0]);
    strv_free(&l);
    free(ta);
    free(tb);
    cluster_done(&a);
    cluster_done(&b);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("diffview");
    TCase *tc = tcase_create("diff");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_scale_names_the_pool);
    tcase_add_test(tc, test_top_level_group_and_new_pool);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
