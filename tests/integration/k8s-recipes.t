#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The real k3s and rke2 recipes (data/bootstrap/) through the real engine,
# on their airgap path, against the lab's Kubernetes stand-in
# (tests/lab/k8s): nodes with the stand-in sudo and room for a distribution
# (node options sudo=nopasswd k8s=on), a bundle built here with
# `drover-k8s bundle`. A 1 server + 2 agent cluster reaches Active, and the
# real kubectl with the kubeconfig drover saved lists three Ready nodes
# named as drover named them.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"

eng_setup
echo "sudo=nopasswd k8s=on" >"$LAB_STATE/node-options"
KC=$STATE/kubeconfig/lab-cluster.yaml
kc() { kubectl --kubeconfig "$KC" --request-timeout=20s "$@"; }
node_dir_of() {  # the lab node folder of the node drover calls $1
    local d
    for d in "$LAB_STATE"/nodes/*/; do
        [ "$(cat "$d/name" 2>/dev/null)" = "$1" ] && echo "${d%/}" && return 0
    done
    return 1
}

# run_dist DIST VERSION: one cluster with the DIST recipe and a bundle of VERSION.
run_dist() {
    local dist=$1 version=$2 spec out bundle names ready
    bundle=$W/$dist-airgap.tar.gz
    ok "$dist: airgap bundle built" "$K8S" bundle --dist "$dist" --version "$version" --out "$bundle"
    spec=$(cluster_cfg 1 2)
    sed -i -e "s|^recipe = .*|recipe = \"$top_srcdir/data/bootstrap/$dist.sh\";|" \
        -e "s|^distribution = .*|distribution = \"$dist\";|" "$spec"
    sed -i "1i version = \"$version\";\nairgap_bundle = \"$bundle\";" "$spec"
    out=$W/apply-$dist.out
    ok_out "$dist: apply of 1 server + 2 agents succeeds" "$out" "$DROVER" apply -f "$spec"
    is "$(cluster_state)" active "$dist: the cluster is active"
    ok "$dist: drover saved the kubeconfig" test -s "$KC"
    names=$(node_names)
    is "$(kc get nodes -o json | jq -r '[.items[].metadata.name] | sort | join(" ")')" "$names" \
        "$dist: kubectl get nodes lists drover's three nodes"
    ready=$(kc get nodes -o json | jq -r '[.items[] | select(any(.status.conditions[]; .type == "Ready" and .status == "True"))] | length')
    is "$ready" 3 "$dist: all three are Ready"
    is "$(kc get nodes --no-headers | awk '$2 == "Ready"' | wc -l)" 3 "$dist: kubectl's table says Ready three times"
    is "$(kc get nodes -o json | jq -r '[.items[].status.nodeInfo.kubeletVersion] | unique | join(" ")')" "$version" \
        "$dist: every node runs $version"
    is "$(kc get nodes -l node-role.kubernetes.io/control-plane=true -o json | jq -r '.items[].metadata.name')" \
        "$(status_json | jq -r '.nodes[] | select(.pool == "server") | .name')" "$dist: the server pool's node is the control plane"
    ok "$dist: the server's kubeconfig names the server's address, not 127.0.0.1" \
        grep -q "server: https://$(status_json | jq -r '.nodes[] | select(.pool == "server") | .ip'):6443" "$KC"
    local sd
    sd=$(node_dir_of "$(status_json | jq -r '.nodes[] | select(.pool == "server") | .name')")
    ok "$dist: the recipe wrote /etc/rancher/$dist/config.yaml" test -s "$sd/rootfs/etc/up/rancher/$dist/config.yaml"
    ok "$dist: the admin kubeconfig is where $dist writes it" test -s "$sd/rootfs/etc/up/rancher/$dist/$dist.yaml"
    ok "$dist: and the node token" test -s "$sd/rootfs/var-lib/up/rancher/$dist/server/node-token"
    ok_out "$dist: delete removes the cluster" "$W/delete-$dist.out" "$DROVER" delete cluster lab-cluster --yes
    is "$(owned_count)" 0 "$dist: no VM left"
}

run_dist k3s v1.30.2+k3s1
run_dist rke2 v1.30.2+rke2r1
done_testing
