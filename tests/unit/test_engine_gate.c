/* The engine's pre-clone gate (src/engine/gate.c) against an in-memory
 * backend: the templates are checked once, on a worker, before the first
 * clone; with any problem nothing is cloned, every node says why and every
 * problem is reported with file:line and field; applying again checks
 * again. The same against the lab: tests/integration/gate.t and nets.t. */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/engine.h"

enum dr_err engine_new_with_backend(const struct dr_store *store,
                                    const struct dr_engine_options *opts,
                                    const struct eng_backend *backend, struct dr_engine **out,
                                    struct dr_error *e);

static struct {
    pthread_mutex_t mu;
    int checks;           /* check_templates calls */
    int checked_items;    /* templates handed to the last call */
    bool on_main_thread;  /* a check ran on the thread that applied */
    int problems;         /* how many problems the check finds */
    int warnings;         /* and how many warnings */
    bool preflight;       /* the last call had preflight's options */
    int margin_pct;       /* their margin */
    int new_vms;          /* the VMs to create it was told about */
    int clones;
    int vms;
} fk = { .mu = PTHREAD_MUTEX_INITIALIZER };
static pthread_t main_thread;

static enum dr_err
f_check(void *t, struct eng_step *s, const struct eng_check_item *items, size_t n,
        const struct eng_check_opts *opts, struct eng_problems *out, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    fk.checks++;
    fk.checked_items = (int)n;
    fk.on_main_thread |= pthread_equal(pthread_self(), main_thread);
    for (int i = 0; i < fk.problems; i++)
        eng_problem_add(out, items[0].tmpl, i == 0 ? DR_TF_NETWORKS : DR_TF_DATASTORE,
                        i == 0 ? "networks[0]" : NULL, "problem %d of %s", i + 1,
                        items[0].tmpl->name);
    for (int i = 0; i < fk.warnings; i++)
        eng_finding_add(out, items[0].tmpl, DR_TF_DATASTORE, NULL, DR_SEV_WARNING, "capacity",
                        "/DC0/datastore/LocalDS_0", "add memory", "warning %d of %s", i + 1,
                        items[0].tmpl->name);
    fk.preflight = opts && opts->preflight;
    fk.margin_pct = opts ? opts->margin_pct : -1;
    fk.new_vms = 0;
    for (size_t i = 0; i < n; i++)
        fk.new_vms += items[i].new_vms;
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_find_vm(void *t, struct eng_step *s, const char *name, struct eng_vm *vm, bool *found,
          struct dr_error *e)
{
    *found = false;
    return DR_E_OK;
}

static enum dr_err
f_vm_exists(void *t, struct eng_step *s, const char *id, bool *exists, struct dr_error *e)
{
    *exists = true;
    return DR_E_OK;
}

static enum dr_err
f_list_owned(void *t, const struct dr_vcenter *vc, const char *prefix, struct eng_vm **out,
             size_t *n, struct dr_error *e)
{
    *out = NULL;
    *n = 0;
    return DR_E_OK;
}

static enum dr_err
f_clone(void *t, struct eng_step *s, struct dr_error *e)
{
    pthread_mutex_lock(&fk.mu);
    fk.clones++;
    s->node.vm_id = xasprintf("vm-%d", ++fk.vms);
    pthread_mutex_unlock(&fk.mu);
    return DR_E_OK;
}

static enum dr_err
f_step(void *t, struct eng_step *s, struct dr_error *e)
{
    if (s->step == DR_NODE_WAITING_FOR_IP) {
        free(s->node.ip);
        s->node.ip = xstrdup("10.0.0.1");
    }
    return DR_E_OK;
}

static const struct eng_backend_ops fake_ops = {
    .find_vm = f_find_vm,     .vm_exists = f_vm_exists, .list_owned = f_list_owned,
    .clone = f_clone,         .configure = f_step,      .power_on = f_step,
    .wait_ip = f_step,        .wait_ssh = f_step,       .bootstrap = f_step,
    .join = f_step,           .destroy = f_step,        .check_templates = f_check,
};

static char cfgdir[64], statedir[64];

static void
write_file(const char *rel, const char *text)
{
    char *path = util_path_join(cfgdir, rel);
    char *parent = util_dirname(path);

    ck_assert_int_eq(util_mkdir_p(parent, 0700, NULL), DR_E_OK);
    ck_assert_int_eq(util_write_atomic(path, text, strlen(text), 0600, NULL), DR_E_OK);
    free(parent);
    free(path);
}

static struct dr_engine *
start(void)
{
    char base[] = "/tmp/drover-gate-XXXXXX";
    struct dr_store s;
    struct dr_error e = { 0 };
    struct dr_engine *eng = NULL;
    struct eng_backend b = { .ops = &fake_ops };

    pthread_mutex_lock(&fk.mu);
    fk.checks = fk.checked_items = fk.problems = fk.clones = fk.warnings = 0;
    fk.on_main_thread = false;
    pthread_mutex_unlock(&fk.mu);
    main_thread = pthread_self();
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(cfgdir, sizeof cfgdir, "%s/config", base);
    snprintf(statedir, sizeof statedir, "%s/state", base);
    write_file("drover.cfg", "workers = 4;\nretries = 1;\nretry_backoff_ms = 10;\n"
                             "preflight_margin_pct = 17;\n");
    write_file("vcenters.cfg", "vcenters = ( { name = \"lab\"; url = \"https://127.0.0.1:1/sdk\";"
                               " user = \"u\"; password = \"p\"; } );\n");
    /* networks on line 6, datastore on line 4. */
    write_file("templates/lab.cfg",
               "vcenter = \"lab\";\ndatacenter = \"DC0\";\ncluster = \"DC0_C0\";\n"
               "datastore = \"LocalDS_0\";\nfolder = \"k8s\";\nnetworks = [ \"k8s-net\" ];\n"
               "clone_from = \"ubuntu-22.04-template\";\n");
    ck_assert_int_eq(store_init(&s, cfgdir, statedir, &e), DR_E_OK);
    ck_assert_int_eq(store_load(&s, &e), DR_E_OK);
    ck_assert_int_eq(s.n_diags, 0);
    ck_assert_msg(engine_new_with_backend(&s, NULL, &b, &eng, &e) == DR_E_OK, "%s", e.msg);
    store_done(&s);
    return eng;
}

/* Wait for idle; the text of every cluster event, one a line. */
static char *
wait_idle(struct dr_engine *eng)
{
    char *seen = xstrdup("");
    long long deadline = util_now_ms() + 30000;

    while (util_now_ms() < deadline) {
        struct pollfd p = { .fd = engine_wake_fd(eng), .events = POLLIN };
        struct dr_event *ev;
        bool idle;
        size_t n;

        poll(&p, 1, 10);
        idle = engine_idle(eng);
        n = engine_drain_events(eng, &ev);
        for (size_t k = 0; k < n; k++)
            if (ev[k].kind == DR_EV_CLUSTER) {
                char *t = xasprintf("%s%s\n", seen, ev[k].text);
                free(seen);
                seen = t;
            }
        engine_events_free(ev, n);
        if (idle)
            return seen;
    }
    ck_abort_msg("engine not idle after 30 s");
    return seen;
}

static void
spec_init(struct dr_cluster *c, struct dr_pool *pools)
{
    pools[0] = (struct dr_pool){ .name = "server", .template = "lab", .quantity = 1,
                                 .roles = DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD };
    pools[1] = (struct dr_pool){ .name = "agent", .template = "lab", .quantity = 2,
                                 .roles = DR_ROLE_WORKER };
    *c = (struct dr_cluster){ .name = "lab", .distribution = DR_DIST_K3S, .vcenter = "lab",
                              .pools = pools, .n_pools = 2 };
}

START_TEST(problems_stop_every_clone)
{
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_snapshot *s;
    const struct dr_cluster_view *v;
    char *seen;

    fk.problems = 2;
    spec_init(&spec, pools);
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    seen = wait_idle(eng);
    ck_assert_int_eq(fk.clones, 0);
    ck_assert_int_eq(fk.checks, 1);         /* once for the three nodes */
    ck_assert_int_eq(fk.checked_items, 1);  /* the one template, once */
    ck_assert(!fk.on_main_thread);
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
    fk.problems = 0;
    ck_assert_msg(engine_apply_cluster(eng, &spec, &e) == DR_E_OK, "%s", e.msg);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.checks, 2);
    ck_assert_int_eq(fk.clones, 3);
    s = engine_snapshot(eng);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->ready, 3);
    engine_snapshot_free(&s);
    engine_free(&eng);
}
END_TEST

