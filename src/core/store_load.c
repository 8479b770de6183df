#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/guestos.h"
#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

/* Guest-side keys that drover writes itself (DESIGN.md, CONFIGURING),
 * compared without regard to case: a VM's .vmx keys are case-insensitive
 * (VMware: "guestinfo.Foo" and "GUESTINFO.foo" are one variable), so
 * "GuestInfo.UserData" would be a second spelling of drover's own key. */
static bool
extra_config_reserved(const char *key)
{
    return strcasecmp(key, "guestinfo.userdata") == 0 ||
           strcasecmp(key, "guestinfo.userdata.encoding") == 0 ||
           strcasecmp(key, "guestinfo.metadata") == 0 ||
           strcasecmp(key, "guestinfo.metadata.encoding") == 0 ||
           strncasecmp(key, "guestinfo.drover.", strlen("guestinfo.drover.")) == 0;
}

/* extra_config: no reserved key, and no key twice (in any case: the .vmx
 * would keep one of them). Each problem at its element's line. */
static void
check_extra_config(struct cfg_ctx *c, const config_setting_t *list, const struct dr_kv *kv,
                   size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(list, (unsigned)i);
        char *f = xasprintf("extra_config[%zu].key", i);

        if (el == NULL)
            el = list;
        if (extra_config_reserved(kv[i].key))
            cfg_err(c, el, f, _("'%s' is set by drover itself"), kv[i].key);
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(kv[i].key, kv[j].key) == 0) {
                if (str_eq(kv[i].key, kv[j].key))
                    cfg_err(c, el, f, _("duplicate key '%s' (first at line %d)"), kv[i].key,
                            cfg_line(config_setting_get_elem(list, (unsigned)j)));
                else
                    cfg_err(c, el, f,
                            _("'%s' is the key '%s' of line %d spelt in another case; a VM's "
                              ".vmx keys are case-insensitive, so the VM would keep only one: "
                              "give it once"),
                            kv[i].key, kv[j].key,
                            cfg_line(config_setting_get_elem(list, (unsigned)j)));
                break;
            }
        free(f);
    }
}

/* Names of other files' things are reported without failing this file:
 * the file on its own is fine, and the operator still sees it listed. */
static void
check_vcenter_ref(struct cfg_ctx *c, const config_setting_t *at, const char *name)
{
    if (c->check_refs && c->vcenters_known && !store_find_vcenter(c->s, name))
        cfg_note(c, at, "vcenter", _("vcenter '%s' is not defined in vcenters.cfg"), name);
}

static void
check_absolute(struct cfg_ctx *c, const config_setting_t *g, const char *prefix, const char *key,
               const char *value)
{
    if (value && value[0] != '/') {
        char *f = cfg_field(prefix, key);
        cfg_err(c, config_setting_get_member(g, key), f, _("must be an absolute path"));
        free(f);
    }
}

/* "https://user:pw@host/...": an '@' before the end of the authority. */
static bool
url_has_userinfo(const char *url)
{
    const char *host = strstr(url, "://");

    host = host ? host + 3 : url;
    return memchr(host, '@', strcspn(host, "/?#")) != NULL;
}

/* proxy = "none", or a URL of a proxy scheme libcurl speaks with a host
 * (the URL itself is libcurl's to parse when the session is made). */
static bool
proxy_ok(const char *v)
{
    static const char *const schemes[] = {"http://",   "https://",  "socks4://",
                                          "socks4a://", "socks5://", "socks5h://"};

    if (strcmp(v, "none") == 0)
        return true;
    for (size_t i = 0; i < DR_ARRAY_LEN(schemes); i++) {
        size_t n = strlen(schemes[i]);
        if (strncasecmp(v, schemes[i], n) == 0)
            return v[n] != '\0' && v[n] != '/' && v[n] != ':' && !strpbrk(v, " \t\r\n");
    }
    return false;
}

/* The keys of one vcenters.cfg entry (store.h). */
const char *const store_vcenter_keys[] = {
    "name",         "url",     "user", "password", "password_file",
    "password_env", "ca_file", "pin",  "insecure", "timeout",
    "proxy",        NULL,
};

