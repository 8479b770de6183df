/* Adding, replacing and pinning vCenter entries: the rules `drover vcenter
 * trust` and the console's onboarding share. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

void
vcenter_pin(struct dr_vcenter *v, const char *pin)
{
    free(v->pin);
    v->pin = xstrdup0(pin);
    /* The operator chose this key: it replaces "verify nothing", which
     * cannot stand beside a pin (vcenters.cfg: insecure). */
    v->insecure = false;
}

void
vcenters_put(struct dr_vcenter **v, size_t *n, const struct dr_vcenter *vc)
{
    for (size_t i = 0; i < *n; i++)
        if (str_eq((*v)[i].name, vc->name)) {
            vcenter_done(&(*v)[i]);
            vcenter_copy(&(*v)[i], vc);
            return;
        }
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    vcenter_copy(&(*v)[(*n)++], vc);
}

enum dr_err
store_put_vcenter(struct dr_store *s, const struct dr_vcenter *vc, struct dr_error *e)
{
    char *path = store_config_path(s, "vcenters.cfg");
    struct dr_vcenter *list = NULL;
    size_t n = 0;
    enum dr_err rc = DR_E_OK;
    struct stat st;

    /* What the file holds now, not what was loaded at start: another
     * drover (vcenter trust) may have changed it since. */
    if (stat(path, &st) == 0) {
        struct dr_store scratch = { 0 };

        rc = store_parse_vcenters_file(&scratch, path, &list, &n, e);
        if (rc == DR_E_OK && scratch.n_diags > 0) {
            char *d = store_diag_format(&scratch.diags[0]);
            rc = dr_error_set(e, DR_E_INVAL, _("not saved: %s"), d);
            free(d);
        }
        store_done(&scratch);
    }
    free(path);
    if (rc == DR_E_OK) {
        vcenters_put(&list, &n, vc);
        rc = store_save_vcenters(s, list, n, e);
    }
    for (size_t i = 0; i < n; i++)
        vcenter_done(&list[i]);
    free(list);
    return rc;
}
