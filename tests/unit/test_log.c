#include "config.h"

#include <check.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"

static void
assert_redacts(const char *in, const char *want)
{
    char *got = log_redact(in);

    ck_assert_msg(strcmp(got, want) == 0, "redact(\"%s\")\n  got  \"%s\"\n  want \"%s\"", in, got,
                  want);
    free(got);
}

START_TEST(test_registered_secrets)
{
    log_add_secret("hunter2-pw");
    assert_redacts("login as admin with hunter2-pw", "login as admin with [REDACTED]");
    assert_redacts("hunter2-pwhunter2-pw!", "[REDACTED][REDACTED]!");
    assert_redacts("nothing here", "nothing here");
    /* A secret that is part of the marker itself must not loop. */
    log_add_secret("ACT");
    assert_redacts("ACTION", "[REDACTED]ION");
    log_clear_secrets();
    assert_redacts("hunter2-pw", "hunter2-pw");
    /* A secret that begins a longer one, registered first: the longer one
     * is still hidden whole, not "[REDACTED]-and-more". */
    log_add_secret("tok3n");
    log_add_secret("tok3n-and-more");
    log_add_secret("tok3n");
    assert_redacts("a tok3n-and-more b tok3n", "a [REDACTED] b [REDACTED]");
    log_clear_secrets();
    /* Too short to redact without eating ordinary words. */
    log_add_secret("ab");
    assert_redacts("abc", "abc");
    log_add_secret("");
    log_add_secret(NULL);
    assert_redacts("", "");
    log_clear_secrets();
}
END_TEST

