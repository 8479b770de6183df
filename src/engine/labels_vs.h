/* A template's tags and custom attributes in the real backend (labels_vs.c):
 * resolved once per template and vCenter, shared by the workers, applied
 * to each clone. Internal to backend_vs.c and its helpers. */
#ifndef DR_ENGINE_LABELS_VS_H
#define DR_ENGINE_LABELS_VS_H

#include "engine/backend.h"
#include "vsphere/vsphere.h"

struct vsb_labels_cache;

struct vsb_labels_cache *vsb_labels_cache_new(void);
void vsb_labels_cache_free(struct vsb_labels_cache *c);

/* The labels of s's template on s's vCenter (session vs), resolved on the
 * first call and kept while the template's tags and custom attributes stay
 * the same. A tag or custom attribute vCenter does not have is DR_E_NOTFOUND
 * with every problem, one a line, in the message (nothing is cached then).
 * *out stays valid until the cache is freed. */
enum dr_err vsb_labels_for(struct vsb_labels_cache *c, struct vs_session *vs,
                           const struct eng_step *s, const struct vs_labels **out,
                           struct dr_error *e);

/* "file:line" of a problem: its list element's line when known, else its
 * field's (newly allocated). */
char *vsb_problem_where(const struct dr_template *t, const struct vs_problem *p);

/* Attach the template's tags to s->node.vm_id and set its custom attributes,
 * with a line in the node's log for each; nothing to do without any. Safe to
 * run again on the same VM. */
enum dr_err vsb_labels_apply(struct vsb_labels_cache *c, struct vs_session *vs, struct eng_step *s,
                             struct dr_error *e);

#endif
