#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# issue 10 §4: a node that fails for good after its clone leaves no VM
# behind, unless keep_failed_vms asks to keep it; a VM whose owner marker is
# not the node's is never touched. Faults come from the lab's simulator
# (lab up --fault, lab fault), answered the way vCenter answers them.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"

# Every VM of the lab named $1 (marked or not): "id name power owner".
vms_named() { (set -a; . "$LAB_STATE/env"; "$LABVMS") | awk -v n="$1" '$2 == n'; }
count_named() { vms_named "$1" | wc -l; }
node_json() { status_json | jq -r --arg n "$1" ".nodes[] | select(.name == \$n) | $2"; }
lab_fault() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" fault --state "$LAB_STATE" --fault "$1" >/dev/null; }
out=
one=

# 1. PowerOnVM_Task fails for good (the task ends in InvalidPowerState);
#    one retry. After the last attempt the clone is gone.
ENG_RETRIES=1 eng_setup --fault PowerOnVM_Task=InvalidPowerState
out=$W/apply.out
one=$(cluster_cfg 1 0)
nok "apply fails when power-on fails for good" to "$out" "$DROVER" apply -f "$one"
is "$(node_json server-01 '.state + "/" + .step')" "error/powering-on" \
    "server-01 is in ERROR at powering-on"
err=$(node_json server-01 .error)
diag "reason: $err"
ok "the reason names the vCenter fault" grep -q 'InvalidPowerState' <<<"$err"
ok "the reason says the VM was destroyed" grep -q 'its VM vm-[0-9]* was destroyed' <<<"$err"
ok "the power-on was retried first" grep -q 'attempt 1 failed' "$out"
is "$(count_named server-01)" 0 "no VM named server-01 is left in the simulator"
is "$(owned_count)" 0 "no VM with a drover marker is left"
is "$(node_json server-01 .vm)" null "the node no longer names a VM"
is "$(node_json server-01 .vm_kept)" false "status does not call a VM kept"

# 1b. The same kind at another step: the reconfigure after the clone fails
#     (InsufficientResourcesFault, armed while the lab runs); an operator's
#     retry (apply again) starts with a fresh clone.
lab_fault ReconfigVM_Task=InsufficientResourcesFault
nok "apply fails when reconfigure fails for good" to "$out" "$DROVER" apply -f "$one"
is "$(node_json server-01 '.state + "/" + .step')" "error/configuring" \
    "server-01 is in ERROR at configuring"
ok "the reason names the fault and the destroyed VM" \
    grep -q 'InsufficientResourcesFault.*its VM vm-[0-9]* was destroyed' <<<"$(node_json server-01 .error)"
is "$(count_named server-01)" 0 "no VM named server-01 is left"

# 2. Transient: power-on fails once, the retry succeeds. The clone that was
#    retried on is the one that stays (nothing destroyed, nothing cloned twice).
lab_fault PowerOnVM_Task=InvalidPowerState:1
ok_out "apply succeeds when power-on fails once" "$out" "$DROVER" apply -f "$one"
ok "the first power-on failed and was retried" grep -q 'attempt 1 failed.*InvalidPowerState' "$out"
is "$(node_json server-01 .state)" active "server-01 is active"
is "$(count_named server-01)" 1 "exactly one VM named server-01"
is "$(vms_named server-01 | awk '{print $3}')" poweredOn "and it is powered on"
ok "delete cleans up" to "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left after the delete"

# 3. keep_failed_vms = true (for the cluster): the failed VMs stay, and
#    status and the reasons say so.
lab_fault PowerOnVM_Task=InvalidPowerState
two=$(cluster_cfg 1 1)
keep=$W/keep/lab-cluster.cfg
mkdir -p "$W/keep"
{ echo 'keep_failed_vms = true;'; cat "$two"; } >"$keep"
nok "apply fails again" to "$out" "$DROVER" apply -f "$keep"
declare -A vm
for n in server-01 agent-01; do
    is "$(node_json $n '.state + "/" + .step')" "error/powering-on" "$n is in ERROR at powering-on"
    err=$(node_json $n .error)
    diag "reason: $err"
    ok "$n: the reason says the VM is kept and how to replace it" \
        grep -q 'VM vm-[0-9]* kept (keep_failed_vms = true); replacing the node (R)' <<<"$err"
    vm[$n]=$(node_json $n .vm)
    is "$(vms_named $n | awk '{print $1 " " $3}')" "${vm[$n]} poweredOff" \
        "$n: the VM it names is still in the simulator, powered off"
    is "$(node_json $n .vm_kept)" true "$n: status -o json says vm_kept"
    ok "$n: status says the VM is kept" grep -q "$n .*${vm[$n]} (kept)" <<<"$("$DROVER" status lab-cluster)"
done

