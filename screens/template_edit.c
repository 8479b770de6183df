/* The node template editor: n (new), e (edit), y (copy) on the Templates
 * screen. One form row per template field, pickers for the inventory ones
 * (filled from the chosen vCenter through the engine, following the
 * hierarchy: datacenter, then cluster or host, then pool...). On opening an
 * existing template its inventory values are checked against the vCenter's
 * inventory and a saved value that is not there is flagged, never replaced.
 * Saved through the store (validated, atomic); an unchanged template is not
 * written. Esc leaves; what was typed is there again when the same template
 * is opened next, until it is saved.
 *
 * user_data is edited in $VISUAL/$EDITOR and checked on return as apply
 * checks it (engine_check_template), with the line of a problem.
 *
 * "Test against vCenter" runs preflight's checks for the template as the
 * form has it (not yet saved), as one pool of one node of a cluster of its
 * own, on an engine request thread: a spinner meanwhile, Esc stops it, then
 * the findings in place of the form until Esc.
 *
 * The list fields (networks in NIC order, extra_config, tags,
 * custom_attributes) open a list editor (src/ui/listedit.h) in place of the
 * form: networks are picked from the inventory, the others typed and
 * checked. Every field of the template field table has its row
 * (template_edit_rows; tests/unit/test_template_edit.c walks the table). */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/editor.h"
#include "ui/form.h"
#include "ui/keymap.h"
#include "ui/listedit.h"
#include "ui/pfview.h"
#include "ui/picker.h"
#include "ui/ui.h"
#include "screens/template_edit.h"

static const char *const clone_modes[] = { "full", "linked", NULL };

/* The draft survives Esc until saved; key says which editor it belongs to. */
static struct tdraft kept;
static char *kept_key;

#define OFF(f) offsetof(struct tdraft, f)
static const struct form_row rows[] = {
    {.key = "name", .label = N_("Name"), .kind = FK_TEXT, .off = OFF(t.name),
     .help = N_("The file is templates/NAME.cfg: lowercase letters, digits and '-'")},
    {.key = "vcenter", .label = N_("vCenter"), .kind = FK_CHOICE, .off = OFF(t.vcenter),
     .help = N_("Space or Enter: the next vCenter of vcenters.cfg (V adds one)")},
    {.key = "datacenter", .label = N_("Datacenter"), .kind = FK_PICKER, .off = OFF(t.datacenter),
     .inv = DR_INV_DATACENTER, .help = N_("Enter picks from the vCenter's inventory")},
    {.key = "cluster", .label = N_("Compute cluster"), .kind = FK_PICKER, .off = OFF(t.cluster),
     .inv = DR_INV_CLUSTER, .help = N_("The compute cluster the VMs run in (or pick a host)")},
    {.key = "host", .label = N_("Host"), .kind = FK_PICKER, .off = OFF(t.host), .inv = DR_INV_HOST,
     .help = N_("A host of the cluster, or a standalone host without a cluster")},
    {.key = "resource_pool", .label = N_("Resource pool"), .kind = FK_PICKER,
     .off = OFF(t.resource_pool), .inv = DR_INV_POOL,
     .help = N_("Pools of the chosen cluster or host, with their path; empty: its root pool")},
    {.key = "datastore", .label = N_("Datastore"), .kind = FK_PICKER, .off = OFF(t.datastore),
     .inv = DR_INV_DATASTORE, .help = N_("With free space and type")},
    {.key = "folder", .label = N_("Folder"), .kind = FK_PICKER, .off = OFF(t.folder),
     .inv = DR_INV_FOLDER, .help = N_("The VM folder the clones go into")},
    {.key = "networks", .label = N_("Networks"), .kind = FK_LIST, .off = OFF(t.networks),
     .help = N_("Enter: the NICs' networks in order, each picked from the inventory")},
    {.key = "clone_from", .label = N_("Clone from"), .kind = FK_PICKER, .off = OFF(t.clone_from),
     .inv = DR_INV_TEMPLATE, .help = N_("A template, with its guest OS and snapshots")},
    {.key = "clone_mode", .label = N_("Clone mode"), .kind = FK_CHOICE, .off = OFF(clone_mode),
     .choices = clone_modes, .help = N_("full, or linked (from a snapshot)")},
    {.key = "snapshot", .label = N_("Snapshot"), .kind = FK_PICKER, .off = OFF(t.snapshot),
     .inv = DR_INV__COUNT, /* the clone source's snapshots */
     .help = N_("For linked clones, one of the clone source's; empty: its current snapshot")},
    {.key = "cpus", .label = N_("CPUs"), .kind = FK_NUMBER, .off = OFF(t.cpus)},
    {.key = "memory_mib", .label = N_("Memory (MiB)"), .kind = FK_NUMBER, .off = OFF(t.memory_mib)},
    {.key = "disk_gib", .label = N_("Disk (GiB)"), .kind = FK_NUMBER, .off = OFF(t.disk_gib),
     .help = N_("Grow the first disk to this; 0 keeps the source's size")},
    {.key = "ssh_user", .label = N_("SSH user"), .kind = FK_TEXT, .off = OFF(t.ssh_user)},
    {.key = "ssh_port", .label = N_("SSH port"), .kind = FK_NUMBER, .off = OFF(t.ssh_port)},
    {.key = "os", .label = N_("OS"), .kind = FK_TEXT, .off = OFF(t.os),
     .help = N_("e.g. ubuntu-22.04")},
    {.key = "user_data", .label = N_("User data"), .kind = FK_EDITOR, .off = OFF(t.user_data),
     .help = N_("#cloud-config merged into drover's own; Enter opens $VISUAL or $EDITOR")},
    {.key = "extra_config", .label = N_("extra_config"), .kind = FK_LIST, .off = OFF(extra),
     .help = N_("Enter: the VM's advanced settings (.vmx keys), as key=value")},
    {.key = "tags", .label = N_("Tags"), .kind = FK_LIST, .off = OFF(t.tags),
     .help = N_("Enter: vCenter tags for each VM, as category/name")},
    {.key = "custom_attributes", .label = N_("Custom attributes"), .kind = FK_LIST,
     .off = OFF(attrs), .help = N_("Enter: vCenter custom attributes for each VM, as name=value")},
    {.key = "save", .label = N_("Save"), .kind = FK_BUTTON},
    {.key = "test", .label = N_("Test against vCenter"), .kind = FK_BUTTON,
     .help = N_("Preflight's checks for one node of this template, before it is saved")},
};
#undef OFF

