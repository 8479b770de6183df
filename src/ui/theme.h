/* Colours named by meaning (htop's ColorElements). A theme maps each role to
 * a foreground, a background and attributes; the themes/NAME.theme files are
 * libconfig, and "default" is compiled in so drover starts with no files. */
#ifndef DR_UI_THEME_H
#define DR_UI_THEME_H

#include <stdbool.h>

#include "core/err.h"

enum { TA_BOLD = 1, TA_REVERSE = 2, TA_UNDERLINE = 4, TA_DIM = 8, TA_STANDOUT = 16 };

/* X(ID, "path in the theme file", fg, bg, attrs, attrs without colour) */
#define UI_ROLES(X)                                                                                \
    X(NORMAL, "normal", -1, -1, 0, 0)                                                              \
    X(HEADER, "header", 0, 6, 0, TA_REVERSE)                                                       \
    X(BADGE, "badge", 15, 1, TA_BOLD, TA_BOLD | TA_REVERSE)                                        \
    X(TAB, "tab", -1, -1, 0, 0)                                                                    \
    X(TAB_ACTIVE, "tab.active", 0, 3, TA_BOLD, TA_REVERSE | TA_BOLD)                               \
    X(TITLE, "title", -1, -1, TA_BOLD | TA_UNDERLINE, TA_BOLD | TA_UNDERLINE)                      \
    X(SELECTION, "selection", 0, 6, 0, TA_REVERSE)                                                 \
    X(BORDER, "border", 4, -1, 0, 0)                                                               \
    X(STATUS, "status", -1, -1, 0, 0)                                                              \
    X(STATUS_ERROR, "status.error", 9, -1, TA_BOLD, TA_BOLD)                                       \
    X(KEY, "key", 3, -1, TA_BOLD, TA_BOLD)                                                         \
    X(PROMPT, "prompt", -1, -1, TA_BOLD, TA_BOLD)                                                  \
    X(STATE_ACTIVE, "state.active", 2, -1, 0, 0)                                                   \
    X(STATE_PROVISIONING, "state.provisioning", 3, -1, 0, TA_BOLD)                                 \
    X(STATE_PENDING, "state.pending", 6, -1, 0, 0)                                                 \
    X(STATE_ERROR, "state.error", 1, -1, TA_BOLD, TA_BOLD | TA_UNDERLINE)                          \
    X(STATE_REMOVING, "state.removing", 5, -1, 0, TA_DIM)                                          \
    X(PROGRESS, "progress", 2, -1, 0, 0)                                                           \
    X(DIM, "dim", 8, -1, 0, TA_DIM)

enum ui_role {
#define UI_ROLE_ENUM(id, path, fg, bg, at, mono) ROLE_##id,
    UI_ROLES(UI_ROLE_ENUM)
#undef UI_ROLE_ENUM
        ROLE__COUNT
};

struct role_style {
    short fg, bg;   /* 0..255, or -1 for the terminal's own colour */
    unsigned attrs; /* TA_* */
};

struct theme {
    char name[64];
    struct role_style roles[ROLE__COUNT];
};

const char *theme_role_name(enum ui_role r);
/* The compiled-in default theme. */
void theme_default(struct theme *t);
/* Load a theme file over the compiled-in default. On any error *t is left
 * untouched and e says "path:line: what". */
enum dr_err theme_load_file(const char *path, struct theme *t, struct dr_error *e);
/* Find NAME.theme: the user's folder first, then the shipped themes
 * ($DROVER_THEMES_DIR when set, else the installed data folder). Newly
 * allocated path, or NULL. */
char *theme_find(const char *name, const char *user_dir);
/* Names of the themes found in both folders (a strv, sorted, "default" included). */
char **theme_list(const char *user_dir);
/* Load by name: "default" without a file is the compiled-in one. */
enum dr_err theme_load(const char *name, const char *user_dir, struct theme *t, struct dr_error *e);

/* Curses side: set up colour pairs (colour=false: attributes only, no colour
 * escapes at all) and give each role's attribute. */
void theme_apply(const struct theme *t, bool colour);
int theme_attr(enum ui_role r);

#endif
