#include "config.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/store.h"
#include "core/util.h"

static cJSON *
json_strv(char *const *v)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; v && v[i]; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static cJSON *
json_kvs(const struct dr_kv *kv, size_t n)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cli_json_str(o, "key", kv[i].key);
        cli_json_str(o, "value", kv[i].value);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *
json_roles(unsigned roles)
{
    cJSON *a = cJSON_CreateArray();

    for (unsigned bit = 1; bit <= DR_ROLE_WORKER; bit <<= 1) {
        if ((roles & bit) && role_name(bit))
            cJSON_AddItemToArray(a, cJSON_CreateString(role_name(bit)));
    }
    return a;
}

static void
json_print(cJSON *root, FILE *out)
{
    char *text = cJSON_Print(root);

    fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(root);
}

/* Print what was gathered: the JSON array, or the table. */
static void
list_finish(struct cli_table *t, cJSON *arr, bool json, FILE *out)
{
    if (json) {
        json_print(arr, out);
        return;
    }
    cJSON_Delete(arr);
    cli_table_print(t, out);
}

static int
desired_nodes(const struct dr_cluster *c)
{
    int n = 0;

    for (size_t i = 0; i < c->n_pools; i++)
        n += c->pools[i].quantity;
    return n;
}

static int
cmp_status_name(const void *a, const void *b)
{
    const struct dr_cluster_status *x = *(const struct dr_cluster_status *const *)a;
    const struct dr_cluster_status *y = *(const struct dr_cluster_status *const *)b;

    return strcmp(x->cluster, y->cluster);
}

/* The store's state files sorted by name, for bsearch in find_status: a
 * linear find for each of a thousand clusters was half a million
 * comparisons. NULL-terminated; the caller frees the array, not the items. */
static const struct dr_cluster_status **
status_index(const struct dr_store *s)
{
    const struct dr_cluster_status **ix = xcalloc(s->n_statuses + 1, sizeof *ix);

    for (size_t i = 0; i < s->n_statuses; i++)
        ix[i] = &s->statuses[i];
    qsort(ix, s->n_statuses, sizeof *ix, cmp_status_name);
    return ix;
}

static const struct dr_cluster_status *
find_status(const struct dr_cluster_status **ix, size_t n, const char *name)
{
    struct dr_cluster_status key = {.cluster = (char *)name}, *kp = &key;
    const struct dr_cluster_status **hit = bsearch(&kp, ix, n, sizeof *ix, cmp_status_name);

    return hit ? *hit : NULL;
}

