#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

char *
vcenters_to_text(const struct dr_vcenter *v, size_t n)
{
    config_t cfg;
    config_setting_t *l;
    char *text;

    config_init(&cfg);
    l = config_setting_add(config_root_setting(&cfg), "vcenters", CONFIG_TYPE_LIST);
    for (size_t i = 0; i < n; i++) {
        config_setting_t *g = config_setting_add(l, NULL, CONFIG_TYPE_GROUP);
        cfg_put_string(g, "name", v[i].name);
        cfg_put_string(g, "url", v[i].url);
        cfg_put_string(g, "user", v[i].user);
        cfg_put_string(g, "password", v[i].password);
        cfg_put_string(g, "password_file", v[i].password_file);
        cfg_put_string(g, "password_env", v[i].password_env);
        cfg_put_string(g, "ca_file", v[i].ca_file);
        cfg_put_string(g, "pin", v[i].pin);
        if (v[i].insecure)
            cfg_put_bool(g, "insecure", true);
        cfg_put_int(g, "timeout", v[i].timeout_s);
        cfg_put_string(g, "proxy", v[i].proxy);
    }
    text = cfg_to_text(&cfg, "vcenters.cfg: written by drover; keep it chmod 600");
    config_destroy(&cfg);
    return text;
}

char *
template_to_text(const struct dr_template *t)
{
    config_t cfg;
    config_setting_t *r;
    char *text;

    config_init(&cfg);
    r = config_root_setting(&cfg);
    cfg_put_string(r, "vcenter", t->vcenter);
    cfg_put_string(r, "datacenter", t->datacenter);
    cfg_put_string(r, "cluster", t->cluster);
    cfg_put_string(r, "host", t->host);
    cfg_put_string(r, "resource_pool", t->resource_pool);
    cfg_put_string(r, "datastore", t->datastore);
    cfg_put_string(r, "folder", t->folder);
    cfg_put_strv(r, "networks", t->networks);
    cfg_put_string(r, "clone_from", t->clone_from);
    cfg_put_string(r, "clone_mode", clone_mode_key(t->clone_mode));
    cfg_put_string(r, "snapshot", t->snapshot);
    cfg_put_int(r, "cpus", t->cpus);
    cfg_put_int(r, "memory_mib", t->memory_mib);
    cfg_put_int(r, "disk_gib", t->disk_gib);
    cfg_put_string(r, "user_data", t->user_data);
    cfg_put_kvs(r, "extra_config", t->extra_config, t->n_extra_config);
    cfg_put_strv(r, "tags", t->tags);
    cfg_put_kvs(r, "custom_attributes", t->custom_attributes, t->n_custom_attributes);
    cfg_put_string(r, "ssh_user", t->ssh_user);
    cfg_put_int(r, "ssh_port", t->ssh_port);
    cfg_put_string(r, "os", t->os);
    text = cfg_to_text(&cfg, "A node template, written by drover. The name is the file's name.");
    config_destroy(&cfg);
    return text;
}

