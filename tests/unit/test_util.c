#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"

/* Operator strings in one-line messages: control characters escaped,
 * UTF-8 and ordinary text kept. */
START_TEST(test_escape_ctl)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"v1.30.4+k3s1", "v1.30.4+k3s1"},
        {"v1\n2", "v1\\n2"},
        {"a\r\tb", "a\\r\\tb"},
        {"\x1b[31mred", "\\x1B[31mred"},
        {"del\x7f", "del\\x7F"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"", ""},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = str_escape_ctl(cases[i].in);
        ck_assert_str_eq(got, cases[i].want);
        free(got);
    }
    char *got = str_escape_ctl(NULL);
    ck_assert_str_eq(got, "");
    free(got);
}
END_TEST

START_TEST(test_dns_label)
{
    ck_assert(util_is_dns_label("worker-01"));
    ck_assert(util_is_dns_label("a"));
    ck_assert(!util_is_dns_label(""));
    ck_assert(!util_is_dns_label("-a"));
    ck_assert(!util_is_dns_label("a-"));
    ck_assert(!util_is_dns_label("Upper"));
    ck_assert(!util_is_dns_label("under_score"));
    ck_assert(!util_is_dns_label("0123456789012345678901234567890123456789012345678901234567890123"));
    ck_assert(util_is_dns_label("012345678901234567890123456789012345678901234567890123456789012"));
}
END_TEST

START_TEST(test_error_set_and_prefix)
{
    struct dr_error e = { 0 };

    ck_assert_int_eq(dr_error_set(&e, DR_E_INVAL, "memory_mib: must be %d", 5), DR_E_INVAL);
    dr_error_prefix(&e, "%s:%d", "templates/w.cfg", 7);
    ck_assert_str_eq(e.msg, "templates/w.cfg:7: memory_mib: must be 5");
    ck_assert_str_eq(dr_errname(DR_E_NOTFOUND), "NOTFOUND");
    ck_assert_int_eq(dr_error_set(NULL, DR_E_IO, "ignored"), DR_E_IO);
    dr_error_clear(&e);
    ck_assert_str_eq(dr_error_text(&e), dr_strerror(DR_E_OK));
}
END_TEST

START_TEST(test_atomic_write)
{
    char dir[] = "/tmp/drover-test-XXXXXX";
    struct dr_error e = { 0 };
    struct stat st;
    char *path, *data;
    size_t len;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = util_path_join(dir, "sub/deeper/file.cfg");
    char *parent = util_dirname(path);
    ck_assert_int_eq(util_mkdir_p(parent, 0700, &e), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, "one\n", 4, 0600, &e), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, "two\n", 4, 0600, &e), DR_E_OK);
    ck_assert_int_eq(util_read_file(path, &data, &len, &e), DR_E_OK);
    ck_assert_str_eq(data, "two\n");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    free(data);
    ck_assert_int_eq(util_read_file("/nonexistent/x", &data, &len, &e), DR_E_NOTFOUND);
    ck_assert(strstr(e.msg, "/nonexistent/x") != NULL);
    /* A folder where a file should be: the reason, not just "read error". */
    ck_assert_int_eq(util_read_file(parent, &data, &len, &e), DR_E_IO);
    ck_assert_msg(strstr(e.msg, "Is a directory") != NULL, "%s", e.msg);
    /* Read in one go at its size, or grown for files that have no size:
     * every byte either way. */
    char *big = xcalloc(1, 100001);
    for (size_t i = 0; i < 100000; i++)
        big[i] = (char)('a' + i % 26);
    ck_assert_int_eq(util_write_atomic(path, big, 100000, 0600, &e), DR_E_OK);
    ck_assert_int_eq(util_read_file(path, &data, &len, &e), DR_E_OK);
    ck_assert_uint_eq(len, 100000);
    ck_assert_str_eq(data, big);
    free(data);
    free(big);
    ck_assert_int_eq(util_read_file("/proc/self/status", &data, &len, &e), DR_E_OK);
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_eq(strlen(data), len);
    ck_assert_ptr_nonnull(strstr(data, "Pid:"));
    free(data);
    unlink(path);
    free(path);
    free(parent);
    char *cmd = xasprintf("rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}
END_TEST

START_TEST(test_strv)
{
    char **v = NULL;

    strv_push(&v, "a");
    strv_push(&v, "b");
    ck_assert_uint_eq(strv_len(v), 2);
    char **d = strv_dup(v);
    ck_assert_str_eq(d[1], "b");
    strv_free(&v);
    ck_assert_ptr_null(v);
    strv_free(&d);
    ck_assert_str_eq(str_casestr("Hello World", "WOR"), "World");
    ck_assert_ptr_null(str_casestr("Hello", "xyz"));
}
END_TEST

/* The bounded buffer libcurl's write callbacks fill. */
START_TEST(test_buf_append)
{
    char *data = NULL;
    size_t len = 0, cap = 0;
    char big[20000];

    ck_assert(util_buf_append(&data, &len, &cap, "abc", 3, 10));
    ck_assert_str_eq(data, "abc");
    ck_assert_uint_eq(len, 3);
    ck_assert(util_buf_append(&data, &len, &cap, "defghi", 6, 10));
    ck_assert_str_eq(data, "abcdefghi");  /* 9 bytes and the NUL: the bound */
    ck_assert(!util_buf_append(&data, &len, &cap, "j", 1, 10));
    ck_assert_str_eq(data, "abcdefghi");  /* nothing appended */
    ck_assert_uint_eq(len, 9);
    /* Growing past the first 16 KiB keeps what was there. */
    memset(big, 'x', sizeof big);
    ck_assert(util_buf_append(&data, &len, &cap, big, sizeof big, 1u << 20));
    ck_assert_uint_eq(len, 9 + sizeof big);
    ck_assert_uint_ge(cap, len + 1);
    ck_assert(strncmp(data, "abcdefghix", 10) == 0);
    ck_assert_int_eq(data[len], '\0');
    ck_assert(!util_buf_append(&data, &len, &cap, big, sizeof big, 100)); /* alone too big */
    free(data);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_dns_label);
    tcase_add_test(tc, test_escape_ctl);
    tcase_add_test(tc, test_error_set_and_prefix);
    tcase_add_test(tc, test_atomic_write);
    tcase_add_test(tc, test_strv);
    tcase_add_test(tc, test_buf_append);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
