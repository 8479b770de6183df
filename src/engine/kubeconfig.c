/* The CLI's and console's way to a cluster's kubeconfig (engine.h): the
 * saved file read here, the YAML work done by src/k8s. */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/engine.h"
#include "k8s/kubeconfig.h"

enum dr_err
engine_kubeconfig(const char *state_dir, const char *cluster, char **out, struct dr_error *e)
{
    char *path = xasprintf("%s/kubeconfig/%s.yaml", state_dir, cluster), *text = NULL;
    enum dr_err rc;
    if (access(path, F_OK) != 0)
        rc = dr_error_set(e, DR_E_NOTFOUND, _("cluster %s has no kubeconfig yet (%s): its first "
                                              "server has not finished bootstrapping"),
                          cluster, path);
    else if ((rc = util_read_file(path, &text, NULL, e)) == DR_E_OK)
        rc = k8s_kubeconfig_for_cluster(text, path, cluster, out, e);
    free(text);
    free(path);
    return rc;
}

enum dr_err
engine_kubeconfig_merge(const char *existing, const char *where, const char *add, char **out,
                        struct dr_error *e)
{
    return k8s_kubeconfig_merge(existing, where, add, out, e);
}
