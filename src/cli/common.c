#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "core/store.h"

bool
cli_open_store(const struct cli_globals *g, struct dr_store *s)
{
    struct dr_error e = { 0 };

    if (store_init(s, g->config_dir, g->state_dir, &e) != DR_E_OK ||
        store_load(s, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
        store_done(s);
        return false;
    }
    if (g->read_only)
        s->settings.read_only = true;
    return true;
}
