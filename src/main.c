#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "ui/console.h"

int
main(int argc, char **argv)
{
    struct cli_globals g = { 0 };
    int rc;

    setlocale(LC_ALL, "");
#if ENABLE_NLS
    bindtextdomain(PACKAGE, LOCALEDIR);
    textdomain(PACKAGE);
#endif
    rc = cli_main(argc, argv, &g);
    if (rc >= 0)
        return rc;
    /* No command: the console on a terminal, the cluster list otherwise. */
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        struct console_options o = {
            .config_dir = g.config_dir,
            .state_dir = g.state_dir,
            .read_only = g.read_only,
        };
        return console_run(&o);
    }
    char *list_args[] = { "list", "clusters", NULL };
    return cmd_list(&g, 2, list_args);
}
