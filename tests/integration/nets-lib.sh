# Shared by the network tests on an engine lab (tests/integration/nets.t,
# nic-reach.t), after engine-lib.sh's eng_setup: `lab net`, templates made
# from the lab's by sed, one-node cluster specs, and the lab's VM count.
# shellcheck shell=bash
net() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" net --state "$LAB_STATE" "$@"; }

T=$XDG_CONFIG_HOME/drover/templates
tmpl() { # tmpl NAME SED-EXPR...: the lab template with edits
    local name=$1; shift
    local args=() e
    for e in "$@"; do args+=(-e "$e"); done
    sed "${args[@]}" "$T/lab.cfg" >"$T/$name.cfg"
}
spec() { # spec CLUSTER TEMPLATE: a one-node cluster
    mkdir -p "$W/specs"
    cat >"$W/specs/$1.cfg" <<EOS
distribution = "k3s"; vcenter = "lab"; recipe = "$RECIPE";
pools = ( { name = "server"; template = "$2"; quantity = 1;
            roles = [ "etcd", "control-plane" ]; hostname_prefix = "$1-"; } );
EOS
    echo "$W/specs/$1.cfg"
}
all_vms() { (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l; }