char *
cluster_to_text(const struct dr_cluster *c)
{
    config_t cfg;
    config_setting_t *r, *l;
    char *text;

    config_init(&cfg);
    r = config_root_setting(&cfg);
    cfg_put_string(r, "distribution", distribution_key(c->distribution));
    cfg_put_string(r, "version", c->version);
    cfg_put_string(r, "vcenter", c->vcenter);
    cfg_put_string(r, "recipe", c->recipe);
    cfg_put_string(r, "airgap_bundle", c->airgap_bundle);
    if (c->keep_failed_vms)
        cfg_put_bool(r, "keep_failed_vms", true);
    cloud_to_cfg(r, c);
    l = config_setting_add(r, "pools", CONFIG_TYPE_LIST);
    for (size_t i = 0; i < c->n_pools; i++) {
        const struct dr_pool *p = &c->pools[i];
        config_setting_t *g = config_setting_add(l, NULL, CONFIG_TYPE_GROUP);
        cfg_put_string(g, "name", p->name);
        cfg_put_string(g, "template", p->template);
        cfg_put_int(g, "quantity", p->quantity);
        cfg_put_roles(g, "roles", p->roles);
        cfg_put_string(g, "hostname_prefix", p->hostname_prefix);
        if (p->delete_not_ready_after_s)
            cfg_put_int(g, "delete_not_ready_after", p->delete_not_ready_after_s);
        if (p->keep_failed_vms)
            cfg_put_bool(g, "keep_failed_vms", true);
        if (!p->drain_before_delete)
            cfg_put_bool(g, "drain_before_delete", false);
        if (p->drain_timeout_s > 0 && p->drain_timeout_s != DR_POOL_DRAIN_TIMEOUT_DEFAULT)
            cfg_put_int(g, "drain_timeout", p->drain_timeout_s);
        if (p->max_unhealthy_pct != DR_POOL_MAX_UNHEALTHY_DEFAULT)
            cfg_put_int(g, "max_unhealthy", p->max_unhealthy_pct);
    }
    text = cfg_to_text(&cfg, "A cluster's desired state, written by drover. The name is the "
                             "file's name.");
    config_destroy(&cfg);
    return text;
}

/* The state file's settings for st into cfg's root: its nodes (each as is,
 * a removed one too: a log record says so) and its health when polled;
 * log_seq when nonzero. */
void
status_to_cfg(config_t *cfg, const struct dr_cluster_status *st, unsigned long log_seq)
{
    config_setting_t *l;

    l = config_setting_add(config_root_setting(cfg), "nodes", CONFIG_TYPE_LIST);
    for (size_t i = 0; i < st->n_nodes; i++) {
        const struct dr_node *n = &st->nodes[i];
        config_setting_t *g = config_setting_add(l, NULL, CONFIG_TYPE_GROUP);
        cfg_put_string(g, "name", n->name);
        cfg_put_string(g, "pool", n->pool);
        cfg_put_roles(g, "roles", n->roles);
        cfg_put_string(g, "state", node_state_key(n->state));
        cfg_put_string(g, "step", node_state_key(n->step));
        cfg_put_int(g, "percent", n->percent);
        cfg_put_int(g, "attempts", n->attempts);
        cfg_put_string(g, "vm", n->vm_id);
        cfg_put_string(g, "ip", n->ip);
        cfg_put_string(g, "host_key", n->host_key_fp);
        if (n->ssh_verified)
            cfg_put_bool(g, "ssh_verified", true);
        cfg_put_string(g, "error", n->last_error);
        cfg_put_int64(g, "created", (long long)n->created);
        cfg_put_int64(g, "updated", (long long)n->updated);
        if (n->k8s_ready != DR_K8S_UNPOLLED) {
            cfg_put_string(g, "k8s", k8s_ready_key(n->k8s_ready));
            cfg_put_string(g, "kubelet", n->kubelet_version);
            cfg_put_string(g, "k8s_reason", n->k8s_reason);
            cfg_put_int64(g, "k8s_since", (long long)n->k8s_since);
        }
    }
    if (st->health.api != DR_API_UNPOLLED) {
        config_setting_t *h = config_setting_add(config_root_setting(cfg), "health", CONFIG_TYPE_GROUP);
        cfg_put_string(h, "api", api_state_key(st->health.api));
        cfg_put_int(h, "nodes_ready", st->health.nodes_ready);
        cfg_put_int(h, "nodes_total", st->health.nodes_total);
        cfg_put_int64(h, "polled", (long long)st->health.polled);
        cfg_put_string(h, "error", st->health.error);
    }
    if (log_seq)
        cfg_put_int64(config_root_setting(cfg), "log_seq", (long long)log_seq);
}

char *
status_to_text(const struct dr_cluster_status *st)
{
    config_t cfg;
    char *text;

    config_init(&cfg);
    status_to_cfg(&cfg, st, st->log_seq);
    text = cfg_to_text(&cfg, "A cluster's actual nodes: written by drover, not by hand.");
    config_destroy(&cfg);
    return text;
}

