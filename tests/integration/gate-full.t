#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 11: every apply path gets preflight's checks before its first clone,
# and `drover apply`, which runs preflight itself, gets them once: the
# engine's pre-clone gate then only resolves names and tags again (no second
# round of privilege questions). The console's create: tests/tui/gate-full.t.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --log-methods

facts() { bash "$LAB" facts --state "$LAB_STATE" "$@"; }
LOG=$LAB_STATE/vcsim.log
# calls METHOD FROM: how many METHOD calls the lab logged after line FROM.
calls() { tail -n +"$(($2 + 1))" "$LOG" | grep -c "call $1\b"; }

# How many privilege questions one preflight of the lab cluster asks.
n0=$(wc -l <"$LOG")
ok "preflight of the lab cluster passes" "$DROVER" preflight -f "$CFG"
per_preflight=$(calls HasPrivilegeOnEntities "$n0")
diag "one preflight: $per_preflight HasPrivilegeOnEntities call(s)"
ok "preflight asks vCenter about privileges" test "$per_preflight" -gt 0

# A datastore short of space: apply stops at its own preflight; nothing made.
facts 'datastore LocalDS_0 capacity=100 free=2'
n0=$(wc -l <"$LOG")
nok "apply with 2 GiB free on the datastore (less than the new VMs' swap alone) fails" to "$W/short.out" "$DROVER" apply -f "$CFG"
ok "it names the capacity problem" grep -q 'but the datastore has 2.0 GiB free' "$W/short.out"
is "$(calls CloneVM_Task "$n0")" 0 "no clone was asked for"
is "$(owned_count)" 0 "no VM exists"
facts 'datastore LocalDS_0 capacity=100 free=90'

# A sound apply: preflight once (the CLI's), the gate only names and tags.
n0=$(wc -l <"$LOG")
ok_out "apply of the lab cluster comes up" "$W/apply.out" "$DROVER" apply -f "$CFG"
is "$(calls HasPrivilegeOnEntities "$n0")" "$per_preflight" \
    "apply asked the privilege questions of one preflight, not two"
ok "drover.log: the gate checked names and tags only" \
    grep -q 'cluster lab-cluster: pre-clone check passed (names and tags)' "$STATE/drover.log"
nok "drover.log: the gate did not run preflight's checks again" \
    grep -q "pre-clone check passed (preflight's checks)" "$STATE/drover.log"
is "$(owned_count)" 3 "3 VMs"
ok_out "delete cluster" "$W/del.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"
done_testing
