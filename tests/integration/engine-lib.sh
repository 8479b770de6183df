# Shared by tests/integration/engine-*.t: a lab with SSH nodes, a drover
# configuration pointing at it, and helpers to look at both sides.
. "${top_srcdir:?}/tests/lab/testlib.sh"
lab_require
SSHNODE=$top_srcdir/tests/lab/sshnode
RECIPE=$top_srcdir/data/bootstrap/test.sh
LABVMS=$top_builddir/tests/integration/lab-vms
[ -x "$SSHNODE" ] || skip_all "tests/lab/sshnode (the lab's SSH nodes) is not there"
[ -f "$RECIPE" ] || skip_all "data/bootstrap/test.sh (the test recipe) is not there"
command -v jq >/dev/null || skip_all "jq is not installed"

bg_pids=()
eng_cleanup() {
    local p
    for p in "${bg_pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    lab_cleanup
}
trap eng_cleanup EXIT

# eng_setup [lab up options]: start a lab and write the drover configuration.
eng_setup() {
    lab_up --sshnode "$SSHNODE" "$@" || { echo "Bail out! lab up failed"; exit 1; }
    W=$LAB_STATE/drover
    mkdir -m 700 "$W"
    LAB_VCSIM=$(lab_vcsim) bash "$LAB" env --state "$LAB_STATE" --drover-config "$W/config" \
        >/dev/null || { echo "Bail out! lab env failed"; exit 1; }
    export XDG_CONFIG_HOME=$W/config XDG_STATE_HOME=$W/state
    unset DROVER_READ_ONLY
    CFG=$W/config/drover/lab-cluster.cfg
    # The simulator (govmomi vcsim) edits a VM's device list in place: an
    # edit it rejects, which concurrent delayed reconfigures provoke, drops
    # the disk for good. Real vCenter does not; growing disks is covered by
    # the vSphere client's own lab tests, so these keep the template's disk.
    [ -n "${ENG_GROW_DISK:-}" ] ||
        sed -i 's/^disk_gib = .*/disk_gib = 0;/' "$W/config/drover/templates/lab.cfg"
    STATE=$XDG_STATE_HOME/drover
    KC=$STATE/kubeconfig/lab-cluster.yaml
    eng_settings
}

# eng_settings: drover.cfg with quick retries; ENG_RETRIES and ENG_TIMEOUT_<STEP>
# (configuring, ssh) override. Kubernetes health polling is off
# (ENG_HEALTH_INTERVAL sets it), and drover does not wait for the nodes'
# kubelets (register_timeout = 0) unless ENG_REGISTER_TIMEOUT says
# (k8s-register.t, k8s-rejoin.t): several tests swap the test recipe in for
# lab-cluster.cfg's k3s recipe after a run that left the k3s kubeconfig.
# (The test recipe itself leaves none, so it needs neither setting:
# recipe-no-k8s.t.)
eng_settings() {
    cat >"$XDG_CONFIG_HOME/drover/drover.cfg" <<EOS
workers = 8;
retries = ${ENG_RETRIES:-1};
retry_backoff_ms = 200;
health_interval = ${ENG_HEALTH_INTERVAL:-0};
register_timeout = ${ENG_REGISTER_TIMEOUT:-0};
timeouts = {
    configuring = ${ENG_TIMEOUT_CONFIGURING:-60};
    waiting-for-ip = 60;
    waiting-for-ssh = ${ENG_TIMEOUT_SSH:-60};
    bootstrapping = 120;
    joining = 60;
};
EOS
    "$DROVER" validate >/dev/null 2>&1 || { echo "Bail out! drover.cfg does not validate"; exit 1; }
}

# A copy of the lab cluster with other quantities: cluster_cfg SERVERS AGENTS
cluster_cfg() {
    local d=$W/spec.$1.$2
    mkdir -p "$d"
    awk -v s="$1" -v a="$2" '
        /name = "server";/ { pool = "s" }
        /name = "agent";/ { pool = "a" }
        /quantity =/ { sub(/[0-9]+/, pool == "s" ? s : a) }
        { print }' "$CFG" >"$d/lab-cluster.cfg"
    echo "$d/lab-cluster.cfg"
}

# The same, bootstrapped by the real DIST recipe (data/bootstrap/DIST.sh) of
# Kubernetes VERSION from the airgap BUNDLE:
# recipe_cfg SERVERS AGENTS DIST VERSION BUNDLE
recipe_cfg() {
    local spec
    spec=$(cluster_cfg "$1" "$2")
    sed -i -e "s|^recipe = .*|recipe = \"$top_srcdir/data/bootstrap/$3.sh\";|" \
        -e "s|^distribution = .*|distribution = \"$3\";|" "$spec"
    # lab env writes its own version and bundle (lab.d/cluster.sh): replaced.
    sed -i -e "/^version = /d" -e "/^airgap_bundle = /d" "$spec"
    sed -i "1i version = \"$4\";\nairgap_bundle = \"$5\";" "$spec"
    echo "$spec"
}

# node_dir_of NAME: the lab node folder of the node drover calls NAME.
node_dir_of() {
    local d
    for d in "$LAB_STATE"/nodes/*/; do
        [ "$(cat "$d/name" 2>/dev/null)" = "$1" ] && echo "${d%/}" && return 0
    done
    return 1
}

# kc: kubectl on the kubeconfig drover saves for lab-cluster ($KC).
kc() { kubectl --kubeconfig "$KC" --request-timeout=20s "$@"; }

status_json() { "$DROVER" status lab-cluster -o json; }
cluster_state() { status_json 2>/dev/null | jq -r .state; }
node_names() { status_json | jq -r '[.nodes[].name] | sort | join(" ")'; }
nodes_in() { status_json | jq -r --arg s "$1" '[.nodes[] | select(.state == $s)] | length'; }
# The lab's VMs carrying a drover owner marker: "id name power owner".
owned_vms() { (set -a; . "$LAB_STATE/env"; "$LABVMS") | awk '$4 != "-"'; }
owned_count() { owned_vms | wc -l; }
owned_names() { owned_vms | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'; }
# Wait until some node of the cluster is in state $1.
some_node_in() { [ "$(nodes_in "$1" 2>/dev/null)" -gt 0 ] 2>/dev/null; }
show() { diag "$@"; }
# to FILE CMD...: run CMD with its output in FILE (for ok/nok, whose own
# output must stay on stdout).
to() { local f=$1; shift; "$@" >"$f" 2>&1; }
# ok_out DESC FILE CMD...: like ok, with CMD's output in FILE, shown on failure.
ok_out() {
    local d=$1 f=$2
    shift 2
    if "$@" >"$f" 2>&1; then tap_result 0 "$d"; else tap_result 1 "$d"; diag "$(tail -25 "$f")"; fi
}
