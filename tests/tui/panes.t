#!/bin/bash
# The detail pane (d toggles it, Tab moves the focus), full repaints (C-l and
# the F5 that drover.cfg binds to redraw), and the node log pane's scrolling.
. "$top_srcdir/tests/tui/lib.sh"

tui_start
wait_for "staging"
tui_keys j
tui_keys d
check "d shows the detail pane for the selected cluster" wait_match "^ Cluster +prod$"
check "with its pools" wait_match "^ worker +3 x ubuntu-worker \(worker\)"
tui_keys j
check "the detail follows the selection" wait_match "^ Cluster +staging$"
tui_keys Tab
tui_keys k
check "with the focus on the detail pane the selection stays" wait_match "^ Cluster +staging$"
tui_keys Tab
tui_keys k
check "Tab brings the focus back to the table" wait_match "^ Cluster +prod$"
tui_keys d
check "d hides the detail pane again" wait_gone "3 x ubuntu-worker (worker)"

tui_keys 3
wait_for "stg-02"
tui_keys d
check "nodes have a detail pane too" wait_match "^ Node +server-01$"
tui_keys G
check "showing the selected node's error when it has one" wait_match "^ Node +stg-02$"
tui_keys d

# Repaints: the screen comes back the same (polled: a capture may land
# between the clear and the redraw). The reference is taken once the node's
# detail pane (its rule and its rows) is gone and the frame is whole: taken at
# once, under load it could still hold the pane, which no repaint shows.
wait_no_match '^(─)+$|^ (Node|Cluster|State|VM|IP|Attempts)( |$)'
before=$(settled_screen)
tui_keys C-l
check "C-l repaints to the same screen" wait_for "stg-02"
check "the screen after C-l is unchanged" wait_screen "$before"
tui_keys F6
check "an unbound key says so" wait_for "Key F6 is not bound (? shows the keys)"
tui_keys F5
check "F5 (bound to redraw in drover.cfg) clears that message" wait_gone "Key F6 is not bound"
check "and is not reported as unbound itself" eventually not_on_screen "Key F5 is not bound"
check "the screen after F5 is unchanged" wait_screen "$before"

# A node's log pane: focus, scroll, follow.
tui_keys ':'
tui_type 'node prod/worker-03'
tui_keys Enter
check "the node detail opens with its log pane" wait_for "── Log"
check "which says when there is nothing yet" wait_for "No log lines yet."
tui_keys Tab
check "Tab focuses the log pane" wait_for "── Log"
tui_keys k
check "scrolling up stops following" wait_for "(scrolled; F follows)"
tui_keys F
check "F follows again" wait_gone "(scrolled; F follows)"
tui_quit
tui_done
