/* Preflight's engine side (src/engine/preflight.c, gate.c) against an
 * in-memory backend: what it hands the backend (one item per template, the
 * VMs this apply would create and their names, nodes that already have a VM
 * left out), and what it makes of the backend's findings (errors, then
 * warnings, then notes; the counts; the one-line form). The checks against
 * vCenter itself: tests/integration/preflight.t. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/internal.h"

static struct {
    size_t n;
    char *tmpl[4];
    int new_vms[4];
    char *names[4];
    bool preflight;
    int margin;
    const char *cluster_file;
} seen;

static enum dr_err
f_check(void *t, struct eng_step *s, const struct eng_check_item *items, size_t n,
        const struct eng_check_opts *o, struct eng_problems *out, struct dr_error *e)
{
    (void)t;
    (void)s;
    (void)e;
    seen.n = n;
    for (size_t i = 0; i < n && i < 4; i++) {
        char *joined = xstrdup("");

        seen.tmpl[i] = xstrdup(items[i].tmpl->name);
        seen.new_vms[i] = items[i].new_vms;
        for (char **nm = items[i].new_names; nm && *nm; nm++) {
            char *next = xasprintf("%s%s%s", joined, *joined ? " " : "", *nm);
            free(joined);
            joined = next;
        }
        seen.names[i] = joined;
    }
    seen.preflight = o && o->preflight;
    seen.margin = o ? o->margin_pct : -1;
    seen.cluster_file = o ? o->cluster_file : NULL;
    /* One of each severity, in the wrong order. */
    eng_finding_add(out, items[0].tmpl, DR_TF_CLONE_FROM, NULL, DR_SEV_NOTE, "template",
                    "DC0/vm/t", NULL, "a note");
    eng_finding_add(out, items[0].tmpl, DR_TF_CLUSTER, NULL, DR_SEV_WARNING, "capacity",
                    "DC0/host/C0", "add hosts", "a warning");
    eng_finding_add(out, items[0].tmpl, DR_TF_DATASTORE, NULL, DR_SEV_ERROR, "capacity",
                    "DC0/datastore/ds", "free space", "an error");
    return DR_E_OK;
}

static const struct eng_backend_ops ops = { .check_templates = f_check };

static void
seen_done(void)
{
    for (size_t i = 0; i < 4; i++) {
        free(seen.tmpl[i]);
        free(seen.names[i]);
    }
    memset(&seen, 0, sizeof seen);
}

static void
tmpl_init(struct dr_template *t, const char *name)
{
    memset(t, 0, sizeof *t);
    t->name = xstrdup(name);
    t->vcenter = xstrdup("lab");
    t->origin.file = xasprintf("templates/%s.cfg", name);
    t->origin.line = 1;
    for (int f = 0; f < DR_TF__COUNT; f++)
        t->line[f] = f + 2;
}

static void
pool_init(struct dr_pool *p, const char *name, const char *tmpl, int q, const char *prefix)
{
    memset(p, 0, sizeof *p);
    p->name = xstrdup(name);
    p->template = xstrdup(tmpl);
    p->quantity = q;
    p->hostname_prefix = xstrdup(prefix);
}

