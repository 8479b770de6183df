/* The wizard's known Kubernetes versions (versions.h), read with libconfig. */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "core/versions.h"

char *
versions_default_path(void)
{
    const char *dir = getenv("DROVER_DATA_DIR");

    return xasprintf("%s/versions.cfg", dir && *dir ? dir : PKGDATADIR);
}

void
versions_done(struct dr_versions *v)
{
    for (size_t i = 0; i < DR_ARRAY_LEN(v->of); i++)
        strv_free(&v->of[i]);
}

static enum dr_err
load_list(const char *path, const config_setting_t *list, enum dr_distribution d,
          struct dr_versions *out, struct dr_error *e)
{
    const char *key = config_setting_name(list);

    if (!config_setting_is_array(list))
        return dr_error_set(e, DR_E_INVAL, _("%s:%d: %s: must be a list of version strings"),
                            path, config_setting_source_line(list), key);
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *el = config_setting_get_elem(list, (unsigned)i);
        const char *v = config_setting_get_string(el), *form = NULL, *example = NULL;

        if (v == NULL || !distribution_version_valid(d, v, &form, &example))
            return dr_error_set(e, DR_E_INVAL,
                                _("%s:%d: %s[%d]: '%s' is not a %s release tag (%s, e.g. %s)"),
                                path,
                                config_setting_source_line(el) ? config_setting_source_line(el)
                                                               : config_setting_source_line(list),
                                key, i, v ? v : "",
                                key, form ? form : "", example ? example : "");
        strv_push(&out->of[d], v);
    }
    return DR_E_OK;
}

enum dr_err
versions_load(const char *path, struct dr_versions *out, struct dr_error *e)
{
    config_t cfg;
    const config_setting_t *root;
    enum dr_err rc = DR_E_OK;
    FILE *f;

    memset(out, 0, sizeof *out);
    f = fopen(path, "r");
    if (f == NULL)
        return dr_error_set(e, DR_E_IO, "%s: %s", path, strerror(errno));
    config_init(&cfg);
    if (!config_read(&cfg, f)) {
        rc = dr_error_set(e, DR_E_PARSE, "%s:%d: %s", path, config_error_line(&cfg),
                          config_error_text(&cfg));
        goto out;
    }
    root = config_root_setting(&cfg);
    for (int i = 0; i < config_setting_length(root) && rc == DR_E_OK; i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        enum dr_distribution d;

        if (!distribution_from_key(config_setting_name(s), &d))
            rc = dr_error_set(e, DR_E_INVAL, _("%s:%d: %s: not a distribution (k3s, rke2)"),
                              path, config_setting_source_line(s), config_setting_name(s));
        else
            rc = load_list(path, s, d, out, e);
    }
out:
    config_destroy(&cfg);
    fclose(f);
    if (rc != DR_E_OK)
        versions_done(out);
    return rc;
}
