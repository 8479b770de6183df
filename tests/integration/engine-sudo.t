#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# sudo before the recipe through the real engine (issue 10 §3, cases D):
# the login user "operator" on a node whose sudo wants a password (with
# the k3s recipe, as in the field), one with "Defaults requiretty", and one
# with passwordless sudo. The node's sudo is the lab's stand-in (node option
# sudo=, tests/lab/sshnode_modes.py); it logs each use to DIR/sudo.log.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"

node_dir() { local d; for d in "$LAB_STATE"/nodes/*/; do [ -f "$d/pid" ] && echo "${d%/}" && return; done; return 1; }
node_log() { cat "$STATE/logs/lab-cluster/server-01.log" 2>/dev/null; }
node_json() { "$DROVER" list nodes lab-cluster -o json | jq -c '.[] | select(.name == "server-01")'; }

# Its own sudo node options: the fast test recipe (lab.d/cluster.sh).
export LAB_CLUSTER_RECIPE=test
ENG_RETRIES=3 eng_setup
sed -i 's/^ssh_user = .*/ssh_user = "operator";/' "$W/config/drover/templates/lab.cfg"
spec=$(cluster_cfg 1 0)
out=$W/apply.out

# 1. sudo wants a password; the k3s recipe: fails at once, says the fix.
echo "sudo=password" >"$LAB_STATE/node-options"
sed -i "s|^recipe = .*|recipe = \"$top_srcdir/data/bootstrap/k3s.sh\";|" "$spec"
# Keep the failed VM (and so its node) to look at what sudo was asked.
sed -i '1i keep_failed_vms = true;' "$spec"
nok "apply fails when sudo needs a password" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
nd=$(node_dir)
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/bootstrapping "server-01 is in ERROR at bootstrapping"
ok "the reason names the user and the node" grep -qF 'user "operator" needs passwordless sudo on server-01' <<<"$err"
ok "and the sudoers line that fixes it" grep -qF '"operator ALL=(ALL) NOPASSWD:ALL"' <<<"$err"
ok "and what sudo said" grep -qF "a password is required" <<<"$err"
# The node log has the same words: the sudoers line is no secret, so it is
# not redacted (it read "NOPASSWD:[REDACTED]").
ok "the node log has the sudoers line as it is" \
    grep -qF '"operator ALL=(ALL) NOPASSWD:ALL"' <<<"$(node_log)"
nok "and nothing of it redacted" grep -qF 'NOPASSWD:[REDACTED]' <<<"$(node_log)"
is "$(jq -r .attempts <<<"$j")" 1 "not retried (retries = 3)"
is "$(grep -c . "$nd/sudo.log")" 1 "sudo was asked once, by the probe"
ok "the probe was sudo -n true" grep -q "n=1 true$" "$nd/sudo.log"
nok "the recipe never ran" test -e "$nd/home/operator/.drover/bootstrap.sh"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
sed -i '/^keep_failed_vms/d' "$spec"

# A recipe that uses sudo -n like the k3s recipe, then does the test
# recipe's work.
recipe=$W/recipe-sudo.sh
{
    echo '#!/bin/sh'
    echo 'sudo -n mkdir -p "$HOME/made-with-sudo" || exit 9'
    cat "$RECIPE"
} >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$spec"

# 2. Defaults requiretty: the recipe gets a pseudo-terminal and goes on.
echo "sudo=requiretty" >"$LAB_STATE/node-options"
ok_out "apply succeeds when sudo requires a tty" "$out" "$DROVER" apply -f "$spec"
nd=$(node_dir)
is "$(node_json | jq -r .state)" active "server-01 is ACTIVE"
ok "the recipe's sudo ran" test -d "$nd/home/operator/made-with-sudo"
ok "on a terminal" grep -q "tty=yes n=1 mkdir" "$nd/sudo.log"
ok "the probe first met requiretty without one" grep -q "tty=no n=1 true" "$nd/sudo.log"
ok "the node log says why" grep -q "sudo requires a tty here" <<<"$(node_log)"
ok "the recipe's progress lines still parsed on the terminal" \
    grep -q "drover-progress: 100" <<<"$(node_log)"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 3. Passwordless sudo: no terminal needed, none asked for.
echo "sudo=nopasswd" >"$LAB_STATE/node-options"
ok_out "apply succeeds with passwordless sudo" "$out" "$DROVER" apply -f "$spec"
nd=$(node_dir)
is "$(node_json | jq -r .state)" active "server-01 is ACTIVE"
ok "the recipe's sudo ran" test -d "$nd/home/operator/made-with-sudo"
ok "without a terminal" grep -q "tty=no n=1 mkdir" "$nd/sudo.log"
nok "no terminal was asked for" grep -q "tty=yes" "$nd/sudo.log"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 4. sudoers lets the user run other commands only: refused at once too.
echo "sudo=denied" >"$LAB_STATE/node-options"
nok "apply fails when sudo refuses the user" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/bootstrapping "server-01 is in ERROR at bootstrapping"
ok "the reason names the user and the node" grep -qF 'user "operator" may not use sudo on server-01' <<<"$err"
ok "and the sudoers line" grep -qF '"operator ALL=(ALL) NOPASSWD:ALL"' <<<"$err"
is "$(jq -r .attempts <<<"$j")" 1 "not retried"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
rm -f "$LAB_STATE/node-options"
done_testing