START_TEST(test_private_keys)
{
    assert_redacts("key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                   "-----END OPENSSH PRIVATE KEY-----\ndone",
                   "key:\n[REDACTED]\ndone");
    assert_redacts("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
                   "[REDACTED]");
    assert_redacts("x -----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY----- y",
                   "x [REDACTED] y");
    /* A cut-off block is hidden to the end. */
    assert_redacts("partial -----BEGIN EC PRIVATE KEY-----\nMHcC", "partial [REDACTED]");
    /* Certificates stay, and a key after one is still found. */
    assert_redacts("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                   "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
                   "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n[REDACTED]");
    assert_redacts("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI drover",
                   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI drover");
}
END_TEST

START_TEST(test_assignments)
{
    assert_redacts("password=hunter2 user=x", "password=[REDACTED] user=x");
    assert_redacts("Password: hunter2", "Password: [REDACTED]");
    assert_redacts("token: K10abc::server:xyz\n", "token: [REDACTED]\n");
    assert_redacts("node_token=abc&x=1", "node_token=[REDACTED]&x=1");
    assert_redacts("secret = 's3'", "secret = '[REDACTED]'");
    assert_redacts("{\"password\": \"two words\", \"user\": \"u\"}",
                   "{\"password\": \"[REDACTED]\", \"user\": \"u\"}");
    assert_redacts("password=\"a b c\" next", "password=\"[REDACTED]\" next");
    assert_redacts("K3S_TOKEN=abc sh install.sh", "K3S_TOKEN=[REDACTED] sh install.sh");
    /* Prose about passwords is left alone. */
    assert_redacts("the password was wrong", "the password was wrong");
    assert_redacts("password:", "password:");
    assert_redacts("tokens: 5, secret", "tokens: [REDACTED], secret");
    /* A SOAP Login body, with the password's & and < escaped. */
    assert_redacts("<Login><userName>u</userName><password>p&amp;s&lt;s w</password></Login>",
                   "<Login><userName>u</userName><password>[REDACTED]</password></Login>");
    assert_redacts("<v:password>x</v:password>", "<v:password>[REDACTED]</v:password>");
    assert_redacts("<password></password>", "<password></password>");
    /* Secret assignments in other spellings are still hidden. */
    assert_redacts("--password=hunter2 -x", "--password=[REDACTED] -x");
    assert_redacts("db.password: pw1", "db.password: [REDACTED]");
    assert_redacts("PASSWD=pw1 make", "PASSWD=[REDACTED] make");
    assert_redacts("    passwd: $6$salt$hash\n", "    passwd: [REDACTED]\n");
    assert_redacts("RKE2_TOKEN: abc", "RKE2_TOKEN: [REDACTED]");
    assert_redacts("DB_PASSWD: hunter2", "DB_PASSWD: [REDACTED]");
    assert_redacts("--passwd:hunter2", "--passwd:[REDACTED]");
}
END_TEST

/* Words that look like a key but assign no secret are logged as they are
 * (the sudo failure's fix line garbled to NOPASSWD:[REDACTED]). */
START_TEST(test_not_secrets)
{
    static const char *const same[] = {
        "fix: the sudoers line \"operator ALL=(ALL) NOPASSWD:ALL\"",
        "operator ALL=(ALL) NOPASSWD: ALL",
        "%admin ALL=(ALL) PASSWD: /usr/bin/apt",
        "Defaults:operator !authenticate, NOPASSWD:/bin/true",
        "passwd:         files systemd",
        "passwd: sss files",
        "grep: /etc/passwd: No such file or directory",
        "password_file = \"/x\"",
        "password_env: VC_PASSWORD",
        "token_path=/var/lib/rancher/k3s/server/token",
        "the password was wrong",
    };

    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        assert_redacts(same[i], same[i]);
    /* A registered secret is hidden even where no key names it. */
    log_add_secret("NOPASSWD-ish-secret");
    assert_redacts("x NOPASSWD-ish-secret y", "x [REDACTED] y");
    log_clear_secrets();
}
END_TEST

static char dir[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void *
log_many(void *arg)
{
    for (int i = 0; i < 200; i++)
        log_info("thread %ld line %d", (long)(size_t)arg, i);
    return NULL;
}

START_TEST(test_log_file)
{
    struct dr_error e = {0};
    struct stat st;
    char *path, *text;
    pthread_t th[4];
    size_t lines = 0;

    strcpy(dir, "/tmp/drover-log-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = xasprintf("%s/state/drover/drover.log", dir);
    ck_assert_msg(log_open(path, DR_LOG_INFO, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    log_add_secret("vc-pass-123");
    log_info("login failed for %s with %s", "admin", "vc-pass-123");
    log_debug("not written at info level");
    log_warn("rke2 join token: K10deadbeef");
    log_error("key -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----");
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, log_many, (void *)(size_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    log_close();
    log_info("after close: goes nowhere");
    /* An existing log that others could read is made private on open. */
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_msg(log_open(path, DR_LOG_INFO, &e) == DR_E_OK, "%s", e.msg);
    log_close();
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(util_read_file(path, &text, NULL, &e), DR_E_OK);
    ck_assert_ptr_null(strstr(text, "vc-pass-123"));
    ck_assert_ptr_null(strstr(text, "K10deadbeef"));
    ck_assert_ptr_null(strstr(text, "AAAA"));
    ck_assert_ptr_null(strstr(text, "not written"));
    ck_assert_ptr_null(strstr(text, "after close"));
    ck_assert_ptr_nonnull(strstr(text, " info  login failed for admin with [REDACTED]\n"));
    ck_assert_ptr_nonnull(strstr(text, " warn  rke2 join token: [REDACTED]\n"));
    ck_assert_ptr_nonnull(strstr(text, " error key [REDACTED]\n"));
    /* Whole lines from every thread: no interleaving. */
    for (char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    ck_assert_uint_eq(lines, 3 + 4 * 200);
    ck_assert_ptr_nonnull(strstr(text, "thread 3 line 199\n"));
    free(text);
    free(path);
    log_clear_secrets();
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}
END_TEST

static Suite *
log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");

    tcase_add_test(tc, test_registered_secrets);
    tcase_add_test(tc, test_private_keys);
    tcase_add_test(tc, test_assignments);
    tcase_add_test(tc, test_not_secrets);
    tcase_add_test(tc, test_log_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(log_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
