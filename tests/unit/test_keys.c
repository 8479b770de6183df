#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/keys.h"
#include "core/util.h"

static char tmpdir[64];

static void
setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/drover-keys-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

/* The first line a shell command prints, without its newline. */
static char *
run_line(char *cmd)
{
    FILE *p = popen(cmd, "r");
    char buf[1024] = "";

    ck_assert_ptr_nonnull(p);
    if (fgets(buf, sizeof buf, p) == NULL)
        buf[0] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    free(cmd);
    buf[strcspn(buf, "\n")] = '\0';
    return xstrdup(buf);
}

/* Field n (0-based, space separated) of s. */
static char *
field(const char *s, int n)
{
    while (n-- > 0) {
        s = strchr(s, ' ');
        ck_assert_ptr_nonnull(s);
        s++;
    }
    return xstrndup(s, strcspn(s, " "));
}

START_TEST(test_generate_matches_ssh_keygen)
{
    struct dr_keypair k, back;
    struct dr_error e = {0};
    char *path = xasprintf("%s/keys/c1/id_ed25519", tmpdir);
    struct stat st;

    ck_assert_int_eq(keys_generate(&k, "drover@c1", &e), DR_E_OK);
    ck_assert_int_eq(keys_save(&k, path, &e), DR_E_OK);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    /* ssh-keygen -l: "256 SHA256:... comment (ED25519)" */
    char *l = run_line(xasprintf("ssh-keygen -l -f '%s'", path));
    char *fp = keys_fingerprint(&k), *fp_real = field(l, 1);
    ck_assert_str_eq(fp, fp_real);
    ck_assert_ptr_nonnull(strstr(l, "drover@c1"));
    ck_assert_ptr_nonnull(strstr(l, "(ED25519)"));

    /* ssh-keygen -y derives the public line from our private file. */
    char *y = run_line(xasprintf("ssh-keygen -y -f '%s'", path));
    char *pub = keys_public_line(&k);
    char *y_type = field(y, 0), *y_b64 = field(y, 1), *our_b64 = field(pub, 1);
    ck_assert_str_eq(y_type, "ssh-ed25519");
    ck_assert_str_eq(y_b64, our_b64);
    ck_assert_str_eq(pub + strlen(pub) - strlen(" drover@c1"), " drover@c1");

    /* Load it back: same key, same comment. */
    ck_assert_int_eq(keys_load(path, &back, &e), DR_E_OK);
    ck_assert(back.has_private);
    ck_assert_mem_eq(back.pub, k.pub, DR_ED25519_LEN);
    ck_assert_mem_eq(back.seed, k.seed, DR_ED25519_LEN);
    ck_assert_str_eq(back.comment, "drover@c1");

    free(l), free(fp), free(fp_real), free(y), free(pub);
    free(y_type), free(y_b64), free(our_b64), free(path);
    keys_done(&k);
    keys_done(&back);
}
END_TEST

/* A stand-in key is a real ed25519 pair (ssh-keygen derives its public
 * half from the private file) and the same text every time. */
START_TEST(test_stand_in)
{
    struct dr_keypair a, b;
    struct dr_error e = {0};
    char *path = xasprintf("%s/keys/standin/id_ed25519", tmpdir), *ta, *tb, *pub, *y, *y_b64,
         *our_b64;

    ck_assert_int_eq(keys_stand_in(&a, 7, "root@x", &e), DR_E_OK);
    ck_assert_int_eq(keys_stand_in(&b, 7, "root@x", &e), DR_E_OK);
    ta = keys_private_openssh(&a);
    tb = keys_private_openssh(&b);
    ck_assert_str_eq(ta, tb);
    ck_assert_int_eq(keys_save(&a, path, &e), DR_E_OK);
    y = run_line(xasprintf("ssh-keygen -y -f '%s'", path));
    pub = keys_public_line(&a);
    y_b64 = field(y, 1);
    our_b64 = field(pub, 1);
    ck_assert_str_eq(y_b64, our_b64);
    free(ta), free(tb), free(pub), free(y), free(y_b64), free(our_b64), free(path);
    keys_done(&a);
    keys_done(&b);
}
END_TEST

START_TEST(test_parse_ssh_keygen_key)
{
    char *path = xasprintf("%s/real", tmpdir);
    char *cmd = xasprintf("ssh-keygen -q -t ed25519 -N '' -C 'made by ssh-keygen' -f '%s'", path);
    struct dr_keypair k, pk;
    struct dr_error e = {0};
    char *text, *pubtext;
    size_t len;

    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(keys_load(path, &k, &e), DR_E_OK);
    ck_assert_str_eq(k.comment, "made by ssh-keygen");

    char *pubpath = xasprintf("%s.pub", path);
    ck_assert_int_eq(util_read_file(pubpath, &pubtext, &len, &e), DR_E_OK);
    char *ours = keys_public_line(&k);
    pubtext[strcspn(pubtext, "\n")] = '\0';
    ck_assert_str_eq(ours, pubtext);
    ck_assert_int_eq(keys_parse_public(pubtext, "x.pub", &pk, &e), DR_E_OK);
    ck_assert_mem_eq(pk.pub, k.pub, DR_ED25519_LEN);
    ck_assert(!pk.has_private);
    ck_assert_str_eq(pk.comment, "made by ssh-keygen");
    ck_assert_ptr_null(keys_private_openssh(&pk));

    char *l = run_line(xasprintf("ssh-keygen -l -f '%s'", path));
    char *fp = keys_fingerprint(&k), *real = field(l, 1);
    ck_assert_str_eq(fp, real);

    /* Re-encoding an ssh-keygen key gives a file ssh-keygen accepts. */
    ck_assert_int_eq(util_read_file(path, &text, &len, &e), DR_E_OK);
    char *again = keys_private_openssh(&k);
    ck_assert_int_eq(strlen(again), strlen(text));
    keys_free_secret(&again);
    keys_free_secret(&text);

    free(l), free(fp), free(real), free(ours), free(pubtext), free(pubpath);
    free(cmd), free(path);
    keys_done(&k);
    keys_done(&pk);
}
END_TEST