static bool
parse_one_vcenter(struct cfg_ctx *c, const config_setting_t *g, int idx, struct dr_vcenter *v)
{
    const char *const *keys = store_vcenter_keys;
    char *p = xasprintf("vcenters[%d].", idx);
    int before = c->errors, sources = 0;

    memset(v, 0, sizeof *v);
    v->timeout_s = 60;
    cfg_check_keys(c, g, keys, p);
    if (cfg_get_string(c, g, "name", p, true, &v->name)) {
        char *f = cfg_field(p, "name");
        cfg_check_name(c, config_setting_get_member(g, "name"), f, v->name);
        free(f);
    }
    if (cfg_get_string(c, g, "url", p, true, &v->url) && !str_has_prefix(v->url, "https://")) {
        char *f = cfg_field(p, "url");
        cfg_err(c, config_setting_get_member(g, "url"), f,
                _("must start with https:// (e.g. https://vcenter.example.com/sdk)"));
        free(f);
    } else if (v->url && url_has_userinfo(v->url)) {
        /* The url is shown in lists and error messages, and libcurl would
         * send a password found there as basic auth. */
        char *f = cfg_field(p, "url");
        cfg_err(c, config_setting_get_member(g, "url"), f,
                _("must not hold a user name or password; use user and password_file"));
        free(f);
    }
    cfg_get_string(c, g, "user", p, true, &v->user);
    sources += cfg_get_string(c, g, "password", p, false, &v->password);
    sources += cfg_get_string(c, g, "password_file", p, false, &v->password_file);
    sources += cfg_get_string(c, g, "password_env", p, false, &v->password_env);
    if (sources > 1) {
        char *f = cfg_field(p, "password");
        cfg_err(c, g, f, _("give only one of password, password_file and password_env"));
        free(f);
    }
    check_absolute(c, g, p, "password_file", v->password_file);
    cfg_get_string(c, g, "ca_file", p, false, &v->ca_file);
    check_absolute(c, g, p, "ca_file", v->ca_file);
    if (cfg_get_string(c, g, "pin", p, false, &v->pin) &&
        (!str_has_prefix(v->pin, "sha256//") || strlen(v->pin) != 8 + 44)) {
        char *f = cfg_field(p, "pin");
        cfg_err(c, config_setting_get_member(g, "pin"), f,
                _("must be sha256// followed by the base64 SHA-256 of the public key"));
        free(f);
    }
    cfg_get_bool(c, g, "insecure", p, &v->insecure);
    if (v->insecure && (v->pin || v->ca_file)) {
        char *f = cfg_field(p, "insecure");
        cfg_err(c, config_setting_get_member(g, "insecure"), f,
                _("cannot be combined with pin or ca_file"));
        free(f);
    }
    cfg_get_int(c, g, "timeout", p, false, 1, 3600, &v->timeout_s);
    if (cfg_get_string(c, g, "proxy", p, false, &v->proxy) && !proxy_ok(v->proxy)) {
        char *f = cfg_field(p, "proxy");
        cfg_err(c, config_setting_get_member(g, "proxy"), f,
                _("must be \"none\" or a proxy URL (http://, https://, socks4://, "
                  "socks4a://, socks5:// or socks5h:// and a host, e.g. "
                  "http://proxy.example.com:3128)"));
        free(f);
    }
    free(p);
    v->origin.file = xstrdup(c->file);
    v->origin.line = cfg_line(g);
    return c->errors == before;
}

/* The top-level keys of vcenters.cfg (store.h). */
const char *const store_vcenters_file_keys[] = {"vcenters", NULL};

