#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "engine/journal.h"

static char *
tmp_journal(void)
{
    char dir[] = "/tmp/drover-journal-XXXXXX";

    ck_assert_ptr_nonnull(mkdtemp(dir));
    return util_path_join(dir, "journal");
}

START_TEST(test_intents_and_results_replay)
{
    char *path = tmp_journal();
    struct eng_journal j;
    struct eng_intent *v;
    struct dr_error e = { 0 };
    struct stat st;
    size_t n;
    unsigned long a, b, c;

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 0);
    a = journal_intent(&j, "clone", "prod", "worker-01", "worker-01", NULL, &e);
    b = journal_intent(&j, "clone", "prod", "worker 02=x%", "worker 02=x%", NULL, &e);
    ck_assert_int_eq(journal_result(&j, a, true, "vm-42", NULL, &e), DR_E_OK);
    c = journal_intent(&j, "destroy", "prod", "worker-03", NULL, "vm-7", &e);
    ck_assert_int_eq(journal_result(&j, c, false, NULL, "InvalidPowerState: the VM is on", &e),
                     DR_E_OK);
    ck_assert(a && b && c && a < b && b < c);
    journal_close(&j);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(v[0].op, "clone");
    ck_assert(v[0].resolved && v[0].ok);
    ck_assert_str_eq(v[0].vm, "vm-42");
    /* Spaces, '=' and '%' survive the encoding. */
    ck_assert_str_eq(v[1].node, "worker 02=x%");
    ck_assert(!v[1].resolved);
    ck_assert(v[2].resolved && !v[2].ok);
    ck_assert_str_eq(v[2].reason, "InvalidPowerState: the VM is on");
    ck_assert_str_eq(v[2].vm, "vm-7");
    /* Sequence numbers go on after a restart. */
    ck_assert_int_gt(journal_intent(&j, "power-on", "prod", "worker-01", NULL, "vm-42", &e), c);
    intents_free(v, n);
    journal_close(&j);
    free(path);
}
END_TEST

START_TEST(test_torn_last_line_and_compact)
{
    char *path = tmp_journal();
    struct eng_journal j;
    struct eng_intent *v;
    struct dr_error e = { 0 };
    size_t n;
    int fd;

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    journal_intent(&j, "clone", "prod", "worker-01", "worker-01", NULL, &e);
    journal_close(&j);
    /* A crash in the middle of writing a record. */
    fd = open(path, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "R 2 1700000000 1 o", 18), 18);
    close(fd);

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 1);
    ck_assert(!v[0].resolved);
    /* Keep only the open intent; everything else is in the state files. */
    ck_assert_int_eq(journal_compact(&j, v, 1, &e), DR_E_OK);
    ck_assert_int_eq(journal_result(&j, v[0].seq, true, "vm-9", NULL, &e), DR_E_OK);
    intents_free(v, n);
    journal_close(&j);

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 1);
    ck_assert(v[0].resolved && v[0].ok);
    ck_assert_str_eq(v[0].vm, "vm-9");
    intents_free(v, n);
    ck_assert_int_eq(journal_compact(&j, NULL, 0, &e), DR_E_OK);
    journal_close(&j);
    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 0);
    journal_close(&j);
    free(path);
}
END_TEST

/* A clone's task: the T record names it on replay, a result still closes
 * the intent, and compaction keeps the task of an intent left open. */
START_TEST(test_task_records)
{
    char *path = tmp_journal();
    struct eng_journal j;
    struct eng_intent *v;
    struct dr_error e = { 0 };
    size_t n;
    unsigned long a, b;

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    a = journal_intent(&j, "clone", "prod", "server-01", "server-01", NULL, &e);
    b = journal_intent(&j, "clone", "prod", "agent-01", "agent-01", NULL, &e);
    ck_assert_int_eq(journal_task(&j, a, "task-101", &e), DR_E_OK);
    ck_assert_int_eq(journal_task(&j, b, "task-102", &e), DR_E_OK);
    ck_assert_int_eq(journal_result(&j, a, true, "vm-42", NULL, &e), DR_E_OK);
    journal_close(&j);

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 2);
    ck_assert(v[0].resolved && v[0].ok);
    ck_assert_str_eq(v[0].task, "task-101");
    ck_assert_str_eq(v[0].vm, "vm-42");
    ck_assert(!v[1].resolved);
    ck_assert_str_eq(v[1].task, "task-102");
    /* Only the open one is kept, with its task. */
    ck_assert_int_eq(journal_compact(&j, &v[1], 1, &e), DR_E_OK);
    intents_free(v, n);
    journal_close(&j);

    ck_assert_int_eq(journal_open(&j, path, &v, &n, &e), DR_E_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(v[0].seq, b);
    ck_assert(!v[0].resolved);
    ck_assert_str_eq(v[0].node, "agent-01");
    ck_assert_str_eq(v[0].task, "task-102");
    intents_free(v, n);
    journal_close(&j);
    free(path);
}
END_TEST

START_TEST(test_unwritable)
{
    struct eng_journal j;
    struct eng_intent *v;
    struct dr_error e = { 0 };
    size_t n;

    ck_assert_int_ne(journal_open(&j, "/nonexistent/dir/journal", &v, &n, &e), DR_E_OK);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/dir/journal"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("journal");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_intents_and_results_replay);
    tcase_add_test(tc, test_torn_last_line_and_compact);
    tcase_add_test(tc, test_task_records);
    tcase_add_test(tc, test_unwritable);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
