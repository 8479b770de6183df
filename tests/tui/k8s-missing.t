#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# An active node whose Node object is gone from Kubernetes (deleted behind
# drover's back; its running kubelet does not register again, as a real
# one does not until restarted) counts as unhealthy for replacement: once
# drover has seen it Missing for longer than the pool's
# delete_not_ready_after, it is replaced (its VM destroyed, a new one
# provisioned) and the cluster converges to 3 Ready nodes, as kubectl says.
# A k3s lab cluster (1 server, 2 agents), the console's engine polling
# health every 2 s.
. "${top_srcdir:?}/tests/tui/englib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"

ENG_HEALTH_INTERVAL=2 eng_setup
grep -q 'k3s.sh' "$CFG" || skip_all "lab-cluster.cfg does not run the k3s recipe (lab env fell back)"
spec=$(cluster_cfg 1 2)
sed -i '/name = "agent";/a\        delete_not_ready_after = 10;\n        max_unhealthy = 50;' "$spec"
ok_out "a k3s cluster (1 server, 2 agents) is applied" "$W/apply.out" "$DROVER" apply -f "$spec"
vm_of() { status_json 2>/dev/null | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .vm'; }
k8s_of() { status_json 2>/dev/null | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .k8s_ready'; }
health() { status_json 2>/dev/null | jq -r '"\(.kubernetes.api) \(.kubernetes.nodes_ready)/\(.kubernetes.nodes_total)"'; }
up() { [ "$(health)" = "up $1" ]; }

console_start 200 40
ok "the console comes up" wait_for 20 seen "Clusters"
ok "drover status: API up, 3/3 Nodes Ready" wait_for 120 up 3/3

old=$(vm_of agent-02)
ok "agent-02's Node is deleted behind drover's back" to "$W/del.out" kc delete node agent-02
missing() { [ "$(k8s_of agent-02)" = Missing ]; }
ok "drover status: agent-02 turns Missing" wait_for 60 missing
replaced() { [ "$(vm_of agent-02)" != "$old" ] && [ "$(vm_of agent-02)" != null ]; }
ok "agent-02 gets a new VM" wait_for 120 replaced
ok "the replacement is logged with its reason" grep -q \
    "lab-cluster/agent-02: replacing agent-02: Kubernetes has reported it Missing for [0-9]* s, longer than pool agent's delete_not_ready_after (10 s)" \
    "$STATE/drover.log"
converged() { up 3/3 && [ "$(k8s_of agent-02)" = Ready ]; }
ok "the cluster converges: 3/3 Ready, agent-02 Ready again" wait_for 180 converged
is "$(kc get nodes --no-headers | awk '$2 == "Ready" { print $1 }' | sort | tr '\n' ' ')" \
    "agent-01 agent-02 server-01 " "kubectl: the three nodes Ready"
nok "the old VM is gone" grep -qw "$old" <<<"$(owned_vms)"
console_quit
ok_out "delete removes the cluster" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"
done_testing
