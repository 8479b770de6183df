/* The console's shared state and the interface screens are written against.
 * Main thread only. */
#ifndef DR_UI_UI_H
#define DR_UI_UI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/store.h"
#include "engine/engine.h"
#include "ui/actions.h"
#include "ui/keymap.h"
#include "ui/provide_curses.h"
#include "ui/table.h"
#include "ui/theme.h"

struct ui;
struct ui_watch;

enum ui_pane_id { PANE_HEADER, PANE_TABS, PANE_MAIN, PANE_DETAIL, PANE_STATUS, PANE__COUNT };

struct ui_pane {
    WINDOW *w;
    int y, x, h, wd;
    bool shown;
    bool dirty;
};

/* What a screen hears about besides keys. */
enum ui_event_kind {
    UI_EV_DATA,   /* a new snapshot/store: rebuild from ui->snap and ui->store */
    UI_EV_ENGINE, /* one engine event (ev set); the snapshot follows at the next frame */
};

struct ui_event {
    enum ui_event_kind kind;
    const struct dr_event *ev;
};

/* One screen: a table of functions filled in by field name (tmux's
 * window_mode). State lives in what .enter returns and .leave frees. */
struct screen_ops {
    const char *name;  /* keymap scope and `:` command */
    const char *title; /* N_() */
    void *(*enter)(struct ui *ui, const char *arg);
    void (*leave)(struct ui *ui, void *st);
    /* Draw into an erased window of h x wd cells (PANE_MAIN or PANE_DETAIL). */
    void (*draw)(struct ui *ui, void *st, enum ui_pane_id pane, WINDOW *w, int h, int wd);
    /* Returns UI_* flags; UI_UNHANDLED lets the common handling run. */
    int (*action)(struct ui *ui, void *st, enum ui_action a);
    int (*event)(struct ui *ui, void *st, const struct ui_event *ev);
    /* The breadcrumb label for a detail screen (the item's name), or NULL. */
    const char *(*crumb)(void *st);
    /* The screen's main table, for filter and sort; NULL when it has none. */
    struct table *(*table)(void *st);
    /* The detail pane is part of the screen (a log pane) rather than a toggle. */
    bool detail_always;
    /* Every key before the key map (a form types into its fields); returns
     * UI_* flags, UI_UNHANDLED lets the key map have the key. NULL: none. */
    int (*key)(struct ui *ui, void *st, int key);
    /* N_(): the status line's key hints for a screen that takes its own
     * keys (a form); NULL: the key map's. */
    const char *key_hints;
};

struct ui_frame {
    const struct screen_ops *ops;
    void *st;
};

enum ui_prompt_kind {
    PROMPT_NONE,
    PROMPT_FILTER,
    PROMPT_COMMAND,
    PROMPT_NUMBER,
    PROMPT_CONFIRM,
    PROMPT_TYPE_NAME, /* type arg back to confirm a destructive action */
};

/* Recent engine events, newest last, for the Jobs/Events screen and logs. */
struct ui_event_line {
    time_t time;
    enum dr_event_kind kind;
    enum dr_log_level level;
    char *cluster, *node, *text;
};

#define UI_STACK_MAX 8
#define UI_EVENTS_MAX 1000

struct ui {
    struct dr_store *store;   /* templates, vCenters, settings (owned) */
    struct dr_snapshot *snap; /* clusters, nodes, jobs (owned) */
    bool snap_from_engine;    /* else built from the store */
    bool snap_stale;          /* events arrived since it was taken */
    bool headless;            /* the terminal hung up; jobs still run */
    struct dr_engine *engine; /* NULL when the engine is not running */
    bool engine_pending;      /* not started yet: comes after the first frame */
    char *engine_error;       /* why it is not, for the status line */
    struct ui_watch *watch;   /* follows the configuration folder (watch.h) */

    bool read_only;
    bool read_only_locked; /* set from outside: `:readonly` cannot lift it */
    bool colour;           /* colours in use (not NO_COLOR, has_colors()) */
    bool utf8;
    struct theme theme;
    struct keymap *keymap;

    struct ui_frame stack[UI_STACK_MAX];
    int depth;

    struct ui_pane panes[PANE__COUNT];
    bool detail_on;        /* the toggle */
    enum ui_pane_id focus; /* PANE_MAIN or PANE_DETAIL */
    bool too_small;
    bool full_repaint;

    char status[512];
    bool status_error;

    enum ui_prompt_kind prompt;
    char pbuf[256]; /* the prompt's text (UTF-8) */
    size_t plen;
    char *pprompt_ctx;      /* e.g. the pool a number is for */
    char pquestion[256];    /* a y/n question */
    enum ui_action confirm; /* what y runs */

    struct ui_event_line *events; /* ring of UI_EVENTS_MAX */
    size_t ev_head, ev_count;
    unsigned long ev_seen; /* bumps on every event, for screens that tail */

    bool quit;
    long long last_draw_ms;

