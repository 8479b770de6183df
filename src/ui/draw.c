#include "config.h"

#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/draw.h"
#include "ui/text.h"

#define MIN_COLS 40
#define MIN_LINES 10

static void
pane_set(struct ui_pane *p, int y, int x, int h, int wd)
{
    if (p->w && (p->y != y || p->x != x || p->h != h || p->wd != wd)) {
        delwin(p->w);
        p->w = NULL;
    }
    p->y = y;
    p->x = x;
    p->h = h;
    p->wd = wd;
    p->shown = h > 0 && wd > 0;
    if (p->shown && p->w == NULL)
        p->w = newwin(h, wd, y, x);
    p->dirty = true;
}

static void
pane_hide(struct ui_pane *p)
{
    if (p->w)
        delwin(p->w);
    p->w = NULL;
    p->shown = false;
    p->dirty = false;
}

static bool
detail_wanted(struct ui *ui)
{
    struct ui_frame *top = ui_top(ui);

    if (top == NULL)
        return false;
    return top->ops->detail_always || (ui->detail_on && top->ops->table);
}

void
draw_layout(struct ui *ui)
{
    int rows = LINES, cols = COLS, body;

    ui->too_small = rows < MIN_LINES || cols < MIN_COLS;
    if (ui->too_small) {
        for (int p = 0; p < PANE__COUNT; p++)
            pane_hide(&ui->panes[p]);
        return;
    }
    pane_set(&ui->panes[PANE_HEADER], 0, 0, 1, cols);
    pane_set(&ui->panes[PANE_TABS], 1, 0, 1, cols);
    pane_set(&ui->panes[PANE_STATUS], rows - 1, 0, 1, cols);
    body = rows - 3;
    if (detail_wanted(ui)) {
        /* The detail pane takes the lower part, more of it on a log screen. */
        int dh = ui_top(ui)->ops->detail_always ? body / 2 : body * 2 / 5;
        if (dh < 3)
            dh = 3;
        pane_set(&ui->panes[PANE_MAIN], 2, 0, body - dh, cols);
        pane_set(&ui->panes[PANE_DETAIL], 2 + body - dh, 0, dh, cols);
    } else {
        pane_set(&ui->panes[PANE_MAIN], 2, 0, body, cols);
        pane_hide(&ui->panes[PANE_DETAIL]);
        if (ui->focus == PANE_DETAIL)
            ui->focus = PANE_MAIN;
    }
}

bool
draw_pending(const struct ui *ui)
{
    if (ui->full_repaint)
        return true;
    for (int p = 0; p < PANE__COUNT; p++) {
        if (ui->panes[p].dirty)
            return true;
    }
    return false;
}

static void
fill_line(WINDOW *w, int wd, enum ui_role role)
{
    wbkgdset(w, ' ' | theme_attr(role));
    werase(w);
    wattrset(w, theme_attr(role));
    (void)wd;
}

static const char *
active_vcenter(struct ui *ui, const char **user)
{
    const struct dr_store *s = ui->store;
    const struct dr_vcenter *v = NULL;

    if (s->settings.default_vcenter)
        v = store_find_vcenter(s, s->settings.default_vcenter);
    if (v == NULL && s->n_vcenters > 0)
        v = &s->vcenters[0];
    *user = v ? v->user : NULL;
    return v ? v->name : NULL;
}

static void
draw_header(struct ui *ui, struct ui_pane *p)
{
    char left[512], buf[1024];
    const char *user = NULL, *vc = active_vcenter(ui, &user);
    char badge[128] = "";
    int bw;

    /* What the operator must not miss: changes are impossible, or another
     * drover runs the engine, or there is no engine at all. */
    if (ui->snap && ui->snap->observer)
        snprintf(badge, sizeof badge, "%s", _("OBSERVER"));
    if (ui->read_only)
        snprintf(badge + strlen(badge), sizeof badge - strlen(badge), "%s%s", badge[0] ? " " : "",
                 _("READ-ONLY"));
    if (ui->engine == NULL && !ui->engine_pending)
        snprintf(badge + strlen(badge), sizeof badge - strlen(badge), "%s%s", badge[0] ? " " : "",
                 _("NO ENGINE"));
    bw = badge[0] ? text_width(badge) + 2 : 0;

    fill_line(p->w, p->wd, ROLE_HEADER);
    snprintf(left, sizeof left, " drover %s", PACKAGE_VERSION);
    if (vc) {
        size_t n = strlen(left);
        /* L10N: header fields; keep them short. */
        snprintf(left + n, sizeof left - n, "  %s %s", _("vCenter:"), vc);
    }
    if (user) {
        size_t n = strlen(left);
        snprintf(left + n, sizeof left - n, "  %s %s", _("user:"), user);
    }
    text_fit(buf, sizeof buf, left, p->wd - bw, false);
    mvwaddstr(p->w, 0, 0, buf);
    if (badge[0] && p->wd > bw) {
        wattrset(p->w, theme_attr(ROLE_BADGE));
        snprintf(buf, sizeof buf, " %s ", badge);
        mvwaddstr(p->w, 0, p->wd - bw, buf);
    }
}