bool
parse_vcenters(struct cfg_ctx *c, config_t *cfg, struct dr_vcenter **out, size_t *n_out)
{
    const char *const *keys = store_vcenters_file_keys;
    const config_setting_t *root = config_root_setting(cfg);
    const config_setting_t *l;
    struct dr_vcenter *v = NULL;
    size_t n = 0;
    int before = c->errors;

    cfg_check_keys(c, root, keys, NULL);
    l = config_setting_get_member(root, "vcenters");
    if (l && config_setting_type(l) != CONFIG_TYPE_LIST) {
        cfg_err(c, l, "vcenters", _("must be a list of groups: vcenters = ( { ... } );"));
        l = NULL;
    }
    for (int i = 0; l && i < config_setting_length(l); i++) {
        const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
        char *f = xasprintf("vcenters[%d]", i);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            cfg_err(c, g, f, _("must be a group { name = ...; url = ...; }"));
            free(f);
            continue;
        }
        v = xrealloc(v, (n + 1) * sizeof *v);
        parse_one_vcenter(c, g, i, &v[n]);
        for (size_t j = 0; j < n && v[n].name; j++) {
            if (str_eq(v[j].name, v[n].name)) {
                char *nf = xasprintf("%s.name", f);
                cfg_err(c, g, nf, _("duplicate name '%s' (first at line %d)"), v[n].name,
                        v[j].origin.line);
                free(nf);
                break;
            }
        }
        n++;
        free(f);
    }
    if (c->errors != before) {
        for (size_t i = 0; i < n; i++)
            vcenter_done(&v[i]);
        free(v);
        return false;
    }
    *out = v;
    *n_out = n;
    return true;
}

/* The source line of each element of a list setting, for messages that
 * name one element ("tags[1]"); NULL for an empty list. */
static int *
element_lines(const config_setting_t *list)
{
    int n = list ? config_setting_length(list) : 0;
    int *lines;

    if (n <= 0)
        return NULL;
    lines = xcalloc((size_t)n, sizeof *lines);
    for (int i = 0; i < n; i++)
        lines[i] = cfg_line(config_setting_get_elem(list, (unsigned)i));
    return lines;
}

/* A tag is "category/name" or a bare name (the vCenter lookup happens
 * before the first clone): neither part may be empty. */
static void
check_tags(struct cfg_ctx *c, const config_setting_t *list, char *const *tags)
{
    for (size_t i = 0; tags && tags[i]; i++) {
        const char *slash = strchr(tags[i], '/');
        char *f;

        if (slash == NULL || (slash != tags[i] && slash[1] != '\0'))
            continue;
        f = xasprintf("tags[%zu]", i);
        cfg_err(c, config_setting_get_elem(list, (unsigned)i), f,
                _("'%s': write category/name (or a tag name alone; %%2f for a '/' inside a "
                  "name)"),
                tags[i]);
        free(f);
    }
}

/* A VM has one value per custom attribute: a key listed twice is a mistake. */
static void
check_attribute_keys(struct cfg_ctx *c, const config_setting_t *list, const struct dr_kv *kv,
                     size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (str_eq(kv[i].key, kv[j].key)) {
                char *f = xasprintf("custom_attributes[%zu].key", i);
                cfg_err(c, config_setting_get_elem(list, (unsigned)i), f,
                        _("duplicate key '%s' (first at line %d)"), kv[i].key,
                        cfg_line(config_setting_get_elem(list, (unsigned)j)));
                free(f);
                break;
            }
}

