#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bootstrap/cloudinit.h"
#include "core/err.h"
#include "core/keys.h"
#include "core/util.h"
#include "ci_fixture.h"

static void
setup(void)
{
    /* A comment full of YAML's special characters must survive quoting. */
    ci_setup("/tmp/drover-ci-XXXXXX", "worker-01", "it's \"ops\": #1 \\ {x} [y] & *z");
}

static struct dr_template
template_named(const char *name)
{
    return (struct dr_template){
        .name = (char *)name,
        .origin = {.file = (char *)"templates/test.cfg", .line = 0},
    };
}

/* Render, validate with cloud-init, and check the keys and user with
 * ssh-keygen and a YAML parser. Returns the rendered file's path. */
static char *
render_and_check(const struct ci_node *n, const char *name)
{
    struct dr_error e = {0};
    char *ud, *path, *v, *cmd;

    ck_assert_msg(ci_render_user_data(n, true, &ud, &e) == DR_E_OK, "%s", e.msg);
    path = write_tmp(name, ud);
    assert_schema_valid(path);

    v = yaml_get(path, "d[\"hostname\"]");
    ck_assert_str_eq(v, n->hostname);
    free(v);
    v = yaml_get(path, "d[\"users\"][0][\"name\"]");
    ck_assert_str_eq(v, ci_login_user(n->tmpl));
    free(v);
    v = yaml_get(path, "d[\"users\"][0][\"ssh_authorized_keys\"][0]");
    ck_assert_str_eq(v, n->cluster_public_key);
    free(v);
    v = yaml_get(path, "d[\"ssh_pwauth\"], d[\"disable_root\"], d[\"ssh_deletekeys\"]");
    ck_assert_str_eq(v, "(False, True, True)");
    free(v);

    /* The host key parses back with ssh-keygen and is the node's key. */
    cmd = xasprintf("umask 077; /usr/bin/python3 -c 'import sys,yaml; "
                    "d=yaml.safe_load(open(sys.argv[1])); "
                    "sys.stdout.write(d[\"ssh_keys\"][\"ed25519_private\"])' '%s' >'%s.key' && "
                    "ssh-keygen -l -f '%s.key' >'%s.fp'",
                    path, path, path, path);
    ck_assert_int_eq(sh(cmd), 0);
    free(cmd);
    char *fpfile = xasprintf("%s.fp", path), *fpline, *fp = keys_fingerprint(n->host_key);
    size_t len;
    ck_assert_int_eq(util_read_file(fpfile, &fpline, &len, &e), DR_E_OK);
    ck_assert_msg(strstr(fpline, fp) != NULL, "%s vs %s", fpline, fp);
    free(fpfile), free(fpline), free(fp);

    v = yaml_get(path, "d[\"ssh_keys\"][\"ed25519_public\"]");
    char *pub = keys_public_line(n->host_key);
    ck_assert_str_eq(v, pub);
    free(v), free(pub);
    keys_free_secret(&ud);
    return path;
}

START_TEST(test_default_user)
{
    struct dr_template t = template_named("plain");
    struct ci_node n = {
        .tmpl = &t,
        .hostname = "worker-01",
        .cluster_public_key = client_pub,
        .host_key = &host_key,
    };
    char *path = render_and_check(&n, "plain.yaml");
    char *v = yaml_get(path, "d[\"users\"][0][\"sudo\"]");

    ck_assert_str_eq(v, "ALL=(ALL) NOPASSWD:ALL");
    free(v);
    v = yaml_get(path, "d[\"fqdn\"]");
    ck_assert_str_eq(v, "worker-01");
    free(v);
    v = yaml_get(path, "\"write_files\" in d");
    ck_assert_str_eq(v, "False");
    free(v);
    free(path);
}
END_TEST