const struct form_row *
template_edit_rows(size_t *n)
{
    *n = DR_ARRAY_LEN(rows);
    return rows;
}

struct tedit {
    struct ui *ui;
    char *key;        /* "", "=NAME", "+NAME" or "@VCENTER" (new, from the wizard) */
    bool editing;     /* an existing template, under its own name */
    struct form *form;
    struct picker *picker;
    const struct form_row *picking;
    unsigned flag_req; /* the inventory request that checks saved values */
    char **vcenters;   /* the choices for the vCenter row */
    char *ud_saved;    /* user_data before the first edit, for Backspace */
    bool ud_edited;
    bool comments_told; /* Save warned that the file's comments are not kept */
    struct form_row *rows;
    struct pfview pf;  /* the test's preflight */
    bool testing;      /* its findings are shown in place of the form */
    struct listedit *list; /* a list row's editor, in place of the form */
    const char *list_key;  /* its row's key */
    struct dr_inventory *inv; /* the vCenter's inventory once fetched */
};

static size_t
check(const void *model, struct dr_diag **out)
{
    struct dr_template t;
    size_t n;

    tdraft_build(model, &t);
    n = store_check_template(&t, out);
    template_done(&t);
    return n;
}

static const char *
compute_of(const struct tdraft *d)
{
    return !str_empty(d->t.cluster) ? d->t.cluster : d->t.host;
}

