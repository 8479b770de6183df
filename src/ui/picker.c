/* Pickers over ncurses' menu library: see picker.h. The picker lives in a
 * window of its own laid over the main pane (ui->overlay), with the MENU in
 * a subwindow of it; filtering rebuilds the menu's items (set_menu_pattern
 * only matches the start of a name, and operators type any part of a path). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/keymap.h"
#include "ui/picker.h"
#include "ui/text.h"

#define HEAD_LINES 3

struct picker {
    struct ui *ui;
    char *vcenter;
    enum dr_inv_kind kind;
    char *datacenter;
    char *compute;
    char *current;
    unsigned req;       /* the request in flight, 0 when none */
    char *error;
    struct dr_inventory *inv;
    char filter[128];
    size_t *match;      /* inventory index of each menu item */
    size_t n_match;
    ITEM **items;
    char **names, **descs;
    MENU *menu;
    WINDOW *win, *sub;
    int wy, wx, wh, ww;
    bool missing;
    const char *picked;
    char *snap_of;      /* snapshot mode: the clone source's value */
};

/* A template's datastore may name a datastore cluster (StoragePod): each
 * clone then goes on one of its members, the one with the most free space
 * (vs_pod_pick), so the datastore picker offers clusters too (not in
 * snapshot mode). */
static bool
kind_fits(const struct picker *p, enum dr_inv_kind kind)
{
    return kind == p->kind ||
           (p->kind == DR_INV_DATASTORE && kind == DR_INV_DATASTORE_CLUSTER && p->snap_of == NULL);
}

static bool
item_fits(const struct picker *p, const struct dr_inv_item *it)
{
    if (!kind_fits(p, it->kind) || it->value == NULL)
        return false;
    if (p->datacenter && *p->datacenter && it->kind != DR_INV_DATACENTER &&
        !str_eq(it->datacenter, p->datacenter))
        return false;
    if (p->compute && *p->compute && (it->kind == DR_INV_POOL || it->kind == DR_INV_HOST) &&
        !str_eq(it->compute, p->compute))
        return false;
    return true;
}

bool
inventory_has(const struct dr_inventory *inv, enum dr_inv_kind kind, const char *datacenter,
              const char *compute, const char *value)
{
    struct picker p = { .kind = kind, .datacenter = (char *)datacenter,
                        .compute = (char *)compute };

    for (size_t i = 0; inv && i < inv->n; i++) {
        const struct dr_inv_item *it = &inv->items[i];
        if (!item_fits(&p, it))
            continue;
        if (str_eq(it->value, value))
            return true;
        /* clone_from may be a bare name that placement finds in the
         * template's folder too (vs_resolve_placement). */
        if ((kind == DR_INV_TEMPLATE || kind == DR_INV_VM) && value && !strchr(value, '/') &&
            str_eq(it->name, value))
            return true;
    }
    return false;
}

static bool
strv_contains(char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (str_eq(v[i], s))
            return true;
    return false;
}

static const struct dr_inv_item *
find_source(const struct dr_inventory *inv, const char *datacenter, const char *source)
{
    for (size_t i = 0; inv && source && i < inv->n; i++) {
        const struct dr_inv_item *it = &inv->items[i];
        if (it->kind != DR_INV_TEMPLATE && it->kind != DR_INV_VM)
            continue;
        if (datacenter && *datacenter && !str_eq(it->datacenter, datacenter))
            continue;
        if (str_eq(it->value, source) || (!strchr(source, '/') && str_eq(it->name, source)))
            return it;
    }
    return NULL;
}

char *const *
inventory_snapshots(const struct dr_inventory *inv, const char *datacenter, const char *source)
{
    const struct dr_inv_item *it = find_source(inv, datacenter, source);
    static char *const none[] = { NULL };

    if (it == NULL)
        return NULL;
    return it->snapshots ? it->snapshots : none;
}

static void
gib(long long bytes, char *buf, size_t len)
{
    double g = (double)bytes / (1024.0 * 1024 * 1024);

    if (g >= 1024)
        snprintf(buf, len, "%.1f TiB", g / 1024);
    else
        snprintf(buf, len, "%.0f GiB", g);
}

