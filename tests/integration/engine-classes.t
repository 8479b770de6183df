#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The failure classes through the real engine against the lab vCenter (issue
# 10 §1): vSphere faults injected in the simulator (lab fault, see
# tests/lab/vcsim/faults.go) the way vCenter reports them. A busy task clears
# and is retried; a fault that says the input is invalid fails at once with
# what to do; a fault the table does not name is retried until the retries
# are used up. The table itself is walked by tests/unit/test_classify.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"

lab_fault() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" fault --state "$LAB_STATE" --fault "$1" >/dev/null; }
node_json() { "$DROVER" list nodes lab-cluster -o json | jq -c '.[] | select(.name == "server-01")'; }
node_log() { cat "$STATE/logs/lab-cluster/server-01.log" 2>/dev/null; }
retries_logged() { node_log | grep -c "attempt [0-9]* failed"; }

ENG_RETRIES=3 eng_setup
spec=$(cluster_cfg 1 0)
sed -i '1i keep_failed_vms = true;' "$spec"   # the failed VM stays to look at
out=$W/apply.out

# 1. Transient: the VM is busy with another task twice, then free.
lab_fault PowerOnVM_Task=TaskInProgress:2
ok_out "apply succeeds after a busy task clears" "$out" "$DROVER" apply -f "$spec"
is "$(node_json | jq -r .state)" active "server-01 is ACTIVE"
is "$(retries_logged)" 2 "both TaskInProgress answers were retried"
ok "the retries name the fault" grep -q "attempt 1 failed: .*TaskInProgress" <<<"$(node_log)"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 2. Permanent: vCenter says the device change is invalid, every time.
lab_fault ReconfigVM_Task=InvalidDeviceSpec
nok "apply fails on an invalid device spec" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/configuring "server-01 is in ERROR at configuring"
is "$(jq -r .attempts <<<"$j")" 1 "not retried (retries = 3)"
is "$(retries_logged)" 0 "no retry in the node log"
ok "the reason names the fault" grep -q "InvalidDeviceSpec" <<<"$err"
ok "and what to do" grep -q "to fix: correct the template's hardware" <<<"$err"
lab_fault ''
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 3. Permanent: the clone's name is taken (DuplicateName) - the operator
#    must remove the other object; no retry can.
lab_fault CloneVM_Task=DuplicateName
nok "apply fails on a duplicate name" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/cloning "server-01 is in ERROR at cloning"
is "$(jq -r .attempts <<<"$j")" 1 "not retried"
ok "the reason says what to do" grep -q "to fix: remove or rename the other object" <<<"$err"
lab_fault ''
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 4. A fault the table does not name: transient, retried until the retries
#    are used up (retries = 3: four attempts).
lab_fault PowerOnVM_Task=HostPowerOpFailed
nok "apply fails on a fault that never clears" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/powering-on "server-01 is in ERROR at powering-on"
is "$(jq -r .attempts <<<"$j")" 4 "retried three times"
is "$(retries_logged)" 3 "three retries in the node log"
nok "no advice for a fault drover cannot judge" grep -q "to fix:" <<<"$err"
lab_fault ''
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
is "$(owned_count)" 0 "no VM left behind"
done_testing
