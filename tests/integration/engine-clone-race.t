#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A stop (SIGTERM), a crash (kill -9) or a delete while clone tasks run in
# vCenter: the lab's clones take time as vCenter's do (STATE/clone-time,
# clonetime.go) and run on after drover stops waiting. The next run waits
# for those tasks and takes their VMs: exactly one clone task and one VM
# per node, and nothing left that drover does not track; also when drover
# dies before vCenter's answer gave it the tasks' ids.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup
out=$W/apply.out
vlog=$LAB_STATE/vcsim.log
# Long enough that every stop below lands while the tasks run.
echo 15000 >"$LAB_STATE/clone-time"

started() { grep -c 'clone task .* running' "$vlog"; }
ended() { grep -c 'clone task .* ended' "$vlog"; }
at_least() { [ "$("$1")" -ge "$2" ]; }
# Clone intents in the journal that name their vCenter task.
journal_tasks() { grep -c 'task=' "$STATE/journal" 2>/dev/null; }
# Nodes whose log says they took the VM of a task an earlier run started.
took_earlier() {
    grep -l 'clone task .* of an earlier run finished' "$STATE"/logs/lab-cluster/*.log | wc -l
}

# SIGTERM while the three clone tasks run.
"$DROVER" apply -f "$CFG" >"$out.term" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "sigterm: three clone tasks run in vCenter" wait_for 120 at_least started 3
kill -TERM "$pid"
ok "sigterm: drover stops" wait_for 60 sh -c "! kill -0 $pid 2>/dev/null"
wait "$pid"
is "$?" 143 "sigterm: exit status 128+SIGTERM"
ok "sigterm: it stopped before the tasks ended" test "$(ended)" -lt 3
is "$(nodes_in error)" 0 "sigterm: no node in error"
ok "sigterm: the journal keeps the clone tasks" test "$(journal_tasks)" -ge 3
ok_out "sigterm: the next apply finishes" "$out" "$DROVER" apply -f "$CFG"
is "$(took_earlier)" 3 "sigterm: every node took its earlier task's VM"
is "$(nodes_in active)" 3 "sigterm: 3 nodes active"
is "$(started)" 3 "sigterm: one clone task per node, none cloned twice"
is "$(owned_count)" 3 "sigterm: one VM per node"
is "$(owned_names)" "agent-01 agent-02 server-01" "sigterm: no duplicate, no orphan"
ok_out "sigterm: delete" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "sigterm: nothing left"

# kill -9 once vCenter has handed out the tasks and the journal holds them.
base=$(started)
"$DROVER" apply -f "$CFG" >"$out.kill" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "kill -9: three clone tasks run" wait_for 120 at_least started $((base + 3))
ok "kill -9: the journal names them" wait_for 60 at_least journal_tasks 3
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
ok "kill -9: killed before the tasks ended" test "$(ended)" -lt $((base + 3))
ok_out "kill -9: a restart converges" "$out" "$DROVER" apply -f "$CFG"
is "$(nodes_in active)" 3 "kill -9: 3 nodes active"
is "$(took_earlier)" 3 "kill -9: every node took its earlier task's VM"
is "$(( $(started) - base ))" 3 "kill -9: one clone task per node, none cloned twice"
is "$(owned_count)" 3 "kill -9: one VM per node"
is "$(owned_names)" "agent-01 agent-02 server-01" "kill -9: no duplicate, no orphan"
ok_out "kill -9: delete" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "kill -9: nothing left"

# kill -9 while the CloneVM_Task requests are out: vCenter has started the
# tasks but drover never learnt their ids. The restart waits for the tasks
# running on the clone source, then finds the VMs by name and owner marker.
base=$(started)
echo 4000 >"$LAB_STATE/clone-time-answer-delay"
"$DROVER" apply -f "$CFG" >"$out.blind" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "blind: three clone tasks run" wait_for 120 at_least started $((base + 3))
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -f "$LAB_STATE/clone-time-answer-delay"
is "$(journal_tasks)" 0 "blind: killed before any task id reached the journal"
ok_out "blind: a restart converges" "$out" "$DROVER" apply -f "$CFG"
is "$(nodes_in active)" 3 "blind: 3 nodes active"
is "$(( $(started) - base ))" 3 "blind: one clone task per node, none cloned twice"
is "$(owned_count)" 3 "blind: one VM per node"
is "$(owned_names)" "agent-01 agent-02 server-01" "blind: no duplicate, no orphan"
ok_out "blind: delete" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "blind: nothing left"

# SIGTERM while the tasks run, then the cluster is deleted: the removal
# cancels the tasks (CancelTask) and no VM appears afterwards.
base=$(started)
base_end=$(ended)
"$DROVER" apply -f "$CFG" >"$out.del" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "delete: three clone tasks run" wait_for 120 at_least started $((base + 3))
kill -TERM "$pid"
ok "delete: drover stops" wait_for 60 sh -c "! kill -0 $pid 2>/dev/null"
wait "$pid"
ok_out "delete: the cluster is deleted" "$out" "$DROVER" delete cluster lab-cluster --yes
ok "delete: every clone task has ended" wait_for 60 at_least ended $((base_end + 3))
ok "delete: the removal cancelled them" grep -q 'cancel requested' "$vlog"
is "$(owned_count)" 0 "delete: no VM left behind"
done_testing