START_TEST(test_custom_user_domain_script_and_extras)
{
    struct dr_template t = template_named("it's \"odd\"\nname");
    const char script[] = "#!/bin/sh\necho 'hi' \"there\"\n\x01\n";
    t.ssh_user = (char *)"ops_user";
    t.user_data = (char *)"#cloud-config\n"
                          "# the operator's own settings\n"
                          "packages:\n"
                          "- open-vm-tools\n"
                          "- \"jq\"\n"
                          "users:\n"
                          "- name: auditor\n"
                          "  shell: /bin/sh\n"
                          "  lock_passwd: true\n"
                          "write_files:\n"
                          "    - path: /etc/motd\n"
                          "      content: |\n"
                          "        welcome\n"
                          "\n"
                          "          indented: yes\n"
                          "runcmd:\n"
                          "  - [ sh, -c, 'echo done' ]\n"
                          "timezone: Europe/Berlin\n";
    struct ci_node n = {
        .tmpl = &t,
        .hostname = "server-1",
        .domain = "k8s.example.com",
        .cluster_public_key = client_pub,
        .host_key = &host_key,
        .script_path = "/home/ops_user/.drover/bootstrap.sh",
        .script = script,
        .script_len = sizeof script - 1,
        .instance_id = "vm-42",
    };
    char *path = render_and_check(&n, "extras.yaml");
    char *v;

    v = yaml_get(path, "d[\"fqdn\"]");
    ck_assert_str_eq(v, "server-1.k8s.example.com");
    free(v);
    v = yaml_get(path, "[u[\"name\"] for u in d[\"users\"]]");
    ck_assert_str_eq(v, "['ops_user', 'auditor']");
    free(v);
    v = yaml_get(path, "[f[\"path\"] for f in d[\"write_files\"]]");
    ck_assert_str_eq(v, "['/home/ops_user/.drover/bootstrap.sh', '/etc/motd']");
    free(v);
    v = yaml_get(path, "d[\"write_files\"][1][\"content\"]");
    ck_assert_str_eq(v, "welcome\n\n  indented: yes\n");
    free(v);
    v = yaml_get(path, "d[\"write_files\"][0][\"owner\"], d[\"write_files\"][0][\"defer\"]");
    ck_assert_str_eq(v, "('ops_user:ops_user', True)");
    free(v);
    /* The script arrives byte for byte. */
    char *sp = xasprintf("%s.script", path);
    struct dr_error e = {0};
    ck_assert_int_eq(util_write_atomic(sp, script, sizeof script - 1, 0600, &e), DR_E_OK);
    v = yaml_get(path, "__import__(\"base64\").b64decode(d[\"write_files\"][0][\"content\"])"
                       " == open(sys.argv[1] + \".script\", \"rb\").read()");
    ck_assert_str_eq(v, "True");
    free(v), free(sp);
    v = yaml_get(path, "d[\"packages\"], d[\"timezone\"], d[\"runcmd\"]");
    ck_assert_str_eq(v, "(['open-vm-tools', 'jq'], 'Europe/Berlin', [['sh', '-c', 'echo done']])");
    free(v);

    char *md = ci_render_meta_data(&n);
    char *mp = write_tmp("meta.yaml", md);
    v = yaml_get(mp, "d[\"instance-id\"], d[\"local-hostname\"]");
    ck_assert_str_eq(v, "('vm-42', 'server-1')");
    free(v), free(md), free(mp), free(path);
}
END_TEST

START_TEST(test_hidden_secrets)
{
    struct dr_template t = template_named("plain");
    struct ci_node n = {
        .tmpl = &t,
        .hostname = "worker-02",
        .cluster_public_key = client_pub,
        .host_key = &host_key,
    };
    struct dr_error e = {0};
    char *ud;

    ck_assert_int_eq(ci_render_user_data(&n, false, &ud, &e), DR_E_OK);
    ck_assert_ptr_null(strstr(ud, "PRIVATE KEY"));
    ck_assert_ptr_nonnull(strstr(ud, CI_SECRET_PLACEHOLDER));
    char *path = write_tmp("hidden.yaml", ud);
    assert_schema_valid(path);
    free(path), free(ud);
}
END_TEST

