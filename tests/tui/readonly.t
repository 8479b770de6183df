#!/bin/bash
# Read-only mode (--read-only, DROVER_READ_ONLY=1, read_only in drover.cfg):
# mutating actions are refused with a message and left out of the help.
. "$top_srcdir/tests/tui/lib.sh"

refused() {
    wait_for "Read-only mode: 'delete' is not allowed"
}

tui_start -- --read-only
check "--read-only shows a badge" wait_for "READ-ONLY"
tui_keys 1
wait_for "staging"
tui_keys D
check "D (delete) is refused with a message" refused
tui_keys j
check "the message goes with the next key" wait_gone "is not allowed"
tui_keys c
check "create is refused" wait_for "Read-only mode: 'create' is not allowed"
tui_keys Enter
wait_for "server +3 x ubuntu-server"
tui_keys =
check "scale is refused" wait_for "Read-only mode: 'scale' is not allowed"
tui_keys 3
wait_for "stg-02"
tui_keys x
check "the remapped x (delete) is refused too" refused
tui_keys r
check "retry is refused" wait_for "Read-only mode: 'retry' is not allowed"
tui_keys R
check "replace is refused" wait_for "Read-only mode: 'replace' is not allowed"
tui_keys X
check "cancel is refused" wait_for "Read-only mode: 'cancel' is not allowed"
tui_keys 4
wait_gone "Read-only mode: 'cancel' is not allowed"
tui_keys c
check "c on the jobs screen is cancel, refused too" wait_for "Read-only mode: 'cancel' is not allowed"
tui_keys 3
wait_for "stg-02"
tui_keys ':'
tui_type 'delete'
tui_keys Enter
check "a mutating :command is refused" refused
tui_keys ':'
tui_type 'readonly'
tui_keys Enter
check ":readonly cannot lift a start-up read-only mode" wait_for "stays on"
tui_keys 3
wait_for "stg-02"
tui_keys '?'
check "help opens" wait_for "Keys on the nodes screen"
check "help says mutating actions are hidden" wait_for "actions that change things are hidden"
check "help still lists the monitoring keys" wait_for "Show all nodes"
# The last row of the help is drawn: what is missing now is really left out.
check "help lists quit, its last row" wait_for "Quit drover"
check "help does not list delete" eventually not_on_screen "Delete the selected"
check "help does not list replace" eventually not_on_screen "provision it again"
check "help does not list retry" eventually not_on_screen "Retry the failed node"
tui_quit

tui_start_rw DROVER_READ_ONLY=1
check "DROVER_READ_ONLY=1 shows the badge" wait_for "READ-ONLY"
tui_keys 3
wait_for "stg-02"
tui_keys x
check "and refuses delete" refused
tui_quit

printf 'read_only = true;\n' >>"$TUI_CFG/drover.cfg"
tui_start_rw
check "read_only = true in drover.cfg shows the badge" wait_for "READ-ONLY"
tui_keys 1
wait_for "staging"
tui_keys D
check "and refuses delete" refused
tui_quit
sed -i '/^read_only = true;$/d' "$TUI_CFG/drover.cfg"

# Without read-only the same key gets through to the engine.
tui_start_rw
wait_for "staging"
tui_engine_settled
check "no badge without read-only" wait_gone "READ-ONLY"
tui_keys D
check "delete asks for the cluster's name" wait_match "Delete cluster edge and destroy its [0-9]+ VMs\? Type its name:"
tui_keys y Enter
check "y is not the name: nothing changes" wait_for "Nothing changed: 'y' is not the name"
tui_keys D
wait_for "Type its name:"
tui_type 'edg'
tui_keys Escape
check "Esc abandons the question" wait_gone "Type its name:"
check "and the cluster is still there" wait_for "edge"
tui_keys D
wait_for "Type its name:"
tui_type 'edge'
tui_keys Enter
check "its name goes to the engine" wait_match "Engine not available:|Deleting cluster edge"
# edge had no VMs: once deleted it leaves the list (the console follows the
# configuration folder), so prod is picked by name, not by position.
tui_keys /
tui_type 'prod'
tui_keys Enter Enter
wait_match "server +3 x ubuntu-server"
tui_keys =
check "= asks how many nodes the pool should have" wait_for "Nodes in prod/server:"
tui_type 'many'
tui_keys Enter
check "a quantity must be a number" wait_for "Not a quantity: 'many'"
tui_keys =
wait_for "Nodes in prod/server:"
tui_type '5'
tui_keys Enter
check "a number goes to the engine" wait_match "Engine not available:|Scaling prod/server to 5"
tui_keys 3
wait_for "stg-02"
tui_keys x
check "x (delete) on a node explains how nodes go" wait_for "A node is removed by scaling its pool down"
tui_keys ':'
tui_type 'readonly'
tui_keys Enter
check ":readonly turns read-only on" wait_for "READ-ONLY"
tui_keys x
check "and delete is refused now" refused
tui_quit
tui_done
