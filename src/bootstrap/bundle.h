/* What an airgap bundle holds, read before any VM exists: drover's own
 * recipes (data/bootstrap/k3s.sh, rke2.sh) stop with exit status 2 when the
 * bundle lacks a file they need, but only on a node, after its clone. */
#ifndef DR_BOOTSTRAP_BUNDLE_H
#define DR_BOOTSTRAP_BUNDLE_H

#include <stdbool.h>

#include "core/err.h"
#include "core/model.h"

/* The files (paths inside the bundle) drover's recipe for dist needs, as
 * that recipe checks them: k3s: k3s and install.sh, and with the vSphere
 * cloud provider charts/rancher-vsphere-{cpi,csi}.tgz (rke2 brings its
 * own charts); rke2: install.sh. NULL-terminated, static. */
const char *const *bundle_needs(enum dr_distribution dist, bool cloud_vsphere);

/* Which of need (NULL-terminated) the tar archive at path (any compression
 * libarchive reads: gzip, zstd, xz, bzip2; "./" prefixes ignored) lacks as
 * a regular file: *missing (strv, NULL when none; the caller frees it with
 * strv_free). Reads the whole archive (a tar has no index: seconds for a
 * bundle of several hundred MB). DR_E_IO when it is not a readable tar. */
enum dr_err bundle_missing(const char *path, const char *const *need, char ***missing,
                           struct dr_error *e);

/* Whether the recipe file at path is drover's own recipe (or a copy of it),
 * by its marker line "# drover-recipe: k3s" / "# drover-recipe: rke2" among
 * its first 32 lines (data/bootstrap/k3s.sh, rke2.sh carry it), not by its
 * path: *dist gets the marker's distribution. false when the file cannot be
 * read or carries no marker. */
bool bundle_recipe_marker(const char *path, enum dr_distribution *dist);

#endif
