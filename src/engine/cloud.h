/* The cluster's cloud provider in the engine (issue 14): which vCenter
 * entry and datacenters the vSphere CPI/CSI get, their manifests for a
 * server's recipe, and the checks `drover validate` runs on the block. */
#ifndef DR_ENGINE_CLOUD_H
#define DR_ENGINE_CLOUD_H

#include "engine/backend.h"
#include "engine/internal.h"
#include "k8s/cloudprov.h"

/* With cloud_provider "vsphere": s->cloud_vcenter becomes a copy of the
 * block's vCenter entry (else the node's), and the step's spec copy gets
 * the templates' datacenters when the block names none. */
void eng_cloud_step_init(struct dr_engine *e, struct eng_step *s);
void eng_cloud_step_done(struct eng_step *s);

/* Whether the charts cannot verify vCenter as drover does: they carry no
 * CA bundle and no pin, so an entry trusted by ca_file or pin, or
 * insecure, gives them insecureFlag. */
bool eng_cloud_insecure(const struct dr_vcenter *v);

/* The CPI/CSI manifests for the step's server node (the password resolved
 * from the entry, registered as a secret for the log); *m and *n as
 * k8s_cloud_manifests. None (DR_E_OK, *n 0) without a cloud provider. */
enum dr_err eng_cloud_manifests(const struct eng_step *s, struct k8s_manifest **m, size_t *n,
                                struct dr_error *e);

/* Preflight's check of the CPI/CSI account's privileges (preflight_cloud.c)
 * on the objects of the placed templates (pl[i] where placed[i]), as that
 * account: findings (a login that fails is one) go to out. */
struct vs_placement;
enum dr_err vsb_preflight_cloud(void *tctx, struct eng_step *s, const struct vs_placement *pl,
                                const bool *placed, size_t n, const struct eng_check_opts *o,
                                struct eng_problems *out);

/* Whether template t's extra_config sets disk.EnableUUID to TRUE. */
bool eng_template_enable_uuid(const struct dr_template *t);
/* Whether a clone of t will have disk.EnableUUID = TRUE: t's extra_config
 * when it sets the key, else the clone source's value src_value (NULL:
 * unset). vSphere reads the value case-insensitively. */
bool eng_clone_enable_uuid(const struct dr_template *t, const char *src_value);

/* engine_check_spec's checks of the cloud provider block: its vCenter entry
 * exists; every template of a pool sets disk.EnableUUID = "TRUE" in
 * extra_config (the CSI driver needs the disks' UUIDs); a warning when the
 * charts cannot verify vCenter as drover does. One line each, naming
 * file:line and the field. */
void eng_check_cloud(const struct dr_check_config *cfg, const struct dr_cluster *spec,
                     char ***problems, char ***warnings);

#endif
