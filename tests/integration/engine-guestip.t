#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Field case C "guest IP" (issue 9 §8): a guest whose VMware Tools list
# docker0 and cni0 (NICs with no virtual device, deviceConfigId -1) before the
# VM's own NIC (4000), and a second NIC without DHCP (the template has two
# networks: the VM has two NICs, the second never gets an address). drover must SSH
# to the address on the VM's NIC on the first network, not to the address
# vCenter shows as the VM's IP, and must not wait for the second NIC.
# The lab's LAB.guest.net hook (tests/lab/vcsim/guestnet.go) makes the
# simulator report those NICs; 127.99.0.1 and 127.98.0.1 stand in for
# docker0's 172.17.0.1 and cni0's 10.42.0.1. A guest NIC reported with
# connected=false never gives the address.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
# The nodes' own loopback /16 must not be the stand-ins' (127.98, 127.99).
LAB_SUBNET=127.$((16 + RANDOM % 80))
export LAB_SUBNET
eng_setup

guestnet="-1=127.99.0.1,fe80::42:acff:fe11:1;-1=127.98.0.1;4000=node,fe80::250:56ff:fe8a:1;nic2="
tmpl=$W/config/drover/templates/lab.cfg
sed -i 's/^networks = .*/networks = [ "VM Network", "DC0_DVPG0" ];/' "$tmpl"
cat >>"$tmpl" <<EOF
extra_config = ( { key = "LAB.guest.net"; value = "$guestnet"; } );
EOF
ok "the template with the lab hook validates" "$DROVER" validate

spec=$(cluster_cfg 1 1)
out=$W/apply.out
ok_out "apply reaches active with docker0 and cni0 listed first" "$out" "$DROVER" apply -f "$spec"
is "$(cluster_state)" active "status: active"
j=$(status_json)
vms=$(owned_vms)
for n in server-01 agent-01; do
    vm=$(awk -v n="$n" '$2 == n {print $1}' <<<"$vms")
    ip=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .ip' <<<"$j")
    # What the simulator showed as the VM's IP: the docker0 stand-in, as
    # Tools report it on such a guest.
    is "$(awk -v n="$n" '$2 == n {print $5}' <<<"$vms")" 127.99.0.1 \
        "$n: vCenter shows docker0's address as the VM's IP"
    is "$ip" "$(cat "$LAB_NODES_DIR/$vm/addr" 2>/dev/null)" \
        "$n: drover's address is the node's, on the NIC 4000"
    ok "$n: the node log names the guest address" \
        grep -Eq "guest address ${ip//./\\.}( |\$)" "$STATE/logs/lab-cluster/$n.log"
    nok "$n: drover never used a stand-in address" \
        grep -Eq '127\.9[89]\.0\.1' "$STATE/logs/lab-cluster/$n.log"
done
# drover reached each node at that address: the test recipe ran there.
server_ip=$(jq -r '.nodes[] | select(.name == "server-01") | .ip' <<<"$j")
# The lab cluster runs the real k3s recipe: the agent's k3s config names
# the server it joined.
got=$(sed -n "s|^server: 'https://\(.*\):6443'$|\1|p" \
    "$(node_dir_of agent-01)/rootfs/etc/up/rancher/k3s/config.yaml" 2>/dev/null)
is "$got" "$server_ip" "the agent joined the server at the server's NIC address"

ok_out "delete cluster --yes" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero drover VMs left"

# The first network is the distributed port group now (NIC 4000 re-backed
# to it), and the second NIC (on VM Network) has an address of its own,
# listed first: still the first network's NIC's address (127.97.0.1 is a
# storage or backup network's here, not SSH's).
sed -i 's/^networks = .*/networks = [ "DC0_DVPG0", "VM Network" ];/' "$tmpl"
sed -i 's/value = ".*"/value = "-1=127.99.0.1;nic2=127.97.0.1;4000=node"/' "$tmpl"
spec=$(cluster_cfg 1 0)
ok_out "apply with the second NIC's address listed first" "$out" "$DROVER" apply -f "$spec"
j=$(status_json)
vm=$(owned_vms | awk '$2 == "server-01" {print $1}')
is "$(jq -r '.nodes[0].ip' <<<"$j")" "$(cat "$LAB_NODES_DIR/$vm/addr" 2>/dev/null)" \
    "the address is the first network's NIC's"
nok "127.97.0.1 was never used" grep -q '127\.97\.0\.1' "$STATE/logs/lab-cluster/server-01.log"
ok "the node's log names the SSH step (so the check below can see it)" \
    grep -Eiq 'waiting-for-ssh|waiting for ssh' "$STATE/logs/lab-cluster/server-01.log"
ok_out "delete cluster --yes" "$out" "$DROVER" delete cluster lab-cluster --yes

# The first network's NIC is unplugged (GuestNicInfo.connected = false) and
# Tools still list an address on it: that address is never the SSH address
# (drover waits for the NIC, and its error says why), and docker0's is not
# taken instead.
sed -i 's/^networks = .*/networks = [ "VM Network" ];/' "$tmpl"
sed -i 's/value = ".*"/value = "-1=127.99.0.1;!4000=127.97.0.1"/' "$tmpl"
sed -i 's/waiting-for-ip = [0-9]*/waiting-for-ip = 6/; s/^retries = .*/retries = 0;/' \
    "$XDG_CONFIG_HOME/drover/drover.cfg"
spec=$(cluster_cfg 1 0)
nok "apply fails: the only address is on a disconnected NIC" to "$out" "$DROVER" apply -f "$spec"
j=$(status_json)
is "$(jq -r '.nodes[0].state + " " + (.nodes[0].step // "")' <<<"$j")" "error waiting-for-ip" \
    "the node failed waiting for its IP"
is "$(jq -r '.nodes[0].ip // ""' <<<"$j")" "" "no address was taken"
ok "the error shows NIC 4000 as not connected" \
    grep -q '4000 (not connected): 127\.97\.0\.1' <<<"$(jq -r '.nodes[0].error' <<<"$j")"
nok "it never went on to SSH (no address was dialled)" \
    grep -Eiq 'waiting-for-ssh|waiting for ssh' "$STATE/logs/lab-cluster/server-01.log"
ok_out "delete cluster --yes" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero drover VMs left"
done_testing
