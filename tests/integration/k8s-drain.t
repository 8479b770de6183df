#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Drain before removal, seen from the Kubernetes stand-in's side (its
# request log, <server's data-dir>/server/requests.log, and its objects) and
# the simulator's: scaling the agents of a k3s lab cluster from 3 to 2
# cordons agent-03, evicts its pods (a PodDisruptionBudget makes one
# eviction answer 429 until the test deletes the budget: the eviction is
# retried meanwhile, the VM stays), leaves its DaemonSet pod, deletes its
# Node object, and only then destroys its VM. A budget that outlasts the
# pool's drain_timeout puts the node in error, cordoned, with its VM; once
# the budget goes, apply again finishes the removal. A pool with
# drain_before_delete = false is scaled down without any of it.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"

# drover waits for each Node (register_timeout), so an agent that never
# registers fails the apply with the kubelet's cause instead of a bare count.
ENG_REGISTER_TIMEOUT=300 eng_setup --log-methods
grep -q 'k3s.sh' "$CFG" || skip_all "lab-cluster.cfg does not run the k3s recipe (lab env fell back)"

ok_out "a k3s cluster (1 server, 3 agents) is applied" "$W/apply.out" "$DROVER" apply -f "$(cluster_cfg 1 3)"
REQLOG=$(node_dir_of server-01)/rootfs/var-lib/up/rancher/k3s/server/requests.log
ok "the stand-in logs its requests" test -s "$REQLOG"
registered() { [ "$(kc get nodes --no-headers 2>/dev/null | wc -l)" = 4 ]; }
ok "Kubernetes lists the four nodes" wait_for 300 registered
if ! registered; then  # show why: the nodes' own logs (the stand-in agent's among them)
    diag "$(kc get nodes --no-headers 2>&1)"
    for d in "$LAB_STATE"/nodes/*/; do
        find "$d" -name '*.log' -size -64k 2>/dev/null | head -5 |
            while read -r f; do diag "$f:"; tail -5 "$f" | sed 's/^/#   /'; done
    done
fi

# Two pods on agent-03 (owned by a ReplicaSet, as a Deployment's are), one
# of them under a budget that allows no disruption; one on agent-02.
pod() {  # pod NAME NODE APP
    cat <<EOS
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$1", "namespace": "default", "labels": {"app": "$3"},
   "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "$3-5d4f8c", "uid": "1b3c5d7e-0000-4000-8000-00000000000${#1}", "controller": true}]},
 "spec": {"nodeName": "$2", "containers": [{"name": "c", "image": "nginx"}]}}
EOS
}
pod web-1 agent-03 web >"$W/web-1.json"
pod cache-1 agent-03 cache >"$W/cache-1.json"
pod web-2 agent-02 other >"$W/web-2.json"
for p in web-1 cache-1 web-2; do
    ok "pod $p is created" to "$W/$p.out" kc create --validate=false -f "$W/$p.json"
done
cat >"$W/pdb.json" <<EOS
{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "default"},
 "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"app": "web"}}}}
EOS
ok "a PodDisruptionBudget allowing no disruption of web-1" to "$W/pdb.out" kc create --validate=false -f "$W/pdb.json"
ds_pod=$(kc get pods -n kube-system --field-selector spec.nodeName=agent-03 -o json |
    jq -r '.items[] | select(.metadata.ownerReferences[0].kind == "DaemonSet") | .metadata.name')
ok "agent-03 runs a DaemonSet pod" test -n "$ds_pod"

# Scale the agents down to 2: agent-03 goes.
mark=$(wc -l <"$REQLOG")
vmark=$(wc -l <"$LAB_STATE/vcsim.log")
"$DROVER" apply -f "$(cluster_cfg 1 2)" >"$W/scale.out" 2>&1 &
scale_pid=$!
bg_pids+=("$scale_pid")
since() { tail -n +"$((mark + 1))" "$REQLOG"; }
refused() { [ "$(since | grep -c ' POST /api/v1/namespaces/default/pods/web-1/eviction 429 ')" -ge "$1" ]; }
ok "web-1's eviction is refused (429) and retried: three times" wait_for 120 refused 3
is "$(kc get node agent-03 -o jsonpath='{.spec.unschedulable}')" true "meanwhile agent-03 is cordoned"
ok "its Node object is still there" to "$W/node.out" kc get node agent-03
ok "and so is its VM" grep -qw agent-03 <<<"$(owned_names)"
ok "cache-1 was evicted meanwhile" \
    grep -q ' POST /api/v1/namespaces/default/pods/cache-1/eviction 20[01] ' <<<"$(since)"
ok "the budget is deleted" to "$W/pdbdel.out" kc delete pdb web
wait "$scale_pid"
is "$?" 0 "the scale down finishes once the eviction passes"
ok "drover said why it waited (the budget's refusal)" \
    grep -q "eviction of pod default/web-1 refused for now (.*disruption budget" "$W/scale.out"

is "$(kc get nodes -o jsonpath='{.items[*].metadata.name}')" "agent-01 agent-02 server-01" \
    "kubectl with drover's kubeconfig no longer lists agent-03"
is "$(owned_names)" "agent-01 agent-02 server-01" "agent-03's VM is gone"
is "$(kc get pods -A -o json | jq -r '[.items[] | select(.spec.nodeName == "agent-03")] | length')" 0 \
    "no pod is bound to agent-03"
is "$(kc get pod web-2 -o jsonpath='{.spec.nodeName}')" agent-02 "agent-02's pod was left alone"

# The order, from the stand-in's request log: cordon, evictions (web-1's
# 429s, then its 201), Node delete; never an eviction of the DaemonSet pod.
line_of() { since | grep -n -m1 -- "$1" | cut -d: -f1; }
cordon=$(line_of ' PATCH /api/v1/nodes/agent-03 200 ')
first_evict=$(line_of ' POST /api/v1/namespaces/default/pods/[a-z0-9-]*/eviction ')
web_ok=$(line_of ' POST /api/v1/namespaces/default/pods/web-1/eviction 20[01] ')
node_del=$(line_of ' DELETE /api/v1/nodes/agent-03 200 ')
ok "agent-03 was cordoned (PATCH)" test -n "$cordon"
ok "web-1 was evicted once the budget went" test -n "$web_ok"
ok "the Node object was deleted (DELETE)" test -n "$node_del"
ok "cordon came before the first eviction" test "${cordon:-9999}" -lt "${first_evict:-0}"
ok "every eviction came before the Node's delete" test "${web_ok:-9999}" -lt "${node_del:-0}"
nok "the DaemonSet pod was not evicted" grep -q "/pods/$ds_pod/eviction" <<<"$(since)"
nok "nothing touched the other agents" grep -qE ' (PATCH|DELETE) /api/v1/nodes/agent-0[12] ' <<<"$(since)"
# Node delete before the VM's destroy: the stand-in's clock and the
# simulator's (both this host's) say when.
del_time=$(since | sed -n "${node_del:-1}p" | awk '{print $1}')
vm_line=$(tail -n +"$((vmark + 1))" "$LAB_STATE/vcsim.log" | grep -m1 -E 'call (PowerOffVM_Task|Destroy_Task)')
vm_time=$(grep -oE '[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:.]+' <<<"$vm_line" | head -1 | tr / -)
ok "the simulator saw the VM's power-off or destroy" test -n "$vm_line"
ok "the Node was deleted before vCenter was asked to remove the VM" \
    test "$(date -d "$del_time" +%s%6N)" -lt "$(date -d "$vm_time" +%s%6N 2>/dev/null || echo 0)"
