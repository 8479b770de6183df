#!/bin/bash
# Overlap (issue 15): while the first server bootstraps, the other nodes
# clone, configure, power on, get their address and open SSH; only their join
# waits for the server's token. The server's recipe is held (it waits for a
# file the test makes) until every agent has reached the point where only the
# token is missing: without the overlap the agents would never get there and
# the bounded wait fails. Shown by the order of drover's own events, not by
# timing.
: "${top_srcdir:?}" "${top_builddir:?}" "${DROVER:?}"
. "$top_srcdir/tests/integration/engine-lib.sh"
[ "$(id -u)" = 0 ] || skip_all "SSH lab nodes need root (mount namespaces)"

agents=4
export LAB_CLUSTER_RECIPE=test  # lab env's cluster: the test recipe (held below), not k3s
eng_setup --vms 1 --hosts 1
spec=$(cluster_cfg 1 "$agents")

# The test recipe, with the init server held until $LAB_STATE/release exists
# (the node reads the host's file system; LAB_STATE is traversable for it).
hold=$W/hold-recipe.sh
awk -v rel="$LAB_STATE/release" '
    { print }
    /^\. "\$params"$/ {
        print "if [ \"$DROVER_ROLE\" = init ]; then"
        print "    i=0"
        print "    while [ ! -e \"" rel "\" ] && [ $i -lt 1800 ]; do sleep 0.1; i=$((i + 1)); done"
        print "    echo \"released after $i polls\""
        print "fi"
    }' "$RECIPE" >"$hold"
chmod 755 "$hold"
grep -q release "$hold" || { echo "Bail out! the recipe has no hold (test.sh changed?)"; exit 1; }
sed -i "s|^recipe = .*|recipe = \"$hold\";|" "$spec"

out=$W/apply.out
"$DROVER" apply -f "$spec" >"$out" 2>&1 &
apply_pid=$!
bg_pids+=("$apply_pid")

# An agent whose SSH is open and whose pipeline waits for nothing but the
# token: it entered "bootstrapping" (the step after waiting-for-ssh).
agents_ready() {
    [ "$(grep -cE '^agent-[0-9]+: bootstrapping$' "$out")" -eq "$agents" ]
}
ok "the server's recipe started (it is held)" wait_for 120 grep -qx 'server-01: bootstrapping' "$out"
ok "every agent opened SSH while the server's bootstrap is held" wait_for 120 agents_ready
nok "the server has not finished bootstrapping meanwhile" grep -qE '^server-01: (joining|active)$' "$out"
nok "no agent joined without the token" grep -qE '^agent-[0-9]+: (joining|active)$' "$out"
for i in $(seq 1 "$agents"); do
    a=$(printf 'agent-%02d' "$i")
    ok "$a: its node log says SSH is open (pinned host key) before the token exists" \
        grep -q 'SSH to .* as pinned' "$STATE/logs/lab-cluster/$a.log"
done
ok "no token yet" test ! -e "$STATE/keys/lab-cluster/token"

: >"$LAB_STATE/release"
wait "$apply_pid"
rc=$?
is "$rc" 0 "apply completes once the server's recipe is released"
[ "$rc" = 0 ] || diag "$(tail -20 "$out")"
is "$(cluster_state)" active "the cluster is active"
ok "the server's recipe was the held one (it says it was released)" \
    grep -q 'released after' "$STATE/logs/lab-cluster/server-01.log"

# The same story in the event stream: line numbers of the events.
line() { grep -nx "$1" "$out" | head -1 | cut -d: -f1; }
srv_boot=$(line 'server-01: bootstrapping')
srv_done=$(line 'server-01: joining')
[ -n "$srv_done" ] || srv_done=$(line 'server-01: active')
first_agent_join=$(grep -nE '^agent-[0-9]+: joining$' "$out" | head -1 | cut -d: -f1)
last_agent_ssh=$(grep -nE '^agent-[0-9]+: bootstrapping$' "$out" | tail -1 | cut -d: -f1)
srv_active=$(line 'server-01: active')
diag "events: server bootstrapping at line $srv_boot, done at $srv_done, active at $srv_active;" \
    "last agent SSH-ready at $last_agent_ssh, first agent join at $first_agent_join"
ok "every agent's SSH was ready before the server's bootstrap was done" \
    test "${last_agent_ssh:-999999}" -lt "${srv_done:-0}"
ok "agents joined only after the server was active" \
    test "${first_agent_join:-0}" -gt "${srv_active:-999999}"
is "$(nodes_in active)" $((agents + 1)) "every node is active"

# One SSH login took the server through wait-for-ssh, its (held) bootstrap
# and its join, whichever worker ran each step: a worker parks the session
# for the next (the node's sshd logs each login).
logins() { # NODE-NAME: "Accepted publickey" lines in that node's sshd log
    local d
    for d in "$LAB_STATE"/nodes/*/; do
        if [ "$(cat "$d/name" 2>/dev/null)" = "$1" ]; then
            grep -c 'Accepted publickey' "$d/sshd.log"
            return
        fi
    done
    echo "no node $1"
}
diag "SSH logins: server-01 $(logins server-01); agents $(for i in $(seq 1 "$agents"); do logins "$(printf 'agent-%02d' "$i")"; done | tr '\n' ' ')"
is "$(logins server-01)" 1 "the server's three SSH steps used one login"
done_testing
