#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A recipe that installs no Kubernetes leaves no kubeconfig (data/bootstrap/
# README), and drover then neither waits for Nodes nor polls an API: the
# field cases' setup (shared/cases: `lab env`, then a one-node cluster on
# data/bootstrap/test.sh with drover.cfg as `lab env` wrote it, so the
# default register_timeout of 300 s and health polling) reaches active at
# once, and the console calls it Active, not Unavailable.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"

lab_up --sshnode "$SSHNODE" || { echo "Bail out! lab up failed"; exit 1; }
W=$LAB_STATE/drover
mkdir -m 700 "$W"
LAB_VCSIM=$(lab_vcsim) bash "$LAB" env --state "$LAB_STATE" --drover-config "$W/config" \
    >/dev/null || { echo "Bail out! lab env failed"; exit 1; }
export XDG_CONFIG_HOME=$W/config XDG_STATE_HOME=$W/state
STATE=$XDG_STATE_HOME/drover
sed -i 's/^disk_gib = .*/disk_gib = 0;/' "$W/config/drover/templates/lab.cfg"
nok "drover.cfg does not turn the register wait off" \
    grep -qs 'register_timeout' "$W/config/drover/drover.cfg"
c=$W/c.cfg
cat >"$c" <<EOF2
distribution = "k3s"; vcenter = "lab"; recipe = "$RECIPE";
pools = ( { name = "server"; template = "lab"; quantity = 1;
            roles = [ "etcd", "control-plane" ]; hostname_prefix = "server-"; },
          { name = "agent"; template = "lab"; quantity = 1;
            roles = [ "worker" ]; hostname_prefix = "agent-"; } );
EOF2
out=$W/apply.out
# The register wait would hold each node for 300 s; apply's own bound is
# far shorter, so a wait shows as a failure here, not as a slow pass.
ok_out "apply brings the test-recipe cluster to active" "$out" timeout 150 "$DROVER" apply -f "$c"
j=$("$DROVER" status c -o json)
is "$(jq -r .state <<<"$j")" active "status: active"
is "$(jq -r '[.nodes[] | select(.state == "active")] | length' <<<"$j")" 2 "both nodes active"
ok "no kubeconfig was stored" test ! -e "$STATE/kubeconfig/c.yaml"
ok "the server's log says why it did not wait for its Node" \
    grep -q 'no kubeconfig.*not waiting for Node server-01' "$STATE/logs/c/server-01.log"
ok "the join token still reached the agent" test -s "$STATE/keys/c/token"
ok_out "delete" "$W/delete.out" "$DROVER" delete cluster c --yes
done_testing
