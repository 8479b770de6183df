/* The Kubernetes client's parsing (src/k8s/client.c, kubeconfig.c): node
 * lists and kubeconfig credentials. tests/unit/data/k8s-nodes-standin.json
 * is what the lab's stand-in (tests/lab/k8s) served for GET /api/v1/nodes:
 * a k3s server (cordoned) and an agent whose kubelet had been stopped past
 * the node monitor's grace period, captured with
 * `kubectl get --raw /api/v1/nodes | jq .`. The transport is tested against
 * the stand-in itself (tests/integration/k8s-client.t). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "k8s/client.h"
#include "k8s/kubeconfig.h"

static cJSON *
sample(void)
{
    char *text = NULL;
    size_t len = 0;
    struct dr_error e = {0};
    ck_assert_msg(util_read_file(DR_TOP_SRCDIR "/tests/unit/data/k8s-nodes-standin.json", &text,
                                 &len, &e) == DR_E_OK,
                  "%s", e.msg);
    cJSON *j = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* The condition of type in item i of list. */
static cJSON *
cond(cJSON *list, int i, const char *type)
{
    cJSON *c, *st = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "items"), i),
                                        "status");
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(st, "conditions"))
    {
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "type")), type))
            return c;
    }
    return NULL;
}

static void
set_str(cJSON *o, const char *k, const char *v)
{
    cJSON_ReplaceItemInObject(o, k, cJSON_CreateString(v));
}

START_TEST(test_nodes_standin)
{
    cJSON *j = sample();
    struct k8s_node *n = NULL;
    size_t k = 0;
    char *err = NULL;
    ck_assert(k8s_nodes_parse(j, &n, &k, &err));
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(n[0].name, "ag1");
    ck_assert_int_eq(n[0].ready, K8S_UNKNOWN);
    ck_assert_str_eq(k8s_ready_name(n[0].ready), "Unknown");
    ck_assert_str_eq(n[0].reason, "NodeStatusUnknown");
    ck_assert_str_eq(n[0].message, "Kubelet stopped posting node status.");
    ck_assert_str_eq(n[0].kubelet_version, "v1.30.4+k3s1");
    ck_assert_str_eq(n[0].roles, "");
    ck_assert(!n[0].unschedulable);
    ck_assert_str_eq(n[0].internal_ip, "127.250.1.2");
    ck_assert_str_eq(n[1].name, "srv1");
    ck_assert_int_eq(n[1].ready, K8S_READY);
    ck_assert_str_eq(n[1].reason, "");
    ck_assert_str_eq(n[1].roles, "control-plane,master");
    ck_assert(n[1].unschedulable);
    k8s_nodes_free(n, k);
    cJSON_Delete(j);
}
END_TEST

/* Ready False (a kubelet that posts NotReady) and a Ready node under
 * pressure: the reason shown is the bad condition's. */
START_TEST(test_nodes_bad_conditions)
{
    cJSON *j = sample();
    cJSON *r = cond(j, 0, "Ready");
    set_str(r, "status", "False");
    set_str(r, "reason", "KubeletNotReady");
    set_str(r, "message", "container runtime network not ready");
    cJSON *p = cond(j, 1, "DiskPressure");
    set_str(p, "status", "True");
    set_str(p, "reason", "KubeletHasDiskPressure");
    struct k8s_node *n = NULL;
    size_t k = 0;
    char *err = NULL;
    ck_assert(k8s_nodes_parse(j, &n, &k, &err));
    ck_assert_int_eq(n[0].ready, K8S_NOT_READY);
    ck_assert_str_eq(k8s_ready_name(n[0].ready), "NotReady");
    ck_assert_str_eq(n[0].reason, "KubeletNotReady");
    ck_assert_str_eq(n[0].message, "container runtime network not ready");
    ck_assert_int_eq(n[1].ready, K8S_READY);
    ck_assert_str_eq(n[1].reason, "KubeletHasDiskPressure");
    k8s_nodes_free(n, k);
    /* A node that has not reported any condition yet is Unknown. */
    cJSON_DeleteItemFromObject(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "items"), 1), "status"),
        "conditions");
    ck_assert(k8s_nodes_parse(j, &n, &k, &err));
    ck_assert_int_eq(n[1].ready, K8S_UNKNOWN);
    ck_assert_str_eq(n[1].reason, "NoReadyCondition");
    k8s_nodes_free(n, k);
    cJSON_Delete(j);
}
END_TEST

START_TEST(test_nodes_not_a_list)
{
    cJSON *j = sample();
    set_str(j, "kind", "Status");
    struct k8s_node *n = NULL;
    size_t k = 9;
    char *err = NULL;
    ck_assert(!k8s_nodes_parse(j, &n, &k, &err));
    ck_assert_ptr_null(n);
    ck_assert_uint_eq(k, 0);
    ck_assert_ptr_nonnull(strstr(err, "not a NodeList"));
    free(err);
    cJSON_Delete(j);
    /* An empty list is a list. */
    cJSON *empty = cJSON_CreateObject();
    cJSON_AddStringToObject(empty, "kind", "NodeList");
    cJSON_AddArrayToObject(empty, "items");
    ck_assert(k8s_nodes_parse(empty, &n, &k, &err));
    ck_assert_uint_eq(k, 0);
    k8s_nodes_free(n, k);
    cJSON_Delete(empty);
}
END_TEST