START_TEST(test_guestinfo)
{
    struct dr_template t = template_named("plain");
    struct ci_node n = {
        .tmpl = &t,
        .hostname = "worker-03",
        .cluster_public_key = client_pub,
        .host_key = &host_key,
    };
    struct dr_error e = {0};
    struct dr_kv *kv;
    size_t count;
    char *ud;

    ck_assert_int_eq(ci_guestinfo(&n, &kv, &count, &e), DR_E_OK);
    ck_assert_int_eq(count, 4);
    ck_assert_str_eq(kv[0].key, "guestinfo.userdata");
    ck_assert_str_eq(kv[1].key, "guestinfo.userdata.encoding");
    ck_assert_str_eq(kv[1].value, "base64");
    ck_assert_str_eq(kv[2].key, "guestinfo.metadata");
    ck_assert_str_eq(kv[3].value, "base64");

    /* Decode with OpenSSL and compare with a direct rendering; the check
     * bytes inside the key differ per rendering, so compare the rest. */
    size_t l = strlen(kv[0].value);
    unsigned char *dec = xmalloc(l);
    ck_assert_int_ge(EVP_DecodeBlock(dec, (unsigned char *)kv[0].value, (int)l), 0);
    ck_assert_int_eq(ci_render_user_data(&n, true, &ud, &e), DR_E_OK);
    ck_assert_int_eq(strncmp((char *)dec, ud, strlen("#cloud-config\n# drover: node worker-03")),
                     0);
    ck_assert_ptr_nonnull(strstr((char *)dec, "BEGIN OPENSSH PRIVATE KEY"));
    char *md = ci_render_meta_data(&n);
    unsigned char *mdec = xcalloc(1, strlen(kv[2].value) + 1);
    int ml = EVP_DecodeBlock(mdec, (unsigned char *)kv[2].value, (int)strlen(kv[2].value));
    ck_assert_int_ge(ml, (int)strlen(md));
    ck_assert_mem_eq(mdec, md, strlen(md));
    free(md), free(mdec), free(dec);
    keys_free_secret(&ud);
    ci_kv_free(&kv, count);
    ck_assert_ptr_null(kv);
}
END_TEST

static void
assert_rejected(const char *user_data, const char *why)
{
    struct dr_template t = template_named("bad-tpl");
    struct ci_node n = {
        .tmpl = &t,
        .hostname = "worker-01",
        .cluster_public_key = client_pub,
        .host_key = &host_key,
    };
    struct dr_error e = {0};
    char *ud = NULL;

    t.user_data = (char *)user_data;
    ck_assert_int_eq(ci_check_user_data(&t, &e), DR_E_INVAL);
    ck_assert_int_eq(ci_render_user_data(&n, true, &ud, &e), DR_E_INVAL);
    ck_assert_ptr_null(ud);
    ck_assert_msg(strstr(e.msg, "bad-tpl") && strstr(e.msg, "templates/test.cfg"),
                  "error does not name the template: %s", e.msg);
    ck_assert_msg(strstr(e.msg, why), "'%s' not in: %s", why, e.msg);
}

