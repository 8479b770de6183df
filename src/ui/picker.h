/* A picker: a list of vCenter inventory items over ncurses' menu library
 * (libmenuw), fetched through the engine (never on the main thread), each
 * item with its full inventory path and facts, filtered as you type. A
 * spinner turns while the fetch is in flight; Esc abandons it (the engine
 * drops the late answer); Ctrl-R or F5 fetches again past the cache. A saved
 * value that is not in the inventory is shown as it is and flagged; it is
 * never replaced by the first item: only Enter on an item picks. Main thread
 * only. */
#ifndef DR_UI_PICKER_H
#define DR_UI_PICKER_H

#include <stdbool.h>

#include "engine/engine.h"
#include "ui/ui.h"

struct picker;

enum picker_result {
    PICK_NONE,   /* still open */
    PICK_DONE,   /* an item was picked: picker_value() */
    PICK_CANCEL, /* Esc: nothing changes */
};

/* Open over the main pane: items of kind from vcenter, in datacenter (NULL:
 * any) and, for pools and hosts, of the compute cluster or host compute
 * (NULL: any). current is the saved value (may be NULL). The request goes
 * out at once. */
struct picker *picker_open(struct ui *ui, const char *vcenter, enum dr_inv_kind kind,
                           const char *datacenter, const char *compute, const char *current);
/* The same for the snapshots of the template or VM source (a clone_from
 * value) in datacenter: the snapshot names, depth first. */
struct picker *picker_open_snapshots(struct ui *ui, const char *vcenter, const char *datacenter,
                                     const char *source, const char *current);
/* Abandons a fetch in flight and frees. */
void picker_close(struct picker **p);
/* Draw over the pane window w (h x wd). */
void picker_draw(struct picker *p, WINDOW *w, int h, int wd);
/* A key: UI_* flags; *res says whether the picker is done. */
int picker_key(struct picker *p, int key, enum picker_result *res);
/* An engine event (its request's answer): UI_* flags. */
int picker_event(struct picker *p, const struct dr_event *ev);
/* The picked item's template value (valid until picker_close). */
const char *picker_value(const struct picker *p);
/* Whether the saved value was not found in the fetched inventory. */
bool picker_missing(const struct picker *p);

/* Whether value names an item of kind (in datacenter/compute when given) in
 * inv: a saved value that is not is flagged. */
bool inventory_has(const struct dr_inventory *inv, enum dr_inv_kind kind, const char *datacenter,
                   const char *compute, const char *value);
/* The snapshot names of the template or VM that source (a clone_from
 * value) names in inv, or NULL when there is no such source. */
char *const *inventory_snapshots(const struct dr_inventory *inv, const char *datacenter,
                                 const char *source);
/* The facts a picker shows for an item ("120 GiB free of 500 GiB, VMFS"). */
void inventory_facts(const struct dr_inv_item *it, char *buf, size_t len);

#endif
