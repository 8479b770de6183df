/* store_check.c and store_vcenter.c: checking one vCenter entry or template
 * as the loader would (the console's inline messages), and adding, replacing
 * and pinning vCenter entries as `drover vcenter trust` and the console's
 * onboarding do. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/store.h"
#include "core/util.h"
#include "store_fixture.h"

static const struct dr_diag *
diag_for(const struct dr_diag *d, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(d[i].field, field))
            return &d[i];
    return NULL;
}

START_TEST(test_check_vcenter_fields)
{
    struct dr_vcenter v = { .name = "Bad_Name", .url = "http://vc/sdk", .user = "u",
                            .password = "p", .password_env = "VC_PW", .timeout_s = 60 };
    struct dr_diag *d = NULL;
    size_t n = store_check_vcenter(&v, &d);
    const struct dr_diag *x;

    ck_assert_uint_ge(n, 3);
    /* Fields without the "vcenters[0]." prefix; the loader's own words. */
    x = diag_for(d, n, "url");
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(strstr(x->message, "https://"));
    ck_assert_int_eq(x->line, 0);
    ck_assert_ptr_nonnull(diag_for(d, n, "name"));
    x = diag_for(d, n, "password");
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(strstr(x->message, "only one of"));
    store_diags_free(d, n);

    v = (struct dr_vcenter){ .name = "lab", .url = "https://vc/sdk", .user = "u",
                             .password = "p", .timeout_s = 60 };
    d = (struct dr_diag *)1;
    ck_assert_uint_eq(store_check_vcenter(&v, &d), 0);
    ck_assert_ptr_null(d);
    /* A missing url is required, as validate says. */
    v.url = NULL;
    n = store_check_vcenter(&v, &d);
    ck_assert_ptr_nonnull(diag_for(d, n, "url"));
    store_diags_free(d, n);
}
END_TEST

START_TEST(test_check_template_fields)
{
    struct dr_template t = { .name = "w", .vcenter = "lab", .datacenter = "DC0",
                             .cluster = "C0", .datastore = "ds", .clone_from = "ubuntu", .ssh_port = 22, .cpus = 0,
                             .memory_mib = 2048 };
    struct dr_diag *d = NULL;
    size_t n = store_check_template(&t, &d);

    ck_assert_ptr_nonnull(diag_for(d, n, "cpus"));
    store_diags_free(d, n);
    t.cpus = 2;
    n = store_check_template(&t, &d);
    ck_assert_msg(n == 0, "%s: %s", n ? d[0].field : "", n ? d[0].message : "");
    store_diags_free(d, n);
    /* A list element's problem keeps its element's name: the editor shows
     * it under the list's row. */
    {
        struct dr_kv kv = { .key = "guestinfo.drover.owner", .value = "x" };
        t.extra_config = &kv;
        t.n_extra_config = 1;
        n = store_check_template(&t, &d);
        ck_assert_ptr_nonnull(diag_for(d, n, "extra_config[0].key"));
        store_diags_free(d, n);
        t.extra_config = NULL;
        t.n_extra_config = 0;
    }
}
END_TEST

