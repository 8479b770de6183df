/* Adding a vCenter from the console: a form (name, URL, user, where the
 * password comes from), then the certificate as `drover vcenter trust`
 * shows it, pinned only when the operator says so, then a login check, then
 * a save through the engine and the store (vcenters.cfg, atomic, 0600).
 * Every network step is an engine request (never on this thread); Esc steps
 * back, and what was typed stays for the next time the screen opens until it
 * is saved. The password is never drawn and never logged. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/form.h"
#include "ui/keymap.h"
#include "ui/ui.h"

enum step { STEP_FORM, STEP_CERT_WAIT, STEP_CERT, STEP_LOGIN_WAIT };

/* The password's sources, as the form offers them (stored untranslated). */
static const char *const sources[] = {
    N_("typed here, kept in vcenters.cfg (0600)"),
    N_("a password file"),
    N_("an environment variable"),
    NULL,
};

struct draft {
    struct dr_vcenter vc;
    char *source; /* one of sources[] */
};

/* What was typed survives leaving the screen until it is saved. */
static struct draft kept;
static bool kept_valid;

static const struct form_row rows[] = {
    {.key = "name", .label = N_("Name"), .kind = FK_TEXT, .off = offsetof(struct draft, vc.name),
     .help = N_("How templates and clusters refer to it: lowercase letters, digits and '-'")},
    {.key = "url", .label = N_("URL"), .kind = FK_TEXT, .off = offsetof(struct draft, vc.url),
     .help = N_("https://vcenter.example.com/sdk")},
    {.key = "user", .label = N_("User"), .kind = FK_TEXT, .off = offsetof(struct draft, vc.user),
     .help = N_("e.g. administrator@vsphere.local")},
    {.key = "source", .label = N_("Password from"), .kind = FK_CHOICE,
     .off = offsetof(struct draft, source), .choices = sources,
     .help = N_("Space or Enter chooses where drover reads the password")},
    {.key = "password", .label = N_("Password"), .kind = FK_SECRET,
     .off = offsetof(struct draft, vc.password),
     .help = N_("Not shown; kept in vcenters.cfg, which only you can read")},
    {.key = "password_file", .label = N_("Password file"), .kind = FK_TEXT,
     .off = offsetof(struct draft, vc.password_file),
     .help = N_("An absolute path to a file only you can read (chmod 600)")},
    {.key = "password_env", .label = N_("Environment variable"), .kind = FK_TEXT,
     .off = offsetof(struct draft, vc.password_env),
     .help = N_("The variable's name; drover reads it when it connects")},
    {.key = "connect", .label = N_("Connect and show the certificate"), .kind = FK_BUTTON},
};

struct vcadd {
    struct ui *ui;
    struct form *form;
    enum step step;
    unsigned req;
    struct dr_cert *cert;
    char *pin; /* the pin the operator confirmed, while the login runs */
};

static int
source_index(const struct draft *d)
{
    for (int i = 0; sources[i]; i++)
        if (str_eq(d->source, sources[i]))
            return i;
    return 0;
}

static bool
shown(const void *model, const struct form_row *r, void *ctx)
{
    int src = source_index(model);

    (void)ctx;
    if (str_eq(r->key, "password"))
        return src == 0;
    if (str_eq(r->key, "password_file"))
        return src == 1;
    if (str_eq(r->key, "password_env"))
        return src == 2;
    return true;
}

/* The entry as it would be saved: only the chosen password source. */
static void
entry(const struct draft *d, struct dr_vcenter *out)
{
    int src = source_index(d);

    vcenter_copy(out, &d->vc);
    if (src != 0)
        xfree(&out->password);
    if (src != 1)
        xfree(&out->password_file);
    if (src != 2)
        xfree(&out->password_env);
    if (out->timeout_s <= 0)
        out->timeout_s = 60;
}

static size_t
check(const void *model, struct dr_diag **out)
{
    struct dr_vcenter v;
    size_t n;

    entry(model, &v);
    n = store_check_vcenter(&v, out);
    vcenter_done(&v);
    return n;
}

