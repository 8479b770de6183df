#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The AGE columns tick while the console is idle (no key, no engine news):
# a cluster whose nodes were made seconds ago shows its age in seconds on
# the Clusters screen, and the value changes by itself; so does a node's on
# the Nodes screen. (The redraw comes only when an age's text changes;
# tests/bench/tui.sh measures the idle CPU.)
. "$top_srcdir/tests/tui/lib.sh"

# staging's nodes made 5 s before the console starts.
now=$(date +%s)
sed -i -E "s/created = [0-9]+L/created = $((now - 5))L/" "$TUI_STATE/clusters/staging.state"
tui_start
tui_resize 80 24
check "the console starts" wait_for "staging"
# wait_until SECONDS COMMAND...: a bounded poll of COMMAND.
wait_until() {
    local i tries=$(( $1 * 20 ))
    shift
    for ((i = 0; i < tries; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}
age_of() { tui_screen | grep -E "^ *$1 " | head -1 | grep -oE '[0-9]+s *$' | tr -d ' '; }
first=$(age_of staging)
check "staging's AGE is in seconds ($first)" test -n "$first"
changed() { local a; a=$(age_of "$1"); [ -n "$a" ] && [ "$a" != "$2" ]; }
check "and it ticks with no key pressed" wait_until 10 changed staging "$first"
tui_keys 3
check "the nodes screen" wait_for "PROGRESS"
n1=$(age_of stg-01)
check "a staging node's AGE is in seconds ($n1)" test -n "$n1"
check "and it ticks with no key pressed" wait_until 10 changed stg-01 "$n1"
tui_quit
tui_done
