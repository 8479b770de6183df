#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ui/actions.h"

START_TEST(test_names_round_trip)
{
    for (int a = 0; a < ACT__COUNT; a++) {
        enum ui_action back;
        ck_assert_msg(action_from_name(action_name((enum ui_action)a), &back), "%d", a);
        ck_assert_int_eq(back, a);
        ck_assert_ptr_nonnull(action_help((enum ui_action)a));
        ck_assert_int_gt(strlen(action_help((enum ui_action)a)), 0);
    }
}
END_TEST

START_TEST(test_names_unique)
{
    for (int a = 0; a < ACT__COUNT; a++)
        for (int b = a + 1; b < ACT__COUNT; b++)
            ck_assert_str_ne(action_name((enum ui_action)a), action_name((enum ui_action)b));
}
END_TEST

START_TEST(test_mutating_flags)
{
    const char *mutating[] = {"create", "delete", "scale", "retry", "replace", "cancel",
                              "add-vcenter", "new", "edit", "copy"};
    int count = 0;

    for (size_t i = 0; i < sizeof mutating / sizeof *mutating; i++) {
        enum ui_action a;
        ck_assert(action_from_name(mutating[i], &a));
        ck_assert_msg(action_is_mutating(a), "%s", mutating[i]);
    }
    for (int a = 0; a < ACT__COUNT; a++)
        count += action_is_mutating((enum ui_action)a);
    ck_assert_int_eq(count, 10);
    ck_assert(!action_is_mutating(ACT_QUIT));
    ck_assert(!action_is_mutating(ACT_HELP));
    ck_assert(!action_is_mutating((enum ui_action)ACT__COUNT));
}
END_TEST

START_TEST(test_unknown)
{
    enum ui_action a = ACT_QUIT;

    ck_assert(!action_from_name("explode", &a));
    ck_assert(!action_from_name("", &a));
    ck_assert_int_eq(a, ACT_QUIT);
    ck_assert_str_eq(action_name((enum ui_action) - 1), "?");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("actions");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_names_round_trip);
    tcase_add_test(tc, test_names_unique);
    tcase_add_test(tc, test_mutating_flags);
    tcase_add_test(tc, test_unknown);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
