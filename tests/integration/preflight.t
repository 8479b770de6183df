#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# drover preflight against the lab (issue 11): each check fires on a lab
# made wrong in its way, and stays quiet on the same lab made right; every
# finding has a severity, the object's full inventory path, what is wrong
# and a fix; exit 1 with an error, 0 without; read-only in vCenter (the
# lab's method log); `apply` stops before any clone on an error and
# --skip-preflight goes ahead (logged).
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --log-methods

T=$XDG_CONFIG_HOME/drover/templates
D=$W/pf
mkdir -p "$D"
J=$D/out.json
jqe() { jq -e "$@" >/dev/null; }
facts() { bash "$LAB" facts --state "$LAB_STATE" "$@"; }
# pf SPEC: preflight -o json into $J; the exit code is the command's.
pf() { rm -f "$J"; "$DROVER" preflight -f "$1" -o json >"$J" 2>"$D/err"; }
# has CHECK SEVERITY REGEX: a finding of that check and severity whose
# message matches.
has() {
    jq -e --arg c "$1" --arg s "$2" --arg r "$3" \
        '[.findings[] | select(.check == $c and .severity == $s and (.message | test($r)))] | length > 0' \
        "$J" >/dev/null
}
none() { ! jq -e --arg c "$1" '[.findings[] | select(.check == $c and .severity != "note")] | length > 0' "$J" >/dev/null; }
field() { jq -r --arg c "$1" --arg k "$2" '[.findings[] | select(.check == $c and .severity != "note")][0][$k] // ""' "$J"; }
# tmpl NAME SED...: templates/NAME.cfg from the lab template, edited.
tmpl() { local n=$1; shift; sed "$@" "$T/lab.cfg" >"$T/$n.cfg"; }
# spec NAME TEMPLATE: the lab cluster using TEMPLATE, as $D/NAME/lab-cluster.cfg.
spec() { mkdir -p "$D/$1"; sed -e "s/template = \"lab\";/template = \"$2\";/" "$CFG" >"$D/$1/lab-cluster.cfg"; echo "$D/$1/lab-cluster.cfg"; }

# --- a sound lab: no error, no warning; exit 0 --------------------------------
ok "preflight of the lab cluster passes (exit 0)" pf "$CFG"
is "$(jq -r '.errors, .warnings' "$J" | tr '\n' ' ')" "0 0 " "no error and no warning"
ok "the note says what only a boot can confirm, and points at drover cloud-init" \
    jqe '[.findings[] | select(.severity == "note" and (.message | test("only a boot")) and (.fix | test("drover cloud-init lab")))] | length == 1' "$J"
ok "the human form says the totals" bash -c "$(printf '%q ' "$DROVER") preflight -f '$CFG' | grep -q 'preflight of cluster lab-cluster: 0 error(s), 0 warning(s)'"

# disk.EnableUUID (the vSphere CSI driver needs it): nothing for a cluster
# without cloud_provider, which does not run the driver (every preflight
# carried a note about it); cpi-csi.t has the error when it does, and
# review-preflight.t the template editor's test's note.
nok "no disk.EnableUUID finding for a cluster without cloud_provider" \
    jqe '[.findings[] | select(.message | test("disk.EnableUUID"))] | length > 0' "$J"
tmpl uuid -e '$a extra_config = ( { key = "disk.EnableUUID"; value = "TRUE"; } );'
ok "with extra_config disk.EnableUUID = TRUE" pf "$(spec uuid uuid)"
nok "none either" jqe '[.findings[] | select(.message | test("disk.EnableUUID"))] | length > 0' "$J"

# --- read-only: only reading methods reach vCenter during a preflight ---------
n0=$(wc -l <"$LAB_STATE/vcsim.log")
pf "$CFG"
methods=$(tail -n +"$((n0 + 1))" "$LAB_STATE/vcsim.log" | grep -o 'call [A-Za-z_]*' | awk '{print $2}' | sort -u)
diag "methods: $(echo $methods)"
readonly_methods=" RetrieveServiceContent Login Logout RetrievePropertiesEx ContinueRetrievePropertiesEx CancelRetrievePropertiesEx CreateContainerView DestroyView HasPrivilegeOnEntities FindByInventoryPath "
bad=""
for m in $methods; do case "$readonly_methods" in *" $m "*) ;; *) bad="$bad $m" ;; esac; done
is "$bad" "" "no method outside the read-only list was called (CreateContainerView/DestroyView make and drop the session's own view)"
ok "the method log saw the preflight" test -n "$methods"

