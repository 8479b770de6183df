#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

/* drover.cfg: every option, its type, its default and its help, in one table
 * (after tmux's options-table.c). The loader, the writer, the defaults and
 * the man page's list all follow it. */
enum option_type {
    OPT_INT,
    OPT_BOOL,
    OPT_STRING,
    OPT_CHOICE,
    OPT_TIMEOUTS, /* group: node step name -> seconds */
    OPT_CIDRS,    /* list of CIDR strings */
    OPT_BINDINGS, /* list of { screen, key, action } */
};

struct option_entry {
    const char *name;
    enum option_type type;
    size_t offset;
    long long min, max, def;
    const char *def_string;
    const char *const *choices;
    const char *help;
};

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};

#define OFF(f) offsetof(struct dr_settings, f)
static const struct option_entry options_table[] = {
    {.name = "workers",
     .type = OPT_INT,
     .offset = OFF(workers),
     .min = 1,
     .max = 64,
     .def = 8,
     .help = N_("engine worker threads")},
    {.name = "read_only",
     .type = OPT_BOOL,
     .offset = OFF(read_only),
     .def = 0,
     .help = N_("never change anything on vCenter or on disk")},
    {.name = "theme",
     .type = OPT_STRING,
     .offset = OFF(theme),
     .def_string = "default",
     .help = N_("colour theme (themes/<name>.theme)")},
    {.name = "log_level",
     .type = OPT_CHOICE,
     .offset = OFF(log_level),
     .def_string = "info",
     .choices = log_levels,
     .help = N_("least important message written to drover.log")},
    {.name = "default_vcenter",
     .type = OPT_STRING,
     .offset = OFF(default_vcenter),
     .help = N_("vCenter used when a cluster names none")},
    {.name = "retries",
     .type = OPT_INT,
     .offset = OFF(retries),
     .min = 0,
     .max = 100,
     .def = 3,
     .help = N_("attempts per pipeline step after the first")},
    {.name = "retry_backoff_ms",
     .type = OPT_INT,
     .offset = OFF(retry_backoff_ms),
     .min = 0,
     .max = 600000,
     .def = 2000,
     .help = N_("first retry delay, doubled each time")},
    /* vCenter queues provisioning per host (16 units, a full clone 4) and
     * per datastore (128 units, a full clone 16): src/engine/admit.h. */
    {.name = "max_clones_per_host",
     .type = OPT_INT,
     .offset = OFF(max_clones_per_host),
     .min = 1,
     .max = 64,
     .def = 4,
     .help = N_("full clones started at once on one ESXi host (a linked clone counts 1/4)")},
    {.name = "max_clones_per_datastore",
     .type = OPT_INT,
     .offset = OFF(max_clones_per_datastore),
     .min = 1,
     .max = 128,
     .def = 8,
     .help = N_("full clones started at once on one datastore (a linked clone counts 1/16)")},
    {.name = "timeouts",
     .type = OPT_TIMEOUTS,
     .offset = OFF(step_timeout_s),
     .min = 1,
     .max = 604800,
     .help = N_("per-step timeouts in seconds, by step name")},
    {.name = "preflight_margin_pct",
     .type = OPT_INT,
     .offset = OFF(preflight_margin_pct),
     .min = 0,
     .max = 100,
     .def = 10,
     .help = N_("datastore space preflight keeps free beyond the new disks (percent of them)")},
    /* Rancher's cluster agent reports node health every 30 s or so; a day
     * is the longest interval that still means "watched". */
    {.name = "health_interval",
     .type = OPT_INT,
     .offset = OFF(health_interval_s),
     .min = 0,
     .max = 86400,
     .def = 30,
     .help = N_("seconds between polls of each active cluster's Kubernetes API (0: off)")},
    /* A kubelet registers within seconds to minutes of its service start
     * (k3s/rke2 agents); 5 min covers a slow image pull of the CNI. */
    {.name = "register_timeout",
     .type = OPT_INT,
     .offset = OFF(register_timeout_s),
     .min = 0,
     .max = 86400,
     .def = DR_REGISTER_TIMEOUT_DEFAULT,
     .help = N_("seconds a joined node's kubelet has to register Ready with Kubernetes (0: no wait)")},
    {.name = "ip_ignore",
     .type = OPT_CIDRS,
     .offset = OFF(ip_ignore),
     .help = N_("guest addresses (CIDR) the IP wait ignores")},
    {.name = "bind",
     .type = OPT_BINDINGS,
     .offset = OFF(bindings),
     .help = N_("key bindings: { screen, key, action }")},
};
#undef OFF