void
inventory_facts(const struct dr_inv_item *it, char *buf, size_t len)
{
    char a[32], b[32];

    buf[0] = '\0';
    switch (it->kind) {
    case DR_INV_DATASTORE:
        gib(it->free_space, a, sizeof a);
        gib(it->capacity, b, sizeof b);
        /* L10N: a datastore's free space, its size and its type (VMFS, NFS). */
        snprintf(buf, len, _("%s free of %s, %s"), a, b, it->type ? it->type : "?");
        break;
    case DR_INV_DATASTORE_CLUSTER:
        gib(it->free_space, a, sizeof a);
        gib(it->capacity, b, sizeof b);
        /* L10N: a datastore cluster's free space and size (its datastores',
         * summed) and how many datastores it has; the start fits 80 columns. */
        snprintf(buf, len, _("%s free of %s in %d datastore(s), a datastore cluster"), a, b,
                 it->members);
        break;
    case DR_INV_POOL:
        snprintf(buf, len, it->in_cluster ? _("pool of cluster %s") : _("pool of host %s"),
                 it->compute ? it->compute : "?");
        break;
    case DR_INV_HOST:
        if (it->in_cluster)
            snprintf(buf, len, _("in cluster %s"), it->compute ? it->compute : "?");
        else
            snprintf(buf, len, "%s", _("standalone host"));
        break;
    case DR_INV_NETWORK:
        snprintf(buf, len, "%s", it->type ? it->type : "");
        break;
    case DR_INV_TEMPLATE:
    case DR_INV_VM: {
        size_t o;
        snprintf(buf, len, "%s", it->guest_os ? it->guest_os : _("guest OS unknown"));
        for (size_t i = 0; it->snapshots && it->snapshots[i]; i++) {
            o = strlen(buf);
            snprintf(buf + o, len - o, "%s%s", i ? ", " : _("; snapshots: "), it->snapshots[i]);
        }
        break;
    }
    default:
        break;
    }
}

static void
menu_drop(struct picker *p)
{
    if (p->menu) {
        unpost_menu(p->menu);
        free_menu(p->menu);
        p->menu = NULL;
    }
    for (size_t i = 0; i < p->n_match; i++) {
        free_item(p->items[i]);
        free(p->names[i]);
        free(p->descs[i]);
    }
    free(p->items);
    free(p->names);
    free(p->descs);
    free(p->match);
    p->items = NULL;
    p->names = p->descs = NULL;
    p->match = NULL;
    p->n_match = 0;
}

static bool
matches(const struct picker *p, const struct dr_inv_item *it)
{
    char facts[256];

    if (p->filter[0] == '\0')
        return true;
    inventory_facts(it, facts, sizeof facts);
    return strcasestr(it->path, p->filter) || strcasestr(facts, p->filter);
}

static void
menu_post(struct picker *p, int sh, size_t sel)
{
    p->menu = new_menu(p->items);
    if (p->menu == NULL)
        return;
    set_menu_win(p->menu, p->win);
    set_menu_sub(p->menu, p->sub);
    set_menu_format(p->menu, sh, 1);
    set_menu_mark(p->menu, "> ");
    set_menu_fore(p->menu, theme_attr(ROLE_SELECTION));
    set_menu_back(p->menu, theme_attr(ROLE_NORMAL));
    set_menu_grey(p->menu, theme_attr(ROLE_DIM));
    menu_opts_on(p->menu, O_NONCYCLIC);
    if (post_menu(p->menu) != E_OK) {
        free_menu(p->menu);
        p->menu = NULL;
        return;
    }
    set_current_item(p->menu, p->items[sel]);
}

/* Snapshot mode: the source's snapshot names (match[] indexes them). */
static void
menu_build_snapshots(struct picker *p, int sh, int sw)
{
    const struct dr_inv_item *src = find_source(p->inv, p->datacenter, p->snap_of);
    size_t sel = 0;
    char buf[1024], facts[512];

    for (size_t i = 0; src && src->snapshots && src->snapshots[i]; i++)
        if (p->filter[0] == '\0' || strcasestr(src->snapshots[i], p->filter)) {
            p->match = xrealloc(p->match, (p->n_match + 1) * sizeof *p->match);
            p->match[p->n_match++] = i;
        }
    if (p->n_match == 0 || sh < 1)
        return;
    p->items = xcalloc(p->n_match + 1, sizeof *p->items);
    p->names = xcalloc(p->n_match, sizeof *p->names);
    p->descs = xcalloc(p->n_match, sizeof *p->descs);
    for (size_t k = 0; k < p->n_match; k++) {
        const char *name = src->snapshots[p->match[k]];
        int nw = (sw - 3) / 2;

        /* L10N: beside a snapshot in the picker: the VM or template it is of. */
        snprintf(facts, sizeof facts, _("snapshot of %s"), src->path);
        p->names[k] = xstrdup(text_fit(buf, sizeof buf, name, nw, false));
        p->descs[k] = xstrdup(text_fit(buf, sizeof buf, facts, sw - 3 - nw - 1, false));
        p->items[k] = new_item(p->names[k], p->descs[k]);
        if (str_eq(name, p->current))
            sel = k;
    }
    menu_post(p, sh, sel);
}

