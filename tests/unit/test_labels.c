/* src/vsphere/labels.c: how a template's tag is read. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "vsphere/vsphere.h"

static void
parses(const char *spec, const char *want_cat, const char *want_name)
{
    char *cat = NULL, *name = NULL;

    ck_assert_msg(vs_tag_spec_parse(spec, &cat, &name), "%s: refused", spec);
    if (want_cat)
        ck_assert_str_eq(cat, want_cat);
    else
        ck_assert_ptr_null(cat);
    ck_assert_str_eq(name, want_name);
    free(cat);
    free(name);
}

START_TEST(category_slash_name)
{
    parses("env/prod", "env", "prod");
    /* Split at the first '/': the rest is the tag's name. */
    parses("env/prod/eu", "env", "prod/eu");
    /* vCenter's escapes: %2f a '/', %25 a '%', in either part, any case. */
    parses("site%2feu/fra", "site/eu", "fra");
    parses("site%2Feu/a%2fb", "site/eu", "a/b");
    parses("cost%25/100%25", "cost%", "100%");
    /* A '%' that is no escape stays. */
    parses("a%zz/b%", "a%zz", "b%");
    parses("env/ spaced name ", "env", " spaced name ");
}
END_TEST

START_TEST(bare_name)
{
    parses("prod", NULL, "prod");
    parses("a%2fb", NULL, "a/b");
}
END_TEST

START_TEST(refused)
{
    const char *bad[] = {"", "/prod", "env/", "/", NULL};

    for (int i = 0; bad[i]; i++) {
        char *cat = (char *)"x", *name = (char *)"y";
        ck_assert_msg(!vs_tag_spec_parse(bad[i], &cat, &name), "'%s' accepted", bad[i]);
        ck_assert_ptr_null(cat);
        ck_assert_ptr_null(name);
    }
    {
        char *cat, *name;
        ck_assert(!vs_tag_spec_parse(NULL, &cat, &name));
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("labels");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, category_slash_name);
    tcase_add_test(tc, bare_name);
    tcase_add_test(tc, refused);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