START_TEST(test_pin_replaces_insecure)
{
    struct dr_vcenter v = { 0 };

    v.insecure = true;
    vcenter_pin(&v, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    ck_assert(!v.insecure);
    ck_assert_str_eq(v.pin, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    vcenter_done(&v);
}
END_TEST

START_TEST(test_put_vcenter)
{
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_vcenter add = { .name = "second", .url = "https://vc2/sdk", .user = "u2",
                              .password_env = "VC2_PW", .timeout_s = 30 };
    char *path;
    struct stat st;

    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    load(&s);
    /* The file changed after the load (another drover's trust): the put
     * keeps that change. */
    put(cfg_dir, "vcenters.cfg",
        "vcenters = ( { name = \"lab\"; url = \"https://127.0.0.1:8989/sdk\"; user = \"u\";"
        " password = \"s3cret-pw\"; pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"; }"
        " );\n",
        0600);
    ck_assert_msg(store_put_vcenter(&s, &add, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_uint_eq(s.n_vcenters, 2);
    ck_assert_ptr_nonnull(store_find_vcenter(&s, "second"));
    ck_assert_ptr_nonnull(store_find_vcenter(&s, "lab")->pin);
    store_done(&s);
    path = util_path_join(cfg_dir, "vcenters.cfg");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    free(path);
    /* Loads back; replacing by name does not add. */
    load(&s);
    assert_no_diags(&s);
    ck_assert_uint_eq(s.n_vcenters, 2);
    add.user = "changed";
    ck_assert_int_eq(store_put_vcenter(&s, &add, &e), DR_E_OK);
    ck_assert_uint_eq(s.n_vcenters, 2);
    ck_assert_str_eq(store_find_vcenter(&s, "second")->user, "changed");
    /* An invalid entry is refused and the file stays. */
    add.url = "http://nope";
    ck_assert_int_eq(store_put_vcenter(&s, &add, &e), DR_E_INVAL);
    store_done(&s);
    load(&s);
    ck_assert_str_eq(store_find_vcenter(&s, "second")->url, "https://vc2/sdk");
    store_done(&s);
}
END_TEST

START_TEST(test_backup_hand_written)
{
    struct dr_store s;
    struct dr_error e = { 0 };
    char *bak = NULL, *path, *text = NULL;
    size_t len;

    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    put(cfg_dir, "templates/worker.cfg", good_template, 0600);
    load(&s);
    /* A hand-written file (the fixture's layout) is copied before a save. */
    ck_assert_int_eq(store_backup_template(&s, "worker", &bak, &e), DR_E_OK);
    ck_assert_str_eq(bak, "templates/worker.cfg.bak");
    path = util_path_join(cfg_dir, "templates/worker.cfg.bak");
    ck_assert_int_eq(util_read_file(path, &text, &len, NULL), DR_E_OK);
    ck_assert_str_eq(text, good_template);
    free(text);
    free(path);
    free(bak);
    /* Once drover wrote it, there is nothing to keep. */
    {
        struct dr_template copy;
        template_copy(&copy, store_find_template(&s, "worker"));
        ck_assert_int_eq(store_save_template(&s, &copy, &e), DR_E_OK);
        template_done(&copy);
    }
    ck_assert_int_eq(store_backup_template(&s, "worker", &bak, &e), DR_E_OK);
    ck_assert_ptr_null(bak);
    ck_assert(store_template_unchanged(&s, store_find_template(&s, "worker")));
    store_done(&s);
}
END_TEST

/* The comment lines a save would drop: #, // and block comments, not a
 * '#' or "//" inside a string (a URL, a path). */
START_TEST(test_dropped_comments)
{
    struct dr_store s;
    char *l;

    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    put(cfg_dir, "clusters/c.cfg",
        "distribution = \"k3s\"; # inline\n"
        "recipe = \"/opt/a#b//c.sh\";\n"
        "vsphere = { storage_class = { datastore_url = \"ds:///vmfs/volumes/x/\"; }; };\n"
        "/* two\n"
        "   lines */ vcenter = \"lab\";\n"
        "name = \"q\\\"#\"; // after an escaped quote\n",
        0600);
    load(&s);
    l = store_dropped_comments(&s, "clusters/c.cfg", "something else");
    ck_assert_str_eq(l, "1, 4, 5, 6");
    free(l);
    /* The file is drover's own text: nothing is dropped. */
    put(cfg_dir, "clusters/d.cfg", "# written by drover\nvcenter = \"lab\";\n", 0600);
    ck_assert_ptr_null(store_dropped_comments(&s, "clusters/d.cfg",
                                              "# written by drover\nvcenter = \"lab\";\n"));
    /* A hand-edited file of drover's (the tester's case): its header comment
     * (line 3 here) is a line of ours that the save keeps, so only the
     * hand-written ones (lines 1, 2 and 5) are reported. */
    put(cfg_dir, "clusters/f.cfg",
        "# team edge\n"
        "// site 7\n"
        "  # A cluster's desired state, written by drover.  \n"
        "vcenter = \"lab\";\n"
        "quantity = 10; # was 5\n",
        0600);
    l = store_dropped_comments(&s, "clusters/f.cfg",
                               "# A cluster's desired state, written by drover.\n"
                               "vcenter = \"lab\";\nquantity = 10;\n");
    ck_assert_str_eq(l, "1, 2, 5");
    free(l);
    /* Only drover's own comment lines in a changed file: nothing is dropped. */
    put(cfg_dir, "clusters/g.cfg", "# written by drover\nvcenter = \"x\";\n", 0600);
    ck_assert_ptr_null(store_dropped_comments(&s, "clusters/g.cfg",
                                              "# written by drover\nvcenter = \"lab\";\n"));
    /* No comment, or no file. */
    put(cfg_dir, "clusters/e.cfg", "vcenter = \"ds://x#y\";\n", 0600);
    ck_assert_ptr_null(store_dropped_comments(&s, "clusters/e.cfg", "other"));
    ck_assert_ptr_null(store_dropped_comments(&s, "clusters/none.cfg", "other"));
    store_done(&s);
}
END_TEST

START_TEST(test_check_cluster_and_text)
{
    struct dr_pool pools[1] = { { .name = "agent", .template = "worker", .quantity = 2000,
                                  .roles = DR_ROLE_WORKER } };
    struct dr_cluster c = { .name = "prod", .vcenter = "lab", .pools = pools, .n_pools = 1 };
    struct dr_diag *d = NULL;
    size_t n = store_check_cluster(&c, &d);
    struct dr_store s;
    struct dr_error e = { 0 };
    char *text, *path, *file = NULL;
    size_t len;

    /* The pool's field without "pools[0]."; the spec-wide rule on its own. */
    ck_assert_ptr_nonnull(diag_for(d, n, "quantity"));
    store_diags_free(d, n);
    pools[0].quantity = 2;
    n = store_check_cluster(&c, &d);
    ck_assert_ptr_nonnull(diag_for(d, n, "pools"));
    store_diags_free(d, n);
    pools[0].roles |= DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD;
    ck_assert_uint_eq(store_check_cluster(&c, &d), 0);
    /* The review's text is the file the save writes. */
    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    load(&s);
    ck_assert_int_eq(store_save_cluster(&s, &c, &e), DR_E_OK);
    text = store_cluster_text(&c);
    path = util_path_join(cfg_dir, "clusters/prod.cfg");
    ck_assert_int_eq(util_read_file(path, &file, &len, NULL), DR_E_OK);
    ck_assert_str_eq(text, file);
    free(text);
    free(file);
    free(path);
    store_done(&s);
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("store_check");
    TCase *tc = tcase_create("check");
    SRunner *r;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_check_vcenter_fields);
    tcase_add_test(tc, test_check_template_fields);
    tcase_add_test(tc, test_pin_replaces_insecure);
    tcase_add_test(tc, test_put_vcenter);
    tcase_add_test(tc, test_backup_hand_written);
    tcase_add_test(tc, test_check_cluster_and_text);
    tcase_add_test(tc, test_dropped_comments);
    suite_add_tcase(su, tc);
    r = srunner_create(su);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
