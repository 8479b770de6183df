#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/store.h"
#include "core/util.h"

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
    int rc = s.n_diags > 0 ? 1 : 0;
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
        fprintf(stderr, _("drover: %zu problem(s) found\n"), s.n_diags);
    store_done(&s);
    return rc;
}
