/* The failure classes: walk the one table (src/engine/classify.c) and check
 * the field cases of issue 10 against it. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "engine/classify.h"

static struct dr_error
err_of(enum dr_err code, const char *cause)
{
    struct dr_error e = { 0 };

    dr_error_set(&e, code, "test");
    if (cause)
        dr_error_cause(&e, "%s", cause);
    return e;
}

static bool
permanent(enum dr_err code, const char *cause)
{
    struct dr_error e = err_of(code, cause);

    return error_is_permanent(&e);
}

/* Every code has exactly one row of its own, and no row is dead: each cause
 * row is the one its own cause finds (an earlier pattern does not shadow
 * it), and every permanent row says why. */
START_TEST(test_table_walk)
{
    size_t n;
    const struct eng_class_rule *r = eng_class_rules(&n);
    int per_code[DR_E__COUNT] = { 0 };
    bool seen_code_row = false;

    ck_assert_uint_gt(n, DR_E__COUNT);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(r[i].why && *r[i].why, "row %zu has no reason", i);
        ck_assert_msg(r[i].cls == ENG_TRANSIENT || r[i].cls == ENG_PERMANENT, "row %zu", i);
        ck_assert_msg((unsigned)r[i].code < DR_E__COUNT, "row %zu: code out of range", i);
        if (r[i].cause == NULL) {
            per_code[r[i].code]++;
            seen_code_row = true;
            struct dr_error e = err_of(r[i].code, NULL);
            ck_assert_ptr_eq(eng_classify(&e), &r[i]);
            continue;
        }
        /* Cause rows come before the code rows (the lookup order). */
        ck_assert_msg(!seen_code_row, "cause row %s after a code row", r[i].cause);
        ck_assert_ptr_nonnull(strchr(r[i].cause, ':'));
        char cause[80];
        size_t len = strlen(r[i].cause);
        if (r[i].cause[len - 1] == '*')
            snprintf(cause, sizeof cause, "%.*s%s", (int)(len - 1), r[i].cause,
                     strchr(r[i].cause, ':')[1] == '*' ? "451" : "03");
        else
            snprintf(cause, sizeof cause, "%s", r[i].cause);
        struct dr_error e = err_of(r[i].code, cause);
        ck_assert_msg(eng_classify(&e) == &r[i], "%s (as %s) is shadowed by an earlier row",
                      r[i].cause, cause);
        ck_assert_int_eq(error_is_permanent(&e), r[i].cls == ENG_PERMANENT);
    }
    for (int c = 0; c < DR_E__COUNT; c++)
        ck_assert_msg(per_code[c] == 1, "%s has %d code rows", dr_errname(c), per_code[c]);
}
END_TEST

/* Issue 10's transient list. */
START_TEST(test_transient)
{
    ck_assert(!permanent(DR_E_TIMEOUT, NULL));
    ck_assert(!permanent(DR_E_CONNECT, NULL));              /* refused, reset, unreachable */
    ck_assert(!permanent(DR_E_IO, NULL));
    ck_assert(!permanent(DR_E_PROTO, "http:500"));
    ck_assert(!permanent(DR_E_PROTO, "http:502"));
    ck_assert(!permanent(DR_E_PROTO, "http:503"));
    ck_assert(!permanent(DR_E_PROTO, "http:429"));
    ck_assert(!permanent(DR_E_FAULT, "fault:NotAuthenticated"));
    ck_assert(!permanent(DR_E_FAULT, "fault:TaskInProgress"));  /* a busy task */
    ck_assert(!permanent(DR_E_FAULT, "fault:SystemError"));
    ck_assert(!permanent(DR_E_BUSY, NULL));
    ck_assert(!permanent(DR_E_REMOTE, NULL));
    ck_assert(permanent(DR_E_REMOTE, "recipe:input")); /* the recipe exited 2 */
    ck_assert(!permanent(DR_E_CONNECT, "proxy:502"));
    /* A fault the table does not know: its code decides (bounded retries). */
    ck_assert(!permanent(DR_E_FAULT, "fault:SomeFutureFault"));
    ck_assert(!permanent(DR_E_FAULT, NULL));
}
END_TEST

