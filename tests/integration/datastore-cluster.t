#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A template whose datastore is a datastore cluster (StoragePod, issue 12):
# each clone goes on a member datastore drover chooses as Storage DRS's
# initial placement would on space (the most free after what this run put
# there), read back from the simulator with govmomi (lab vm); a pod no host
# of the cluster can use is refused by preflight with file:line, before any
# clone; a datastore and a pod of the same name are ambiguous.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup

T=$XDG_CONFIG_HOME/drover/templates
D=$W/pod
mkdir -p "$D"
J=$D/out.json
facts() { bash "$LAB" facts --state "$LAB_STATE" "$@"; }
pod() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" pod --state "$LAB_STATE" "$@"; }
pf() { rm -f "$J"; "$DROVER" preflight -f "$1" -o json >"$J" 2>"$D/err"; }
field() { jq -r --arg c "$1" --arg k "$2" '[.findings[] | select(.check == $c and .severity == "error")][0][$k] // ""' "$J"; }
msg() { jq -r '[.findings[] | select(.severity == "error")][0].message // ""' "$J"; }
tmpl() { local n=$1; shift; sed "$@" "$T/lab.cfg" >"$T/$n.cfg"; }
spec() { mkdir -p "$D/$1"; sed -e "s/template = \"lab\";/template = \"$2\";/" "$CFG" >"$D/$1/lab-cluster.cfg"; echo "$D/$1/lab-cluster.cfg"; }
vm_ds() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" vm --state "$LAB_STATE" "$1" | sed -n 's/^datastores=//p'; }

# The pod fast-pod: three members on every host of DC0_C0, 10, 9 and 2 GiB
# free. A VM of this template takes about 2 GiB (2 GiB swap, the
# template's small disk): the first clone goes on pds-a (most free), the
# second on pds-b (9 GiB > 10 - 2), the third on pds-a again (8 > 7).
ok "lab pod makes a datastore cluster with three members" pod fast-pod pds-a pds-b pds-c
facts 'datastore pds-a capacity=100 free=10' 'datastore pds-b capacity=100 free=9' \
    'datastore pds-c capacity=100 free=2'
tmpl pod -e 's/^datastore = .*/datastore = "fast-pod";/'
POD=$(spec pod pod)
ok "validate accepts a datastore cluster as datastore" "$DROVER" validate
ok "preflight of a cluster on the pod passes" pf "$POD"
is "$(jq -r '.errors' "$J")" "0" "no error"

# --- the clones spread over the members, most free first -------------------------
ok_out "drover apply brings the cluster to active" "$W/apply.out" "$DROVER" apply -f "$POD"
declare -A on
for n in $(owned_names); do
    d=$(vm_ds "$n")
    diag "$n: $d"
    on[$d]=$((${on[$d]:-0} + 1))
done
is "$(owned_count)" "3" "three VMs"
is "${on[pds-a]:-0} ${on[pds-b]:-0} ${on[pds-c]:-0}" "2 1 0" \
    "two VMs on pds-a (10 GiB free), one on pds-b (9 GiB), none on pds-c (2 GiB)"
for n in $(owned_names); do
    ok "$n's log says which member its clone went on" grep -q \
        "datastore cluster DC0/datastore/fast-pod: on its member DC0/datastore/fast-pod/$(vm_ds "$n")" \
        "$STATE/logs/lab-cluster/$n.log"
done
ok_out "delete" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" "0" "no VM left"

