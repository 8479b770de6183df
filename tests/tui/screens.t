#!/bin/bash
# Every screen is reachable from its key and from a `:` command; drill-down
# goes cluster -> node -> back, with a breadcrumb.
. "$top_srcdir/tests/tui/lib.sh"

tui_start
check "the console starts on the clusters screen" wait_for "prod"
check "clusters show distribution and state" wait_match "prod +k3s v1.30.4\+k3s1 +Degraded +4/6"
check "the header names the vCenter and user" wait_for "vCenter: lab  user: operator@vsphere.local"

tui_keys 2
check "key 2 shows the templates" wait_match "ubuntu-worker +lab +DC0 +ubuntu-22.04-template +4 +8 Gi +60 Gi"
tui_keys 3
check "key 3 shows every node" wait_for "stg-02"
check "nodes show state, step and progress" wait_match "worker-03 +prod +worker +worker +Error +Waiting for IP .* 40%"
tui_keys 4
check "key 4 shows jobs and events, empty" wait_for "No jobs: no drover is running the engine (nodes in progress are stalled)."
check "the events pane is there too" wait_for "── Events"
tui_keys '?'
check "? shows the help" wait_for "Keys on the jobs screen"
tui_keys q
check "q leaves the help" wait_for "No jobs: no drover"
tui_keys 1
check "key 1 goes back to the clusters" wait_match "staging +rke2"

for cmd in templates:ubuntu-server nodes:server-03 jobs:"No jobs" events:"── Events" clusters:"edge " help:"Keys on the"; do
    tui_keys ':'
    tui_type "${cmd%%:*}"
    tui_keys Enter
    check ":${cmd%%:*} shows its screen" wait_for "${cmd#*:}"
    [ "${cmd%%:*}" = help ] && tui_keys Escape
done

# Completion: ":jo<Tab>" becomes ":jobs ", ":te<Tab>" stops at ":template".
tui_keys ':'
tui_type 'te'
tui_keys Tab
check "Tab completes the common part of a command" wait_match "^:template *$"
tui_keys C-u
tui_type 'jo'
tui_keys Tab
check "Tab completes a command" wait_match "^:jobs *$"
tui_keys Enter
check "the completed command runs" wait_for "No jobs: no drover"

# Drill down: clusters -> prod -> worker-03 -> back -> back.
tui_keys 1
wait_for "prod"
tui_keys j
tui_keys Enter
check "Enter opens the cluster with its pools" wait_match "server +3 x ubuntu-server \(etcd,control-plane\)"
check "the cluster lists its own nodes only" wait_for "worker-03"
check "a breadcrumb names the cluster" wait_match "Help .*› prod"
check "other clusters' nodes are not listed" eventually node_rows_are 6
tui_keys G Enter
check "Enter on a node opens its detail" wait_for "no guest IP after 900 s"
check "the node detail has a log pane" wait_for "── Log"
check "the breadcrumb grows" wait_match "› prod › worker-03"
tui_keys Escape
check "Esc goes back to the cluster" wait_match "server +3 x ubuntu-server"
tui_keys q
check "q goes back to the clusters" wait_match "staging +rke2"
check "and the breadcrumb is gone" wait_gone "› prod"

# Templates drill down.
tui_keys 2
wait_for "photon-large"
tui_keys Enter
check "a template's detail shows every field" wait_match "Host +esx-07.lab"
tui_keys Escape
check "and back" wait_match "ubuntu-server +lab"

# ":node NAME" and ":cluster NAME" jump straight in.
tui_keys ':'
tui_type 'cluster staging'
tui_keys Enter
check ":cluster NAME opens that cluster" wait_match "all +2 x photon-large"
tui_keys ':'
tui_type 'node prod/server-02'
tui_keys Enter
check ":node CLUSTER/NAME opens that node" wait_for "vm-102"

tui_quit
tui_done
