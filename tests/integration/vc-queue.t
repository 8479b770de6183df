#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# vCenter's provisioning queue (issue 15, point 4). The lab's simulator
# queues clones as vCenter does (STATE/prov-queue, provqueue.go: 16 units a
# host, a full clone 4; 128 a datastore, a full clone 16) and logs each
# clone task as it arrives with what the client has in flight on its host
# and datastore. Seven full clones of a template pinned to one host of the
# lab's cluster, all on that host and the one datastore:
#  - drover allowed 8 at once (more than vCenter runs): the simulator
#    queues some and never runs more than 4 on the host, and drover still
#    brings every node up through the queued tasks;
#  - drover at max_clones_per_host = 2: the simulator's record never shows
#    more than 2 in flight on the host, nothing queues in vCenter, and other
#    nodes power on while later clones still wait for their slot;
#  - max_clones_per_datastore = 1: never more than 1 on the datastore;
#  - a template pinned to another host: its clones charge and land there;
#  - a template naming only the cluster (DRS places): held by the datastore
#    alone, spread over the hosts, nothing queued;
#  - a host of 4 units runs several linked clones (1 unit) at once but one
#    full clone (4) at a time.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup --log-methods --prov-queue on --clone-time 1500
vlog=$LAB_STATE/vcsim.log
read -r -a hosts <<<"$(. "$LAB_STATE/env"; echo "$LAB_HOSTS")"
tmpl=$XDG_CONFIG_HOME/drover/templates/lab.cfg
cp "$tmpl" "$W/lab.cfg.cluster"
pin() {  # pin HOST: the template's clones run on HOST of its cluster
    sed "s/^cluster = .*/&\nhost = \"$1\";/" "$W/lab.cfg.cluster" >"$tmpl"
}
pin "${hosts[0]}"
is "$(cat "$LAB_STATE/prov-queue") $(cat "$LAB_STATE/clone-time")" "on 1500" \
    "lab up --prov-queue on --clone-time 1500 switched the queue on"
spec=$(cluster_cfg 1 6)

# settings K=V...: drover.cfg with these on top of engine-lib's.
settings() {
    eng_settings
    local kv
    for kv in "$@"; do
        sed -i "/^${kv%% *} = /d" "$XDG_CONFIG_HOME/drover/drover.cfg"
        echo "$kv;" >>"$XDG_CONFIG_HOME/drover/drover.cfg"
    done
    "$DROVER" validate >"$W/validate.out" 2>&1 ||
        { diag "$(cat "$W/validate.out")"; echo "Bail out! drover.cfg does not validate"; exit 1; }
}
# The simulator's record since line $1 of its log.
since() { tail -n "+$1" "$vlog"; }
# The most clone tasks in flight on the host (datastore) drover had, from
# the simulator's "submitted" lines since line $1.
max_host_inflight() {
    since "$1" | sed -n 's/.*provqueue: .* submitted .*: host [^ ]* in flight \([0-9]*\),.*/\1/p' |
        sort -n | tail -1
}
max_ds_inflight() {
    since "$1" | sed -n 's/.*provqueue: .* submitted .*, datastore [^ ]* in flight \([0-9]*\)$/\1/p' |
        sort -n | tail -1
}
max_host_running() {
    since "$1" | sed -n 's/.*provqueue: .* started .*: host [^ ]* running \([0-9]*\) .*/\1/p' |
        sort -n | tail -1
}
queued() { since "$1" | grep -c 'provqueue: .* queued'; }
submitted() { since "$1" | grep -c 'provqueue: .* submitted'; }
lines() { wc -l <"$vlog"; }
run() {  # run NAME: apply, all active, delete
    ok_out "$1: drover apply brings 7 nodes up" "$W/apply.$1" "$DROVER" apply -f "$spec"
    is "$(nodes_in active)" 7 "$1: 7 nodes active"
    ok_out "$1: delete" "$W/delete.$1" "$DROVER" delete cluster lab-cluster --yes
    is "$(owned_count)" 0 "$1: nothing left"
}

# 1. drover floods: vCenter (the simulator) queues.
settings "workers = 16" "max_clones_per_host = 8"
base=$(lines)
run flood
is "$(submitted "$base")" 7 "flood: seven clone tasks"
ok "flood: the simulator queued clones beyond the host's 16 units" test "$(queued "$base")" -ge 1
ok "flood: it never ran more than 4 full clones on the host" \
    test "$(max_host_running "$base")" -le 4
ok "flood: drover had more than 4 in flight there" test "$(max_host_inflight "$base")" -gt 4

