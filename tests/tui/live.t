#!/bin/bash
# Live updates through the engine: a read-only drover's engine watches the
# state files; a node's change arrives as an event on the wake pipe and the
# screens follow without a key being pressed.
. "$top_srcdir/tests/tui/lib.sh"

tui_start -- --read-only
wait_for "staging"
tui_keys 3
check "worker-02 starts at 72%" wait_match "worker-02 .* 72% [^ ]+ +127.0.0.22"
sed -i '/name = "worker-02"/,/updated/ s/percent = 72;/percent = 85;/' "$TUI_STATE/clusters/prod.state"
check "the state file really changed" grep -q "percent = 85;" "$TUI_STATE/clusters/prod.state"
check "the nodes screen shows 85% without a key" wait_match "worker-02 .* 85% [^ ]+ +127.0.0.22" 15
sed -i '/name = "worker-02"/,/updated/ { s/state = "bootstrapping";/state = "active";/; s/percent = 85;/percent = 100;/ }' \
    "$TUI_STATE/clusters/prod.state"
check "a node turning active shows up" wait_match "worker-02 .* Active .* 100% [^ ]+ +127.0.0.22" 15
tui_keys 4
check "the change is listed among the events" wait_match "node-state +prod/worker-02" 15
tui_keys 1
check "the cluster's ready count follows" wait_match "prod +k3s v1.30.4\+k3s1 +Degraded +5/6" 15
tui_quit
tui_done
