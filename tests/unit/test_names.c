/* src/vsphere/names.c and tree.c: vCenter's escaping of names, and which
 * objects a template's name or path means (exact names never split on '/',
 * full paths with %2f, ambiguity). The tree is built by hand, as vCenter
 * would list it. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "vsphere/internal.h"

START_TEST(escape_and_unescape)
{
    char *s;

    s = vs_name_escape("VLAN 10/app");
    ck_assert_str_eq(s, "VLAN 10%2fapp");
    free(s);
    s = vs_name_escape("50% a\\b");
    ck_assert_str_eq(s, "50%25 a%5cb");
    free(s);
    s = vs_name_unescape("VLAN 10%2Fapp %5c %25 %zz %2");
    ck_assert_str_eq(s, "VLAN 10/app \\ % %zz %2");
    free(s);
    s = vs_name_unescape("plain");
    ck_assert_str_eq(s, "plain");
    free(s);
    ck_assert(vs_name_equal("a%2fb", "a/b"));
    ck_assert(vs_name_equal("a%2Fb", "a/b"));
    ck_assert(!vs_name_equal("a%2fb", "a%2fb"));
    ck_assert(!vs_name_equal("k8s-net", "K8s-net")); /* exact, case too */
}
END_TEST

START_TEST(split_paths)
{
    char **v = vs_path_split("/DC0/network/VLAN 10%2fapp");

    ck_assert_int_eq(strv_len(v), 3);
    ck_assert_str_eq(v[0], "DC0");
    ck_assert_str_eq(v[1], "network");
    ck_assert_str_eq(v[2], "VLAN 10/app");
    strv_free(&v);
    v = vs_path_split("k8s-net");
    ck_assert_int_eq(strv_len(v), 1);
    strv_free(&v);
    v = vs_path_split("a//b/");
    ck_assert_int_eq(strv_len(v), 2);
    strv_free(&v);
}
END_TEST

#define E(i, t, n, p) {.id = (char *)(i), .type = (char *)(t), .name = (char *)(n), .parent = (char *)(p)}
static struct vs_entity ents[] = {
    E("datacenter-2", "Datacenter", "DC0", "group-d1"),
    E("folder-vm", "Folder", "vm", "datacenter-2"),
    E("folder-k8s", "Folder", "k8s", "folder-vm"),
    E("folder-a", "Folder", "teamA", "folder-vm"),
    E("folder-a-k8s", "Folder", "k8s", "folder-a"),
    E("vm-1", "VirtualMachine", "ubuntu", "folder-vm"),
    E("folder-h", "Folder", "host", "datacenter-2"),
    E("domain-c1", "ClusterComputeResource", "C0", "folder-h"),
    E("resgroup-1", "ResourcePool", "Resources", "domain-c1"),
    E("resgroup-2", "ResourcePool", "kubernetes", "resgroup-1"),
    E("resgroup-3", "ResourcePool", "kubernetes", "resgroup-2"),
    E("host-1", "HostSystem", "H0", "domain-c1"),
    E("folder-n", "Folder", "network", "datacenter-2"),
    E("network-1", "Network", "k8s-net", "folder-n"),
    E("network-2", "Network", "VLAN 10%2fapp", "folder-n"),
    E("folder-sw", "Folder", "sw01", "folder-n"),
    E("dvportgroup-1", "DistributedVirtualPortgroup", "k8s-net", "folder-sw"),
    E("folder-na", "Folder", "a", "folder-n"),
    E("network-3", "Network", "b", "folder-na"),
    E("network-4", "Network", "a%2fb", "folder-n"),
    E("datacenter-3", "Datacenter", "DC1", "group-d1"),
    E("folder-n1", "Folder", "network", "datacenter-3"),
    E("network-9", "Network", "k8s-net", "folder-n1"),
};
static struct vs_tree tree;
static const char *const nets[] = {"Network", "DistributedVirtualPortgroup", "OpaqueNetwork", NULL};

static int
cmp_id(const void *a, const void *b)
{
    return strcmp(((const struct vs_entity *)a)->id, ((const struct vs_entity *)b)->id);
}

static void
setup(void)
{
    qsort(ents, DR_ARRAY_LEN(ents), sizeof *ents, cmp_id);
    tree.v = ents;
    tree.n = DR_ARRAY_LEN(ents);
    tree.root = (char *)"group-d1";
}

/* The ids input means among types below scope, sorted, comma-joined. */
static char *
find(const char *const *types, const char *scope, const char *input)
{
    const struct vs_entity **m = NULL;
    size_t n = vs_tree_find(&tree, types, scope, scope, input, &m);
    char **ids = xcalloc(n + 1, sizeof *ids), *out = xstrdup("");

    for (size_t i = 0; i < n; i++)
        ids[i] = m[i]->id;
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (strcmp(ids[k], ids[i]) < 0) {
                char *t = ids[i];
                ids[i] = ids[k];
                ids[k] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? "," : "", ids[i]);
        free(out);
        out = next;
    }
    free(ids);
    free(m);
    return out;
}