# --- placement -----------------------------------------------------------------
# A datastore mounted only on the standalone host DC0_H0, not on the cluster.
mkdir -p "$LAB_STATE/ds-far"
bash "$LAB" net --state "$LAB_STATE" ds farDS "$LAB_STATE/ds-far" DC0/host/DC0_H0/DC0_H0 >/dev/null ||
    echo "Bail out! lab net ds failed"
tmpl far -e 's/^datastore = .*/datastore = "farDS";/'
nok "a datastore the cluster does not mount: exit 1" pf "$(spec far far)"
ok "placement: the datastore is not reachable from the cluster" has placement error 'not reachable from DC0/host/DC0_C0'
is "$(field placement object)" "DC0/datastore/farDS" "the finding names the datastore's full path"
is "$(field placement file):$(field placement line)" "templates/far.cfg:6" "and the template's file:line"
ok "it says how to fix it" test -n "$(field placement fix)"

tmpl otherpool -e 's#^resource_pool = .*#resource_pool = "DC0/host/DC0_H0/Resources";#'
nok "a resource pool of another compute resource: exit 1" pf "$(spec otherpool otherpool)"
ok "placement: the pool is not below the cluster's" has placement error 'DC0/host/DC0_H0/Resources is one, but not below DC0/host/DC0_C0/Resources'
tmpl hostfolder -e 's#^folder = .*#folder = "DC0/host";#'
nok "a folder that is not a VM folder: exit 1" pf "$(spec hostfolder hostfolder)"
ok "placement: the folder is not below the vm folder" has placement error '"DC0/host": no VM folder .* not below DC0/vm'
pf "$CFG"
ok "placement quiet on the sound lab" none placement

# --- capacity --------------------------------------------------------------------
# 3 new VMs x (10 GiB disk + 2 GiB swap) = 36 GiB; +10% margin = 39.6 GiB.
tmpl ten -e 's/^disk_gib = .*/disk_gib = 10;/'
CAP=$(spec ten ten)
facts 'datastore LocalDS_0 capacity=100 free=20'
nok "a datastore with 20 GiB free for 36 GiB of new VMs: exit 1" pf "$CAP"
ok "capacity: says the numbers" has capacity error '3 new VM\(s\) need 36.0 GiB \(disks 30.0 GiB \+ swap 6.0 GiB, \+10% margin: 39.6 GiB\) but the datastore has 20.0 GiB free of 100.0 GiB'
is "$(field capacity object)" "DC0/datastore/LocalDS_0" "capacity names the datastore"
facts 'datastore LocalDS_0 capacity=100 free=38'
nok "38 GiB free is short of 36 GiB + the 10% margin" pf "$CAP"
echo 'preflight_margin_pct = 0;' >>"$XDG_CONFIG_HOME/drover/drover.cfg"
ok "with preflight_margin_pct = 0 the same 38 GiB are enough" pf "$CAP"
ok "capacity quiet then" none capacity
eng_settings
facts 'datastore LocalDS_0 capacity=100 free=90'
ok "90 GiB free: no capacity finding" pf "$CAP"
ok "capacity quiet with room" none capacity
# The pools' VMs are summed over every template on the datastore.
tmpl big -e 's/^disk_gib = .*/disk_gib = 30;/'
sed -e '0,/template = "lab";/s//template = "big";/' -e 's/template = "lab";/template = "ten";/' "$CFG" >"$D/mixed.cfg"
mkdir -p "$D/mixed" && mv "$D/mixed.cfg" "$D/mixed/lab-cluster.cfg"
nok "one 30 GiB server + two 10 GiB agents on a 60 GiB-free datastore: exit 1" bash -c "
    bash '$LAB' facts --state '$LAB_STATE' 'datastore LocalDS_0 capacity=100 free=60'
    $(printf '%q ' "$DROVER") preflight -f '$D/mixed/lab-cluster.cfg' -o json >'$J'"
