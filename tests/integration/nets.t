#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Networks and names against the lab, checked on the VM in the simulator:
# the clone's NICs are exactly the template's networks in order (re-backed,
# added as vmxnet3, surplus removed; none listed keeps the source's), with
# the right backing for standard, distributed and NSX opaque networks; a
# bare name that means several objects is refused before any clone, listing
# every full path; a '/' in a name is part of the name, %2f in a path.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --opaque-network "nsx-seg=ls-1234"
. "$top_srcdir/tests/integration/nets-lib.sh"

# A standard and a distributed port group, both "k8s-net", in different
# network folders; a port group whose name has a '/'; a second VM folder
# "k8s" below another folder.
ok "lab net pg k8s-net" to "$W/pg.out" net pg k8s-net
pg_std=$(awk '{print $1}' "$W/pg.out")
ok "lab net dvs in a new network folder" to "$W/dvs.out" net dvs DC0/network/sw01 DSw1
ok "lab net dvpg k8s-net on it" to "$W/dvpg.out" net dvpg DC0/network/sw01/DSw1 k8s-net
pg_dv=$(awk '{print $1}' "$W/dvpg.out")
is "$(awk '{print $2}' "$W/dvpg.out")" "DC0/network/sw01/k8s-net" "the port group sits in the switch's folder"
dvs_uuid=$(net find DC0/network/sw01/DSw1 | awk '{print $3}')
ok "the switch has a uuid" test -n "$dvs_uuid"
ok "lab net pg 'VLAN 10/app'" to "$W/vlan.out" net pg "VLAN 10/app"
is "$(cut -d' ' -f2- "$W/vlan.out")" "DC0/network/VLAN 10%2fapp" \
    "the simulator stores the '/' as vCenter does: %2f"
pg_vlan=$(awk '{print $1}' "$W/vlan.out")
ok "lab net folder DC0/vm/teamA/k8s" to "$W/folder.out" net folder DC0/vm/teamA/k8s
vm_network=$(net find "DC0/network/VM Network" | awk '{print $2}')

# 1. Ambiguous names: refused before cloning, every full path listed.
tmpl amb 's/^networks = .*/networks = [ "k8s-net" ];/' 's/^folder = .*/folder = "k8s";/'
before=$(all_vms)
out=$W/amb.out
nok "apply with an ambiguous network and folder fails" to "$out" "$DROVER" apply -f "$(spec amb amb)"
ok "the network: both full paths" grep -qF \
    'templates/amb.cfg:8: networks[0]: "k8s-net" matches 2 networks: DC0/network/k8s-net, DC0/network/sw01/k8s-net' "$out"
ok "the folder: both full paths" grep -qF \
    'templates/amb.cfg:7: folder: "k8s" matches 2 VM folders: DC0/vm/k8s, DC0/vm/teamA/k8s' "$out"
is "$(all_vms)" "$before" "nothing was cloned"
ok "preflight refused it before the engine saved it" grep -q 'nothing was created' "$out"
nok "so there is no cluster amb to delete" test -e "$XDG_CONFIG_HOME/drover/clusters/amb.cfg"

# 2. Full paths pick one; the NICs are the networks, in order, with their
# backings: the source's NIC re-backed, three vmxnet3 NICs added.
tmpl multi 's|^folder = .*|folder = "DC0/vm/k8s";|' \
    's|^networks = .*|networks = [ "DC0/network/sw01/k8s-net", "VLAN 10/app", "VM Network", "nsx-seg" ];|'
ok_out "apply with four networks by path, name with '/', name, opaque" "$W/multi.out" \
    "$DROVER" apply -f "$(spec multi multi)"
net nics multi-01 >"$W/multi.nics" 2>&1
diag "$(cat "$W/multi.nics")"
is "$(wc -l <"$W/multi.nics")" 4 "four NICs"
is "$(sed -n 1p "$W/multi.nics" | cut -d' ' -f2,4-)" "VirtualE1000 dvs $dvs_uuid $pg_dv" \
    "NIC 0: the source's NIC, on the distributed port group (switch uuid, port group key)"
is "$(sed -n 2p "$W/multi.nics" | cut -d' ' -f2,4-)" "VirtualVmxnet3 std $pg_vlan VLAN 10%2fapp" \
    "NIC 1: added, vmxnet3, on the port group whose name has a '/'"
is "$(sed -n 3p "$W/multi.nics" | cut -d' ' -f2,4-)" "VirtualVmxnet3 std $vm_network VM Network" \
    "NIC 2: added, on VM Network"
is "$(sed -n 4p "$W/multi.nics" | cut -d' ' -f2,4-)" "VirtualVmxnet3 opaque nsx.LogicalSwitch ls-1234" \
    "NIC 3: added, backed by the NSX opaque network"

# 3. Fewer networks than the source has NICs: the surplus goes.
tmpl fewer 's|^clone_from = .*|clone_from = "DC0/vm/k8s/multi-01";|' 's|^folder = .*|folder = "DC0/vm/k8s";|' \
    's|^networks = .*|networks = [ "/DC0/network/k8s-net" ];|'
# multi-01 runs: preflight refuses a powered-on clone source (preflight.t);
# here the NICs are under test, so past it.
ok_out "apply cloning the four-NIC VM with one network" "$W/fewer.out" \
    "$DROVER" apply -f "$(spec fewer fewer)" --skip-preflight
net nics fewer-01 >"$W/fewer.nics" 2>&1
is "$(cut -d' ' -f2,4- "$W/fewer.nics")" "VirtualE1000 std $pg_std k8s-net" \
    "one NIC, the standard k8s-net port group picked by its full path"

# 4. No networks: the source's NIC stays as it is.
tmpl none '/^networks = /d' 's|^folder = .*|folder = "/DC0/vm/k8s";|'
ok_out "apply with no networks" "$W/none.out" "$DROVER" apply -f "$(spec none none)"
dc_dvs=$(net find DC0/network/DVS0 | awk '{print $3}')
is "$(net nics none-01 | cut -d' ' -f2,4-)" "VirtualE1000 dvs $dc_dvs dvportgroup-13" \
    "the template's own NIC on DC0_DVPG0"

# The inventory shows names as typed.
"$DROVER" vcenter inventory lab >"$W/inv.out" 2>&1
ok "vcenter inventory shows 'VLAN 10/app'" grep -q "VLAN 10/app" "$W/inv.out"
nok "and never %2f" grep -q "%2f" "$W/inv.out"

for c in multi fewer none; do
    ok_out "delete cluster $c" "$W/del-$c.out" "$DROVER" delete cluster "$c" --yes
done
is "$(owned_count)" 0 "no drover VM left"
done_testing
