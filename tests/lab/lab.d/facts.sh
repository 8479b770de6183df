# lab module: what vCenter reports but a client cannot change, for preflight
# tests (tests/lab/vcsim/preflight.go). Each operand is one line of
# <state>/lab-facts, which replaces the file (no operand: empty it):
#   lab facts 'datastore LocalDS_0 capacity=100 free=2'   (GiB)
#   lab facts 'vm ubuntu-22.04-template tools=none guest=windows9Server64Guest'
#   lab facts 'vm DC0_H0_VM0 nics=0'                     (removes its NICs)
#   lab facts 'deny Datastore.AllocateSpace LocalDS_0'    (no NAME: everywhere)
# The simulator re-reads the file before the next request.
module_cmds[facts]=lab_facts_cmd
usage_extra+="  lab facts [--state DIR] LINE...   datastore/vm facts, denied privileges
"

lab_facts_cmd() {
    [ -f "$state/env" ] || die "no lab in $state (run 'lab up' first)"
    local tmp=$state/lab-facts.tmp
    (umask 077 && : >"$tmp" && { [ $# -eq 0 ] || printf '%s\n' "$@" >"$tmp"; }) &&
        mv -f "$tmp" "$state/lab-facts" || die "cannot write $state/lab-facts"
}

lab_facts_down() { rm -f "$state/lab-facts" "$state/lab-facts.tmp"; }
down_hooks+=(lab_facts_down)