static void
list_clusters(const struct dr_store *s, bool json, FILE *out)
{
    struct cli_table t = {.ncols = 7};
    cJSON *arr = cJSON_CreateArray();
    const struct dr_cluster_status **ix = status_index(s);

    /* L10N: column headers of `drover list clusters`. */
    if (!json)
        cli_table_row(&t, _("NAME"), _("DISTRIBUTION"), _("VERSION"), _("VCENTER"), _("STATE"),
                  _("NODES"), _("POOLS"));
    for (size_t i = 0; i < s->n_clusters; i++) {
        const struct dr_cluster *c = &s->clusters[i];
        const struct dr_cluster_status *st = find_status(ix, s->n_statuses, c->name);
        enum dr_cluster_state state = cluster_state_derive(c, st);
        int ready, total;
        cluster_node_counts(st, &ready, &total);
        if (json) {
            cJSON *o = cJSON_CreateObject(), *pools = cJSON_CreateArray();
            cli_json_str(o, "name", c->name);
            cli_json_str(o, "distribution", distribution_key(c->distribution));
            cli_json_str(o, "version", c->version);
            cli_json_str(o, "vcenter", c->vcenter);
            cli_json_str(o, "state", cluster_state_key(state));
            cJSON_AddNumberToObject(o, "nodes_ready", ready);
            cJSON_AddNumberToObject(o, "nodes_total", total);
            cJSON_AddNumberToObject(o, "nodes_desired", desired_nodes(c));
            for (size_t p = 0; p < c->n_pools; p++) {
                const struct dr_pool *pl = &c->pools[p];
                cJSON *po = cJSON_CreateObject();
                cli_json_str(po, "name", pl->name);
                cli_json_str(po, "template", pl->template);
                cJSON_AddNumberToObject(po, "quantity", pl->quantity);
                cJSON_AddItemToObject(po, "roles", json_roles(pl->roles));
                cli_json_str(po, "hostname_prefix", pl->hostname_prefix);
                cJSON_AddNumberToObject(po, "delete_not_ready_after", pl->delete_not_ready_after_s);
                cJSON_AddBoolToObject(po, "keep_failed_vms", pl->keep_failed_vms);
                cJSON_AddBoolToObject(po, "drain_before_delete", pl->drain_before_delete);
                cJSON_AddNumberToObject(po, "drain_timeout", pl->drain_timeout_s);
                cJSON_AddNumberToObject(po, "max_unhealthy", pl->max_unhealthy_pct);
                cJSON_AddItemToArray(pools, po);
            }
            cJSON_AddItemToObject(o, "pools", pools);
            cli_json_str(o, "recipe", c->recipe);
            cli_json_str(o, "airgap_bundle", c->airgap_bundle);
            /* The cloud provider and its StorageClass's name (null: none). */
            cli_json_str(o, "cloud_provider", cloud_provider_key(c->cloud_provider));
            cli_json_str(o, "storage_class",
                         c->cloud_provider == DR_CLOUD_VSPHERE && c->vsphere.storage_class
                             ? cloud_vsphere_sc_name(&c->vsphere)
                             : NULL);
            cJSON_AddBoolToObject(o, "keep_failed_vms", c->keep_failed_vms);
            cli_json_str(o, "file", c->origin.file);
            cJSON_AddItemToArray(arr, o);
        } else {
            char nodes[64], pools[32];
            snprintf(nodes, sizeof nodes, "%d/%d", ready, desired_nodes(c));
            snprintf(pools, sizeof pools, "%zu", c->n_pools);
            cli_table_row(&t, c->name, distribution_key(c->distribution), c->version, c->vcenter,
                      cluster_state_label(state), nodes, pools);
        }
    }
    free(ix);
    list_finish(&t, arr, json, out);
}

static void
list_templates(const struct dr_store *s, bool json, FILE *out)
{
    struct cli_table t = {.ncols = 8};
    cJSON *arr = cJSON_CreateArray();

    /* L10N: column headers of `drover list templates`. */
    if (!json)
        cli_table_row(&t, _("NAME"), _("VCENTER"), _("DATACENTER"), _("CPUS"), _("MEMORY"), _("DISK"),
                  _("CLONE"), _("SOURCE"));
    for (size_t i = 0; i < s->n_templates; i++) {
        const struct dr_template *tp = &s->templates[i];
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cli_json_str(o, "name", tp->name);
            cli_json_str(o, "vcenter", tp->vcenter);
            cli_json_str(o, "datacenter", tp->datacenter);
            cli_json_str(o, "cluster", tp->cluster);
            cli_json_str(o, "host", tp->host);
            cli_json_str(o, "resource_pool", tp->resource_pool);
            cli_json_str(o, "datastore", tp->datastore);
            cli_json_str(o, "folder", tp->folder);
            cJSON_AddItemToObject(o, "networks", json_strv(tp->networks));
            cli_json_str(o, "clone_from", tp->clone_from);
            cli_json_str(o, "clone_mode", clone_mode_key(tp->clone_mode));
            cli_json_str(o, "snapshot", tp->snapshot);
            cJSON_AddNumberToObject(o, "cpus", tp->cpus);
            cJSON_AddNumberToObject(o, "memory_mib", tp->memory_mib);
            cJSON_AddNumberToObject(o, "disk_gib", tp->disk_gib);
            cli_json_str(o, "user_data", tp->user_data);
            cJSON_AddItemToObject(o, "extra_config",
                                  json_kvs(tp->extra_config, tp->n_extra_config));
            cJSON_AddItemToObject(o, "tags", json_strv(tp->tags));
            cJSON_AddItemToObject(o, "custom_attributes",
                                  json_kvs(tp->custom_attributes, tp->n_custom_attributes));
            cli_json_str(o, "ssh_user", tp->ssh_user);
            cJSON_AddNumberToObject(o, "ssh_port", tp->ssh_port);
            cli_json_str(o, "os", tp->os);
            cli_json_str(o, "file", tp->origin.file);
            cJSON_AddItemToArray(arr, o);
        } else {
            char cpus[16], mem[32], disk[32];
            snprintf(cpus, sizeof cpus, "%d", tp->cpus);
            snprintf(mem, sizeof mem, "%d MiB", tp->memory_mib);
            if (tp->disk_gib > 0)
                snprintf(disk, sizeof disk, "%d GiB", tp->disk_gib);
            else
                snprintf(disk, sizeof disk, "%s", _("as source"));
            cli_table_row(&t, tp->name, tp->vcenter, tp->datacenter, cpus, mem, disk,
                      clone_mode_key(tp->clone_mode), tp->clone_from);
        }
    }
    list_finish(&t, arr, json, out);
}

