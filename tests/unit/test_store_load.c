/* store_load at scale: folders parsed on several threads give the same
 * things, diagnostics and failed files, in the same order, as one thread;
 * members are found whatever order a file lists them in. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/store.h"
#include "core/util.h"

#include "store_fixture.h"

#define N_CLUSTERS 150

/* Cluster i's state file: three nodes, or one of the broken kinds. */
static char *
state_text(int i)
{
    switch (i % 37) {
    case 5:
        return xasprintf("nodes = ( { name = \"n0\"; state = \"active\"; }\n"); /* syntax */
    case 11:
        return xasprintf("nodes = (\n { name = \"n0\"; state = \"sleeping\"; }\n);\n");
    case 17:
        return xasprintf("nodes = (\n { name = \"n0\"; state = \"active\"; colour = 1; }\n);\n");
    case 23:
        return xasprintf("nodes = (\n { name = \"n0\"; state = \"active\"; },\n"
                         " { name = \"n0\"; state = \"active\"; }\n);\n");
    default:
        return xasprintf(
            "nodes = (\n"
            "  { name = \"n0\"; pool = \"server\"; roles = [ \"etcd\", \"control-plane\" ];\n"
            "    state = \"active\"; step = \"active\"; percent = 100; attempts = 1;\n"
            "    vm = \"vm-%d\"; ip = \"10.0.%d.10\"; host_key = \"SHA256:k%d\"; error = \"\";\n"
            "    created = 1700000000L; updated = 1700000300L; },\n"
            /* the same keys, the other way round */
            "  { updated = 1700000301L; created = 1700000001L; error = \"boom %d\";\n"
            "    ssh_verified = true; ip = \"10.1.%d.11\"; vm = \"vm-x%d\"; attempts = 3;\n"
            "    percent = 40; step = \"cloning\"; state = \"error\"; roles = [ \"worker\" ];\n"
            "    pool = \"agent\"; name = \"n1\"; },\n"
            "  { state = \"pending\"; name = \"n2\"; }\n"
            ");\n",
            i, i % 250, i, i, i % 250, i);
    }
}

static void
put_inventory(void)
{
    put_good();
    for (int i = 0; i < N_CLUSTERS; i++) {
        char *rel = xasprintf("clusters/c%03d.cfg", i);
        char *st = xasprintf("clusters/c%03d.state", i);
        char *text = state_text(i);
        if (i % 41 == 7)
            put(cfg_dir, rel,
                "pools = ( { name = \"s\"; template = \"ghost\"; roles = [\"control-plane\"]; } "
                ");\n",
                0600);
        else if (i % 41 == 19)
            put(cfg_dir, rel, "pools = ( { name = \"s\"; template = \"worker\"; } );\n", 0600);
        else
            put(cfg_dir, rel, good_cluster, 0600);
        put(state_dir, st, text, 0600);
        free(text);
        free(st);
        free(rel);
    }
}

static void
load_with(struct dr_store *s, unsigned threads)
{
    struct dr_error e = {0};

    ck_assert_int_eq(store_init(s, cfg_dir, state_dir, &e), DR_E_OK);
    s->load_threads = threads;
    ck_assert_int_eq(store_load(s, &e), DR_E_OK);
}

static void
assert_same_node(const struct dr_node *a, const struct dr_node *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_str_eq(a->cluster, b->cluster);
    ck_assert_int_eq(a->state, b->state);
    ck_assert_int_eq(a->step, b->step);
    ck_assert_int_eq(a->percent, b->percent);
    ck_assert_int_eq(a->attempts, b->attempts);
    ck_assert_uint_eq(a->roles, b->roles);
    ck_assert_int_eq(a->ssh_verified, b->ssh_verified);
    ck_assert_str_eq(a->pool ? a->pool : "-", b->pool ? b->pool : "-");
    ck_assert_str_eq(a->ip ? a->ip : "-", b->ip ? b->ip : "-");
    ck_assert_str_eq(a->vm_id ? a->vm_id : "-", b->vm_id ? b->vm_id : "-");
    ck_assert_str_eq(a->last_error ? a->last_error : "-", b->last_error ? b->last_error : "-");
    ck_assert_int_eq((long long)a->updated, (long long)b->updated);
}

static void
assert_same_store(const struct dr_store *a, const struct dr_store *b)
{
    ck_assert_uint_eq(a->n_clusters, b->n_clusters);
    for (size_t i = 0; i < a->n_clusters; i++) {
        ck_assert_str_eq(a->clusters[i].name, b->clusters[i].name);
        ck_assert_uint_eq(a->clusters[i].n_pools, b->clusters[i].n_pools);
        ck_assert_str_eq(a->clusters[i].origin.file, b->clusters[i].origin.file);
    }
    ck_assert_uint_eq(a->n_statuses, b->n_statuses);
    for (size_t i = 0; i < a->n_statuses; i++) {
        ck_assert_str_eq(a->statuses[i].cluster, b->statuses[i].cluster);
        ck_assert_uint_eq(a->statuses[i].n_nodes, b->statuses[i].n_nodes);
        for (size_t k = 0; k < a->statuses[i].n_nodes; k++)
            assert_same_node(&a->statuses[i].nodes[k], &b->statuses[i].nodes[k]);
    }
    char *da = all_diags(a), *db = all_diags(b);
    ck_assert_str_eq(da, db);
    free(da);
    free(db);
    ck_assert_uint_eq(strv_len(a->failed), strv_len(b->failed));
    for (size_t i = 0; a->failed && a->failed[i]; i++)
        ck_assert_str_eq(a->failed[i], b->failed[i]);
}

