#!/bin/bash
# Themes: the compiled-in default, shipped and user themes switched live with
# :theme (with completion), and a broken theme reported as file:line with
# the current theme kept.
. "$top_srcdir/tests/tui/lib.sh"

# wait_sgr LINE PATTERN: the line starts with those SGR codes.
wait_sgr() {
    local i
    for ((i = 0; i < 200; i++)); do
        line_sgr "$1" | grep -qE -- "$2" && return 0
        sleep 0.05
    done
    return 1
}

tui_start
wait_for "staging"
check "default theme: black on cyan header" wait_sgr 1 '(^| )30 46 '
tui_keys ':'
tui_type 'theme light'
tui_keys Enter
check ":theme light says so" wait_for "Theme: light"
check "light theme: bright white on blue header" wait_sgr 1 '(^| )1 97 44 '
tui_keys ':'
tui_type 'theme hi'
tui_keys Tab
check ":theme completes theme names" wait_match "^:theme high-contrast *$"
tui_keys Enter
check "high-contrast: black on bright yellow header" wait_sgr 1 '(^| )1 30 103 '
tui_keys ':'
tui_type 'theme ocean'
tui_keys Enter
check "a user theme from the config folder's themes/" wait_sgr 1 '(^| )1 97 44 '
tui_keys ':'
tui_type 'theme broken'
tui_keys Enter
check "a broken theme is reported with file:line and field" \
    wait_for "Theme not changed: $TUI_CFG/themes/broken.theme:4: header.bg: not a colour"
check "and the theme in use stays" wait_sgr 1 '(^| )1 97 44 '
tui_keys ':'
tui_type 'theme nosuch'
tui_keys Enter
check "an unknown theme is reported" wait_for "no theme 'nosuch'"
tui_keys ':'
tui_type 'theme mono'
tui_keys Enter
check "mono: a reversed header without colours" wait_sgr 1 '^7 '
check "mono: no colours at all" eventually no_colours
tui_keys ':'
tui_type 'theme'
tui_keys Enter
check ":theme alone lists the themes" wait_for "Themes: broken default high-contrast light mono ocean"
tui_quit

# The theme named in drover.cfg is used from the start; a broken one there
# is reported and the default is used.
sed -i 's/^theme = .*/theme = "light";/' "$TUI_CFG/drover.cfg"
tui_start
wait_for "staging"
check "drover.cfg's theme applies at start" wait_sgr 1 '(^| )1 97 44 '
tui_quit
sed -i 's/^theme = .*/theme = "broken";/' "$TUI_CFG/drover.cfg"
tui_start
check "a broken start-up theme is reported" wait_for "broken.theme:4: header.bg: not a colour"
check "and the compiled-in default is used" wait_sgr 1 '(^| )30 46 '
tui_quit
tui_start DROVER_THEMES_DIR=/nonexistent
wait_for "staging"
check "the default theme needs no file" wait_sgr 1 '(^| )30 46 '
tui_quit
tui_done