static void
list_nodes(const struct dr_store *s, const char *only, bool json, FILE *out)
{
    struct cli_table t = {.ncols = 8};
    cJSON *arr = cJSON_CreateArray();

    /* L10N: column headers of `drover list nodes`. */
    if (!json)
        cli_table_row(&t, _("CLUSTER"), _("NAME"), _("POOL"), _("ROLES"), _("STATE"), _("PROGRESS"),
                  _("IP"), _("ERROR"));
    for (size_t i = 0; i < s->n_statuses; i++) {
        const struct dr_cluster_status *st = &s->statuses[i];
        if (only && !str_eq(only, st->cluster))
            continue;
        for (size_t j = 0; j < st->n_nodes; j++) {
            const struct dr_node *n = &st->nodes[j];
            if (json) {
                cJSON *o = cJSON_CreateObject();
                cli_json_str(o, "cluster", st->cluster);
                cli_json_str(o, "name", n->name);
                cli_json_str(o, "pool", n->pool);
                cJSON_AddItemToObject(o, "roles", json_roles(n->roles));
                cli_json_str(o, "state", node_state_key(n->state));
                cli_json_str(o, "step", node_state_key(n->step));
                cJSON_AddNumberToObject(o, "percent", n->percent);
                cJSON_AddNumberToObject(o, "attempts", n->attempts);
                cli_json_str(o, "vm_id", n->vm_id);
                cli_json_str(o, "ip", n->ip);
                cli_json_str(o, "host_key_fingerprint", n->host_key_fp);
                cli_json_str(o, "last_error", n->last_error);
                cJSON_AddNumberToObject(o, "created", (double)n->created);
                cJSON_AddNumberToObject(o, "updated", (double)n->updated);
                cJSON_AddItemToArray(arr, o);
            } else {
                char roles[64], pct[16], state[96];
                roles_format(n->roles, roles, sizeof roles);
                snprintf(pct, sizeof pct, "%d%%", n->percent);
                if (n->state == DR_NODE_ERROR)
                    snprintf(state, sizeof state, "%s (%s)", node_state_label(n->state),
                             node_state_key(n->step));
                else
                    snprintf(state, sizeof state, "%s", node_state_label(n->state));
                cli_table_row(&t, st->cluster, n->name, n->pool, roles, state, pct, n->ip,
                          n->last_error);
            }
        }
    }
    list_finish(&t, arr, json, out);
}

/* Where the password comes from; never the password itself. */
static const char *
password_source(const struct dr_vcenter *v)
{
    if (v->password)
        return "inline";
    if (v->password_file)
        return "file";
    if (v->password_env)
        return "env";
    return "none";
}

static const char *
tls_policy(const struct dr_vcenter *v)
{
    if (v->insecure)
        return "insecure";
    if (v->pin)
        return "pin";
    if (v->ca_file)
        return "ca-file";
    return "system";
}

