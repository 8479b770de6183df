#!/bin/bash
# The help is generated from the action list and shows the keys as bound,
# including drover.cfg's remapping (nodes: x = delete; global: F5 = redraw).
. "$top_srcdir/tests/tui/lib.sh"

tui_start_rw
wait_for "staging"
tui_keys 3
wait_for "stg-02"
tui_keys '?'
check "help for the nodes screen" wait_for "Keys on the nodes screen"
check "delete lists the remapped x" wait_match "^x +delete +Delete the selected cluster and its VMs"
check "replace lists its default key" wait_match "^R +replace +Destroy the node's VM"
check "the global remap F5 shows for redraw" wait_match "C-l F5 +redraw"
check "navigation keys are listed" wait_match "Down j +down +Move the selection down"
# The keys column is as wide as its widest cell: every key of open shows
# (it was cut to "Enter Return Righ..."), and a space still parts the keys
# from the action's name.
check "every key of open shows, uncut" wait_match "^Enter Return Right l +open +"
check "no key cell is cut short" eval '! tui_screen | grep -q "…  *[a-z-]* "'
check "the filter key is listed" wait_match "^/ +filter"
check "commands are listed" wait_for ":theme NAME"
tui_keys /
tui_type 'sort'
tui_keys Enter
check "the help can be filtered" wait_gone "Move the selection down"
check "and keeps what matches" wait_match "^s +sort +Sort by the next column"
tui_keys Escape
check "Esc leaves the help" wait_for "stg-02"

tui_keys 1
wait_for "staging"
tui_keys '?'
check "help for the clusters screen" wait_for "Keys on the clusters screen"
check "x is not delete on the clusters screen" wait_match "^D +delete"
check "create is listed with its key" wait_match "^c +create"
check "adding a vCenter is listed with V" wait_match "^V +add-vcenter +Add a vCenter"
tui_keys q
tui_keys 2
wait_for "worker"
tui_keys '?'
check "help for the templates screen" wait_for "Keys on the templates screen"
check "n makes a new template" wait_match "^n +new +Make a new one"
check "e edits one" wait_match "^e +edit +Edit the selected cluster or node template"
check "y copies one" wait_match "^y +copy +Copy the selected node template"
tui_keys q
tui_quit
tui_done
