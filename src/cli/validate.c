#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/engine.h"

/* What the loader cannot see: each cluster and template as apply would
 * check it before any vCenter call (engine_check_spec), problems on stdout
 * like the loader's, warnings on stderr. Returns the number of problems. */
static size_t
check_loaded(const struct dr_store *s)
{
    struct dr_check_config cfg = {.templates = s->templates,
                                  .n_templates = s->n_templates,
                                  .vcenters = s->vcenters,
                                  .n_vcenters = s->n_vcenters,
                                  .config_dir = s->config_dir,
                                  .refs_checked = true};
    char **problems = NULL, **warnings = NULL;
    size_t n;

    for (size_t i = 0; i < s->n_clusters; i++)
        engine_check_spec(&cfg, &s->clusters[i], &problems, &warnings);
    for (size_t i = 0; i < s->n_templates; i++) {
        bool used = false;
        for (size_t j = 0; j < s->n_clusters && !used; j++) {
            for (size_t k = 0; k < s->clusters[j].n_pools && !used; k++)
                used = str_eq(s->clusters[j].pools[k].template, s->templates[i].name);
        }
        if (!used)
            engine_check_template(&s->templates[i], &problems, &warnings);
    }
    for (size_t i = 0; warnings && warnings[i]; i++)
        fprintf(stderr, _("drover: warning: %s\n"), warnings[i]);
    for (size_t i = 0; problems && problems[i]; i++)
        printf("%s\n", problems[i]);
    n = strv_len(problems);
    strv_free(&problems);
    strv_free(&warnings);
    return n;
}

int
cmd_validate(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct dr_store s;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf(_("Usage: drover validate\n"
                     "Load every configuration and state file and print each problem.\n"));
            return 0;
        default:
            return cli_option_error("validate", c, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("validate", _("unexpected argument '%s'"), argv[optind]);
    if (!cli_open_store(g, &s))
        return 1;
    for (size_t i = 0; i < s.n_diags; i++) {
        char *line = store_diag_format(&s.diags[i]);
        printf("%s\n", line);
        free(line);
    }
    size_t n_problems = s.n_diags + check_loaded(&s);
    int rc = n_problems > 0 ? 1 : 0;
    struct stat st;
    /* A mistyped --config-dir is not an error (drover runs on defaults),
     * but an operator checking a folder should hear that it is not there. */
    if (stat(s.config_dir, &st) != 0)
        fprintf(stderr, _("drover: note: %s does not exist; only compiled-in defaults apply\n"),
                s.config_dir);
    if (rc == 0)
        /* L10N: the counts are of vCenters, templates, clusters and state files. */
        printf(_("OK: %zu vcenters, %zu templates, %zu clusters, %zu state files in %s\n"),
               s.n_vcenters, s.n_templates, s.n_clusters, s.n_statuses, s.config_dir);
    else
        fprintf(stderr, _("drover: %zu problem(s) found\n"), n_problems);
    store_done(&s);
    return rc;
}
