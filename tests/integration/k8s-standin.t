#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The lab's Kubernetes stand-in (tests/lab/k8s) held to the real ones'
# interfaces: options k3s refuses, --version, and on a k3s cluster the real
# recipe made (1 server + 1 agent): no API without a client certificate, a
# token for another cluster refused, cordon, a drain whose eviction a
# PodDisruptionBudget answers with 429 until the budget goes (DaemonSet pods
# stay), Node delete, a node whose kubelet stops turning Unknown; and a
# second server joining the first.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"
command -v curl >/dev/null || skip_all "curl is not installed"

eng_setup
T=$W/standin
mkdir -p "$T/bin"
VERSION=v1.30.2+k3s1
ok "bundle built" "$K8S" bundle --dist k3s --version "$VERSION" --out "$W/k3s.tar.gz"
tar -xzf "$W/k3s.tar.gz" -C "$T/bin" k3s
is "$("$T/bin/k3s" --version | head -1)" "k3s version $VERSION (4f3e2d1c)" "k3s --version names the bundle's release"

# Options (nothing is written: they fail while reading them).
refused() {  # refused DESC WANT-TEXT CMD... : fails, saying WANT-TEXT
    local out
    out=$("${@:3}" 2>&1) && { tap_result 1 "$1"; diag "it ran"; return; }
    if grep -qF -- "$2" <<<"$out"; then tap_result 0 "$1"; else tap_result 1 "$1"; diag "$out"; fi
}
printf 'node-name: a\ncluster-init: true\n' >"$T/agent.yaml"
refused "an agent refuses cluster-init (a server option)" "flag provided but not defined: -cluster-init" \
    "$T/bin/k3s" agent --config "$T/agent.yaml"
printf 'node-name: a\ntls-sans: [x]\n' >"$T/typo.yaml"
refused "a server refuses an unknown key" "flag provided but not defined: -tls-sans" \
    "$T/bin/k3s" server --config "$T/typo.yaml"
printf 'cluster-init: [true]\n' >"$T/list.yaml"
refused "a list for a boolean option is refused" "invalid boolean value for -cluster-init" \
    "$T/bin/k3s" server --config "$T/list.yaml"
refused "an unknown flag on the command line is refused" "flag provided but not defined: -no-such-flag" \
    "$T/bin/k3s" server --no-such-flag

# A cluster through the real recipe.
echo "sudo=nopasswd k8s=on" >"$LAB_STATE/node-options"
spec=$(recipe_cfg 1 1 k3s "$VERSION" "$W/k3s.tar.gz")
ok_out "a k3s cluster (1 server, 1 agent) is applied" "$W/apply.out" "$DROVER" apply -f "$spec"
SRV=$(status_json | jq -r '.nodes[] | select(.pool == "server") | .ip')
AG=$(status_json | jq -r '.nodes[] | select(.pool == "agent") | .name')

is "$(curl -sk -o /dev/null -w '%{http_code}' "https://$SRV:6443/api/v1/nodes")" 401 \
    "the API refuses a request without a client certificate"
is "$(kc get --raw /version | jq -r .gitVersion)" "$VERSION" "/version reports the release"
is "$(kc get --raw /readyz)" ok "/readyz answers ok"
# An agent writes /etc/rancher/node/password as the real one does: it runs in
# a mount namespace of its own whose /etc is an overlay, so the host's /etc
# stays untouched (a root-owned /etc/rancher/node there breaks every lab
# node's agent, whose /etc is an overlay on the host's).
isolated() {
    mkdir -p "$T/etc/up" "$T/etc/work"
    timeout 60 unshare --mount --propagation private sh -c \
        'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc && shift && exec "$@"' \
        sh "$T/etc" "$@"
}
refused "an agent with a token for another cluster (CA hash) is refused" "token CA hash does not match" \
    isolated "$T/bin/k3s" agent --server "https://$SRV:6443" --data-dir "$T/data" --node-name stranger \
    --token "K10$(printf '%064d' 0)::server:whatever"

