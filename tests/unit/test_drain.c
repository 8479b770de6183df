/* A drain's pod list (src/k8s/drain.c): which pods a drain evicts and which
 * it leaves, as kubectl drain --ignore-daemonsets decides.
 * tests/unit/data/k8s-pods-standin.json is what the lab's stand-in
 * (tests/lab/k8s) served for GET /api/v1/pods?fieldSelector=spec.nodeName=
 * agent-01 after a pod owned by a ReplicaSet was created there (the node's
 * DaemonSet pod is the stand-in's own), captured with `kubectl get --raw`.
 * The calls themselves run against the stand-in in
 * tests/integration/k8s-drain.t. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "k8s/drain.h"

static cJSON *
parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);

    ck_assert_ptr_nonnull(j);
    return j;
}

START_TEST(test_standin_pods)
{
    char *text = NULL, *err = NULL;
    struct dr_error e = { 0 };
    struct k8s_pod *pods;
    size_t n;
    cJSON *j;

    ck_assert_msg(util_read_file(DR_TOP_SRCDIR "/tests/unit/data/k8s-pods-standin.json", &text,
                                 NULL, &e) == DR_E_OK, "%s", e.msg);
    j = parse(text);
    ck_assert(k8s_pods_parse(j, &pods, &n, &err));
    ck_assert_uint_eq(n, 2);
    /* Sorted by namespace, then name. */
    ck_assert_str_eq(pods[0].ns, "default");
    ck_assert_str_eq(pods[0].name, "web-1");
    ck_assert(!pods[0].daemonset && !pods[0].mirror && !pods[0].terminating);
    ck_assert(k8s_pod_evictable(&pods[0]));
    ck_assert_str_eq(pods[1].ns, "kube-system");
    ck_assert(strncmp(pods[1].name, "lab-node-agent-", 15) == 0);
    ck_assert(pods[1].daemonset);
    ck_assert(!k8s_pod_evictable(&pods[1]));
    k8s_pods_free(pods, n);
    cJSON_Delete(j);
    free(text);
}
END_TEST

/* What the stand-in does not make but real clusters have: a kubelet's
 * static pod (its mirror in the API carries kubernetes.io/config.mirror), a
 * pod already terminating, a DaemonSet that owns a pod without being its
 * controller (an adopted pod: evicted, as kubectl does), a pod without a
 * name (skipped). */
START_TEST(test_kinds_of_pods)
{
    cJSON *j = parse(
        "{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"items\": ["
        " {\"metadata\": {\"name\": \"kube-vip-server-01\", \"namespace\": \"kube-system\","
        "   \"annotations\": {\"kubernetes.io/config.mirror\": \"0f3c\","
        "                     \"kubernetes.io/config.source\": \"file\"},"
        "   \"ownerReferences\": [{\"kind\": \"Node\", \"name\": \"server-01\", \"controller\": true}]}},"
        " {\"metadata\": {\"name\": \"web-2\", \"namespace\": \"shop\","
        "   \"deletionTimestamp\": \"2026-12-01T00:00:00Z\"}},"
        " {\"metadata\": {\"name\": \"adopted\", \"namespace\": \"shop\","
        "   \"ownerReferences\": [{\"kind\": \"DaemonSet\", \"name\": \"x\", \"controller\": false}]}},"
        " {\"metadata\": {\"namespace\": \"shop\"}}"
        "]}");
    struct k8s_pod *pods;
    size_t n;
    char *err = NULL;

    ck_assert(k8s_pods_parse(j, &pods, &n, &err));
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(pods[0].name, "kube-vip-server-01");
    ck_assert(pods[0].mirror && !pods[0].daemonset);
    ck_assert(!k8s_pod_evictable(&pods[0]));
    ck_assert_str_eq(pods[1].name, "adopted");
    ck_assert(!pods[1].daemonset);
    ck_assert(k8s_pod_evictable(&pods[1]));
    ck_assert_str_eq(pods[2].name, "web-2");
    ck_assert(pods[2].terminating);
    ck_assert(k8s_pod_evictable(&pods[2]));
    k8s_pods_free(pods, n);
    cJSON_Delete(j);
}
END_TEST

START_TEST(test_not_a_pod_list)
{
    static const char *const bad[] = {
        "{\"kind\": \"NodeList\", \"items\": []}",
        "{\"kind\": \"Status\", \"status\": \"Failure\", \"code\": 403}",
        "[]",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *j = parse(bad[i]);
        struct k8s_pod *pods = (struct k8s_pod *)1;
        size_t n = 7;
        char *err = NULL;

        ck_assert_msg(!k8s_pods_parse(j, &pods, &n, &err), "%s", bad[i]);
        ck_assert_ptr_null(pods);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_nonnull(err);
        free(err);
        cJSON_Delete(j);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("drain");
    TCase *tc = tcase_create("drain");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_standin_pods);
    tcase_add_test(tc, test_kinds_of_pods);
    tcase_add_test(tc, test_not_a_pod_list);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