    /* A window drawn over the panes, refreshed last with the cursor left in
     * it (a form's field being edited, a picker); NULL when none. Its owner
     * sets and clears it. */
    WINDOW *overlay;
    bool overlay_cursor;
    /* Requests in flight that show a spinner: while above 0 the loop wakes
     * every UI_SPIN_MS and bumps spin. */
    int busy;
    unsigned spin;
    long long last_spin_ms;
};

#define UI_SPIN_MS 150
/* The spinner's current glyph ("|/-\" or braille dots in UTF-8). */
const char *ui_spinner(const struct ui *ui);

/* Screens that exist (screens/). */
extern const struct screen_ops screen_clusters, screen_cluster, screen_templates, screen_template,
    screen_nodes, screen_node, screen_jobs, screen_help, screen_vcenter_add,
    screen_template_edit, screen_wizard;
/* Every screen, NULL-terminated; and their names for the keymap. */
extern const struct screen_ops *const ui_screens[];
const char *const *ui_screen_names(void);

/* Navigation. */
void ui_switch(struct ui *ui, const struct screen_ops *ops); /* new top-level screen */
void ui_push(struct ui *ui, const struct screen_ops *ops, const char *arg);
void ui_pop(struct ui *ui);
struct ui_frame *ui_top(struct ui *ui);

/* The status line: a message until the next key. */
void ui_status(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_error(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_dirty(struct ui *ui, enum ui_pane_id p);
void ui_dirty_all(struct ui *ui);

/* Run an action as if its key was pressed (read-only refusal included). */
int ui_dispatch(struct ui *ui, enum ui_action a);
/* Start a prompt on the status line. */
void ui_prompt_start(struct ui *ui, enum ui_prompt_kind kind, const char *ctx);
/* Ask y/n on the status line before a destructive action; y runs a on arg. */
void ui_confirm(struct ui *ui, enum ui_action a, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Ask the operator to type arg (a cluster's name) before a destructive
 * action; Enter with exactly that text runs a on arg. */
void ui_confirm_typed(struct ui *ui, enum ui_action a, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A node alone is not deleted: its pool is scaled down. Says so. */
int ui_delete_node_hint(struct ui *ui);
/* Execute a `:` command line. */
int ui_command(struct ui *ui, const char *line);
/* A theme by name; reports on the status line. */
bool ui_set_theme(struct ui *ui, const char *name);
const char *ui_user_theme_dir(struct ui *ui);

/* The recent events, i = 0 oldest. */
const struct ui_event_line *ui_event_at(const struct ui *ui, size_t i);

/* Data helpers for screens. */
const struct dr_cluster_view *ui_find_cluster(const struct ui *ui, const char *name);
/* "42s", "5m", "3h", "2d" since t; "-" when t is 0. While a pane is drawn
 * (ui_age_pane), the time its ages next read differently is kept for it. */
const char *ui_age(time_t t, char *buf, size_t len);
/* The pane being drawn (PANE__COUNT: none): its ages' next change is reset. */
void ui_age_pane(enum ui_pane_id pane);
/* The ages on screen tick: mark each shown pane whose ages read
 * differently by now dirty (*dirtied true then), and return how many ms
 * until the next such change (-1: no age on screen). One wake-up per change
 * of printed text: a second while an age is under 2 minutes, else a
 * minute, an hour, a day. */
int ui_age_tick(struct ui *ui, bool *dirtied);
/* Role for a node or cluster state. */
enum ui_role ui_node_role(enum dr_node_state s);
enum ui_role ui_cluster_role(enum dr_cluster_state s);
/* A node's VM for a detail pane: the id, and for a failed node that kept
 * its VM, "vm-57 (kept; R replaces it)" with the key bound on screen scope.
 * Writes into buf and returns it. */
const char *ui_node_vm_text(struct ui *ui, const char *scope, const struct dr_node *n, char *buf,
                            size_t len);
/* Draw "label: value" lines for a detail pane, starting at row *y. */
void ui_draw_field(WINDOW *w, int *y, int wd, const char *label, const char *value,
                   enum ui_role role);
/* The same, the value wrapped at spaces over as many lines as it needs, at
 * most up to line max (exclusive; at least one line), the last one cut with
 * an ellipsis: a finding's whole text and fix at 80 columns. */
void ui_draw_field_wrapped(WINDOW *w, int *y, int max, int wd, const char *label,
                           const char *value, enum ui_role role);
/* The glyph for a horizontal rule ("─" or "-"). */
void ui_draw_hline(WINDOW *w, int y, int wd);
/* s at row y, column x, fitted to exactly width cells (text_fit: cut with an
 * ellipsis or padded) in role's colours; nothing when width <= 0. */
void ui_draw_text(WINDOW *w, int y, int x, int width, const char *s, enum ui_role role);

/* Engine commands with the console's checks and messages (feed.c). */
int ui_engine_result(struct ui *ui, enum dr_err rc, const struct dr_error *e, const char *done);

#endif