/* What a save checks its text with: the loader of that kind of file. */
enum file_kind { KIND_SETTINGS, KIND_VCENTERS, KIND_TEMPLATE, KIND_CLUSTER, KIND_STATUS };

/* Parse text as the loader would; on a problem fill e with the first one
 * (without a line: the lines are those of a file not yet written). */
static enum dr_err
check_text(const struct dr_store *s, enum file_kind kind, const char *shown, const char *name,
           const char *text, struct dr_error *e)
{
    struct dr_store scratch = {0};
    struct cfg_ctx c = {.s = &scratch, .file = shown};
    enum dr_err rc = DR_E_OK;
    config_t cfg;

    if (cfg_parse_text(&c, text, &cfg)) {
        union {
            struct dr_settings settings;
            struct {
                struct dr_vcenter *v;
                size_t n;
            } vcenters;
            struct dr_template template;
            struct dr_cluster cluster;
            struct dr_cluster_status status;
        } u;
        memset(&u, 0, sizeof u);
        switch (kind) {
        case KIND_SETTINGS:
            settings_defaults(&u.settings);
            parse_settings(&c, &cfg, &u.settings);
            settings_done(&u.settings);
            break;
        case KIND_VCENTERS:
            if (parse_vcenters(&c, &cfg, &u.vcenters.v, &u.vcenters.n)) {
                for (size_t i = 0; i < u.vcenters.n; i++)
                    vcenter_done(&u.vcenters.v[i]);
                free(u.vcenters.v);
            }
            break;
        case KIND_TEMPLATE:
            if (parse_template(&c, &cfg, name, &u.template))
                template_done(&u.template);
            break;
        case KIND_CLUSTER:
            if (parse_cluster(&c, &cfg, name, &u.cluster))
                cluster_done(&u.cluster);
            break;
        case KIND_STATUS:
            if (parse_status(&c, &cfg, name, &u.status))
                cluster_status_done(&u.status);
            break;
        }
    }
    config_destroy(&cfg);
    if (c.errors > 0 && scratch.n_diags > 0) {
        struct dr_diag d = scratch.diags[0];
        d.line = 0;
        char *msg = store_diag_format(&d);
        rc = dr_error_set(e, DR_E_INVAL, _("not saved: %s"), msg);
        free(msg);
    } else if (c.errors > 0) {
        rc = dr_error_set(e, DR_E_INVAL, _("not saved: %s: invalid"), shown);
    }
    (void)s;
    store_diags_clear(&scratch);
    return rc;
}

static enum dr_err
write_file(const struct dr_store *s, bool state, const char *rel, const char *text,
           struct dr_error *e)
{
    char *path = state ? store_state_path(s, rel) : store_config_path(s, rel);
    char *dir = util_dirname(path);
    enum dr_err rc;

    if (s->settings.read_only) {
        rc = dr_error_set(e, DR_E_READONLY, _("%s: not saved: drover is in read-only mode"), rel);
    } else {
        rc = util_mkdir_p(dir, 0700, e);
        /* Everything drover writes may hold something private (passwords,
         * user-data, addresses), so it is all owner-only. */
        if (rc == DR_E_OK)
            rc = util_write_atomic(path, text, strlen(text), 0600, e);
    }
    free(dir);
    free(path);
    return rc;
}

static enum dr_err
check_name(const char *what, const char *name, struct dr_error *e)
{
    if (util_is_dns_label(name))
        return DR_E_OK;
    return dr_error_set(e, DR_E_INVAL,
                        _("not saved: %s name '%s' is not a valid name: use 1 to 63 lowercase "
                          "letters, digits and '-'"),
                        what, name ? name : "");
}

enum dr_err
store_save_settings(struct dr_store *s, const struct dr_settings *v, struct dr_error *e)
{
    char *text = settings_to_text(v);
    enum dr_err rc = check_text(s, KIND_SETTINGS, "drover.cfg", NULL, text, e);
    struct dr_settings copy;

    if (rc == DR_E_OK)
        rc = write_file(s, false, "drover.cfg", text, e);
    free(text);
    if (rc != DR_E_OK)
        return rc;
    settings_copy(&copy, v);
    free(copy.origin.file);
    copy.origin.file = xstrdup("drover.cfg");
    settings_done(&s->settings);
    s->settings = copy;
    return DR_E_OK;
}

