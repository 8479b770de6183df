# lab module: fault injection in the simulator (tests/lab/vcsim/faults.go).
#   lab up    --fault Method=FaultName[:count][,...]   arm faults at start
#   lab fault --state DIR --fault SPEC                  replace the armed faults
#   lab fault --state DIR --fault ''                    clear them
# A method ending in _Task returns a task that fails with the fault (as
# vCenter reports an HA admission failure at power-on); other methods answer
# with a SOAP fault. Without :count the method fails on every call.
# Method/done=FaultName carries the call out, then answers with the fault. The
# simulator reads DIR/faults, one spec a line, whenever it changes.
module_opts[--fault]=lab_fault
module_cmds[fault]=lab_fault_cmd
usage_extra+="  lab up   ... [--fault Method=FaultName[:count],...]
  lab fault [--state DIR] --fault Method=FaultName[:count],...   ('' clears)
"

lab_write_faults() {
    local tmp=$state/faults.tmp
    (umask 077 && printf '%s\n' "${lab_fault:-}" | tr ',' '\n' >"$tmp") &&
        mv -f "$tmp" "$state/faults"
}

lab_faults_up() {
    [ -n "${lab_fault:-}" ] || return 0
    lab_write_faults
}
up_hooks+=(lab_faults_up)

lab_faults_down() { rm -f "$state/faults" "$state/faults.tmp"; }
down_hooks+=(lab_faults_down)

lab_fault_cmd() {
    [ -f "$state/env" ] || die "no lab in $state (run 'lab up' first)"
    [ -n "${lab_fault+set}" ] || die "lab fault: --fault SPEC is required ('' clears)"
    lab_write_faults || die "cannot write $state/faults"
}
