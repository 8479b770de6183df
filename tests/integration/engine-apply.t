#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The engine against the lab: a 3-node cluster to ACTIVE with pinned host
# keys and the token exchange, scale up and down, delete.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup

out=$W/apply.out
ok_out "drover apply brings lab-cluster to active" "$out" "$DROVER" apply -f "$CFG"
is "$(cluster_state)" active "status: active"
is "$(node_names)" "agent-01 agent-02 server-01" "Rancher-style names"
is "$(nodes_in active)" 3 "3 nodes active"
ok "apply printed one line per state change" grep -q '^agent-02: bootstrapping$' "$out"
ok "apply printed the first server's walk" grep -q '^server-01: waiting-for-ssh$' "$out"
j=$(status_json)
is "$(jq -r '[.nodes[] | select(.vm != null and .ip != null)] | length' <<<"$j")" 3 \
    "every node has a VM and an address"
ok "status JSON has the documented fields" jq -e '.name == "lab-cluster" and
    (.nodes[0] | has("name") and has("pool") and has("state") and has("step") and has("vm")
     and has("ip") and has("error"))' <<<"$j"

# Host keys: what each node's sshd presents is the key drover generated.
keys=$STATE/keys/lab-cluster
for n in server-01 agent-01 agent-02; do
    ip=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .ip' <<<"$j")
    want=$(awk '{print $2}' "$keys/${n}_host_ed25519.pub")
    got=$(ssh-keyscan -T 5 -p "${LAB_SSH_PORT:-22}" -t ed25519 "$ip" 2>/dev/null | awk '{print $3}')
    is "$got" "$want" "$n presents the host key drover generated"
done
is "$(stat -c %a "$keys/id_ed25519")" 600 "the cluster key is 0600"

# The token exchange: the first server's token came back and the agents
# were given it.
ok "the first server's token is stored 0600" test "$(stat -c %a "$keys/token" 2>/dev/null)" = 600
ok "the kubeconfig is stored" test -s "$STATE/kubeconfig/lab-cluster.yaml"
# drover's known_hosts pins every node; plain ssh uses it as it is.
kh=$keys/known_hosts
is "$(wc -l <"$kh" 2>/dev/null)" 3 "known_hosts lists the 3 nodes"
is "$(stat -c %a "$kh" 2>/dev/null)" 600 "known_hosts is 0600"
nodessh() {
    ssh -q -i "$keys/id_ed25519" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -o ConnectTimeout=5 -p "${LAB_SSH_PORT:-22}" "drover@$1" "$2"
}
# The lab cluster runs the real k3s recipe (lab.d/cluster.sh): the token is
# the one k3s wrote on the first server, the agents got it (root-only file)
# and the first server's address, and joined: Kubernetes lists them.
ip_of() { jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .ip' <<<"$j"; }
server_token=$(node_dir_of server-01)/rootfs/var-lib/up/rancher/k3s/server/node-token
ok "the first server made a token" test -s "$server_token"
ok "drover fetched that token back" cmp -s "$keys/token" "$server_token"
for n in agent-01 agent-02; do
    ok "$n joined with the first server's token" \
        cmp -s "$keys/token" "$(node_dir_of "$n")/rootfs/etc/up/rancher/k3s/drover-token"
    ok "$n joined the first server's address" grep -qxF "server: 'https://$(ip_of server-01):6443'" \
        "$(node_dir_of "$n")/rootfs/etc/up/rancher/k3s/config.yaml"
done
# (A kubelet registers its Node after the install returns, and this run
# does not wait for it (register_timeout = 0): a bounded wait, long enough
# for the sanitizer suite at full load.)
k8s_nodes() { kubectl --kubeconfig "$STATE/kubeconfig/lab-cluster.yaml" --request-timeout=20s get nodes \
    -o jsonpath='{.items[*].metadata.name}' 2>/dev/null; }
three() { [ "$(k8s_nodes)" = "agent-01 agent-02 server-01" ]; }
wait_for 300 three
r=$?
tap_result $r "Kubernetes lists the three nodes"
if [ "$r" != 0 ]; then
    diag "listed: $(k8s_nodes)"
    for n in server-01 agent-01 agent-02; do
        diag "$n: $(tail -5 "$STATE/logs/lab-cluster/$n.log" 2>/dev/null)"
    done
fi
is "$(owned_count)" 3 "3 VMs carry drover's owner marker"
is "$(owned_names)" "agent-01 agent-02 server-01" "one VM per node"
ok "node logs are written" test -s "$STATE/logs/lab-cluster/agent-01.log"
ok "the journal exists and is 0600" test "$(stat -c %a "$STATE/journal")" = 600

# Scale the agents to 4 (5 nodes), then to 1 (2 nodes).
ok_out "scale up to 5 nodes" "$out" "$DROVER" apply -f "$(cluster_cfg 1 4)"
is "$(node_names)" "agent-01 agent-02 agent-03 agent-04 server-01" "agent-03 and agent-04 added"
is "$(nodes_in active)" 5 "5 nodes active"
is "$(owned_count)" 5 "5 VMs"
ok_out "scale down to 2 nodes" "$out" "$DROVER" apply -f "$(cluster_cfg 1 1)"
is "$(node_names)" "agent-01 server-01" "the highest-numbered agents went"
is "$(owned_names)" "agent-01 server-01" "their VMs were destroyed"
ok "removed nodes' host keys are gone" test ! -e "$keys/agent-04_host_ed25519"

# Delete.
ok "before the delete: the spec was saved in the configuration folder" \
    test -s "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg"
ok "and the nodes' logs are there" test -d "$STATE/logs/lab-cluster"
"$DROVER" delete cluster lab-cluster >"$W/preview" 2>&1; rc=$?
is "$rc" 2 "delete without --yes refuses"
# It says what it would destroy: each VM of the state (name and VM id, as
# status reports them) and each file it would remove, the spec included.
j=$(status_json)
want_vms=$(jq -r '.nodes[] | " \(.name) \(.vm)"' <<<"$j" | sort)
is "$(grep '^  [a-z].*vm-' "$W/preview" | tr -s ' ' | sort)" "$want_vms" \
    "delete without --yes lists every VM with its VM id"
ok "it says how many" grep -q '^drover: delete: this destroys the 2 VM(s) of cluster lab-cluster:$' "$W/preview"
for f in "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg" "$STATE/clusters/lab-cluster.state" \
    "$STATE/keys/lab-cluster/" "$STATE/logs/lab-cluster/" "$STATE/kubeconfig/lab-cluster.yaml"; do
    ok "it lists $f" grep -qxF "  $f" "$W/preview"
done
ok "and says nothing was changed" grep -q 'nothing was changed; add --yes to confirm' "$W/preview"
is "$(owned_count)" 2 "nothing destroyed without --yes"
ok_out "delete cluster --yes" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "zero drover VMs left in the lab"
ok "the state file is gone" test ! -e "$STATE/clusters/lab-cluster.state"
ok "the keys are gone" test ! -e "$keys"
ok "the kubeconfig is gone" test ! -e "$STATE/kubeconfig/lab-cluster.yaml"
ok "the logs are gone" test ! -e "$STATE/logs/lab-cluster"
ok "the spec in the configuration folder is gone (as drover.1 and README say)" \
    test ! -e "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg"
nok "status no longer knows the cluster" "$DROVER" status lab-cluster
ok "drover.log names what the delete removed, the spec included" \
    grep -q 'cluster lab-cluster: deleted (VMs, spec clusters/lab-cluster.cfg, state clusters/lab-cluster.state, keys, kubeconfig and logs removed)' "$STATE/drover.log"
done_testing
