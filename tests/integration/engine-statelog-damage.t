#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A damaged record in the middle of clusters/<name>.state.log (tester
# report 3, item 2): kill -9 an apply, change a node's name in a middle
# record's body (its CRC no longer matches), and look from the outside:
# `drover status` still has every later record (nodes the damaged record
# did not carry keep their state) and names the log's line of the damaged
# record; `drover validate` names it; the next run logs it in drover.log
# and its snapshot replaces the log, so the warning is not repeated.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --method-delay CloneVM_Task=800,ReconfigVM_Task=800,PowerOnVM_Task=1000
recipe=$W/recipe.sh
{ echo '#!/bin/sh'; echo 'sleep 3'; cat "$RECIPE"; } >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"
out=$W/apply.out
log=$STATE/clusters/lab-cluster.state.log

"$DROVER" apply -f "$CFG" >"$out" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "some node reaches bootstrapping" wait_for 120 some_node_in bootstrapping
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
ok "the state log is there after kill -9" test -s "$log"
cp "$log" "$W/log.before"

# The records' header lines; damage one in the middle (not the last).
mapfile -t heads < <(grep -n '^@[0-9]* [0-9]* [0-9a-f]*$' "$log" | cut -d: -f1)
n=${#heads[@]}
ok "the log has at least 4 records ($n)" test "$n" -ge 4
# A record in the middle that does not carry every node (under load one
# save may carry all three: then no node would show that later records
# were applied): the first such from the middle on, else the middle one.
carries() { # K: the nodes record K carries
    local from=${heads[$(($1 - 1))]} to=$((${heads[$1]} - 1))
    sed -n "$((from + 1)),${to}p" "$log" | grep -o 'name = "[^"]*"' | cut -d'"' -f2 | sort -u
}
k=$((n / 2))
for ((i = n / 2; i < n; i++)); do
    [ "$(carries "$i" | wc -l)" -lt 3 ] && { k=$i; break; }
done
from=${heads[$((k - 1))]} to=$((${heads[$k]} - 1))
carried=$(carries "$k")
nameline=$(awk -v a="$from" -v b="$to" 'NR > a && NR <= b && /name = "/ { print NR; exit }' "$log")
ok "the record at line $from names a node (${carried//$'\n'/ })" test -n "$nameline"
status_json >"$W/status.before" 2>/dev/null
sed -i "${nameline}s/name = \"\(.\)/name = \"X/" "$log"
ok "the record's body changed" sh -c "! cmp -s '$log' '$W/log.before'"

to "$W/status.err" sh -c "\"$DROVER\" status lab-cluster -o json >'$W/status.after'"
want="clusters/lab-cluster.state.log:$from: a damaged record (its checksum does not match) was skipped: nodes it changed may show an earlier step"
ok "status says which record was skipped, by its line" grep -qF "drover: $want" "$W/status.err"
diag "$(cat "$W/status.err")"
is "$(jq '.nodes | length' "$W/status.after")" "$(jq '.nodes | length' "$W/status.before")" "status still lists every node"
# Every node the damaged record did not carry is where it was: the records
# after it were applied.
same=0 differ=""
for node in $(jq -r '.nodes[].name' "$W/status.before"); do
    grep -qx "$node" <<<"$carried" && continue
    b=$(jq -c --arg n "$node" '.nodes[] | select(.name == $n) | [.state, .ip]' "$W/status.before")
    a=$(jq -c --arg n "$node" '.nodes[] | select(.name == $n) | [.state, .ip]' "$W/status.after")
    if [ "$a" = "$b" ]; then same=$((same + 1)); else differ="$differ $node:$b->$a"; fi
done
is "$differ" "" "nodes the damaged record did not carry keep their state and address"
ok "some node was checked that way ($same)" test "$same" -ge 1

to "$W/validate.out" "$DROVER" validate
ok "validate names the damaged record" grep -qF "$want" "$W/validate.out"
nok "validate does not say OK" grep -q '^OK' "$W/validate.out"

ok_out "a restart converges" "$out" "$DROVER" apply -f "$CFG"
is "$(nodes_in active)" 3 "3 nodes active"
is "$(owned_count)" 3 "one VM per node"
ok "drover.log has the damaged record" grep -qF "$want" "$STATE/drover.log"
to "$W/status.clean" "$DROVER" status lab-cluster
nok "status no longer warns: the snapshot replaced the damaged log" grep -q 'damaged' "$W/status.clean"
ok "the log is gone" test ! -e "$log"
to "$W/validate.clean" "$DROVER" validate
ok "validate is clean again" grep -q '^OK' "$W/validate.clean"
ok_out "delete" "$out" "$DROVER" delete cluster lab-cluster --yes
done_testing
