#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# issue 10 §4 in the console: a node that failed for good with
# keep_failed_vms = true shows "VM kept" on the nodes screen, its detail
# names the VM and the key that replaces it, and R (confirmed) destroys that
# VM and provisions the node afresh.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
command -v tmux >/dev/null || skip_all "tmux is not installed"

ENG_RETRIES=0 eng_setup --fault PowerOnVM_Task=InvalidPowerState
spec=$W/keep/lab-cluster.cfg
mkdir -p "$W/keep"
{ echo 'keep_failed_vms = true;'; cat "$(cluster_cfg 1 0)"; } >"$spec"
nok "apply fails: power-on fails for good" to "$W/apply.out" "$DROVER" apply -f "$spec"
vm=$(status_json | jq -r '.nodes[0].vm')
is "$(owned_names)" server-01 "server-01's VM is kept in the simulator"

sock=$W/tmux.sock
tmux_kill() { tmux -S "$sock" kill-server >/dev/null 2>&1; }
tui_cleanup() { tmux_kill; eng_cleanup; }
trap tui_cleanup EXIT
screen() { tmux -S "$sock" capture-pane -p 2>/dev/null; }
keys() { tmux -S "$sock" send-keys "$@"; }
seen() { screen | grep -qE -- "$1"; }
node_line() { screen | grep -E -- "^ *$1 " | head -1; }

cmd=$(printf '%q ' env LANG=C.UTF-8 TERM=xterm-256color "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
    "XDG_STATE_HOME=$XDG_STATE_HOME" "DROVER_THEMES_DIR=$top_srcdir/themes" "$DROVER")
LANG=C.UTF-8 tmux -u -f /dev/null -S "$sock" new-session -d -x 160 -y 40 \
    "$cmd; echo DROVER-EXIT:\$?; sleep 3600"
tmux -S "$sock" set-option -g status off >/dev/null
ok "the console comes up" wait_for 20 seen "Clusters"
keys 3
ok "the nodes screen lists server-01" wait_for 20 seen "server-01"
ok "server-01's line says Error and VM kept" wait_for 10 eval "node_line server-01 | grep -qE 'Error.*VM kept'"
diag "$(node_line server-01)"
keys Enter
ok "the node's screen names the VM, kept, and R to replace it" \
    wait_for 10 seen "$vm \\(kept; R replaces it\\)"
ok "and the reason" wait_for 10 seen "keep_failed_vms"
keys Escape
ok "back on the nodes screen" wait_for 10 seen "PROGRESS"

# R replaces it: with the fault cleared, the kept VM is destroyed and the
# node comes up on a new one.
LAB_VCSIM=$(lab_vcsim) bash "$LAB" fault --state "$LAB_STATE" --fault '' >/dev/null
keys R
ok "R asks to confirm" wait_for 10 seen "Destroy the VM of lab-cluster/server-01"
keys y
ok "server-01 becomes active" wait_for 120 sh -c "tmux -S '$sock' capture-pane -p | grep -E '^ *server-01 ' | grep -q Active"
is "$(owned_count)" 1 "one VM for server-01"
ok "and it is not the kept one" test "$(owned_vms | awk '{print $1}')" != "$vm"
nok "VM kept is gone from its line" grep -q 'VM kept' <<<"$(node_line server-01)"
keys Escape
tmux -S "$sock" send-keys -l ':q'
keys Enter
ok "the console quits cleanly" wait_for 10 seen "DROVER-EXIT:0"
done_testing
