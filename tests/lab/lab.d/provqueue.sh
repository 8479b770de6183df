# lab module: vCenter's provisioning queue (tests/lab/vcsim/provqueue.go)
# and clones that take time (clonetime.go), switched on at start:
#   lab up --prov-queue on|'HOST_UNITS DATASTORE_UNITS' --clone-time MS
# They write STATE/prov-queue and STATE/clone-time, which the simulator reads
# at each CloneVM_Task; tests may also write those files while the lab runs.
# The queue needs clones that take time: --prov-queue alone sets a clone
# time of 1000 ms.
module_opts[--prov-queue]=lab_prov_queue
module_opts[--clone-time]=lab_clone_time
usage_extra+="  lab up   ... [--prov-queue on|'HOST_UNITS DATASTORE_UNITS'] [--clone-time MS]
"

lab_provqueue_up() {
    if [ -n "${lab_prov_queue:-}" ]; then
        (umask 077 && printf '%s\n' "$lab_prov_queue" >"$state/prov-queue") || return 1
        [ -n "${lab_clone_time:-}" ] || lab_clone_time=1000
    fi
    if [ -n "${lab_clone_time:-}" ]; then
        (umask 077 && printf '%s\n' "$lab_clone_time" >"$state/clone-time") || return 1
    fi
    return 0
}
up_hooks+=(lab_provqueue_up)

lab_provqueue_down() { rm -f "$state/prov-queue" "$state/clone-time"; }
down_hooks+=(lab_provqueue_down)
