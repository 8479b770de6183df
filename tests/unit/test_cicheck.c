/* cloud-init input that would fail only at the guest (src/bootstrap/cicheck.c
 * and the user_data normalising in cloudinit.c): byte order marks, CRLF, the
 * header line, YAML that libyaml or the merge refuses, and the guestinfo
 * encodings and size limits. Decoding uses OpenSSL and zlib; YAML is read
 * back with python3-yaml and checked with the real `cloud-init schema`. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "bootstrap/cloudinit.h"
#include "core/err.h"
#include "core/keys.h"
#include "core/util.h"
#include "ci_fixture.h"

static void
setup(void)
{
    ci_setup("/tmp/drover-cic-XXXXXX", "root@node-01", "drover@c");
}

static struct dr_template
tmpl(const char *user_data)
{
    return (struct dr_template){
        .name = (char *)"t",
        .user_data = (char *)user_data,
        .origin = {.file = (char *)"templates/t.cfg", .line = 1},
    };
}

/* ci_check_template's verdict; *msg is the error or the warnings joined. */
static enum dr_err
check(const char *user_data, char **msg)
{
    struct dr_template t = tmpl(user_data);
    struct dr_error e = {0};
    char **w = NULL;
    enum dr_err rc = ci_check_template(&t, "node-01", &w, &e);
    char *all = xstrdup(rc == DR_E_OK ? "" : e.msg);

    for (size_t i = 0; w && w[i]; i++) {
        char *n = xasprintf("%s%s\n", all, w[i]);
        free(all);
        all = n;
    }
    strv_free(&w);
    *msg = all;
    return rc;
}

static void
assert_refused(const char *user_data, const char *why)
{
    char *msg;

    ck_assert_int_eq(check(user_data, &msg), DR_E_INVAL);
    ck_assert_msg(strstr(msg, "template t (templates/t.cfg:1): user_data"),
                  "error does not name the template: %s", msg);
    ck_assert_msg(strstr(msg, why), "'%s' not in: %s", why, msg);
    free(msg);
}

static void
assert_warned(const char *user_data, const char *why)
{
    char *msg;

    ck_assert_int_eq(check(user_data, &msg), DR_E_OK);
    ck_assert_msg(strstr(msg, why), "warning '%s' not in: %s", why, msg);
    free(msg);
}

/* The rendered user-data for t, checked by `cloud-init schema`; python's
 * value of expr (d = the document) is returned. */
static char *
render_and_read(const struct dr_template *t, const char *expr)
{
    struct ci_node n = {
        .tmpl = t, .hostname = "node-01", .cluster_public_key = client_pub, .host_key = &host_key};
    struct dr_error e = {0};
    char *ud, *path, *v;

    ck_assert_msg(ci_render_user_data(&n, true, &ud, &e) == DR_E_OK, "%s", e.msg);
    path = write_tmp("ud.yaml", ud);
    assert_schema_valid(path);
    v = yaml_get(path, expr);
    free(path);
    keys_free_secret(&ud);
    return v;
}

/* Case B: a byte order mark in front of #cloud-config, and CRLF line ends. */
START_TEST(test_bom_and_crlf_removed_with_warnings)
{
    struct dr_template t = tmpl("\xEF\xBB\xBF#cloud-config\r\npackages:\r\n  - jq\r\n");
    char *v;

    assert_warned(t.user_data, "user_data line 1: a UTF-8 byte order mark (EF BB BF)");
    assert_warned(t.user_data, "Windows line ends (CRLF) on 3 line(s) were changed to LF");
    /* The node gets the operator's keys, and cloud-init accepts the result. */
    v = render_and_read(&t, "d[\"packages\"]");
    ck_assert_str_eq(v, "['jq']");
    free(v);
    /* Only CRLF, from the second line on: the warning names where. */
    assert_warned("#cloud-config\nruncmd:\r\n  - [true]\r\n", "user_data line 2: Windows");
    /* A CR inside a line is not a line end: refused. */
    assert_refused("#cloud-config\nruncmd:\n  - [tr\rue]\n", "line 3: a carriage return");
}
END_TEST

/* Byte order marks that cannot simply be removed are named as such, not
 * reported as a missing header. */
START_TEST(test_other_byte_order_marks)
{
    assert_refused("\xFF\xFE#cloud-config\npackages: [jq]\n",
                   "user_data line 1: starts with a UTF-16 byte order mark (FF FE or FE FF): "
                   "save the user_data as UTF-8");
    assert_refused("\xFE\xFF#cloud-config\n", "user_data line 1: starts with a UTF-16 byte "
                                                "order mark");
    assert_refused("\xEF\xBB\xBF\xEF\xBB\xBF#cloud-config\n",
                   "user_data line 1: a second UTF-8 byte order mark (EF BB BF) follows the "
                   "first one");
    assert_refused("\n\xEF\xBB\xBF#cloud-config\npackages: [jq]\n",
                   "user_data line 2: a UTF-8 byte order mark (EF BB BF) after blank lines");
    assert_refused("  \xEF\xBB\xBF#cloud-config\n",
                   "user_data line 1: a UTF-8 byte order mark (EF BB BF) inside the header "
                   "line");
}
END_TEST