/* The menu for the items that pass the filter, sized to the subwindow. */
static void
menu_build(struct picker *p)
{
    int sh, sw, nw, dw;
    size_t sel = 0;

    menu_drop(p);
    if (p->inv == NULL || p->sub == NULL)
        return;
    getmaxyx(p->sub, sh, sw);
    if (p->snap_of) {
        menu_build_snapshots(p, sh, sw);
        return;
    }
    for (size_t i = 0; i < p->inv->n; i++) {
        const struct dr_inv_item *it = &p->inv->items[i];
        if (item_fits(p, it) && matches(p, it)) {
            p->match = xrealloc(p->match, (p->n_match + 1) * sizeof *p->match);
            p->match[p->n_match++] = i;
        }
    }
    if (p->n_match == 0 || sh < 1)
        return;
    /* Names and facts fitted so that libmenu finds room: it refuses to post
     * a menu wider than its window. */
    nw = 0;
    for (size_t k = 0; k < p->n_match; k++) {
        int w = text_width(p->inv->items[p->match[k]].path);
        if (w > nw)
            nw = w;
    }
    if (nw > (sw - 3) * 3 / 5)
        nw = (sw - 3) * 3 / 5;
    if (nw < 1)
        nw = 1;
    dw = sw - 3 - nw - 1;
    if (dw < 1)
        dw = 1;
    p->items = xcalloc(p->n_match + 1, sizeof *p->items);
    p->names = xcalloc(p->n_match, sizeof *p->names);
    p->descs = xcalloc(p->n_match, sizeof *p->descs);
    for (size_t k = 0; k < p->n_match; k++) {
        const struct dr_inv_item *it = &p->inv->items[p->match[k]];
        char buf[1024], facts[512];

        inventory_facts(it, facts, sizeof facts);
        p->names[k] = xstrdup(text_fit(buf, sizeof buf, it->path, nw, false));
        p->descs[k] = xstrdup(text_fit(buf, sizeof buf, facts, dw, false));
        p->items[k] = new_item(p->names[k], p->descs[k]);
        if (str_eq(it->value, p->current))
            sel = k;
    }
    menu_post(p, sh, sel);
}

static void
set_busy(struct picker *p, bool busy)
{
    if (busy && p->req == 0)
        p->ui->busy++;
    else if (!busy && p->req != 0 && p->ui->busy > 0)
        p->ui->busy--;
}

static void
request(struct picker *p, bool refresh)
{
    struct dr_error e = { 0 };
    unsigned id = 0;

    xfree(&p->error);
    if (p->ui->engine == NULL) {
        p->error = xstrdup(p->ui->engine_error ? p->ui->engine_error : _("the engine is not running"));
        return;
    }
    if (p->req) {
        engine_abandon_request(p->ui->engine, p->req);
        set_busy(p, false);
        p->req = 0;
    }
    if (engine_request_inventory(p->ui->engine, p->vcenter, refresh, &id, &e) != DR_E_OK) {
        p->error = xstrdup(dr_error_text(&e));
        return;
    }
    set_busy(p, true);
    p->req = id;
}

struct picker *
picker_open(struct ui *ui, const char *vcenter, enum dr_inv_kind kind, const char *datacenter,
            const char *compute, const char *current)
{
    struct picker *p = xcalloc(1, sizeof *p);

    p->ui = ui;
    p->vcenter = xstrdup(vcenter ? vcenter : "");
    p->kind = kind;
    p->datacenter = xstrdup0(datacenter);
    p->compute = xstrdup0(compute);
    p->current = xstrdup0(current);
    request(p, false);
    return p;
}

