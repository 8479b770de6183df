# lab module: datastore clusters with member datastores (tests/lab/vcsim/podcmd.go).
#   lab pod [--state DIR] [--pod-host HOST-PATH] POD DS...   the StoragePod POD in DC0's datastore
#   folder (kept when it exists) with local datastores DS... mounted on every
#   host of DC0's cluster (not on DC0_H0; with --pod-host only on that host), backed by folders in <state>/pods.
#   Prints "ID PATH" of the pod and of each datastore. Size and free space:
#   lab facts 'datastore DS capacity=GIB free=GIB'.
# shellcheck shell=bash

LAB_POD_HOST=${LAB_POD_HOST:-}
module_opts[--pod-host]=LAB_POD_HOST
module_cmds[pod]=lab_pod
usage_extra+="  lab pod [--state DIR] [--pod-host HOST-PATH] POD DS...   a datastore cluster with member datastores
"

lab_pod() {
    [ -f "$state/env" ] || die "no lab in $state (run 'lab up' first)"
    local vcsim
    vcsim=$(find_vcsim) || die "the simulator is not built"
    mkdir -p "$state/pods" || die "cannot make $state/pods"
    "$vcsim" pod -url "$LAB_URL" -user "$LAB_USER" -password-file "$LAB_PASSWORD_FILE" \
        -ca "$LAB_CERT" -dir "$state/pods" ${LAB_POD_HOST:+-host "$LAB_POD_HOST"} "$@"
}

lab_pod_down() { rm -rf "$state/pods"; }
down_hooks+=(lab_pod_down)
