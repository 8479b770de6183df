/* The cluster wizard's draft (screens/wizard.c) and its conversions to and
 * from a cluster spec, with the forms' checks (screens/wizard_spec.c).
 * Main thread only. */
#ifndef DR_SCREENS_WIZARD_H
#define DR_SCREENS_WIZARD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "core/store.h"
#include "ui/form.h"

#define MAX_POOLS 16

struct wpool {
    char *name;
    char *template;
    int quantity;
    bool etcd, control_plane, worker;
    char *prefix;
    int dnr_s;
    bool drain;
    int drain_timeout_s, max_unhealthy;
    bool keep_failed_vms; /* kept as it was (not in the form) */
};

struct wdraft {
    char *key;     /* "" for a new cluster, "=NAME" when editing NAME */
    char *saved;   /* editing: the spec's text as it is saved now */
    bool keep_failed_vms;
    char *name, *vcenter, *distribution, *version, *recipe, *airgap;
    /* The cloud provider: "none" or "vsphere" (NULL: none), its vCenter
     * entry, datacenters (comma-separated) and StorageClass. */
    char *cloud, *cloud_vcenter, *cloud_dcs;
    bool sc_on, sc_default;
    char *sc_name, *sc_url, *sc_policy, *sc_reclaim;
    struct wpool pools[MAX_POOLS];
    size_t n_pools;
    struct wpool pool; /* the pool form's */
    int editing;       /* its index, -1 for a new one */
};

/* The forms' rows (wizard_rows.c); rows shown now (form_ops.shown): the
 * cloud provider's only with "vsphere", the StorageClass's when it is on. */
extern const struct form_row wizard_cluster_rows[];
extern const size_t wizard_n_cluster_rows;
extern const struct form_row wizard_pool_rows[];
extern const size_t wizard_n_pool_rows;
bool wizard_row_shown(const void *model, const struct form_row *r, void *ctx);
/* The draft's cloud provider fields from c, and freed (wizard_spec.c). */
void wizard_cloud_from(struct wdraft *d, const struct dr_cluster *c);
void wizard_cloud_done(struct wdraft *d);

/* Free p's strings and zero it. */
void wpool_done(struct wpool *p);
/* d: a deep copy of s. */
void wpool_copy(struct wpool *d, const struct wpool *s);
/* The spec's pool for w (p is overwritten; cluster_done frees it with the spec). */
void to_pool(const struct wpool *w, struct dr_pool *p);
void from_pool(struct wpool *w, const struct dr_pool *p);
/* The spec as it would be saved (c overwritten, the caller frees it with
 * cluster_done); with_pool adds the pool form's pool (at its index, or at
 * the end for a new one). */
void wizard_build(const struct wdraft *d, bool with_pool, struct dr_cluster *c);
/* The forms' checks (form_ops.check; model is a struct wdraft): the cluster
 * form's own fields, and the pool form's pool, in validate's words. */
size_t wizard_check_cluster(const void *model, struct dr_diag **out);
size_t wizard_check_pool(const void *model, struct dr_diag **out);
/* A pool as the wizard opens a new one, nothing typed ('a' then Esc adds
 * nothing). */
bool wizard_pool_untouched(const struct wpool *p);
/* Whether pool p has a problem of its own (the pool form's checks, with
 * draft's cluster fields): marked "incomplete" in the pools list. */
bool wizard_pool_incomplete(const struct wdraft *draft, const struct wpool *p);
/* The review's problems then warnings, each wrapped whole at wd - 2 columns
 * from row y up to row max (exclusive); returns the next row. */
int wizard_draw_problems(WINDOW *win, int y, int max, int wd, char **problems, char **warnings);
/* The choices of the vCenter and template rows: the names in the store
 * (a strv, "" alone when there are none). */
char **wizard_vcenter_names(const struct dr_store *s);
char **wizard_template_names(const struct dr_store *s);
/* The version row's help for distribution d with known versions v (NULL:
 * none, because of error), newly allocated. */
char *wizard_version_help(enum dr_distribution d, char *const *v, const char *error);

#endif
