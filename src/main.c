#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/i18n.h"

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
    /* No command: the console belongs here once it exists (TUI issue). */
    char *list_args[] = { "list", "clusters", NULL };
    return cmd_list(&g, 2, list_args);
}
