/* Clone admission (src/engine/admit.c): vCenter's units per host and
 * datastore, and the engine holding clones back by them while the other
 * nodes' steps go on (against the in-memory backend, engine_fake.c). The
 * lab's simulator queues the same way: tests/integration/vc-queue.t. */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/admit.h"
#include "engine/engine.h"
#include "engine_fake.h"

static struct dr_template
tmpl(const char *host, const char *ds, enum dr_clone_mode mode)
{
    return (struct dr_template){.name = "t",
                                .vcenter = "vc",
                                .datacenter = "DC0",
                                .cluster = "C0",
                                .host = (char *)host,
                                .datastore = (char *)ds,
                                .clone_from = "tmpl",
                                .clone_mode = mode};
}

START_TEST(test_costs_are_vcenters)
{
    struct dr_template full = tmpl("esx1", "ds1", DR_CLONE_FULL);
    struct dr_template linked = tmpl("esx1", "ds1", DR_CLONE_LINKED);
    struct dr_template drs = tmpl(NULL, NULL, DR_CLONE_FULL);
    struct dr_template other_vc = tmpl("esx1", "ds1", DR_CLONE_FULL);
    struct admit_need a, b, c, d;

    admit_need_of(&full, "vc", &a);
    admit_need_of(&linked, "vc", &b);
    admit_need_of(&drs, "vc", &c);
    admit_need_of(&other_vc, "vc2", &d);
    /* 16 host units: a full clone 4, a linked clone 1; 128 datastore
     * units: a full clone 16, a linked clone 1. */
    ck_assert_int_eq(a.host_cost, 4);
    ck_assert_int_eq(a.ds_cost, 16);
    ck_assert_int_eq(b.host_cost, 1);
    ck_assert_int_eq(b.ds_cost, 1);
    ck_assert_str_eq(a.host, b.host);
    ck_assert_str_eq(a.datastore, b.datastore);
    /* No host named: vCenter picks it, only the datastore holds the clone
     * back; no datastore named: the source's. */
    ck_assert_ptr_null(c.host);
    ck_assert_ptr_nonnull(strstr(c.datastore, "tmpl"));
    /* The same host name in another vCenter is another host. */
    ck_assert_str_ne(d.host, a.host);
    admit_need_done(&a);
    admit_need_done(&b);
    admit_need_done(&c);
    admit_need_done(&d);
}
END_TEST

/* A template whose datastore is a datastore cluster: each clone charges the
 * member it goes on, so max_clones_per_datastore counts each member and
 * clones on two members do not wait for each other. */
START_TEST(test_datastore_cluster_members_count_apart)
{
    struct dr_template pod = tmpl(NULL, "pod1", DR_CLONE_FULL);
    struct admit ad = {0};
    struct admit_need a1, a2, b, whole;

    admit_need_member(&pod, "vc", "datastore-11", &a1);
    admit_need_member(&pod, "vc", "datastore-11", &a2);
    admit_need_member(&pod, "vc", "datastore-12", &b);
    admit_need_of(&pod, "vc", &whole);
    ck_assert_str_eq(a1.datastore, a2.datastore);
    ck_assert_str_ne(a1.datastore, b.datastore);
    ck_assert_str_ne(a1.datastore, whole.datastore);
    ck_assert_str_eq(a1.member, "datastore-11");
    ck_assert_ptr_null(whole.member);
    ck_assert_int_eq(a1.ds_cost, 16);
    /* max_clones_per_datastore = 1: the member is full, the other is not. */
    ck_assert_int_eq(admit_check(&ad, &a1, 4, 1), ADMIT_OK);
    admit_take(&ad, &a1);
    ck_assert_int_eq(admit_check(&ad, &a2, 4, 1), ADMIT_DATASTORE_FULL);
    ck_assert_int_eq(admit_check(&ad, &b, 4, 1), ADMIT_OK);
    admit_take(&ad, &b);
    ck_assert_int_eq(admit_clones(&ad, a1.datastore), 1);
    ck_assert_int_eq(admit_clones(&ad, b.datastore), 1);
    admit_release(&ad, &a1);
    ck_assert_int_eq(admit_check(&ad, &a2, 4, 1), ADMIT_OK);
    admit_release(&ad, &b);
    admit_need_done(&a1);
    admit_need_done(&a2);
    admit_need_done(&b);
    admit_need_done(&whole);
    admit_done(&ad);
}
END_TEST