# 2. drover holds its clones to the setting; the rest moves meanwhile.
settings "workers = 16" "max_clones_per_host = 2"
base=$(lines)
run host2
is "$(submitted "$base")" 7 "host2: seven clone tasks"
n=$(max_host_inflight "$base")
ok "host2: never more than 2 clones in flight on the host (saw $n)" test "$n" -le 2
is "$(queued "$base")" 0 "host2: vCenter queued none"
last_clone=$(since "$base" | grep -n 'provqueue: .* submitted' | tail -1 | cut -d: -f1)
first_power=$(since "$base" | grep -n 'call PowerOnVM_Task' | head -1 | cut -d: -f1)
ok "host2: a node powered on before the last clone was sent (power-on line $first_power, last clone line $last_clone)" \
    test -n "$first_power" -a -n "$last_clone" -a "${first_power:-0}" -lt "${last_clone:-0}"

# 3. The datastore's limit.
settings "workers = 16" "max_clones_per_host = 8" "max_clones_per_datastore = 1"
base=$(lines)
run ds1
n=$(max_ds_inflight "$base")
ok "ds1: never more than 1 clone in flight on the datastore (saw $n)" test "$n" -le 1
is "$(queued "$base")" 0 "ds1: vCenter queued none"

# 4. A template pinned to another host of its cluster: its clones take that
# host's units (and land there).
host=${hosts[1]}
pin "$host"
settings "workers = 16"
base=$(lines)
spec=$(cluster_cfg 1 2)
ok_out "pinned: drover apply brings 3 nodes up" "$W/apply.pinned" "$DROVER" apply -f "$spec"
is "$(since "$base" | grep -c "provqueue: .* submitted .*: host $host in flight")" 3 \
    "pinned: the simulator charged all three clones to $host"
vm() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" vm --state "$LAB_STATE" "$@"; }
on_host=0
for n in $(owned_names); do vm "$n" | grep -q "^host=.*/$host\$" && on_host=$((on_host + 1)); done
is "$on_host" 3 "pinned: the three VMs run on $host"
ok_out "pinned: delete" "$W/delete.pinned" "$DROVER" delete cluster lab-cluster --yes

# 5. A template naming only the cluster: vCenter (DRS) picks each clone's
# host, so drover holds them by the datastore alone (8 full clones); the lab
# starts each on the host with the most free units and the VMs land there.
cp "$W/lab.cfg.cluster" "$tmpl"
settings "workers = 16" "max_clones_per_host = 1"
base=$(lines)
spec=$(cluster_cfg 1 6)
ok_out "drs: drover apply brings 7 nodes up" "$W/apply.drs" "$DROVER" apply -f "$spec"
is "$(since "$base" | grep -c 'provqueue: .* submitted .*: host [^ ]*(DRS) in flight')" 7 \
    "drs: the simulator placed all seven clones itself"
n=$(max_ds_inflight "$base")
ok "drs: drover had more than max_clones_per_host = 1 in flight, at most 8 (saw $n)" \
    test "$n" -gt 1 -a "$n" -le 8
is "$(queued "$base")" 0 "drs: vCenter queued none (spread over the hosts)"
used=$(for n in $(owned_names); do vm "$n" | sed -n 's|^host=.*/||p'; done | sort -u | wc -l)
ok "drs: the VMs run on more than one host ($used)" test "$used" -gt 1
ok_out "drs: delete" "$W/delete.drs" "$DROVER" delete cluster lab-cluster --yes

# 6. Linked clones cost a host 1 unit, a full clone 4: on a host of 4
# units the lab runs one full clone at a time but several linked ones.
echo "4 128" >"$LAB_STATE/prov-queue"
pin "${hosts[2]}"
sed -i 's/^clone_mode = .*/clone_mode = "linked";/' "$tmpl"
settings "workers = 16" "max_clones_per_host = 64" "max_clones_per_datastore = 128"
base=$(lines)
spec=$(cluster_cfg 1 4)
ok_out "linked: drover apply brings 5 nodes up" "$W/apply.linked" "$DROVER" apply -f "$spec"
n=$(max_host_running "$base")
ok "linked: the 4-unit host ran several linked clones at once (saw $n), never more than 4" \
    test "$n" -gt 1 -a "$n" -le 4
ok_out "linked: delete" "$W/delete.linked" "$DROVER" delete cluster lab-cluster --yes
sed -i 's/^clone_mode = .*/clone_mode = "full";/' "$tmpl"
base=$(lines)
ok_out "full: drover apply brings 5 nodes up" "$W/apply.full4" "$DROVER" apply -f "$spec"
is "$(max_host_running "$base")" 1 "full: the 4-unit host ran one full clone at a time"
ok "full: the others queued in vCenter" test "$(queued "$base")" -ge 1
ok_out "full: delete" "$W/delete.full4" "$DROVER" delete cluster lab-cluster --yes
done_testing