static const struct screen_ops *const tabs[] = {
    &screen_clusters, &screen_templates, &screen_nodes, &screen_jobs, &screen_help,
};

static void
put_clipped(WINDOW *w, int *x, int wd, const char *s, enum ui_role role)
{
    char buf[512];
    int cw = text_width(s);

    if (*x >= wd)
        return;
    if (*x + cw > wd)
        cw = wd - *x;
    text_fit(buf, sizeof buf, s, cw, false);
    wattrset(w, theme_attr(role));
    mvwaddstr(w, 0, *x, buf);
    *x += cw;
}

static void
draw_tabs(struct ui *ui, struct ui_pane *p)
{
    const struct screen_ops *root = ui->depth ? ui->stack[0].ops : NULL;
    const struct screen_ops *top = ui->depth ? ui_top(ui)->ops : NULL;
    const char *sep = ui->utf8 ? " \xe2\x80\xba " : " > ";
    int x = 0;

    fill_line(p->w, p->wd, ROLE_TAB);
    for (size_t i = 0; i < DR_ARRAY_LEN(tabs); i++) {
        char label[128];
        bool on = tabs[i] == root || (tabs[i] == &screen_help && top == &screen_help);
        snprintf(label, sizeof label, " %s ", _(tabs[i]->title));
        put_clipped(p->w, &x, p->wd, label, on ? ROLE_TAB_ACTIVE : ROLE_TAB);
        put_clipped(p->w, &x, p->wd, " ", ROLE_TAB);
    }
    /* The breadcrumb of drill-downs: "› prod › server-01". */
    for (int i = 1; i < ui->depth; i++) {
        const struct ui_frame *f = &ui->stack[i];
        const char *c = f->ops->crumb ? f->ops->crumb(f->st) : NULL;
        if (f->ops == &screen_help)
            continue;
        put_clipped(p->w, &x, p->wd, sep, ROLE_DIM);
        put_clipped(p->w, &x, p->wd, c ? c : _(f->ops->title), ROLE_TITLE);
    }
    if (top) {
        struct ui_frame *f = ui_top(ui);
        struct table *t = f->ops->table ? f->ops->table(f->st) : NULL;
        if (t && t->filter) {
            char buf[300];
            snprintf(buf, sizeof buf, "  /%s", t->filter);
            put_clipped(p->w, &x, p->wd, buf, ROLE_KEY);
        }
    }
}

/* "Enter open  / filter  ? help" with the keys as currently bound. */
static void
hints(struct ui *ui, char *buf, size_t len)
{
    static const enum ui_action shown[] = {ACT_OPEN, ACT_BACK, ACT_FILTER, ACT_COMMAND, ACT_HELP};
    struct ui_frame *top = ui_top(ui);
    size_t o = 0;

    buf[0] = '\0';
    if (top && top->ops->key_hints) {
        snprintf(buf, len, "%s", _(top->ops->key_hints));
        return;
    }
    for (size_t i = 0; i < DR_ARRAY_LEN(shown) && top; i++) {
        int keys[4];
        char kn[32];
        if (keymap_keys_for(ui->keymap, top->ops->name, shown[i], keys, 4) == 0)
            continue;
        snprintf(buf + o, len - o, "%s%s %s", o ? "  " : "",
                 keymap_key_name(keys[0], kn, sizeof kn), action_name(shown[i]));
        o = strlen(buf);
    }
}

