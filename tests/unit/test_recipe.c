/* Recipes: the test recipe bootstraps real lab nodes (sshd) end to end. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "bootstrap/recipe.h"
#include "bootstrap/ssh.h"
#include "core/util.h"
#include "sshlab.h"

static struct sshlab lab;
static bool lab_ok;
static char *test_recipe;

static void
lab_setup(void)
{
    struct dr_error e = {0};
    const char *top = getenv("top_srcdir");

    ck_assert_int_eq(ssh_global_init(&e), DR_E_OK);
    test_recipe = xasprintf("%s/data/bootstrap/test.sh", top && *top ? top : DR_TOP_SRCDIR);
    lab_ok = sshlab_init(&lab, "drover") && sshlab_start(&lab, 4);
}

static void
lab_teardown(void)
{
    sshlab_done(&lab);
    free(test_recipe);
    ssh_global_done();
}

static struct ssh_session *
connect_node(int i)
{
    struct ssh_params p = {
        .host = lab.nodes[i].addr,
        .port = lab.nodes[i].port,
        .user = lab.user,
        .client_key = &lab.client_key,
        .host_key = &lab.nodes[i].host_key,
        .deadline_ms = util_now_ms() + 20000,
    };
    struct dr_error e = {0};
    struct ssh_session *s = NULL;

    ck_assert_msg(lab_ok, "the lab's nodes did not start");
    ck_assert_msg(ssh_connect(&p, &s, &e) == DR_E_OK, "%s", e.msg);
    return s;
}

struct seen {
    int pcts[32];
    int n;
    char last_text[128];
    int lines;
};

static void
on_log(void *ud, enum ssh_stream st, const char *line)
{
    ((struct seen *)ud)->lines++;
}

static void
on_progress(void *ud, int pct, const char *text)
{
    struct seen *s = ud;

    if (s->n < 32)
        s->pcts[s->n++] = pct;
    snprintf(s->last_text, sizeof s->last_text, "%s", text);
}

static void
take_first(void *ud, enum ssh_stream st, const char *line)
{
    char *buf = ud;

    if (st == SSH_STDOUT && buf[0] == '\0')
        snprintf(buf, 256, "%s", line);
}

/* First stdout line of a command on a node. */
static char *
remote_line(struct ssh_session *s, const char *cmd)
{
    struct dr_error e = {0};
    char buf[256] = "";
    int status;

    ck_assert_msg(ssh_exec(s, cmd, take_first, buf, &status, util_now_ms() + 10000, &e) == DR_E_OK,
                  "%s", e.msg);
    return xstrdup(buf);
}

