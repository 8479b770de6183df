#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Networks the VM's host cannot reach, checked from the outside:
#  - a distributed port group on a switch with no host members, alone or
#    after "VM Network": refused before any clone by the pre-clone gate and
#    by preflight, naming the network, the hosts and the fix; nothing made;
#  - a switch only some of the cluster's hosts are members of, not the one
#    the clone runs on: the lab's simulator fails the clone as vCenter does
#    (it used to keep the source's NIC), the node fails, no VM is left;
#  - a clone whose NIC changes are dropped anyway (the lab's
#    drop-nic-changes hook, as the plain simulator did): drover reads the
#    NICs back in the configure step and fails the node, naming what
#    differs, so it can never go active on the source's NIC.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup
. "$top_srcdir/tests/integration/nets-lib.sh"

ok "a distributed switch without members" to "$W/dvs.out" net dvs DC0/network/sw01 DS0 none
ok "a port group k8s-net on it" to "$W/pg.out" net dvpg DC0/network/sw01/DS0 k8s-net
is "$(net hosts DC0/network/sw01/k8s-net | wc -l)" 0 "vCenter lists no host for it"
is "$(net hosts "DC0/network/VM Network" | sort | tr '\n' ' ')" \
    "DC0_C0_H0 DC0_C0_H1 DC0_C0_H2 DC0_H0 " "VM Network is on every host (Network.host as vCenter keeps it)"

# 1. The gate and preflight refuse it, alone and as the second network.
fix='vCenter would fail the clone: add DC0_C0_H0, DC0_C0_H1, DC0_C0_H2 to the distributed switch DC0/network/sw01/DS0 (its port groups reach only its member hosts), give a host or cluster that has it, or choose another network'
tmpl one 's|^networks = .*|networks = [ "DC0/network/sw01/k8s-net" ];|'
tmpl two 's|^networks = .*|networks = [ "VM Network", "DC0/network/sw01/k8s-net" ];|'
before=$(all_vms)
nok "preflight of the one-network template fails" to "$W/pf1.out" "$DROVER" preflight -f "$(spec one one)"
ok "it names the network, the cluster's hosts and the fix" grep -qF \
    "templates/one.cfg:8: networks[0]: \"DC0/network/sw01/k8s-net\" is not available on any host of DC0/host/DC0_C0 (the network is on no host); $fix" "$W/pf1.out"
nok "apply of the two-network template fails" to "$W/ap2.out" "$DROVER" apply -f "$(spec two two)"
ok "naming networks[1]" grep -qF \
    "templates/two.cfg:8: networks[1]: \"DC0/network/sw01/k8s-net\" is not available on any host of DC0/host/DC0_C0" "$W/ap2.out"
nok "past preflight (--skip-preflight) the gate still refuses it" to "$W/ap3.out" \
    "$DROVER" apply --skip-preflight -f "$(spec one one)"
ok "with the same words" grep -qF 'networks[0]: "DC0/network/sw01/k8s-net" is not available on any host of DC0/host/DC0_C0' "$W/ap3.out"
is "$(all_vms)" "$before" "no VM was made"

# A template on one host: the host is named.
tmpl host 's|^cluster = .*|host = "DC0_H0";|' '/^resource_pool/d' \
    's|^networks = .*|networks = [ "DC0/network/sw01/k8s-net" ];|'
nok "preflight of a host template fails" to "$W/pf4.out" "$DROVER" preflight -f "$(spec host host)"
ok "naming the host" grep -qF \
    'networks[0]: "DC0/network/sw01/k8s-net" is not available on host DC0/host/DC0_H0/DC0_H0 (the network is on no host); vCenter would fail the clone: add DC0_H0 to the distributed switch DC0/network/sw01/DS0' "$W/pf4.out"
ok "once DC0_H0 joins another switch, its port group passes preflight there" \
    bash -c "$(declare -f net); LAB=$LAB LAB_STATE=$LAB_STATE; net dvs DC0/network/sw02 DS2 DC0/host/DC0_H0/DC0_H0 >/dev/null && net dvpg DC0/network/sw02/DS2 h0-net >/dev/null"