static void
draw_status(struct ui *ui, struct ui_pane *p)
{
    char buf[1024], h[256];
    int hw;

    fill_line(p->w, p->wd, ROLE_STATUS);
    if (ui->prompt == PROMPT_CONFIRM) {
        /* L10N: after a yes/no question on the status line. */
        char q[600];
        int qw;
        snprintf(q, sizeof q, "%s %s ", ui->pquestion, _("(y/N)"));
        qw = text_width(q) < p->wd - 1 ? text_width(q) : p->wd - 1;
        wattrset(p->w, theme_attr(ROLE_STATUS_ERROR));
        mvwaddstr(p->w, 0, 0, text_fit(buf, sizeof buf, q, qw, false));
        wmove(p->w, 0, qw);
        return;
    }
    if (ui->prompt != PROMPT_NONE) {
        char quantity[300];
        const char *lead = quantity;
        if (ui->prompt == PROMPT_FILTER)
            lead = "/";
        else if (ui->prompt == PROMPT_COMMAND)
            lead = ":";
        else if (ui->prompt == PROMPT_TYPE_NAME)
            snprintf(quantity, sizeof quantity, "%s ", ui->pquestion);
        else
            /* L10N: %s is cluster/pool. */
            snprintf(quantity, sizeof quantity, _("Nodes in %s: "),
                     ui->pprompt_ctx ? ui->pprompt_ctx : "");
        int lw = text_width(lead), tw = text_width(ui->pbuf);
        int room = p->wd - lw - 1;
        const char *shown = ui->pbuf;
        /* Keep the end of a long line in view. */
        while (tw > room && *shown) {
            shown++;
            while ((*shown & 0xc0) == 0x80)
                shown++;
            tw = text_width(shown);
        }
        wattrset(p->w, theme_attr(ROLE_PROMPT));
        mvwaddstr(p->w, 0, 0, lead);
        wattrset(p->w, theme_attr(ROLE_STATUS));
        mvwaddstr(p->w, 0, lw, shown);
        wmove(p->w, 0, lw + tw);
        return;
    }
    hints(ui, h, sizeof h);
    hw = text_width(h);
    if (hw > p->wd / 2 || ui->status[0])
        hw = ui->status[0] ? 0 : hw;
    if (ui->status[0]) {
        wattrset(p->w, theme_attr(ui->status_error ? ROLE_STATUS_ERROR : ROLE_STATUS));
        text_fit(buf, sizeof buf, ui->status, p->wd, false);
        mvwaddstr(p->w, 0, 0, buf);
    } else if (hw > 0 && hw < p->wd) {
        wattrset(p->w, theme_attr(ROLE_DIM));
        mvwaddstr(p->w, 0, p->wd - hw, h);
    }
}

static void
draw_too_small(void)
{
    char buf[256];
    /* L10N: shown alone when the terminal is below 40 columns or 10 lines. */
    const char *msg = _("Terminal too small (40x10)");

    werase(stdscr);
    if (COLS > 0 && LINES > 0) {
        text_fit(buf, sizeof buf, msg, COLS, false);
        mvaddstr(0, 0, buf);
    }
    wnoutrefresh(stdscr);
}

void
draw_frame(struct ui *ui)
{
    struct ui_frame *top = ui_top(ui);
    bool want_detail = detail_wanted(ui);

    if (!ui->too_small && want_detail != ui->panes[PANE_DETAIL].shown)
        draw_layout(ui);
    if (ui->full_repaint) {
        clearok(curscr, TRUE);
        ui->full_repaint = false;
        ui_dirty_all(ui);
    }
    if (ui->too_small) {
        draw_too_small();
        curs_set(0);
        doupdate();
        for (int p = 0; p < PANE__COUNT; p++)
            ui->panes[p].dirty = false;
        return;
    }
    for (int id = 0; id < PANE__COUNT; id++) {
        struct ui_pane *p = &ui->panes[id];
        if (!p->dirty || !p->shown || id == PANE_STATUS)
            continue;
        wbkgdset(p->w, ' ' | theme_attr(ROLE_NORMAL));
        werase(p->w);
        ui_age_pane((enum ui_pane_id)id);
        if (id == PANE_HEADER)
            draw_header(ui, p);
        else if (id == PANE_TABS)
            draw_tabs(ui, p);
        else if (top && top->ops->draw)
            top->ops->draw(ui, top->st, (enum ui_pane_id)id, p->w, p->h, p->wd);
        ui_age_pane(PANE__COUNT);
        wnoutrefresh(p->w);
        p->dirty = false;
    }
    /* The status line last, so the prompt's cursor is where the terminal ends. */
    if (ui->panes[PANE_STATUS].dirty || ui->prompt != PROMPT_NONE) {
        draw_status(ui, &ui->panes[PANE_STATUS]);
        wnoutrefresh(ui->panes[PANE_STATUS].w);
        ui->panes[PANE_STATUS].dirty = false;
    }
    /* An overlay (a form field, a picker) over the panes, and the cursor
     * in it; the prompt's cursor wins while one is open. */
    if (ui->overlay && ui->prompt == PROMPT_NONE) {
        touchwin(ui->overlay);
        wnoutrefresh(ui->overlay);
    }
    curs_set(ui->prompt != PROMPT_NONE || (ui->overlay && ui->overlay_cursor) ? 1 : 0);
    doupdate();
}

void
draw_done(struct ui *ui)
{
    for (int p = 0; p < PANE__COUNT; p++) {
        if (ui->panes[p].w)
            delwin(ui->panes[p].w);
        ui->panes[p].w = NULL;
    }
}
