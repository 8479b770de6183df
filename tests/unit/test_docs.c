#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/store.h"
#include "core/store_priv.h"
#include "core/util.h"
#include "engine/engine.h"

/* The words against the code: drover(1) documents every command of the CLI's
 * table and every key each kind of file accepts, its "default" values are
 * the compiled-in ones, and data/examples/drover.cfg calls only the real
 * defaults defaults. A key or command added without its words fails here. */

static char *
slurp(const char *rel)
{
    const char *top = getenv("top_srcdir");
    char *path = xasprintf("%s/%s", top ? top : "..", rel);
    FILE *f = fopen(path, "r");
    char *text;
    long n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = xcalloc((size_t)n + 1, 1);
    ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    free(path);
    return text;
}

/* From the line that starts with start to the next line that starts with
 * one of the stops, as a new string; NULL when there is no such line. */
static char *
man_part(const char *man, const char *start, const char *const *stops)
{
    const char *p = man, *end;

    while (p && !str_has_prefix(p, start)) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (p == NULL)
        return NULL;
    for (end = strchr(p, '\n'); end && end[1]; end = strchr(end + 1, '\n')) {
        for (size_t i = 0; stops[i]; i++) {
            if (str_has_prefix(end + 1, stops[i]))
                return xstrndup(p, (size_t)(end - p));
        }
    }
    return xstrdup(p);
}

static char *
file_paragraph(const char *man, const char *file)
{
    static const char *const stops[] = {".TP", ".SH", ".PP", NULL};
    char *start = xasprintf(".I %s", file);
    char *par = man_part(man, start, stops);

    ck_assert_msg(par != NULL, "drover.1 has no paragraph for %s", file);
    free(start);
    return par;
}

/* Every key in bold (\fBkey\fR) in the paragraph. */
static void
documents_keys(const char *par, const char *file, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        char *bold = xasprintf("\\fB%s\\fR", keys[i]);
        ck_assert_msg(strstr(par, bold) != NULL, "drover.1 does not document %s's key '%s'", file,
                      keys[i]);
        free(bold);
    }
}

START_TEST(test_every_command)
{
    char *man = slurp("data/drover.1");
    static const char *const stops[] = {".SH", NULL};
    char *cmds = man_part(man, ".SH COMMANDS", stops);
    size_t n;
    const struct cli_command *t = cli_command_table(&n);

    ck_assert_ptr_nonnull(cmds);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        /* An item of the section: .B name, .BR name ... or .BR "name ...". */
        for (const char *l = cmds; l && !found; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
            const char *r = str_has_prefix(l, ".B ")    ? l + 3
                            : str_has_prefix(l, ".BR ") ? l + 4
                                                        : NULL;
            if (r == NULL)
                continue;
            r += *r == '"';
            found = str_has_prefix(r, t[i].name) && strchr(" \"\n", r[strlen(t[i].name)]) != NULL;
        }
        ck_assert_msg(found, "drover.1 has no COMMANDS item for '%s'", t[i].name);
    }
    free(cmds);
    free(man);
}
END_TEST

/* PREFLIGHT's table lists every privilege of engine_privileges() with the
 * object it is needed on (issue 11: one table in the code and the page). */
START_TEST(test_every_privilege)
{
    char *man = slurp("data/drover.1");
    static const char *const stops[] = {".SH", NULL};
    char *pf = man_part(man, ".SH PREFLIGHT", stops);
    size_t n;
    const struct dr_privilege *p = engine_privileges(&n);

    ck_assert_ptr_nonnull(pf);
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        char *row = xasprintf("\n%s\t%s\t", p[i].id, priv_object_key(p[i].on));
        ck_assert_msg(strstr(pf, row) != NULL, "drover.1 PREFLIGHT has no row for %s on %s",
                      p[i].id, priv_object_key(p[i].on));
        free(row);
    }
    free(pf);
    free(man);
}
END_TEST

/* CLOUD PROVIDER's table lists every privilege the CPI/CSI account is
 * checked for, with its object (issue 14). */
