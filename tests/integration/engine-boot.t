#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The SSH boot window through the real engine (issue 10 §2, cases D): a
# node whose sshd answers with a stale host key and no login key until
# "cloud-init" installs drover's (the node option boot=, see
# tests/lab/sshnode_modes.py); one that never does; one whose key changes
# after drover reached it; and an sshd that offers only ssh-rsa.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
command -v ssh-keygen >/dev/null && command -v ssh-keyscan >/dev/null || skip_all "ssh-keygen or ssh-keyscan is not installed"

node_dir() { local d; for d in "$LAB_STATE"/nodes/*/; do [ -f "$d/pid" ] && echo "${d%/}" && return; done; return 1; }
node_log() { cat "$STATE/logs/lab-cluster/server-01.log" 2>/dev/null; }
log_has() { node_log | grep -q -- "$1"; }
node_json() { "$DROVER" list nodes lab-cluster -o json | jq -c '.[] | select(.name == "server-01")'; }
fp() { ssh-keygen -lf "$1" | cut -d' ' -f2; }
# apply_bg SPEC OUT: drover apply in the background; $apply_pid
apply_bg() { "$DROVER" apply -f "$1" >"$2" 2>&1 & apply_pid=$!; bg_pids+=("$apply_pid"); }

# 1. sshd answers with a stale key first: retried, then ACTIVE.
# Its own boot node options: the fast test recipe (lab.d/cluster.sh).
export LAB_CLUSTER_RECIPE=test
ENG_TIMEOUT_SSH=120 eng_setup
spec=$(cluster_cfg 1 0)
# A node that failed for good keeps its VM (and its node folder) to look at.
sed -i '1i keep_failed_vms = true;' "$spec"
echo "boot=stale-key" >"$LAB_STATE/node-options"
out=$W/race.out
apply_bg "$spec" "$out"
ok "drover retries while the node shows a stale host key" wait_for 90 log_has "not up yet, retrying: .*host key mismatch"
nd=$(node_dir)
stale=$(fp "$nd/stale_host_key.pub")
pinned=$(fp "$nd/ssh_host_ed25519_key.pub")
ok "the retry names the key offered ($stale)" log_has "presented $stale"
touch "$nd/boot-done"   # "cloud-init" installs drover's host key and login key
wait "$apply_pid"
is "$?" 0 "apply succeeds once the injected key is in place"
is "$(node_json | jq -r .state)" active "server-01 is ACTIVE"
ok "the pinned key ($pinned) is what drover recorded" grep -qF "$pinned" <<<"$(node_json | jq -r .host_key_fingerprint)"
nok "the stale key was never stored" grep -rqF "$(cut -d' ' -f2 "$nd/stale_host_key.pub")" "$STATE"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 2. The right host key, but the login key is refused until cloud-init ran.
echo "boot=no-login" >"$LAB_STATE/node-options"
apply_bg "$spec" "$out"
ok "a refused login key while booting is retried" wait_for 90 log_has "not up yet, retrying: .*refused the cluster key"
touch "$(node_dir)/boot-done"
wait "$apply_pid"
is "$?" 0 "apply succeeds once the authorized key is in place"
is "$(node_json | jq -r .state)" active "server-01 is ACTIVE"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 3. The node never presents the injected key: the step's timeout, both
#    fingerprints named, not retried (ENG_RETRIES=2).
rm -f "$LAB_STATE/node-options"
ENG_RETRIES=2 ENG_TIMEOUT_SSH=8 eng_settings
echo "boot=stale-key" >"$LAB_STATE/node-options"
nok "apply fails when the node never shows its pinned key" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
nd=$(node_dir)
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/waiting-for-ssh "server-01 is in ERROR at waiting-for-ssh"
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
ok "the reason names the offered key" grep -qF "$(fp "$nd/stale_host_key.pub")" <<<"$err"
ok "and the pinned one" grep -qF "$(fp "$nd/ssh_host_ed25519_key.pub")" <<<"$err"
is "$(jq -r .attempts <<<"$j")" 1 "a permanent failure: not retried after the window"
ok "it says what to check" grep -q "cloud-init" <<<"$err"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 4. Reached with its pinned key, then the key changes: an alarm at once.
#    The recipe's first attempt waits for the test and fails, so that the
#    retry connects again; by then the node has another key.
rm -f "$LAB_STATE/node-options"
ENG_RETRIES=3 ENG_TIMEOUT_SSH=60 eng_settings
echo "rekey=on-file" >"$LAB_STATE/node-options"
recipe=$W/recipe-once.sh
{
    echo '#!/bin/sh'
    echo 'if [ ! -e "$HOME/attempt1" ]; then : >"$HOME/attempt1"; i=0'
    echo '  while [ ! -e "$HOME/go" ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done'
    echo '  echo "first attempt fails on purpose" >&2; exit 3; fi'
    cat "$RECIPE"
} >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$spec"
apply_bg "$spec" "$out"
home_file() { ls "$LAB_STATE"/nodes/*/home/*/"$1" >/dev/null 2>&1; }
ok "the recipe's first attempt runs (drover reached the node)" wait_for 90 home_file attempt1
nd=$(node_dir)
touch "$nd/rekey"
addr=$(cat "$nd/addr")
new_key() { ssh-keyscan -t ed25519 -p "$(cat "$nd/port")" "$addr" 2>/dev/null | grep -qF "$(cut -d' ' -f2 "$nd/rekeyed_host_key.pub")"; }
ok "the node now presents another key" wait_for 30 new_key
touch "$(dirname "$(ls "$LAB_STATE"/nodes/*/home/*/attempt1)")/go"
wait "$apply_pid"
is "$?" 1 "apply fails"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
# The first new connection sees the new key: the recipe's retry, or joining
# when the retry ran on the worker that still holds the node's first session.
ok "server-01 is in ERROR at bootstrapping or joining" \
    grep -qxE "error/(bootstrapping|joining)" <<<"$(jq -r '.state + "/" + .step' <<<"$j")"
ok "the reason is a changed host key" grep -q "HOST KEY CHANGED" <<<"$err"
ok "naming the new key" grep -qF "$(fp "$nd/rekeyed_host_key.pub")" <<<"$err"
ok "and the pinned one" grep -qF "$(fp "$nd/ssh_host_ed25519_key.pub")" <<<"$err"
nok "the changed key was not retried" grep -q "attempt [0-9]* failed: .*HOST KEY CHANGED" <<<"$(node_log)"
ok "the recipe's own failure was" grep -q "attempt 1 failed: .*status 3" <<<"$(node_log)"
nok "no boot-window retry after the first contact" grep -q "not up yet" <<<"$(node_log | sed -n '/bootstrapping/,$p')"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1

# 5. An sshd that offers only ssh-rsa: refused at once, naming both sides.
sed -i "s|^recipe = .*|recipe = \"$RECIPE\";|" "$spec"
echo "hostkey=rsa" >"$LAB_STATE/node-options"
nok "apply fails against an RSA-only sshd" to "$out" "$DROVER" apply -f "$spec"
j=$(node_json)
err=$(jq -r .last_error <<<"$j")
diag "reason: $err"
is "$(jq -r '.state + "/" + .step' <<<"$j")" error/waiting-for-ssh "server-01 is in ERROR at waiting-for-ssh"
ok "the reason: no common host-key algorithm" grep -q "no common host-key algorithm" <<<"$err"
ok "drover's side: ssh-ed25519" grep -q "drover offers only ssh-ed25519" <<<"$err"
ok "the server's side: ssh-rsa" grep -q "the server offers ssh-rsa" <<<"$err"
is "$(jq -r .attempts <<<"$j")" 1 "not retried"
nok "the connection was not retried until the timeout" grep -q "no SSH connection within" <<<"$err"
"$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1
rm -f "$LAB_STATE/node-options"
done_testing
