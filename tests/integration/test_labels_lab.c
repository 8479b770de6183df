/* Tags and custom attributes against a private lab instance (src/vsphere/
 * labels.c, rest.c): applying twice changes nothing, a new value replaces
 * the old one, and vCenter's refusals (cardinality, a field for another
 * type, a VM that is gone, a wrong password) come back as errors. What a VM
 * carries is read from the outside, with govmomi's clients (`drover-vcsim
 * labels`), not with drover's. */
#include "config.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "labenv.h"
#include "vsphere/internal.h"
#include "vsphere/vsphere.h"

#define VM "DC0_H0_VM0"

static struct labenv lab;
static struct dr_vcenter vc;
static struct vs_session *s;
static char *vm_id;

static void
lab_setup(void)
{
    if (!labenv_up(&lab, "--vms 1 --hosts 1")) {
        fprintf(stderr, "lab up failed\n");
        exit(1);
    }
    setenv("LAB_URL", labenv_get(&lab, "URL"), 1);
    setenv("LAB_USER", labenv_get(&lab, "USER"), 1);
    setenv("LAB_PASSWORD_FILE", labenv_get(&lab, "PASSWORD_FILE"), 1);
    setenv("LAB_CERT", labenv_get(&lab, "CERT"), 1);
}

static void
lab_teardown(void)
{
    labenv_down(&lab);
}

static struct vs_session *
session(const char *password)
{
    struct vs_session *x = NULL;
    struct dr_error e = {0};

    labenv_vcenter(&lab, &vc);
    ck_assert_int_eq(vs_session_new(&vc, password, &x, &e), DR_E_OK);
    return x;
}

static void
setup(void)
{
    struct dr_error e = {0};
    char *path = xasprintf("%s/vm/" VM, labenv_get(&lab, "DATACENTER")), *type = NULL;

    s = session(labenv_get(&lab, "PASSWORD"));
    ck_assert_msg(vs_login(s, &e) == DR_E_OK, "login: %s", e.msg);
    ck_assert_msg(vs_find_by_path(s, path, &vm_id, &type, &e) == DR_E_OK, "%s", e.msg);
    free(path);
    free(type);
}

static void
teardown(void)
{
    vs_session_free(&s);
    xfree(&vm_id);
}

/* What `drover-vcsim labels VM` prints, lines joined by ';'. */
static char *
labels_of(const char *vm)
{
    char *cmd = xasprintf("'%s/tests/lab/vcsim/drover-vcsim' labels %s",
                          getenv("top_builddir") ? getenv("top_builddir") : ".", vm);
    FILE *p = popen(cmd, "r");
    char line[512], *out = xstrdup("");

    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof line, p)) {
        char *next;
        line[strcspn(line, "\n")] = '\0';
        next = xasprintf("%s%s;", out, line);
        free(out);
        out = next;
    }
    ck_assert_int_eq(pclose(p), 0);
    free(cmd);
    return out;
}

/* A template with these tags and "key=value" custom attributes. */
static void
tmpl_init(struct dr_template *t, const char *const *tags, const char *const *attrs)
{
    memset(t, 0, sizeof *t);
    t->name = xstrdup("t");
    t->origin.file = xstrdup("templates/t.cfg");
    t->origin.line = 1;
    for (; tags && *tags; tags++)
        strv_push(&t->tags, *tags);
    for (; attrs && *attrs; attrs++) {
        const char *eq = strchr(*attrs, '=');
        t->custom_attributes =
            xrealloc(t->custom_attributes, (t->n_custom_attributes + 1) * sizeof(struct dr_kv));
        t->custom_attributes[t->n_custom_attributes].key = xstrndup(*attrs, (size_t)(eq - *attrs));
        t->custom_attributes[t->n_custom_attributes++].value = xstrdup(eq + 1);
    }
}