static void
busy(struct vcadd *s, bool on)
{
    if (on)
        s->ui->busy++;
    else if (s->ui->busy > 0)
        s->ui->busy--;
}

/* Leave a network step for the form (Esc, a failure): nothing typed is lost. */
static void
back_to_form(struct vcadd *s)
{
    if (s->req) {
        if (s->ui->engine)
            engine_abandon_request(s->ui->engine, s->req);
        s->req = 0;
        busy(s, false);
    }
    cert_free(&s->cert);
    xfree(&s->pin);
    s->step = STEP_FORM;
}

static int
connect(struct ui *ui, struct form *f, const struct form_row *r, void *ctx)
{
    struct vcadd *s = ctx;
    struct dr_vcenter v;
    struct dr_error e = { 0 };

    (void)r;
    if (!form_validate(f))
        return UI_REDRAW;
    if (store_find_vcenter(ui->store, kept.vc.name)) {
        form_set_message(f, "name", _("vcenters.cfg already has a vCenter of this name"));
        form_focus(f, "name");
        return UI_REDRAW;
    }
    if (ui->engine == NULL) {
        ui_error(ui, "%s", ui->engine_error ? ui->engine_error : _("the engine is not running"));
        return UI_REDRAW_ALL;
    }
    entry(&kept, &v);
    if (engine_request_cert(ui->engine, &v, &s->req, &e) != DR_E_OK) {
        ui_error(ui, "%s", dr_error_text(&e));
        vcenter_done(&v);
        return UI_REDRAW_ALL;
    }
    vcenter_done(&v);
    busy(s, true);
    s->step = STEP_CERT_WAIT;
    form_hide(f);
    return UI_REDRAW_ALL;
}

static const struct form_ops ops = {
    .check = check,
    .activate = connect,
    .shown = shown,
};

static void *
enter(struct ui *ui, const char *arg)
{
    struct vcadd *s = xcalloc(1, sizeof *s);

    (void)arg;
    s->ui = ui;
    if (!kept_valid) {
        memset(&kept, 0, sizeof kept);
        kept.source = xstrdup(sources[0]);
        kept_valid = true;
    }
    s->form = form_new(ui, rows, DR_ARRAY_LEN(rows), &kept, &ops, s);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct vcadd *s = st;

    (void)ui;
    back_to_form(s);
    form_free(&s->form);
    free(s);
}

static void
forget_draft(void)
{
    vcenter_done(&kept.vc);
    free(kept.source);
    memset(&kept, 0, sizeof kept);
    kept_valid = false;
}

/* A "label: value" line that continues on the next lines when the value
 * is wider than the pane (a fingerprint at 80 columns), broken after a
 * ':', ',' or ' '. Returns the next free row. */
static int
put_line(WINDOW *w, int y, int wd, const char *label, const char *value, enum ui_role role)
{
    int room = wd - 16 - 2 - 1;
    const char *p = value;

    if (room < 10)
        room = 10;
    do {
        size_t len = strlen(p), cut = len;
        char part[512];

        if ((int)len > room) {
            cut = (size_t)room;
            for (size_t i = (size_t)room; i > (size_t)room / 2; i--)
                if (p[i - 1] == ':' || p[i - 1] == ',' || p[i - 1] == ' ') {
                    cut = i;
                    break;
                }
        }
        snprintf(part, sizeof part, "%.*s", (int)cut, p);
        ui_draw_field(w, &y, wd, p == value ? label : "", part, role);
        p += cut;
    } while (*p);
    return y;
}

