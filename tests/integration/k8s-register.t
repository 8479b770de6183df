#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A node is active only once Kubernetes has it: after the join drover waits
# (register_timeout) for a Ready Node of the node's name. Here another
# machine has already claimed the name agent-02 with its own node password
# at the stand-in's supervisor (as a leftover or a duplicate hostname does
# at k3s's), so k3s refuses the new agent-02's kubelet ("Node password
# rejected, duplicate hostname"). drover must fail agent-02 with the
# kubelet's cause instead of reporting it active, and leave no VM of it;
# kubectl never lists it. The agent that registers is active as before.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"
command -v curl >/dev/null || skip_all "curl is not installed"

ENG_REGISTER_TIMEOUT=20 eng_setup
grep -q 'k3s.sh' "$CFG" || skip_all "lab-cluster.cfg does not run the k3s recipe (lab env fell back)"
grep -q '^register_timeout = 20;' "$XDG_CONFIG_HOME/drover/drover.cfg" || skip_all "engine-lib.sh wrote no register_timeout"

ok_out "a k3s cluster (1 server, 1 agent) is applied" "$W/apply.out" "$DROVER" apply -f "$(cluster_cfg 1 1)"
ok "drover logged agent-01's registration" \
    grep -q "Node agent-01 registered with Kubernetes and is Ready" "$STATE/logs/lab-cluster/agent-01.log"
is "$(kc get node agent-01 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" True \
    "kubectl lists agent-01 Ready"

# Another machine named agent-02 takes the name first: the supervisor's
# kubelet-certificate request with its own node password (the join token's
# password from drover's state, through a curl config file, not argv).
tokf=$(find "$STATE" -name token -type f | head -1)
ok "drover saved the cluster's join token" test -s "$tokf"
api=$(kc config view --minify -o jsonpath='{.clusters[0].cluster.server}')
umask 077
printf 'user = "node:%s"\n' "$(sed 's/.*://' "$tokf")" >"$W/curl.cfg"
code=$(curl -sk -K "$W/curl.cfg" -o /dev/null -w '%{http_code}' \
    -H 'K3s-Node-Name: agent-02' -H 'K3s-Node-Password: another-machine' "$api/v1-k3s/client-kubelet.crt")
is "$code" 200 "another machine registered the name agent-02 at the supervisor"

nok "scaling the agents to 2 fails" to "$W/up.out" "$DROVER" apply -f "$(cluster_cfg 1 2)"
ok "the error says the kubelet did not register, naming the node" \
    grep -q "kubelet did not register: no Ready Node agent-02 in Kubernetes after 20 s" "$W/up.out"
is "$(status_json | jq -r '.nodes[] | select(.name == "agent-02") | .state')" error "agent-02 is in error, not active"
nok "kubectl does not list agent-02" to "$W/get.out" kc get node agent-02
ok "the stand-in refused agent-02's kubelet (403)" \
    grep -q ' GET /v1-k3s/client-kubelet.crt 403 ' "$(node_dir_of server-01)/rootfs/var-lib/up/rancher/k3s/server/requests.log"
wait_novm() { ! grep -qw agent-02 <<<"$(owned_names)"; }
ok "no VM of agent-02 is left" wait_for 60 wait_novm
is "$(status_json | jq -r '.nodes[] | select(.name == "agent-01") | .state')" active "agent-01 stays active"

ok_out "delete removes the cluster" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"
done_testing
