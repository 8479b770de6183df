#!/bin/bash
# The SSH node lab: `lab up --nodes N` starts real sshd nodes on their own
# loopback addresses with pinned host keys; OpenSSH's own client reaches them
# with strict host key checking; `lab down` leaves no process behind, even
# one that daemonized inside a node.
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lab/testlib.sh"
lab_require
[ "$(id -u)" = 0 ] || skip_all "SSH lab nodes need root (mount namespaces)"
unshare --mount --pid --fork true 2>/dev/null || skip_all "unshare cannot create namespaces here"

ok "lab up with 3 standalone nodes" lab_up --vms 1 --hosts 1 --nodes 3
is "$(wc -l <"$LAB_NODES_FILE")" 3 "three nodes listed"
case $LAB_SUBNET in 127.*) r=0 ;; *) r=1 ;; esac
tap_result $r "the lab has its own loopback /16 ($LAB_SUBNET)"

sshto() {
    ssh -n -i "$LAB_CLIENT_KEY" -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
        -o ConnectTimeout=10 -p "$2" "$LAB_NODE_USER@$1" "$3"
}
pids=()
addrs=()
while read -r name addr port; do
    case $addr in "$LAB_SUBNET".*) r=0 ;; *) r=1 ;; esac
    tap_result $r "$name listens in the lab's subnet ($addr)"
    is "$(sshto "$addr" "$port" 'id -un')" drover "$name: ssh with the pinned host key as drover"
    is "$(sshto "$addr" "$port" 'cd && touch here && test -f ~/here && echo written')" written \
        "$name: the home folder is writable"
    pids+=("$(cat "$LAB_STATE/standalone/$name/pid")")
    addrs+=("$addr")
done <"$LAB_NODES_FILE"
uniq_addrs=$(printf '%s\n' "${addrs[@]}" | sort -u | wc -l)
is "$uniq_addrs" 3 "every node has its own address"

# Another node's host key must not be accepted for this address.
read -r _ a1 p1 < <(sed -n 1p "$LAB_NODES_FILE")
read -r _ a2 _ < <(sed -n 2p "$LAB_NODES_FILE")
grep -v "^$a1 \|^\[$a1\]" "$LAB_KNOWN_HOSTS" | sed "s/^$a2 /$a1 /; s/^\[$a2\]/[$a1]/" >"$LAB_STATE/wrong_known_hosts"
nok "a different host key is refused by OpenSSH too" \
    ssh -n -i "$LAB_CLIENT_KEY" -o UserKnownHostsFile="$LAB_STATE/wrong_known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$p1" "drover@$a1" true

marker=$((3000 + RANDOM % 5000))
sshto "$a1" "$p1" "setsid sleep $marker </dev/null >/dev/null 2>&1 &"
ok "a daemonized process runs in the node" wait_for 5 pgrep -x -f "sleep $marker"

# A node whose folder is deleted without `down` ends by itself.
orphan=$(cat "$LAB_STATE/standalone/node-03/pid")
rm -rf "$LAB_STATE/standalone/node-03"
ok "a node whose folder was deleted stops on its own" wait_for 10 bash -c "! kill -0 $orphan 2>/dev/null"

LAB_VCSIM=$(lab_vcsim) bash "$LAB" down --state "$LAB_STATE" >/dev/null 2>&1
gone() { for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
ok "lab down stops every node's processes" wait_for 10 gone
nok "and the daemonized one with them" pgrep -x -f "sleep $marker"
ok "the standalone folder is removed" test ! -e "$LAB_STATE/standalone"
done_testing