enum dr_err
store_save_vcenters(struct dr_store *s, const struct dr_vcenter *v, size_t n, struct dr_error *e)
{
    char *text = vcenters_to_text(v, n);
    enum dr_err rc = check_text(s, KIND_VCENTERS, "vcenters.cfg", NULL, text, e);
    struct dr_vcenter *copy;

    if (rc == DR_E_OK)
        rc = write_file(s, false, "vcenters.cfg", text, e);
    if (text)
        memset(text, 0, strlen(text)); /* it may hold passwords */
    free(text);
    if (rc != DR_E_OK)
        return rc;
    copy = n ? xcalloc(n, sizeof *copy) : NULL;
    for (size_t i = 0; i < n; i++) {
        vcenter_copy(&copy[i], &v[i]);
        free(copy[i].origin.file);
        copy[i].origin.file = xstrdup("vcenters.cfg");
    }
    for (size_t i = 0; i < s->n_vcenters; i++)
        vcenter_done(&s->vcenters[i]);
    free(s->vcenters);
    s->vcenters = copy;
    s->n_vcenters = n;
    s->vcenters_loaded = true;
    return DR_E_OK;
}

enum dr_err
store_save_template(struct dr_store *s, const struct dr_template *t, struct dr_error *e)
{
    enum dr_err rc = check_name(_("template"), t->name, e);
    char *rel, *text;
    size_t i;

    if (rc != DR_E_OK)
        return rc;
    rel = xasprintf("templates/%s.cfg", t->name);
    text = template_to_text(t);
    rc = check_text(s, KIND_TEMPLATE, rel, t->name, text, e);
    if (rc == DR_E_OK)
        rc = write_file(s, false, rel, text, e);
    free(text);
    if (rc == DR_E_OK) {
        for (i = 0; i < s->n_templates && !str_eq(s->templates[i].name, t->name); i++)
            ;
        if (i == s->n_templates)
            s->templates = xrealloc(s->templates, ++s->n_templates * sizeof *s->templates);
        else
            template_done(&s->templates[i]);
        template_copy(&s->templates[i], t);
        free(s->templates[i].origin.file);
        s->templates[i].origin.file = xstrdup(rel);
        s->templates[i].origin.line = 1;
    }
    free(rel);
    return rc;
}

enum dr_err
store_save_cluster(struct dr_store *s, const struct dr_cluster *c, struct dr_error *e)
{
    enum dr_err rc = check_name(_("cluster"), c->name, e);
    char *rel, *text;
    size_t i;

    if (rc != DR_E_OK)
        return rc;
    rel = xasprintf("clusters/%s.cfg", c->name);
    text = cluster_to_text(c);
    rc = check_text(s, KIND_CLUSTER, rel, c->name, text, e);
    if (rc == DR_E_OK)
        rc = write_file(s, false, rel, text, e);
    free(text);
    if (rc == DR_E_OK) {
        for (i = 0; i < s->n_clusters && !str_eq(s->clusters[i].name, c->name); i++)
            ;
        if (i == s->n_clusters)
            s->clusters = xrealloc(s->clusters, ++s->n_clusters * sizeof *s->clusters);
        else
            cluster_done(&s->clusters[i]);
        cluster_copy(&s->clusters[i], c);
        free(s->clusters[i].origin.file);
        s->clusters[i].origin.file = xstrdup(rel);
        s->clusters[i].origin.line = 1;
    }
    free(rel);
    return rc;
}

