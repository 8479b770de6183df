#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Replacing unhealthy nodes (issue 13): a k3s lab cluster (1 server, 2
# agents; lab-cluster.cfg's real recipe) whose agent pool has
# delete_not_ready_after = 15 and max_unhealthy = 50, and the console
# running its engine with health_interval = 2. An agent's VM powered off
# behind drover's back stops its kubelet; once the stand-in reports it
# Unknown (after its 40 s grace, as kube-controller-manager's default) for
# 15 s (more than a kubelet's 10 s between posts, so both agents of the
# second part are down before either is due), drover replaces it: an event
# with the reason, its Node object deleted without a drain (the stand-in's
# request log), its VM destroyed and a new one provisioned, and the cluster converges to 3 Ready nodes
# (drover status and kubectl agree). Then both agents' VMs powered off: 2
# of 2 unhealthy is more than max_unhealthy, so nothing is replaced and an
# event says why.
. "${top_srcdir:?}/tests/tui/englib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"

ENG_HEALTH_INTERVAL=2 eng_setup
grep -q 'k3s.sh' "$CFG" || skip_all "lab-cluster.cfg does not run the k3s recipe (lab env fell back)"
spec=$(cluster_cfg 1 2)
sed -i '/name = "agent";/a\        delete_not_ready_after = 15;\n        max_unhealthy = 50;' "$spec"
ok_out "a k3s cluster (1 server, 2 agents) is applied" "$W/apply.out" "$DROVER" apply -f "$spec"
REQLOG=$(node_dir_of server-01)/rootfs/var-lib/up/rancher/k3s/server/requests.log
vm_of() { status_json 2>/dev/null | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .vm'; }
k8s_of() { status_json 2>/dev/null | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .k8s_ready'; }
health() { status_json 2>/dev/null | jq -r '"\(.kubernetes.api) \(.kubernetes.nodes_ready)/\(.kubernetes.nodes_total)"'; }
up() { [ "$(health)" = "up $1" ]; }
power_off() { (set -a; . "$LAB_STATE/env"; "$LABVMS" off "$1"); }

# Health needs an engine that keeps running: the console's.
console_start 200 40
ok "the console comes up" wait_for 20 seen "Clusters"
ok "drover status: API up, 3/3 Nodes Ready" wait_for 120 up 3/3

old=$(vm_of agent-01)
mark=$(wc -l <"$REQLOG")
since() { tail -n +"$((mark + 1))" "$REQLOG"; }
ok "agent-01's VM ($old) is powered off behind drover's back" power_off "$old"
unhealthy() { case $(k8s_of agent-01) in Unknown | NotReady) return 0 ;; esac; return 1; }
ok "drover status: agent-01 turns Unknown" wait_for 120 unhealthy
replaced() { [ "$(vm_of agent-01)" != "$old" ] && [ "$(vm_of agent-01)" != null ]; }
ok "agent-01 gets a new VM" wait_for 120 replaced
ok "the replacement is logged with its reason" grep -q \
    "lab-cluster/agent-01: replacing agent-01: Kubernetes has reported it \(Unknown\|NotReady\) for [0-9]* s, longer than pool agent's delete_not_ready_after (15 s)" \
    "$STATE/drover.log"
converged() { up 3/3 && [ "$(k8s_of agent-01)" = Ready ]; }
ok "the cluster converges: 3/3 Ready, agent-01 Ready again" wait_for 180 converged
is "$(status_json | jq -r '[.nodes[].state] | unique | join(" ")')" active "every node is active"
is "$(owned_count)" 3 "three VMs carry drover's owner marker"
nok "the powered-off VM is gone" grep -qw "$old" <<<"$(owned_vms)"
is "$(kc get nodes --no-headers | awk '$2 == "Ready" { print $1 }' | sort | tr '\n' ' ')" \
    "agent-01 agent-02 server-01 " "kubectl: the three nodes Ready"
ok "its old Node object was deleted" grep -q ' DELETE /api/v1/nodes/agent-01 200 ' <<<"$(since)"
nok "without a drain (the node does not answer): no cordon" \
    grep -q ' PATCH /api/v1/nodes/agent-01 ' <<<"$(since)"
nok "and no evictions" grep -q '/eviction ' <<<"$(since)"
nok "agent-02 was left alone" grep -qE ' (PATCH|DELETE) /api/v1/nodes/agent-02 ' <<<"$(since)"

# Both agents down: 2 of 2 (100%) is more than max_unhealthy (50%).
vms="$(vm_of agent-01) $(vm_of agent-02)"
for v in $vms; do ok "VM $v is powered off" power_off "$v"; done
both() { [ "$(status_json 2>/dev/null | jq -r '[.nodes[] | select(.pool == "agent" and (.k8s_ready == "Unknown" or .k8s_ready == "NotReady"))] | length')" = 2 ]; }
ok "drover status: both agents Unknown" wait_for 150 both
held() { grep -q "lab-cluster: agent-0[12] is due for replacement, but 2 of the 2 nodes of pool agent are unhealthy, more than max_unhealthy (50%)" "$STATE/drover.log"; }
ok "the held replacement is logged with the reason" wait_for 30 held
is "$(status_json | jq -r '[.nodes[] | select(.pool == "agent") | .vm] | join(" ")')" "$vms" \
    "neither agent was replaced"
console_quit
ok_out "delete removes the cluster" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"
done_testing