/* Four threads and one per CPU load what one thread loads, in name order. */
START_TEST(test_threads_same_as_one)
{
    struct dr_store one, four, any;

    put_inventory();
    load_with(&one, 1);
    load_with(&four, 4);
    load_with(&any, 0);
    assert_same_store(&one, &four);
    assert_same_store(&one, &any);

    /* What the files say, not just agreement: 150 specs, 4 of which name a
     * missing template (a note) and 4 miss roles (an error); 150 state
     * files, 4 of each broken kind (i % 37 = 5, 11, 17, 23). */
    ck_assert_uint_eq(four.n_clusters, N_CLUSTERS - 4 + 1); /* and put_good's "prod" */
    ck_assert_uint_eq(four.n_statuses, N_CLUSTERS - 16);
    ck_assert_uint_eq(strv_len(four.failed), 4 + 16);
    assert_diag(&four, "clusters/c007.cfg:1: pools[0].template: template 'ghost' does not "
                       "exist (no templates/ghost.cfg)");
    assert_diag(&four, "clusters/c019.cfg:1: pools[0].roles: is required");
    assert_diag(&four, "clusters/c011.state:2: nodes[0].state: 'sleeping' is not a node state");
    assert_diag(&four, "clusters/c017.state:2: nodes[0].colour: unknown key");
    assert_diag(&four, "clusters/c023.state:3: nodes[1].name: duplicate name 'n0'");
    assert_diag(&four, "clusters/c005.state:2: syntax error");
    for (size_t i = 0; i < four.n_statuses; i++) {
        char want[64];
        snprintf(want, sizeof want, "clusters/%s.state", four.statuses[i].cluster);
        ck_assert_str_eq(four.statuses[i].origin.file, want);
    }
    /* Diagnostics come in the files' name order, as one thread gives them. */
    for (size_t i = 1; i < four.n_diags; i++)
        if (str_has_suffix(four.diags[i].file, ".state") &&
            str_has_suffix(four.diags[i - 1].file, ".state"))
            ck_assert_int_le(strcmp(four.diags[i - 1].file, four.diags[i].file), 0);
    /* The node written with its keys in reverse order reads whole. */
    const struct dr_cluster_status *st = store_find_status(&four, "c043");
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->n_nodes, 3);
    const struct dr_node *n1 = &st->nodes[1];
    ck_assert_str_eq(n1->name, "n1");
    ck_assert_str_eq(n1->pool, "agent");
    ck_assert_int_eq(n1->state, DR_NODE_ERROR);
    ck_assert_int_eq(n1->step, DR_NODE_CLONING);
    ck_assert_int_eq(n1->percent, 40);
    ck_assert_int_eq(n1->attempts, 3);
    ck_assert_str_eq(n1->ip, "10.1.43.11");
    ck_assert_str_eq(n1->vm_id, "vm-x43");
    ck_assert_str_eq(n1->last_error, "boom 43");
    ck_assert(n1->ssh_verified);
    ck_assert_uint_eq(n1->roles, DR_ROLE_WORKER);
    ck_assert_int_eq((long long)n1->created, 1700000001LL);
    ck_assert_int_eq((long long)n1->updated, 1700000301LL);
    ck_assert_str_eq(st->nodes[0].host_key_fp, "SHA256:k43");
    ck_assert_int_eq(st->nodes[2].state, DR_NODE_PENDING);
    ck_assert_ptr_null(st->nodes[2].ip);
    store_done(&one);
    store_done(&four);
    store_done(&any);
}
END_TEST

/* A state file of 1,000 nodes (a pool's largest quantity) loads whole, in
 * order; a key spelt in another case is an unknown key, not the key. */
START_TEST(test_large_state_file)
{
    struct dr_store s;
    char *text = xstrdup("nodes = (\n");

    put_good();
    for (int k = 0; k < 1000; k++) {
        char *more = xasprintf("%s  { name = \"n%04d\"; state = \"active\"; percent = %d; }%s\n",
                               text, k, k % 101, k < 999 ? "," : "");
        free(text);
        text = more;
    }
    char *all = xasprintf("%s);\n", text);
    put(state_dir, "clusters/prod.state", all, 0600);
    put(state_dir, "clusters/zeta.state",
        "nodes = ( { name = \"n0\"; State = \"active\"; state = \"active\"; } );\n", 0600);
    load_with(&s, 2);
    const struct dr_cluster_status *st = store_find_status(&s, "prod");
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->n_nodes, 1000);
    for (int k = 0; k < 1000; k++) {
        char want[16];
        snprintf(want, sizeof want, "n%04d", k);
        ck_assert_str_eq(st->nodes[k].name, want);
        ck_assert_int_eq(st->nodes[k].percent, k % 101);
    }
    assert_diag(&s, "clusters/zeta.state:1: nodes[0].State: unknown key");
    ck_assert_ptr_null(store_find_status(&s, "zeta"));
    free(all);
    free(text);
    store_done(&s);
}
END_TEST

static Suite *
store_load_suite(void)
{
    Suite *s = suite_create("store_load");
    TCase *tc = tcase_create("store_load");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_threads_same_as_one);
    tcase_add_test(tc, test_large_state_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(store_load_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
