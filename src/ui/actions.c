#include "config.h"

#include <string.h>

#include "ui/actions.h"

static const struct {
    const char *name;
    bool mutating;
    const char *help;
} actions[ACT__COUNT] = {
#define UI_ACTION_ROW(id, n, mut, h) [ACT_##id] = {.name = n, .mutating = mut, .help = h},
    UI_ACTIONS(UI_ACTION_ROW)
#undef UI_ACTION_ROW
};

const char *
action_name(enum ui_action a)
{
    return (unsigned)a < ACT__COUNT ? actions[a].name : "?";
}

const char *
action_help(enum ui_action a)
{
    return (unsigned)a < ACT__COUNT ? _(actions[a].help) : "?";
}

bool
action_is_mutating(enum ui_action a)
{
    return (unsigned)a < ACT__COUNT && actions[a].mutating;
}

bool
action_from_name(const char *name, enum ui_action *out)
{
    for (unsigned i = 0; i < ACT__COUNT; i++) {
        if (strcmp(actions[i].name, name) == 0) {
            *out = (enum ui_action)i;
            return true;
        }
    }
    return false;
}