START_TEST(test_every_cloud_privilege)
{
    char *man = slurp("data/drover.1");
    static const char *const stops[] = {".SH", NULL};
    char *cp = man_part(man, ".SH CLOUD PROVIDER", stops);
    const char *id, *on, *why;
    size_t i;

    ck_assert_ptr_nonnull(cp);
    for (i = 0; engine_cloud_privilege(i, &id, &on, &why); i++) {
        char *row = xasprintf("\n%s\t%s\t", id, on);
        ck_assert_msg(strstr(cp, row) != NULL, "drover.1 CLOUD PROVIDER has no row for %s on %s", id,
                      on);
        free(row);
    }
    ck_assert_uint_gt(i, 0);
    free(cp);
    free(man);
}
END_TEST

START_TEST(test_every_key)
{
    char *man = slurp("data/drover.1");
    char *par;
    const char **opts = xcalloc(settings_option_count() + 1, sizeof *opts);
    const char *steps[DR_NODE__COUNT + 1] = {0};
    struct dr_settings d;
    size_t n = 0;

    for (size_t i = 0; i < settings_option_count(); i++)
        opts[i] = settings_option_name(i, NULL);
    /* The step names a timeouts group takes: those with a timeout. */
    settings_defaults(&d);
    for (int s = 0; s < DR_NODE__COUNT; s++) {
        if (d.step_timeout_s[s] > 0)
            steps[n++] = node_state_key((enum dr_node_state)s);
    }
    ck_assert_uint_gt(n, 0);
    settings_done(&d);

    par = file_paragraph(man, "$XDG_CONFIG_HOME/drover/drover.cfg");
    documents_keys(par, "drover.cfg", opts);
    documents_keys(par, "drover.cfg bind", settings_bind_keys);
    documents_keys(par, "drover.cfg timeouts", steps);
    free(par);
    par = file_paragraph(man, "$XDG_CONFIG_HOME/drover/vcenters.cfg");
    documents_keys(par, "vcenters.cfg", store_vcenters_file_keys);
    documents_keys(par, "vcenters.cfg", store_vcenter_keys);
    free(par);
    par = file_paragraph(man, "$XDG_CONFIG_HOME/drover/templates/NAME.cfg");
    documents_keys(par, "templates/NAME.cfg", template_field_keys);
    documents_keys(par, "templates/NAME.cfg extra_config", store_kv_keys);
    free(par);
    par = file_paragraph(man, "$XDG_CONFIG_HOME/drover/clusters/NAME.cfg");
    documents_keys(par, "clusters/NAME.cfg", store_cluster_keys);
    documents_keys(par, "clusters/NAME.cfg pools", store_pool_keys);
    documents_keys(par, "clusters/NAME.cfg vsphere", store_vsphere_keys);
    documents_keys(par, "clusters/NAME.cfg vsphere.storage_class", store_storage_class_keys);
    free(par);
    free(opts);
    free(man);
}
END_TEST

/* The value drover.cfg's writer gives name in the compiled-in defaults:
 * "8" for "workers = 8;", "info" for "log_level = \"info\";". */
static char *
default_text(const char *defaults, const char *name)
{
    char *key = xasprintf("\n%s = ", name);
    const char *p = strstr(defaults, key);
    char *v;

    if (p == NULL) {
        free(key);
        return NULL;
    }
    p += strlen(key);
    free(key);
    v = xstrndup(p + (*p == '"'), strcspn(p + (*p == '"'), "\";\n"));
    return v;
}

/* In "\fBname\fR (...)" the text of the parenthesis at its own depth, or
 * NULL when name is not followed by one. */
static char *
paren_after(const char *par, const char *name)
{
    char *bold = xasprintf("\\fB%s\\fR (", name);
    const char *at = strstr(par, bold);
    char *out = NULL;
    int depth = 1;

    if (at) {
        const char *p = at + strlen(bold);
        size_t n = 0;
        out = xcalloc(strlen(p) + 1, 1);
        for (; *p && depth > 0; p++) {
            if (p[0] == '\\' && p[1] == '(' && p[2] && p[3]) {
                p += 3; /* a groff character such as \(en is no parenthesis */
                continue;
            }
            depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
            if (depth == 1 && *p != ')')
                out[n++] = *p; /* nested parentheses are left out */
        }
    }
    free(bold);
    return out;
}

