/* Preflight's checks on the real backend (preflight_vs.c), called by
 * gate_vs.c once the templates of one vCenter are resolved. */
#ifndef DR_ENGINE_PREFLIGHT_VS_H
#define DR_ENGINE_PREFLIGHT_VS_H

#include "engine/backend_vs.h"

/* A template with its resolved placement (pl NULL: it did not resolve; the
 * gate's checks said why). */
struct pf_item {
    const struct dr_template *tmpl;
    const struct vs_placement *pl;
    int new_vms;
    char **new_names;
};

/* Every check after placement on the items of one vCenter (vs, vc),
 * findings appended to out. An error only when vCenter could not be asked. */
enum dr_err vsb_preflight(struct vs_session *vs, const struct dr_vcenter *vc,
                          struct pf_item *items, size_t n, const struct eng_check_opts *o,
                          struct eng_problems *out, struct dr_error *e);

#endif
