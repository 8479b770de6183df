/* The checks of a cluster spec that need no vCenter: everything that would
 * otherwise fail only after a VM was cloned, found by `drover validate`, by
 * `drover apply` before any vCenter call and by engine_apply_cluster. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/cloudinit.h"
#include "bootstrap/recipe.h"
#include "core/i18n.h"
#include "core/util.h"
#include "engine/cloud.h"
#include "engine/engine.h"
#include "engine/plan.h"

/* The highest node number plan_node_number() reads back: 6 digits. */
#define NODE_NUMBER_MAX 999999

static void problem(char ***out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(char ***out, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    /* The same problem found through two pools is said once. */
    for (size_t i = 0; *out && (*out)[i]; i++) {
        if (strcmp((*out)[i], s) == 0) {
            free(s);
            return;
        }
    }
    strv_push(out, s);
    free(s);
}

static const struct dr_template *
find_template(const struct dr_check_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_templates; i++) {
        if (str_eq(cfg->templates[i].name, name))
            return &cfg->templates[i];
    }
    return NULL;
}

static bool
vcenter_known(const struct dr_check_config *cfg, const char *name)
{
    for (size_t i = 0; name && i < cfg->n_vcenters; i++) {
        if (str_eq(cfg->vcenters[i].name, name))
            return true;
    }
    return false;
}

/* The template's cloud-init for a node called hostname. */
static void
check_template(const struct dr_template *t, const char *hostname, char ***problems,
               char ***warnings)
{
    struct dr_error e = {0};
    char **w = NULL;

    if (ci_check_template(t, hostname, &w, &e) != DR_E_OK)
        problem(problems, "%s", e.msg);
    for (size_t i = 0; w && w[i]; i++)
        problem(warnings, "%s", w[i]);
    strv_free(&w);
}

size_t
engine_check_template(const struct dr_template *t, char ***problems, char ***warnings)
{
    /* The longest name any node can have (a DNS label: 63 characters). */
    char longest[64];
    size_t before = strv_len(*problems);

    memset(longest, 'x', 63);
    longest[63] = '\0';
    check_template(t, longest, problems, warnings);
    return strv_len(*problems) - before;
}

size_t
engine_check_spec(const struct dr_check_config *cfg, const struct dr_cluster *spec,
                  char ***problems, char ***warnings)
{
    const char *where = spec->origin.file ? spec->origin.file : spec->name;
    size_t before = strv_len(*problems);
    const char *form, *example;

    if (!util_is_dns_label(spec->name))
        problem(problems, _("%s: name: '%s' is not a DNS label (a-z, 0-9, '-')"), where,
                spec->name ? spec->name : "");
    if (!str_empty(spec->version) &&
        !distribution_version_valid(spec->distribution, spec->version, &form, &example))
        problem(problems,
                _("%s: version: '%s' is not a %s release: use %s, e.g. \"%s\" (or leave "
                  "version out for the installer's default)"),
                where, spec->version, distribution_key(spec->distribution), form, example);
    if (!str_empty(spec->recipe) && access(spec->recipe, R_OK) != 0) {
        problem(problems, _("%s: recipe: cannot read %s"), where, spec->recipe);
    } else if (str_empty(spec->recipe)) {
        /* No recipe key: the distribution's own, which the bootstrap step
         * would otherwise find missing only after every clone. */
        char *def = recipe_default_path(spec->distribution);
        if (access(def, R_OK) != 0)
            problem(problems,
                    _("%s: recipe: no recipe is set and %s's default, %s, cannot be read "
                      "(install drover's data with make install, point DROVER_DATA_DIR at the "
                      "folder holding bootstrap/, or set recipe)"),
                    where, distribution_key(spec->distribution), def);
        free(def);
    }
    if (!str_empty(spec->airgap_bundle) && access(spec->airgap_bundle, R_OK) != 0)
        problem(problems, _("%s:%d: airgap_bundle: cannot read %s"), where,
                spec->airgap_line > 0 ? spec->airgap_line : spec->origin.line,
                spec->airgap_bundle);
    if (spec->n_pools == 0)
        problem(problems, _("%s: pools: a cluster needs at least one pool"), where);
    for (size_t i = 0; i < spec->n_pools; i++) {
        const struct dr_pool *p = &spec->pools[i];
        const struct dr_template *t = find_template(cfg, p->template);
        int line = p->origin.line;
        char prefix[128], *longest;

        if (p->quantity < 0)
            problem(problems, _("%s:%d: pools[%zu].quantity: must be >= 0"), where, line, i);
        /* The node's hostname and the VM's name in vCenter. */
        plan_pool_prefix(p, prefix, sizeof prefix);
        longest = plan_node_name(prefix, NODE_NUMBER_MAX);
        if (!util_is_dns_label(longest))
            problem(problems,
                    _("%s:%d: pools[%zu].%s: node names such as '%s' would not be DNS labels "
                      "(1 to 63 lowercase letters, digits and '-'); they are the guests' "
                      "hostnames and the VMs' names"),
                    where, line, i, str_empty(p->hostname_prefix) ? "name" : "hostname_prefix",
                    longest);
        if (t == NULL && !cfg->refs_checked) {
            char *path = xasprintf("%s/templates/%s.cfg", cfg->config_dir ? cfg->config_dir : ".",
                                   p->template ? p->template : "");
            if (access(path, F_OK) == 0 && cfg->loads_reported)
                ; /* its own problems were said */
            else if (access(path, F_OK) == 0)
                problem(problems,
                        _("%s:%d: pools[%zu].template: template '%s' did not load (see "
                          "templates/%s.cfg)"),
                        where, line, i, p->template, p->template);
            else
                problem(problems,
                        _("%s:%d: pools[%zu].template: no template '%s' in %s/templates"), where,
                        line, i, p->template ? p->template : "",
                        cfg->config_dir ? cfg->config_dir : ".");
            free(path);
        } else if (t && !cfg->refs_checked) {
            const char *vc = !str_empty(spec->vcenter) ? spec->vcenter : t->vcenter;
            /* The cluster's vcenter overrides the template's. */
            char *at = !str_empty(spec->vcenter) ? xstrdup(where)
                                                 : template_field_where(t, DR_TF_VCENTER);
            if (!vcenter_known(cfg, vc))
                problem(problems, _("%s: vcenter: no vCenter '%s' in %s/vcenters.cfg"), at,
                        vc ? vc : "", cfg->config_dir ? cfg->config_dir : ".");
            free(at);
        }
        free(longest);
    }
    /* Each template once, as engine_check_template checks it: for the
     * longest name a node can have (its pools' names are checked above), so
     * that validate, preflight and apply report the same guestinfo sizes. */
    for (size_t i = 0; i < spec->n_pools; i++) {
        const struct dr_template *t = find_template(cfg, spec->pools[i].template);
        bool first = true;

        for (size_t j = 0; j < i && t; j++)
            first = first && !str_eq(spec->pools[j].template, t->name);
        if (t && first)
            engine_check_template(t, problems, warnings);
    }
    eng_check_cloud(cfg, spec, problems, warnings);
    return strv_len(*problems) - before;
}