# --- admission: max_clones_per_datastore counts each member ----------------------
# Clones that take 6 s (STATE/clone-time: long enough that the second
# clone is admitted while the first runs, even on a loaded machine), at
# most one per datastore: the member each clone goes on holds it, so two
# members' clones run at once (the simulator's record of its clone tasks
# says so), and none goes on pds-c, where a VM does not fit.
echo 6000 >"$LAB_STATE/clone-time"
echo 'max_clones_per_datastore = 1;' >>"$XDG_CONFIG_HOME/drover/drover.cfg"
vlog=$LAB_STATE/vcsim.log
base=$(wc -l <"$vlog")
ok_out "apply with max_clones_per_datastore = 1" "$W/apply2.out" "$DROVER" apply -f "$POD"
most=$(tail -n "+$base" "$vlog" | awk '/clone task .* running/ { n++; if (n > m) m = n }
    /clone task .* ended/ { n-- } END { print m + 0 }')
diag "$(tail -n "+$base" "$vlog" | grep 'clone task')"
diag "$(grep -H 'on its member\|cloned' "$STATE"/logs/lab-cluster/*.log)"
ok "clones on two members ran at once (at most $most clone tasks at a time)" test "$most" -ge 2
ok "and never more than one per member: at most 2 with two members that fit" test "$most" -le 2
unset on
declare -A on
for n in $(owned_names); do
    d=$(vm_ds "$n")
    on[$d]=$((${on[$d]:-0} + 1))
done
is "${on[pds-c]:-0}" "0" "none on pds-c, where a VM does not fit"
is "$((${on[pds-a]:-0} + ${on[pds-b]:-0}))" "3" "all three on pds-a and pds-b"
ok_out "delete" "$W/delete2.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" "0" "no VM left"
rm -f "$LAB_STATE/clone-time"
eng_settings

# --- a pod no host of the cluster can use: refused before any clone --------------
LAB_POD_HOST=DC0/host/DC0_H0/DC0_H0 pod far-pod far-a >/dev/null
tmpl far -e 's/^datastore = .*/datastore = "far-pod";/'
FAR=$(spec far far)
nok "preflight: a pod whose only member the cluster's hosts do not mount: exit 1" pf "$FAR"
ok "the finding says no host of the cluster mounts a member, and why far-a is out" \
    bash -c "jq -r '.findings[].message' '$J' | grep -q 'has no datastore that a host of DC0/host/DC0_C0 mounts and can take a VM (far-a: not mounted there)'"
is "$(field placement file):$(field placement line)" "templates/far.cfg:6" "it names the template's file:line"
is "$(field placement field)" "datastore" "and the field"
nok "apply refuses it" "$DROVER" apply -f "$FAR"
is "$(owned_count)" "0" "and no VM was created"

tmpl empty -e 's/^datastore = .*/datastore = "lab-pod";/'
nok "preflight: the lab's empty pod: exit 1" pf "$(spec empty empty)"
ok "the finding says the pod has no datastores" bash -c "jq -r '.findings[].message' '$J' | grep -q '(datastore cluster DC0/datastore/lab-pod) has no datastore .*(it has no datastores)'"

# --- capacity: the sum of the members' free space ----------------------------------
facts 'datastore pds-a capacity=100 free=2' 'datastore pds-b capacity=100 free=2' \
    'datastore pds-c capacity=100 free=1'
nok "preflight: 3 VMs of ~2 GiB + 10% on a pod with 5 GiB free in all: exit 1" pf "$POD"
ok "the capacity finding sums the members" bash -c "jq -r '.findings[] | select(.check == \"capacity\") | .message' '$J' | grep -q \"datastore cluster's 3 usable datastore(s) have 5.0 GiB free of 300.0 GiB\""
is "$(field capacity object)" "DC0/datastore/fast-pod" "it names the pod"
facts 'datastore pds-a capacity=100 free=10' 'datastore pds-b capacity=100 free=9' \
    'datastore pds-c capacity=100 free=2'

# --- a datastore and a pod of the same name are ambiguous --------------------------
pod dup-pod lab-pod >/dev/null
nok "preflight: \"lab-pod\" names a pod and a datastore: exit 1" pf "$(spec empty empty)"
ok "the finding lists both paths" bash -c "jq -r '.findings[].message' '$J' | grep -qF '\"lab-pod\" matches 2 datastores or datastore clusters: DC0/datastore/dup-pod/lab-pod, DC0/datastore/lab-pod'"
tmpl full -e 's#^datastore = .*#datastore = "DC0/datastore/dup-pod/lab-pod";#'
ok "its full path picks the datastore" pf "$(spec full full)"

# --- a member the user may not allocate space on: left out -----------------------
# The user lacks Datastore.AllocateSpace on pds-a only (the member with the
# most free space): a clone there would fail with NoPermission, so no clone
# goes there and preflight passes on the other two; denied on all three,
# preflight refuses the pod naming the privilege for each member.
facts 'deny Datastore.AllocateSpace pds-a'
ok "preflight: pds-a denied, pds-b and pds-c usable: passes" pf "$POD"
is "$(jq -r '.errors' "$J")" "0" "no error"
ok_out "apply with pds-a denied" "$W/apply-deny.out" "$DROVER" apply -f "$POD"
unset on
declare -A on
for n in $(owned_names); do
    d=$(vm_ds "$n")
    diag "$n: $d"
    on[$d]=$((${on[$d]:-0} + 1))
done
is "$(owned_count)" "3" "three VMs"
is "${on[pds-a]:-0}" "0" "none on pds-a, the member the user may not allocate space on"
is "$(cluster_state)" "active" "the cluster is active"
ok_out "delete" "$W/delete3.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" "0" "no VM left"
facts 'deny Datastore.AllocateSpace pds-a' 'deny Datastore.AllocateSpace pds-b' \
    'deny Datastore.AllocateSpace pds-c'
nok "preflight: every member denied: exit 1" pf "$POD"
ok "the finding names the privilege missing on each member" \
    bash -c "jq -r '.findings[].message' '$J' | grep -q 'has no datastore .*(pds-a: $LAB_USER lacks the privilege Datastore.AllocateSpace there, pds-b: .*, pds-c: .*Datastore.AllocateSpace there)'"
ok "and says to grant it" \
    bash -c "jq -r '.findings[].message' '$J' | grep -q 'grant the user Datastore.AllocateSpace on one'"
jq -r '.findings[].message' "$J" | while read -r l; do diag "$l"; done
is "$(field placement file):$(field placement line)" "templates/pod.cfg:6" "at the template's datastore line"
nok "apply refuses it" "$DROVER" apply -f "$POD"
is "$(owned_count)" "0" "and no VM was created"
facts

# --- --skip-preflight on a pod with no room: no clone into a full member ----------
# pds-a 1 GiB, pds-b and pds-c 0 free: a VM of ~2 GiB fits nowhere. vCenter
# would fail the clone with InsufficientDiskSpace (Storage DRS never puts a
# VM there); drover fails the node before cloning, naming the pod.
facts 'datastore pds-a capacity=100 free=1' 'datastore pds-b capacity=100 free=0' \
    'datastore pds-c capacity=100 free=0'
nok "apply --skip-preflight on a pod without room fails" to "$W/apply-full.out" \
    "$DROVER" apply --skip-preflight -f "$POD"
ok "the nodes fail saying no member of the pod has room, with each member's free space" \
    grep -q "no member of datastore cluster DC0/datastore/fast-pod has room for this VM (.* GiB): DC0/datastore/fast-pod/pds-a: 1.0 GiB free, DC0/datastore/fast-pod/pds-b: 0.0 GiB free, DC0/datastore/fast-pod/pds-c: 0.0 GiB free" \
    "$STATE/logs/lab-cluster/server-01.log" "$W/apply-full.out"
grep -h "room\|error" "$W/apply-full.out" | head -5 | while read -r l; do diag "$l"; done
is "$(owned_count)" "0" "and no VM was cloned into a full member"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
facts 'datastore pds-a capacity=100 free=10' 'datastore pds-b capacity=100 free=9' \
    'datastore pds-c capacity=100 free=2'

done_testing
