/* Airgap bundles' contents (libarchive): see bundle.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "bootstrap/bundle.h"
#include "core/i18n.h"
#include "core/util.h"

const char *const *
bundle_needs(enum dr_distribution dist, bool cloud_vsphere)
{
    static const char *const k3s[] = {"k3s", "install.sh", NULL};
    static const char *const k3s_vsphere[] = {"k3s", "install.sh",
                                              "charts/rancher-vsphere-cpi.tgz",
                                              "charts/rancher-vsphere-csi.tgz", NULL};
    static const char *const rke2[] = {"install.sh", NULL};

    if (dist == DR_DIST_RKE2)
        return rke2;
    return cloud_vsphere ? k3s_vsphere : k3s;
}

enum dr_err
bundle_missing(const char *path, const char *const *need, char ***missing, struct dr_error *e)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ent;
    size_t n = 0;
    bool *found;
    enum dr_err rc = DR_E_OK;
    int r;

    *missing = NULL;
    while (need[n])
        n++;
    found = xcalloc(n + 1, sizeof *found);
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        rc = dr_error_set(e, DR_E_IO, _("cannot read %s as a tar archive: %s"), path,
                          archive_error_string(a) ? archive_error_string(a) : "?");
        goto out;
    }
    while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(ent);

        while (name && strncmp(name, "./", 2) == 0)
            name += 2;
        for (size_t i = 0; name && i < n; i++)
            if (archive_entry_filetype(ent) == AE_IFREG && strcmp(name, need[i]) == 0)
                found[i] = true;
        if (archive_read_data_skip(a) != ARCHIVE_OK) {
            r = ARCHIVE_FATAL;
            break;
        }
    }
    if (r != ARCHIVE_EOF) {
        rc = dr_error_set(e, DR_E_IO, _("cannot read %s as a tar archive: %s"), path,
                          archive_error_string(a) ? archive_error_string(a) : "?");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (!found[i]) {
            if (*missing == NULL)
                *missing = xcalloc(1, sizeof **missing);
            strv_push(missing, need[i]);
        }
out:
    archive_read_free(a);
    free(found);
    return rc;
}

bool
bundle_recipe_marker(const char *path, enum dr_distribution *dist)
{
    static const char mark[] = "# drover-recipe:";
    FILE *f = fopen(path, "r");
    char line[256];
    bool found = false;

    if (f == NULL)
        return false;
    for (int n = 0; !found && n < 32 && fgets(line, sizeof line, f); n++) {
        char *v = line + sizeof mark - 1;
        size_t len;

        if (strncmp(line, mark, sizeof mark - 1) != 0)
            continue;
        while (*v == ' ' || *v == '\t')
            v++;
        len = strlen(v);
        while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == '\r' || v[len - 1] == ' ' ||
                           v[len - 1] == '\t'))
            v[--len] = '\0';
        found = distribution_from_key(v, dist);
    }
    fclose(f);
    return found;
}