struct picker *
picker_open_snapshots(struct ui *ui, const char *vcenter, const char *datacenter,
                      const char *source, const char *current)
{
    struct picker *p = xcalloc(1, sizeof *p);

    p->ui = ui;
    p->vcenter = xstrdup(vcenter ? vcenter : "");
    p->kind = DR_INV_TEMPLATE;
    p->datacenter = xstrdup0(datacenter);
    p->current = xstrdup0(current);
    p->snap_of = xstrdup(source ? source : "");
    request(p, false);
    return p;
}

static void
windows_drop(struct picker *p)
{
    menu_drop(p);
    if (p->ui->overlay == p->win)
        p->ui->overlay = NULL;
    if (p->sub)
        delwin(p->sub);
    if (p->win)
        delwin(p->win);
    p->sub = p->win = NULL;
}

void
picker_close(struct picker **pp)
{
    struct picker *p = *pp;

    if (p == NULL)
        return;
    if (p->req && p->ui->engine)
        engine_abandon_request(p->ui->engine, p->req);
    set_busy(p, false);
    windows_drop(p);
    inventory_free(&p->inv);
    free(p->vcenter);
    free(p->datacenter);
    free(p->compute);
    free(p->current);
    free(p->error);
    free(p->snap_of);
    free(p);
    *pp = NULL;
}

void
picker_draw(struct picker *p, WINDOW *w, int h, int wd)
{
    int by, bx;
    char line[512];

    getbegyx(w, by, bx);
    if (p->win == NULL || p->wy != by || p->wx != bx || p->wh != h || p->ww != wd) {
        windows_drop(p);
        if (h < HEAD_LINES + 2 || wd < 20)
            return;
        p->win = newwin(h, wd, by, bx);
        p->sub = p->win ? derwin(p->win, h - HEAD_LINES - 1, wd - 2, HEAD_LINES, 1) : NULL;
        if (p->sub == NULL) {
            windows_drop(p);
            return;
        }
        p->wy = by;
        p->wx = bx;
        p->wh = h;
        p->ww = wd;
        wbkgdset(p->win, ' ' | theme_attr(ROLE_NORMAL));
        menu_build(p);
    }
    /* The head and foot; the menu keeps its own lines. */
    for (int y = 0; y < HEAD_LINES; y++) {
        wmove(p->win, y, 0);
        wclrtoeol(p->win);
    }
    wmove(p->win, h - 1, 0);
    wclrtoeol(p->win);
    /* L10N: the picker's title: what it lists and from which vCenter. */
    if (p->snap_of)
        /* L10N: the snapshot picker's title: the clone source and the vCenter. */
        snprintf(line, sizeof line, _("Pick a snapshot of %s from vCenter %s"), p->snap_of,
                 p->vcenter);
    else
        snprintf(line, sizeof line, _("Pick a %s from vCenter %s"), inv_kind_label(p->kind),
                 p->vcenter);
    ui_draw_text(p->win, 0, 1, wd - 2, line, ROLE_TITLE);
    snprintf(line, sizeof line, _("Filter: %s"), p->filter);
    ui_draw_text(p->win, 1, 1, wd - 2, line, ROLE_PROMPT);
    if (p->missing) {
        /* L10N: a saved value that the vCenter does not have (any more). */
        snprintf(line, sizeof line, _("Saved: %s - not in the inventory; kept unless you pick "
                                      "another"),
                 p->current);
        ui_draw_text(p->win, 2, 1, wd - 2, line, ROLE_STATE_ERROR);
    } else if (p->current && *p->current) {
        snprintf(line, sizeof line, _("Saved: %s"), p->current);
        ui_draw_text(p->win, 2, 1, wd - 2, line, ROLE_DIM);
    }
    if (p->req) {
        werase(p->sub);
        snprintf(line, sizeof line, _("%s Fetching the inventory of %s... (Esc cancels)"),
                 ui_spinner(p->ui), p->vcenter);
        ui_draw_text(p->sub, 0, 1, wd - 4, line, ROLE_STATE_PROVISIONING);
    } else if (p->error) {
        werase(p->sub);
        ui_draw_text(p->sub, 0, 1, wd - 4, p->error, ROLE_STATUS_ERROR);
        ui_draw_text(p->sub, 1, 1, wd - 4, _("Ctrl-R tries again, Esc goes back."), ROLE_DIM);
    } else if (p->menu == NULL) {
        werase(p->sub);
        ui_draw_text(p->sub, 0, 1, wd - 4,
                     p->filter[0] ? _("Nothing matches the filter.") : _("None."), ROLE_DIM);
    }
    snprintf(line, sizeof line,
             _("%zu items  Enter picks  Esc back  Ctrl-R refresh  type to filter"), p->n_match);
    ui_draw_text(p->win, h - 1, 1, wd - 2, line, ROLE_DIM);
    p->ui->overlay = p->win;
    p->ui->overlay_cursor = false;
}

