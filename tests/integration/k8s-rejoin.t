#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A node removed by a scale-down and added again under the same name joins
# Kubernetes again (field report: agents 3 -> 1 -> 3 left agent-02
# "active" but never in `kubectl get nodes`, its kubelet refused with "Node
# password rejected, duplicate hostname"). k3s deletes a node's password
# with its Node object (k3s PR #2407), so the new machine's new password is
# taken. Checked from Kubernetes' side: kubectl with drover's kubeconfig
# lists the re-added agent Ready, and the stand-in's request log shows its
# kubelet certificate issued (200), never refused (403).
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"

ENG_REGISTER_TIMEOUT=120 eng_setup
grep -q 'k3s.sh' "$CFG" || skip_all "lab-cluster.cfg does not run the k3s recipe (lab env fell back)"

ok_out "a k3s cluster (1 server, 2 agents) is applied" "$W/apply.out" "$DROVER" apply -f "$(cluster_cfg 1 2)"
REQLOG=$(node_dir_of server-01)/rootfs/var-lib/up/rancher/k3s/server/requests.log
ok "the stand-in logs its requests" test -s "$REQLOG"
count_is() { [ "$(kc get nodes --no-headers 2>/dev/null | wc -l)" = "$1" ]; }
ok "Kubernetes lists the three nodes" wait_for 120 count_is 3

ok_out "scaling the agents to 1 removes agent-02" "$W/down.out" "$DROVER" apply -f "$(cluster_cfg 1 1)"
is "$(owned_names)" "agent-01 server-01" "agent-02's VM is gone"
is "$(kc get nodes -o jsonpath='{.items[*].metadata.name}')" "agent-01 server-01" "and so is its Node"

mark=$(wc -l <"$REQLOG")
since() { tail -n +"$((mark + 1))" "$REQLOG"; }
ok_out "scaling the agents back to 2 adds agent-02 again" "$W/up.out" "$DROVER" apply -f "$(cluster_cfg 1 2)"
is "$(owned_names)" "agent-01 agent-02 server-01" "agent-02 has a VM again"
ready() {
    [ "$(kc get node agent-02 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
ok "kubectl with drover's kubeconfig lists the new agent-02 Ready" wait_for 120 ready
ok "its kubelet's certificate was issued" \
    grep -q ' GET /v1-k3s/client-kubelet.crt 200 ' <<<"$(since)"
nok "and never refused (duplicate hostname)" \
    grep -q ' GET /v1-k3s/client-kubelet.crt 403 ' <<<"$(since)"
is "$(status_json | jq -r '.nodes[] | select(.name == "agent-02") | .state')" active "drover reports agent-02 active"
ok "after it saw agent-02's Node Ready in the API (register_timeout)" \
    grep -q "Node agent-02 registered with Kubernetes and is Ready" "$STATE/logs/lab-cluster/agent-02.log"

ok_out "delete removes the cluster" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"
done_testing