enum dr_err
store_save_status(struct dr_store *s, const struct dr_cluster_status *st, struct dr_error *e)
{
    enum dr_err rc = check_name(_("cluster"), st->cluster, e);
    struct dr_cluster_status *old = NULL;
    struct dr_cluster_status snap;
    char *rel, *text;
    size_t i;

    if (rc != DR_E_OK)
        return rc;
    for (i = 0; i < s->n_statuses && !str_eq(s->statuses[i].cluster, st->cluster); i++)
        ;
    if (i < s->n_statuses)
        old = &s->statuses[i];
    /* The snapshot includes every record of the log so far: it carries the
     * last one's sequence number (the store's copy's, else st's: what the
     * loader replayed), and the loader skips records up to it (the log's
     * removal below may not happen: a crash). With no record known, a log
     * there holds nothing loaded (a leftover of a cluster of the same name,
     * removed mid-way): it goes first. */
    snap = *st;
    snap.log_seq = old ? old->log_seq : st->log_seq;
    if (old == NULL && snap.log_seq == 0 && !s->settings.read_only)
        store_log_remove(s, st->cluster);
    rel = xasprintf("clusters/%s.state", st->cluster);
    text = status_to_text(&snap);
    rc = check_text(s, KIND_STATUS, rel, st->cluster, text, e);
    if (rc == DR_E_OK)
        rc = write_file(s, true, rel, text, e);
    free(text);
    if (rc == DR_E_OK) {
        store_log_remove(s, st->cluster);
        if (old == NULL) {
            s->statuses = xrealloc(s->statuses, ++s->n_statuses * sizeof *s->statuses);
            old = &s->statuses[i];
        } else {
            cluster_status_done(old);
        }
        cluster_status_copy(old, &snap);
        old->log_records = 0;
        old->log_torn = false;
        free(old->origin.file);
        old->origin.file = xstrdup(rel);
        old->origin.line = 1;
    }
    free(rel);
    return rc;
}

static enum dr_err
remove_file(struct dr_store *s, bool state, const char *rel, struct dr_error *e)
{
    char *path = state ? store_state_path(s, rel) : store_config_path(s, rel);
    enum dr_err rc = DR_E_OK;

    if (s->settings.read_only)
        rc = dr_error_set(e, DR_E_READONLY, _("%s: not removed: drover is in read-only mode"), rel);
    else if (unlink(path) != 0)
        rc = dr_error_set(e, errno == ENOENT ? DR_E_NOTFOUND : DR_E_IO, "%s: %s", rel,
                          strerror(errno));
    free(path);
    return rc;
}

enum dr_err
store_remove_cluster(struct dr_store *s, const char *name, struct dr_error *e)
{
    enum dr_err rc = check_name(_("cluster"), name, e);
    char *rel;

    if (rc != DR_E_OK)
        return rc;
    rel = xasprintf("clusters/%s.cfg", name);
    rc = remove_file(s, false, rel, e);
    free(rel);
    if (rc != DR_E_OK && rc != DR_E_NOTFOUND)
        return rc;
    for (size_t i = 0; i < s->n_clusters; i++) {
        if (str_eq(s->clusters[i].name, name)) {
            cluster_done(&s->clusters[i]);
            memmove(&s->clusters[i], &s->clusters[i + 1],
                    (s->n_clusters - i - 1) * sizeof *s->clusters);
            s->n_clusters--;
            break;
        }
    }
    return rc;
}

enum dr_err
store_remove_status(struct dr_store *s, const char *name, struct dr_error *e)
{
    enum dr_err rc = check_name(_("cluster"), name, e);
    char *rel;

    if (rc != DR_E_OK)
        return rc;
    rel = xasprintf("clusters/%s.state", name);
    rc = remove_file(s, true, rel, e);
    free(rel);
    if (rc != DR_E_OK && rc != DR_E_NOTFOUND)
        return rc;
    /* After the snapshot: a log without one is never read. */
    store_log_remove(s, name);
    for (size_t i = 0; i < s->n_statuses; i++) {
        if (str_eq(s->statuses[i].cluster, name)) {
            cluster_status_done(&s->statuses[i]);
            memmove(&s->statuses[i], &s->statuses[i + 1],
                    (s->n_statuses - i - 1) * sizeof *s->statuses);
            s->n_statuses--;
            break;
        }
    }
    return rc;
}