ok "capacity sums both templates' VMs (30+2 + 2x(10+2) = 56 GiB, +10%)" has capacity error '3 new VM\(s\) need 56.0 GiB'
# Memory and CPU: a warning, since vSphere overcommits (a datastore large
# enough for their 1 TiB swap files each).
facts 'datastore LocalDS_0 capacity=10000 free=9000'
tmpl huge -e 's/^memory_mib = .*/memory_mib = 1048576;/' -e 's/^cpus = .*/cpus = 128;/'
ok "VMs asking for more memory and CPUs than the cluster has: warnings only, exit 0" pf "$(spec huge huge)"
ok "capacity: memory warning with the numbers" has capacity warning '3 new VM\(s\) ask for 3072.0 GiB of memory; it has'
ok "capacity: CPU warning with the numbers" has capacity warning '3 new VM\(s\) ask for 384 vCPUs; it has [0-9]+ physical cores'
is "$(jq -r '[.findings[] | select(.check == "capacity")][0].object' "$J")" "DC0/host/DC0_C0" "the warning names the cluster"
facts 'datastore LocalDS_0 capacity=100 free=90'

# --- template readiness --------------------------------------------------------
facts 'vm ubuntu-22.04-template tools=none'
nok "a template without VMware Tools: exit 1" pf "$CFG"
ok "template: Tools not installed" has template error 'VMware Tools is not installed'
is "$(field template object)" "DC0/vm/ubuntu-22.04-template" "names the template's full path"
facts 'vm ubuntu-22.04-template tools=installed guest=windows9Server64Guest'
nok "a Windows template: exit 1" pf "$CFG"
ok "template: not Linux" has template error 'guest OS is .*windows9Server64Guest.*not Linux'
facts 'vm ubuntu-22.04-template tools=installed guest=ubuntu64Guest'
ok "Tools back and Linux: passes" pf "$CFG"
ok "template quiet" none template
tmpl small -e 's/^disk_gib = .*/disk_gib = 0;/' -e 's/^clone_mode = .*/clone_mode = "linked";/' \
    -e '/^clone_mode/a snapshot = "no-such-snapshot";'
nok "a linked clone from a snapshot that does not exist: exit 1" pf "$(spec small small)"
ok "placement: the snapshot is named" has placement error 'snapshot no-such-snapshot not found'
# On the clone source by its inventory path (it said "vm-63"), with the
# snapshots it has.
ok "on the clone source's path, with the snapshots it has" \
    has placement error 'snapshot no-such-snapshot not found on DC0/vm/ubuntu-22.04-template \(its snapshots: .*base'
nok "not on its moref" jq -e '[.findings[] | select(.message | test("not found on vm-[0-9]+"))] | length > 0' "$J"
tmpl linked -e 's/^clone_mode = .*/clone_mode = "linked";/' -e '/^clone_mode/a snapshot = "base";'
ok "a linked clone from the lab's snapshot passes" pf "$(spec linked linked)"
vm=$(jq -r '.VirtualMachine[] | select(.template | not) | .name' "$LAB_STATE/inventory.json" | grep _C0_ | head -n 1)
tmpl running -e "s/^clone_from = .*/clone_from = \"$vm\";/"
nok "a powered-on VM as the clone source: exit 1" pf "$(spec running running)"
ok "template: not a template or a powered-off VM" has template error 'is a VM that is poweredOn'

# A source without NICs: fine when networks names the nodes' network (drover
# adds the NICs), an error when networks is empty.
vm0=$(jq -r '.VirtualMachine[] | select(.template | not) | .name' "$LAB_STATE/inventory.json" | grep _H0_ | head -n 1)
facts "vm $vm0 nics=0"
tmpl nonic -e "s/^clone_from = .*/clone_from = \"$vm0\";/" -e '/^networks = /d'
nok "a source without NICs and no networks: exit 1" pf "$(spec nonic nonic)"
ok "template: no NIC and networks is empty" has template error 'has no NIC and networks is empty'
tmpl nicnet -e "s/^clone_from = .*/clone_from = \"$vm0\";/"
pf "$(spec nicnet nicnet)"
nok "with networks set, the same source has no NIC finding" has template error 'has no NIC'

# --- privileges ------------------------------------------------------------------
facts 'deny Datastore.AllocateSpace LocalDS_0' 'deny VirtualMachine.Interact.PowerOn k8s'
nok "a user without two privileges: exit 1" pf "$CFG"
ok "privileges: Datastore.AllocateSpace on the datastore" \
    jqe '[.findings[] | select(.check == "privileges" and (.message | test("Datastore.AllocateSpace")) and .object == "DC0/datastore/LocalDS_0")] | length == 1' "$J"
