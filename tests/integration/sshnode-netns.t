#!/bin/bash
# sshnode's network-namespace mode: nodes behind a hub bridge, reachable from
# the hub namespace; `cut` drops a node off the network and `reconnect`
# brings it back; `down`/`hub-down` remove every namespace they made.
: "${top_srcdir:?}"
n=0 failed=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (network namespaces)"; exit 0; }
probe=drprobe-$$-$RANDOM
ip netns add "$probe" 2>/dev/null || { echo "1..0 # SKIP cannot create network namespaces"; exit 0; }
ip netns del "$probe"

sshnode=$top_srcdir/tests/lab/sshnode
tmp=$(mktemp -d)
cleanup() {
    for d in "$tmp"/n1 "$tmp"/n2; do [ -d "$d" ] && "$sshnode" down --dir "$d" >/dev/null 2>&1; done
    "$sshnode" hub-down --dir "$tmp/hub" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$tmp/client"
userdata() {
    ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$tmp/$1.key"
    { printf '#cloud-config\nssh_keys:\n  ed25519_private: |\n'; sed 's/^/    /' "$tmp/$1.key"
      printf '  ed25519_public: "%s"\nusers:\n  - name: drover\n    ssh_authorized_keys:\n      - "%s"\n' \
          "$(cat "$tmp/$1.key.pub")" "$(cat "$tmp/client.pub")"; } >"$tmp/$1.ud"
}
"$sshnode" hub-up --dir "$tmp/hub" >/dev/null
t $? "a hub namespace with a bridge"
hub=$(cat "$tmp/hub/netns")
userdata n1
userdata n2
a1=$("$sshnode" up --dir "$tmp/n1" --userdata "$tmp/n1.ud" --name n1 --hub "$tmp/hub" | tail -1)
t $? "node 1 up in its own namespace ($a1)"
a2=$("$sshnode" up --dir "$tmp/n2" --userdata "$tmp/n2.ud" --name n2 --hub "$tmp/hub" | tail -1)
t $? "node 2 up in its own namespace ($a2)"
[ "$a1" != "$a2" ]
t $? "different addresses"
{ echo "$a1 $(cut -d' ' -f1,2 "$tmp/n1.key.pub")"; echo "$a2 $(cut -d' ' -f1,2 "$tmp/n2.key.pub")"; } >"$tmp/known_hosts"
sshto() {
    ip netns exec "$hub" ssh -n -i "$tmp/client" -o UserKnownHostsFile="$tmp/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
        -o ConnectTimeout="${2:-10}" "drover@$1" 'id -un'
}
[ "$(sshto "$a1")" = drover ]
t $? "reachable from the hub with its pinned host key"
[ "$(sshto "$a2")" = drover ]
t $? "node 2 too"

"$sshnode" cut --dir "$tmp/n1"
t $? "cut node 1 off"
! sshto "$a1" 2 >/dev/null 2>&1
t $? "node 1 is unreachable (connection times out)"
[ "$(sshto "$a2")" = drover ]
t $? "node 2 is not affected"
"$sshnode" reconnect --dir "$tmp/n1"
t $? "reconnect node 1"
ok=1
for _ in $(seq 1 50); do [ "$(sshto "$a1" 2 2>/dev/null)" = drover ] && { ok=0; break; }; sleep 0.1; done
t $ok "node 1 is reachable again"

ns1=$(cat "$tmp/n1/netns")
"$sshnode" down --dir "$tmp/n1"
! ip netns list | grep -qw "$ns1"
t $? "down removes the node's namespace"
"$sshnode" hub-down --dir "$tmp/hub"
! ip netns list | grep -q "^$hub"
t $? "hub-down removes the hub and the nodes still attached"
! pgrep -f "$tmp/n2/sshd_config" >/dev/null
t $? "no sshd of the hub's nodes is left"
"$sshnode" down --dir "$tmp/n2"

echo "1..$n"
[ "$failed" = 0 ]