/* Steps without an entry here have no timeout of their own (0). */
static const struct {
    enum dr_node_state step;
    int seconds;
} default_timeouts[] = {
    {DR_NODE_CLONING, 1800},       {DR_NODE_CONFIGURING, 300},     {DR_NODE_POWERING_ON, 300},
    {DR_NODE_WAITING_FOR_IP, 900}, {DR_NODE_WAITING_FOR_SSH, 600}, {DR_NODE_BOOTSTRAPPING, 1800},
    {DR_NODE_JOINING, 900},        {DR_NODE_REMOVING, 900},
};

#define FIELD(v, o, T) ((T *)((char *)(v) + (o)->offset))

void
settings_defaults(struct dr_settings *v)
{
    memset(v, 0, sizeof *v);
    for (size_t i = 0; i < DR_ARRAY_LEN(options_table); i++) {
        const struct option_entry *o = &options_table[i];
        switch (o->type) {
        case OPT_INT:
            *FIELD(v, o, int) = (int)o->def;
            break;
        case OPT_BOOL:
            *FIELD(v, o, bool) = o->def != 0;
            break;
        case OPT_STRING:
        case OPT_CHOICE:
            *FIELD(v, o, char *) = xstrdup0(o->def_string);
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < DR_ARRAY_LEN(default_timeouts); i++)
        v->step_timeout_s[default_timeouts[i].step] = default_timeouts[i].seconds;
}

static void
bindings_free(struct dr_binding **b, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        free((*b)[i].screen);
        free((*b)[i].key);
        free((*b)[i].action);
        origin_done(&(*b)[i].origin);
    }
    xfree(b);
    *n = 0;
}

void
settings_done(struct dr_settings *v)
{
    free(v->theme);
    free(v->log_level);
    free(v->default_vcenter);
    strv_free(&v->ip_ignore);
    bindings_free(&v->bindings, &v->n_bindings);
    origin_done(&v->origin);
    memset(v, 0, sizeof *v);
}

void
settings_copy(struct dr_settings *dst, const struct dr_settings *src)
{
    *dst = *src;
    dst->theme = xstrdup0(src->theme);
    dst->log_level = xstrdup0(src->log_level);
    dst->default_vcenter = xstrdup0(src->default_vcenter);
    dst->ip_ignore = src->ip_ignore ? strv_dup(src->ip_ignore) : NULL;
    dst->bindings = src->n_bindings ? xcalloc(src->n_bindings, sizeof *dst->bindings) : NULL;
    for (size_t i = 0; i < src->n_bindings; i++) {
        dst->bindings[i].screen = xstrdup0(src->bindings[i].screen);
        dst->bindings[i].key = xstrdup0(src->bindings[i].key);
        dst->bindings[i].action = xstrdup0(src->bindings[i].action);
        dst->bindings[i].origin.file = xstrdup0(src->bindings[i].origin.file);
        dst->bindings[i].origin.line = src->bindings[i].origin.line;
    }
    dst->origin.file = xstrdup0(src->origin.file);
}

static bool
cidr_valid(const char *s)
{
    const char *slash = strchr(s, '/');
    unsigned char buf[16];
    char *addr, *end;
    long bits;
    bool v6;

    if (slash == NULL || slash[1] < '0' || slash[1] > '9') /* no sign, no blank */
        return false;
    addr = xstrndup(s, (size_t)(slash - s));
    v6 = strchr(addr, ':') != NULL;
    bool ok = inet_pton(v6 ? AF_INET6 : AF_INET, addr, buf) == 1;
    free(addr);
    bits = strtol(slash + 1, &end, 10);
    return ok && *end == '\0' && bits >= 0 && bits <= (v6 ? 128 : 32);
}

