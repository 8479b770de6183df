/* drover kubeconfig NAME [--merge]: a cluster's kubeconfig for kubectl.
 * The first server's recipe saved it (state folder kubeconfig/NAME.yaml,
 * server address already the one drover reached the node on, from the jump
 * host); this prints it with its cluster, user and context named NAME, or
 * merges it into $KUBECONFIG's first file (else ~/.kube/config) as kubectl
 * would: atomically, the old file kept as FILE.bak. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/engine.h"

/* Where --merge writes: the first file of $KUBECONFIG, else ~/.kube/config
 * (kubectl's own rule for new entries). Newly allocated. */
static char *
merge_target(void)
{
    const char *kc = getenv("KUBECONFIG");
    if (kc && *kc) {
        size_t n = strcspn(kc, ":");
        if (n > 0)
            return xstrndup(kc, n);
    }
    const char *home = getenv("HOME");
    return xasprintf("%s/.kube/config", home && *home ? home : ".");
}

static int
merge(const char *text, struct dr_error *e)
{
    char *target = merge_target(), *old = NULL, *merged = NULL, *dir = util_dirname(target);
    size_t len = 0;
    int rc = 1;
    bool had = access(target, F_OK) == 0;
    if (had && util_read_file(target, &old, &len, e) != DR_E_OK)
        goto out;
    if (engine_kubeconfig_merge(old, target, text, &merged, e) != DR_E_OK)
        goto out;
    if (util_mkdir_p(dir, 0700, e) != DR_E_OK)
        goto out;
    if (had) {
        char *bak = xasprintf("%s.bak", target);
        enum dr_err r = util_write_atomic(bak, old, len, 0600, e);
        if (r == DR_E_OK)
            printf(_("kept the previous %s as %s\n"), target, bak);
        free(bak);
        if (r != DR_E_OK)
            goto out;
    }
    if (util_write_atomic(target, merged, strlen(merged), 0600, e) != DR_E_OK)
        goto out;
    printf(_("merged into %s\n"), target);
    rc = 0;
out:
    free(target);
    free(old);
    free(merged);
    free(dir);
    return rc;
}

int
cmd_kubeconfig(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option opts[] = { { "merge", no_argument, NULL, 'm' }, { 0 } };
    bool do_merge = false;
    int c;
    optind = 0; /* re-initialise getopt: options may follow the operands */
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'm')
            do_merge = true;
        else
            return cli_option_error("kubeconfig", c, argv);
    }
    if (optind + 1 != argc)
        return cli_usage_error("kubeconfig", _("give one cluster name"));
    const char *name = argv[optind];
    if (!util_is_dns_label(name))
        return cli_usage_error("kubeconfig", _("%s is not a cluster name"), name);

    struct dr_store s;
    if (!cli_open_store(g, &s))
        return 1;
    struct dr_error e = { 0 };
    char *out = NULL;
    int rc = 1;
    enum dr_err r = engine_kubeconfig(s.state_dir, name, &out, &e);
    if (r == DR_E_NOTFOUND && !store_find_cluster(&s, name)) {
        fprintf(stderr, _("drover: there is no cluster %s\n"), name);
        goto done;
    }
    if (r != DR_E_OK) {
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
        goto done;
    }
    if (do_merge) {
        rc = merge(out, &e);
        if (rc != 0)
            fprintf(stderr, "drover: %s\n", dr_error_text(&e));
    } else {
        fputs(out, stdout);
        rc = fflush(stdout) == 0 ? 0 : 1;
    }
done:
    free(out);
    store_done(&s);
    return rc;
}
