/* Every request the console understands, listed once (tig's REQ_INFO). The
 * list expands to the enum, the names used in drover.cfg's `bind` section,
 * whether the action changes anything (read-only mode hides and refuses
 * those), and the help text. Keys map to these, never to behaviour. */
#ifndef DR_UI_ACTIONS_H
#define DR_UI_ACTIONS_H

#include <stdbool.h>

#include "core/i18n.h"

/* X(ID, "config-name", mutating, help) */
#define UI_ACTIONS(X)                                                                              \
    X(NONE, "none", false, N_("Do nothing (unbinds a key)"))                                       \
    X(UP, "up", false, N_("Move the selection up"))                                                \
    X(DOWN, "down", false, N_("Move the selection down"))                                          \
    X(PAGE_UP, "page-up", false, N_("Move one page up"))                                           \
    X(PAGE_DOWN, "page-down", false, N_("Move one page down"))                                     \
    X(TOP, "top", false, N_("Go to the first line"))                                               \
    X(BOTTOM, "bottom", false, N_("Go to the last line"))                                          \
    X(OPEN, "open", false, N_("Open the selected item"))                                           \
    X(BACK, "back", false, N_("Go back to the previous screen"))                                   \
    X(NEXT_PANE, "next-pane", false, N_("Move the focus to the next pane"))                        \
    X(TOGGLE_DETAIL, "toggle-detail", false, N_("Show or hide the detail pane"))                   \
    X(FILTER, "filter", false, N_("Filter the list (! negates)"))                                  \
    X(COMMAND, "command", false, N_("Enter a command"))                                            \
    X(SORT, "sort", false, N_("Sort by the next column"))                                          \
    X(SORT_REVERSE, "sort-reverse", false, N_("Reverse the sort order"))                           \
    X(CLUSTERS, "clusters", false, N_("Show the clusters"))                                        \
    X(TEMPLATES, "templates", false, N_("Show the node templates"))                                \
    X(NODES, "nodes", false, N_("Show all nodes"))                                                 \
    X(JOBS, "jobs", false, N_("Show jobs and events"))                                             \
    X(HELP, "help", false, N_("Show this help"))                                                   \
    X(FOLLOW, "follow", false, N_("Follow the end of the log"))                                    \
    X(REDRAW, "redraw", false, N_("Repaint the whole screen"))                                     \
    X(QUIT, "quit", false, N_("Quit drover"))                                                      \
    X(CREATE, "create", true, N_("Create a cluster from its spec"))                                \
    X(DELETE, "delete", true, N_("Delete the selected cluster and its VMs"))                       \
    X(SCALE, "scale", true, N_("Change the size of a node pool"))                                  \
    X(RETRY, "retry", true, N_("Retry the failed node"))                                           \
    X(REPLACE, "replace", true, N_("Destroy the node's VM and provision it again"))                \
    X(CANCEL, "cancel", true, N_("Cancel the selected job or the node's job"))                    \
    X(NEW, "new", true, N_("Make a new one: a cluster (wizard) or a node template"))               \
    X(EDIT, "edit", true, N_("Edit the selected cluster or node template"))                        \
    X(COPY, "copy", true, N_("Copy the selected node template under a new name"))                  \
    X(PREFLIGHT, "preflight", false,                                                               \
      N_("Check the cluster against vCenter before anything is created (preflight)"))               \
    X(ADD_VCENTER, "add-vcenter", true,                                                            \
      N_("Add a vCenter: URL, user, password source, certificate, login"))

enum ui_action {
#define UI_ACTION_ENUM(id, name, mut, help) ACT_##id,
    UI_ACTIONS(UI_ACTION_ENUM)
#undef UI_ACTION_ENUM
        ACT__COUNT
};

/* What a handler reports back; the main loop acts on it (htop's HandlerResult). */
enum {
    UI_UNHANDLED = 0,
    UI_HANDLED = 1 << 0,
    UI_REDRAW = 1 << 1,     /* the current screen's panes */
    UI_REDRAW_ALL = 1 << 2, /* header, tab bar and status line as well */
    UI_QUIT = 1 << 3,
};

const char *action_name(enum ui_action a);
/* The translated help line. */
const char *action_help(enum ui_action a);
bool action_is_mutating(enum ui_action a);
/* By config name; false when there is no such action. */
bool action_from_name(const char *name, enum ui_action *out);

#endif