tmpl hostok 's|^cluster = .*|host = "DC0_H0";|' '/^resource_pool/d' \
    's|^networks = .*|networks = [ "DC0/network/sw02/h0-net" ];|'
ok "preflight of DC0_H0 on h0-net passes" to "$W/pf5.out" "$DROVER" preflight -f "$(spec hostok hostok)"

# 2. A switch with one member, not the host the clone runs on (the lab's
#    template is on DC0_C0_H1): the gate passes (a cluster host has it), the
#    simulator fails the clone as vCenter does, and nothing is left.
ok "a switch with DC0_C0_H0 only" to "$W/dvs3.out" net dvs DC0/network/sw03 DS3 DC0/host/DC0_C0/DC0_C0_H0
ok "its port group part-net" to "$W/pg3.out" net dvpg DC0/network/sw03/DS3 part-net
tmpl part 's|^networks = .*|networks = [ "DC0/network/sw03/part-net" ];|'
before=$(all_vms)
nok "apply fails" to "$W/ap6.out" "$DROVER" apply -f "$(spec part part)"
is "$("$DROVER" status part -o json | jq -r '.nodes[0].state + " " + (.nodes[0].step // "")')" \
    "error cloning" "the node failed at cloning"
ok "the error is vCenter's refusal of the NIC" grep -q 'InvalidArgument\|not a member of the distributed switch' \
    <<<"$("$DROVER" status part -o json | jq -r '.nodes[0].error')"
ok "the lab logged the refusal" grep -q 'nic refused: CloneVM_Task: a NIC cannot be connected: host DC0_C0_H1 is not a member of the distributed switch DS3' "$LAB_STATE/vcsim.log"
is "$(all_vms)" "$before" "no VM is left"
ok_out "delete cluster part --yes" "$W/del6.out" "$DROVER" delete cluster part --yes

# 3. NIC changes dropped silently by the clone: the read-back fails the node.
touch "$LAB_STATE/drop-nic-changes"
tmpl vmnet 's|^networks = .*|networks = [ "VM Network" ];|'
before=$(all_vms)
nok "apply fails" to "$W/ap7.out" "$DROVER" apply -f "$(spec vmnet vmnet)"
ok "the lab dropped the NIC change" grep -q 'dropping the NIC changes of a clone' "$LAB_STATE/vcsim.log"
j=$("$DROVER" status vmnet -o json)
is "$(jq -r '.nodes[0].state + " " + (.nodes[0].step // "")' <<<"$j")" "error configuring" \
    "the node failed at configuring, never active"
ok "the error names the adapter, what it is on and the network it should be on" grep -q \
    "network adapters are not the template's networks in order (adapter 1 (key 4000) is on distributed port group dvportgroup-13 of switch [0-9a-f-]*, not on \"VM Network\")" <<<"$(jq -r '.nodes[0].error' <<<"$j")"
is "$(all_vms)" "$before" "the clone was destroyed"
# Two networks, the clone keeps one NIC: the missing one is named too.
tmpl vm2 's|^networks = .*|networks = [ "DC0_DVPG0", "VM Network" ];|'
nok "apply with two networks fails" to "$W/ap8.out" "$DROVER" apply -f "$(spec vm2 vm2)"
ok "the missing adapter is named" grep -qF 'no adapter 2 for "VM Network"' \
    <<<"$("$DROVER" status vm2 -o json | jq -r '.nodes[0].error')"
rm -f "$LAB_STATE/drop-nic-changes"
ok_out "without the hook the same template goes active" "$W/ap9.out" "$DROVER" apply -f "$(spec vm2 vm2)"
vm=$(owned_vms | awk '$2 ~ /^vm2-/ {print $2}')
is "$(net nics "$vm" | awk '{print $4}' | tr '\n' ' ')" "dvs std " "its NICs are the two networks in order"
ok_out "delete cluster vm2 --yes" "$W/del9.out" "$DROVER" delete cluster vm2 --yes
done_testing
