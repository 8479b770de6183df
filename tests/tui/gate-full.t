#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 11 in the console: c (create) on a saved cluster goes through the
# engine's pre-clone gate, which runs preflight's checks before the first
# clone, as `drover apply` does. A datastore short of space: nothing is
# cloned, every node says why, the problem is a cluster event and in
# drover.log, and the lab has no new VM.
. "${top_srcdir:?}/tests/tui/englib.sh"

eng_setup --log-methods
facts() { bash "$LAB" facts --state "$LAB_STATE" "$@"; }
mkdir -p "$XDG_CONFIG_HOME/drover/clusters"
cp "$CFG" "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg"
facts 'datastore LocalDS_0 capacity=100 free=2'
vms_before=$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)
n0=$(wc -l <"$LAB_STATE/vcsim.log")

console_start 200 45
ok "the console comes up with lab-cluster" wait_for 20 seen "lab-cluster"
keys c
ok "c creates the cluster" wait_for 10 seen "Creating cluster lab-cluster"
errs() { [ "$(nodes_in error 2>/dev/null)" = 3 ]; }
ok "all three nodes fail before their clone" wait_for 60 errs
all_say() {
    status_json | jq -e '[.nodes[] | select((.error // "") |
        test("nothing was cloned: .*but the datastore has 2.0 GiB free"))] | length == 3' >/dev/null
}
ok "each says nothing was cloned, with the capacity problem" all_say
ok "and what to do: the events, drover preflight, apply again" bash -c \
    "$(printf '%q ' "$DROVER") status lab-cluster -o json | grep -q 'to fix: fix what the cluster.s events list (drover preflight NAME lists it too), then apply again'"
diag "server-01: $(status_json | jq -r '.nodes[0].error')"
ok "the console shows the failed nodes" wait_for 10 seen "lab-cluster .*(error|Error|failed)"
diag "$(screen | grep -E 'lab-cluster|error|Error' | head -5)"
ok "drover.log has the problem from the pre-clone check" \
    grep -q 'cluster lab-cluster: pre-clone check: error: .*but the datastore has 2.0 GiB free' "$STATE/drover.log"
is "$(tail -n +"$((n0 + 1))" "$LAB_STATE/vcsim.log" | grep -c 'call CloneVM_Task')" 0 "no clone was asked of vCenter"
is "$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)" "$vms_before" "no VM was created"
console_quit
done_testing
