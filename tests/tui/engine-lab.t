#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The console watching a real provisioning run: `drover apply` runs the
# engine in the background against the lab; a second drover in tmux (an
# observer, since the first holds the lock) shows the nodes moving through
# their states, the progress bar, and the node's log pane.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
command -v tmux >/dev/null || skip_all "tmux is not installed"

eng_setup --method-delay CloneVM_Task=700,ReconfigVM_Task=700,PowerOnVM_Task=700
recipe=$W/recipe.sh
{ echo '#!/bin/sh'; echo 'sleep 3'; cat "$RECIPE"; } >"$recipe"
sed -i "s|^recipe = .*|recipe = \"$recipe\";|" "$CFG"

sock=$W/tmux.sock
tmux_kill() { tmux -S "$sock" kill-server >/dev/null 2>&1; }
tui_cleanup() { tmux_kill; eng_cleanup; }
trap tui_cleanup EXIT
screen() { tmux -S "$sock" capture-pane -p 2>/dev/null; }
keys() { tmux -S "$sock" send-keys "$@"; }
# seen REGEX: true once a line of the screen matches.
seen() { screen | grep -qE -- "$1"; }
node_line() { screen | grep -E -- "^ *$1 " | head -1; }

"$DROVER" apply -f "$CFG" >"$W/apply.out" 2>&1 &
apply=$!
bg_pids+=("$apply")
ok "the engine starts provisioning" wait_for 60 some_node_in cloning

cmd=$(printf '%q ' env LANG=C.UTF-8 TERM=xterm-256color "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
    "XDG_STATE_HOME=$XDG_STATE_HOME" "DROVER_THEMES_DIR=$top_srcdir/themes" "$DROVER")
LANG=C.UTF-8 tmux -u -f /dev/null -S "$sock" new-session -d -x 150 -y 40 \
    "$cmd; echo DROVER-EXIT:\$?; sleep 3600"
tmux -S "$sock" set-option -g status off >/dev/null
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
keys Escape
tmux -S "$sock" send-keys -l ':q'
keys Enter
ok "the console quits cleanly" wait_for 10 seen "DROVER-EXIT:0"
done_testing