/* Resolve t (no problems expected) and apply it to the VM. */
static enum dr_err
apply(const char *const *tags, const char *const *attrs, struct dr_error *e)
{
    struct dr_template t;
    struct vs_problems probs = {0};
    struct vs_labels l;
    enum dr_err rc;

    tmpl_init(&t, tags, attrs);
    rc = vs_labels_resolve(s, &t, &l, &probs, e);
    ck_assert_msg(rc == DR_E_OK, "resolve: %s", e->msg);
    ck_assert_msg(probs.n == 0, "problem: %s", probs.n ? probs.v[0].message : "");
    rc = vs_labels_apply(s, vm_id, &l, e);
    vs_labels_done(&l);
    template_done(&t);
    return rc;
}

START_TEST(apply_again_changes_nothing)
{
    static const char *const tags[] = {"env/prod", "team/web", NULL};
    static const char *const attrs[] = {"owner=alice", "cost-center=cc-1", NULL};
    static const char *const attrs2[] = {"owner=bob", NULL};
    struct dr_error e = {0};
    char *got;

    ck_assert_msg(apply(tags, attrs, &e) == DR_E_OK, "%s", e.msg);
    got = labels_of(VM);
    ck_assert_str_eq(got, VM " attr cost-center=cc-1;" VM " attr owner=alice;" VM
                             " tag env/prod;" VM " tag team/web;");
    free(got);
    /* A retried configure step does it all again. */
    ck_assert_msg(apply(tags, attrs, &e) == DR_E_OK, "again: %s", e.msg);
    got = labels_of(VM);
    ck_assert_str_eq(got, VM " attr cost-center=cc-1;" VM " attr owner=alice;" VM
                             " tag env/prod;" VM " tag team/web;");
    free(got);
    /* A new value replaces the old one: one value per attribute. */
    ck_assert_msg(apply(NULL, attrs2, &e) == DR_E_OK, "new value: %s", e.msg);
    got = labels_of(VM);
    ck_assert_str_eq(got, VM " attr cost-center=cc-1;" VM " attr owner=bob;" VM " tag env/prod;" VM
                             " tag team/web;");
    free(got);

    /* env has cardinality SINGLE: vCenter refuses a second tag of it. */
    static const char *const dev[] = {"env/dev", NULL};
    ck_assert_int_eq(apply(dev, NULL, &e), DR_E_FAULT);
    ck_assert_msg(strstr(e.msg, "cardinality") && strstr(e.msg, "env/dev"), "%s", e.msg);
    ck_assert_str_eq(vs_last_fault(s), "invalid_argument");
    ck_assert_str_eq(e.cause, "vapi:invalid_argument"); /* permanent: not retried */
    got = labels_of(VM);
    ck_assert_msg(strstr(got, "env/dev") == NULL, "%s", got);
    free(got);
}
END_TEST

struct find_field {
    const char *name;
    int key;
};

static enum dr_err
on_fields(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct find_field *f = user;

    soap_each(d, vs_prop(oc, "field"), "CustomFieldDef")
    {
        char *name = soap_child_text(d, "name");
        if (str_eq(name, f->name))
            f->key = (int)soap_child_ll(d, "key", -1);
        free(name);
    }
    return DR_E_OK;
}

