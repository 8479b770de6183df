#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "ui/theme.h"

static char dir[] = "/tmp/drover-theme-XXXXXX";

static char *
write_theme(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s.theme", dir, name);
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void
setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    strcpy(dir, "/tmp/drover-theme-XXXXXX");
}

START_TEST(test_default_compiled_in)
{
    struct theme t;

    theme_default(&t);
    ck_assert_str_eq(t.name, "default");
    ck_assert_int_eq(t.roles[ROLE_NORMAL].fg, -1);
    ck_assert_int_eq(t.roles[ROLE_NORMAL].bg, -1);
    ck_assert_int_eq(t.roles[ROLE_STATE_ERROR].fg, 1);
    ck_assert_str_eq(theme_role_name(ROLE_STATE_ACTIVE), "state.active");
    ck_assert_str_eq(theme_role_name(ROLE_TAB_ACTIVE), "tab.active");
}
END_TEST

START_TEST(test_load_good)
{
    struct theme t;
    struct dr_error e = {0};
    char *p = write_theme(
        "sea", "description = \"x\";\n"
               "roles = {\n"
               "  header = { fg = \"bright-white\"; bg = \"blue\"; attrs = [ \"bold\" ]; };\n"
               "  state = { error = { fg = 196; attrs = [ \"bold\", \"underline\" ]; }; };\n"
               "  tab = { active = { bg = \"default\"; }; };\n"
               "};\n");

    theme_default(&t);
    ck_assert_int_eq(theme_load_file(p, &t, &e), DR_E_OK);
    ck_assert_str_eq(t.name, "sea");
    ck_assert_int_eq(t.roles[ROLE_HEADER].fg, 15);
    ck_assert_int_eq(t.roles[ROLE_HEADER].bg, 4);
    ck_assert_uint_eq(t.roles[ROLE_HEADER].attrs, TA_BOLD);
    ck_assert_int_eq(t.roles[ROLE_STATE_ERROR].fg, 196);
    ck_assert_int_eq(t.roles[ROLE_STATE_ERROR].bg, -1);
    ck_assert_uint_eq(t.roles[ROLE_STATE_ERROR].attrs, TA_BOLD | TA_UNDERLINE);
    ck_assert_int_eq(t.roles[ROLE_TAB_ACTIVE].bg, -1);
    /* Roles the file leaves out keep the compiled-in colours. */
    ck_assert_int_eq(t.roles[ROLE_STATE_ACTIVE].fg, 2);
    free(p);
}
END_TEST

/* A broken theme names file:line, and what was loaded before stays. */
static void
assert_broken(const char *text, const char *want)
{
    struct theme t, before;
    struct dr_error e = {0};
    char *p = write_theme("broken", text), *expect = xasprintf("%s/broken.theme:%s", dir, want);

    theme_default(&t);
    t.roles[ROLE_HEADER].fg = 3;
    before = t;
    ck_assert_int_ne(theme_load_file(p, &t, &e), DR_E_OK);
    ck_assert_msg(str_has_prefix(e.msg, expect), "got '%s', want prefix '%s'", e.msg, expect);
    ck_assert_mem_eq(&t, &before, sizeof t);
    free(expect);
    free(p);
}

START_TEST(test_load_broken)
{
    assert_broken("roles = {\n  header = { fg = \"white\";\n bg = \"purple\"; };\n};\n",
                  "3: header.bg: not a colour");
    assert_broken("roles = {\n header = { fg = 300; };\n};\n", "2: header.fg: not a colour");
    assert_broken("roles = {\n\n  headr = { fg = \"red\"; };\n};\n",
                  "3: headr: unknown colour role");
    assert_broken("roles = {\n  header = { attrs = [ \"blink\" ]; };\n};\n",
                  "2: header.attrs: unknown attribute");
    assert_broken("roles = {\n  state = {\n    errror = { fg = \"red\"; };\n  };\n};\n",
                  "3: state.errror: unknown colour role");
    assert_broken("roles = {\n  header = { fg = ; };\n};\n", "2: ");
    assert_broken("roles = {\n  header = { fgg = \"red\"; };\n};\n",
                  "2: header.fgg: unknown setting");
    assert_broken("colours = { };\n", "1: colours: unknown setting");
    assert_broken("description = \"no roles\";\n", "1: roles: missing");
}
END_TEST

START_TEST(test_find_and_list)
{
    struct theme t;
    struct dr_error e = {0};
    char **names;
    char *p;

    free(write_theme("mine", "roles = { header = { bg = \"green\"; }; };\n"));
    setenv("DROVER_THEMES_DIR", "/nonexistent", 1);
    p = theme_find("mine", dir);
    ck_assert_ptr_nonnull(p);
    free(p);
    ck_assert_ptr_null(theme_find("../etc/passwd", dir));
    ck_assert_ptr_null(theme_find("absent", dir));
    ck_assert_int_eq(theme_load("mine", dir, &t, &e), DR_E_OK);
    ck_assert_int_eq(t.roles[ROLE_HEADER].bg, 2);
    /* "default" needs no file. */
    ck_assert_int_eq(theme_load("default", dir, &t, &e), DR_E_OK);
    ck_assert_int_eq(t.roles[ROLE_HEADER].bg, 6);
    ck_assert_int_eq(theme_load("absent", dir, &t, &e), DR_E_NOTFOUND);
    ck_assert_int_eq(theme_load("a/b", dir, &t, &e), DR_E_INVAL);
    names = theme_list(dir);
    ck_assert_uint_eq(strv_len(names), 2);
    ck_assert_str_eq(names[0], "default");
    ck_assert_str_eq(names[1], "mine");
    strv_free(&names);
}
END_TEST

START_TEST(test_shipped_themes_load)
{
    const char *src = getenv("top_srcdir");
    const char *names[] = {"default", "light", "mono", "high-contrast"};
    char *themes = xasprintf("%s/themes", src ? src : "..");

    setenv("DROVER_THEMES_DIR", themes, 1);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct theme t;
        struct dr_error e = {0};
        char *p = theme_find(names[i], NULL);
        ck_assert_msg(p != NULL, "%s not found in %s", names[i], themes);
        ck_assert_msg(theme_load_file(p, &t, &e) == DR_E_OK, "%s", e.msg);
        ck_assert_str_eq(t.name, names[i]);
        free(p);
    }
    /* The shipped default says what the compiled-in one says. */
    {
        struct theme a, b;
        struct dr_error e = {0};
        char *p = theme_find("default", NULL);
        theme_default(&a);
        ck_assert_int_eq(theme_load_file(p, &b, &e), DR_E_OK);
        ck_assert_mem_eq(a.roles, b.roles, sizeof a.roles);
        free(p);
    }
    free(themes);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("theme");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_default_compiled_in);
    tcase_add_test(tc, test_load_good);
    tcase_add_test(tc, test_load_broken);
    tcase_add_test(tc, test_find_and_list);
    tcase_add_test(tc, test_shipped_themes_load);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