START_TEST(a_passed_check_holds_until_the_next_apply)
{
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };

    spec_init(&spec, pools);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.checks, 1);
    ck_assert_int_eq(fk.clones, 3);
    /* Scaling up is an apply: the templates may have changed meanwhile. */
    ck_assert_int_eq(engine_scale_pool(eng, "lab", "agent", 3, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.checks, 2);
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
    struct dr_engine *eng = start();
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = { 0 };
    struct dr_apply_opts ran = { .preflight_ran = true };
    char *seen;

    spec_init(&spec, pools);
    fk.warnings = 1;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    seen = wait_idle(eng);
    ck_assert_int_eq(fk.checks, 1);
    ck_assert(fk.preflight);
    ck_assert_int_eq(fk.margin_pct, 17);  /* drover.cfg's preflight_margin_pct */
    ck_assert_int_eq(fk.new_vms, 3);      /* nothing exists yet */
    ck_assert_int_eq(fk.clones, 3);       /* a warning does not stop them */
    ck_assert_msg(strstr(seen, "warning: templates/lab.cfg:4: datastore: warning 1 of lab "
                               "[/DC0/datastore/LocalDS_0] (fix: add memory)\n"),
                  "%s", seen);
    free(seen);

    /* `drover apply` ran preflight already: names and tags only. */
    pools[1].quantity = 3;
    ck_assert_int_eq(engine_apply_cluster_opts(eng, &spec, &ran, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.checks, 2);
    ck_assert(!fk.preflight);
    ck_assert_int_eq(fk.clones, 4);

    /* The next plain apply (the console's) checks in full again, only the
     * new VM counting. */
    pools[1].quantity = 4;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    free(wait_idle(eng));
    ck_assert_int_eq(fk.checks, 3);
    ck_assert(fk.preflight);
    ck_assert_int_eq(fk.new_vms, 1);
    ck_assert_int_eq(fk.clones, 5);

    /* A preflight error stops every clone, as the gate's own problems do. */
    pools[1].quantity = 5;
    fk.problems = 1;
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    seen = wait_idle(eng);
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