START_TEST(test_items_and_order)
{
    struct dr_template t[2];
    struct dr_vcenter vc = { .name = (char *)"lab" };
    struct dr_cluster spec = { 0 };
    struct dr_cluster_status st = { 0 };
    struct dr_node nodes[2];
    struct eng_backend b = { .ops = &ops };
    struct eng_pf_input in;
    struct dr_preflight *p = NULL;
    struct dr_error e = { 0 };
    char *line;

    tmpl_init(&t[0], "big");
    tmpl_init(&t[1], "small");
    spec.name = xstrdup("c1");
    spec.origin.file = xstrdup("clusters/c1.cfg");
    spec.pools = xcalloc(3, sizeof *spec.pools);
    spec.n_pools = 3;
    pool_init(&spec.pools[0], "server", "big", 1, "server-");
    pool_init(&spec.pools[1], "a", "small", 3, "a-");
    pool_init(&spec.pools[2], "b", "small", 2, "b-");
    /* a-01 has a VM already; a-02 is known but has none yet (a failed clone). */
    memset(nodes, 0, sizeof nodes);
    nodes[0].name = (char *)"a-01";
    nodes[0].pool = (char *)"a";
    nodes[0].vm_id = (char *)"vm-1";
    nodes[0].state = DR_NODE_ACTIVE;
    nodes[1].name = (char *)"a-02";
    nodes[1].pool = (char *)"a";
    nodes[1].state = DR_NODE_ERROR;
    st.nodes = nodes;
    st.n_nodes = 2;
    in = (struct eng_pf_input){ .spec = &spec, .templates = t, .n_templates = 2,
                                .vcenters = &vc, .n_vcenters = 1, .status = &st,
                                .margin_pct = 15, .install_id = "abc" };

    ck_assert_int_eq(eng_preflight_run(&b, NULL, &in, &p, &e), DR_E_OK);
    ck_assert_ptr_nonnull(p);
    /* One item per template, in pool order; pools a and b share "small". */
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_str_eq(seen.tmpl[0], "big");
    ck_assert_int_eq(seen.new_vms[0], 1);
    ck_assert_str_eq(seen.names[0], "server-01");
    ck_assert_str_eq(seen.tmpl[1], "small");
    /* a: 3 wanted, a-01 has a VM; a-02 has none, so it is cloned under its
     * own name; one more is a-03. b: 2. */
    ck_assert_int_eq(seen.new_vms[1], 4);
    ck_assert_str_eq(seen.names[1], "a-02 a-03 b-01 b-02");
    ck_assert(seen.preflight);
    ck_assert_int_eq(seen.margin, 15);
    ck_assert_str_eq(seen.cluster_file, "clusters/c1.cfg");
    /* Errors first, then warnings, then notes; counted. */
    ck_assert_uint_eq(p->n, 3);
    ck_assert_int_eq(p->v[0].severity, DR_SEV_ERROR);
    ck_assert_int_eq(p->v[1].severity, DR_SEV_WARNING);
    ck_assert_int_eq(p->v[2].severity, DR_SEV_NOTE);
    ck_assert_uint_eq(p->errors, 1);
    ck_assert_uint_eq(p->warnings, 1);
    ck_assert_str_eq(p->cluster, "c1");
    /* The file and the field's line come from the template. */
    ck_assert_str_eq(p->v[0].file, "templates/big.cfg");
    ck_assert_int_eq(p->v[0].line, t[0].line[DR_TF_DATASTORE]);
    ck_assert_str_eq(p->v[0].field, "datastore");
    {
        char *want = xasprintf("error: templates/big.cfg:%d: datastore: an error "
                               "[DC0/datastore/ds] (fix: free space)",
                               t[0].line[DR_TF_DATASTORE]);
        line = finding_format(&p->v[0]);
        ck_assert_str_eq(line, want);
        free(line);
        free(want);
        want = xasprintf("note: templates/big.cfg:%d: clone_from: a note [DC0/vm/t]",
                         t[0].line[DR_TF_CLONE_FROM]);
        line = finding_format(&p->v[2]);
        ck_assert_str_eq(line, want);
        free(line);
        free(want);
    }
    preflight_free(&p);
    ck_assert_ptr_null(p);
    seen_done();
    for (int i = 0; i < 2; i++)
        template_done(&t[i]);
    cluster_done(&spec);
}
END_TEST

/* A pool whose template or vCenter is unknown is an error of the spec's
 * file, and the backend is not asked about it. */
START_TEST(test_unknown_template)
{
    struct dr_template t;
    struct dr_vcenter vc = { .name = (char *)"lab" };
    struct dr_cluster spec = { 0 };
    struct eng_backend b = { .ops = &ops };
    struct eng_pf_input in;
    struct dr_preflight *p = NULL;
    struct dr_error e = { 0 };

    tmpl_init(&t, "small");
    spec.name = xstrdup("c2");
    spec.origin.file = xstrdup("clusters/c2.cfg");
    spec.pools = xcalloc(1, sizeof *spec.pools);
    spec.n_pools = 1;
    pool_init(&spec.pools[0], "x", "nosuch", 2, "x-");
    in = (struct eng_pf_input){ .spec = &spec, .templates = &t, .n_templates = 1,
                                .vcenters = &vc, .n_vcenters = 1 };
    ck_assert_int_eq(eng_preflight_run(&b, NULL, &in, &p, &e), DR_E_OK);
    ck_assert_uint_eq(seen.n, 0);
    ck_assert_uint_eq(p->errors, 1);
    ck_assert_str_eq(p->v[0].file, "clusters/c2.cfg");
    ck_assert_str_eq(p->v[0].field, "pools.x.template");
    ck_assert_ptr_nonnull(strstr(p->v[0].message, "nosuch"));
    preflight_free(&p);
    seen_done();
    template_done(&t);
    cluster_done(&spec);
}
END_TEST

/* The privilege table: vSphere ids, each once, every object kind named. */
START_TEST(test_privilege_table)
{
    size_t n;
    const struct dr_privilege *p = engine_privileges(&n);

    ck_assert_uint_ge(n, 10);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(strchr(p[i].id, '.'));
        ck_assert_str_ne(priv_object_key(p[i].on), "?");
        for (size_t j = i + 1; j < n; j++)
            ck_assert_str_ne(p[i].id, p[j].id);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("preflight");
    TCase *tc = tcase_create("engine");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_items_and_order);
    tcase_add_test(tc, test_unknown_template);
    tcase_add_test(tc, test_privilege_table);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
