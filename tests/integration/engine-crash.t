#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Crash safety: kill -9 drover at each pipeline step in turn, restart, and
# the cluster converges with exactly one VM per node.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
# Slow enough that every step can be caught in the act.
eng_setup --method-delay CloneVM_Task=1500,ReconfigVM_Task=1500,PowerOnVM_Task=1500
recipe=$W/recipe.sh
{ echo '#!/bin/sh'; echo 'sleep 2'; cat "$RECIPE"; } >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"
out=$W/apply.out

for step in cloning configuring powering-on bootstrapping; do
    "$DROVER" apply -f "$CFG" >"$out.$step" 2>&1 &
    pid=$!
    bg_pids+=("$pid")
    ok "$step: drover reaches the step" wait_for 120 some_node_in "$step"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    ok "$step: killed with a node in $step" some_node_in "$step"
    ok_out "$step: a restart converges" "$out" "$DROVER" apply -f "$CFG"
    is "$(nodes_in active)" 3 "$step: 3 nodes active"
    is "$(owned_count)" "$(status_json | jq '.nodes | length')" "$step: VMs in the lab == nodes in the state"
    is "$(owned_names)" "agent-01 agent-02 server-01" "$step: no duplicate, no orphan"
    ok_out "$step: delete" "$out" "$DROVER" delete cluster lab-cluster --yes
    is "$(owned_count)" 0 "$step: nothing left"
done
done_testing