/* The header must be the first line: what is trimmed and what is refused. */
START_TEST(test_header_line)
{
    char *msg, *v;

    assert_warned("\n  \n#cloud-config\npackages: [jq]\n",
                  "2 blank line(s) in front of \"#cloud-config\" were removed");
    /* Line numbers still count the operator's lines. */
    assert_refused("\n\n#cloud-config\nhostname: x\n", "user_data line 4: key 'hostname'");
    assert_warned("   #cloud-config\npackages: [jq]\n", "spaces in front of \"#cloud-config\"");
    struct dr_template t = tmpl("\n   #cloud-config\npackages: [jq]\n");
    v = render_and_read(&t, "d[\"packages\"]");
    ck_assert_str_eq(v, "['jq']");
    free(v);
    assert_refused("---\n#cloud-config\npackages: [jq]\n", "user_data line 1: a YAML document "
                                                            "marker \"---\" comes before");
    assert_refused("--- \n#cloud-config\n", "remove the \"---\" line");
    assert_refused("#cloud-config\na: 1\n---\npackages: [jq]\n", "only one YAML document");
    /* A "---" after the header starts the one document: cloud-init reads it. */
    t = tmpl("#cloud-config\n---\npackages: [jq]\n");
    v = render_and_read(&t, "d[\"packages\"]");
    ck_assert_str_eq(v, "['jq']");
    free(v);
    assert_refused("#!/bin/bash\necho hi\n", "scripts, #include");
    assert_refused("## template: jinja\n#cloud-config\n", "jinja");
    assert_refused("#cloud-config # mine\n", "exactly \"#cloud-config\"");
    assert_refused("packages: [jq]\n", "must start with \"#cloud-config\"");
    ck_assert_int_eq(check("#cloud-config\n", &msg), DR_E_OK);
    ck_assert_str_eq(msg, "");
    free(msg);
}
END_TEST

/* YAML that the merge rule lets through but cloud-init could not read. */
START_TEST(test_yaml_refused)
{
    assert_refused("#cloud-config\npackages: [jq\n", "not valid YAML");
    assert_refused("#cloud-config\nruncmd:\n  - \"unterminated\n", "not valid YAML");
    assert_refused("#cloud-config\nruncmd: *nowhere\n", "user_data line 2: not valid YAML: "
                                                       "found undefined alias");
    assert_refused("#cloud-config\nruncmd: [a]\n  b: c\n", "not valid YAML");
    /* YAML is UTF-8: a Latin-1 byte is named on its own line. */
    assert_refused("#cloud-config\npackages: [caf\xe9]\n", "user_data line 2: not valid YAML: "
                                                          "invalid");
    /* An alias from one key to another's anchor: libyaml resolves it before
     * the merge, so moving users first in drover's document keeps its value. */
    struct dr_template t = tmpl("#cloud-config\npackages: &g [adm]\nusers:\n"
                                "  - name: bob\n    groups: *g\n");
    char *v = render_and_read(&t, "(d[\"users\"][1], d[\"packages\"])");
    ck_assert_str_eq(v, "({'name': 'bob', 'groups': ['adm']}, ['adm'])");
    free(v);
    /* Not a mapping. */
    assert_refused("#cloud-config\n- a\n", "user_data line 2");
    assert_refused("#cloud-config\njust words\n", "user_data line 2");
    /* Fine YAML passes and renders. */
    char *msg;
    ck_assert_int_eq(check("#cloud-config\nruncmd:\n  - [sh, -c, 'echo \"a: b\"']\n", &msg),
                     DR_E_OK);
    free(msg);
}
END_TEST

/* Any YAML that is a mapping is cloud-config (cloud-init loads it with
 * yaml.safe_load): quoted keys, a space before the colon, flow style, an
 * indented root, flow lists for the merged keys, block scalars. Each passes
 * `cloud-init schema` once merged and keeps its value. */