# A kubelet registers its Node after the install returns (k3s's agent does
# too), so wait for it before acting on it; when it never comes, show why.
registered() { kc get node "$AG" >/dev/null 2>&1; }
ok "the agent registers as a Node" wait_for 120 registered
if ! registered; then
    for d in "$LAB_STATE"/nodes/*/; do
        [ "$(cat "$d/name" 2>/dev/null)" = "$AG" ] || continue
        find "$d" -name '*.log' -newer "$spec" -size -64k 2>/dev/null | head -5 |
            while read -r f; do diag "$f:"; tail -5 "$f" | sed 's/^/#   /'; done
    done
fi
ok "kubectl cordon" to "$W/cordon.out" kc cordon "$AG"
is "$(kc get node "$AG" -o json | jq -r .spec.unschedulable)" true "the node is unschedulable"
ok "kubectl shows SchedulingDisabled" grep -q "Ready,SchedulingDisabled" <<<"$(kc get node "$AG" --no-headers)"

cat >"$T/pod.json" <<EOS
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web"},
   "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d4f8c", "uid": "1b3c5d7e-0000-4000-8000-000000000001", "controller": true}]},
 "spec": {"nodeName": "$AG", "containers": [{"name": "web", "image": "nginx"}]}}
EOS
cat >"$T/pdb.json" <<EOS
{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "default"},
 "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"app": "web"}}}}
EOS
ok "a pod on the agent is created" to "$W/pod.out" kc create --validate=false -f "$T/pod.json"
ok "a PodDisruptionBudget for it is created" to "$W/pdb.out" kc create --validate=false -f "$T/pdb.json"
is "$(kc get pods -A --field-selector "spec.nodeName=$AG" -o json | jq -r '[.items[].metadata.name] | map(sub("-[a-z0-9]+$"; "")) | sort | join(" ")')" \
    "lab-node-agent web" "pods by spec.nodeName: the DaemonSet's and ours"
is "$(kc get pods -n kube-system --field-selector "spec.nodeName=$AG" -o json | jq -r '.items[0].metadata.ownerReferences[0].kind')" \
    DaemonSet "the node's lab-node-agent pod is owned by a DaemonSet"
nok "drain fails while the budget allows no eviction" to "$W/drain1.out" \
    kc drain "$AG" --ignore-daemonsets --timeout=8s
ok "the eviction was answered 429 and retried" \
    grep -q "Cannot evict pod as it would violate the pod's disruption budget" "$W/drain1.out"
code=$(curl -s -o "$T/evict.json" -w '%{http_code}' --cacert <(kubectl --kubeconfig "$KC" config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d) \
    --cert <(kubectl --kubeconfig "$KC" config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d) \
    --key <(kubectl --kubeconfig "$KC" config view --raw -o jsonpath='{.users[0].user.client-key-data}' | base64 -d) \
    -H 'Content-Type: application/json' -X POST \
    -d '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-1","namespace":"default"}}' \
    "https://$SRV:6443/api/v1/namespaces/default/pods/web-1/eviction")
is "$code" 429 "the eviction subresource answers 429"
is "$(jq -r '.reason + " " + (.code|tostring)' "$T/evict.json")" "TooManyRequests 429" "with a Status TooManyRequests"
ok "the budget is deleted" to "$W/pdbdel.out" kc delete pdb web
ok_out "drain succeeds now" "$W/drain2.out" kc drain "$AG" --ignore-daemonsets --timeout=30s
is "$(kc get pods -A --field-selector "spec.nodeName=$AG" -o json | jq -r '[.items[].metadata.name | sub("-[a-z0-9]+$"; "")] | join(" ")')" \
    lab-node-agent "only the DaemonSet pod is left on the drained node"

# A node whose kubelet stops (its processes frozen) turns Unknown.
nd=""
for d in "$LAB_STATE"/nodes/*/; do [ "$(cat "$d/name" 2>/dev/null)" = "$AG" ] && nd=${d%/}; done
ok "the agent's node is frozen" "$SSHNODE" freeze --dir "$nd"
ready_of() { kc get node "$AG" -o json | jq -r '.status.conditions[] | select(.type == "Ready") | .status'; }
unknown() { [ "$(ready_of 2>/dev/null)" = Unknown ]; }
ok "its Ready condition turns Unknown once it stops posting status" wait_for 90 unknown
ok "kubectl shows it NotReady" grep -q NotReady <<<"$(kc get node "$AG" --no-headers)"
"$SSHNODE" thaw --dir "$nd"
readyagain() { [ "$(ready_of 2>/dev/null)" = True ]; }
ok "Ready again once it posts again" wait_for 30 readyagain

ok "kubectl delete node" to "$W/delnode.out" kc delete node "$AG"
is "$(kc get nodes -o json | jq -r '[.items[].metadata.name] | join(" ")')" \
    "$(status_json | jq -r '.nodes[] | select(.pool == "server") | .name')" "the Node object is gone"
is "$(kc get pods -A --field-selector "spec.nodeName=$AG" -o json | jq '.items | length')" 0 \
    "and the pods bound to it"
ok_out "delete removes the cluster" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes

# Two servers: the second joins the first (server role: CAs from the first,
# its own Node, the same API on its own address).
spec=$(recipe_cfg 2 0 k3s "$VERSION" "$W/k3s.tar.gz")
ok_out "a cluster of two k3s servers is applied" "$W/apply2.out" "$DROVER" apply -f "$spec"
is "$(kc get nodes -l node-role.kubernetes.io/control-plane=true -o json | jq -r '[.items[].metadata.name] | sort | join(" ")')" \
    "$(node_names)" "both servers are control-plane Nodes"
SRV2=$(status_json | jq -r '[.nodes[] | select(.pool == "server")] | sort_by(.name) | .[1].ip')
is "$(kc --server "https://$SRV2:6443" get nodes --no-headers | grep -c ' Ready ')" 2 \
    "the second server's API (its own address, the same certificate authority) lists both"
ok_out "delete removes it" "$W/delete2.out" "$DROVER" delete cluster lab-cluster --yes
done_testing