START_TEST(vcenter_refusals)
{
    static const char *const paths[] = {"field", NULL};
    struct find_field ff = {"rack-position", -1};
    struct vs_label_field host_field = {0};
    struct vs_labels l = {0};
    struct dr_error e = {0};

    /* A field defined for hosts does not go on a VM (the resolver refuses
     * it before; here vCenter's own answer). */
    ck_assert_int_eq(vs_retrieve_one(s, "CustomFieldsManager", s->custom_fields_manager, paths,
                                     on_fields, &ff, &e),
                     DR_E_OK);
    ck_assert_int_ge(ff.key, 0);
    host_field.key = ff.key;
    host_field.name = (char *)"rack-position";
    host_field.value = (char *)"r1-u12";
    l.fields = &host_field;
    l.n_fields = 1;
    ck_assert_int_eq(vs_labels_apply(s, vm_id, &l, &e), DR_E_FAULT);
    ck_assert_str_eq(vs_last_fault(s), "InvalidArgument");
    ck_assert_msg(strstr(e.msg, "custom attribute rack-position"), "%s", e.msg);

    /* A tag on a VM that is gone: 403 from the vAPI endpoint. */
    {
        static const char *const tags[] = {"team/platform", NULL};
        struct dr_template t;
        struct vs_problems probs = {0};
        struct vs_labels tl;

        tmpl_init(&t, tags, NULL);
        ck_assert_int_eq(vs_labels_resolve(s, &t, &tl, &probs, &e), DR_E_OK);
        ck_assert_int_eq(probs.n, 0);
        ck_assert_int_eq(vs_labels_apply(s, "vm-999999", &tl, &e), DR_E_FAULT);
        ck_assert_msg(strstr(e.msg, "403") && strstr(e.msg, "team/platform"), "%s", e.msg);
        vs_labels_done(&tl);
        template_done(&t);
    }
}
END_TEST

/* End a vAPI session from outside, as a vCenter administrator (or a
 * restart) does. */
static void
drop_rest_session(const char *id)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h;
    char *url = xasprintf("https://%s/rest/com/vmware/cis/session", labenv_get(&lab, "HOST"));
    char *hdr = xasprintf("vmware-api-session-id: %s", id);
    long code = 0;

    h = curl_slist_append(NULL, hdr);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CAINFO, labenv_get(&lab, "CERT"));
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    ck_assert_int_eq(code, 200);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(hdr);
    free(url);
}

START_TEST(dropped_session_logs_in_again)
{
    static const char *const tags[] = {"team/platform", NULL};
    struct dr_template t;
    struct vs_problems probs = {0};
    struct vs_labels l;
    struct dr_error e = {0};
    char *first;

    tmpl_init(&t, tags, NULL);
    ck_assert_int_eq(vs_labels_resolve(s, &t, &l, &probs, &e), DR_E_OK);
    vs_labels_done(&l);
    ck_assert_ptr_nonnull(vs_rest_session_id(s));
    first = xstrdup(vs_rest_session_id(s));
    drop_rest_session(first);
    /* The next call gets 401, logs in again once and goes on. */
    ck_assert_msg(vs_labels_resolve(s, &t, &l, &probs, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_int_eq(probs.n, 0);
    ck_assert_int_eq(l.n_tags, 1);
    ck_assert_str_ne(vs_rest_session_id(s), first);
    vs_labels_done(&l);
    template_done(&t);
    free(first);
}
END_TEST

START_TEST(wrong_password)
{
    static const char *const tags[] = {"env/prod", NULL};
    struct vs_session *bad = session("not-the-password");
    struct dr_template t;
    struct vs_problems probs = {0};
    struct vs_labels l;
    struct dr_error e = {0};

    tmpl_init(&t, tags, NULL);
    ck_assert_int_eq(vs_labels_resolve(bad, &t, &l, &probs, &e), DR_E_AUTH);
    ck_assert_msg(strstr(e.msg, "not authenticated"), "%s", e.msg);
    ck_assert_str_eq(e.cause, "vapi:unauthenticated");
    ck_assert_msg(strstr(e.msg, "not-the-password") == NULL, "%s", e.msg);
    template_done(&t);
    vs_session_free(&bad);
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("labels_lab");
    TCase *tc = tcase_create("lab");
    SRunner *sr;
    int failed;
    struct dr_error e = {0};

    labenv_require();
    if (vs_global_init(&e) != DR_E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    tcase_add_unchecked_fixture(tc, lab_setup, lab_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, apply_again_changes_nothing);
    tcase_add_test(tc, vcenter_refusals);
    tcase_add_test(tc, wrong_password);
    tcase_add_test(tc, dropped_session_logs_in_again);
    suite_add_tcase(su, tc);
    sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