static void
parse_timeouts(struct cfg_ctx *c, const config_setting_t *g, const struct option_entry *o,
               struct dr_settings *v)
{
    int n;

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        cfg_err(c, g, o->name, _("must be a group of step = seconds;"));
        return;
    }
    n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *st = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(st);
        char *prefix = xasprintf("%s.", o->name);
        enum dr_node_state step;
        if (!node_state_from_key(name, &step)) {
            char *f = cfg_field(prefix, name ? name : "?");
            cfg_err(c, st, f, _("unknown step"));
            free(f);
        } else {
            cfg_get_int(c, g, name, prefix, false, o->min, o->max, &v->step_timeout_s[step]);
        }
        free(prefix);
    }
}

static void
parse_cidrs(struct cfg_ctx *c, const config_setting_t *g, const struct option_entry *o,
            struct dr_settings *v)
{
    char **list = NULL;

    if (!cfg_get_strv(c, g, o->name, NULL, &list))
        return;
    for (size_t i = 0; list[i]; i++) {
        if (!cidr_valid(list[i])) {
            cfg_err(c, config_setting_get_member(g, o->name), o->name,
                    _("'%s' is not an address range like 10.0.0.0/8"), list[i]);
            strv_free(&list);
            return;
        }
    }
    strv_free(&v->ip_ignore);
    v->ip_ignore = list;
}

const char *const settings_bind_keys[] = {"screen", "key", "action", NULL};

static void
parse_bindings(struct cfg_ctx *c, const config_setting_t *l, const struct option_entry *o,
               struct dr_settings *v)
{
    const char *const *keys = settings_bind_keys;
    int n;

    if (config_setting_type(l) != CONFIG_TYPE_LIST) {
        cfg_err(c, l, o->name,
                _("must be a list of { screen = \"...\"; key = \"...\"; action = \"...\"; }"));
        return;
    }
    n = config_setting_length(l);
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(l, (unsigned)i);
        char *p = xasprintf("%s[%d].", o->name, i);
        struct dr_binding b = {0};
        int before = c->errors;
        if (config_setting_type(el) != CONFIG_TYPE_GROUP) {
            cfg_err(c, el, o->name,
                    _("must be a list of { screen = \"...\"; key = \"...\"; "
                      "action = \"...\"; }"));
        } else {
            cfg_check_keys(c, el, keys, p);
            if (!cfg_get_string(c, el, "screen", p, false, &b.screen))
                b.screen = xstrdup("global");
            cfg_get_string(c, el, "key", p, true, &b.key);
            cfg_get_string(c, el, "action", p, true, &b.action);
        }
        if (c->errors == before) {
            b.origin.file = xstrdup(c->file);
            b.origin.line = cfg_line(el);
            v->bindings = xrealloc(v->bindings, (v->n_bindings + 1) * sizeof *v->bindings);
            v->bindings[v->n_bindings++] = b;
        } else {
            free(b.screen);
            free(b.key);
            free(b.action);
        }
        free(p);
    }
}

static void
parse_choice(struct cfg_ctx *c, const config_setting_t *root, const struct option_entry *o,
             struct dr_settings *v)
{
    char *val = NULL;

    if (!cfg_get_string(c, root, o->name, NULL, false, &val))
        return;
    for (const char *const *ch = o->choices; *ch; ch++) {
        if (strcmp(*ch, val) == 0) {
            free(*FIELD(v, o, char *));
            *FIELD(v, o, char *) = val;
            return;
        }
    }
    char list[256] = "";
    for (const char *const *ch = o->choices; *ch; ch++) {
        if (list[0])
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, *ch, sizeof list - strlen(list) - 1);
    }
    cfg_err(c, config_setting_get_member(root, o->name), o->name, _("'%s' is not one of: %s"), val,
            list);
    free(val);
}