/* The value after "default " in text, without quotes; NULL when none. */
static char *
said_default(const char *text)
{
    const char *d = text ? strstr(text, "default ") : NULL;

    if (d == NULL)
        return NULL;
    d += strlen("default ");
    d += *d == '"';
    return xstrndup(d, strcspn(d, ",;)\""));
}

START_TEST(test_man_defaults)
{
    char *man = slurp("data/drover.1");
    char *par = file_paragraph(man, "$XDG_CONFIG_HOME/drover/drover.cfg");
    struct dr_settings d;
    char *defaults;
    int checked = 0;

    settings_defaults(&d);
    defaults = settings_to_text(&d);
    /* "\fBname\fR (..., default VALUE)": VALUE is the compiled-in one. */
    for (size_t i = 0; i < settings_option_count(); i++) {
        const char *name = settings_option_name(i, NULL);
        char *in = paren_after(par, name), *said = said_default(in);
        if (said) {
            char *real = default_text(defaults, name);
            ck_assert_msg(real && str_eq(said, real),
                          "drover.1 says %s defaults to '%s'; it is '%s'", name, said,
                          real ? real : "(unset)");
            checked++;
            free(real);
        }
        free(said);
        free(in);
    }
    /* The steps' timeouts: "\fBstep\fR (default N)" or "\fBstep\fR (N)". */
    for (int s = 0; s < DR_NODE__COUNT; s++) {
        char *in = paren_after(par, node_state_key((enum dr_node_state)s));
        if (in && d.step_timeout_s[s] > 0) {
            char *said = said_default(in);
            ck_assert_msg(atoi(said ? said : in) == d.step_timeout_s[s],
                          "drover.1 says step %s times out after %s; it is %d s",
                          node_state_key((enum dr_node_state)s), said ? said : in,
                          d.step_timeout_s[s]);
            checked++;
            free(said);
        }
        free(in);
    }
    ck_assert_int_gt(checked, 8);
    free(defaults);
    settings_done(&d);
    free(par);
    free(man);
}
END_TEST

/* The example says its values are the defaults: loaded, it must equal the
 * compiled-in settings exactly, and it shows every option (set, or
 * commented out when the default is "not set"). */
START_TEST(test_example_defaults)
{
    const char *top = getenv("top_srcdir");
    char *path = xasprintf("%s/data/examples/drover.cfg", top ? top : "..");
    char *example = slurp("data/examples/drover.cfg");
    struct dr_store s = {0};
    struct dr_settings loaded, d;
    struct dr_error e = {0};
    char *a, *b;

    ck_assert_msg(strstr(example, "these are the defaults") != NULL,
                  "the example no longer says it shows the defaults: adjust this test");
    ck_assert_msg(store_parse_settings_file(&s, path, &loaded, &e) == DR_E_OK, "%s",
                  dr_error_text(&e));
    settings_defaults(&d);
    a = settings_to_text(&loaded);
    b = settings_to_text(&d);
    ck_assert_msg(str_eq(a, b), "data/examples/drover.cfg is not the defaults:\n%s\nbut\n%s", a, b);
    for (size_t i = 0; i < settings_option_count(); i++) {
        const char *name = settings_option_name(i, NULL);
        char *set = xasprintf("\n%s = ", name), *commented = xasprintf("\n# %s = ", name);
        ck_assert_msg(strstr(example, set) || strstr(example, commented),
                      "data/examples/drover.cfg does not show '%s'", name);
        free(set);
        free(commented);
    }
    free(a);
    free(b);
    settings_done(&loaded);
    settings_done(&d);
    store_done(&s);
    free(example);
    free(path);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("docs");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_every_command);
    tcase_add_test(tc, test_every_privilege);
    tcase_add_test(tc, test_every_cloud_privilege);
    tcase_add_test(tc, test_every_key);
    tcase_add_test(tc, test_man_defaults);
    tcase_add_test(tc, test_example_defaults);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
