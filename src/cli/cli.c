#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"

static int cmd_help(const struct cli_globals *g, int argc, char **argv);

/* L10N: the one-line descriptions below appear in `drover --help`. */
static const struct cli_command commands[] = {
    { .name = "help", .args = "", .help = N_("show this help"), .run = cmd_help },
    { .name = "list", .args = "KIND [-o table|json]",
      .help = N_("list clusters, templates, nodes [CLUSTER] or vcenters"), .run = cmd_list },
    { .name = "apply", .args = "-f CLUSTER.cfg [--skip-preflight]",
      .help = N_("create or update a cluster; wait until it is active"), .run = cmd_apply },
    { .name = "preflight", .args = "-f CLUSTER.cfg | NAME [-o table|json]",
      .help = N_("check a cluster against vCenter before anything is created"),
      .run = cmd_preflight },
    { .name = "delete", .args = "cluster NAME --yes",
      .help = N_("destroy a cluster's VMs and forget it"), .run = cmd_delete },
    { .name = "status", .args = "NAME [-o table|json]",
      .help = N_("a cluster's state and nodes"), .run = cmd_status },
    { .name = "kubeconfig", .args = "NAME [--merge]",
      .help = N_("print a cluster's kubeconfig, or merge it into $KUBECONFIG or ~/.kube/config"),
      .run = cmd_kubeconfig },
    { .name = "validate", .args = "", .help = N_("check every file; print each problem"),
      .run = cmd_validate },
    { .name = "cloud-init", .args = "TEMPLATE --hostname NAME [OPTIONS]",
      .help = N_("print the cloud-init data a node from TEMPLATE would get"), .run = cmd_cloud_init },
    { .name = "vcenter", .args = "check|inventory|trust NAME [-o json] [--yes]",
      .help = N_("log in to a vCenter, list its inventory, or pin its certificate"), .run = cmd_vcenter },
};

const struct cli_command *
cli_command_table(size_t *n)
{
    *n = DR_ARRAY_LEN(commands);
    return commands;
}

static void
print_help(FILE *out)
{
    fprintf(out, _("Usage: drover [OPTIONS] [COMMAND [ARGS]]\n"
                   "A terminal console for Kubernetes clusters on VMware vSphere.\n"
                   "With no command on a terminal, drover starts its console.\n\n"
                   "Options:\n"
                   "  --config-dir DIR   configuration folder (default $XDG_CONFIG_HOME/drover)\n"
                   "  --state-dir DIR    state folder (default $XDG_STATE_HOME/drover)\n"
                   "  --read-only        never change anything (also DROVER_READ_ONLY=1)\n"
                   "  -v, --verbose      copy log messages to standard error\n"
                   "  -h, --help         show this help\n"
                   "  -V, --version      show the version\n\n"
                   "Commands:\n"));
    for (size_t i = 0; i < DR_ARRAY_LEN(commands); i++) {
        char lhs[128];
        snprintf(lhs, sizeof lhs, "%s %s", commands[i].name, commands[i].args);
        fprintf(out, "  %-44s %s\n", lhs, _(commands[i].help));
    }
    fprintf(out, _("\nSee drover(1) for the files drover reads and writes.\n"));
}

static int
cmd_help(const struct cli_globals *g, int argc, char **argv)
{
    print_help(stdout);
    return 0;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "drover: ");
    if (cmd)
        fprintf(stderr, "%s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, _(" (try 'drover --help')\n"));
    return 2;
}

int
cli_parse_output(const char *cmd, const char *value, bool *json)
{
    if (str_eq(value, "json")) {
        *json = true;
        return 0;
    }
    if (str_eq(value, "table")) {
        *json = false;
        return 0;
    }
    return cli_usage_error(cmd, _("-o takes 'table' or 'json', not '%s'"), value ? value : "");
}

int
cli_option_error(const char *cmd, int c, char **argv)
{
    if (c == ':')
        return cli_usage_error(cmd, _("option '%s' needs a value"), argv[optind - 1]);
    return cli_usage_error(cmd, _("unknown option '%s'"), argv[optind - 1]);
}

int
cli_main(int argc, char **argv, struct cli_globals *g)
{
    enum { OPT_CONFIG_DIR = 256, OPT_STATE_DIR, OPT_READ_ONLY };
    static const struct option longopts[] = {
        { "config-dir", required_argument, NULL, OPT_CONFIG_DIR },
        { "state-dir", required_argument, NULL, OPT_STATE_DIR },
        { "read-only", no_argument, NULL, OPT_READ_ONLY },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *ro = getenv("DROVER_READ_ONLY");
    int c;

    if (ro && *ro && strcmp(ro, "0") != 0)
        g->read_only = true;
    /* '+': stop at the command name; its own options are its business. */
    opterr = 0;   /* one line of our own instead of getopt's */
    while ((c = getopt_long(argc, argv, "+vhV", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG_DIR:
            g->config_dir = optarg;
            break;
        case OPT_STATE_DIR:
            g->state_dir = optarg;
            break;
        case OPT_READ_ONLY:
            g->read_only = true;
            break;
        case 'v':
            g->verbose = true;
            break;
        case 'h':
            print_help(stdout);
            exit(0);
        case 'V':
            printf("drover %s\n", PACKAGE_VERSION);
            exit(0);
        default:
            return cli_usage_error(NULL, _("unknown option '%s'"), argv[optind - 1]);
        }
    }
    if (g->verbose)
        log_set_stderr(true);
    if (optind >= argc)
        return -1;
    for (size_t i = 0; i < DR_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[optind], commands[i].name) == 0) {
            int cargc = argc - optind;
            char **cargv = argv + optind;
            optind = 1;  /* let the command run getopt on its own arguments */
            return commands[i].run(g, cargc, cargv);
        }
    }
    return cli_usage_error(NULL, _("unknown command '%s'"), argv[optind]);
}
