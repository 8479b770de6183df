#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "core/versions.h"

/* The shipped data/versions.cfg loads: every entry is a release tag of its
 * distribution as the recipes' installers take it, and both distributions
 * have some. */
START_TEST(test_shipped_list)
{
    const char *top = getenv("top_srcdir");
    char *path = xasprintf("%s/data/versions.cfg", top && *top ? top : DR_TOP_SRCDIR);
    struct dr_versions v;
    struct dr_error e = {0};

    ck_assert_msg(versions_load(path, &v, &e) == DR_E_OK, "%s", dr_error_text(&e));
    ck_assert_int_gt(strv_len(v.of[DR_DIST_K3S]), 0);
    ck_assert_int_gt(strv_len(v.of[DR_DIST_RKE2]), 0);
    for (size_t d = 0; d <= DR_DIST_RKE2; d++)
        for (size_t i = 0; v.of[d][i]; i++) {
            const char *form, *example;
            ck_assert_msg(distribution_version_valid(d, v.of[d][i], &form, &example), "%s",
                          v.of[d][i]);
        }
    versions_done(&v);
    free(path);
}
END_TEST

static char *
write_tmp(const char *text)
{
    char *path = xstrdup("/tmp/test_versions.XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    fputs(text, f);
    fclose(f);
    return path;
}

/* A bad entry is refused naming file:line, the list and the index, with
 * the form; an rke2 tag under k3s is bad too; an unknown distribution. */
START_TEST(test_bad_entries)
{
    static const char *const bad[][2] = {
        {"k3s = [ \"v1.30.4+k3s1\",\n  \"1.30.4\" ];\n", ":2: k3s[1]: '1.30.4'"},
        {"k3s = [ \"v1.30.4+rke2r1\" ];\n", ":1: k3s[0]: 'v1.30.4+rke2r1'"},
        {"rke2 = [ \"v1.30.4+k3s1\" ];\n", "rke2[0]"},
        {"k8s = [ \"v1.30.4\" ];\n", ":1: k8s: not a distribution"},
        {"k3s = \"v1.30.4+k3s1\";\n", "k3s: must be a list"},
        {"k3s = [ \"v1.30.4+k3s1\" \n", ":2:"},
    };

    for (size_t i = 0; i < DR_ARRAY_LEN(bad); i++) {
        char *path = write_tmp(bad[i][0]);
        struct dr_versions v;
        struct dr_error e = {0};

        ck_assert_int_ne(versions_load(path, &v, &e), DR_E_OK);
        ck_assert_msg(strstr(dr_error_text(&e), bad[i][1]) && strstr(dr_error_text(&e), path),
                      "%s: %s", bad[i][1], dr_error_text(&e));
        ck_assert_ptr_null(v.of[DR_DIST_K3S]);
        unlink(path);
        free(path);
    }
}
END_TEST

START_TEST(test_default_path)
{
    char *p;

    setenv("DROVER_DATA_DIR", "/opt/d", 1);
    p = versions_default_path();
    ck_assert_str_eq(p, "/opt/d/versions.cfg");
    free(p);
    unsetenv("DROVER_DATA_DIR");
    p = versions_default_path();
    ck_assert_str_eq(p, PKGDATADIR "/versions.cfg");
    free(p);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("versions");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_shipped_list);
    tcase_add_test(tc, test_bad_entries);
    tcase_add_test(tc, test_default_path);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
