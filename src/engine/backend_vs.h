/* Shared by the real backend's files (backend_vs.c, gate_vs.c) only. */
#ifndef DR_ENGINE_BACKEND_VS_H
#define DR_ENGINE_BACKEND_VS_H

#include "engine/backend.h"
#include "vsphere/vsphere.h"

/* The worker's (tctx) logged-in session for vc, set up for step s (cancel
 * flag, time left, progress; s may be NULL). The session stays the
 * worker's. */
enum dr_err vsb_session(void *tctx, const struct dr_vcenter *vc, struct eng_step *s,
                        struct vs_session **out, struct dr_error *e);

/* The backend op check_templates (gate_vs.c). */
enum dr_err vsb_check_templates(void *tctx, struct eng_step *s, const struct eng_check_item *items,
                                size_t n, const struct eng_check_opts *opts,
                                struct eng_problems *out, struct dr_error *e);

#endif
