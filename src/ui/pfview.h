/* Preflight findings in the console: one request to the engine (a request
 * thread; the answer comes as a DR_EV_REQUEST event), a spinner while it
 * runs, then the findings severity first with the object's path, the file
 * and the fix. Shared by the cluster screen (P), the wizard's review and the
 * template editor's test. Main thread only. */
#ifndef DR_UI_PFVIEW_H
#define DR_UI_PFVIEW_H

#include "ui/ui.h"

struct pfview {
    unsigned req;            /* the request in flight, 0: none */
    struct dr_preflight *pf; /* its findings, once answered */
    char *error;             /* why it could not run */
};

/* Start a check: cluster names a saved cluster, else spec (with tmpl, an
 * unsaved template, may be NULL) is checked as it is. Drops what v had and
 * abandons a request in flight. false (with v->error set) when it could not
 * start. */
bool pfview_start(struct ui *ui, struct pfview *v, const char *cluster,
                  const struct dr_cluster *spec, const struct dr_template *tmpl);
/* Abandon the request in flight (Esc); the findings stay. */
void pfview_abandon(struct ui *ui, struct pfview *v);
/* Take ev when it answers v's request: true then (redraw). */
bool pfview_event(struct ui *ui, struct pfview *v, const struct ui_event *ev);
/* Free what v holds and abandon its request. */
void pfview_done(struct ui *ui, struct pfview *v);
/* Draw from row y, wd columns, at most up to row max (exclusive); returns
 * the next row. Nothing when v holds nothing. */
int pfview_draw(const struct ui *ui, const struct pfview *v, WINDOW *w, int y, int wd, int max);
/* Whether the findings hold an error (the check ran and found one). */
bool pfview_has_errors(const struct pfview *v);

#endif
