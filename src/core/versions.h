/* The Kubernetes versions the console's cluster wizard offers, per
 * distribution: data/versions.cfg (installed in the package's data folder;
 * $DROVER_DATA_DIR overrides it, as for the recipes), libconfig:
 *     k3s  = [ "v1.31.2+k3s1", ... ];
 *     rke2 = [ "v1.31.2+rke2r1", ... ];
 * newest first. Every entry must be a release tag of its distribution in
 * the form the recipes' installers take (distribution_version_valid). The
 * list only offers: any other valid version can be typed. */
#ifndef DR_CORE_VERSIONS_H
#define DR_CORE_VERSIONS_H

#include "core/err.h"
#include "core/model.h"

struct dr_versions {
    char **of[DR_DIST_RKE2 + 1]; /* NULL-terminated per distribution, or NULL */
};

/* $DROVER_DATA_DIR/versions.cfg, else PKGDATADIR/versions.cfg (newly
 * allocated). */
char *versions_default_path(void);
/* Load path into *out (zeroed first; free with versions_done). DR_E_IO
 * when it cannot be read, DR_E_INVAL for a syntax error or an entry that is
 * not a release tag of its distribution ("path:line: k3s[2]: ..."), or an
 * unknown distribution key; *out is then empty. */
enum dr_err versions_load(const char *path, struct dr_versions *out, struct dr_error *e);
void versions_done(struct dr_versions *v);

#endif
