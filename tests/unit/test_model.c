#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/guestos.h"
#include "core/model.h"
#include "core/util.h"

START_TEST(test_state_names)
{
    enum dr_node_state st;

    ck_assert_str_eq(node_state_key(DR_NODE_WAITING_FOR_IP), "waiting-for-ip");
    ck_assert_str_eq(node_state_label(DR_NODE_WAITING_FOR_IP), "Waiting for IP");
    ck_assert_str_eq(node_state_key(DR_NODE__COUNT), "unknown");
    for (int i = 0; i < DR_NODE__COUNT; i++) {
        ck_assert(node_state_from_key(node_state_key((enum dr_node_state)i), &st));
        ck_assert_int_eq(st, i);
    }
    ck_assert(!node_state_from_key("Active", &st));
    ck_assert(!node_state_from_key(NULL, &st));
    ck_assert_str_eq(cluster_state_key(DR_CLUSTER_DEGRADED), "degraded");
    ck_assert_str_eq(cluster_state_label(DR_CLUSTER_PROVISIONING), "Provisioning");
    ck_assert_str_eq(cluster_state_key((enum dr_cluster_state)99), "unknown");
}
END_TEST

START_TEST(test_enum_names)
{
    enum dr_distribution d;
    enum dr_clone_mode m;
    unsigned bit;
    char buf[64];

    ck_assert_str_eq(distribution_key(DR_DIST_RKE2), "rke2");
    ck_assert(distribution_from_key("k3s", &d));
    ck_assert_int_eq(d, DR_DIST_K3S);
    ck_assert(!distribution_from_key("k8s", &d));
    ck_assert_str_eq(clone_mode_key(DR_CLONE_LINKED), "linked");
    ck_assert(clone_mode_from_key("full", &m));
    ck_assert_int_eq(m, DR_CLONE_FULL);
    ck_assert(!clone_mode_from_key("thin", &m));
    ck_assert(roles_parse_one("control-plane", &bit));
    ck_assert_uint_eq(bit, DR_ROLE_CONTROL_PLANE);
    ck_assert(!roles_parse_one("master", &bit));
    ck_assert_str_eq(
        roles_format(DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE | DR_ROLE_WORKER, buf, sizeof buf),
        "etcd,control-plane,worker");
    ck_assert_str_eq(roles_format(DR_ROLE_WORKER, buf, sizeof buf), "worker");
    ck_assert_str_eq(roles_format(0, buf, sizeof buf), "");
    /* Too small a buffer cuts at a whole name. */
    ck_assert_str_eq(roles_format(DR_ROLE_ETCD | DR_ROLE_WORKER, buf, 8), "etcd");
    ck_assert_str_eq(role_name(DR_ROLE_ETCD), "etcd");
    ck_assert_ptr_null(role_name(1u << 7));
}
END_TEST

static struct dr_cluster
spec(int cp, int workers)
{
    struct dr_cluster c = {0};

    c.name = xstrdup("c");
    c.n_pools = 2;
    c.pools = xcalloc(2, sizeof *c.pools);
    c.pools[0].name = xstrdup("cp");
    c.pools[0].quantity = cp;
    c.pools[0].roles = DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD;
    c.pools[1].name = xstrdup("w");
    c.pools[1].quantity = workers;
    c.pools[1].roles = DR_ROLE_WORKER;
    return c;
}

static struct dr_cluster_status
status(const enum dr_node_state *states, size_t n)
{
    struct dr_cluster_status s = {0};

    s.cluster = xstrdup("c");
    s.n_nodes = n;
    s.nodes = xcalloc(n ? n : 1, sizeof *s.nodes);
    for (size_t i = 0; i < n; i++) {
        s.nodes[i].name = xasprintf("n%zu", i);
        s.nodes[i].state = states[i];
    }
    return s;
}

static enum dr_cluster_state
derive(int cp, int workers, const enum dr_node_state *states, size_t n, int *ready, int *total)
{
    struct dr_cluster c = spec(cp, workers);
    struct dr_cluster_status s = status(states, n);
    enum dr_cluster_state r = cluster_state_derive(&c, &s);

    cluster_node_counts(&s, ready, total);
    cluster_done(&c);
    cluster_status_done(&s);
    return r;
}

