#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# issue 10 §5: a delete always converges. It works from each node's VM id
# and owner marker alone (no template placement), can be run again after it
# failed, and ends with zero VMs; apply on a cluster being deleted names the
# command that finishes the delete.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"

VCFG=
TMPL=
out=
one=

# A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
closed_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
spec_saved() { [ -f "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg" ]; }
no_cluster() { ! "$DROVER" status lab-cluster >/dev/null 2>&1; }
no_state_left() {
    [ ! -e "$STATE/clusters/lab-cluster.state" ] && [ ! -e "$STATE/clusters/lab-cluster.deleting" ] &&
        [ ! -e "$STATE/keys/lab-cluster" ] && [ ! -e "$STATE/logs/lab-cluster" ] &&
        [ ! -e "$STATE/kubeconfig/lab-cluster.yaml" ]
}

# provision SPEC: apply it and check the VMs are there.
provision() {
    ok_out "apply $(basename "$(dirname "$1")")" "$out" "$DROVER" apply -f "$1"
    is "$(owned_count)" "$2" "$2 VM(s) in the simulator"
}

ENG_RETRIES=1 eng_setup
VCFG=$XDG_CONFIG_HOME/drover/vcenters.cfg
TMPL=$XDG_CONFIG_HOME/drover/templates/lab.cfg
cp "$VCFG" "$W/vcenters.good"
cp "$TMPL" "$W/lab.good"
out=$W/out
one=$(cluster_cfg 1 1)

# 1. vCenter unreachable during the delete (vcenters.cfg points at a closed
#    port), then reachable again: the second delete completes.
provision "$one" 2
sed -i "s|url = \"https://127.0.0.1:[0-9]*/sdk\"|url = \"https://127.0.0.1:$(closed_port)/sdk\"|" "$VCFG"
ok "vcenters.cfg now points at a closed port" grep -q 'url = "https://127.0.0.1:[0-9]*/sdk"' "$VCFG"
nok "delete fails while vCenter is unreachable" to "$out" "$DROVER" delete cluster lab-cluster --yes
diag "$(tail -3 "$out")"
is "$(owned_count)" 2 "both VMs are still there"
is "$(cluster_state)" removing "the cluster is being deleted"
cp "$W/vcenters.good" "$VCFG"
nok "apply on the cluster being deleted is refused" to "$out" "$DROVER" apply -f "$one"
diag "$(cat "$out")"
ok "and names the exact command that finishes the delete" \
    grep -qF 'finish the delete with: drover delete cluster lab-cluster --yes' "$out"
is "$(grep -c 'being deleted' "$out")" 1 "said once"
is "$(owned_count)" 2 "the refused apply created nothing"
ok_out "the second delete, vCenter reachable, succeeds" "$out" "$DROVER" delete cluster lab-cluster --yes
ok "it says the cluster is deleted" grep -q 'cluster lab-cluster deleted' "$out"
nok "no stale error from the first delete" grep -qi 'connect\|refused\|error' "$out"
is "$(owned_count)" 0 "zero VMs"
ok "status knows no such cluster" no_cluster
nok "the spec clusters/lab-cluster.cfg is removed" spec_saved
ok "the state file, marker, keys, logs and kubeconfig are removed" no_state_left

# 2. The template no longer resolves: its network and its clone source are
#    gone (renamed); delete still removes every VM.
provision "$one" 2
sed -i -e 's|^networks = .*|networks = [ "no-such-network" ];|' \
    -e 's|^clone_from = .*|clone_from = "renamed-template";|' "$TMPL"
ok "the template names a network and a source that do not exist" \
    grep -q 'no-such-network' "$TMPL"
ok_out "delete succeeds with a template that no longer resolves" "$out" \
    "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero VMs"
ok "the cluster is gone" no_cluster
cp "$W/lab.good" "$TMPL"

# 2b. The same with a node that has no VM id: its clone failed (the lab
#     refuses the first CloneVM_Task), so its removal looks the VM up by its
#     owner marker, not by the template's folder.
LAB_VCSIM=$(lab_vcsim) bash "$LAB" fault --state "$LAB_STATE" \
    --fault CloneVM_Task=InsufficientResourcesFault:1 >/dev/null
ENG_RETRIES=0 eng_settings
nok "apply fails: one clone is refused" to "$out" "$DROVER" apply -f "$one"
is "$(status_json | jq -r '[.nodes[] | select(.state == "error" and .step == "cloning" and .vm == null)] | length')" 1 \
    "one node is in ERROR at cloning with no VM id"
is "$(owned_count)" 1 "the other node's VM is there"
sed -i -e 's|^networks = .*|networks = [ "no-such-network" ];|' \
    -e 's|^clone_from = .*|clone_from = "renamed-template";|' "$TMPL"
ok_out "delete succeeds with a template that no longer resolves" "$out" \
    "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero VMs"
ok "the cluster is gone" no_cluster
cp "$W/lab.good" "$TMPL"
ENG_RETRIES=1 eng_settings

# 3. The template file itself is deleted, and the spec names no vCenter (it
#    came from the template): the only vCenter configured is used.
novc=$W/novc/lab-cluster.cfg
mkdir -p "$W/novc"
grep -v '^vcenter' "$one" >"$novc"
provision "$novc" 2
rm -f "$TMPL"
ok_out "delete succeeds with the template file deleted" "$out" \
    "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero VMs"
ok "the cluster is gone" no_cluster
cp "$W/lab.good" "$TMPL"

# 4. Both at once: the first delete fails (vCenter unreachable), the template
#    goes meanwhile, the second delete still ends with zero VMs.
provision "$one" 2
sed -i "s|url = \"https://127.0.0.1:[0-9]*/sdk\"|url = \"https://127.0.0.1:$(closed_port)/sdk\"|" "$VCFG"
nok "delete fails while vCenter is unreachable" to "$out" "$DROVER" delete cluster lab-cluster --yes
cp "$W/vcenters.good" "$VCFG"
rm -f "$TMPL"
ok_out "the second delete succeeds without the template" "$out" \
    "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero VMs"
ok "the cluster is gone" no_cluster
done_testing
