#!/bin/bash
# NO_COLOR=1 (and terminals without colours) get no colour escapes at all,
# yet the selection and header stay visible through attributes.
. "$top_srcdir/tests/tui/lib.sh"

tui_start
wait_for "staging"
check "with colours, colour escapes appear" eventually some_colours
tui_quit

tui_start NO_COLOR=1
wait_for "staging"
for k in 1 3 4 2; do
    tui_keys "$k"
    case $k in 1) wait_for "staging" ;; 3) wait_for "stg-02" ;; 4) wait_for "No jobs" ;; 2) wait_for "photon-large" ;; esac
    check "NO_COLOR: no colour escapes on screen $k" eventually no_colours
done
check "NO_COLOR: the header is reversed" eventually line_sgr_is 1 "7 "
tui_keys ':'
tui_type 'theme high-contrast'
tui_keys Enter
check "NO_COLOR: a theme switch says there are no colours" wait_for "this terminal shows no colours"
check "NO_COLOR: still no colour escapes after :theme" eventually no_colours
tui_quit

tui_start TERM=vt100
wait_for "staging"
check "a terminal without colours (vt100) gets none" eventually no_colours
tui_quit
tui_done