START_TEST(test_cluster_state)
{
    const enum dr_node_state all_active[] = {DR_NODE_ACTIVE, DR_NODE_ACTIVE, DR_NODE_ACTIVE};
    const enum dr_node_state first[] = {DR_NODE_CLONING, DR_NODE_PENDING};
    const enum dr_node_state scaling[] = {DR_NODE_ACTIVE, DR_NODE_BOOTSTRAPPING};
    const enum dr_node_state one_failed[] = {DR_NODE_ACTIVE, DR_NODE_ERROR};
    const enum dr_node_state all_failed[] = {DR_NODE_ERROR, DR_NODE_CLONING};
    const enum dr_node_state gone[] = {DR_NODE_ACTIVE, DR_NODE_REMOVED, DR_NODE_ACTIVE};
    const enum dr_node_state shrink[] = {DR_NODE_ACTIVE, DR_NODE_REMOVING};
    int ready, total;

    ck_assert_int_eq(derive(1, 2, all_active, 3, &ready, &total), DR_CLUSTER_ACTIVE);
    ck_assert_int_eq(ready, 3);
    ck_assert_int_eq(total, 3);
    ck_assert_int_eq(derive(1, 2, NULL, 0, &ready, &total), DR_CLUSTER_PENDING);
    ck_assert_int_eq(total, 0);
    ck_assert_int_eq(derive(0, 0, NULL, 0, NULL, NULL), DR_CLUSTER_ACTIVE);
    ck_assert_int_eq(derive(1, 1, first, 2, &ready, &total), DR_CLUSTER_PROVISIONING);
    ck_assert_int_eq(ready, 0);
    ck_assert_int_eq(derive(1, 1, scaling, 2, NULL, NULL), DR_CLUSTER_UPDATING);
    ck_assert_int_eq(derive(1, 1, one_failed, 2, NULL, NULL), DR_CLUSTER_DEGRADED);
    ck_assert_int_eq(derive(1, 1, all_failed, 2, NULL, NULL), DR_CLUSTER_ERROR);
    /* REMOVED nodes do not count; two live of two wanted is active. */
    ck_assert_int_eq(derive(1, 1, gone, 3, &ready, &total), DR_CLUSTER_ACTIVE);
    ck_assert_int_eq(total, 2);
    ck_assert_int_eq(derive(1, 0, shrink, 2, NULL, NULL), DR_CLUSTER_UPDATING);
    /* More active than wanted and nothing running yet: an update is due. */
    ck_assert_int_eq(derive(1, 0, all_active, 3, NULL, NULL), DR_CLUSTER_UPDATING);
    /* No spec any more: the cluster is going away. */
    struct dr_cluster_status s = status(all_active, 3);
    ck_assert_int_eq(cluster_state_derive(NULL, &s), DR_CLUSTER_REMOVING);
    cluster_status_done(&s);
    cluster_node_counts(NULL, &ready, &total);
    ck_assert_int_eq(total, 0);
    /* An active node the API calls Unknown, NotReady or does not list is
     * not counted ready; Ready or not yet polled is. */
    s = status(all_active, 3);
    s.nodes[0].k8s_ready = DR_K8S_UNKNOWN;
    s.nodes[1].k8s_ready = DR_K8S_READY;
    cluster_node_counts(&s, &ready, &total);
    ck_assert_int_eq(ready, 2);
    ck_assert_int_eq(total, 3);
    s.nodes[1].k8s_ready = DR_K8S_NOT_READY;
    s.nodes[2].k8s_ready = DR_K8S_MISSING;
    cluster_node_counts(&s, &ready, &total);
    ck_assert_int_eq(ready, 0);
    cluster_status_done(&s);
}
END_TEST

