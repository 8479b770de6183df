/* `drover vcenter check|inventory|trust NAME`: diagnostics that talk to a
 * vCenter directly (the accepted exception to cli -> engine only). */
#include "config.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/store.h"
#include "core/util.h"
#include "vsphere/vsphere.h"

struct vc_opts {
    bool json;
    bool yes;
    bool help;
    const char *name;
};

static int
usage(void)
{
    printf(_("Usage: drover vcenter check NAME [-o table|json]\n"
             "       drover vcenter inventory NAME [-o table|json]\n"
             "       drover vcenter trust NAME [--yes]\n"
             "NAME is a vCenter of vcenters.cfg (see drover list vcenters).\n"));
    return 0;
}

static int
parse(const char *cmd, int argc, char **argv, struct vc_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"yes", no_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof *o);
    optind = 0; /* reinitialise getopt: options may follow the name */
    while ((c = getopt_long(argc, argv, ":o:yh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (cli_parse_output(cmd, optarg, &o->json) != 0)
                return 2;
            break;
        case 'y':
            o->yes = true;
            break;
        case 'h':
            o->help = true;
            return 0;
        default:
            return cli_option_error(cmd, c, argv);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(cmd, _("expected one vCenter name"));
    o->name = argv[optind];
    return 0;
}

static const struct dr_vcenter *
find_vc(const struct dr_store *s, const char *name)
{
    const struct dr_vcenter *vc = store_find_vcenter(s, name);

    if (vc != NULL)
        return vc;
    /* A broken vcenters.cfg loads no vCenter at all: say why (each of its
     * problems, once), not just that the name is missing. */
    if (store_file_failed(s, "vcenters.cfg")) {
        for (size_t i = 0; i < s->n_diags; i++) {
            if (str_eq(s->diags[i].file, "vcenters.cfg")) {
                char *why = store_diag_format(&s->diags[i]);
                fprintf(stderr,
                        _("drover: vcenters.cfg did not load: %s (run 'drover validate')\n"),
                        why);
                free(why);
            }
        }
        return NULL;
    }
    fprintf(stderr, _("drover: no vCenter named '%s' in vcenters.cfg\n"), name);
    return NULL;
}

static const char *
tls_policy(const struct dr_vcenter *vc)
{
    if (vc->insecure)
        return _("insecure (no verification)");
    if (!str_empty(vc->ca_file))
        return _("CA file");
    if (!str_empty(vc->pin))
        return _("public-key pin");
    return _("system CAs");
}

static void
warn_insecure(const struct dr_vcenter *vc)
{
    if (vc->insecure)
        fprintf(stderr,
                _("drover: warning: vCenter %s has insecure = true: its certificate is not "
                  "verified\n"),
                vc->name);
}

/* Log in to vc; prints the reason and returns NULL on failure. */
static struct vs_session *
connect_vc(const struct dr_vcenter *vc)
{
    struct dr_error e = {0};
    struct vs_session *s = NULL;
    char *pw = NULL;

    if (vs_global_init(&e) != DR_E_OK || vcenter_password(vc, &pw, &e) != DR_E_OK ||
        vs_session_new(vc, pw, &s, &e) != DR_E_OK || vs_login(s, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s (%s)\n", dr_error_text(&e), dr_errname(e.code));
        vs_session_free(&s);
        s = NULL;
    }
    if (pw) {
        memset(pw, 0, strlen(pw));
        free(pw);
    }
    return s;
}

static char *
fmt_time(time_t t)
{
    char buf[64];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return xstrdup(buf);
}

static void
json_s(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void
json_out(cJSON *root)
{
    char *text = cJSON_Print(root);

    printf("%s\n", text);
    free(text);
    cJSON_Delete(root);
}

static int
vc_check(const struct dr_store *st, const struct vc_opts *o)
{
    const struct dr_vcenter *vc = find_vc(st, o->name);
    struct vs_session *s;
    const struct vs_about *a;
    struct vs_cert_info ci = {0};
    struct dr_error e = {0};
    bool have_cert, proxy_used = false;
    const char *proxy, *proxy_from = NULL;

    if (vc == NULL)
        return 1;
    warn_insecure(vc);
    s = connect_vc(vc);
    if (s == NULL)
        return 1;
    a = vs_session_about(s);
    proxy = vs_session_proxy(s, &proxy_from, &proxy_used);
    have_cert = vs_fetch_cert(vc, &ci, &e) == DR_E_OK;
    if (o->json) {
        cJSON *r = cJSON_CreateObject(), *tls = cJSON_CreateObject();
        json_s(r, "name", vc->name);
        json_s(r, "url", vc->url);
        json_s(r, "product", a->full_name);
        json_s(r, "version", a->version);
        json_s(r, "build", a->build);
        json_s(r, "api_type", a->api_type);
        json_s(r, "api_version", a->api_version);
        json_s(r, "instance_uuid", a->instance_uuid);
        json_s(tls, "policy", tls_policy(vc));
        if (have_cert) {
            json_s(tls, "subject", ci.subject);
            json_s(tls, "issuer", ci.issuer);
            cJSON_AddNumberToObject(tls, "not_after", (double)ci.not_after);
            json_s(tls, "sha256_fingerprint", ci.sha256_fingerprint);
            json_s(tls, "pin", ci.pin);
        }
        cJSON_AddItemToObject(r, "tls", tls);
        /* The proxy the check went through (null: directly). */
        json_s(r, "proxy", proxy && proxy_used ? proxy : NULL);
        json_s(r, "proxy_from", proxy && proxy_used ? proxy_from : NULL);
        json_out(r);
    } else {
        printf(_("vCenter:      %s (%s)\n"), vc->name, vc->url);
        printf(_("Product:      %s\n"), a->full_name ? a->full_name : a->name ? a->name : "?");
        printf(_("Version:      %s build %s\n"), a->version ? a->version : "?",
               a->build ? a->build : "?");
        printf(_("API:          %s %s\n"), a->api_type ? a->api_type : "?",
               a->api_version ? a->api_version : "?");
        printf(_("TLS policy:   %s\n"), tls_policy(vc));
        if (proxy && proxy_used)
            printf(_("Proxy:        %s (from %s)\n"), proxy, proxy_from);
        else if (proxy)
            printf(_("Proxy:        none: NO_PROXY matches (%s from %s not used)\n"), proxy,
                   proxy_from);
        else
            printf(_("Proxy:        none%s\n"),
                   vc->proxy && strcmp(vc->proxy, "none") == 0 ? _(" (proxy = \"none\")") : "");
        if (have_cert) {
            char *until = fmt_time(ci.not_after);
            printf(_("Certificate:  %s (issuer %s), valid until %s\n"), ci.subject, ci.issuer,
                   until);
            printf(_("SHA-256:      %s\n"), ci.sha256_fingerprint);
            printf(_("Pin:          %s\n"), ci.pin);
            free(until);
        }
        printf(_("Login:        ok as %s\n"), vc->user);
    }
    vs_cert_info_done(&ci);
    vs_session_free(&s);
    return 0;
}

static void
obj_json(cJSON *arr, const struct vs_object *ob, cJSON **out)
{
    cJSON *o = cJSON_CreateObject();

    json_s(o, "id", ob->id);
    json_s(o, "name", ob->name);
    json_s(o, "parent", ob->parent);
    json_s(o, "datacenter", ob->datacenter);
    cJSON_AddItemToArray(arr, o);
    if (out)
        *out = o;
}

static cJSON *
objs_json(const struct vs_object *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < n; i++)
        obj_json(arr, &v[i], NULL);
    return arr;
}

static void
row(struct cli_table *t, const char *kind, const struct vs_object *o, const char *details)
{
    cli_table_row(t, kind, o->name, o->id, o->datacenter, details);
}

static int
vc_inventory(const struct dr_store *st, const struct vc_opts *o)
{
    const struct dr_vcenter *vc = find_vc(st, o->name);
    struct vs_session *s;
    struct vs_inventory inv;
    struct dr_error e = {0};

    if (vc == NULL)
        return 1;
    warn_insecure(vc);
    if ((s = connect_vc(vc)) == NULL)
        return 1;
    if (vs_inventory_get(s, &inv, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s (%s)\n", dr_error_text(&e), dr_errname(e.code));
        vs_session_free(&s);
        return 1;
    }
    if (o->json) {
        cJSON *r = cJSON_CreateObject(), *ds = cJSON_CreateArray(), *vms = cJSON_CreateArray(),
              *tpl = cJSON_CreateArray();
        cJSON_AddItemToObject(r, "datacenters", objs_json(inv.datacenters, inv.n_datacenters));
        cJSON_AddItemToObject(r, "clusters", objs_json(inv.clusters, inv.n_clusters));
        cJSON_AddItemToObject(r, "hosts", objs_json(inv.hosts, inv.n_hosts));
        cJSON_AddItemToObject(r, "resource_pools", objs_json(inv.pools, inv.n_pools));
        for (size_t i = 0; i < inv.n_datastores; i++) {
            cJSON *d;
            obj_json(ds, &inv.datastores[i].obj, &d);
            json_s(d, "type", inv.datastores[i].type);
            cJSON_AddNumberToObject(d, "capacity", (double)inv.datastores[i].capacity);
            cJSON_AddNumberToObject(d, "free_space", (double)inv.datastores[i].free_space);
        }
        cJSON_AddItemToObject(r, "datastores", ds);
        cJSON_AddItemToObject(r, "networks", objs_json(inv.networks, inv.n_networks));
        cJSON_AddItemToObject(r, "folders", objs_json(inv.folders, inv.n_folders));
        for (size_t i = 0; i < inv.n_vms; i++) {
            const struct vs_vm *v = &inv.vms[i];
            cJSON *j;
            obj_json(v->template ? tpl : vms, &v->obj, &j);
            if (v->template)
                continue;
            json_s(j, "power_state", v->power_state);
            json_s(j, "ip", v->ip);
            cJSON_AddNumberToObject(j, "cpus", v->cpus);
            cJSON_AddNumberToObject(j, "memory_mib", v->memory_mib);
            json_s(j, "owner", v->owner);
            cJSON_AddBoolToObject(j, "drover", v->owner != NULL);
        }
        cJSON_AddItemToObject(r, "templates", tpl);
        cJSON_AddItemToObject(r, "vms", vms);
        json_out(r);
    } else {
        /* Columns as wide as the longest name or id: vCenter names run long. */
        struct cli_table t = {.ncols = 5};
        cli_table_row(&t, _("KIND"), _("NAME"), _("ID"), _("DATACENTER"), _("DETAILS"));
        for (size_t i = 0; i < inv.n_datacenters; i++)
            row(&t, _("datacenter"), &inv.datacenters[i], NULL);
        for (size_t i = 0; i < inv.n_clusters; i++)
            row(&t, _("cluster"), &inv.clusters[i], NULL);
        for (size_t i = 0; i < inv.n_hosts; i++)
            row(&t, _("host"), &inv.hosts[i], NULL);
        for (size_t i = 0; i < inv.n_pools; i++)
            row(&t, _("pool"), &inv.pools[i], NULL);
        for (size_t i = 0; i < inv.n_datastores; i++) {
            char d[96];
            snprintf(d, sizeof d, _("%.1f GiB free of %.1f GiB"),
                     (double)inv.datastores[i].free_space / (1 << 30),
                     (double)inv.datastores[i].capacity / (1 << 30));
            row(&t, _("datastore"), &inv.datastores[i].obj, d);
        }
        for (size_t i = 0; i < inv.n_networks; i++)
            row(&t, _("network"), &inv.networks[i], NULL);
        for (size_t i = 0; i < inv.n_folders; i++)
            row(&t, _("folder"), &inv.folders[i], NULL);
        for (size_t i = 0; i < inv.n_vms; i++)
            if (inv.vms[i].template)
                row(&t, _("template"), &inv.vms[i].obj, NULL);
        for (size_t i = 0; i < inv.n_vms; i++) {
            const struct vs_vm *v = &inv.vms[i];
            char *d;
            if (v->template)
                continue;
            d = v->owner ? xasprintf(_("%s, drover-owned: %s"),
                                     v->power_state ? v->power_state : "?", v->owner)
                         : xstrdup(v->power_state ? v->power_state : "?");
            row(&t, _("vm"), &v->obj, d);
            free(d);
        }
        cli_table_print(&t, stdout);
    }
    vs_inventory_done(&inv);
    vs_session_free(&s);
    return 0;
}

static int
vc_trust(struct dr_store *st, const struct vc_opts *o, bool read_only)
{
    const struct dr_vcenter *vc = find_vc(st, o->name);
    struct vs_cert_info ci;
    struct dr_error e = {0};
    char *from, *until;
    int rc = 0;

    if (vc == NULL)
        return 1;
    if (vs_global_init(&e) != DR_E_OK || vs_fetch_cert(vc, &ci, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s (%s)\n", dr_error_text(&e), dr_errname(e.code));
        return 1;
    }
    from = fmt_time(ci.not_before);
    until = fmt_time(ci.not_after);
    printf(_("vCenter:      %s (%s)\n"), vc->name, vc->url);
    printf(_("Subject:      %s\n"), ci.subject);
    printf(_("Issuer:       %s\n"), ci.issuer);
    printf(_("Valid:        %s to %s%s\n"), from, until,
           ci.not_after < time(NULL) ? _(" (EXPIRED)") : "");
    printf(_("SHA-256:      %s\n"), ci.sha256_fingerprint);
    printf(_("Pin:          %s\n"), ci.pin);
    if (ci.verified)
        printf(_("Trusted:      yes (%s)\n"), tls_policy(vc));
    else
        printf(_("Trusted:      no (%s)\n"), ci.verify_error ? ci.verify_error : "?");
    if (!o->yes) {
        if (!str_eq(vc->pin, ci.pin))
            printf(_("Compare the fingerprint with the vCenter's own, then run "
                     "'drover vcenter trust %s --yes' to pin this key.\n"),
                   vc->name);
    } else if (str_eq(vc->pin, ci.pin)) {
        printf(_("vcenters.cfg already pins this key.\n"));
    } else if (read_only) {
        fprintf(stderr, _("drover: read-only mode: vcenters.cfg not changed\n"));
        rc = 1;
    } else {
        /* The entry with the pin (vcenter_pin's rule: it replaces
         * insecure), saved through the store after validating the file. */
        struct dr_vcenter pinned;
        bool was_insecure = vc->insecure;
        vcenter_copy(&pinned, vc);
        vcenter_pin(&pinned, ci.pin);
        if (store_put_vcenter(st, &pinned, &e) != DR_E_OK) {
            fprintf(stderr, "drover: %s\n", dr_error_text(&e));
            rc = 1;
        } else {
            printf(_("Pinned %s in vcenters.cfg.\n"), ci.pin);
            if (was_insecure)
                printf(_("insecure = true is gone: the pin is verified from now on.\n"));
        }
        vcenter_done(&pinned);
    }
    free(from);
    free(until);
    vs_cert_info_done(&ci);
    return rc;
}

int
cmd_vcenter(const struct cli_globals *g, int argc, char **argv)
{
    struct vc_opts o;
    struct dr_store st;
    const char *sub;
    char cmd[64];
    int rc;

    if (argc < 2)
        return cli_usage_error("vcenter", _("expected check, inventory or trust"));
    sub = argv[1];
    if (str_eq(sub, "--help") || str_eq(sub, "-h"))
        return usage();
    snprintf(cmd, sizeof cmd, "vcenter %s", sub);
    if (!str_eq(sub, "check") && !str_eq(sub, "inventory") && !str_eq(sub, "trust"))
        return cli_usage_error("vcenter", _("unknown subcommand '%s'"), sub);
    if ((rc = parse(cmd, argc - 1, argv + 1, &o)) != 0)
        return rc;
    if (o.help)
        return usage();
    if (!cli_open_store(g, &st))
        return 1;
    if (str_eq(sub, "check"))
        rc = vc_check(&st, &o);
    else if (str_eq(sub, "inventory"))
        rc = vc_inventory(&st, &o);
    else
        rc = vc_trust(&st, &o, g->read_only || st.settings.read_only);
    store_done(&st);
    vs_global_cleanup();
    return rc;
}