/* Text broken into lines at spaces, from row y; returns the next row. */
static int
put_text(WINDOW *w, int y, int h, int wd, const char *text, enum ui_role role)
{
    const char *p = text;
    int room = wd - 2;

    wattrset(w, theme_attr(role));
    while (*p && y < h) {
        size_t len = strlen(p), cut = len;

        if ((int)len > room) {
            cut = (size_t)room;
            for (size_t i = (size_t)room; i > 0; i--)
                if (p[i] == ' ') {
                    cut = i;
                    break;
                }
        }
        mvwaddnstr(w, y++, 1, p, (int)cut);
        p += cut;
        while (*p == ' ')
            p++;
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
    return y;
}

static void
draw_cert(struct vcadd *s, WINDOW *w, int h, int wd)
{
    const struct dr_cert *c = s->cert;
    char from[64], until[64], buf[256];
    int y = 2;

    strftime(from, sizeof from, "%Y-%m-%d %H:%M UTC", gmtime(&c->not_before));
    strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", gmtime(&c->not_after));
    y = put_line(w, y, wd, _("Subject"), c->subject ? c->subject : "", ROLE_NORMAL);
    y = put_line(w, y, wd, _("Issuer"), c->issuer ? c->issuer : "", ROLE_NORMAL);
    snprintf(buf, sizeof buf, _("%s to %s%s"), from, until,
             c->not_after < time(NULL) ? _(" (EXPIRED)") : "");
    y = put_line(w, y, wd, _("Valid"), buf,
                 c->not_after < time(NULL) ? ROLE_STATE_ERROR : ROLE_NORMAL);
    y = put_line(w, y, wd, _("SHA-256"), c->sha256_fingerprint ? c->sha256_fingerprint : "",
                 ROLE_TITLE);
    y = put_line(w, y, wd, _("Pin"), c->pin ? c->pin : "", ROLE_NORMAL);
    if (c->verified)
        y = put_line(w, y, wd, _("Trusted"), _("yes, by the system's certificate authorities"),
                     ROLE_STATE_ACTIVE);
    else
        y = put_line(w, y, wd, _("Trusted"), c->verify_error ? c->verify_error : _("no"),
                     ROLE_STATE_ERROR);
    put_text(w, y + 1, h, wd,
             _("Compare the SHA-256 fingerprint with the vCenter's own. Pin this certificate? "
               "y pins it and logs in, n or Esc goes back."),
             ROLE_PROMPT);
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct vcadd *s = st;
    char buf[512];

    if (pane != PANE_MAIN)
        return;
    wattrset(w, theme_attr(ROLE_TITLE));
    /* L10N: the steps of adding a vCenter, the current one in brackets. */
    snprintf(buf, sizeof buf, _("Add a vCenter: %s > %s > %s"),
             s->step == STEP_FORM ? _("[details]") : _("details"),
             s->step == STEP_CERT_WAIT || s->step == STEP_CERT ? _("[certificate]")
                                                               : _("certificate"),
             s->step == STEP_LOGIN_WAIT ? _("[login]") : _("login"));
    mvwaddnstr(w, 0, 1, buf, wd - 2);
    wattrset(w, theme_attr(ROLE_NORMAL));
    if (s->step == STEP_CERT && s->cert) {
        draw_cert(s, w, h, wd);
        return;
    }
    if (s->step == STEP_CERT_WAIT || s->step == STEP_LOGIN_WAIT) {
        snprintf(buf, sizeof buf,
                 s->step == STEP_CERT_WAIT ? _("%s Fetching the certificate of %s... (Esc cancels)")
                                           : _("%s Logging in to %s... (Esc cancels)"),
                 ui_spinner(ui), kept.vc.url ? kept.vc.url : "");
        wattrset(w, theme_attr(ROLE_STATE_PROVISIONING));
        mvwaddnstr(w, 2, 1, buf, wd - 2);
        wattrset(w, theme_attr(ROLE_NORMAL));
        return;
    }
    form_draw(s->form, w, 2, h, wd);
}

static int
login(struct vcadd *s)
{
    struct dr_vcenter v;
    struct dr_error e = { 0 };

    entry(&kept, &v);
    vcenter_pin(&v, s->cert->pin);
    free(s->pin);
    s->pin = xstrdup(s->cert->pin);
    cert_free(&s->cert);
    if (engine_request_login(s->ui->engine, &v, &s->req, &e) != DR_E_OK) {
        vcenter_done(&v);
        back_to_form(s);
        form_set_message(s->form, "connect", dr_error_text(&e));
        return UI_REDRAW_ALL;
    }
    vcenter_done(&v);
    busy(s, true);
    s->step = STEP_LOGIN_WAIT;
    return UI_REDRAW_ALL;
}

static int
key(struct ui *ui, void *st, int k)
{
    struct vcadd *s = st;
    int flags;

    switch (s->step) {
    case STEP_FORM:
        if (k == UI_KEY_ESC) {
            form_commit(s->form);
            ui_pop(ui); /* the draft stays for next time */
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        flags = form_key(s->form, k);
        return flags;
    case STEP_CERT:
        if (k == 'y' || k == 'Y')
            return UI_HANDLED | login(s);
        if (k == 'n' || k == 'N' || k == UI_KEY_ESC) {
            back_to_form(s);
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        return UI_HANDLED;
    case STEP_CERT_WAIT:
    case STEP_LOGIN_WAIT:
        if (k == UI_KEY_ESC) {
            back_to_form(s);
            ui_status(ui, _("Cancelled; nothing was saved"));
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        return UI_HANDLED;
    }
    return UI_UNHANDLED;
}

/* The login worked: save with the pin, and the console knows it at once. */
static int
save(struct vcadd *s, const char *product, const char *pin)
{
    struct ui *ui = s->ui;
    struct dr_vcenter v;
    struct dr_error e = { 0 };
    char *name;

    entry(&kept, &v);
    vcenter_pin(&v, pin);
    if (engine_save_vcenter(ui->engine, &v, &e) != DR_E_OK) {
        form_set_message(s->form, "connect", dr_error_text(&e));
        vcenter_done(&v);
        return UI_REDRAW_ALL;
    }
    vcenters_put(&ui->store->vcenters, &ui->store->n_vcenters, &v);
    ui->store->vcenters_loaded = true;
    name = xstrdup(v.name);
    vcenter_done(&v);
    forget_draft();
    ui_pop(ui);
    /* L10N: a vCenter was added: its name and product ("VMware vCenter Server 7.0"). */
    ui_status(ui, _("vCenter %s added (%s); its key is pinned in vcenters.cfg"), name, product);
    free(name);
    return UI_REDRAW_ALL;
}

static int
event(struct ui *ui, void *st, const struct ui_event *uev)
{
    struct vcadd *s = st;
    const struct dr_event *ev = uev->ev;

    (void)ui;
    if (uev->kind != UI_EV_ENGINE || ev->kind != DR_EV_REQUEST || s->req == 0 ||
        ev->request != s->req)
        return 0;
    s->req = 0;
    busy(s, false);
    if (s->step == STEP_CERT_WAIT) {
        s->cert = engine_take_cert(ui->engine, ev->request);
        if (s->cert == NULL || ev->level >= DR_LOG_WARN) {
            back_to_form(s);
            form_set_message(s->form, "url", ev->text[0] ? ev->text : _("no certificate"));
            form_focus(s->form, "url");
        } else {
            s->step = STEP_CERT;
        }
        return UI_REDRAW_ALL;
    }
    if (s->step == STEP_LOGIN_WAIT) {
        if (ev->level >= DR_LOG_WARN) {
            /* The pin is not kept: the form goes back as it was typed. */
            const char *row = source_index(&kept) == 0   ? "password"
                              : source_index(&kept) == 1 ? "password_file"
                                                         : "password_env";
            back_to_form(s);
            form_set_message(s->form, row, ev->text);
            form_focus(s->form, row);
            return UI_REDRAW_ALL;
        }
        return save(s, ev->text, s->pin);
    }
    return 0;
}

static const char *
crumb(void *st)
{
    (void)st;
    return _("add vCenter");
}

const struct screen_ops screen_vcenter_add = {
    .name = "vcenter-add",
    .title = N_("Add vCenter"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .event = event,
    .crumb = crumb,
    .key = key,
    .key_hints = N_("Tab/S-Tab move  Esc back"),
};