START_TEST(test_yaml_styles_accepted)
{
    static const struct {
        const char *user_data, *expr, *want;
    } cases[] = {
        {"#cloud-config\n\"runcmd\": [ ls ]\n", "d[\"runcmd\"]", "['ls']"},
        {"#cloud-config\nruncmd : [ ls ]\n", "d[\"runcmd\"]", "['ls']"},
        {"#cloud-config\n{runcmd: [ls], 'packages': [jq]}\n", "(d[\"runcmd\"], d[\"packages\"])",
         "(['ls'], ['jq'])"},
        {"#cloud-config\n  runcmd:\n    - ls\n", "d[\"runcmd\"]", "['ls']"},
        {"#cloud-config\nusers: [alice, {name: bob, shell: /bin/sh}]\n", "d[\"users\"][1:]",
         "['alice', {'name': 'bob', 'shell': '/bin/sh'}]"},
        {"#cloud-config\nwrite_files:\n- path: /etc/x\n  content: |\n    a: 1\n    b\n",
         "d[\"write_files\"][-1]", "{'path': '/etc/x', 'content': 'a: 1\\nb\\n'}"},
        {"#cloud-config\nruncmd:\n  - [sh, -c, 'echo \"caf\xc3\xa9\" # not a comment']\n",
         "d[\"runcmd\"][0][2]", "echo \"caf\xc3\xa9\" # not a comment"},
        {"#cloud-config\npackages: ['007', \"true\", jq]\n", "d[\"packages\"]",
         "['007', 'true', 'jq']"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *msg;
        ck_assert_msg(check(cases[i].user_data, &msg) == DR_E_OK, "%s: %s", cases[i].user_data,
                      msg);
        free(msg);
        struct dr_template t = tmpl(cases[i].user_data);
        char *v = render_and_read(&t, cases[i].expr);
        ck_assert_msg(strcmp(v, cases[i].want) == 0, "%s: %s, not %s", cases[i].user_data, v,
                      cases[i].want);
        free(v);
    }
}
END_TEST

static unsigned char *
b64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    unsigned char *out = xmalloc(n + 1);
    int got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);

    ck_assert_int_ge(got, 0);
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    *len = (size_t)got - (n >= 1 && s[n - 1] == '=') - (n >= 2 && s[n - 2] == '=');
    return out;
}

static char *
gunzip(const unsigned char *z, size_t n, size_t *len)
{
    z_stream s = {0};
    size_t cap = 1 << 20;
    char *out = xmalloc(cap);

    ck_assert_int_eq(inflateInit2(&s, 15 + 16), Z_OK); /* gzip only */
    s.next_in = (unsigned char *)z;
    s.avail_in = (uInt)n;
    s.next_out = (unsigned char *)out;
    s.avail_out = (uInt)cap;
    ck_assert_int_eq(inflate(&s, Z_FINISH), Z_STREAM_END);
    *len = s.total_out;
    inflateEnd(&s);
    return out;
}

/* A user_data of about 50 KB: with drover's part, base64 would be over
 * 64 KiB, so it goes gzip+base64 and decodes to the same document. */