/* Saved inventory values the vCenter does not have are flagged. */
static void
flag_missing(struct tedit *s)
{
    struct dr_inventory *inv = s->ui->engine ? engine_inventory(s->ui->engine, kept.t.vcenter)
                                             : NULL;
    char *nf;

    if (inv == NULL)
        return;
    inventory_free(&s->inv);
    s->inv = inv;
    nf = template_networks_flag(&kept, inv);
    form_set_flag(s->form, "networks", nf);
    free(nf);
    for (size_t i = 0; i < DR_ARRAY_LEN(rows); i++) {
        const struct form_row *r = &rows[i];
        const char *v = form_text(s->form, r->key);
        const char *dc = r->inv == DR_INV_DATACENTER ? NULL : kept.t.datacenter;
        const char *compute = r->inv == DR_INV_POOL ? compute_of(&kept)
                              : r->inv == DR_INV_HOST && !str_empty(kept.t.cluster) ? kept.t.cluster
                                                                                   : NULL;
        char *flag;

        if (r->kind != FK_PICKER || str_empty(v))
            continue;
        if (r->inv == DR_INV__COUNT) {
            char *const *snaps = inventory_snapshots(inv, kept.t.datacenter, kept.t.clone_from);
            bool found = false;
            for (size_t k = 0; snaps && snaps[k]; k++)
                found |= str_eq(snaps[k], v);
            if (found || snaps == NULL) { /* an unknown source is flagged on its own row */
                form_set_flag(s->form, r->key, NULL);
                continue;
            }
        } else if (inventory_has(inv, r->inv, dc, compute, v) ||
            (r->inv == DR_INV_TEMPLATE && inventory_has(inv, DR_INV_VM, dc, NULL, v))) {
            form_set_flag(s->form, r->key, NULL);
            continue;
        }
        /* L10N: beside a saved value that the vCenter's inventory lacks. */
        flag = xasprintf(_("! not in vCenter %s"), kept.t.vcenter);
        form_set_flag(s->form, r->key, flag);
        free(flag);
    }
}

static void
request_flags(struct tedit *s)
{
    struct dr_error e = { 0 };

    if (s->ui->engine == NULL || str_empty(kept.t.vcenter) || s->flag_req)
        return;
    if (engine_request_inventory(s->ui->engine, kept.t.vcenter, false, &s->flag_req, &e) ==
        DR_E_OK)
        s->ui->busy++;
}

/* The first problem engine_check_template finds in the user_data (the same
 * check apply runs), newly allocated, or NULL. */
static char *
user_data_problem(void)
{
    struct dr_template t;
    char **problems = NULL, **warnings = NULL, *p = NULL;

    tdraft_build(&kept, &t);
    engine_check_template(&t, &problems, &warnings);
    for (size_t i = 0; problems && problems[i] && p == NULL; i++)
        if (strstr(problems[i], "user_data"))
            p = xstrdup(problems[i]);
    strv_free(&problems);
    strv_free(&warnings);
    template_done(&t);
    return p;
}

static int
edit_user_data(struct tedit *s)
{
    struct dr_error e = { 0 };
    char *text = NULL, *problem;
    bool changed = false;

    form_commit(s->form);
    if (ui_edit_text(s->ui, s->ui->store->state_dir, kept.t.user_data, &text, &changed, &e) !=
        DR_E_OK) {
        form_set_message(s->form, "user_data", dr_error_text(&e));
        return UI_REDRAW_ALL;
    }
    if (changed) {
        if (!s->ud_edited) {
            s->ud_saved = xstrdup0(kept.t.user_data);
            s->ud_edited = true;
        }
        form_set_text(s->form, "user_data", text);
    }
    free(text);
    problem = user_data_problem();
    if (problem) {
        /* L10N: after a problem found in the user_data just edited. */
        char *m = xasprintf(_("%s (Enter edits again, Backspace restores the saved text)"),
                            problem);
        form_set_message(s->form, "user_data", m);
        free(m);
        free(problem);
    } else {
        form_set_message(s->form, "user_data", NULL);
    }
    return UI_REDRAW_ALL;
}

