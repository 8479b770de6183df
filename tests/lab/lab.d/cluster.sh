# lab module: `lab env --drover-config DIR` also writes DIR/drover/lab-cluster.cfg,
# a 3-node cluster (1 server, 2 agents) on the lab template with the test
# recipe, ready for `drover apply -f DIR/drover/lab-cluster.cfg`.

write_lab_cluster() {
    [ -n "${drover_config:-}" ] || return 0
    local dir=$drover_config/drover recipe
    recipe=$(cd "$labdir/../.." && pwd)/data/bootstrap/test.sh
    (umask 077 && mkdir -p "$dir") || return 1
    cat >"$dir/lab-cluster.cfg.tmp" <<EOF2 || return 1
# A lab cluster: one server and two agents, bootstrapped by the test recipe.
# The cluster's name is the file's name: lab-cluster.
distribution = "k3s";
vcenter = "lab";
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