START_TEST(test_large_user_data_goes_gzip)
{
    char *ud = xstrdup("#cloud-config\nwrite_files:\n  - path: /etc/big.txt\n    content: |\n");
    struct dr_error e = {0};
    struct dr_kv *kv;
    size_t count, zlen, len;

    for (int i = 0; strlen(ud) < 50000; i++) {
        char *n = xasprintf("%s      line %05d of a file that compresses well\n", ud, i);
        free(ud);
        ud = n;
    }
    struct dr_template t = tmpl(ud);
    struct ci_node n = {
        .tmpl = &t, .hostname = "node-01", .cluster_public_key = client_pub, .host_key = &host_key};
    char *msg;

    ck_assert_int_eq(check(ud, &msg), DR_E_OK);
    free(msg);
    ck_assert_msg(ci_guestinfo(&n, &kv, &count, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(kv[0].key, "guestinfo.userdata");
    ck_assert_str_eq(kv[1].value, "gzip+base64");
    ck_assert_uint_le(strlen(kv[0].value), CI_GUESTINFO_VALUE_MAX);
    ck_assert_str_eq(kv[3].value, "base64"); /* the small meta-data stays plain */
    unsigned char *z = b64_decode(kv[0].value, &zlen);
    char *doc = gunzip(z, zlen, &len);
    ck_assert_uint_gt(len, 3 * CI_GUESTINFO_VALUE_MAX / 4); /* plain would not fit */
    ck_assert_int_eq(strncmp(doc, "#cloud-config\n", 14), 0);
    doc[len] = '\0';
    ck_assert_ptr_nonnull(strstr(doc, "line 00999 of a file that compresses well"));
    free(doc), free(z), free(ud);
    ci_kv_free(&kv, count);
}
END_TEST

/* Incompressible data too large even as gzip+base64: refused, with both
 * sizes and the limit; the same rule for any value (meta-data too). */
START_TEST(test_too_large_refused)
{
    unsigned char raw[60000];
    char *ud, *msg, *value;
    const char *enc;
    struct dr_error e = {0};

    RAND_bytes(raw, sizeof raw);
    char *b = xmalloc(4 * sizeof raw / 3 + 4);
    EVP_EncodeBlock((unsigned char *)b, raw, sizeof raw);
    ud = xasprintf("#cloud-config\nwrite_files:\n  - path: /etc/rnd\n    content: %s\n", b);
    ck_assert_int_eq(check(ud, &msg), DR_E_INVAL);
    ck_assert_msg(strstr(msg, "template t (templates/t.cfg:1): user_data: guestinfo.userdata "
                              "would be ") &&
                      strstr(msg, " bytes as base64 and ") &&
                      strstr(msg, " bytes as gzip+base64") && strstr(msg, "65536 bytes (64 KiB)"),
                  "%s", msg);
    free(msg);

    /* The encoder itself: the two sizes are those of the encodings. */
    ck_assert_int_eq(ci_guestinfo_encode("guestinfo.metadata", raw, sizeof raw, &value, &enc, &e),
                     DR_E_INVAL);
    ck_assert_ptr_null(value);
    ck_assert_ptr_nonnull(strstr(e.msg, "guestinfo.metadata would be 80000 bytes as base64"));
    /* Just at the limit: plain base64 of 49152 bytes is 65536 bytes. */
    ck_assert_int_eq(ci_guestinfo_encode("k", raw, 49152, &value, &enc, &e), DR_E_OK);
    ck_assert_str_eq(enc, "base64");
    ck_assert_uint_eq(strlen(value), 65536);
    free(value);
    ck_assert_int_eq(ci_guestinfo_encode("k", raw, 49153, &value, &enc, &e), DR_E_INVAL);
    free(b), free(ud);
}
END_TEST

/* All guestinfo lives in the .vmx: 1 MiB with the template's guestinfo.*. */
START_TEST(test_total_guestinfo_limit)
{
    struct dr_template t = tmpl("#cloud-config\n");
    struct dr_kv extra[20];
    struct dr_error e = {0};
    char **w = NULL;
    char *big = xmalloc(60001);

    memset(big, 'a', 60000);
    big[60000] = '\0';
    for (int i = 0; i < 20; i++) {
        extra[i].key = xasprintf("guestinfo.extra%d", i);
        extra[i].value = big;
    }
    t.extra_config = extra;
    t.n_extra_config = 16; /* 960 KB: fits with drover's ~5 KB */
    ck_assert_msg(ci_check_template(&t, "node-01", &w, &e) == DR_E_OK, "%s", e.msg);
    t.n_extra_config = 18; /* 1.08 MB */
    ck_assert_int_eq(ci_check_template(&t, "node-01", &w, &e), DR_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "1048576 bytes (1 MiB)"));
    ck_assert_ptr_nonnull(strstr(e.msg, ".vmx"));
    /* The field that brings the bytes, at its line: extra_config (case A
     * tester: twenty 60 KB guestinfo.k* entries on line 16, no user_data). */
    t.line[DR_TF_EXTRA_CONFIG] = 16;
    t.n_extra_config = 20;
    t.user_data = NULL;
    ck_assert_int_eq(ci_check_template(&t, "node-01", &w, &e), DR_E_INVAL);
    ck_assert_msg(str_has_prefix(e.msg, "template t (templates/t.cfg:16): extra_config: the VM's "
                                        "guestinfo would be "),
                  "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "(1200330 from extra_config's guestinfo.* keys, ") != NULL, "%s",
                  e.msg);
    ck_assert_msg(strstr(e.msg, "make extra_config smaller") != NULL, "%s", e.msg);
    ck_assert_ptr_null(strstr(e.msg, "user_data:"));
    /* Keys in another case count too (.vmx keys are case-insensitive). */
    for (int i = 0; i < 20; i++) {
        free(extra[i].key);
        extra[i].key = xasprintf("GuestInfo.Extra%d", i);
    }
    ck_assert_int_eq(ci_check_template(&t, "node-01", &w, &e), DR_E_INVAL);
    ck_assert_msg(str_has_prefix(e.msg, "template t (templates/t.cfg:16): extra_config: "), "%s",
                  e.msg);
    for (int i = 0; i < 20; i++)
        free(extra[i].key);
    free(big);
    strv_free(&w);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("cicheck");
    TCase *tc = tcase_create("cicheck");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, ci_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bom_and_crlf_removed_with_warnings);
    tcase_add_test(tc, test_header_line);
    tcase_add_test(tc, test_other_byte_order_marks);
    tcase_add_test(tc, test_yaml_refused);
    tcase_add_test(tc, test_yaml_styles_accepted);
    tcase_add_test(tc, test_large_user_data_goes_gzip);
    tcase_add_test(tc, test_too_large_refused);
    tcase_add_test(tc, test_total_guestinfo_limit);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