START_TEST(test_host_units)
{
    struct dr_template t1 = tmpl("esx1", "ds1", DR_CLONE_FULL);
    struct dr_template t2 = tmpl("esx2", "ds1", DR_CLONE_FULL);
    struct admit ad = {0};
    struct admit_need n1, n2;

    admit_need_of(&t1, "vc", &n1);
    admit_need_of(&t2, "vc", &n2);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(admit_check(&ad, &n1, 4, 8), ADMIT_OK);
        admit_take(&ad, &n1);
    }
    ck_assert_int_eq(admit_clones(&ad, n1.host), 4);
    /* 16 units used on esx1: the fifth full clone waits, another host's not. */
    ck_assert_int_eq(admit_check(&ad, &n1, 4, 8), ADMIT_HOST_FULL);
    ck_assert_int_eq(admit_check(&ad, &n2, 4, 8), ADMIT_OK);
    /* A lower setting holds back sooner. */
    ck_assert_int_eq(admit_check(&ad, &n2, 4, 8), ADMIT_OK);
    admit_release(&ad, &n1);
    ck_assert_int_eq(admit_check(&ad, &n1, 4, 8), ADMIT_OK);
    ck_assert_int_eq(admit_check(&ad, &n1, 3, 8), ADMIT_HOST_FULL);
    for (int i = 0; i < 3; i++)
        admit_release(&ad, &n1);
    ck_assert_int_eq(admit_clones(&ad, n1.host), 0);
    ck_assert_int_eq((int)ad.n, 0); /* idle resources are forgotten */
    admit_need_done(&n1);
    admit_need_done(&n2);
    admit_done(&ad);
}
END_TEST

START_TEST(test_linked_clones_count_their_share)
{
    struct dr_template f = tmpl("esx1", "ds1", DR_CLONE_FULL);
    struct dr_template l = tmpl("esx1", "ds1", DR_CLONE_LINKED);
    struct admit ad = {0};
    struct admit_need nf, nl;
    int n = 0;

    admit_need_of(&f, "vc", &nf);
    admit_need_of(&l, "vc", &nl);
    while (admit_check(&ad, &nl, 4, 8) == ADMIT_OK) {
        admit_take(&ad, &nl);
        n++;
        ck_assert_int_le(n, 100);
    }
    ck_assert_int_eq(n, 16); /* 16 units of 1 */
    ck_assert_int_eq(admit_check(&ad, &nl, 4, 8), ADMIT_HOST_FULL);
    /* Three full clones (12 units) and four linked (4) fill a host too. */
    for (int i = 0; i < 16; i++)
        admit_release(&ad, &nl);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(admit_check(&ad, &nf, 4, 8), ADMIT_OK);
        admit_take(&ad, &nf);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(admit_check(&ad, &nl, 4, 8), ADMIT_OK);
        admit_take(&ad, &nl);
    }
    ck_assert_int_eq(admit_check(&ad, &nl, 4, 8), ADMIT_HOST_FULL);
    ck_assert_int_eq(admit_check(&ad, &nf, 4, 8), ADMIT_HOST_FULL);
    admit_need_done(&nf);
    admit_need_done(&nl);
    admit_done(&ad);
}
END_TEST

