#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Faults: a vCenter method slower than the step's timeout, a recipe that
# fails on one node (and succeeds on retry once fixed), an SSH node that
# never comes up.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"

# 1. ReconfigVM_Task takes 4 s; CONFIGURING may take 2 s; one retry.
ENG_TIMEOUT_CONFIGURING=2 eng_setup --method-delay ReconfigVM_Task=4000
out=$W/apply.out
nok "apply fails when reconfigure outlasts its timeout" to "$out" "$DROVER" apply -f "$CFG"
is "$(cluster_state)" error "the cluster is in error"
j=$(status_json)
is "$(jq -r '[.nodes[] | select(.state == "error" and .step == "configuring")] | length' <<<"$j")" 3 \
    "every node is in ERROR at configuring"
err=$(jq -r '.nodes[0].error' <<<"$j")
diag "reason: $err"
ok "the reason says the step timed out" grep -qi 'configuring.*tim' <<<"$err"
ok "the first attempt was retried" grep -q 'attempt 1 failed' "$out"
ok "apply's summary names the failed step" grep -q 'configuring, 2 attempts' "$out"
ok "delete cleans up after the failure" to "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left behind"

# 2. The recipe fails on agent-02 only; fixed, a second apply retries it.
eng_setup
recipe=$W/recipe.sh
{
    echo '#!/bin/sh'
    echo '. "$1"'
    echo 'if [ "$DROVER_NODE_NAME" = agent-02 ]; then echo "injected recipe failure" >&2; exit 7; fi'
    cat "$RECIPE"
} >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"
nok "apply fails when the recipe fails on one node" to "$out" "$DROVER" apply -f "$CFG"
j=$(status_json)
is "$(jq -r '.nodes[] | select(.name == "agent-02") | .state + "/" + .step' <<<"$j")" \
    "error/bootstrapping" "agent-02 is in ERROR at bootstrapping"
ok "its reason carries the recipe's exit code" \
    grep -q 'exit\|status 7\|code 7' <<<"$(jq -r '.nodes[] | select(.name == "agent-02") | .error' <<<"$j")"
is "$(jq -r '[.nodes[] | select(.state == "active")] | length' <<<"$j")" 2 "the others are active"
is "$(cluster_state)" degraded "the cluster is degraded"
ok "the node log has the recipe's output" grep -q 'injected recipe failure' "$STATE/logs/lab-cluster/agent-02.log"
cp "$RECIPE" "$recipe"
ok_out "after the fix, apply retries and succeeds" "$out" "$DROVER" apply -f "$CFG"
is "$(nodes_in active)" 3 "all 3 nodes active"
is "$(owned_count)" 3 "still one VM per node (the failed node's VM was destroyed, the retry cloned one)"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 3. agent-01's SSH node never comes up: the VM gets an address where
#    nothing listens.
fake=$(lab_new_state)/sshnode-dead
lab_states+=("$(dirname "$fake")")
cat >"$fake" <<EOS
#!/bin/bash
name= prev=
for a in "\$@"; do [ "\$prev" = --name ] && name=\$a; prev=\$a; done
if [ "\$1" = up ] && [ "\$name" = agent-01 ]; then
    echo 127.$((RANDOM % 200 + 20)).$((RANDOM % 250)).$((RANDOM % 250 + 1))
    exit 0
fi
[ "\$name" = agent-01 ] && exit 0
exec "$SSHNODE" "\$@"
EOS
chmod 755 "$fake"
ENG_RETRIES=0 ENG_TIMEOUT_SSH=4 eng_setup --sshnode "$fake"
nok "apply fails when a node's SSH never answers" to "$out" "$DROVER" apply -f "$CFG"
j=$(status_json)
is "$(jq -r '.nodes[] | select(.name == "agent-01") | .state + "/" + .step' <<<"$j")" \
    "error/waiting-for-ssh" "agent-01 is in ERROR at waiting-for-ssh"
err=$(jq -r '.nodes[] | select(.name == "agent-01") | .error' <<<"$j")
diag "reason: $err"
ok "the reason names the node's address" grep -qF "$(jq -r '.nodes[] | select(.name == "agent-01") | .ip' <<<"$j")" <<<"$err"
is "$(jq -r '[.nodes[] | select(.state == "active")] | length' <<<"$j")" 2 "server-01 and agent-02 are active"
done_testing
