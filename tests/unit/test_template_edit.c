#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/util.h"
#include "core/store_priv.h"
#include "screens/template_edit.h"

/* The template editor has a row for every field of the template field
 * table (a field added to model.h without a row fails here), and a row is
 * of a kind that edits (not a button). */
START_TEST(test_every_field_has_a_row)
{
    size_t n;
    const struct form_row *rows = template_edit_rows(&n);

    for (size_t f = 0; f < DR_TF__COUNT; f++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if (str_eq(rows[i].key, template_field_keys[f])) {
                found = true;
                ck_assert_msg(rows[i].kind != FK_BUTTON, "%s is a button", rows[i].key);
            }
        ck_assert_msg(found, "the template editor has no row for %s", template_field_keys[f]);
    }
}
END_TEST

static struct dr_kv *
kvs(const char *const *pairs, size_t *n)
{
    struct dr_kv *kv;

    for (*n = 0; pairs[2 * *n]; (*n)++)
        ;
    kv = xcalloc(*n, sizeof *kv);
    for (size_t i = 0; i < *n; i++) {
        kv[i].key = xstrdup(pairs[2 * i]);
        kv[i].value = xstrdup(pairs[2 * i + 1]);
    }
    return kv;
}

/* A template with every field set goes through the editor's draft and back
 * as it was: the same text (so an unchanged save writes nothing), the
 * lists in their order. */
START_TEST(test_draft_round_trip)
{
    static const char *const extra[] = {"disk.EnableUUID", "TRUE", "a.b", "two words = x", NULL};
    static const char *const attrs[] = {"owner", "team-a", "cost-center", "", NULL};
    struct dr_template t = {0}, out;
    struct tdraft d;
    char *a, *b;
    int lines[2] = {7, 8};

    t.name = xstrdup("all");
    t.vcenter = xstrdup("lab");
    t.datacenter = xstrdup("DC0");
    t.cluster = xstrdup("C0");
    t.resource_pool = xstrdup("web");
    t.datastore = xstrdup("ds1");
    t.folder = xstrdup("f");
    strv_push(&t.networks, "net-b");
    strv_push(&t.networks, "VM Network");
    t.clone_from = xstrdup("tmpl");
    t.clone_mode = DR_CLONE_LINKED;
    t.snapshot = xstrdup("base");
    t.cpus = 3;
    t.memory_mib = 3072;
    t.disk_gib = 30;
    t.user_data = xstrdup("#cloud-config\n");
    t.extra_config = kvs(extra, &t.n_extra_config);
    strv_push(&t.tags, "env/prod");
    strv_push(&t.tags, "team/platform");
    t.tag_lines = xcalloc(2, sizeof(int));
    memcpy(t.tag_lines, lines, sizeof lines);
    t.custom_attributes = kvs(attrs, &t.n_custom_attributes);
    t.ssh_user = xstrdup("op");
    t.ssh_port = 2222;
    t.os = xstrdup("ubuntu-22.04");

    tdraft_from(&d, &t);
    ck_assert_int_eq(strv_len(d.extra), 2);
    ck_assert_str_eq(d.extra[1], "a.b=two words = x");
    ck_assert_str_eq(d.attrs[1], "cost-center=");
    tdraft_build(&d, &out);
    a = template_to_text(&t);
    b = template_to_text(&out);
    ck_assert_str_eq(b, a);
    free(a);
    free(b);
    template_done(&out);

    /* Lists edited: a third tag (past the file's element lines), emptied
     * networks (no key: the source's NICs stay). */
    strv_push(&d.t.tags, "zone/a");
    strv_free(&d.t.networks);
    strv_push(&d.extra, "x.y = 1");
    tdraft_build(&d, &out);
    ck_assert_ptr_null(out.networks);
    ck_assert_int_eq(strv_len(out.tags), 3);
    ck_assert_int_eq(out.n_extra_config, 3);
    ck_assert_str_eq(out.extra_config[2].key, "x.y");
    ck_assert_str_eq(out.extra_config[2].value, "1");
    template_done(&out);
    tdraft_done(&d);
    template_done(&t);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("template_edit");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_every_field_has_a_row);
    tcase_add_test(tc, test_draft_round_trip);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