bool
parse_settings(struct cfg_ctx *c, config_t *cfg, struct dr_settings *out)
{
    const config_setting_t *root = config_root_setting(cfg);
    const char *keys[DR_ARRAY_LEN(options_table) + 1];
    struct dr_settings v;
    int before = c->errors;

    for (size_t i = 0; i < DR_ARRAY_LEN(options_table); i++)
        keys[i] = options_table[i].name;
    keys[DR_ARRAY_LEN(options_table)] = NULL;
    cfg_check_keys(c, root, keys, NULL);
    settings_defaults(&v);
    for (size_t i = 0; i < DR_ARRAY_LEN(options_table); i++) {
        const struct option_entry *o = &options_table[i];
        const config_setting_t *st = config_setting_get_member(root, o->name);
        if (st == NULL)
            continue;
        switch (o->type) {
        case OPT_INT:
            cfg_get_int(c, root, o->name, NULL, false, o->min, o->max, FIELD(&v, o, int));
            break;
        case OPT_BOOL:
            cfg_get_bool(c, root, o->name, NULL, FIELD(&v, o, bool));
            break;
        case OPT_STRING:
            cfg_get_string(c, root, o->name, NULL, false, FIELD(&v, o, char *));
            break;
        case OPT_CHOICE:
            parse_choice(c, root, o, &v);
            break;
        case OPT_TIMEOUTS:
            parse_timeouts(c, st, o, &v);
            break;
        case OPT_CIDRS:
            parse_cidrs(c, root, o, &v);
            break;
        case OPT_BINDINGS:
            parse_bindings(c, st, o, &v);
            break;
        }
    }
    if (v.default_vcenter && !util_is_dns_label(v.default_vcenter))
        cfg_check_name(c, config_setting_get_member(root, "default_vcenter"), "default_vcenter",
                       v.default_vcenter);
    if (c->errors != before) {
        settings_done(&v);
        return false;
    }
    v.origin.file = xstrdup(c->file);
    settings_done(out);
    *out = v;
    return true;
}

char *
settings_to_text(const struct dr_settings *v)
{
    config_t cfg;
    config_setting_t *root;
    char *text;

    config_init(&cfg);
    root = config_root_setting(&cfg);
    for (size_t i = 0; i < DR_ARRAY_LEN(options_table); i++) {
        const struct option_entry *o = &options_table[i];
        switch (o->type) {
        case OPT_INT:
            cfg_put_int(root, o->name, *FIELD(v, o, const int));
            break;
        case OPT_BOOL:
            cfg_put_bool(root, o->name, *FIELD(v, o, const bool));
            break;
        case OPT_STRING:
        case OPT_CHOICE:
            cfg_put_string(root, o->name, *FIELD(v, o, char *const));
            break;
        case OPT_TIMEOUTS: {
            config_setting_t *g = config_setting_add(root, o->name, CONFIG_TYPE_GROUP);
            for (int s = 0; s < DR_NODE__COUNT; s++) {
                if (v->step_timeout_s[s] > 0)
                    cfg_put_int(g, node_state_key((enum dr_node_state)s), v->step_timeout_s[s]);
            }
            break;
        }
        case OPT_CIDRS:
            cfg_put_strv(root, o->name, v->ip_ignore);
            break;
        case OPT_BINDINGS: {
            if (v->n_bindings == 0)
                break;
            config_setting_t *l = config_setting_add(root, o->name, CONFIG_TYPE_LIST);
            for (size_t b = 0; b < v->n_bindings; b++) {
                config_setting_t *g = config_setting_add(l, NULL, CONFIG_TYPE_GROUP);
                cfg_put_string(g, "screen", v->bindings[b].screen);
                cfg_put_string(g, "key", v->bindings[b].key);
                cfg_put_string(g, "action", v->bindings[b].action);
            }
            break;
        }
        }
    }
    text = cfg_to_text(&cfg, "drover.cfg: settings, written by drover (see drover(1))");
    config_destroy(&cfg);
    return text;
}

/* For `drover --help`-like listings and the man page: name, default, help. */
size_t
settings_option_count(void)
{
    return DR_ARRAY_LEN(options_table);
}

const char *
settings_option_name(size_t i, const char **help)
{
    if (i >= DR_ARRAY_LEN(options_table))
        return NULL;
    if (help)
        *help = _(options_table[i].help);
    return options_table[i].name;
}