static void
list_vcenters(const struct dr_store *s, bool json, FILE *out)
{
    struct cli_table t = {.ncols = 6};
    cJSON *arr = cJSON_CreateArray();

    /* L10N: column headers of `drover list vcenters`. */
    if (!json)
        cli_table_row(&t, _("NAME"), _("URL"), _("USER"), _("PASSWORD"), _("TLS"), _("TIMEOUT"));
    for (size_t i = 0; i < s->n_vcenters; i++) {
        const struct dr_vcenter *v = &s->vcenters[i];
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cli_json_str(o, "name", v->name);
            cli_json_str(o, "url", v->url);
            cli_json_str(o, "user", v->user);
            cli_json_str(o, "password_source", password_source(v));
            cli_json_str(o, "password_file", v->password_file);
            cli_json_str(o, "password_env", v->password_env);
            cli_json_str(o, "tls", tls_policy(v));
            cli_json_str(o, "ca_file", v->ca_file);
            cli_json_str(o, "pin", v->pin);
            cJSON_AddBoolToObject(o, "insecure", v->insecure);
            cJSON_AddNumberToObject(o, "timeout", v->timeout_s);
            cJSON_AddItemToArray(arr, o);
        } else {
            char pw[512], timeout[16];
            if (v->password_file)
                snprintf(pw, sizeof pw, "file %s", v->password_file);
            else if (v->password_env)
                snprintf(pw, sizeof pw, "env %s", v->password_env);
            else
                snprintf(pw, sizeof pw, "%s", password_source(v));
            snprintf(timeout, sizeof timeout, "%ds", v->timeout_s);
            cli_table_row(&t, v->name, v->url, v->user, pw, tls_policy(v), timeout);
        }
    }
    list_finish(&t, arr, json, out);
}

int
cmd_list(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const kinds[] = {"clusters", "templates", "nodes", "vcenters"};
    struct dr_store s;
    const char *kind, *only = NULL;
    bool json = false;
    int c, rc;

    optind = 0; /* a fresh scan, in GNU order: options may follow the kind */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if ((rc = cli_parse_output("list", optarg, &json)) != 0)
                return rc;
            break;
        case 'h':
            printf(_("Usage: drover list clusters|templates|nodes [CLUSTER]|vcenters "
                     "[-o table|json]\n"));
            return 0;
        default:
            return cli_option_error("list", c, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("list", _("say what to list: clusters, templates, nodes or "
                                         "vcenters"));
    kind = argv[optind++];
    bool known = false;
    for (size_t i = 0; i < DR_ARRAY_LEN(kinds); i++)
        known = known || strcmp(kind, kinds[i]) == 0;
    if (!known)
        return cli_usage_error("list",
                               _("cannot list '%s': use clusters, templates, nodes or "
                                 "vcenters"),
                               kind);
    if (optind < argc && strcmp(kind, "nodes") == 0)
        only = argv[optind++];
    if (optind < argc)
        return cli_usage_error("list", _("unexpected argument '%s'"), argv[optind]);

    if (!cli_open_store(g, &s))
        return 1;
    /* What each kind shows comes from these files; the clusters' states
     * are derived from their state files too. */
    const char *const clusters_files[] = {"clusters/*.cfg", "clusters/*.state", "clusters", NULL};
    const char *const templates_files[] = {"templates/*.cfg", "templates", NULL};
    const char *const nodes_files[] = {"clusters/*.state", "clusters", NULL};
    const char *const vcenters_files[] = {"vcenters.cfg", NULL};
    char *only_cfg = only ? xasprintf("clusters/%s.cfg", only) : NULL;
    char *only_state = only ? xasprintf("clusters/%s.state", only) : NULL;
    const char *const only_files[] = {only_state, only_cfg, "clusters", NULL};
    const char *const *asked = strcmp(kind, "clusters") == 0    ? clusters_files
                               : strcmp(kind, "templates") == 0 ? templates_files
                               : strcmp(kind, "vcenters") == 0  ? vcenters_files
                               : only                           ? only_files
                                                                : nodes_files;
    /* A file that is there but did not load is not an empty one: say so
     * and fail, after listing what did load. */
    size_t failed = cli_report_failed(&s, asked);
    if (only && failed == 0 && !store_find_cluster(&s, only) && !store_find_status(&s, only)) {
        /* A typo would otherwise print an empty table and succeed. */
        fprintf(stderr, _("drover: no cluster named '%s'\n"), only);
        free(only_cfg);
        free(only_state);
        store_done(&s);
        return 1;
    }
    free(only_cfg);
    free(only_state);
    if (strcmp(kind, "clusters") == 0)
        list_clusters(&s, json, stdout);
    else if (strcmp(kind, "templates") == 0)
        list_templates(&s, json, stdout);
    else if (strcmp(kind, "nodes") == 0)
        list_nodes(&s, only, json, stdout);
    else
        list_vcenters(&s, json, stdout);
    if (failed > 0) {
        store_done(&s);
        fflush(stdout);
        return 1;
    }
    store_done(&s);
    return fflush(stdout) == 0 ? 0 : 1;
}
