#!/bin/bash
# A second drover on the same folders while the first runs the engine: it
# watches read-only (an OBSERVER badge) and refuses changes.
. "$top_srcdir/tests/tui/lib.sh"

tui_start_rw
wait_for "staging"
tui_engine_settled
if tui_screen | grep -qE "NO ENGINE"; then
    tui_keys c
    wait_for "Engine not available:"
    why=$(screen_line "Engine not available:" | sed 's/^ *Engine not available: *//')
    echo "1..0 # SKIP the engine cannot run read-write in this build: $why"
    exit 0  # a TAP plan of 1..0 with SKIP is the skip; 77 would be an error to the TAP driver
fi
first=$TUI_SOCK

TUI_KEEP=1 tui_start_rw
check "the second drover says it only observes" wait_for "OBSERVER" 20
check "and that it is read-only" wait_for "READ-ONLY"
tui_keys 4
check "the events say who runs the engine" wait_match "another drover \(pid [0-9]+\) runs the engine" 20
tui_keys 1
wait_for "staging"
tui_keys D
check "changes are refused" wait_for "Read-only mode: 'delete' is not allowed"
tui_keys ':'
tui_type 'readonly'
tui_keys Enter
check "and read-only cannot be lifted" wait_for "stays on"
tui_quit

TUI_SOCK=$first
check "the first drover is not an observer" wait_gone "OBSERVER"
tui_quit
tui_done