/* A kubeconfig as k3s writes it, with a second context (base64 of "CA\n",
 * "CERT\n", "KEY\n"). */
static const char *kc_yaml = "apiVersion: v1\n"
                             "clusters:\n"
                             "- cluster:\n"
                             "    certificate-authority-data: Q0EK\n"
                             "    server: https://127.9.0.2:6443\n"
                             "  name: default\n"
                             "- cluster:\n"
                             "    certificate-authority: other-ca.pem\n"
                             "    server: https://127.9.0.3:6443\n"
                             "  name: other\n"
                             "contexts:\n"
                             "- context:\n"
                             "    cluster: default\n"
                             "    user: default\n"
                             "  name: default\n"
                             "- context:\n"
                             "    cluster: other\n"
                             "    user: tok\n"
                             "  name: other\n"
                             "current-context: default\n"
                             "kind: Config\n"
                             "preferences: {}\n"
                             "users:\n"
                             "- name: default\n"
                             "  user:\n"
                             "    client-certificate-data: Q0VSVAo=\n"
                             "    client-key-data: S0VZCg==\n"
                             "- name: tok\n"
                             "  user:\n"
                             "    token: abc.def\n";

START_TEST(test_creds_current_and_named)
{
    struct k8s_creds c;
    struct dr_error e = {0};
    ck_assert_int_eq(k8s_kubeconfig_creds(kc_yaml, "/x/kc.yaml", NULL, &c, &e), DR_E_OK);
    ck_assert_str_eq(c.server, "https://127.9.0.2:6443");
    ck_assert_uint_eq(c.ca_len, 3);
    ck_assert_str_eq(c.ca_pem, "CA\n");
    ck_assert_str_eq(c.cert_pem, "CERT\n");
    ck_assert_str_eq(c.key_pem, "KEY\n");
    ck_assert_ptr_null(c.token);
    k8s_creds_free(&c);
    ck_assert_ptr_null(c.key_pem);

    /* A file path is relative to the kubeconfig's folder. */
    char dir[] = "/tmp/test_client.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *pem = util_path_join(dir, "other-ca.pem"), *kc = util_path_join(dir, "kc.yaml");
    ck_assert_int_eq(util_write_atomic(pem, "OTHER\n", 6, 0644, &e), DR_E_OK);
    ck_assert_int_eq(k8s_kubeconfig_creds(kc_yaml, kc, "other", &c, &e), DR_E_OK);
    ck_assert_str_eq(c.server, "https://127.9.0.3:6443");
    ck_assert_str_eq(c.ca_pem, "OTHER\n");
    ck_assert_ptr_null(c.cert_pem);
    ck_assert_str_eq(c.token, "abc.def");
    k8s_creds_free(&c);
    unlink(pem);
    /* ... and a missing one is an error naming the key. */
    ck_assert_int_eq(k8s_kubeconfig_creds(kc_yaml, kc, "other", &c, &e), DR_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(e.msg, "certificate-authority"));
    rmdir(dir);
    free(pem);
    free(kc);
}
END_TEST

START_TEST(test_creds_errors)
{
    struct k8s_creds c;
    struct dr_error e = {0};
    ck_assert_int_eq(k8s_kubeconfig_creds(kc_yaml, "kc.yaml", "nosuch", &c, &e), DR_E_PARSE);
    ck_assert_str_eq(e.msg, "kc.yaml: no context named \"nosuch\"");
    ck_assert_ptr_null(c.server);

    char *bad = xstrdup(kc_yaml);
    char *p = strstr(bad, "S0VZCg==");
    memcpy(p, "S0V*Cg==", 8);
    ck_assert_int_eq(k8s_kubeconfig_creds(bad, "kc.yaml", NULL, &c, &e), DR_E_PARSE);
    ck_assert_str_eq(e.msg, "kc.yaml:27: client-key-data is not base64");
    free(bad);

    bad = xstrdup(kc_yaml);
    p = strstr(bad, "https://127.9.0.2");
    memcpy(p, "ftp:/", 5);
    ck_assert_int_eq(k8s_kubeconfig_creds(bad, "kc.yaml", NULL, &c, &e), DR_E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "server is not an http(s) URL"));
    free(bad);

    ck_assert_int_eq(k8s_kubeconfig_creds("current-context: x\n", "kc.yaml", NULL, &c, &e),
                     DR_E_PARSE);
    ck_assert_str_eq(e.msg, "kc.yaml: no context named \"x\"");
    ck_assert_int_eq(k8s_kubeconfig_creds("- a\n", "kc.yaml", NULL, &c, &e), DR_E_PARSE);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("k8s_client");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_nodes_standin);
    tcase_add_test(tc, test_nodes_bad_conditions);
    tcase_add_test(tc, test_nodes_not_a_list);
    tcase_add_test(tc, test_creds_current_and_named);
    tcase_add_test(tc, test_creds_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