static int
save(struct tedit *s)
{
    struct ui *ui = s->ui;
    struct dr_template t;
    struct dr_error e = { 0 };
    char *name, *backup = NULL;

    if (!form_validate(s->form))
        return UI_REDRAW;
    {
        char *problem = user_data_problem();
        if (problem) {
            form_set_message(s->form, "user_data", problem);
            form_focus(s->form, "user_data");
            free(problem);
            return UI_REDRAW;
        }
    }
    if (!s->editing && store_find_template(ui->store, kept.t.name)) {
        form_set_message(s->form, "name", _("a template of this name exists; pick another name"));
        form_focus(s->form, "name");
        return UI_REDRAW;
    }
    tdraft_build(&kept, &t);
    if (s->editing && store_template_unchanged(ui->store, &t)) {
        template_done(&t);
        ui_pop(ui);
        ui_status(ui, "%s", _("Nothing changed; nothing was written"));
        return UI_REDRAW_ALL;
    }
    if (s->editing && !s->comments_told) {
        /* A hand-written file's comments: said before the first Save, as
         * the cluster review does (issue 12); Save again saves. */
        char *lines = store_template_dropped_comments(ui->store, t.name);

        if (lines) {
            /* L10N: the line numbers, then the template's name. */
            char *msg = xasprintf(_("Comments (line %s) are not kept; the file goes to "
                                    "templates/%s.cfg.bak. Save again saves"),
                                  lines, t.name);
            form_set_message(s->form, "save", msg);
            form_focus(s->form, "save");
            s->comments_told = true;
            free(msg);
            free(lines);
            template_done(&t);
            return UI_REDRAW;
        }
    }
    if (s->editing && store_backup_template(ui->store, t.name, &backup, &e) != DR_E_OK) {
        form_set_message(s->form, "save", dr_error_text(&e));
        template_done(&t);
        return UI_REDRAW;
    }
    if (store_save_template(ui->store, &t, &e) != DR_E_OK) {
        /* Nothing typed is lost: the form stays. */
        form_set_message(s->form, "save", dr_error_text(&e));
        template_done(&t);
        free(backup);
        return UI_REDRAW;
    }
    name = xstrdup(t.name);
    template_done(&t);
    tdraft_done(&kept);
    xfree(&kept_key);
    ui_pop(ui);
    {
        struct ui_event ev = { .kind = UI_EV_DATA };
        for (int i = 0; i < ui->depth; i++)
            if (ui->stack[i].ops->event)
                ui->stack[i].ops->event(ui, ui->stack[i].st, &ev);
    }
    if (backup)
        /* L10N: the template's name, then the copy of the hand-written file. */
        ui_status(ui, _("Template %s saved; old file kept as %s"), name,
                  backup);
    else
        /* L10N: %s is the template's name. */
        ui_status(ui, _("Template %s saved in templates/%s.cfg"), name, name);
    free(name);
    free(backup);
    return UI_REDRAW_ALL;
}

/* The test: preflight for the template as the form has it, as one pool of
 * one node (every role) of a cluster of its own; nothing is saved. */
static int
test(struct tedit *s)
{
    struct dr_template t;
    struct dr_cluster c = { 0 };

    if (!form_validate(s->form))
        return UI_REDRAW;
    tdraft_build(&kept, &t);
    c.name = xstrdup("template-test");
    c.vcenter = xstrdup0(t.vcenter);
    c.distribution = DR_DIST_K3S;
    c.pools = xcalloc(1, sizeof *c.pools);
    c.n_pools = 1;
    c.pools[0].name = xstrdup("test");
    c.pools[0].template = xstrdup0(t.name);
    c.pools[0].quantity = 1;
    c.pools[0].roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE | DR_ROLE_WORKER;
    pfview_start(s->ui, &s->pf, NULL, &c, &t);
    s->testing = true;
    cluster_done(&c);
    template_done(&t);
    return UI_REDRAW_ALL;
}

static int
activate(struct ui *ui, struct form *f, const struct form_row *r, void *ctx)
{
    struct tedit *s = ctx;
    const char *dc = NULL, *compute = NULL;

    if (r->kind == FK_BUTTON && str_eq(r->key, "test"))
        return test(s);
    if (r->kind == FK_BUTTON)
        return save(s);
    if (r->kind == FK_EDITOR)
        return edit_user_data(s);
    if (r->kind == FK_LIST) {
        struct listedit_spec spec;
        if (!template_list_spec(r->key, &kept, (const struct dr_inventory **)&s->inv, &spec))
            return 0;
        if (spec.picked && str_empty(kept.t.vcenter)) {
            form_set_message(f, r->key, _("choose a vCenter first"));
            return UI_REDRAW;
        }
        form_hide(f);
        s->list = listedit_new(ui, (char ***)((char *)&kept + r->off), &spec);
        s->list_key = r->key;
        return UI_REDRAW_ALL;
    }
    if (r->kind != FK_PICKER)
        return 0;
    if (str_empty(kept.t.vcenter)) {
        form_set_message(f, r->key, _("choose a vCenter first"));
        return UI_REDRAW;
    }
    if (r->inv == DR_INV__COUNT) {
        if (str_empty(kept.t.clone_from)) {
            form_set_message(f, r->key, _("pick the clone source first"));
            return UI_REDRAW;
        }
        form_hide(f);
        s->picking = r;
        s->picker = picker_open_snapshots(ui, kept.t.vcenter, kept.t.datacenter,
                                          kept.t.clone_from, form_text(f, r->key));
        return UI_REDRAW_ALL;
    }
    if (r->inv != DR_INV_DATACENTER)
        dc = kept.t.datacenter;
    if (r->inv == DR_INV_POOL)
        compute = compute_of(&kept);
    else if (r->inv == DR_INV_HOST && !str_empty(kept.t.cluster))
        compute = kept.t.cluster;
    form_hide(f);
    s->picking = r;
    s->picker = picker_open(ui, kept.t.vcenter, r->inv, dc, compute, form_text(f, r->key));
    return UI_REDRAW_ALL;
}