# 4. Someone else takes server-01's VM over (its owner marker changes) and
#    agent-01's loses its marker. Without keep_failed_vms the failure recurs;
#    neither VM is destroyed.
(set -a; . "$LAB_STATE/env"; "$LABVMS" mark "${vm[server-01]}" "other-tool/owns/this" &&
    "$LABVMS" mark "${vm[agent-01]}" "")
nok "apply fails again" to "$out" "$DROVER" apply -f "$two"
err=$(node_json server-01 .error)
diag "reason: $err"
ok "server-01: the reason says its VM was left alone and why" \
    grep -q "VM ${vm[server-01]} left alone: its owner marker is other-tool/owns/this" <<<"$err"
err=$(node_json agent-01 .error)
diag "reason: $err"
ok "agent-01: the reason says its VM was left alone and why" \
    grep -q "VM ${vm[agent-01]} left alone: it carries no drover owner marker" <<<"$err"
lab_fault ''
ok_out "delete succeeds" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(vms_named server-01 | awk '{print $1 " " $4}')" "${vm[server-01]} other-tool/owns/this" \
    "the delete did not touch the VM another tool owns"
is "$(vms_named agent-01 | awk '{print $1 " " $4}')" "${vm[agent-01]} -" \
    "nor the unmarked one"

# 5. A kept VM taken over by another tool before the delete: the delete
#    forgets the node, says it left the VM alone, and does not touch it.
#    (server-01 and agent-01 now name the VMs left alone above, so this
#    cluster's node is called keep-01.)
lab_fault PowerOnVM_Task=InvalidPowerState
keep5=$W/keep5/lab-cluster.cfg
mkdir -p "$W/keep5"
{ echo 'keep_failed_vms = true;'; sed 's/hostname_prefix = "server-"/hostname_prefix = "keep-"/' "$one"; } >"$keep5"
nok "apply fails with keep_failed_vms" to "$out" "$DROVER" apply -f "$keep5"
vm5=$(node_json keep-01 .vm)
is "$(vms_named keep-01 | awk '{print $1}')" "$vm5" "keep-01's VM is kept"
(set -a; . "$LAB_STATE/env"; "$LABVMS" mark "$vm5" "other-tool/owns/this-too")
ok_out "delete succeeds" "$out" "$DROVER" delete cluster lab-cluster --yes
ok "it says which VM it left alone and why" \
    grep -q "keep-01: VM $vm5 left alone: its owner marker is other-tool/owns/this-too" "$out"
is "$(vms_named keep-01 | awk '{print $1 " " $4}')" "$vm5 other-tool/owns/this-too" \
    "that VM is still there, with its marker"
is "$(owned_vms | grep -c '/lab-cluster/')" 0 "no VM carries a lab-cluster marker"

# 6. The clean-up itself fails (vCenter refuses Destroy_Task): the node's
#    reason says the VM could not be destroyed and how to remove it, the VM
#    stays and shows as kept; once vCenter accepts again, delete removes it.
lab_fault PowerOnVM_Task=InvalidPowerState,Destroy_Task=TaskInProgress
six=$W/six/lab-cluster.cfg
mkdir -p "$W/six"
sed 's/hostname_prefix = "server-"/hostname_prefix = "six-"/' "$one" >"$six"
nok "apply fails" to "$out" "$DROVER" apply -f "$six"
err=$(node_json six-01 .error)
diag "reason: $err"
vm6=$(node_json six-01 .vm)
ok "the reason says the VM could not be destroyed, and what removes it" \
    grep -q "its VM $vm6 could not be destroyed (.*TaskInProgress.*); replacing the node (R) or deleting the cluster destroys it" <<<"$err"
is "$(vms_named six-01 | awk '{print $1}')" "$vm6" "the VM is still there"
is "$(node_json six-01 .vm_kept)" true "status says it is kept"
lab_fault ''
ok_out "delete succeeds once vCenter accepts" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(count_named six-01)" 0 "and the VM is gone"

# 7. The clone is carried out but its answer is lost (the lab clones, then
#    answers with a fault), and the fault is permanent: the node has no VM id,
#    yet the VM cloned for it is found by its owner marker and destroyed.
lab_fault CloneVM_Task/done=InvalidArgument:1
seven=$W/seven/lab-cluster.cfg
mkdir -p "$W/seven"
sed 's/hostname_prefix = "server-"/hostname_prefix = "seven-"/' "$one" >"$seven"
nok "apply fails at cloning" to "$out" "$DROVER" apply -f "$seven"
is "$(node_json seven-01 '.state + "/" + .step + "/" + (.vm // "none")')" "error/cloning/none" \
    "seven-01 is in ERROR at cloning with no VM id"
err=$(node_json seven-01 .error)
diag "reason: $err"
ok "the reason says the VM found by its marker was destroyed" \
    grep -q "VM vm-[0-9]*, found by this node's owner marker, was destroyed" <<<"$err"
is "$(count_named seven-01)" 0 "no VM named seven-01 is left"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
done_testing
