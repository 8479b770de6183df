#!/bin/bash
# Resizing at any time: 120x40 -> 40x10 -> 120x40 keeps a valid screen on
# every screen; below 40x10 one line says the terminal is too small.
. "$top_srcdir/tests/tui/lib.sh"

valid_small() {
    # Header, tab bar, column titles and rows within 40 columns.
    wait_for " drover 0.1.0" && wait_match "^ Clusters" &&
        test "$(tui_screen | LC_ALL=C.UTF-8 wc -L)" -le 40
}

tui_start
wait_for "staging"
# key|text at 120x40|text at 40x10
for screen in "1|staging|staging" "3|stg-02|server-01" "4|No jobs: no drover is running the engine (nodes in progress are stalled).|No jobs" \
    "2|photon-large|photon-l"; do
    IFS='|' read -r key big small <<<"$screen"
    tui_keys "$key"
    wait_for "$big"
    tui_resize 40 10
    check "screen $key at 40x10 keeps header and tabs" valid_small
    check "screen $key at 40x10 still shows its rows" wait_for "$small"
    tui_resize 120 40
    check "screen $key back at 120x40 is whole again" wait_for "$big"
done

# A node's detail with its log pane, small and back.
tui_keys ':'
tui_type 'node prod/worker-03'
tui_keys Enter
wait_for "no guest IP after 900 s"
tui_resize 40 10
check "node detail at 40x10" valid_small
tui_resize 120 40
check "node detail back at 120x40 shows the log pane" wait_for "── Log"

tui_resize 39 10
check "39 columns: the too-small message" wait_for "Terminal too small (40x10)"
check "and nothing else" eventually lines_are 1
tui_resize 60 9
check "9 lines: the too-small message" wait_for "Terminal too small (40x10)"
tui_resize 20 5
check "20x5: the message, cut to fit" wait_match "^Terminal too small"
tui_keys j j k
tui_resize 120 40
check "back to 120x40: the screen returns" wait_for "no guest IP after 900 s"
tui_keys Escape
check "keys still work after resizing: Esc goes back" wait_for "stg-02"

# Many resizes in a row collapse into one redraw and never crash.
for s in 80x24 41x11 200x60 40x10 100x30 120x40; do
    tui_resize "${s%x*}" "${s#*x}"
done
check "after a burst of resizes the screen is right" wait_for "stg-02"
check "the header is there" wait_for " drover 0.1.0"
tui_quit
tui_done