ok "privileges: VirtualMachine.Interact.PowerOn on the folder" \
    jqe '[.findings[] | select(.check == "privileges" and (.message | test("VirtualMachine.Interact.PowerOn")) and .object == "DC0/vm/k8s" and .field == "folder")] | length == 1' "$J"
is "$(jq '[.findings[] | select(.check == "privileges")] | length' "$J")" 2 "only the missing privileges are named"
facts
ok "every privilege granted: passes" pf "$CFG"
ok "privileges quiet" none privileges
# The lab refuses like vCenter: past preflight, the denied power-on fails
# the nodes with NoPermission (what preflight said beforehand).
facts 'deny VirtualMachine.Interact.PowerOn k8s'
nok "apply --skip-preflight with PowerOn denied on the folder fails" to "$D/noperm.out" \
    "$DROVER" apply -f "$CFG" --skip-preflight
ok "the nodes fail at powering-on with NoPermission" grep -Eq 'powering-on.*(NoPermission|denied)' "$D/noperm.out"
facts
ok_out "delete that cluster" "$D/noperm-del.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"

# --- the apply gate --------------------------------------------------------------
facts 'vm ubuntu-22.04-template tools=none'
vms_before=$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)
nok "apply with a preflight error fails" to "$D/apply.out" "$DROVER" apply -f "$CFG"
ok "it prints the finding" grep -q 'VMware Tools is not installed' "$D/apply.out"
ok "and says nothing was created" grep -q 'nothing was created' "$D/apply.out"
is "$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)" "$vms_before" "no VM was created"
ok "--skip-preflight applies anyway: the cluster comes up" to "$D/apply2.out" "$DROVER" apply -f "$CFG" --skip-preflight
ok "it says preflight was skipped" grep -q 'preflight skipped' "$D/apply2.out"
ok "drover.log records it" grep -q 'apply without preflight (--skip-preflight)' "$STATE/drover.log"
is "$(owned_count)" 3 "3 VMs"
facts 'vm ubuntu-22.04-template tools=installed'

# --- names ------------------------------------------------------------------------
# The same node names for another cluster in the same folder: the VMs exist
# and belong to lab-cluster.
mkdir -p "$D/other"
cp "$CFG" "$D/other/other.cfg"
nok "another cluster whose nodes' names are taken in the folder: exit 1" pf "$D/other/other.cfg"
ok "names: server-01 exists, owned by lab-cluster" has names error 'a VM named server-01 already exists in the folder \(owned by .*/lab-cluster/server-01'
ok "names the VM's full path" jqe '[.findings[] | select(.check == "names" and .object == "DC0/vm/k8s/server-01")] | length == 1' "$J"
is "$(jq '[.findings[] | select(.check == "names")] | length' "$J")" 3 "all three names"
ok "lab-cluster itself (its nodes exist: none is new) passes" "$DROVER" preflight lab-cluster
sed -e 's/quantity = 2;/quantity = 3;/' "$CFG" >"$D/scale.cfg"; mkdir -p "$D/scale"; mv "$D/scale.cfg" "$D/scale/lab-cluster.cfg"
ok "scaling lab-cluster up: the new agent-03 is free" pf "$D/scale/lab-cluster.cfg"
ok "names quiet" none names
# The state forgot the nodes (as after a lost state folder): their VMs carry
# this cluster's owner markers, so the names are drover's own, not a clash.
mv "$STATE/clusters/lab-cluster.state" "$D/state.saved"
ok "with the state gone, the VMs it made are recognised as its own" pf "$CFG"
ok "names quiet for owned VMs" none names
# One of them marked by someone else: now it is a clash.
srv=$(owned_vms | awk '$2 == "server-01" {print $1}')
(set -a; . "$LAB_STATE/env"; "$LABVMS" mark "$srv" "other-install/other/server-01") >/dev/null
nok "a VM of that name owned by another installation: exit 1" pf "$CFG"
ok "names: owned by other-install/other/server-01, not this cluster" has names error 'server-01 already exists in the folder \(owned by other-install/other/server-01, not this cluster\)'
is "$(jq '[.findings[] | select(.check == "names")] | length' "$J")" 1 "only that one"
(set -a; . "$LAB_STATE/env"; "$LABVMS" mark "$srv" "$(cat "$STATE/install-id")/lab-cluster/server-01") >/dev/null
mv "$D/state.saved" "$STATE/clusters/lab-cluster.state"
ok_out "delete cluster" "$D/del.out" "$DROVER" delete cluster lab-cluster --yes
done_testing
