#include "config.h"

#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/table.h"
#include "ui/text.h"

/* Column formatting in terminal cells, with wide and combining characters. */

START_TEST(test_width)
{
    ck_assert_int_eq(text_width("prod"), 4);
    ck_assert_int_eq(text_width(""), 0);
    ck_assert_int_eq(text_width(NULL), 0);
    ck_assert_int_eq(text_width("\xe6\x9d\xb1\xe4\xba\xac"), 4); /* 東京: 2 wide */
    ck_assert_int_eq(text_width("e\xcc\x81"), 1);                /* e + combining acute */
    ck_assert_int_eq(text_width("gr\xc3\xbc\xc3\x9f"), 4);       /* grüß */
    ck_assert_int_eq(text_width("\xf0\x9f\x9a\x80"), 2);         /* rocket emoji */
    ck_assert_int_eq(text_width("a\xff"
                                "b"),
                     3); /* invalid byte: one cell */
}
END_TEST

START_TEST(test_fit_pad_and_cut)
{
    char buf[128];

    ck_assert_str_eq(text_fit(buf, sizeof buf, "prod", 6, false), "prod  ");
    ck_assert_str_eq(text_fit(buf, sizeof buf, "42", 5, true), "   42");
    ck_assert_str_eq(text_fit(buf, sizeof buf, "production", 6, false), "produ\xe2\x80\xa6");
    ck_assert_int_eq(text_width(buf), 6);
    ck_assert_str_eq(text_fit(buf, sizeof buf, "x", 0, false), "");
    /* A wide character never straddles the edge: a space fills the gap. */
    text_fit(buf, sizeof buf, "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 4, false); /* 東京都 */
    ck_assert_str_eq(buf, "\xe6\x9d\xb1 \xe2\x80\xa6");
    ck_assert_int_eq(text_width(buf), 4);
    text_fit(buf, sizeof buf, "\xe6\x9d\xb1\xe4\xba\xac", 5, false);
    ck_assert_str_eq(buf, "\xe6\x9d\xb1\xe4\xba\xac ");
    text_fit(buf, sizeof buf, "\xe6\x9d\xb1\xe4\xba\xac", 6, true);
    ck_assert_str_eq(buf, "  \xe6\x9d\xb1\xe4\xba\xac");
    /* Control characters never reach the terminal. */
    ck_assert_str_eq(text_fit(buf, sizeof buf, "a\x1b[31mb", 8, false), "a?[31mb ");
    /* A buffer too small stays terminated. */
    ck_assert_int_lt(strlen(text_fit(buf, 4, "abcdefgh", 20, false)), 4);
}
END_TEST

START_TEST(test_fit_ascii_locale)
{
    char buf[64];

    setlocale(LC_ALL, "C");
    ck_assert(!text_utf8());
    ck_assert_str_eq(text_fit(buf, sizeof buf, "production", 6, false), "produ~");
    ck_assert_str_eq(text_fit(buf, sizeof buf, "gr\xc3\xbcn", 6, false), "gr??n ");
    setlocale(LC_ALL, "C.UTF-8");
    ck_assert(text_utf8());
}
END_TEST

static const struct table_col cols[] = {
    {.title = "NAME", .width = 10, .min = 4, .flex = true},
    {.title = "STATE", .width = 8, .min = 5},
    {.title = "NODES", .width = 5, .min = 5, .right = true},
};

START_TEST(test_layout)
{
    int w[3];

    ck_assert_uint_eq(table_layout(cols, 3, 25, w), 3);
    ck_assert_int_eq(w[0] + w[1] + w[2] + 2, 25);
    ck_assert_int_eq(w[0], 10);
    ck_assert_uint_eq(table_layout(cols, 3, 40, w), 3);
    ck_assert_int_eq(w[0], 25); /* the spare room goes to the flexible column */
    ck_assert_uint_eq(table_layout(cols, 3, 18, w), 3);
    ck_assert_int_eq(w[0], 4); /* flexible columns shrink first */
    ck_assert_int_eq(w[1], 7);
    ck_assert_uint_eq(table_layout(cols, 3, 12, w), 2); /* then columns drop off the right */
    ck_assert_uint_eq(table_layout(cols, 3, 3, w), 0);
}
END_TEST

START_TEST(test_format_row_wide_names)
{
    int w[3];
    char line[512];
    const char *a[] = {"\xe6\x9d\xb1\xe4\xba\xac-prod", "Active", "3/3"}; /* 東京-prod */
    const char *b[] = {"plain", "Error", "10/12"};
    size_t shown = table_layout(cols, 3, 25, w);

    table_format_row(line, sizeof line, a, cols, w, shown, 25);
    ck_assert_int_eq(text_width(line), 25);
    ck_assert_str_eq(line, "\xe6\x9d\xb1\xe4\xba\xac-prod  Active     3/3");
    table_format_row(line, sizeof line, b, cols, w, shown, 25);
    ck_assert_str_eq(line, "plain      Error    10/12");
    /* Narrower: the wide name is cut on a character boundary. */
    shown = table_layout(cols, 3, 17, w);
    table_format_row(line, sizeof line, a, cols, w, shown, 17);
    ck_assert_int_eq(text_width(line), 17);
    ck_assert(str_has_prefix(line, "\xe6\x9d\xb1 \xe2\x80\xa6 "));
}
END_TEST

START_TEST(test_progress)
{
    char buf[128];

    table_progress(buf, sizeof buf, 50, 15);
    ck_assert_int_eq(text_width(buf), 15);
    ck_assert(str_has_prefix(buf, " 50% "));
    table_progress(buf, sizeof buf, 150, 10);
    ck_assert(str_has_prefix(buf, "100% "));
    table_progress(buf, sizeof buf, -3, 10);
    ck_assert(str_has_prefix(buf, "  0% "));
}
END_TEST

/* Rows for the filter/sort tests. */
static const char *names[] = {"prod", "staging", "edge", "prod-eu"};
static const char *states[] = {"Active", "Updating", "Pending", "Error"};

static void
cell(void *ctx, size_t item, size_t col, char *buf, size_t len, enum ui_role *role)
{
    snprintf(buf, len, "%s", col == 0 ? names[item] : col == 1 ? states[item] : "1");
}

START_TEST(test_filter_sort_keep_selection)
{
    struct table t;
    size_t item;

    table_init(&t, cols, 3, cell, NULL, NULL);
    table_rebuild(&t, 4);
    ck_assert_uint_eq(t.n_rows, 4);
    table_set_filter(&t, "PROD");
    ck_assert_uint_eq(t.n_rows, 2);
    table_set_filter(&t, "!prod");
    ck_assert_uint_eq(t.n_rows, 2);
    ck_assert_uint_eq(t.rows[0], 1);
    table_set_filter(&t, "updat"); /* any column matches */
    ck_assert_uint_eq(t.n_rows, 1);
    table_set_filter(&t, NULL);
    table_action(&t, ACT_SORT);      /* by NAME */
    ck_assert_uint_eq(t.rows[0], 2); /* edge */
    ck_assert_uint_eq(t.rows[3], 1); /* staging */
    table_action(&t, ACT_BOTTOM);
    ck_assert(table_selected(&t, &item));
    ck_assert_uint_eq(item, 1);
    table_action(&t, ACT_SORT_REVERSE);
    ck_assert_uint_eq(t.rows[0], 1);
    ck_assert(table_selected(&t, &item));
    ck_assert_uint_eq(item, 1); /* the selection followed its item */
    ck_assert_uint_eq(t.sel, 0);
    table_action(&t, ACT_DOWN);
    table_action(&t, ACT_UP);
    table_action(&t, ACT_UP);
    ck_assert_uint_eq(t.sel, 0);
    table_done(&t);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    setlocale(LC_ALL, "C.UTF-8");
    tcase_add_test(tc, test_width);
    tcase_add_test(tc, test_fit_pad_and_cut);
    tcase_add_test(tc, test_fit_ascii_locale);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_format_row_wide_names);
    tcase_add_test(tc, test_progress);
    tcase_add_test(tc, test_filter_sort_keep_selection);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
