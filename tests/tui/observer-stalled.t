#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A read-only console watching another drover's apply (tester report 3,
# item 5): when that drover is killed (kill -9) mid-clone, the console
# notices within its few-second look at the state folder's lock: the status
# line and the cluster's screen say no drover runs the cluster's work (and
# when it stopped), and the nodes' progress column says "stalled" instead
# of a live bar. A new `drover apply` runs the work again: the marks go.
. "${top_srcdir:?}/tests/tui/englib.sh"

eng_setup --method-delay CloneVM_Task=6000,ReconfigVM_Task=500,PowerOnVM_Task=500
recipe=$W/recipe.sh
{ echo '#!/bin/sh'; cat "$RECIPE"; } >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"

"$DROVER" apply -f "$CFG" >"$W/apply.out" 2>&1 &
apply=$!
bg_pids+=("$apply")
ok "the engine starts cloning" wait_for 60 some_node_in cloning

console_start 200 45 --read-only
ok "the read-only console comes up" wait_for 20 seen "READ-ONLY"
keys 3
ok "it shows a node cloning, live" wait_for 20 seen "^ *[a-z]+-0[0-9] .*Cloning"
ok "while the drover runs, nothing is marked stalled" sh -c "! tmux -S '$sock' capture-pane -p | grep -q stalled"

kill -KILL "$apply"
wait "$apply" 2>/dev/null
killed_at=$(date +%s)
ok "the console says the cluster's work has no drover" \
    wait_for 30 seen "lab-cluster: no drover is running this cluster's work \(the one that was stopped at [0-9]{2}:[0-9]{2}:[0-9]{2}\); nodes in progress are stalled until \`drover apply\` or a console runs it again"
seen_at=$(date +%s)
at=$(screen | grep -oE 'stopped at [0-9:]{8}' | head -1 | cut -d' ' -f3)
at_s=$(date -d "$at" +%s)
diag "killed at $(date -d "@$killed_at" +%T), the console says $at"
ok "the time it names lies between the kill and the notice" \
    test "$at_s" -ge $((killed_at - 1)) -a "$at_s" -le "$seen_at"
ok "the nodes in progress are marked stalled in the progress column" \
    wait_for 10 seen "^ *[a-z]+-0[0-9] .*Cloning .* [0-9]+% stalled"
nok "no node shows a live progress bar any more" sh -c "tmux -S '$sock' capture-pane -p | grep -E '^ *[a-z]+-0[0-9] .*Cloning' | grep -q '█'"
keys 4
ok "the jobs screen says no drover runs the engine, not that it has nothing to do" \
    wait_for 10 seen "No jobs: no drover is running the engine \(nodes in progress are stalled\)\."
keys 1
ok "the clusters list marks the cluster stalled" wait_for 10 seen "lab-cluster .* Stalled "
seen "lab-cluster .* Stalled " || diag "$(screen)"
keys Enter
ok "the cluster's screen has the notice" wait_for 10 seen "Notice .*no drover is running this cluster's work"

# Someone runs apply again: the console sees a drover at work and the marks go.
"$DROVER" apply -f "$CFG" >"$W/apply2.out" 2>&1 &
apply=$!
bg_pids+=("$apply")
ok "with a drover running again, nothing is marked stalled" \
    wait_for 60 sh -c "! tmux -S '$sock' capture-pane -p | grep -qE 'stalled|Notice'"
wait "$apply"
is "$?" 0 "that apply ends with the cluster active"
is "$(nodes_in active)" 3 "3 nodes active"
console_quit
done_testing
