#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/bundle.h"
#include "core/util.h"

/* bundle_missing on archives made by tar(1) itself, as operators make them:
 * gzip, zstd (when the zstd tool is there), "./" prefixes; not a tar. */

static char tmpdir[] = "/tmp/drover-bundle-XXXXXX";

static void
sh(const char *cmd)
{
    char *c = xasprintf("cd '%s' && %s", tmpdir, cmd);
    ck_assert_msg(system(c) == 0, "failed: %s", cmd);
    free(c);
}

static char *
at(const char *name)
{
    return xasprintf("%s/%s", tmpdir, name);
}

START_TEST(test_charts)
{
    const char *const *need = bundle_needs(DR_DIST_K3S, true);
    struct dr_error e = {0};
    char **miss = NULL, *p;

    sh("mkdir -p b/charts && echo x >b/k3s && echo x >b/install.sh && "
       "tar -czf plain.tar.gz -C b k3s install.sh && "
       "echo c >b/charts/rancher-vsphere-cpi.tgz && echo c >b/charts/rancher-vsphere-csi.tgz && "
       "tar -czf full.tar.gz -C b . && tar -cf bare.tar -C b k3s charts");
    p = at("plain.tar.gz");
    ck_assert_int_eq(bundle_missing(p, need, &miss, &e), DR_E_OK);
    ck_assert_int_eq(strv_len(miss), 2);
    ck_assert_str_eq(miss[0], "charts/rancher-vsphere-cpi.tgz");
    ck_assert_str_eq(miss[1], "charts/rancher-vsphere-csi.tgz");
    strv_free(&miss);
    /* Without the cloud provider the same bundle has all k3s needs. */
    ck_assert_int_eq(bundle_missing(p, bundle_needs(DR_DIST_K3S, false), &miss, &e), DR_E_OK);
    ck_assert_ptr_null(miss);
    free(p);
    /* "./k3s", "./charts/..." as tar -C dir . writes them. */
    p = at("full.tar.gz");
    ck_assert_int_eq(bundle_missing(p, need, &miss, &e), DR_E_OK);
    ck_assert_ptr_null(miss);
    free(p);
    /* Uncompressed, without install.sh. */
    p = at("bare.tar");
    ck_assert_int_eq(bundle_missing(p, need, &miss, &e), DR_E_OK);
    ck_assert_int_eq(strv_len(miss), 1);
    ck_assert_str_eq(miss[0], "install.sh");
    strv_free(&miss);
    free(p);
    if (system("command -v zstd >/dev/null 2>&1") == 0) {
        sh("tar -cf - -C b . | zstd -q -o full.tar.zst");
        p = at("full.tar.zst");
        ck_assert_int_eq(bundle_missing(p, need, &miss, &e), DR_E_OK);
        ck_assert_ptr_null(miss);
        free(p);
    }
}
END_TEST

START_TEST(test_not_a_tar)
{
    struct dr_error e = {0};
    char **miss = NULL, *p;

    sh("echo 'not an archive' >junk.tar.gz");
    p = at("junk.tar.gz");
    ck_assert_int_eq(bundle_missing(p, bundle_needs(DR_DIST_RKE2, false), &miss, &e), DR_E_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, "cannot read"));
    ck_assert_ptr_nonnull(strstr(e.msg, "junk.tar.gz"));
    ck_assert_ptr_null(miss);
    free(p);
    p = at("nonexistent.tar.gz");
    ck_assert_int_eq(bundle_missing(p, bundle_needs(DR_DIST_RKE2, false), &miss, &e), DR_E_IO);
    free(p);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bundle");
    TCase *tc = tcase_create("bundle");
    SRunner *sr;
    int failed;
    char *rm;

    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    tcase_add_test(tc, test_charts);
    tcase_add_test(tc, test_not_a_tar);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rm = xasprintf("rm -rf '%s'", tmpdir);
    if (system(rm) != 0)
        failed++;
    free(rm);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
