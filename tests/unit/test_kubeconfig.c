/* Kubeconfig rename and merge (src/k8s/kubeconfig.c): results read back
 * with libyaml, as kubectl would read them. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "k8s/kubeconfig.h"
#include "yaml_at.h"

static const char *k3s_yaml =
    "apiVersion: v1\n"
    "clusters:\n"
    "- cluster:\n"
    "    certificate-authority-data: Q0EK\n"
    "    server: https://127.9.0.2:6443\n"
    "  name: default\n"
    "contexts:\n"
    "- context:\n"
    "    cluster: default\n"
    "    user: default\n"
    "  name: default\n"
    "current-context: default\n"
    "kind: Config\n"
    "preferences: {}\n"
    "users:\n"
    "- name: default\n"
    "  user:\n"
    "    client-certificate-data: Q0VSVAo=\n"
    "    client-key-data: S0VZCg==\n";

START_TEST(renamed_after_the_cluster)
{
    struct dr_error e = {0};
    char *out = NULL;
    ck_assert_int_eq(k8s_kubeconfig_for_cluster(k3s_yaml, "k.yaml", "prod-a", &out, &e), DR_E_OK);
    ck_at(out, "clusters.0.name", "prod-a");
    ck_at(out, "clusters.0.cluster.server", "https://127.9.0.2:6443");
    ck_at(out, "clusters.0.cluster.certificate-authority-data", "Q0EK");
    ck_at(out, "contexts.0.name", "prod-a");
    ck_at(out, "contexts.0.context.cluster", "prod-a");
    ck_at(out, "contexts.0.context.user", "prod-a");
    ck_at(out, "users.0.name", "prod-a");
    ck_at(out, "users.0.user.client-key-data", "S0VZCg==");
    ck_at(out, "current-context", "prod-a");
    ck_at(out, "kind", "Config");
    ck_none(out, "clusters.1");
    free(out);
}
END_TEST

START_TEST(current_context_chooses_the_entries)
{
    const char *two = "clusters:\n"
                      "- {name: a, cluster: {server: 'https://a:6443'}}\n"
                      "- {name: b, cluster: {server: 'https://b:6443'}}\n"
                      "users:\n"
                      "- {name: ua, user: {token: ta}}\n"
                      "- {name: ub, user: {token: tb}}\n"
                      "contexts:\n"
                      "- {name: ca, context: {cluster: a, user: ua}}\n"
                      "- {name: cb, context: {cluster: b, user: ub}}\n"
                      "current-context: cb\n";
    struct dr_error e = {0};
    char *out = NULL;
    ck_assert_int_eq(k8s_kubeconfig_for_cluster(two, "k.yaml", "x", &out, &e), DR_E_OK);
    ck_at(out, "clusters.0.cluster.server", "https://b:6443");
    ck_at(out, "users.0.user.token", "tb");
    free(out);
}
END_TEST

START_TEST(not_a_kubeconfig)
{
    struct dr_error e = {0};
    char *out = NULL;
    ck_assert_int_eq(k8s_kubeconfig_for_cluster("apiVersion: v1\nclusters: [\n  x: y\n", "k.yaml", "x", &out, &e),
                     DR_E_PARSE);
    ck_assert_msg(strstr(e.msg, "k.yaml:") != NULL, "%s", e.msg);
    ck_assert_int_eq(k8s_kubeconfig_for_cluster("apiVersion: v1\nkind: Config\n", "k.yaml", "x", &out, &e),
                     DR_E_PARSE);
    ck_assert_int_eq(k8s_kubeconfig_for_cluster("- a\n- b\n", "k.yaml", "x", &out, &e), DR_E_PARSE);
    ck_assert_msg(strstr(e.msg, "k.yaml:1") != NULL, "%s", e.msg);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(merge_keeps_the_rest_and_replaces_in_place)
{
    const char *existing = "# mine\n"
                           "apiVersion: v1\n"
                           "kind: Config\n"
                           "preferences: {colors: true}\n"
                           "clusters:\n"
                           "- {name: other, cluster: {server: 'https://o:6443'}}\n"
                           "- {name: prod-a, cluster: {server: 'https://old:6443'}}\n"
                           "- {name: third, cluster: {server: 'https://t:6443'}}\n"
                           "users:\n"
                           "- {name: other, user: {token: t}}\n"
                           "contexts:\n"
                           "- {name: other, context: {cluster: other, user: other}}\n"
                           "current-context: other\n"
                           "extensions: [{name: x, extension: {a: b}}]\n";
    struct dr_error e = {0};
    char *add = NULL, *out = NULL;
    ck_assert_int_eq(k8s_kubeconfig_for_cluster(k3s_yaml, "k.yaml", "prod-a", &add, &e), DR_E_OK);
    ck_assert_int_eq(k8s_kubeconfig_merge(existing, "cfg", add, &out, &e), DR_E_OK);
    ck_at(out, "clusters.0.name", "other");
    ck_at(out, "clusters.1.name", "prod-a");
    ck_at(out, "clusters.1.cluster.server", "https://127.9.0.2:6443");
    ck_at(out, "clusters.2.name", "third");
    ck_none(out, "clusters.3");
    ck_at(out, "users.0.name", "other");
    ck_at(out, "users.1.name", "prod-a");
    ck_at(out, "contexts.1.context.user", "prod-a");
    ck_at(out, "current-context", "prod-a");
    ck_at(out, "preferences.colors", "true");
    ck_at(out, "extensions.0.extension.a", "b");
    /* Merging the same again changes nothing. */
    char *again = NULL;
    ck_assert_int_eq(k8s_kubeconfig_merge(out, "cfg", add, &again, &e), DR_E_OK);
    ck_assert_str_eq(again, out);
    free(again);
    free(out);
    free(add);
}
END_TEST

START_TEST(merge_into_nothing)
{
    struct dr_error e = {0};
    char *add = NULL, *out = NULL;
    ck_assert_int_eq(k8s_kubeconfig_for_cluster(k3s_yaml, "k.yaml", "c1", &add, &e), DR_E_OK);
    const char *empties[] = {NULL, "", "# only a comment\n"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(k8s_kubeconfig_merge(empties[i], "cfg", add, &out, &e), DR_E_OK);
        ck_at(out, "apiVersion", "v1");
        ck_at(out, "kind", "Config");
        ck_at(out, "clusters.0.name", "c1");
        ck_at(out, "current-context", "c1");
        free(out);
        out = NULL;
    }
    ck_assert_int_eq(k8s_kubeconfig_merge("- a list\n", "cfg", add, &out, &e), DR_E_PARSE);
    ck_assert_msg(strstr(e.msg, "cfg:1") != NULL, "%s", e.msg);
    ck_assert_int_eq(k8s_kubeconfig_merge("a: [\n", "cfg", add, &out, &e), DR_E_PARSE);
    ck_assert_ptr_null(out);
    free(add);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("kubeconfig");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, renamed_after_the_cluster);
    tcase_add_test(tc, current_context_chooses_the_entries);
    tcase_add_test(tc, not_a_kubeconfig);
    tcase_add_test(tc, merge_keeps_the_rest_and_replaces_in_place);
    tcase_add_test(tc, merge_into_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