static const struct form_ops ops = {
    .check = check,
    .activate = activate,
};

static void *
enter(struct ui *ui, const char *arg)
{
    struct tedit *s = xcalloc(1, sizeof *s);
    const struct dr_template *src = NULL;

    s->ui = ui;
    s->key = xstrdup(arg ? arg : "");
    if (s->key[0] == '=' || s->key[0] == '+')
        src = store_find_template(ui->store, s->key + 1);
    s->editing = s->key[0] == '=' && src;
    if (!str_eq(kept_key, s->key)) {
        tdraft_done(&kept);
        if (src) {
            tdraft_from(&kept, src);
            if (s->key[0] == '+') {
                /* L10N: the default name of a copy. */
                char *n = xasprintf("%s-copy", src->name);
                free(kept.t.name);
                kept.t.name = n;
            }
        } else {
            kept.t.cpus = 2;
            kept.t.memory_mib = 4096;
            kept.t.ssh_port = 22;
            kept.clone_mode = xstrdup("full");
            if (s->key[0] == '@' && s->key[1]) /* made from the wizard, for its vCenter */
                kept.t.vcenter = xstrdup(s->key + 1);
            else if (ui->store->n_vcenters > 0)
                kept.t.vcenter = xstrdup(ui->store->settings.default_vcenter
                                             ? ui->store->settings.default_vcenter
                                             : ui->store->vcenters[0].name);
        }
        free(kept_key);
        kept_key = xstrdup(s->key);
    }
    /* The vCenter row offers the vCenters of vcenters.cfg. */
    for (size_t i = 0; i < ui->store->n_vcenters; i++)
        strv_push(&s->vcenters, ui->store->vcenters[i].name);
    if (s->vcenters == NULL)
        strv_push(&s->vcenters, "");
    s->rows = xmalloc(sizeof rows);
    memcpy(s->rows, rows, sizeof rows);
    for (size_t i = 0; i < DR_ARRAY_LEN(rows); i++)
        if (str_eq(rows[i].key, "vcenter"))
            s->rows[i].choices = (const char *const *)s->vcenters;
    s->form = form_new(ui, s->rows, DR_ARRAY_LEN(rows), &kept, &ops, s);
    if (s->editing)
        form_focus(s->form, "vcenter");
    request_flags(s);
    return s;
}

static void
leave(struct ui *ui, void *st)
{
    struct tedit *s = st;

    picker_close(&s->picker);
    listedit_free(&s->list);
    inventory_free(&s->inv);
    pfview_done(ui, &s->pf);
    if (s->flag_req) {
        if (ui->engine)
            engine_abandon_request(ui->engine, s->flag_req);
        if (ui->busy > 0)
            ui->busy--;
    }
    form_free(&s->form);
    strv_free(&s->vcenters);
    free(s->ud_saved);
    free(s->rows);
    free(s->key);
    free(s);
}

static void
draw(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd)
{
    struct tedit *s = st;
    char buf[256];

    if (pane != PANE_MAIN)
        return;
    if (s->picker) {
        picker_draw(s->picker, w, h, wd);
        return;
    }
    if (s->list) {
        listedit_draw(s->list, w, h, wd);
        return;
    }
    if (s->editing)
        /* L10N: %s is the template's name. */
        snprintf(buf, sizeof buf, _("Edit node template %s"), s->key + 1);
    else if (s->key[0] == '+')
        snprintf(buf, sizeof buf, _("Copy of node template %s"), s->key + 1);
    else
        snprintf(buf, sizeof buf, "%s", _("New node template"));
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddnstr(w, 0, 1, buf, wd - 2);
    wattrset(w, theme_attr(ROLE_NORMAL));
    if (s->flag_req) {
        snprintf(buf, sizeof buf, _("%s checking the saved values against vCenter %s"),
                 ui_spinner(ui), kept.t.vcenter ? kept.t.vcenter : "");
        wattrset(w, theme_attr(ROLE_DIM));
        mvwaddnstr(w, 1, 1, buf, wd - 2);
        wattrset(w, theme_attr(ROLE_NORMAL));
    }
    if (s->testing) {
        /* L10N: %s is the template's name. */
        snprintf(buf, sizeof buf, _("Test of %s as one node; Esc returns to the form"),
                 kept.t.name ? kept.t.name : "");
        ui_draw_text(w, 2, 1, wd - 2, buf, ROLE_PROMPT);
        pfview_draw(ui, &s->pf, w, 3, wd, h - 1);
        return;
    }
    form_draw(s->form, w, 2, h, wd);
}