#define FIND_IS(types, scope, input, want)                                                         \
    do {                                                                                           \
        char *got_ = find(types, scope, input);                                                    \
        ck_assert_msg(strcmp(got_, want) == 0, "%s: got '%s', want '%s'", input, got_, want);     \
        free(got_);                                                                                \
    } while (0)

START_TEST(bare_names_match_every_object_of_that_name)
{
    /* A standard and a distributed port group of one name: both, and not
     * the one in the other datacenter. */
    FIND_IS(nets, "folder-n", "k8s-net", "dvportgroup-1,network-1");
    FIND_IS(nets, NULL, "k8s-net", "dvportgroup-1,network-1,network-9");
    FIND_IS(nets, "folder-n", "K8S-NET", "");
    FIND_IS(nets, "folder-n", "nothing", "");
}
END_TEST

START_TEST(full_and_relative_paths_pick_one)
{
    FIND_IS(nets, "folder-n", "DC0/network/sw01/k8s-net", "dvportgroup-1");
    FIND_IS(nets, "folder-n", "/DC0/network/k8s-net", "network-1");
    FIND_IS(nets, "folder-n", "sw01/k8s-net", "dvportgroup-1");
    /* A path into another datacenter is outside the scope. */
    FIND_IS(nets, "folder-n", "DC1/network/k8s-net", "");
    FIND_IS(nets, "folder-n", "DC0/network/sw01/nothing", "");
}
END_TEST

START_TEST(a_slash_in_a_name_is_never_split)
{
    FIND_IS(nets, "folder-n", "VLAN 10/app", "network-2");
    FIND_IS(nets, "folder-n", "VLAN 10%2fapp", "network-2");
    FIND_IS(nets, "folder-n", "DC0/network/VLAN 10%2fapp", "network-2");
    FIND_IS(nets, "folder-n", "DC0/network/VLAN 10%2Fapp", "network-2");
    FIND_IS(nets, "folder-n", "DC0/network/VLAN 10/app", "");
    /* "a/b" is both a name and a path: both objects, so the caller refuses. */
    FIND_IS(nets, "folder-n", "a/b", "network-3,network-4");
    FIND_IS(nets, "folder-n", "a%2fb", "network-4");
    FIND_IS(nets, "folder-n", "DC0/network/a/b", "network-3");
}
END_TEST

START_TEST(same_rule_for_folders_pools_and_vms)
{
    static const char *const folders[] = {"Folder", NULL};
    static const char *const pools[] = {"ResourcePool", "VirtualApp", NULL};
    static const char *const vms[] = {"VirtualMachine", NULL};

    FIND_IS(folders, "folder-vm", "k8s", "folder-a-k8s,folder-k8s");
    FIND_IS(folders, "folder-vm", "teamA/k8s", "folder-a-k8s");
    FIND_IS(folders, "folder-vm", "DC0/vm/k8s", "folder-k8s");
    FIND_IS(pools, "resgroup-1", "kubernetes", "resgroup-2,resgroup-3");
    FIND_IS(pools, "resgroup-1", "kubernetes/kubernetes", "resgroup-3");
    FIND_IS(pools, "resgroup-1", "DC0/host/C0/Resources/kubernetes", "resgroup-2");
    FIND_IS(vms, "folder-vm", "ubuntu", "vm-1");
    FIND_IS(vms, "folder-vm", "/DC0/vm/ubuntu", "vm-1");
}
END_TEST

START_TEST(paths_as_vcenter_writes_them)
{
    const struct vs_entity *x = vs_tree_by_id(&tree, "dvportgroup-1");
    char *p = vs_tree_path(&tree, x);

    ck_assert_str_eq(p, "DC0/network/sw01/k8s-net");
    free(p);
    p = vs_tree_path(&tree, vs_tree_by_id(&tree, "network-2"));
    ck_assert_str_eq(p, "DC0/network/VLAN 10%2fapp");
    free(p);
    ck_assert(vs_tree_under(&tree, x, "folder-n"));
    ck_assert(vs_tree_under(&tree, x, "datacenter-2"));
    ck_assert(!vs_tree_under(&tree, x, "datacenter-3"));
    ck_assert_ptr_eq(vs_tree_child(&tree, "datacenter-2", "Folder", "network"),
                     vs_tree_by_id(&tree, "folder-n"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("names");
    TCase *tc = tcase_create("names");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, escape_and_unescape);
    tcase_add_test(tc, split_paths);
    tcase_add_test(tc, bare_names_match_every_object_of_that_name);
    tcase_add_test(tc, full_and_relative_paths_pick_one);
    tcase_add_test(tc, a_slash_in_a_name_is_never_split);
    tcase_add_test(tc, same_rule_for_folders_pools_and_vms);
    tcase_add_test(tc, paths_as_vcenter_writes_them);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
