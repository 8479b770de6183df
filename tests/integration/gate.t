#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The pre-clone gate against the lab: a template whose names do not all
# resolve is refused before the first clone, with every problem at once
# (file:line and field each), and nothing is created in vCenter.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup

T=$XDG_CONFIG_HOME/drover/templates
# templates/bad.cfg: the lab template with four names that are not there
# (datastore line 6, folder line 7, the second network on line 8, the clone
# source line 9).
sed -e 's/^datastore = .*/datastore = "no-such-ds";/' \
    -e 's/^folder = .*/folder = "no-such-folder";/' \
    -e 's/^networks = .*/networks = [ "VM Network", "no-such-net" ];/' \
    -e 's/^clone_from = .*/clone_from = "no-such-template";/' \
    "$T/lab.cfg" >"$T/bad.cfg"
ok "the bad template validates offline (names are only known to vCenter)" \
    "$DROVER" validate
spec=$W/gate/lab-cluster.cfg
mkdir -p "$W/gate"
sed -e 's/template = "lab";/template = "bad";/' "$CFG" >"$spec"
vms_before=$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)

out=$W/gate.out
nok "apply with the bad template fails" to "$out" "$DROVER" apply -f "$spec"
ok "names the datastore with file:line" grep -q 'templates/bad.cfg:6: datastore: "no-such-ds": no datastore' "$out"
ok "names the folder" grep -q 'templates/bad.cfg:7: folder: "no-such-folder": no VM folder' "$out"
ok "names the second network by index" grep -q 'templates/bad.cfg:8: networks\[1\]: "no-such-net": no network' "$out"
ok "does not blame the first network" bash -c "! grep -q 'networks\[0\]' '$out'"
ok "names the clone source" grep -q 'templates/bad.cfg:9: clone_from: "no-such-template"' "$out"
vms_after=$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)
is "$vms_after" "$vms_before" "no VM was created"
is "$(owned_count)" 0 "no VM carries drover's owner marker"
ok "preflight stopped it before the engine ran (nothing was created)" grep -q 'nothing was created' "$out"
diag "$(cat "$out")"
# Past preflight (--skip-preflight), the engine's own pre-clone gate refuses
# the same template before the first clone.
out=$W/gate-skip.out
nok "apply --skip-preflight with the bad template fails" to "$out" "$DROVER" apply -f "$spec" --skip-preflight
ok "the engine's gate names the datastore too" grep -q 'templates/bad.cfg:6: datastore: "no-such-ds": no datastore' "$out"
vms_after=$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)
is "$vms_after" "$vms_before" "no VM was created past preflight either"
is "$(nodes_in error)" 3 "every node is in error"
ok "the node's error says nothing was cloned" bash -c \
    "$(printf '%q ' "$DROVER") status lab-cluster -o json | jq -e '.nodes[0].error | test(\"nothing was cloned\")'"
ok "no node got past cloning" bash -c "! grep -Eq ': (configuring|powering-on)$' '$out'"
diag "$(cat "$out")"

# The fixed template: the same apply now goes through.
sed -e 's/template = "lab";/template = "lab";/' "$CFG" >"$spec"
cp "$T/lab.cfg" "$T/bad.cfg"
ok_out "apply with the template fixed brings the cluster to active" "$W/gate2.out" \
    "$DROVER" apply -f "$spec"
is "$(owned_count)" 3 "3 VMs now"
ok_out "delete cluster" "$W/del.out" "$DROVER" delete cluster lab-cluster --yes
done_testing