START_TEST(test_refuses_bad_input)
{
    struct dr_keypair k;
    struct dr_error e = {0};
    char *path = xasprintf("%s/open", tmpdir);

    ck_assert_int_eq(keys_generate(&k, NULL, &e), DR_E_OK);
    ck_assert_int_eq(keys_save(&k, path, &e), DR_E_OK);
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_int_eq(keys_load(path, &k, &e), DR_E_PERM);
    ck_assert_ptr_nonnull(strstr(e.msg, path));

    ck_assert_int_eq(keys_parse_private("hello", "f", &k, &e), DR_E_PARSE);
    ck_assert_int_eq(keys_parse_private("-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n"
                                        "-----END OPENSSH PRIVATE KEY-----\n",
                                        "f", &k, &e),
                     DR_E_PARSE);
    ck_assert_int_eq(keys_parse_private("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"
                                        "-----END OPENSSH PRIVATE KEY-----\n",
                                        "f", &k, &e),
                     DR_E_PARSE);
    ck_assert_int_eq(keys_parse_public("ssh-rsa AAAAB3NzaC1yc2E", "p", &k, &e), DR_E_PARSE);
    ck_assert_int_eq(keys_parse_public("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "p", &k, &e),
                     DR_E_PARSE);
    ck_assert_int_eq(keys_load("/nonexistent/key", &k, &e), DR_E_NOTFOUND);

    /* An encrypted key is refused with a reason. */
    char *enc = xasprintf("%s/enc", tmpdir);
    char *cmd = xasprintf("ssh-keygen -q -t ed25519 -N secretpass -f '%s'", enc);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(keys_load(enc, &k, &e), DR_E_PARSE);
    ck_assert_ptr_nonnull(strstr(e.msg, "encrypted"));
    free(cmd), free(enc), free(path);
}
END_TEST

START_TEST(test_load_or_create_and_known_hosts)
{
    struct dr_keypair a, b, h1, h2;
    struct dr_error e = {0};
    char *cpath = keys_cluster_path(tmpdir, "prod");
    char *hpath = keys_host_path(tmpdir, "prod", "worker-01");
    char *kh = keys_known_hosts_path(tmpdir, "prod");

    ck_assert(str_has_suffix(cpath, "/keys/prod/id_ed25519"));
    ck_assert(str_has_suffix(hpath, "/keys/prod/worker-01_host_ed25519"));
    ck_assert_int_eq(keys_load_or_create(cpath, "drover@prod", &a, &e), DR_E_OK);
    ck_assert_int_eq(keys_load_or_create(cpath, "ignored", &b, &e), DR_E_OK);
    ck_assert_mem_eq(a.pub, b.pub, DR_ED25519_LEN);
    ck_assert_int_eq(keys_load_or_create(hpath, "worker-01", &h1, &e), DR_E_OK);
    ck_assert_int_eq(keys_generate(&h2, "worker-02", &e), DR_E_OK);

    struct dr_known_host hosts[] = {
        {.host = "127.1.2.3", .port = 22, .key = &h1},
        {.host = "127.1.2.4", .port = 2222, .key = &h2},
    };
    ck_assert_int_eq(keys_write_known_hosts(kh, hosts, 2, &e), DR_E_OK);
    /* ssh-keygen -F finds each host with the right key. */
    char *q = xasprintf("ssh-keygen -l -F 127.1.2.3 -f '%s' | grep -v '^#'", kh);
    char *l = run_line(q);
    char *fp = keys_fingerprint(&h1);
    ck_assert_ptr_nonnull(strstr(l, fp));
    free(l), free(fp);
    q = xasprintf("ssh-keygen -l -F '[127.1.2.4]:2222' -f '%s' | grep -v '^#'", kh);
    l = run_line(q);
    fp = keys_fingerprint(&h2);
    ck_assert_ptr_nonnull(strstr(l, fp));
    free(l), free(fp);

    struct dr_known_host bad = {.host = "a b", .port = 22, .key = &h1};
    ck_assert_int_eq(keys_write_known_hosts(kh, &bad, 1, &e), DR_E_INVAL);

    /* Fingerprint of a blob equals the fingerprint of the key. */
    unsigned char blob[DR_ED25519_BLOB_LEN];
    keys_public_blob(&h1, blob);
    char *f1 = keys_fingerprint_blob(blob, sizeof blob), *f2 = keys_fingerprint(&h1);
    ck_assert_str_eq(f1, f2);
    free(f1), free(f2);

    keys_done(&a), keys_done(&b), keys_done(&h1), keys_done(&h2);
    free(cpath), free(hpath), free(kh);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("keys");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_generate_matches_ssh_keygen);
    tcase_add_test(tc, test_parse_ssh_keygen_key);
    tcase_add_test(tc, test_stand_in);
    tcase_add_test(tc, test_refuses_bad_input);
    tcase_add_test(tc, test_load_or_create_and_known_hosts);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
