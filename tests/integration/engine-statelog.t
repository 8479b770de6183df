#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The state log (issue 15): while drover provisions, each node step is
# appended to clusters/<name>.state.log, not written into the snapshot
# clusters/<name>.state; `drover status` (another process) reads both.
# kill -9 mid-run: the next load has every step drover had finished (a
# node's state on disk is at least the one before the last it printed: a
# step's event comes before its save, the next step's after it). A restart
# converges; its clean exit takes the log into the snapshot.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --method-delay CloneVM_Task=1000,ReconfigVM_Task=1000,PowerOnVM_Task=1500
recipe=$W/recipe.sh
{ echo '#!/bin/sh'; echo 'sleep 3'; cat "$RECIPE"; } >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"
out=$W/apply.out
snap=$STATE/clusters/lab-cluster.state
log=$STATE/clusters/lab-cluster.state.log

"$DROVER" apply -f "$CFG" >"$out" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "provisioning reaches powering-on (drover status, from another process)" \
    wait_for 120 some_node_in powering-on
ok "the steps are in the state log" test -s "$log"
is "$(stat -c %a "$log")" 600 "the log is owner-only, as the snapshot"
ok "the snapshot was not rewritten for them" sh -c "! grep -q powering-on '$snap'"
# Let a few more steps happen, then kill it in the middle of the run.
ok "some node reaches bootstrapping" wait_for 120 some_node_in bootstrapping
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
cp "$out" "$W/apply.killed"

# Each node: its state after the kill, and what drover printed for it.
order="pending cloning configuring powering-on waiting-for-ip waiting-for-ssh bootstrapping joining active"
idx() { local i=0 s; for s in $order; do [ "$s" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
status_json >"$W/status.killed"
checked=0 bad=""
for n in $(jq -r '.nodes[].name' "$W/status.killed"); do
    # (a node in error counts at the step that failed)
    disk=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | if .state == "error" then .step else .state end' \
        "$W/status.killed")
    mapfile -t printed < <(awk -v n="$n:" '$1 == n && NF == 2 { print $2 }' "$W/apply.killed")
    [ "${#printed[@]}" -ge 2 ] || continue
    floor=${printed[$((${#printed[@]} - 2))]}
    checked=$((checked + 1))
    [ "$(idx "$disk")" -ge "$(idx "$floor")" ] || bad="$bad $n:$disk<$floor"
done
ok "nodes with two or more steps printed: $checked" test "$checked" -ge 1
is "$bad" "" "after kill -9 every node is at least at the step before its last printed one"
ok "some node is past cloning on disk" test "$(jq '[.nodes[] | select(.state != "pending" and .state != "cloning")] | length' "$W/status.killed")" -ge 1

ok_out "a restart converges" "$out" "$DROVER" apply -f "$CFG"
is "$(nodes_in active)" 3 "3 nodes active"
is "$(owned_count)" 3 "one VM per node"
# known_hosts (rewritten as each node got its address, its keys read once
# per node and fingerprint) pins each node's address to its own host key.
keys=$STATE/keys/lab-cluster
is "$(wc -l <"$keys/known_hosts")" 3 "known_hosts lists the 3 nodes"
for n in server-01 agent-01 agent-02; do
    ip=$(status_json | jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .ip')
    want=$(awk '{print $2}' "$keys/${n}_host_ed25519.pub")
    is "$(awk -v ip="$ip" '$1 == ip || index($1, "[" ip "]:") == 1 { print $3 }' "$keys/known_hosts")" "$want" \
        "known_hosts pins $n's address to its host key"
done
ok "its clean exit took the log into the snapshot" test ! -e "$log"
is "$(grep -c 'state = "active"' "$snap")" 3 "the snapshot has the 3 active nodes"
ok_out "delete" "$out" "$DROVER" delete cluster lab-cluster --yes
ok "no snapshot left" test ! -e "$snap"
ok "no log left" test ! -e "$log"
done_testing
