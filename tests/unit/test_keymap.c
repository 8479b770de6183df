#include "config.h"

#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/keymap.h"
#include "ui/provide_curses.h"

static int
key(const char *name)
{
    int k = -1;

    ck_assert_msg(keymap_parse_key(name, &k), "%s", name);
    return k;
}

START_TEST(test_parse_keys)
{
    char buf[32];

    ck_assert_int_eq(key("x"), 'x');
    ck_assert_int_eq(key("X"), 'X');
    ck_assert_int_eq(key("C-r"), 0x12);
    ck_assert_int_eq(key("c-R"), 0x12);
    ck_assert_int_eq(key("^L"), 0x0c);
    ck_assert_int_eq(key("Enter"), '\n');
    ck_assert_int_eq(key("enter"), '\n');
    ck_assert_int_eq(key("Esc"), 27);
    ck_assert_int_eq(key("Tab"), '\t');
    ck_assert_int_eq(key("Space"), ' ');
    ck_assert_int_eq(key("F5"), UI_KEY_FN | KEY_F(5));
    ck_assert_int_eq(key("F12"), UI_KEY_FN | KEY_F(12));
    ck_assert_int_eq(key("PgDn"), UI_KEY_FN | KEY_NPAGE);
    ck_assert_int_eq(key("Up"), UI_KEY_FN | KEY_UP);
    ck_assert_int_eq(key("S-Tab"), UI_KEY_FN | KEY_BTAB);
    ck_assert_int_eq(key("\xc3\xa4"), 0xe4); /* ä, one UTF-8 character */
    ck_assert_str_eq(keymap_key_name(key("F5"), buf, sizeof buf), "F5");
    ck_assert_str_eq(keymap_key_name(key("C-r"), buf, sizeof buf), "C-r");
    ck_assert_str_eq(keymap_key_name(key("PgDn"), buf, sizeof buf), "PgDn");
    ck_assert_str_eq(keymap_key_name(key("\xc3\xa4"), buf, sizeof buf), "\xc3\xa4");
    ck_assert_str_eq(keymap_key_name('/', buf, sizeof buf), "/");
}
END_TEST

START_TEST(test_parse_rejects)
{
    int k = 42;
    const char *bad[] = {"",    "xy", "C-", "C-ab", "C-1",  "F0",
                         "F99", "Fx", " ",  "\x01", "\xc3", "Ctrl"};

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!keymap_parse_key(bad[i], &k), "accepted '%s'", bad[i]);
    ck_assert(!keymap_parse_key(NULL, &k));
    ck_assert_int_eq(k, 42);
}
END_TEST

START_TEST(test_defaults_and_scopes)
{
    struct keymap *km = keymap_new();
    struct dr_error e = {0};
    int keys[8];
    size_t n;

    ck_assert_int_eq(keymap_lookup(km, "nodes", 'j'), ACT_DOWN);
    ck_assert_int_eq(keymap_lookup(km, "nodes", '?'), ACT_HELP);
    ck_assert_int_eq(keymap_lookup(km, "clusters", 'D'), ACT_DELETE);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'R'), ACT_REPLACE);
    ck_assert_int_eq(keymap_lookup(km, "templates", 'D'), ACT_NONE);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'x'), ACT_NONE);
    ck_assert_int_eq(keymap_bind(km, "nodes", "x", "delete", &e), DR_E_OK);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'x'), ACT_DELETE);
    ck_assert_int_eq(keymap_lookup(km, "templates", 'x'), ACT_NONE);
    /* A screen binding shadows the global one for that screen only. */
    ck_assert_int_eq(keymap_bind(km, "jobs", "j", "none", &e), DR_E_OK);
    ck_assert_int_eq(keymap_lookup(km, "jobs", 'j'), ACT_NONE);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'j'), ACT_DOWN);
    n = keymap_keys_for(km, "jobs", ACT_DOWN, keys, 8);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_ne(keys[i], 'j');
    ck_assert_int_eq(keymap_bind(km, "clusters", "x", "delete", &e), DR_E_OK);
    n = keymap_keys_for(km, "clusters", ACT_DELETE, keys, 8);
    ck_assert_uint_eq(n, 2);
    /* Rebinding a key replaces it. */
    ck_assert_int_eq(keymap_bind(km, "global", "j", "up", &e), DR_E_OK);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'j'), ACT_UP);
    keymap_free(&km);
    ck_assert_ptr_null(km);
}
END_TEST

START_TEST(test_bind_errors)
{
    struct keymap *km = keymap_new();
    struct dr_error e = {0};

    ck_assert_int_eq(keymap_bind(km, "nodes", "x", "explode", &e), DR_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "explode"));
    ck_assert_int_eq(keymap_bind(km, "nodes", "Hyper-x", "delete", &e), DR_E_INVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "Hyper-x"));
    /* Nothing destructive on a control chord, Enter, Tab or Esc. */
    ck_assert_int_eq(keymap_bind(km, "nodes", "C-d", "delete", &e), DR_E_INVAL);
    ck_assert_int_eq(keymap_bind(km, "nodes", "Enter", "retry", &e), DR_E_INVAL);
    ck_assert_int_eq(keymap_bind(km, "global", "Esc", "cancel", &e), DR_E_INVAL);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 0x04), ACT_NONE);
    /* Harmless actions may go there. */
    ck_assert_int_eq(keymap_bind(km, "global", "C-r", "redraw", &e), DR_E_OK);
    ck_assert_int_eq(keymap_bind(km, "nodes", "F8", "delete", &e), DR_E_OK);
    keymap_free(&km);
}
END_TEST

START_TEST(test_apply_settings)
{
    struct keymap *km = keymap_new();
    struct dr_binding b[] = {
        {.screen = "nodes", .key = "x", .action = "delete", .origin = {"drover.cfg", 7}},
        {.screen = "global", .key = "F5", .action = "redraw", .origin = {"drover.cfg", 8}},
        {.screen = "nodez", .key = "y", .action = "delete", .origin = {"drover.cfg", 9}},
        {.screen = "nodes", .key = "z", .action = "nuke", .origin = {"drover.cfg", 10}},
        {.screen = "nodes", .key = "C-x", .action = "delete", .origin = {"drover.cfg", 11}},
    };
    const char *scopes[] = {"clusters", "nodes", NULL};
    char **errors = NULL;

    ck_assert_uint_eq(keymap_apply(km, b, 5, scopes, &errors), 2);
    ck_assert_uint_eq(strv_len(errors), 3);
    ck_assert_str_eq(errors[0], "drover.cfg:9: bind.nodez.y: unknown screen 'nodez'");
    ck_assert_str_eq(errors[1], "drover.cfg:10: bind.nodes.z: unknown action 'nuke'");
    ck_assert(str_has_prefix(errors[2], "drover.cfg:11: bind.nodes.C-x: "));
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'x'), ACT_DELETE);
    ck_assert_int_eq(keymap_lookup(km, "help", UI_KEY_FN | KEY_F(5)), ACT_REDRAW);
    ck_assert_int_eq(keymap_lookup(km, "nodes", 'y'), ACT_NONE);
    strv_free(&errors);
    keymap_free(&km);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("keymap");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    setlocale(LC_ALL, "C.UTF-8");
    tcase_add_test(tc, test_parse_keys);
    tcase_add_test(tc, test_parse_rejects);
    tcase_add_test(tc, test_defaults_and_scopes);
    tcase_add_test(tc, test_bind_errors);
    tcase_add_test(tc, test_apply_settings);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
