/* `drover preflight -f CLUSTER.cfg | NAME [-o json]`: every finding of the
 * engine's preflight (engine_preflight), with the checks that need no
 * vCenter (engine_check_spec) first; exit 0 without errors, 1 with. `drover
 * apply` runs the same before it creates anything (cli_preflight_gate). */
#include "config.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/engine.h"

/* The offline problems as error findings (check "spec"); warnings too. */
static void
add_offline(struct dr_preflight *p, const struct dr_store *s, const struct dr_cluster *spec)
{
    struct dr_check_config cfg = { .templates = s->templates, .n_templates = s->n_templates,
                                   .vcenters = s->vcenters, .n_vcenters = s->n_vcenters,
                                   .config_dir = s->config_dir, .loads_reported = true };
    char **problems = NULL, **warnings = NULL;
    size_t extra;

    engine_check_spec(&cfg, spec, &problems, &warnings);
    extra = strv_len(problems) + strv_len(warnings);
    if (extra == 0)
        return;
    p->v = xrealloc(p->v, (p->n + extra) * sizeof *p->v);
    memmove(p->v + extra, p->v, p->n * sizeof *p->v);
    memset(p->v, 0, extra * sizeof *p->v);
    for (size_t i = 0; problems && problems[i]; i++) {
        p->v[i].severity = DR_SEV_ERROR;
        p->v[i].check = xstrdup("spec");
        p->v[i].message = xstrdup(problems[i]);
        p->errors++;
    }
    for (size_t i = 0; warnings && warnings[i]; i++) {
        struct dr_finding *f = &p->v[strv_len(problems) + i];
        f->severity = DR_SEV_WARNING;
        f->check = xstrdup("spec");
        f->message = xstrdup(warnings[i]);
        p->warnings++;
    }
    p->n += extra;
    strv_free(&problems);
    strv_free(&warnings);
}

static void
print_human(const struct dr_preflight *p, FILE *out)
{
    for (int sev = DR_SEV_ERROR; sev <= DR_SEV_NOTE; sev++) {
        for (size_t i = 0; i < p->n; i++) {
            const struct dr_finding *f = &p->v[i];

            if ((int)f->severity != sev)
                continue;
            fprintf(out, "%-7s %-10s ", severity_key(f->severity), f->check);
            if (f->file && f->line > 0)
                fprintf(out, "%s:%d: ", f->file, f->line);
            else if (f->file)
                fprintf(out, "%s: ", f->file);
            if (f->field)
                fprintf(out, "%s: ", f->field);
            fprintf(out, "%s\n", f->message);
            if (f->object)
                fprintf(out, _("        object: %s\n"), f->object);
            if (f->fix)
                fprintf(out, _("        fix: %s\n"), f->fix);
        }
    }
    fprintf(out, _("preflight of cluster %s: %zu error(s), %zu warning(s) (%.1f s)\n"),
            p->cluster ? p->cluster : "?", p->errors, p->warnings, (double)p->elapsed_ms / 1000.0);
}

static void
print_json(const struct dr_preflight *p)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    char *text;

    cli_json_str(root, "cluster", p->cluster);
    cJSON_AddNumberToObject(root, "errors", (double)p->errors);
    cJSON_AddNumberToObject(root, "warnings", (double)p->warnings);
    cJSON_AddNumberToObject(root, "elapsed_ms", (double)p->elapsed_ms);
    for (size_t i = 0; i < p->n; i++) {
        const struct dr_finding *f = &p->v[i];
        cJSON *o = cJSON_CreateObject();

        cli_json_str(o, "severity", severity_key(f->severity));
        cli_json_str(o, "check", f->check);
        cli_json_str(o, "file", f->file);
        if (f->line > 0)
            cJSON_AddNumberToObject(o, "line", f->line);
        else
            cJSON_AddNullToObject(o, "line");
        cli_json_str(o, "field", f->field);
        cli_json_str(o, "object", f->object);
        cli_json_str(o, "message", f->message);
        cli_json_str(o, "fix", f->fix);
        cJSON_AddItemToArray(arr, o);
    }
    cJSON_AddItemToObject(root, "findings", arr);
    text = cJSON_Print(root);
    printf("%s\n", text);
    free(text);
    cJSON_Delete(root);
}

