/* The engine's pre-clone gate (src/engine/gate.c) against an in-memory
 * backend: the templates are checked once, on a worker, before the first
 * clone; with any problem nothing is cloned, every node says why and every
 * problem is reported with file:line and field; applying again checks
 * again. The same against the lab: tests/integration/gate.t and nets.t. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/engine.h"
#include "engine_fake.h"

/* What the gate's template check saw and what it is to find; the VMs are
 * engine_fake's (fk). */
static struct {
    int checks;           /* check_templates calls */
    int checked_items;    /* templates handed to the last call */
    bool on_main_thread;  /* a check ran on the thread that applied */
    int problems;         /* how many problems the check finds */
    int warnings;         /* and how many warnings */
    bool preflight;       /* the last call had preflight's options */
    int margin_pct;       /* their margin */
    int new_vms;          /* the VMs to create it was told about */
} gk;
static pthread_t main_thread;

static enum dr_err
f_check(void *t, struct eng_step *s, const struct eng_check_item *items, size_t n,
        const struct eng_check_opts *opts, struct eng_problems *out, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    gk.checks++;
    gk.checked_items = (int)n;
    gk.on_main_thread |= pthread_equal(pthread_self(), main_thread);
    for (int i = 0; i < gk.problems; i++)
        eng_problem_add(out, items[0].tmpl, i == 0 ? DR_TF_NETWORKS : DR_TF_DATASTORE,
                        i == 0 ? "networks[0]" : NULL, "problem %d of %s", i + 1,
                        items[0].tmpl->name);
    for (int i = 0; i < gk.warnings; i++)
        eng_finding_add(out, items[0].tmpl, DR_TF_DATASTORE, NULL, DR_SEV_WARNING, "capacity",
                        "/DC0/datastore/LocalDS_0", "add memory", "warning %d of %s", i + 1,
                        items[0].tmpl->name);
    gk.preflight = opts && opts->preflight;
    gk.margin_pct = opts ? opts->margin_pct : -1;
    gk.new_vms = 0;
    for (size_t i = 0; i < n; i++)
        gk.new_vms += items[i].new_vms;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

/* engine_fake's vCenter with the template check above; setup (the fixture)
 * made the folders, with networks on line 6 and datastore on line 4 of
 * templates/lab.cfg. */
static struct dr_engine *
gate_start(void)
{
    static struct eng_backend_ops ops;

    ops = fake_ops;
    ops.check_templates = f_check;
    memset(&gk, 0, sizeof gk);
    main_thread = pthread_self();
    write_file(cfgdir, "drover.cfg", "workers = 4;\nretries = 1;\nretry_backoff_ms = 10;\n"
                                     "preflight_margin_pct = 17;\n", 0600);
    return start_ops(&ops, NULL);
}

START_TEST(problems_stop_every_clone)
{
    struct dr_engine *eng = gate_start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    const struct dr_cluster_view *v;
    char *seen;

    gk.problems = 2;
    spec_init(&spec, pools, 1, 2);
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    seen = wait_idle_cluster(eng);
    ck_assert_int_eq(fk.clones, 0);
    ck_assert_int_eq(gk.checks, 1);         /* once for the three nodes */
    ck_assert_int_eq(gk.checked_items, 1);  /* the one template, once */
    ck_assert(!gk.on_main_thread);
    /* Both problems, each with file:line and field, in file order. */
    ck_assert_msg(strstr(seen, "templates/lab.cfg:4: datastore: problem 2 of lab\n"), "%s", seen);
    ck_assert_msg(strstr(seen, "templates/lab.cfg:6: networks[0]: problem 1 of lab\n"), "%s", seen);
    ck_assert(strstr(seen, ":4: datastore") < strstr(seen, ":6: networks"));
    free(seen);
    s = engine_snapshot(eng);
    v = snapshot_find_cluster(s, "lab");
    ck_assert_int_eq(v->status.n_nodes, 3);
    for (size_t i = 0; i < v->status.n_nodes; i++) {
        const struct dr_node *n = &v->status.nodes[i];
        ck_assert_int_eq(n->state, DR_NODE_ERROR);
        ck_assert_int_eq(n->step, DR_NODE_CLONING);
        ck_assert_ptr_null(n->vm_id);
        ck_assert_msg(strstr(n->last_error, "nothing was cloned") &&
                          strstr(n->last_error, "templates/lab.cfg:4: datastore"),
                      "%s", n->last_error);
    }
    engine_snapshot_free(&s);

    /* Fixed: applying again checks again, then clones. */
    gk.problems = 0;
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    free(wait_idle_cluster(eng));
    ck_assert_int_eq(gk.checks, 2);
    ck_assert_int_eq(fk.clones, 3);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->ready, 3);
    engine_snapshot_free(&s);
    engine_free(&eng);
}
END_TEST

