/* The console's inventory requests through the real engine and backend
 * against a private lab: the answer is an event, the items carry their
 * inventory paths, the facts a picker shows and the values a node template
 * holds (the lab's own template values, which `drover validate` and the
 * engine's placement accept); a slow vCenter's request is abandoned without
 * an answer; a wrong password is reported. */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/util.h"
#include "engine/engine.h"
#include "labenv.h"

static struct labenv lab;
static char *cfgdir, *statedir;

static struct dr_engine *
start(const char *password)
{
    char base[] = "/tmp/drover-invlab-XXXXXX";
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_engine *eng = NULL;
    char *text, *path;

    ck_assert_ptr_nonnull(mkdtemp(base));
    free(cfgdir);
    free(statedir);
    cfgdir = util_path_join(base, "config");
    statedir = util_path_join(base, "state");
    ck_assert_int_eq(util_mkdir_p(cfgdir, 0700, NULL), DR_E_OK);
    text = xasprintf("vcenters = ( { name = \"lab\"; url = \"%s\"; user = \"%s\";"
                     " password = \"%s\"; pin = \"%s\"; timeout = 30; } );\n",
                     labenv_get(&lab, "URL"), labenv_get(&lab, "USER"), password,
                     labenv_get(&lab, "PIN"));
    path = util_path_join(cfgdir, "vcenters.cfg");
    ck_assert_int_eq(util_write_atomic(path, text, strlen(text), 0600, NULL), DR_E_OK);
    free(path);
    free(text);
    ck_assert_int_eq(store_init(&s, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_msg(store_load(&s, &e) == DR_E_OK, "%s", e.msg);
    for (size_t i = 0; i < s.n_diags; i++) {
        char *d = store_diag_format(&s.diags[i]);
        ck_abort_msg("diagnostic: %s", d);
        free(d);
    }
    ck_assert_msg(engine_new(&s, &(struct dr_engine_options){ .workers = 1 }, &eng, &e) ==
                      DR_E_OK, "%s", e.msg);
    store_done(&s);
    return eng;
}

/* Wait (bounded) for request id's answer; false when none came. */
static bool
answer(struct dr_engine *eng, unsigned id, int seconds, enum dr_log_level *level, char *text,
       size_t len)
{
    long long deadline = util_now_ms() + seconds * 1000LL;

    while (util_now_ms() < deadline) {
        struct pollfd p = { .fd = engine_wake_fd(eng), .events = POLLIN };
        struct dr_event *ev;
        bool found = false;
        size_t n;

        poll(&p, 1, 100);
        n = engine_drain_events(eng, &ev);
        for (size_t k = 0; k < n; k++)
            if (ev[k].kind == DR_EV_REQUEST && ev[k].request == id) {
                found = true;
                *level = ev[k].level;
                snprintf(text, len, "%s", ev[k].text);
            }
        engine_events_free(ev, n);
        if (found)
            return true;
    }
    return false;
}

static const struct dr_inv_item *
by_value(const struct dr_inventory *inv, enum dr_inv_kind k, const char *value)
{
    for (size_t i = 0; i < inv->n; i++)
        if (inv->items[i].kind == k && str_eq(inv->items[i].value, value))
            return &inv->items[i];
    return NULL;
}

START_TEST(lab_inventory)
{
    struct dr_engine *eng;
    struct dr_error e = { 0 };
    enum dr_log_level level;
    char text[512];
    struct dr_inventory *inv;
    const struct dr_inv_item *it;
    unsigned id;
    const char *dc = labenv_get(&lab, "DATACENTER");

    ck_assert(labenv_up(&lab, "--hosts 2 --vms 1"));
    eng = start(labenv_get(&lab, "PASSWORD"));
    ck_assert_msg(engine_request_inventory(eng, "lab", false, &id, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_msg(answer(eng, id, 60, &level, text, sizeof text), "no answer");
    ck_assert_msg(level == DR_LOG_INFO, "%s", text);
    inv = engine_inventory(eng, "lab");
    ck_assert_ptr_nonnull(inv);
    dc = labenv_get(&lab, "DATACENTER");
    it = by_value(inv, DR_INV_DATACENTER, dc);
    ck_assert_ptr_nonnull(it);
    it = by_value(inv, DR_INV_CLUSTER, labenv_get(&lab, "CLUSTER"));
    ck_assert_ptr_nonnull(it);
    ck_assert_str_eq(it->datacenter, dc);
    /* The lab's pool, with its compute cluster. */
    it = by_value(inv, DR_INV_POOL, labenv_get(&lab, "POOL"));
    ck_assert_ptr_nonnull(it);
    ck_assert_str_eq(it->compute, labenv_get(&lab, "CLUSTER"));
    {
        char *want = xasprintf("%s/host/%s/Resources/%s", dc, labenv_get(&lab, "CLUSTER"),
                               labenv_get(&lab, "POOL"));
        ck_assert_str_eq(it->path, want);
        free(want);
    }
    it = by_value(inv, DR_INV_DATASTORE, labenv_get(&lab, "DATASTORE"));
    ck_assert_ptr_nonnull(it);
    ck_assert_ptr_nonnull(it->type);
    ck_assert(it->capacity > 0 && it->free_space > 0 && it->free_space <= it->capacity);
    it = by_value(inv, DR_INV_NETWORK, labenv_get(&lab, "NETWORK"));
    ck_assert_ptr_nonnull(it);
    ck_assert_ptr_nonnull(it->type);
    ck_assert_ptr_nonnull(by_value(inv, DR_INV_FOLDER, labenv_get(&lab, "FOLDER")));
    /* The lab's datastore cluster (tests/lab/vcsim/storagepod.go), as a
     * datastore cluster, not as a folder or a network. */
    it = by_value(inv, DR_INV_DATASTORE_CLUSTER, "lab-pod");
    ck_assert_ptr_nonnull(it);
    ck_assert_str_eq(it->datacenter, dc);
    for (size_t i = 0; i < inv->n; i++)
        ck_assert(inv->items[i].kind == DR_INV_DATASTORE_CLUSTER ||
                  !str_eq(inv->items[i].name, "lab-pod"));
    /* The template: by the value the lab's template file names it with,
     * with its snapshot and guest OS. */
    it = by_value(inv, DR_INV_TEMPLATE, labenv_get(&lab, "TEMPLATE"));
    if (it == NULL) {
        char *alt = xasprintf("vm/%s/%s", labenv_get(&lab, "FOLDER"), labenv_get(&lab, "TEMPLATE"));
        it = by_value(inv, DR_INV_TEMPLATE, alt);
        free(alt);
    }
    ck_assert_ptr_nonnull(it);
    ck_assert_ptr_nonnull(it->snapshots);
    ck_assert_str_eq(it->snapshots[0], labenv_get(&lab, "SNAPSHOT"));
    ck_assert_ptr_nonnull(it->guest_os);
    /* Hosts in the cluster carry it. */
    {
        int hosts = 0;
        for (size_t i = 0; i < inv->n; i++)
            if (inv->items[i].kind == DR_INV_HOST && inv->items[i].in_cluster &&
                str_eq(inv->items[i].compute, labenv_get(&lab, "CLUSTER")))
                hosts++;
        ck_assert_int_eq(hosts, 2);
    }
    inventory_free(&inv);
    engine_free(&eng);
    labenv_down(&lab);
}
END_TEST

START_TEST(slow_vcenter_abandoned)
{
    struct dr_engine *eng;
    struct dr_error e = { 0 };
    enum dr_log_level level;
    char text[512];
    unsigned id, next;

    ck_assert(labenv_up(&lab, "--method-delay RetrievePropertiesEx=5000"));
    eng = start(labenv_get(&lab, "PASSWORD"));
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &id, &e), DR_E_OK);
    engine_abandon_request(eng, id);
    /* A second request is answered; the abandoned one never is. */
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &next, &e), DR_E_OK);
    ck_assert(answer(eng, next, 90, &level, text, sizeof text));
    ck_assert_msg(level == DR_LOG_INFO, "%s", text);
    ck_assert(!answer(eng, id, 2, &level, text, sizeof text));
    engine_free(&eng);
    labenv_down(&lab);
}
END_TEST

START_TEST(wrong_password)
{
    struct dr_engine *eng;
    struct dr_error e = { 0 };
    enum dr_log_level level;
    char text[512];
    unsigned id;

    ck_assert(labenv_up(&lab, ""));
    eng = start("not-the-password");
    ck_assert_int_eq(engine_request_inventory(eng, "lab", false, &id, &e), DR_E_OK);
    ck_assert(answer(eng, id, 60, &level, text, sizeof text));
    ck_assert_int_eq(level, DR_LOG_ERROR);
    ck_assert_msg(strstr(text, "not-the-password") == NULL, "%s", text);
    ck_assert_ptr_null(engine_inventory(eng, "lab"));
    engine_free(&eng);
    labenv_down(&lab);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("engine_inventory_lab");
    TCase *t = tcase_create("lab");
    SRunner *r;
    int failed;

    labenv_require();
    tcase_set_timeout(t, 240);
    tcase_add_test(t, lab_inventory);
    tcase_add_test(t, slow_vcenter_abandoned);
    tcase_add_test(t, wrong_password);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
