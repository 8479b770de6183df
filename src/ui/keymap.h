/* Keys to actions, per screen ("nodes") with a "global" fallback. Built from
 * compiled-in defaults, then drover.cfg's `bind` section on top. */
#ifndef DR_UI_KEYMAP_H
#define DR_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/store.h"
#include "ui/actions.h"

/* A key: a Unicode code point as typed, or a curses KEY_* code tagged with
 * UI_KEY_FN so the two ranges never collide. */
#define UI_KEY_FN 0x40000000
#define UI_KEY_CTRL(c) ((c)&0x1f)
#define UI_KEY_ESC 27

struct keymap;

/* The compiled-in bindings. */
struct keymap *keymap_new(void);
void keymap_free(struct keymap **km);

/* "x", "X", "C-r", "^R", "F5", "Enter", "Esc", "Tab", "S-Tab", "Up", "PgDn",
 * "Home", "Space", "Backspace"... */
bool keymap_parse_key(const char *name, int *key);
/* The name keymap_parse_key accepts back, for the help screen. */
const char *keymap_key_name(int key, char *buf, size_t len);

/* Bind key (by name) to action (by name) in scope ("global" or a screen
 * name). A mutating action is refused on a control chord, Enter, Tab or Esc:
 * nothing destructive should sit where a slipped finger lands. */
enum dr_err keymap_bind(struct keymap *km, const char *scope, const char *key, const char *action,
                        struct dr_error *e);
/* Apply drover.cfg bindings; scopes lists the valid screen names (NULL-ended).
 * Each refused binding becomes "file:line: bind.SCOPE.KEY: reason" in
 * *errors (a strv; may stay NULL). Returns the number applied. */
size_t keymap_apply(struct keymap *km, const struct dr_binding *b, size_t n,
                    const char *const *scopes, char ***errors);

/* The action for key on screen scope (falling back to global). */
enum ui_action keymap_lookup(const struct keymap *km, const char *scope, int key);
/* Keys that give action a on scope, as the help screen shows them. */
size_t keymap_keys_for(const struct keymap *km, const char *scope, enum ui_action a, int *keys,
                       size_t max);

#endif