START_TEST(test_drs_clones_count_on_the_datastore_only)
{
    struct dr_template t = tmpl(NULL, "ds1", DR_CLONE_FULL);
    struct admit ad = {0};
    struct admit_need need;
    int n = 0;

    admit_need_of(&t, "vc", &need);
    while (admit_check(&ad, &need, 1, 8) == ADMIT_OK && n < 100) {
        admit_take(&ad, &need);
        n++;
    }
    ck_assert_int_eq(n, 8); /* max_clones_per_host = 1 did not hold them */
    ck_assert_int_eq(admit_check(&ad, &need, 1, 8), ADMIT_DATASTORE_FULL);
    for (int i = 0; i < n; i++)
        admit_release(&ad, &need);
    ck_assert_int_eq((int)ad.n, 0);
    admit_need_done(&need);
    admit_done(&ad);
}
END_TEST

START_TEST(test_datastore_units)
{
    struct admit ad = {0};
    char host[16];
    int n = 0;

    /* Full clones on eight hosts fill one datastore's 128 units. */
    for (int i = 0; i < 9; i++) {
        struct dr_template t;
        struct admit_need need;

        snprintf(host, sizeof host, "esx%d", i);
        t = tmpl(host, "ds1", DR_CLONE_FULL);
        admit_need_of(&t, "vc", &need);
        if (admit_check(&ad, &need, 4, 8) == ADMIT_OK) {
            admit_take(&ad, &need);
            n++;
        } else {
            ck_assert_int_eq(admit_check(&ad, &need, 4, 8), ADMIT_DATASTORE_FULL);
            ck_assert_int_eq(admit_clones(&ad, need.datastore), 8);
            /* A higher setting lets it start. */
            ck_assert_int_eq(admit_check(&ad, &need, 4, 9), ADMIT_OK);
        }
        admit_need_done(&need);
    }
    ck_assert_int_eq(n, 8);
    admit_done(&ad);
}
END_TEST

static void
cfg(const char *text)
{
    write_file(cfgdir, "drover.cfg", text, 0600);
}

/* Template name of the fixture's kind with its clones pinned to host h. */
static void
pin_named(const char *name, const char *h)
{
    char *text =
        xasprintf("vcenter = \"lab\";\ndatacenter = \"DC0\";\ncluster = \"DC0_C0\";\n"
                  "host = \"%s\";\ndatastore = \"LocalDS_0\";\nfolder = \"k8s\";\n"
                  "networks = [ \"VM Network\" ];\n"
                  "clone_from = \"ubuntu-22.04-template\";\ncpus = 2;\nmemory_mib = 2048;\n",
                  h);
    char *rel = xasprintf("templates/%s.cfg", name);

    write_file(cfgdir, rel, text, 0600);
    free(rel);
    free(text);
}

/* The fixture's template with its clones pinned to host h of its cluster. */
static void
pin_template(const char *h)
{
    char *text =
        xasprintf("vcenter = \"lab\";\ndatacenter = \"DC0\";\ncluster = \"DC0_C0\";\n"
                  "host = \"%s\";\ndatastore = \"LocalDS_0\";\nfolder = \"k8s\";\n"
                  "networks = [ \"VM Network\" ];\n"
                  "clone_from = \"ubuntu-22.04-template\";\ncpus = 2;\nmemory_mib = 2048;\n",
                  h);

    write_file(cfgdir, "templates/lab.cfg", text, 0600);
    free(text);
}

/* The position of the first "what node;" in fk.order, or -1. */
static long
order_at(const char *what, const char *node)
{
    char *needle = xasprintf("%s %s;", what, node);
    const char *hit = strstr(fk.order, needle);

    free(needle);
    return hit ? (long)(hit - fk.order) : -1;
}

/* The position in wait_idle's "node:state " text where node (any node when
 * NULL) first entered state, or LONG_MAX when it never did. */
static long
seen_at(const char *seen, const char *node, const char *state)
{
    char *needle = node ? xasprintf("%s:%s ", node, state) : xasprintf(":%s ", state);
    const char *hit = NULL;

    for (const char *p = seen; (p = strstr(p, needle)) != NULL; p++)
        if (node == NULL || p == seen || p[-1] == ' ') {
            hit = p;
            break;
        }
    free(needle);
    if (hit == NULL)
        return LONG_MAX;
    if (node == NULL) /* back to the start of the node's name */
        while (hit > seen && hit[-1] != ' ')
            hit--;
    return (long)(hit - seen);
}

