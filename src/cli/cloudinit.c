/* `drover cloud-init TEMPLATE --hostname NAME`: print the cloud-init data a
 * node from that template would receive, for an operator to review. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap/cloudinit.h"
#include "cli/cli.h"
#include "core/i18n.h"
#include "core/keys.h"
#include "core/store.h"
#include "core/util.h"

/* The cluster's key (or a node's host key) when it exists; otherwise a fresh
 * one for the preview, never saved. */
static enum dr_err
key_for(const char *path, const char *comment, struct dr_keypair *k, bool *preview,
        struct dr_error *e)
{
    enum dr_err rc = path ? keys_load(path, k, e) : DR_E_NOTFOUND;

    *preview = false;
    if (rc != DR_E_NOTFOUND)
        return rc;
    *preview = true;
    return keys_generate(k, comment, e);
}

int
cmd_cloud_init(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"hostname", required_argument, NULL, 'H'}, {"cluster", required_argument, NULL, 'c'},
        {"domain", required_argument, NULL, 'd'},   {"metadata", no_argument, NULL, 'm'},
        {"show-secrets", no_argument, NULL, 's'},   {NULL, 0, NULL, 0},
    };
    const char *hostname = NULL, *cluster = NULL, *domain = NULL;
    bool metadata = false, secrets = false, cpreview, hpreview;
    struct dr_keypair client = {0}, host = {0};
    struct dr_error e = {0};
    struct dr_store s;
    int c, ret = 1;

    optind = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'H':
            hostname = optarg;
            break;
        case 'c':
            cluster = optarg;
            break;
        case 'd':
            domain = optarg;
            break;
        case 'm':
            metadata = true;
            break;
        case 's':
            secrets = true;
            break;
        default:
            return cli_usage_error("cloud-init", _("unknown option"));
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("cloud-init", _("expected one template name"));
    if (hostname == NULL)
        return cli_usage_error("cloud-init", _("--hostname NAME is required"));
    if (!cli_open_store(g, &s))
        return 1;

    const struct dr_template *t = store_find_template(&s, argv[optind]);
    if (t == NULL) {
        char *file = xasprintf("templates/%s.cfg", argv[optind]);
        const char *const files[] = {file, "templates", NULL};
        /* A template whose file did not load: its problems, once. */
        if (cli_report_failed(&s, files) == 0)
            fprintf(stderr, _("drover: cloud-init: no template named '%s' (no %s)\n"),
                    argv[optind], file);
        free(file);
        store_done(&s);
        return 1;
    }
    char *cpath = cluster ? keys_cluster_path(s.state_dir, cluster) : NULL;
    char *hpath = cluster ? keys_host_path(s.state_dir, cluster, hostname) : NULL;
    if (key_for(cpath, "drover@preview", &client, &cpreview, &e) != DR_E_OK ||
        key_for(hpath, hostname, &host, &hpreview, &e) != DR_E_OK) {
        fprintf(stderr, "drover: cloud-init: %s\n", dr_error_text(&e));
        goto out;
    }
    char *pub = keys_public_line(&client);
    struct ci_node n = {
        .tmpl = t,
        .hostname = hostname,
        .domain = domain,
        .cluster_public_key = pub,
        .host_key = &host,
    };
    if (metadata) {
        char *md = ci_render_meta_data(&n);
        if (!util_is_dns_label(hostname))
            fprintf(stderr, _("drover: cloud-init: hostname '%s' is not a valid DNS label\n"),
                    hostname);
        else {
            fputs(md, stdout);
            ret = 0;
        }
        free(md);
    } else {
        char *ud, **warnings = NULL;
        struct ci_user_data u;
        /* What normalising user_data changes is said, as validate says it. */
        if (ci_user_data_normalize(t, &u, &warnings, &e) == DR_E_OK)
            ci_user_data_done(&u);
        for (size_t i = 0; warnings && warnings[i]; i++)
            fprintf(stderr, _("drover: warning: %s\n"), warnings[i]);
        strv_free(&warnings);
        if (ci_render_user_data(&n, secrets, &ud, &e) != DR_E_OK) {
            fprintf(stderr, "drover: cloud-init: %s\n", dr_error_text(&e));
        } else {
            if (cpreview || hpreview)
                fprintf(stderr,
                        _("drover: cloud-init: %s generated for this preview only "
                          "(not saved)\n"),
                        cpreview && hpreview ? _("cluster and host keys")
                        : cpreview           ? _("cluster key")
                                             : _("host key"));
            fputs(ud, stdout);
            keys_free_secret(&ud);
            ret = 0;
        }
    }
    free(pub);
out:
    free(cpath);
    free(hpath);
    keys_done(&client);
    keys_done(&host);
    store_done(&s);
    return ret;
}