static void
sha256_hex(const void *data, size_t len, char out[SHA256_DIGEST_LENGTH * 2 + 1])
{
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256(data, len, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

START_TEST(test_bootstrap_cluster)
{
    struct dr_kv kube_env[] = {{(char *)"DROVER_TEST_KUBECONFIG", (char *)"1"}};
    struct recipe_params init = {
        .recipe_path = test_recipe,
        .dist = DR_DIST_K3S,
        .role = RECIPE_INIT,
        .node_name = "server-1",
        .node_addr = lab.nodes[0].addr,
        .roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE,
        .version = "v1.30.4+k3s1",
        .env = kube_env,
        .n_env = 1,
    };
    struct recipe_result res;
    struct seen seen = {.n = 0};
    struct dr_error e = {0};
    struct ssh_session *s = connect_node(0);
    char sum[SHA256_DIGEST_LENGTH * 2 + 1];

    ck_assert_msg(recipe_run(s, &init, on_log, on_progress, &seen, &res, util_now_ms() + 60000,
                             &e) == DR_E_OK,
                  "%s", e.msg);
    ck_assert_int_eq(res.exit_status, 0);
    ck_assert(str_has_prefix(res.token, "K10"));
    ck_assert_ptr_null(strchr(res.token, '\n'));
    char *server = xasprintf("server: https://%s:6443", lab.nodes[0].addr);
    ck_assert_ptr_nonnull(strstr(res.kubeconfig, server));
    free(server);
    ck_assert_int_ge(seen.n, 4);
    ck_assert_int_eq(seen.pcts[seen.n - 1], 100);
    for (int i = 1; i < seen.n; i++)
        ck_assert_int_ge(seen.pcts[i], seen.pcts[i - 1]);
    ck_assert_str_eq(seen.last_text, "done");
    ck_assert_int_gt(seen.lines, seen.n);

    char *v = remote_line(s, "cat drover-test/role drover-test/version");
    ck_assert_str_eq(v, "init");
    free(v);
    v = remote_line(s, "stat -c %a .drover/out/token .drover/params.env");
    ck_assert_str_eq(v, "600");
    free(v);
    ssh_close(&s);

    /* The results are stored 0600 in the state folder. */
    char dir[] = "/tmp/drover-recipe-XXXXXX";
    struct stat st;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(recipe_store_result(dir, "lab", &res, &e), DR_E_OK);
    char *kp = recipe_kubeconfig_path(dir, "lab"), *tp = recipe_token_path(dir, "lab");
    ck_assert_int_eq(stat(kp, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(stat(tp, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    char *text;
    ck_assert_int_eq(util_read_file(tp, &text, NULL, &e), DR_E_OK);
    ck_assert(str_has_prefix(text, res.token));
    free(text);

    /* Without Kubernetes the recipe leaves no kubeconfig (test.sh by
     * default): the run still succeeds, and storing its result removes
     * the older kubeconfig, whose API this cluster no longer has. */
    {
        struct recipe_params bare = init;
        struct recipe_result res2;
        struct ssh_session *s2 = connect_node(0);

        bare.env = NULL;
        bare.n_env = 0;
        ck_assert_msg(recipe_run(s2, &bare, NULL, NULL, NULL, &res2, util_now_ms() + 60000, &e) ==
                          DR_E_OK,
                      "%s", e.msg);
        ssh_close(&s2);
        ck_assert(str_has_prefix(res2.token, "K10"));
        ck_assert_ptr_null(res2.kubeconfig);
        ck_assert_int_eq(recipe_store_result(dir, "lab", &res2, &e), DR_E_OK);
        ck_assert_int_ne(stat(kp, &st), 0);
        ck_assert_int_eq(errno, ENOENT);
        ck_assert_int_eq(stat(tp, &st), 0);
        recipe_result_done(&res2);
    }
    free(kp), free(tp);
    char *rm = xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(rm), 0);
    free(rm);

    /* The token goes to the joiners, which record its hash. */
    char *tok = xasprintf("%s\n", res.token);
    sha256_hex(tok, strlen(tok), sum);
    free(tok);
    for (int n = 1; n <= 2; n++) {
        struct recipe_params join = {
            .recipe_path = test_recipe,
            .dist = DR_DIST_K3S,
            .role = n == 1 ? RECIPE_SERVER : RECIPE_AGENT,
            .node_name = n == 1 ? "server-2" : "agent-1",
            .node_addr = lab.nodes[n].addr,
            .roles = n == 1 ? DR_ROLE_CONTROL_PLANE : DR_ROLE_WORKER,
            .server_addr = lab.nodes[0].addr,
            .token = res.token,
        };
        struct recipe_result jr;
        struct ssh_session *js = connect_node(n);
        ck_assert_msg(recipe_run(js, &join, NULL, NULL, NULL, &jr, util_now_ms() + 60000, &e) ==
                          DR_E_OK,
                      "%s", e.msg);
        ck_assert_ptr_null(jr.token);
        v = remote_line(js, "cat drover-test/token.sha256");
        ck_assert_str_eq(v, sum);
        free(v);
        v = remote_line(js, "cat drover-test/server");
        ck_assert_str_eq(v, lab.nodes[0].addr);
        free(v);
        recipe_result_done(&jr);
        ssh_close(&js);
    }
    recipe_result_done(&res);
    ck_assert_ptr_null(res.token);
}
END_TEST

START_TEST(test_failing_recipe)
{
    struct dr_kv env[] = {
        {(char *)"DROVER_TEST_EXIT", (char *)"7"},
        {(char *)"DROVER_ODD", (char *)"it's $(false) `x` \"q\""},
        {(char *)"NOT_OURS", (char *)"ignored"},
    };
    struct recipe_params p = {
        .recipe_path = test_recipe,
        .dist = DR_DIST_K3S,
        .role = RECIPE_INIT,
        .node_name = "server-9",
        .node_addr = lab.nodes[3].addr,
        .env = env,
        .n_env = 3,
    };
    struct recipe_result res;
    struct dr_error e = {0};
    struct ssh_session *s = connect_node(3);

    ck_assert_int_eq(recipe_run(s, &p, NULL, NULL, NULL, &res, util_now_ms() + 60000, &e),
                     DR_E_REMOTE);
    ck_assert_int_eq(res.exit_status, 7);
    ck_assert_ptr_null(res.token);
    ck_assert_msg(strstr(e.msg, "status 7") && strstr(e.msg, "failing on purpose") &&
                      strstr(e.msg, "server-9"),
                  "%s", e.msg);
    /* Odd values arrive unchanged through params.env. */
    char *v = remote_line(s, ". .drover/params.env; printf '%s|%s\\n' \"$DROVER_ODD\" "
                             "\"${NOT_OURS:-unset}\"");
    ck_assert_str_eq(v, "it's $(false) `x` \"q\"|unset");
    free(v);

    /* A joiner without a token is refused before anything runs. */
    p.role = RECIPE_AGENT;
    ck_assert_int_eq(recipe_run(s, &p, NULL, NULL, NULL, &res, util_now_ms() + 60000, &e),
                     DR_E_INVAL);

    /* An airgap bundle is uploaded and checked on the node. */
    char bundle[] = "/tmp/drover-bundle-XXXXXX";
    int fd = mkstemp(bundle);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "pretend images\n", 15), 15);
    close(fd);
    p.role = RECIPE_INIT;
    p.airgap_bundle = bundle;
    p.n_env = 0;
    ck_assert_msg(recipe_run(s, &p, NULL, NULL, NULL, &res, util_now_ms() + 60000, &e) == DR_E_OK,
                  "%s", e.msg);
    char want[SHA256_DIGEST_LENGTH * 2 + 1];
    sha256_hex("pretend images\n", 15, want);
    v = remote_line(s, "cat drover-test/airgap.sha256");
    ck_assert_str_eq(v, want);
    free(v);
    unlink(bundle);
    recipe_result_done(&res);
    ssh_close(&s);
}
END_TEST

START_TEST(test_progress_parse)
{
    int pct;
    const char *text;

    ck_assert(recipe_parse_progress("drover-progress: 42 installing k3s", &pct, &text));
    ck_assert_int_eq(pct, 42);
    ck_assert_str_eq(text, "installing k3s");
    ck_assert(recipe_parse_progress("drover-progress: 100", &pct, &text));
    ck_assert_str_eq(text, "");
    ck_assert(!recipe_parse_progress("drover-progress: 101 x", &pct, &text));
    ck_assert(!recipe_parse_progress("drover-progress: -1 x", &pct, &text));
    ck_assert(!recipe_parse_progress("drover-progress: 4x", &pct, &text));
    ck_assert(!recipe_parse_progress("progress: 4", &pct, &text));

    setenv("DROVER_DATA_DIR", "/opt/d", 1);
    char *p = recipe_default_path(DR_DIST_RKE2);
    ck_assert_str_eq(p, "/opt/d/bootstrap/rke2.sh");
    free(p);
    unsetenv("DROVER_DATA_DIR");
}
END_TEST

/* The sudo probe: root needs none (the session is not even touched), and a
 * node without sudo is left to the recipe (the lab's nodes have none; the
 * password, requiretty and refusal cases run through the engine in
 * tests/integration/engine-sudo.t). */
START_TEST(test_sudo_probe_skips)
{
    struct dr_error e = {0};
    struct ssh_session *s;

    ck_assert_int_eq(recipe_check_sudo(NULL, "root", "n", NULL, NULL, util_now_ms() + 1000, &e),
                     DR_E_OK);
    s = connect_node(3);
    ck_assert_msg(recipe_check_sudo(s, "drover", "server-9", NULL, NULL, util_now_ms() + 30000,
                                    &e) == DR_E_OK,
                  "%s", e.msg);
    ck_assert(!ssh_pty(s));
    ssh_close(&s);
}
END_TEST

int
main(void)
{
    const char *why = sshlab_unavailable();
    Suite *s = suite_create("recipe");
    TCase *pure = tcase_create("pure"), *tc = tcase_create("nodes");
    SRunner *sr;
    int failed;

    tcase_add_test(pure, test_progress_parse);
    suite_add_tcase(s, pure);
    if (why) {
        printf("# no lab nodes: %s\n", why);
    } else {
        tcase_add_unchecked_fixture(tc, lab_setup, lab_teardown);
        tcase_set_timeout(tc, 180);
        tcase_add_test(tc, test_bootstrap_cluster);
        tcase_add_test(tc, test_failing_recipe);
        tcase_add_test(tc, test_sudo_probe_skips);
        suite_add_tcase(s, tc);
    }
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