START_TEST(test_engine_holds_clones_and_moves_others)
{
    struct dr_engine *eng;
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = {0};
    struct dr_snapshot *s;
    char *seen;

    cfg("workers = 6;\nretries = 2;\nretry_backoff_ms = 10;\nmax_clones_per_host = 2;\n");
    pin_template("DC0_C0_H0");
    fk.clone_ms = 100;
    eng = start(NULL);
    spec_init(&spec, pools, 1, 9);
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    seen = wait_idle(eng);
    s = engine_snapshot(eng);
    ck_assert_int_eq(count_state(s, DR_NODE_ACTIVE), 10);
    engine_snapshot_free(&s);
    /* Never more than the setting's clones at once on the template's host,
     * though four workers were free. */
    ck_assert_int_le(fk.clones_max, 2);
    ck_assert_int_ge(fk.clones_max, 1);
    ck_assert_int_eq(fk.clones, 10);
    /* While the last clones waited for a slot, earlier nodes powered on. */
    ck_assert_msg(order_at("power_on", "server-01") >= 0 &&
                      order_at("power_on", "server-01") < order_at("clone", "agent-09"),
                  "%s", fk.order);
    ck_assert_msg(order_at("power_on", "agent-01") < order_at("clone", "agent-09"), "%s", fk.order);
    free(seen);
    engine_free(&eng);
}
END_TEST

/* Two hosts share a datastore that takes two clones at once: they take its
 * slots in turn, not the first pool's nodes all first (fewest waves). */
START_TEST(test_engine_hosts_take_the_datastore_in_turn)
{
    struct dr_engine *eng;
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = {0};
    char *seen;

    cfg("workers = 8;\nretries = 2;\nretry_backoff_ms = 10;\nmax_clones_per_datastore = 2;\n");
    pin_named("lab", "DC0_C0_H0");
    pin_named("lab2", "DC0_C0_H1");
    fk.clone_ms = 100;
    eng = start(NULL);
    spec_init(&spec, pools, 4, 4);
    pools[1].template = "lab2";
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    seen = wait_idle(eng);
    ck_assert_int_eq(fk.clones, 8);
    ck_assert_int_le(fk.clones_max, 2);
    /* server-01 (host 0) first; the second slot goes to host 1's agent-01,
     * before host 0's server-02, though server-02's job is older. The
     * engine's own events say in which order workers took the clones (each
     * is emitted under the engine's lock as its clone is admitted); the fake's
     * calls come after the lock is dropped, so two admitted clones may reach
     * it in either order on a loaded machine. */
    ck_assert_msg(seen_at(seen, "server-01", "cloning") == seen_at(seen, NULL, "cloning"), "%s",
                  seen);
    ck_assert_msg(seen_at(seen, "agent-01", "cloning") < seen_at(seen, "server-02", "cloning"),
                  "%s", seen);
    ck_assert_msg(seen_at(seen, "agent-02", "cloning") < seen_at(seen, "server-04", "cloning"),
                  "%s", seen);
    /* What reached vCenter: the first two clones were those two. */
    ck_assert_msg(order_at("clone", "server-01") >= 0 && order_at("clone", "agent-01") >= 0 &&
                      order_at("clone", "server-01") < order_at("clone", "server-02") &&
                      order_at("clone", "agent-01") < order_at("clone", "agent-02"),
                  "%s", fk.order);
    free(seen);
    engine_free(&eng);
}
END_TEST