/* A spec file that did not load, as error findings (check "spec"): one per
 * problem the store named in it, or e's text when it named none. */
static struct dr_preflight *
spec_findings(const struct dr_store *s, const char *file, const struct dr_error *e)
{
    struct dr_preflight *p = xcalloc(1, sizeof *p);

    p->v = xcalloc(s->n_diags + 1, sizeof *p->v);
    for (size_t i = 0; i < s->n_diags; i++) {
        const struct dr_diag *d = &s->diags[i];

        if (!str_eq(d->file, file))
            continue;
        p->v[p->n].severity = DR_SEV_ERROR;
        p->v[p->n].check = xstrdup("spec");
        p->v[p->n].file = xstrdup(d->file);
        p->v[p->n].line = d->line;
        p->v[p->n].field = xstrdup0(d->field);
        p->v[p->n++].message = xstrdup(d->message);
    }
    if (p->n == 0) {
        p->v[0].severity = DR_SEV_ERROR;
        p->v[0].check = xstrdup("spec");
        p->v[0].file = xstrdup(file);
        p->v[p->n++].message = xstrdup(dr_error_text(e));
    }
    p->errors = p->n;
    return p;
}

/* Run preflight; NULL after printing why it could not run. */
static struct dr_preflight *
run(const struct dr_store *s, const struct dr_cluster *spec)
{
    struct dr_preflight *p = NULL;
    struct dr_error e = { 0 };

    if (engine_preflight(s, spec, &p, &e) != DR_E_OK) {
        fprintf(stderr, _("drover: preflight could not run: %s\n"), dr_error_text(&e));
        return NULL;
    }
    add_offline(p, s, spec);
    return p;
}

int
cli_preflight_gate(const struct dr_store *s, const struct dr_cluster *spec)
{
    struct dr_preflight *p = run(s, spec);
    int rc;

    if (p == NULL)
        return 1;
    if (p->errors > 0 || p->warnings > 0)
        print_human(p, stderr);
    rc = p->errors > 0 ? 1 : 0;
    if (rc)
        fprintf(stderr, _("drover: apply: preflight found %zu error(s): nothing was created "
                          "(--skip-preflight to apply anyway)\n"),
                p->errors);
    preflight_free(&p);
    return rc;
}

int
cmd_preflight(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "file", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    static const char usage[] = N_("usage: drover preflight -f CLUSTER.cfg | NAME [-o json]");
    const char *file = NULL;
    bool json = false;
    struct dr_store s;
    struct dr_cluster spec = { 0 };
    const struct dr_cluster *use;
    struct dr_error e = { 0 };
    struct dr_preflight *p;
    int c, rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "f:o:", longopts, NULL)) != -1) {
        if (c == 'f')
            file = optarg;
        else if (c == 'o') {
            if (cli_parse_output("preflight", optarg, &json) != 0)
                return 2;
        } else
            return cli_usage_error("preflight", "%s", _(usage));
    }
    if ((file == NULL) == (argc - optind != 1) || (file && optind != argc))
        return cli_usage_error("preflight", "%s", _(usage));
    if (!cli_open_store(g, &s))
        return 1;
    if (file) {
        if (store_parse_cluster_file(&s, file, &spec, &e) != DR_E_OK) {
            if (json) {
                /* Scripts asked for JSON: the spec's problems are its
                 * findings, each once. */
                p = spec_findings(&s, file, &e);
                print_json(p);
                preflight_free(&p);
            } else {
                cli_report_spec_file(&s, file, &e);
            }
            store_done(&s);
            return 1;
        }
        use = &spec;
    } else {
        use = store_find_cluster(&s, argv[optind]);
        if (use == NULL) {
            fprintf(stderr, _("drover: no cluster '%s' (clusters/%s.cfg)\n"), argv[optind],
                    argv[optind]);
            store_done(&s);
            return 1;
        }
    }
    if (cli_report_spec_inputs(&s, use) > 0) {
        if (file)
            cluster_done(&spec);
        store_done(&s);
        return 1;
    }
    p = run(&s, use);
    if (p == NULL) {
        rc = 1;
    } else {
        if (json)
            print_json(p);
        else
            print_human(p, stdout);
        rc = p->errors > 0 ? 1 : 0;
        preflight_free(&p);
    }
    if (file)
        cluster_done(&spec);
    store_done(&s);
    return rc;
}