static int
key(struct ui *ui, void *st, int k)
{
    struct tedit *s = st;
    enum picker_result res;
    int flags;

    if (s->picker) {
        flags = picker_key(s->picker, k, &res);
        if (s->list && res != PICK_NONE) {
            listedit_put(s->list, res == PICK_DONE ? picker_value(s->picker) : NULL);
        } else if (res == PICK_DONE) {
            form_set_text(s->form, s->picking->key, picker_value(s->picker));
            form_set_flag(s->form, s->picking->key, NULL);
        }
        if (res != PICK_NONE) {
            picker_close(&s->picker);
            s->picking = NULL;
            ui->full_repaint = true;
        }
        return flags | UI_HANDLED;
    }
    if (s->list) {
        enum listedit_result lr;
        flags = listedit_key(s->list, k, &lr);
        if (lr == LE_PICK) {
            bool tags = str_eq(s->list_key, "tags");
            listedit_hide(s->list);
            /* Networks of the datacenter; tags are the vCenter's. */
            s->picker = picker_open(ui, kept.t.vcenter, tags ? DR_INV_TAG : DR_INV_NETWORK,
                                    tags ? NULL : kept.t.datacenter, NULL,
                                    listedit_picking(s->list));
            return flags | UI_HANDLED | UI_REDRAW_ALL;
        }
        if (lr == LE_BACK) {
            char *nf = s->inv ? template_networks_flag(&kept, s->inv) : NULL;
            listedit_free(&s->list);
            form_set_flag(s->form, "networks", nf);
            free(nf);
            ui->full_repaint = true;
            return flags | UI_HANDLED;
        }
        return flags; /* UI_UNHANDLED for the global keys (F1) */
    }
    if (s->testing) {
        if (k == UI_KEY_ESC) {
            if (s->pf.req)
                ui_status(ui, "%s", _("Test stopped"));
            pfview_done(ui, &s->pf);
            s->testing = false;
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        return UI_HANDLED;
    }
    if (k == UI_KEY_ESC) {
        form_commit(s->form);
        ui_pop(ui); /* the draft stays for next time */
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    /* Backspace on user_data discards the edits made in the editor. */
    if (k == (UI_KEY_FN | KEY_BACKSPACE) && s->ud_edited && form_current(s->form) &&
        str_eq(form_current(s->form)->key, "user_data")) {
        form_set_text(s->form, "user_data", s->ud_saved);
        form_set_message(s->form, "user_data", NULL);
        xfree(&s->ud_saved);
        s->ud_edited = false;
        ui_status(ui, "%s", _("user_data is back as it was saved"));
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    return form_key(s->form, k);
}

static int
event(struct ui *ui, void *st, const struct ui_event *uev)
{
    struct tedit *s = st;
    const struct dr_event *ev = uev->ev;
    int flags = 0;

    if (uev->kind != UI_EV_ENGINE || ev->kind != DR_EV_REQUEST)
        return 0;
    if (pfview_event(ui, &s->pf, uev)) {
        ui_status(ui, "%s", ev->text);
        return UI_REDRAW_ALL;
    }
    if (s->picker)
        flags |= picker_event(s->picker, ev);
    if (s->flag_req && ev->request == s->flag_req) {
        s->flag_req = 0;
        if (ui->busy > 0)
            ui->busy--;
        if (ev->level < DR_LOG_WARN)
            flag_missing(s);
        flags |= UI_REDRAW;
    }
    return flags;
}

static const char *
crumb(void *st)
{
    struct tedit *s = st;

    return s->key[0] && s->key[0] != '@' ? s->key + 1 : _("new template");
}

const struct screen_ops screen_template_edit = {
    .name = "template-edit",
    .title = N_("Template editor"),
    .enter = enter,
    .leave = leave,
    .draw = draw,
    .event = event,
    .crumb = crumb,
    .key = key,
    .key_hints = N_("Tab/S-Tab move  Esc back"),
};
