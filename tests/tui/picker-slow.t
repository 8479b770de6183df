#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A picker against a vCenter that takes 5 s per inventory call: while the
# fetch is in flight the console keeps turning its spinner, takes keys (the
# filter), redraws after a resize, and Esc leaves the picker at once; the
# answer, when it comes, fills a picker opened again.
. "${top_srcdir:?}/tests/tui/lablib.sh"
lab_up --method-delay RetrievePropertiesEx=5000 || { echo "Bail out! lab up failed"; exit 1; }
tl_config
tl_start
ok "the console comes up" wait_for 30 seen "Clusters"
keys 2
ok "the templates screen" wait_for 10 seen "NETWORKS"
keys n
ok "n opens a new template" wait_for 10 seen "New node template"
type_text "slow"
keys Tab Tab Enter
ok "the datacenter picker opens" wait_for 10 seen "Pick a Datacenter"
ok "it says the fetch is in flight" wait_for 10 seen "Fetching the inventory of lab"
spin() { screen | grep -F "Fetching the inventory" | head -1; }
first=$(spin)
turned() { local now; now=$(spin); [ -n "$now" ] && [ "$now" != "$first" ]; }
ok "the spinner turns while it waits" wait_for 5 turned
type_text "DC"
ok "keys are taken meanwhile (the filter)" wait_for 5 seen "Filter: DC"
ok "still fetching" wait_for 10 seen "Fetching the inventory of lab"
tmux -S "$sock" resize-window -x 100 -y 30
bottom_is_picker() { screen | sed -n 29p | grep -qF "Enter picks"; }
ok "it redraws at the new size" wait_for 5 bottom_is_picker
ok "still fetching after the resize" wait_for 10 seen "Fetching the inventory of lab"
keys Escape
ok "Esc leaves the picker" wait_for 5 gone "Pick a Datacenter"
ok "back on the form" wait_for 10 seen "New node template"
ok "nothing was picked" wait_for 10 seen_re "Datacenter +\(none"
keys Tab
ok "the form moves on" wait_for 5 seen "The compute cluster the VMs run in"
keys BTab Enter
ok "the picker opens again" wait_for 10 seen "Pick a Datacenter"
ok "the inventory arrives" wait_for 90 seen " 1 items"
keys Enter
ok "and the datacenter is picked" wait_for 10 seen_re "Datacenter +$LAB_DATACENTER"
tl_quit
done_testing
