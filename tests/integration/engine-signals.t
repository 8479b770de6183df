#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# SIGHUP: jobs finish headless, then drover exits. SIGTERM: jobs stop at a
# safe point, the state is saved, and the next run resumes. A second drover
# does not start a second engine.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --method-delay CloneVM_Task=1000,PowerOnVM_Task=1000
out=$W/apply.out

"$DROVER" apply -f "$CFG" >"$out" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "provisioning starts" wait_for 60 some_node_in cloning
nok "a second drover does not run a second engine" to "$out.2" "$DROVER" apply -f "$CFG"
ok "it names the running one" grep -q "another drover (pid $pid)" "$out.2"
kill -HUP "$pid"
ok "after SIGHUP drover carries on and exits by itself" wait_for 240 sh -c "! kill -0 $pid 2>/dev/null"
wait "$pid"
is "$?" 0 "its exit status says the cluster is active"
is "$(cluster_state)" active "the jobs completed headless"
[ "$(cluster_state)" = active ] || diag "$(status_json | jq -c '.nodes[] | [.name, .state, .step, .error]')"
ok "the log says it went headless" grep -q 'continuing headless' "$STATE/drover.log"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

"$DROVER" apply -f "$CFG" >"$out" 2>&1 &
pid=$!
bg_pids+=("$pid")
ok "provisioning starts again" wait_for 60 some_node_in powering-on
kill -TERM "$pid"
ok "SIGTERM stops drover" wait_for 60 sh -c "! kill -0 $pid 2>/dev/null"
wait "$pid"
is "$?" 143 "exit status 128+SIGTERM"
ok "the state was saved mid-way, not as errors" \
    test "$(nodes_in error)" = 0 -a "$(nodes_in active)" -lt 3
ok_out "the next apply resumes and finishes" "$out" "$DROVER" apply -f "$CFG"
is "$(nodes_in active)" 3 "3 nodes active"
is "$(owned_count)" 3 "one VM per node"
done_testing