START_TEST(a_passed_check_holds_until_the_next_apply)
{
    struct dr_engine *eng = gate_start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };

    spec_init(&spec, pools, 1, 2);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle_cluster(eng));
    ck_assert_int_eq(gk.checks, 1);
    ck_assert_int_eq(fk.clones, 3);
    /* Scaling up is an apply: the templates may have changed meanwhile. */
    ck_assert_int_eq(engine_scale_pool(eng, "lab", "agent", 3, &e), DR_E_OK);
    free(wait_idle_cluster(eng));
    ck_assert_int_eq(gk.checks, 2);
    ck_assert_int_eq(fk.clones, 4);
    engine_free(&eng);
}
END_TEST

/* Every apply path gets preflight's checks before its first clone (the
 * console's create, a start that resumes saved specs): the gate calls the
 * backend with preflight's options, for the VMs still to create; warnings
 * are events and never stop a clone. An apply whose caller ran preflight
 * itself (`drover apply`) gets only the names-and-tags check. */
START_TEST(the_gate_runs_preflight_unless_the_caller_did)
{
    struct dr_engine *eng = gate_start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_apply_opts ran = { .preflight_ran = true };
    char *seen;

    spec_init(&spec, pools, 1, 2);
    gk.warnings = 1;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    seen = wait_idle_cluster(eng);
    ck_assert_int_eq(gk.checks, 1);
    ck_assert(gk.preflight);
    ck_assert_int_eq(gk.margin_pct, 17);  /* drover.cfg's preflight_margin_pct */
    ck_assert_int_eq(gk.new_vms, 3);      /* nothing exists yet */
    ck_assert_int_eq(fk.clones, 3);       /* a warning does not stop them */
    ck_assert_msg(strstr(seen, "warning: templates/lab.cfg:4: datastore: warning 1 of lab "
                               "[/DC0/datastore/LocalDS_0] (fix: add memory)\n"),
                  "%s", seen);
    free(seen);

    /* `drover apply` ran preflight already: names and tags only. */
    pools[1].quantity = 3;
    ck_assert_int_eq(engine_apply_cluster_opts(eng, &spec, &ran, &e), DR_E_OK);
    free(wait_idle_cluster(eng));
    ck_assert_int_eq(gk.checks, 2);
    ck_assert(!gk.preflight);
    ck_assert_int_eq(fk.clones, 4);

    /* The next plain apply (the console's) checks in full again, only the
     * new VM counting. */
    pools[1].quantity = 4;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle_cluster(eng));
    ck_assert_int_eq(gk.checks, 3);
    ck_assert(gk.preflight);
    ck_assert_int_eq(gk.new_vms, 1);
    ck_assert_int_eq(fk.clones, 5);

    /* A preflight error stops every clone, as the gate's own problems do. */
    pools[1].quantity = 5;
    gk.problems = 1;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    seen = wait_idle_cluster(eng);
    ck_assert_int_eq(fk.clones, 5);
    ck_assert_msg(strstr(seen, "networks[0]: problem 1 of lab"), "%s", seen);
    free(seen);
    engine_free(&eng);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("engine_gate");
    TCase *tc = tcase_create("gate");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, problems_stop_every_clone);
    tcase_add_test(tc, a_passed_check_holds_until_the_next_apply);
    tcase_add_test(tc, the_gate_runs_preflight_unless_the_caller_did);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
