/* The vSphere client when things go wrong: an expired session, a slow
 * vCenter, cancellation, and a vCenter that dies in the middle of a call.
 * Each case runs its own lab instance. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "labenv.h"
#include "vsphere/internal.h"
#include "vsphere/vsphere.h"

static struct labenv lab;
static struct dr_vcenter vc;

static void
up(const char *options)
{
    ck_assert_msg(labenv_up(&lab, options), "lab up %s failed", options);
    labenv_vcenter(&lab, &vc);
}

static void
down(void)
{
    labenv_down(&lab);
}

static struct vs_session *
login(void)
{
    struct vs_session *s = NULL;
    struct dr_error e = {0};

    ck_assert_int_eq(vs_session_new(&vc, labenv_get(&lab, "PASSWORD"), &s, &e), DR_E_OK);
    ck_assert_msg(vs_login(s, &e) == DR_E_OK, "login: %s", e.msg);
    return s;
}

struct session_seen {
    const char *key;
    bool present;
};

static enum dr_err
on_sessions(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct session_seen *w = user;
    xmlNodePtr list = vs_prop(oc, "sessionList");

    w->present = false;
    for (xmlNodePtr us = list ? list->children : NULL; us; us = us->next) {
        char *key = soap_child_text(us, "key");
        if (key && strcmp(key, w->key) == 0)
            w->present = true;
        free(key);
    }
    return DR_E_OK;
}

START_TEST(idle_timeout_relogin)
{
    static const char *const paths[] = {"sessionList", NULL};
    struct vs_session *s, *watcher;
    struct dr_error e = {0};
    struct session_seen seen = {0};
    struct vs_inventory inv;
    long long deadline;

    up("--vms 1 --hosts 1 --idle-timeout 1s");
    s = login();
    ck_assert_int_eq(s->logins, 1);
    seen.key = s->session_key;
    /* Watch from a second session (kept busy, so it stays alive) until the
     * simulator has expired the first one. */
    watcher = login();
    deadline = util_now_ms() + 30000;
    do {
        ck_assert_int_eq(vs_retrieve_one(watcher, "SessionManager", watcher->session_manager, paths,
                                         on_sessions, &seen, &e),
                         DR_E_OK);
        if (seen.present) {
            struct timespec ts = {.tv_nsec = 200 * 1000000L};
            nanosleep(&ts, NULL);
        }
    } while (seen.present && util_now_ms() < deadline);
    ck_assert_msg(!seen.present, "the session never expired");
    ck_assert_msg(vs_inventory_get(s, &inv, &e) == DR_E_OK, "after expiry: %s", e.msg);
    ck_assert(inv.n_vms > 0);
    ck_assert_int_eq(s->logins, 2);
    vs_inventory_done(&inv);
    vs_session_free(&watcher);
    vs_session_free(&s);
    down();
}
END_TEST

START_TEST(method_delay_timeout)
{
    struct vs_session *s;
    struct dr_error e = {0};
    struct vs_inventory inv;
    up("--vms 1 --hosts 1 --method-delay RetrievePropertiesEx=4000 --log-methods");
    s = login();
    vs_set_timeout(s, 1);
    ck_assert_int_eq(vs_inventory_get(s, &inv, &e), DR_E_TIMEOUT);
    ck_assert_msg(strstr(e.msg, "timed out"), "%s", e.msg);
    /* The session stays usable with a longer timeout. */
    vs_set_timeout(s, 30);
    ck_assert_msg(vs_inventory_get(s, &inv, &e) == DR_E_OK, "%s", e.msg);
    vs_inventory_done(&inv);
    vs_session_free(&s);
    down();
}
END_TEST

struct bg_call {
    struct vs_session *s;
    enum dr_err err;
    struct dr_error e;
};

static void *
bg_inventory(void *arg)
{
    struct bg_call *c = arg;
    struct vs_inventory inv;

    c->err = vs_inventory_get(c->s, &inv, &c->e);
    if (c->err == DR_E_OK)
        vs_inventory_done(&inv);
    return NULL;
}

/* Wait until the simulator has received method (it logs each call as it
 * arrives, before the configured delay): the call is then in flight. */
static void
wait_for_call(const char *method)
{
    char *log = labenv_path(&lab, "vcsim.log"), *want = xasprintf("call %s\n", method), *text;
    long long deadline = util_now_ms() + 30000;
    bool seen = false;

    while (!seen && util_now_ms() < deadline) {
        struct timespec ts = { .tv_nsec = 20 * 1000000L };
        if (util_read_file(log, &text, NULL, NULL) == DR_E_OK) {
            seen = strstr(text, want) != NULL;
            free(text);
        }
        if (!seen)
            nanosleep(&ts, NULL);
    }
    ck_assert_msg(seen, "the simulator never received %s", method);
    free(want);
    free(log);
}

START_TEST(cancel_mid_call)
{
    atomic_bool cancel = false;
    struct bg_call c = {0};
    pthread_t th;

    up("--vms 1 --hosts 1 --method-delay RetrievePropertiesEx=4000 --log-methods");
    c.s = login();
    vs_set_cancel(c.s, &cancel);
    pthread_create(&th, NULL, bg_inventory, &c);
    wait_for_call("RetrievePropertiesEx");
    atomic_store(&cancel, true);
    pthread_join(th, NULL);
    ck_assert_int_eq(c.err, DR_E_CANCELLED);
    /* A cancelled session refuses further calls, also when the caller
     * wants no error text (e == NULL is allowed everywhere). */
    ck_assert_int_eq(vs_shutdown(c.s, "vm-1", 1, NULL), DR_E_CANCELLED);
    vs_session_free(&c.s);
    down();
}
END_TEST

START_TEST(simulator_killed_mid_call)
{
    struct bg_call c = {0};
    pthread_t th;
    struct dr_error e = {0};
    char *state = NULL;

    up("--vms 1 --hosts 1 --method-delay RetrievePropertiesEx=4000 --log-methods");
    c.s = login();
    pthread_create(&th, NULL, bg_inventory, &c);
    wait_for_call("RetrievePropertiesEx");
    ck_assert_int_eq(kill((pid_t)atoi(labenv_get(&lab, "PID")), SIGKILL), 0);
    pthread_join(th, NULL);
    ck_assert_msg(c.err == DR_E_CONNECT, "got %s: %s", dr_errname(c.err), c.e.msg);
    /* And later calls fail the same way, without hanging or crashing. */
    ck_assert_int_eq(vs_vm_power_state(c.s, "vm-1", &state, &e), DR_E_CONNECT);
    ck_assert_ptr_null(state);
    vs_session_free(&c.s);
    down();
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("vsphere_failures");
    TCase *tc = tcase_create("failures");
    SRunner *sr;
    int failed;
    struct dr_error e = {0};

    labenv_require();
    if (vs_global_init(&e) != DR_E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, idle_timeout_relogin);
    tcase_add_test(tc, method_delay_timeout);
    tcase_add_test(tc, cancel_mid_call);
    tcase_add_test(tc, simulator_killed_mid_call);
    suite_add_tcase(su, tc);
    sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    vs_global_cleanup();
    return failed ? 1 : 0;
}