START_TEST(test_copies_are_deep)
{
    struct dr_cluster a = spec(3, 5), b;
    struct dr_node n = {0}, m;
    struct dr_template t = {0}, u;

    a.version = xstrdup("v1");
    a.pools[0].template = xstrdup("tpl");
    a.origin.file = xstrdup("clusters/c.cfg");
    cluster_copy(&b, &a);
    ck_assert_ptr_ne(b.pools, a.pools);
    ck_assert_ptr_ne(b.pools[0].template, a.pools[0].template);
    ck_assert_str_eq(b.pools[0].template, "tpl");
    ck_assert_int_eq(b.pools[1].quantity, 5);
    ck_assert_str_eq(b.origin.file, "clusters/c.cfg");
    cluster_done(&a);
    ck_assert_str_eq(b.version, "v1");
    cluster_done(&b);
    ck_assert_ptr_null(b.name);

    n.name = xstrdup("n1");
    n.ip = xstrdup("127.0.0.2");
    n.state = DR_NODE_JOINING;
    n.created = 12345;
    node_copy(&m, &n);
    node_done(&n);
    ck_assert_str_eq(m.name, "n1");
    ck_assert_str_eq(m.ip, "127.0.0.2");
    ck_assert_int_eq(m.state, DR_NODE_JOINING);
    ck_assert(m.created == 12345);
    node_done(&m);

    t.name = xstrdup("t");
    strv_push(&t.networks, "VM Network");
    t.n_extra_config = 1;
    t.extra_config = xcalloc(1, sizeof *t.extra_config);
    t.extra_config[0].key = xstrdup("k");
    t.extra_config[0].value = xstrdup("v");
    template_copy(&u, &t);
    template_done(&t);
    ck_assert_str_eq(u.networks[0], "VM Network");
    ck_assert_ptr_null(u.networks[1]);
    ck_assert_str_eq(u.extra_config[0].value, "v");
    ck_assert_ptr_null(u.tags);
    template_done(&u);

    struct dr_vcenter v = {0}, w;
    v.name = xstrdup("vc");
    v.password = xstrdup("pw");
    v.timeout_s = 9;
    vcenter_copy(&w, &v);
    vcenter_done(&v);
    ck_assert_str_eq(w.password, "pw");
    ck_assert_int_eq(w.timeout_s, 9);
    vcenter_done(&w);
}
END_TEST

/* The release tags each installer takes (case B: versions k3s ignores). */
START_TEST(test_version_forms)
{
    static const struct {
        enum dr_distribution d;
        const char *v;
        bool ok;
    } cases[] = {
        {DR_DIST_K3S, "v1.30.4+k3s1", true},     {DR_DIST_K3S, "v1.29.10+k3s12", true},
        {DR_DIST_K3S, "v1.30.4", false},         {DR_DIST_K3S, "1.30.4+k3s1", false},
        {DR_DIST_K3S, "v1.30.4+k3s", false},     {DR_DIST_K3S, "v1.30+k3s1", false},
        {DR_DIST_K3S, "v1.30.4+k3s1 ", false},   {DR_DIST_K3S, "v1.30.4+rke2r1", false},
        {DR_DIST_K3S, "v1.30.4-rc1+k3s1", false}, {DR_DIST_K3S, "latest", false},
        {DR_DIST_RKE2, "v1.30.4+rke2r1", true},  {DR_DIST_RKE2, "v1.28.15+rke2r2", true},
        {DR_DIST_RKE2, "v1.30.4+k3s1", false},   {DR_DIST_RKE2, "v1.30.4+rke2", false},
        {DR_DIST_RKE2, "v1.30.4+rke2r", false},  {DR_DIST_RKE2, "v1.30.4", false},
        /* Numbers no release has: the build counts from 1, no leading
         * zeros, no overflow, nothing after the number. */
        {DR_DIST_K3S, "v1.30.4+k3s0", false},    {DR_DIST_RKE2, "v1.30.4+rke2r0", false},
        {DR_DIST_K3S, "v01.30.4+k3s1", false},   {DR_DIST_K3S, "v1.030.4+k3s1", false},
        {DR_DIST_K3S, "v1.30.04+k3s1", false},   {DR_DIST_K3S, "v1.30.4+k3s01", false},
        {DR_DIST_RKE2, "v01.30.4+rke2r1", false}, {DR_DIST_RKE2, "v1.30.4+rke2r01", false},
        {DR_DIST_K3S, "v1.30.4+k3s99999999999999999999", false},
        {DR_DIST_RKE2, "v1.30.4+rke2r99999999999999999999", false},
        {DR_DIST_K3S, "v18446744073709551617.30.4+k3s1", false},
        {DR_DIST_K3S, "v1.30.4+k3s1\n", false}, {DR_DIST_K3S, "", false},
        {DR_DIST_K3S, "v1.30.0+k3s1", true},     {DR_DIST_K3S, "v1.30.10+k3s10", true},
        {DR_DIST_RKE2, "v1.30.0+rke2r10", true},
    };
    const char *form, *example;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(distribution_version_valid(cases[i].d, cases[i].v, &form, &example) ==
                          cases[i].ok,
                      "%s %s", distribution_key(cases[i].d), cases[i].v);
    distribution_version_valid(DR_DIST_RKE2, "x", &form, &example);
    ck_assert_str_eq(form, "vX.Y.Z+rke2rN");
    ck_assert_str_eq(example, "v1.30.4+rke2r1");
}
END_TEST

