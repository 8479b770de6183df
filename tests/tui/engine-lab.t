#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The console watching a real provisioning run: `drover apply` runs the
# engine in the background against the lab; a second drover in tmux (an
# observer, since the first holds the lock) shows the nodes moving through
# their states, the progress bar, and the node's log pane.
. "${top_srcdir:?}/tests/tui/englib.sh"

eng_setup --method-delay CloneVM_Task=700,ReconfigVM_Task=700,PowerOnVM_Task=700
recipe=$W/recipe.sh
{ echo '#!/bin/sh'; echo 'sleep 3'; cat "$RECIPE"; } >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"

"$DROVER" apply -f "$CFG" >"$W/apply.out" 2>&1 &
apply=$!
bg_pids+=("$apply")
ok "the engine starts provisioning" wait_for 60 some_node_in cloning

console_start 150 40
ok "the console comes up" wait_for 20 seen "Clusters"
keys 3
ok "the nodes screen lists the cluster's nodes" wait_for 20 seen "server-01"

# Sample server-01's line until it is active: it must pass through several
# states, with a partly filled progress bar on the way.
states=() partial=no
for i in $(seq 1 1200); do
    line=$(node_line server-01)
    for st in "Cloning" "Configuring" "Powering on" "Waiting for IP" "Waiting for SSH" \
        "Bootstrapping" "Joining" "Active"; do
        if grep -qF "$st" <<<"$line" && [[ " ${states[*]} " != *" $st "* ]]; then
            states+=("$st")
        fi
    done
    grep -qE ' ([1-9]|[1-9][0-9])%' <<<"$line" && grep -q '█' <<<"$line" && partial=yes
    grep -qF "Active" <<<"$line" && break
    sleep 0.1
done
diag "server-01 was seen in: ${states[*]}"
ok "server-01 reaches Active on screen" grep -qF "Active" <<<"$(node_line server-01)"
ok "it was seen in at least three states on the way" test "${#states[@]}" -ge 3
ok "the progress bar showed partial progress" test "$partial" = yes
ok "an active node shows 100%" wait_for 10 eval 'node_line server-01 | grep -qF "100%"'
ok "the agents follow" wait_for 120 sh -c "tmux -S '$sock' capture-pane -p | grep -E '^ *agent-0[12] ' | grep -c Active | grep -qx 2"

# The node's log pane streams the recipe's output.
keys Escape
tmux -S "$sock" send-keys -l ':node lab-cluster/agent-01'
keys Enter
ok "the node log pane shows the bootstrap output" wait_for 20 seen "joined $(status_json | jq -r '.nodes[] | select(.name == "server-01") | .ip')"
ok "and the recipe's own lines" wait_for 5 seen "wrote /"

wait "$apply"
is "$?" 0 "drover apply ends with the cluster active"
console_quit
done_testing
