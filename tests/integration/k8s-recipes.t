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

# run_dist DIST VERSION: one cluster with the DIST recipe and a bundle of VERSION.
run_dist() {
    local dist=$1 version=$2 spec out bundle names ready
    bundle=$W/$dist-airgap.tar.gz
    ok "$dist: airgap bundle built" "$K8S" bundle --dist "$dist" --version "$version" --out "$bundle"
    spec=$(recipe_cfg 1 2 "$dist" "$version" "$bundle")
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
    [ "$dist" != k3s ] || kubeconfig_cmd
    ok_out "$dist: delete removes the cluster" "$W/delete-$dist.out" "$DROVER" delete cluster lab-cluster --yes
    is "$(owned_count)" 0 "$dist: no VM left"
}

# drover kubeconfig NAME [--merge], held to the real kubectl.
kubeconfig_cmd() {
    local k=$W/kc.yaml h=$W/home cfg
    ok "drover kubeconfig prints it" to "$k" "$DROVER" kubeconfig lab-cluster
    is "$(kubectl --kubeconfig "$k" config current-context)" lab-cluster "its context is named after the cluster"
    is "$(kubectl --kubeconfig "$k" config view -o jsonpath='{.contexts[0].context.cluster}/{.contexts[0].context.user}')" \
        lab-cluster/lab-cluster "and so are its cluster and user"
    is "$(kubectl --kubeconfig "$k" --request-timeout=20s get nodes --no-headers | grep -c ' Ready ')" 3 \
        "kubectl with it lists the three Ready nodes"
    mkdir -p "$h"
    cfg=$h/.kube/config
    HOME=$h kubectl config set-cluster other --server=https://127.0.0.1:1 >/dev/null
    HOME=$h kubectl config set-credentials other --token=not-a-secret >/dev/null
    HOME=$h kubectl config set-context other --cluster=other --user=other >/dev/null
    HOME=$h kubectl config use-context other >/dev/null
    cp "$cfg" "$W/config.before"
    ok_out "--merge into ~/.kube/config" "$W/merge.out" env -u KUBECONFIG HOME="$h" "$DROVER" kubeconfig lab-cluster --merge
    is "$(HOME=$h kubectl config get-contexts -o name | sort | tr '\n' ' ')" "lab-cluster other " "both contexts are there"
    is "$(HOME=$h kubectl config current-context)" lab-cluster "the cluster's context is the current one"
    is "$(HOME=$h kubectl --request-timeout=20s get nodes --no-headers | wc -l)" 3 "kubectl with the merged file lists the nodes"
    ok "the previous file is kept as config.bak" cmp -s "$W/config.before" "$cfg.bak"
    is "$(stat -c %a "$cfg")" 600 "the merged file is 0600"
    env -u KUBECONFIG HOME="$h" "$DROVER" kubeconfig lab-cluster --merge >/dev/null
    is "$(HOME=$h kubectl config view -o json | jq '[.clusters[].name] | sort | join(" ")' -r)" "lab-cluster other" \
        "merging again replaces the entry rather than adding one"
    ok_out "--merge writes the first file of \$KUBECONFIG" "$W/merge2.out" \
        env KUBECONFIG="$W/kc-a:$W/kc-b" "$DROVER" kubeconfig lab-cluster --merge
    ok "that file has the cluster" test -s "$W/kc-a"
    nok "the second file is not touched" test -e "$W/kc-b"
    printf 'apiVersion: v1\nclusters: [\n  - name: x\n' >"$W/broken"
    cp "$W/broken" "$W/broken.before"
    nok "a kubeconfig that is not YAML is refused" to "$W/merge3.out" \
        env KUBECONFIG="$W/broken" "$DROVER" kubeconfig lab-cluster --merge
    ok "naming the file and line" grep -q "$W/broken:[0-9]" "$W/merge3.out"
    ok "and left unchanged" cmp -s "$W/broken" "$W/broken.before"
}

# A bundle of another version than the cluster asks for: the recipe names
# both and exits 2 (wrong inputs), so the node fails at once, not after the
# same recipe ran on the same bundle again and again, and no VM is left.
wrong_version() {
    local bundle=$W/k3s-other.tar.gz spec out j err
    ok "k3s: a bundle of v1.30.2+k3s1 built" "$K8S" bundle --dist k3s --version v1.30.2+k3s1 --out "$bundle"
    spec=$(recipe_cfg 1 0 k3s v1.30.4+k3s1 "$bundle")
    out=$W/apply-wrong.out
    nok "k3s: apply of a cluster asking for v1.30.4+k3s1 fails" to "$out" "$DROVER" apply -f "$spec"
    j=$("$DROVER" list nodes lab-cluster -o json | jq -c '.[0]')
    err=$(jq -r .last_error <<<"$j")
    diag "reason: $err"
    ok "k3s: the reason names both versions" grep -qF "installed k3s is v1.30.2+k3s1, but the cluster asks for v1.30.4+k3s1" <<<"$err"
    is "$(jq -r '.state + "/" + .step + " " + (.attempts | tostring)' <<<"$j")" "error/bootstrapping 1" \
        "k3s: the node failed at bootstrapping on its first attempt (not retried)"
    ok "k3s: and says what to do" grep -q "to fix: correct the cluster's version or airgap_bundle" <<<"$err"
    is "$(owned_count)" 0 "k3s: no VM left behind"
    "$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
}

run_dist k3s v1.30.2+k3s1
wrong_version
run_dist rke2 v1.30.2+rke2r1
done_testing