/* A template's os against the guest ids vCenter reports. */
START_TEST(test_guestos)
{
    char *sg;

    ck_assert(guestos_valid("ubuntu"));
    ck_assert(guestos_valid("ubuntu-22.04"));
    ck_assert(guestos_valid("Debian-12"));
    ck_assert(guestos_valid("photon-5"));
    ck_assert(guestos_valid("ubuntu64Guest"));
    ck_assert(!guestos_valid("ubuntu-"));
    ck_assert(!guestos_valid("ubuntu-jammy"));
    ck_assert(!guestos_valid("ubuntu-22."));
    ck_assert(!guestos_valid("windows"));
    ck_assert(!guestos_valid("linux"));
    ck_assert(!guestos_valid(""));

    ck_assert_int_eq(guestos_match("ubuntu-22.04", "ubuntu64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("ubuntu", "ubuntuGuest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("debian-12", "ubuntu64Guest"), DR_OS_MISMATCH);
    ck_assert_int_eq(guestos_match("debian-12", "debian12_64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("debian-11", "debian12_64Guest"), DR_OS_MISMATCH);
    ck_assert_int_eq(guestos_match("rhel-9.4", "rhel9_64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("rhel-8", "rhel9_64Guest"), DR_OS_MISMATCH);
    ck_assert_int_eq(guestos_match("rhel-7", "rhel7Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("rocky-9", "rockylinux_64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("oracle-9", "oracleLinux9_64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("photon-5", "vmwarePhoton64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("ubuntu", "windows2019srv_64Guest"), DR_OS_MISMATCH);
    ck_assert_int_eq(guestos_match("ubuntu64Guest", "ubuntu64Guest"), DR_OS_MATCH);
    ck_assert_int_eq(guestos_match("ubuntu64Guest", "ubuntuGuest"), DR_OS_MISMATCH);
    ck_assert_int_eq(guestos_match("ubuntu", "otherLinux64Guest"), DR_OS_UNKNOWN);
    ck_assert_int_eq(guestos_match("ubuntu", "otherGuest"), DR_OS_UNKNOWN);
    ck_assert_int_eq(guestos_match("ubuntu", ""), DR_OS_UNKNOWN);
    ck_assert_int_eq(guestos_match("ubuntu", NULL), DR_OS_UNKNOWN);

    ck_assert_str_eq(sg = guestos_suggest("ubuntu64Guest"), "ubuntu");
    free(sg);
    ck_assert_str_eq(sg = guestos_suggest("rhel9_64Guest"), "rhel-9");
    free(sg);
    ck_assert_str_eq(sg = guestos_suggest("windows2019srv_64Guest"), "windows2019srv_64Guest");
    free(sg);
    ck_assert_ptr_null(guestos_suggest("otherGuest"));
}
END_TEST

static Suite *
model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");

    tcase_add_test(tc, test_state_names);
    tcase_add_test(tc, test_guestos);
    tcase_add_test(tc, test_enum_names);
    tcase_add_test(tc, test_cluster_state);
    tcase_add_test(tc, test_copies_are_deep);
    tcase_add_test(tc, test_version_forms);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(model_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