[ -n "$vm_time" ] || diag "no time in: $vm_line"

# A budget that outlasts drain_timeout: agent-02 (whose pod web-2 it
# protects) goes to error, cordoned, its Node and VM kept; the removal can
# be run again once the budget is gone.
sed 's/"app": "web"}}}}/"app": "other"}}}}/' "$W/pdb.json" >"$W/pdb2.json"
ok "a budget allowing no disruption of web-2" to "$W/pdb2.out" kc create --validate=false -f "$W/pdb2.json"
spec=$(cluster_cfg 1 1)
sed -i '/name = "agent";/a\        drain_timeout = 3;' "$spec"
mark=$(wc -l <"$REQLOG")
nok "scaling to 1 agent fails when the drain does not finish in drain_timeout" \
    to "$W/timeout.out" "$DROVER" apply -f "$spec"
ok "the error names the drain timeout and what to do" \
    grep -q 'drain of agent-02 did not finish in drain_timeout (3 s): 1 pod(s) still on the node.*to fix: let the evictions pass' \
    "$W/timeout.out"
is "$(status_json | jq -r '.nodes[] | select(.name == "agent-02") | .state + " " + .step')" "error removing" \
    "agent-02 is in error at removing"
is "$(kc get node agent-02 -o jsonpath='{.spec.unschedulable}')" true "it stays cordoned"
ok "its VM stays" grep -qw agent-02 <<<"$(owned_names)"
ok "web-2 is still on it" to "$W/web2.out" kc get pod web-2
ok "the budget is deleted" to "$W/pdbdel2.out" kc delete pdb web
ok_out "apply again finishes the removal" "$W/again.out" "$DROVER" apply -f "$spec"
is "$(owned_names)" "agent-01 server-01" "agent-02's VM is gone"
is "$(kc get nodes -o jsonpath='{.items[*].metadata.name}')" "agent-01 server-01" "and its Node"
ok "web-2 was evicted" grep -q ' POST /api/v1/namespaces/default/pods/web-2/eviction 20[01] ' <<<"$(since)"

# drain_before_delete = false: agent-01 goes without cordon or evictions.
spec=$(cluster_cfg 1 0)
sed -i '/name = "agent";/a\        drain_before_delete = false;' "$spec"
mark=$(wc -l <"$REQLOG")
ok_out "with drain_before_delete = false the agents scale to 0" "$W/scale0.out" "$DROVER" apply -f "$spec"
is "$(owned_names)" server-01 "agent-01's VM is gone"
nok "agent-01 was not cordoned" grep -q ' PATCH /api/v1/nodes/agent-01 ' <<<"$(since)"
nok "nor its pods evicted" grep -q '/eviction ' <<<"$(since)"

ok_out "delete removes the cluster" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"
done_testing