static int
menu_req(int key)
{
    switch (key) {
    case UI_KEY_FN | KEY_DOWN: return REQ_DOWN_ITEM;
    case UI_KEY_FN | KEY_UP: return REQ_UP_ITEM;
    case UI_KEY_FN | KEY_NPAGE: return REQ_SCR_DPAGE;
    case UI_KEY_FN | KEY_PPAGE: return REQ_SCR_UPAGE;
    case UI_KEY_FN | KEY_HOME: return REQ_FIRST_ITEM;
    case UI_KEY_FN | KEY_END: return REQ_LAST_ITEM;
    default: return -1;
    }
}

int
picker_key(struct picker *p, int key, enum picker_result *res)
{
    size_t len = strlen(p->filter);
    int req = menu_req(key);

    *res = PICK_NONE;
    if (key == UI_KEY_ESC) {
        *res = PICK_CANCEL;
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (key == UI_KEY_CTRL('r') || key == (UI_KEY_FN | KEY_F(5))) {
        request(p, true);
        menu_drop(p);
        inventory_free(&p->inv);
        return UI_HANDLED | UI_REDRAW;
    }
    if (key == '\n' || key == '\r') {
        if (p->menu && current_item(p->menu)) {
            int k = item_index(current_item(p->menu));
            if (p->snap_of)
                p->picked = find_source(p->inv, p->datacenter, p->snap_of)->snapshots[p->match[k]];
            else
                p->picked = p->inv->items[p->match[k]].value;
            *res = PICK_DONE;
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        return UI_HANDLED;
    }
    if (req >= 0) {
        if (p->menu)
            menu_driver(p->menu, req);
        return UI_HANDLED | UI_REDRAW;
    }
    if (key == (UI_KEY_FN | KEY_BACKSPACE)) {
        if (len > 0) {
            /* Drop the last character, not the last byte. */
            while (len > 0 && ((unsigned char)p->filter[len - 1] & 0xc0) == 0x80)
                len--;
            p->filter[len > 0 ? len - 1 : 0] = '\0';
            menu_build(p);
        }
        return UI_HANDLED | UI_REDRAW;
    }
    if (!(key & UI_KEY_FN) && key >= ' ' && key != 127) {
        char mb[8];
        int n = wctomb(mb, (wchar_t)key);
        if (n > 0 && len + (size_t)n + 1 < sizeof p->filter) {
            memcpy(p->filter + len, mb, (size_t)n);
            p->filter[len + (size_t)n] = '\0';
            menu_build(p);
        }
        return UI_HANDLED | UI_REDRAW;
    }
    return UI_HANDLED;
}

int
picker_event(struct picker *p, const struct dr_event *ev)
{
    if (ev->kind != DR_EV_REQUEST || p->req == 0 || ev->request != p->req)
        return 0;
    set_busy(p, false);
    p->req = 0;
    if (ev->level >= DR_LOG_WARN) {
        free(p->error);
        p->error = xstrdup(ev->text);
        return UI_REDRAW;
    }
    inventory_free(&p->inv);
    p->inv = engine_inventory(p->ui->engine, p->vcenter);
    if (p->snap_of) {
        char *const *snaps = inventory_snapshots(p->inv, p->datacenter, p->snap_of);
        p->missing = p->current && *p->current &&
                     (snaps == NULL || !strv_contains(snaps, p->current));
        if (snaps == NULL) {
            free(p->error);
            /* L10N: the snapshot picker's clone source is not in the vCenter. */
            p->error = xasprintf(_("%s is not a template or VM of this vCenter"), p->snap_of);
        }
    } else {
        p->missing = p->current && *p->current &&
                     !inventory_has(p->inv, p->kind, p->datacenter, p->compute, p->current);
    }
    menu_build(p);
    return UI_REDRAW;
}

const char *
picker_value(const struct picker *p)
{
    return p->picked;
}

bool
picker_missing(const struct picker *p)
{
    return p->missing;
}
