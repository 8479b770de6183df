#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# issue 10 §4 in the console: a node that failed for good with
# keep_failed_vms = true shows "VM kept" on the nodes screen, its detail
# names the VM and the key that replaces it, and R (confirmed) destroys that
# VM and provisions the node afresh, as a new node (its age starts again).
. "${top_srcdir:?}/tests/tui/englib.sh"

ENG_RETRIES=0 eng_setup --fault PowerOnVM_Task=InvalidPowerState
spec=$W/keep/lab-cluster.cfg
mkdir -p "$W/keep"
{ echo 'keep_failed_vms = true;'; cat "$(cluster_cfg 1 0)"; } >"$spec"
nok "apply fails: power-on fails for good" to "$W/apply.out" "$DROVER" apply -f "$spec"
vm=$(status_json | jq -r '.nodes[0].vm')
is "$(owned_names)" server-01 "server-01's VM is kept in the simulator"

console_start 160 40
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
created() { "$DROVER" list nodes lab-cluster -o json | jq -r '.[] | select(.name == "server-01") | .created'; }
age_s() { node_line server-01 | grep -oE '[0-9]+s *$' | tr -d ' s'; }
c0=$(created)
# The AGE ticks while nothing else happens; at 2 s or more the replacement's
# own age is told apart from the old one's.
aged() { local a; a=$(age_s); [ -n "$a" ] && [ "$a" -ge 2 ]; }
ok "server-01's AGE ticks on its own" wait_for 10 aged
keys R
ok "R asks to confirm" wait_for 10 seen "Destroy the VM of lab-cluster/server-01"
keys y
ok "server-01 becomes active" wait_for 120 sh -c "tmux -S '$sock' capture-pane -p | grep -E '^ *server-01 ' | grep -q Active"
is "$(owned_count)" 1 "one VM for server-01"
ok "and it is not the kept one" test "$(owned_vms | awk '{print $1}')" != "$vm"
nok "VM kept is gone from its line" grep -q 'VM kept' <<<"$(node_line server-01)"
# A node made afresh is a new node: its age starts again (it kept the old one).
c1=$(created)
ok "its created time is the replacement's ($c0 -> $c1)" test "$c1" -gt "$c0"
age_ok() {
    local a now
    a=$(age_s)
    now=$(date +%s)
    [ -n "$a" ] && [ "$a" -le $((now - c1)) ] && [ "$a" -lt $((now - c0)) ]
}
ok "the AGE column shows the new node's age" wait_for 10 age_ok
console_quit
done_testing
