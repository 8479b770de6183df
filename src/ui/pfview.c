#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/pfview.h"

static void
set_busy(struct ui *ui, struct pfview *v, bool busy)
{
    if (busy && v->req == 0)
        ui->busy++;
    else if (!busy && v->req != 0 && ui->busy > 0)
        ui->busy--;
}

void
pfview_abandon(struct ui *ui, struct pfview *v)
{
    if (v->req == 0)
        return;
    if (ui->engine)
        engine_abandon_request(ui->engine, v->req);
    set_busy(ui, v, false);
    v->req = 0;
}

void
pfview_done(struct ui *ui, struct pfview *v)
{
    pfview_abandon(ui, v);
    preflight_free(&v->pf);
    xfree(&v->error);
}

bool
pfview_start(struct ui *ui, struct pfview *v, const char *cluster, const struct dr_cluster *spec,
             const struct dr_template *tmpl)
{
    struct dr_error e = { 0 };
    unsigned id = 0;
    enum dr_err rc;

    pfview_done(ui, v);
    if (ui->engine == NULL) {
        v->error = xstrdup(ui->engine_error ? ui->engine_error : _("the engine is not running"));
        return false;
    }
    /* On a request thread of the engine; the answer comes as an event. */
    rc = cluster ? engine_request_preflight(ui->engine, cluster, &id, &e)
                 : engine_request_preflight_spec(ui->engine, spec, tmpl, &id, &e);
    if (rc != DR_E_OK) {
        v->error = xstrdup(dr_error_text(&e));
        return false;
    }
    set_busy(ui, v, true);
    v->req = id;
    return true;
}

bool
pfview_event(struct ui *ui, struct pfview *v, const struct ui_event *ev)
{
    if (ev->kind != UI_EV_ENGINE || ev->ev == NULL || ev->ev->kind != DR_EV_REQUEST ||
        v->req == 0 || ev->ev->request != v->req)
        return false;
    set_busy(ui, v, false);
    v->req = 0;
    v->pf = engine_take_preflight(ui->engine, ev->ev->request);
    if (v->pf == NULL)
        v->error = xstrdup(ev->ev->text[0] ? ev->ev->text : _("preflight did not run"));
    return true;
}

bool
pfview_has_errors(const struct pfview *v)
{
    return v->pf && v->pf->errors > 0;
}

int
pfview_draw(const struct ui *ui, const struct pfview *v, WINDOW *w, int y, int wd, int max)
{
    char head[160];

    if (v->req == 0 && v->pf == NULL && v->error == NULL)
        return y;
    if (v->req) {
        snprintf(head, sizeof head, _("%s checking against vCenter... (Esc stops)"),
                 ui_spinner(ui));
        ui_draw_field(w, &y, wd, _("Preflight"), head, ROLE_DIM);
        return y;
    }
    if (v->error) {
        ui_draw_field_wrapped(w, &y, max > y + 4 ? max : y + 4, wd, _("Preflight"), v->error,
                              ROLE_STATE_ERROR);
        return y;
    }
    snprintf(head, sizeof head, _("%zu error(s), %zu warning(s)"), v->pf->errors, v->pf->warnings);
    ui_draw_field(w, &y, wd, _("Preflight"), head,
                  v->pf->errors ? ROLE_STATE_ERROR : ROLE_STATE_ACTIVE);
    for (size_t i = 0; i < v->pf->n && y < max; i++) {
        const struct dr_finding *f = &v->pf->v[i];
        enum ui_role role = f->severity == DR_SEV_ERROR     ? ROLE_STATE_ERROR
                            : f->severity == DR_SEV_WARNING ? ROLE_STATE_PROVISIONING
                                                            : ROLE_DIM;
        /* What and where in vCenter first; the file and the fix below. */
        char *what = xasprintf("%s%s%s%s%s", f->object ? f->object : "", f->object ? ": " : "",
                               f->field ? f->field : "", f->field ? ": " : "", f->message);
        char *how = f->line > 0 ? xasprintf("%s:%d%s%s", f->file ? f->file : "", f->line,
                                            f->fix ? _("; fix: ") : "", f->fix ? f->fix : "")
                                : xasprintf("%s%s", f->fix ? _("fix: ") : "",
                                            f->fix ? f->fix : "");

        /* Wrapped, so that the whole finding and its fix can be read at
         * 80 columns (a cut "..." hid the fix). */
        ui_draw_field_wrapped(w, &y, max, wd, severity_key(f->severity), what, role);
        if (*how && y < max)
            ui_draw_field_wrapped(w, &y, max, wd, "", how, ROLE_DIM);
        free(what);
        free(how);
    }
    return y;
}