START_TEST(test_invalid_user_data)
{
    assert_rejected("packages: [jq]\n", "#cloud-config");
    assert_rejected("#cloud-config\nhostname: evil\n", "line 2: key 'hostname' is set by drover");
    assert_rejected("#cloud-config\nssh_keys:\n  rsa_private: x\n", "'ssh_keys'");
    assert_rejected("#cloud-config\nruncmd:\n - a\nruncmd:\n - b\n",
                    "line 4: key 'runcmd' appears twice");
    assert_rejected("#cloud-config\nruncmd:\n\t- a\n", "line 3: not valid YAML");
    assert_rejected("#cloud-config\nruncmd:\n\t- a\n", "a tab in the indentation");
    assert_rejected("#cloud-config\na: 1\n---\nb: 2\n", "one YAML document");
    assert_rejected("#cloud-config\nusers: bob\n", "'users' must be a list");
    assert_rejected("#cloud-config\nwrite_files: {path: /x}\n", "'write_files' must be a list");
    assert_rejected("#cloud-config\n? [a, b]\n: 1\n", "line 2: a top-level key must be a name");
    assert_rejected("#cloud-config\n{runcmd: [a], \"runcmd\": [b]}\n", "key 'runcmd' appears twice");
    assert_rejected("#cloud-config\n\"hostname\": evil\n", "key 'hostname' is set by drover");
    assert_rejected("#cloud-config\nruncmd: x\n- y\n", "line 3");

    struct dr_template t = template_named("ok");
    struct dr_error e = {0};
    t.user_data = (char *)"#cloud-config\n\n# nothing\n";
    ck_assert_int_eq(ci_check_user_data(&t, &e), DR_E_OK);
    t.user_data = NULL;
    ck_assert_int_eq(ci_check_user_data(&t, &e), DR_E_OK);
}
END_TEST

START_TEST(test_invalid_names)
{
    struct dr_template t = template_named("tpl");
    struct ci_node n = {
        .tmpl = &t,
        .hostname = "Bad_Host",
        .cluster_public_key = client_pub,
        .host_key = &host_key,
    };
    struct dr_error e = {0};
    char *ud;

    ck_assert_int_eq(ci_render_user_data(&n, true, &ud, &e), DR_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "Bad_Host"));
    n.hostname = "ok";
    t.ssh_user = (char *)"root; rm -rf /";
    ck_assert_int_eq(ci_render_user_data(&n, true, &ud, &e), DR_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "ssh_user"));
}
END_TEST

START_TEST(test_quote)
{
    const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "\"plain\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\""},
        {"x\ny\tz\r", "\"x\\ny\\tz\\r\""},
        {"\x01\x7f", "\"\\x01\\x7F\""},
        {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
        {"bad\xff", "\"bad\\uFFFD\""},
        {"\xc2\x85", "\"\\u0085\""},
        {"\xe2\x80\xa8", "\"\\L\""},
        {": # - ? & * ! | > ' % @ `", "\": # - ? & * ! | > ' % @ `\""},
    };
    for (size_t i = 0; i < DR_ARRAY_LEN(cases); i++) {
        char *q = ci_yaml_quote(cases[i].in);
        ck_assert_str_eq(q, cases[i].out);
        free(q);
    }

    /* And a real parser reads every one of them back unchanged. */
    char *doc = xstrdup("");
    for (size_t i = 0; i < DR_ARRAY_LEN(cases); i++) {
        if (strstr(cases[i].in, "\xff"))
            continue;
        char *q = ci_yaml_quote(cases[i].in), *nd = xasprintf("%s- %s\n", doc, q);
        free(q), free(doc);
        doc = nd;
    }
    char *path = write_tmp("quote.yaml", doc);
    char *v = yaml_get(path, "d == [\"plain\", \"a\\\"b\\\\c\", \"x\\ny\\tz\\r\", "
                             "\"\\x01\\x7f\", \"caf\\xe9\", \"\\x85\", \"\\u2028\", "
                             "\": # - ? & * ! | > \" + chr(39) + \" % @ `\"]");
    ck_assert_str_eq(v, "True");
    free(v), free(path), free(doc);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("cloudinit");
    TCase *tc = tcase_create("cloudinit");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, ci_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_default_user);
    tcase_add_test(tc, test_custom_user_domain_script_and_extras);
    tcase_add_test(tc, test_hidden_secrets);
    tcase_add_test(tc, test_guestinfo);
    tcase_add_test(tc, test_invalid_user_data);
    tcase_add_test(tc, test_invalid_names);
    tcase_add_test(tc, test_quote);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