bool
parse_template(struct cfg_ctx *c, config_t *cfg, const char *name, struct dr_template *out)
{
    const char *const *keys = template_field_keys;
    const config_setting_t *root = config_root_setting(cfg);
    struct dr_template t = {0};
    char *mode = NULL;
    int before = c->errors;

    t.cpus = 2;
    t.memory_mib = 4096;
    t.ssh_port = 22;
    t.clone_mode = DR_CLONE_FULL;
    cfg_check_name(c, NULL, "name", name);
    t.name = xstrdup(name);
    cfg_check_keys(c, root, keys, NULL);
    if (cfg_get_string(c, root, "vcenter", NULL, true, &t.vcenter) &&
        cfg_check_name(c, config_setting_get_member(root, "vcenter"), "vcenter", t.vcenter))
        check_vcenter_ref(c, config_setting_get_member(root, "vcenter"), t.vcenter);
    cfg_get_string(c, root, "datacenter", NULL, true, &t.datacenter);
    cfg_get_string(c, root, "cluster", NULL, false, &t.cluster);
    /* With a cluster, host names one of its hosts: the clones run there (a
     * CloneVM_Task's location.host), as placement resolves it. */
    cfg_get_string(c, root, "host", NULL, false, &t.host);
    cfg_get_string(c, root, "resource_pool", NULL, false, &t.resource_pool);
    cfg_get_string(c, root, "datastore", NULL, true, &t.datastore);
    cfg_get_string(c, root, "folder", NULL, false, &t.folder);
    if (cfg_get_strv(c, root, "networks", NULL, &t.networks) && strv_len(t.networks) == 0)
        /* An empty list would silently mean the same as no key. */
        cfg_err(c, config_setting_get_member(root, "networks"), "networks",
                _("the list is empty: leave networks out to keep the clone source's network "
                  "adapters, or give the networks the VM's adapters should be on, in order"));
    cfg_get_string(c, root, "clone_from", NULL, true, &t.clone_from);
    if (cfg_get_string(c, root, "clone_mode", NULL, false, &mode) &&
        !clone_mode_from_key(mode, &t.clone_mode))
        cfg_err(c, config_setting_get_member(root, "clone_mode"), "clone_mode",
                _("'%s' is not one of: full, linked"), mode);
    free(mode);
    if (cfg_get_string(c, root, "snapshot", NULL, false, &t.snapshot) &&
        t.clone_mode != DR_CLONE_LINKED)
        cfg_err(c, config_setting_get_member(root, "snapshot"), "snapshot",
                _("only used with clone_mode = \"linked\""));
    cfg_get_int(c, root, "cpus", NULL, false, 1, 768, &t.cpus);
    cfg_get_int(c, root, "memory_mib", NULL, false, 512, 1048576, &t.memory_mib);
    cfg_get_int(c, root, "disk_gib", NULL, false, 0, 65536, &t.disk_gib);
    cfg_get_string(c, root, "user_data", NULL, false, &t.user_data);
    if (cfg_get_kvs(c, root, "extra_config", NULL, &t.extra_config, &t.n_extra_config))
        check_extra_config(c, config_setting_get_member(root, "extra_config"), t.extra_config,
                           t.n_extra_config);
    if (cfg_get_strv(c, root, "tags", NULL, &t.tags)) {
        t.tag_lines = element_lines(config_setting_get_member(root, "tags"));
        check_tags(c, config_setting_get_member(root, "tags"), t.tags);
    }
    if (cfg_get_kvs(c, root, "custom_attributes", NULL, &t.custom_attributes,
                    &t.n_custom_attributes)) {
        t.custom_attribute_lines =
            element_lines(config_setting_get_member(root, "custom_attributes"));
        check_attribute_keys(c, config_setting_get_member(root, "custom_attributes"),
                             t.custom_attributes, t.n_custom_attributes);
    }
    if (!cfg_get_string(c, root, "ssh_user", NULL, false, &t.ssh_user))
        t.ssh_user = xstrdup("drover");
    else if (strspn(t.ssh_user, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(t.ssh_user) ||
             t.ssh_user[0] == '-' || strlen(t.ssh_user) > 32)
        cfg_err(c, config_setting_get_member(root, "ssh_user"), "ssh_user",
                _("'%s' is not a valid user name"), t.ssh_user);
    cfg_get_int(c, root, "ssh_port", NULL, false, 1, 65535, &t.ssh_port);
    if (cfg_get_string(c, root, "os", NULL, false, &t.os) && !guestos_valid(t.os))
        /* Preflight compares it with the clone source's guest OS. */
        cfg_err(c, config_setting_get_member(root, "os"), "os",
                _("'%s' is not a guest OS drover knows: write the clone source's distribution, "
                  "with its version if you like (%s; e.g. \"ubuntu-22.04\", \"debian-12\"), "
                  "or its vSphere guest OS id (e.g. \"ubuntu64Guest\")"),
                t.os, guestos_known());
    if (c->errors != before) {
        template_done(&t);
        return false;
    }
    t.origin.file = xstrdup(c->file);
    t.origin.line = 1;
    for (size_t f = 0; f < DR_TF__COUNT; f++) {
        const config_setting_t *at = config_setting_get_member(root, template_field_keys[f]);
        t.line[f] = at ? cfg_line(at) : 0;
    }
    *out = t;
    return true;
}

/* Node names are the prefix, a '-' unless it ends in one, and a number of 2
 * to 6 digits (engine/plan.c); they are the VMs' names in vCenter (at most 80
 * characters) and the guests' hostnames, so they must be DNS labels (RFC 1123:
 * at most 63 characters). A prefix of at most 56 characters leaves room for
 * the '-' and 6 digits. */
#define PREFIX_MAX 56

static bool
hostname_prefix_valid(const char *p)
{
    size_t n = strlen(p);

    /* The node number follows, so a trailing '-' is fine; the whole name
     * must stay a DNS label. */
    return n > 0 && n <= PREFIX_MAX && p[0] != '-' &&
           strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The keys of one pool of a cluster file (store.h). */
const char *const store_pool_keys[] = {
    "name", "template", "quantity", "roles", "hostname_prefix", "delete_not_ready_after",
    "keep_failed_vms", "drain_before_delete", "drain_timeout", "max_unhealthy", NULL};

static bool
parse_pool(struct cfg_ctx *c, const config_setting_t *g, int idx, struct dr_pool *pl)
{
    const char *const *keys = store_pool_keys;
    char *p = xasprintf("pools[%d].", idx);
    int before = c->errors;

    pool_defaults(pl);
    cfg_check_keys(c, g, keys, p);
    if (cfg_get_string(c, g, "name", p, true, &pl->name)) {
        char *f = cfg_field(p, "name");
        cfg_check_name(c, config_setting_get_member(g, "name"), f, pl->name);
        free(f);
    }
    if (cfg_get_string(c, g, "template", p, true, &pl->template)) {
        const config_setting_t *at = config_setting_get_member(g, "template");
        char *f = cfg_field(p, "template");
        if (cfg_check_name(c, at, f, pl->template) && c->check_refs &&
            !store_find_template(c->s, pl->template)) {
            char *rel = xasprintf("templates/%s.cfg", pl->template);
            char *path = store_config_path(c->s, rel);
            if (access(path, F_OK) == 0)
                cfg_note(c, at, f, _("template '%s' did not load (see %s)"), pl->template, rel);
            else
                cfg_note(c, at, f, _("template '%s' does not exist (no %s)"), pl->template, rel);
            free(path);
            free(rel);
        }
        free(f);
    }
    cfg_get_int(c, g, "quantity", p, false, 0, 1000, &pl->quantity);
    cfg_get_roles(c, g, "roles", p, true, &pl->roles);
    if (cfg_get_string(c, g, "hostname_prefix", p, false, &pl->hostname_prefix) &&
        !hostname_prefix_valid(pl->hostname_prefix)) {
        char *f = cfg_field(p, "hostname_prefix");
        cfg_err(c, config_setting_get_member(g, "hostname_prefix"), f,
                _("'%s' must be 1 to 56 lowercase letters, digits and '-', not starting "
                  "with '-'"),
                pl->hostname_prefix);
        free(f);
    }
    if (pl->hostname_prefix == NULL && pl->name && util_is_dns_label(pl->name) &&
        strlen(pl->name) > PREFIX_MAX) {
        /* Without hostname_prefix the pool's name is the prefix. */
        char *f = cfg_field(p, "name");
        cfg_err(c, config_setting_get_member(g, "name"), f,
                _("'%s' is too long to name nodes (it is their prefix, and '-NN' follows: "
                  "at most %d characters); shorten it or set hostname_prefix"),
                pl->name, PREFIX_MAX);
        free(f);
    }
    cfg_get_int(c, g, "delete_not_ready_after", p, false, 0, 31536000,
                &pl->delete_not_ready_after_s);
    cfg_get_bool(c, g, "keep_failed_vms", p, &pl->keep_failed_vms);
    cfg_get_bool(c, g, "drain_before_delete", p, &pl->drain_before_delete);
    /* A day at most: a drain is bounded (0 would not be). */
    cfg_get_int(c, g, "drain_timeout", p, false, 1, 86400, &pl->drain_timeout_s);
    cfg_get_int(c, g, "max_unhealthy", p, false, 0, 100, &pl->max_unhealthy_pct);
    pl->origin.file = xstrdup(c->file);
    pl->origin.line = cfg_line(g);
    free(p);
    return c->errors == before;
}

/* The top-level keys of a cluster file (store.h). */
const char *const store_cluster_keys[] = {
    "distribution", "version", "vcenter", "recipe", "airgap_bundle", "pools", "keep_failed_vms",
    "cloud_provider", "vsphere", NULL,
};

bool
parse_cluster(struct cfg_ctx *c, config_t *cfg, const char *name, struct dr_cluster *out)
{
    const char *const *keys = store_cluster_keys;
    const config_setting_t *root = config_root_setting(cfg);
    const config_setting_t *l;
    struct dr_cluster cl = {0};
    char *dist = NULL;
    int before = c->errors;

    cfg_check_name(c, NULL, "name", name);
    cl.name = xstrdup(name);
    cl.distribution = DR_DIST_K3S;
    cfg_check_keys(c, root, keys, NULL);
    bool dist_ok = true;
    if (cfg_get_string(c, root, "distribution", NULL, false, &dist) &&
        !(dist_ok = distribution_from_key(dist, &cl.distribution)))
        cfg_err(c, config_setting_get_member(root, "distribution"), "distribution",
                _("'%s' is not one of: k3s, rke2"), dist);
    free(dist);
    const config_setting_t *ver = config_setting_get_member(root, "version");
    const char *form, *example;
    /* An empty string is refused rather than read as absent: it looks like a
     * pinned version but would install whatever is newest. */
    if (ver && config_setting_type(ver) == CONFIG_TYPE_STRING &&
        str_empty(config_setting_get_string(ver))) {
        distribution_version_valid(cl.distribution, NULL, &form, &example);
        cfg_err(c, ver, "version",
                _("is empty: leave version out for the installer's default, or pin a %s "
                  "release as %s, e.g. \"%s\""),
                distribution_key(cl.distribution), form, example);
    } else if (cfg_get_string(c, root, "version", NULL, false, &cl.version) && dist_ok) {
        if (!distribution_version_valid(cl.distribution, cl.version, &form, &example))
            cfg_err(c, config_setting_get_member(root, "version"), "version",
                    _("'%s' is not a %s release: use %s, e.g. \"%s\" (or leave version out "
                      "for the installer's default)"),
                    cl.version, distribution_key(cl.distribution), form, example);
    }
    if (cfg_get_string(c, root, "vcenter", NULL, false, &cl.vcenter) &&
        cfg_check_name(c, config_setting_get_member(root, "vcenter"), "vcenter", cl.vcenter))
        check_vcenter_ref(c, config_setting_get_member(root, "vcenter"), cl.vcenter);
    cfg_get_string(c, root, "recipe", NULL, false, &cl.recipe);
    cfg_get_string(c, root, "airgap_bundle", NULL, false, &cl.airgap_bundle);
    cl.airgap_line = cfg_line(config_setting_get_member(root, "airgap_bundle"));
    cfg_get_bool(c, root, "keep_failed_vms", NULL, &cl.keep_failed_vms);
    parse_cloud(c, root, &cl);
    l = config_setting_get_member(root, "pools");
    if (l == NULL)
        cfg_err(c, NULL, "pools", _("is required"));
    else if (config_setting_type(l) != CONFIG_TYPE_LIST || config_setting_length(l) == 0) {
        cfg_err(c, l, "pools", _("must be a non-empty list of groups: pools = ( { ... } );"));
        l = NULL;
    }
    for (int i = 0; l && i < config_setting_length(l); i++) {
        const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            char *f = xasprintf("pools[%d]", i);
            cfg_err(c, g, f, _("must be a group { name = ...; template = ...; }"));
            free(f);
            continue;
        }
        cl.pools = xrealloc(cl.pools, (cl.n_pools + 1) * sizeof *cl.pools);
        struct dr_pool *pl = &cl.pools[cl.n_pools++];
        parse_pool(c, g, i, pl);
        for (size_t j = 0; j + 1 < cl.n_pools && pl->name; j++) {
            if (str_eq(cl.pools[j].name, pl->name)) {
                char *f = xasprintf("pools[%d].name", i);
                cfg_err(c, g, f, _("duplicate name '%s' (first at line %d)"), pl->name,
                        cl.pools[j].origin.line);
                free(f);
                break;
            }
        }
    }
    if (c->errors == before && l) {
        unsigned all = 0;
        for (size_t i = 0; i < cl.n_pools; i++)
            all |= cl.pools[i].roles;
        if (!(all & DR_ROLE_CONTROL_PLANE))
            cfg_err(c, l, "pools", _("no pool has the control-plane role"));
    }
    if (c->errors != before) {
        cluster_done(&cl);
        return false;
    }
    cl.origin.file = xstrdup(c->file);
    cl.origin.line = 1;
    *out = cl;
    return true;
}

static bool
parse_node(struct cfg_ctx *c, const config_setting_t *g, int idx, const char *cluster,
           struct dr_node *n)
{
    static const char *const keys[] = {"name",    "pool",     "roles",   "state", "step",
                                       "percent", "attempts", "vm",      "ip",    "host_key",
                                       "error",   "created",  "updated", "ssh_verified",
                                       "k8s",     "kubelet",  "k8s_reason", "k8s_since",
                                       NULL};
    char p[32]; /* "nodes[N]." without an allocation: a state file has thousands */
    char *state = NULL, *step = NULL;
    long long t;
    int before = c->errors;

    snprintf(p, sizeof p, "nodes[%d].", idx);
    memset(n, 0, sizeof *n);
    cfg_check_keys(c, g, keys, p);
    n->cluster = xstrdup(cluster);
    if (cfg_get_string(c, g, "name", p, true, &n->name) && !util_is_dns_label(n->name)) {
        char *f = cfg_field(p, "name");
        cfg_check_name(c, cfg_member(c, g, "name"), f, n->name);
        free(f);
    }
    cfg_get_string(c, g, "pool", p, false, &n->pool);
    cfg_get_roles(c, g, "roles", p, false, &n->roles);
    if (cfg_get_string(c, g, "state", p, true, &state) && !node_state_from_key(state, &n->state)) {
        char *f = cfg_field(p, "state");
        cfg_err(c, cfg_member(c, g, "state"), f, _("'%s' is not a node state"), state);
        free(f);
    }
    n->step = n->state;
    if (cfg_get_string(c, g, "step", p, false, &step) && !node_state_from_key(step, &n->step)) {
        char *f = cfg_field(p, "step");
        cfg_err(c, cfg_member(c, g, "step"), f, _("'%s' is not a node state"), step);
        free(f);
    }
    free(state);
    free(step);
    cfg_get_int(c, g, "percent", p, false, 0, 100, &n->percent);
    cfg_get_int(c, g, "attempts", p, false, 0, INT_MAX, &n->attempts);
    cfg_get_string(c, g, "vm", p, false, &n->vm_id);
    cfg_get_string(c, g, "ip", p, false, &n->ip);
    cfg_get_string(c, g, "host_key", p, false, &n->host_key_fp);
    cfg_get_bool(c, g, "ssh_verified", p, &n->ssh_verified);
    cfg_get_string(c, g, "error", p, false, &n->last_error);
    if (cfg_get_int64(c, g, "created", p, 0, LLONG_MAX, &t))
        n->created = (time_t)t;
    if (cfg_get_int64(c, g, "updated", p, 0, LLONG_MAX, &t))
        n->updated = (time_t)t;
    char *k8s = NULL;
    if (cfg_get_string(c, g, "k8s", p, false, &k8s) && !k8s_ready_from_key(k8s, &n->k8s_ready)) {
        char *f = cfg_field(p, "k8s");
        cfg_err(c, cfg_member(c, g, "k8s"), f, _("'%s' is not a Kubernetes readiness"), k8s);
        free(f);
    }
    free(k8s);
    cfg_get_string(c, g, "kubelet", p, false, &n->kubelet_version);
    cfg_get_string(c, g, "k8s_reason", p, false, &n->k8s_reason);
    if (cfg_get_int64(c, g, "k8s_since", p, 0, LLONG_MAX, &t))
        n->k8s_since = (time_t)t;
    return c->errors == before;
}

/* The state file's health group (health polling's last findings). */
static void
parse_health(struct cfg_ctx *c, const config_setting_t *h, struct dr_health *out)
{
    static const char *const keys[] = {"api", "nodes_ready", "nodes_total", "polled", "error", NULL};
    const char *p = "health.";
    char *api = NULL;
    long long t;

    if (config_setting_type(h) != CONFIG_TYPE_GROUP) {
        cfg_err(c, h, "health", _("must be a group { api = ...; }"));
        return;
    }
    cfg_check_keys(c, h, keys, p);
    if (cfg_get_string(c, h, "api", p, false, &api)) {
        if (str_eq(api, "up"))
            out->api = DR_API_UP;
        else if (str_eq(api, "down"))
            out->api = DR_API_DOWN;
        else
            cfg_err(c, cfg_member(c, h, "api"), "health.api", _("'%s' is not up or down"), api);
    }
    free(api);
    cfg_get_int(c, h, "nodes_ready", p, false, 0, INT_MAX, &out->nodes_ready);
    cfg_get_int(c, h, "nodes_total", p, false, 0, INT_MAX, &out->nodes_total);
    if (cfg_get_int64(c, h, "polled", p, 0, LLONG_MAX, &t))
        out->polled = (time_t)t;
    cfg_get_string(c, h, "error", p, false, &out->error);
}

bool
parse_status(struct cfg_ctx *c, config_t *cfg, const char *cluster, struct dr_cluster_status *out)
{
    static const char *const keys[] = {"nodes", "health", "log_seq", NULL};
    const config_setting_t *root = config_root_setting(cfg);
    const config_setting_t *l;
    struct dr_cluster_status st = {0};
    size_t cap = 0;
    int before = c->errors;
    long long seq;

    cfg_check_name(c, NULL, "name", cluster);
    st.cluster = xstrdup(cluster);
    cfg_check_keys(c, root, keys, NULL);
    l = config_setting_get_member(root, "nodes");
    if (l && config_setting_type(l) != CONFIG_TYPE_LIST) {
        cfg_err(c, l, "nodes", _("must be a list of groups: nodes = ( { ... } );"));
        l = NULL;
    }
    for (int i = 0; l && i < config_setting_length(l); i++) {
        const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            char *f = xasprintf("nodes[%d]", i);
            cfg_err(c, g, f, _("must be a group { name = ...; state = ...; }"));
            free(f);
            continue;
        }
        st.nodes = xgrow(st.nodes, &cap, st.n_nodes + 1, sizeof *st.nodes);
        struct dr_node *n = &st.nodes[st.n_nodes++];
        parse_node(c, g, i, cluster, n);
        for (size_t j = 0; j + 1 < st.n_nodes && n->name; j++) {
            if (str_eq(st.nodes[j].name, n->name)) {
                char *f = xasprintf("nodes[%d].name", i);
                cfg_err(c, g, f, _("duplicate name '%s'"), n->name);
                free(f);
                break;
            }
        }
    }
    const config_setting_t *h = config_setting_get_member(root, "health");
    if (h)
        parse_health(c, h, &st.health);
    if (cfg_get_int64(c, root, "log_seq", "", 0, LLONG_MAX, &seq))
        st.log_seq = (unsigned long)seq;
    if (c->errors != before) {
        cluster_status_done(&st);
        return false;
    }
    st.origin.file = xstrdup(c->file);
    st.origin.line = 1;
    *out = st;
    return true;
}

/* Checks that need every file loaded first. */
void
store_check_references(struct dr_store *s, bool vcenters_known)
{
    if (vcenters_known && s->settings.default_vcenter &&
        !store_find_vcenter(s, s->settings.default_vcenter))
        store_diag_add(s, "drover.cfg", 0, "default_vcenter",
                       _("vcenter '%s' is not defined in vcenters.cfg"),
                       s->settings.default_vcenter);
}
