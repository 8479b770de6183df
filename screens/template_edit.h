/* The template editor's draft (screens/template_edit.c) and its list rows
 * (networks, extra_config, tags, custom_attributes: screens/template_lists.c).
 * Main thread only. */
#ifndef DR_SCREENS_TEMPLATE_EDIT_H
#define DR_SCREENS_TEMPLATE_EDIT_H

#include <stddef.h>

#include "core/model.h"
#include "engine/engine.h"
#include "ui/form.h"
#include "ui/listedit.h"

struct tdraft {
    struct dr_template t;
    char *clone_mode; /* "full" or "linked" */
    char **extra;     /* extra_config as "key=value", in order */
    char **attrs;     /* custom_attributes as "name=value", in order */
};

/* d: a draft of t (a deep copy; the lists as the form edits them). */
void tdraft_from(struct tdraft *d, const struct dr_template *t);
void tdraft_done(struct tdraft *d);
/* The template as it would be saved (out overwritten, a deep copy). */
void tdraft_build(const struct tdraft *d, struct dr_template *out);

/* The editor's rows: one per field of the template field table
 * (template_field_keys), then its buttons. n gets the count. */
const struct form_row *template_edit_rows(size_t *n);

/* The list editor's spec for list row key ("networks"...), for the draft
 * d; inv, when not NULL, the vCenter's inventory (networks missing from it
 * are flagged). False for a key that is not a list. */
bool template_list_spec(const char *key, struct tdraft *d, const struct dr_inventory **inv,
                        struct listedit_spec *out);
/* The flag for the networks row: "! N not in vCenter X" when some listed
 * network is not in inv (newly allocated), or NULL. */
char *template_networks_flag(const struct tdraft *d, const struct dr_inventory *inv);

#endif