START_TEST(test_engine_keeps_a_worker_for_other_steps)
{
    struct dr_engine *eng;
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = {0};
    char *seen;

    /* vCenter's limits far away: only the workers bound the clones. */
    cfg("workers = 3;\nretries = 2;\nretry_backoff_ms = 10;\nmax_clones_per_host = 64;\n"
        "max_clones_per_datastore = 128;\n");
    fk.clone_ms = 50;
    eng = start(NULL);
    spec_init(&spec, pools, 1, 7);
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    seen = wait_idle(eng);
    ck_assert_int_eq(fk.clones, 8);
    ck_assert_int_le(fk.clones_max, 2);
    ck_assert_msg(order_at("power_on", "server-01") < order_at("clone", "agent-07"), "%s",
                  fk.order);
    free(seen);
    engine_free(&eng);
}
END_TEST

START_TEST(test_settings_bounds)
{
    struct dr_store st;
    struct dr_error e = {0};

    cfg("max_clones_per_host = 0;\nmax_clones_per_datastore = 500;\n");
    ck_assert_int_eq(store_init(&st, cfgdir, statedir, &e), DR_E_OK);
    store_load(&st, &e);
    /* Both refused with file:line and the field; the defaults stay. */
    ck_assert_int_ge((int)st.n_diags, 2);
    {
        bool host = false, ds = false;

        for (size_t i = 0; i < st.n_diags; i++) {
            char *d = store_diag_format(&st.diags[i]);

            host |= strstr(d, "drover.cfg:1") && strstr(d, "max_clones_per_host");
            ds |= strstr(d, "drover.cfg:2") && strstr(d, "max_clones_per_datastore");
            free(d);
        }
        ck_assert(host && ds);
    }
    ck_assert_int_eq(st.settings.max_clones_per_host, ADMIT_DEFAULT_PER_HOST);
    ck_assert_int_eq(st.settings.max_clones_per_datastore, ADMIT_DEFAULT_PER_DATASTORE);
    store_done(&st);
}
END_TEST

/* A template may pin its clones to one host of its cluster: the host whose
 * units they take. */
START_TEST(test_template_pins_a_host_of_its_cluster)
{
    struct dr_store st;

    write_file(cfgdir, "templates/pinned.cfg",
               "vcenter = \"lab\";\ndatacenter = \"DC0\";\ncluster = \"DC0_C0\";\n"
               "host = \"DC0_C0_H1\";\ndatastore = \"LocalDS_0\";\n"
               "clone_from = \"ubuntu-22.04-template\";\ncpus = 2;\nmemory_mib = 2048;\n",
               0600);
    open_store(&st); /* fails on any diagnostic */
    for (size_t i = 0; i < st.n_templates; i++)
        if (strcmp(st.templates[i].name, "pinned") == 0) {
            struct admit_need need;

            ck_assert_str_eq(st.templates[i].cluster, "DC0_C0");
            ck_assert_str_eq(st.templates[i].host, "DC0_C0_H1");
            admit_need_of(&st.templates[i], "lab", &need);
            ck_assert_ptr_nonnull(strstr(need.host, "DC0_C0_H1"));
            admit_need_done(&need);
        }
    store_done(&st);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("admit");
    TCase *tc = tcase_create("units");
    TCase *te = tcase_create("engine");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_costs_are_vcenters);
    tcase_add_test(tc, test_host_units);
    tcase_add_test(tc, test_linked_clones_count_their_share);
    tcase_add_test(tc, test_datastore_units);
    tcase_add_test(tc, test_drs_clones_count_on_the_datastore_only);
    tcase_add_test(tc, test_datastore_cluster_members_count_apart);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(te, setup, NULL);
    tcase_set_timeout(te, 120);
    tcase_add_test(te, test_engine_holds_clones_and_moves_others);
    tcase_add_test(te, test_engine_keeps_a_worker_for_other_steps);
    tcase_add_test(te, test_engine_hosts_take_the_datastore_in_turn);
    tcase_add_test(te, test_settings_bounds);
    tcase_add_test(te, test_template_pins_a_host_of_its_cluster);
    suite_add_tcase(s, te);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