/* Issue 10's permanent list. */
START_TEST(test_permanent)
{
    static const char *const input_faults[] = {
        "InvalidArgument", "InvalidName", "DuplicateName", "NotSupported",
        "InvalidDeviceSpec", "FileAlreadyExists", "InvalidRequest", "NoPermission",
        "ManagedObjectNotFound", "OutOfBounds", "InvalidVmConfig",
    };
    char cause[64];

    for (size_t i = 0; i < sizeof input_faults / sizeof *input_faults; i++) {
        snprintf(cause, sizeof cause, "fault:%s", input_faults[i]);
        ck_assert_msg(permanent(DR_E_FAULT, cause), "%s", cause);
        struct dr_error e = err_of(DR_E_FAULT, cause);
        ck_assert_msg(eng_classify(&e)->todo != NULL, "%s says what to do", cause);
    }
    ck_assert(permanent(DR_E_AUTH, NULL));                   /* authentication refused */
    ck_assert(permanent(DR_E_AUTH, "fault:InvalidLogin"));
    ck_assert(permanent(DR_E_AUTH, "ssh:key-refused"));
    ck_assert(permanent(DR_E_PROTO, "ssh:algorithms"));     /* no common host-key algorithm */
    ck_assert(permanent(DR_E_AUTH, "sudo:password"));       /* sudo needs a password */
    ck_assert(permanent(DR_E_AUTH, "sudo:denied"));
    ck_assert(permanent(DR_E_CONNECT, "proxy:403"));        /* HTTP 403 from a proxy */
    ck_assert(permanent(DR_E_CONNECT, "proxy:407"));
    ck_assert(permanent(DR_E_PROTO, "http:403"));
    ck_assert(permanent(DR_E_PROTO, "http:404"));
    ck_assert(permanent(DR_E_HOSTKEY, NULL));
    ck_assert(permanent(DR_E_HOSTKEY, "ssh:hostkey-changed"));
    ck_assert(permanent(DR_E_HOSTKEY, "ssh:hostkey-boot"));
    ck_assert(permanent(DR_E_TLS, NULL));
    ck_assert(permanent(DR_E_INVAL, NULL));
    ck_assert(permanent(DR_E_EXISTS, NULL));
    ck_assert(permanent(DR_E_NOTFOUND, NULL));
    ck_assert(permanent(DR_E_CANCELLED, NULL));
    /* vAPI tagging refusals (a missing privilege, cardinality). */
    ck_assert(permanent(DR_E_FAULT, "vapi:unauthorized"));
    ck_assert(permanent(DR_E_FAULT, "vapi:invalid_argument"));
    ck_assert(permanent(DR_E_AUTH, "vapi:unauthenticated"));
    /* Out of range: as an internal error, never retried. */
    struct dr_error e = err_of(DR_E_OK, NULL);
    e.code = DR_E__COUNT + 3;
    ck_assert(error_is_permanent(&e));
}
END_TEST

/* The cause goes with the message: a new message clears it, a prefix keeps it. */
START_TEST(test_cause_lifetime)
{
    struct dr_error e = err_of(DR_E_FAULT, "fault:InvalidArgument");

    dr_error_prefix(&e, "template %s", "lab");
    ck_assert_str_eq(e.cause, "fault:InvalidArgument");
    ck_assert(error_is_permanent(&e));
    dr_error_set(&e, DR_E_TIMEOUT, "later: timed out");
    ck_assert_str_eq(e.cause, "");
    ck_assert(!error_is_permanent(&e));
    dr_error_cause(NULL, "x");  /* no error struct: nothing happens */
    dr_error_clear(&e);
    ck_assert_str_eq(e.cause, "");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("classify");
    TCase *tc = tcase_create("classify");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_table_walk);
    tcase_add_test(tc, test_transient);
    tcase_add_test(tc, test_permanent);
    tcase_add_test(tc, test_cause_lifetime);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
