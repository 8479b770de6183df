# lab module: `lab env --drover-config DIR` also writes DIR/drover/lab-cluster.cfg,
# a 3-node cluster (1 server, 2 agents) on the lab template, ready for
# `drover apply -f DIR/drover/lab-cluster.cfg`.
#
# By default the cluster runs the REAL k3s recipe (data/bootstrap/k3s.sh) on
# its airgap path, with a bundle of the lab's Kubernetes stand-in
# (tests/lab/k8s, `drover-k8s bundle`) built into the state folder, and the
# node options that recipe needs (sudo=nopasswd k8s=on) are added to
# <state>/node-options. `--cluster-recipe test` (or LAB_CLUSTER_RECIPE=test)
# asks for the fast test recipe (data/bootstrap/test.sh) instead, for tests
# of the vSphere and SSH pipeline that set their own node options or start
# many nodes. Without a built stand-in the test recipe is used, with a note.
module_opts[--cluster-recipe]=cluster_recipe
cluster_recipe=${LAB_CLUSTER_RECIPE:-k3s}
usage_extra+="  lab env ... [--cluster-recipe k3s|test]   lab-cluster.cfg's recipe (default k3s)
"
# The k3s release the lab's bundle reports (a valid k3s version tag).
LAB_K3S_VERSION=v1.30.2+k3s1

find_drover_k8s() {
    local c
    for c in "${LAB_K8S:-}" "$labbuild/k8s/drover-k8s"; do
        [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
    done
    return 1
}

# cluster_node_options: add sudo=nopasswd and k8s=on to <state>/node-options,
# keeping the words already there (atomic rewrite).
cluster_node_options() {
    local f=$state/node-options words w
    words=$(cat "$f" 2>/dev/null)
    for w in sudo=nopasswd k8s=on; do
        grep -qw -- "$w" <<<"$words" || words="$words $w"
    done
    (umask 077 && printf '%s\n' "${words# }" >"$f.tmp") && mv -f "$f.tmp" "$f"
}

write_lab_cluster() {
    [ -n "${drover_config:-}" ] || return 0
    local dir=$drover_config/drover top recipe k8s="" head="" what
    top=$(cd "$labdir/../.." && pwd)
    case "$cluster_recipe" in
    k3s | test) ;;
    *) echo "lab: --cluster-recipe must be k3s or test, not $cluster_recipe" >&2; return 1 ;;
    esac
    if [ "$cluster_recipe" = k3s ] && ! k8s=$(find_drover_k8s); then
        echo "lab: the Kubernetes stand-in (tests/lab/k8s/drover-k8s) is not built" \
            "(make tests/lab/k8s/drover-k8s); lab-cluster.cfg uses the test recipe" >&2
        cluster_recipe=test
    fi
    (umask 077 && mkdir -p "$dir") || return 1
    if [ "$cluster_recipe" = k3s ]; then
        # With the vSphere CPI/CSI charts: the cluster may also be run with
        # cloud_provider = "vsphere" (README's example), whose recipe and
        # preflight want them in the bundle.
        "$k8s" bundle --dist k3s --version "$LAB_K3S_VERSION" --vsphere-charts \
            --out "$state/k3s-airgap.tar.gz" >/dev/null || return 1
        cluster_node_options || return 1
        recipe=$top/data/bootstrap/k3s.sh
        what="the real k3s recipe through an airgap bundle of the lab's stand-in"
        head="version = $(cfgq "$LAB_K3S_VERSION");
airgap_bundle = $(cfgq "$state/k3s-airgap.tar.gz");"
    else
        recipe=$top/data/bootstrap/test.sh
        what="the test recipe"
    fi
    cat >"$dir/lab-cluster.cfg.tmp" <<EOF2 || return 1
# A lab cluster: one server and two agents, bootstrapped by $what.
# The cluster's name is the file's name: lab-cluster.
distribution = "k3s";
${head:+$head
}vcenter = "lab";
recipe = $(cfgq "$recipe");
pools = (
    {
        name = "server";
        template = "lab";
        quantity = 1;
        roles = [ "etcd", "control-plane" ];
        hostname_prefix = "server-";
    },
    {
        name = "agent";
        template = "lab";
        quantity = 2;
        roles = [ "worker" ];
        hostname_prefix = "agent-";
    }
);
EOF2
    mv -f "$dir/lab-cluster.cfg.tmp" "$dir/lab-cluster.cfg"
}
env_hooks+=(write_lab_cluster)

cluster_down() { rm -f "$state/k3s-airgap.tar.gz" "$state/node-options.tmp"; }
down_hooks+=(cluster_down)
