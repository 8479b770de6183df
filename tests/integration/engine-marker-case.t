#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Owner markers in another case (field case A, extra_config keys): a VM's
# .vmx keys are case-insensitive, so vCenter holds one variable however a
# tool spells it, and returns it as it was written. A node whose marker was
# rewritten as GUESTINFO.DROVER.OWNER by another tool is still drover's: it
# is listed as owned, and `delete cluster` destroys it; the lab replaces a
# key set in another case as vCenter does (one key, never two spellings).
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup
vm() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" vm --state "$LAB_STATE" "$@"; }
mark() { (set -a; . "$LAB_STATE/env"; "$LABVMS" mark "$@"); }
all_vms() { (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l; }

spec=$(cluster_cfg 1 0)
ok_out "apply a one-node cluster" "$W/apply.out" "$DROVER" apply -f "$spec"
read -r id name _ owner _ <<<"$(owned_vms | head -1)"
ok "the node's VM carries drover's marker" test -n "$owner"
is "$(vm "$name" | grep -ic '^extra\.guestinfo\.drover\.owner=')" 1 "one marker key"

ok "another tool writes the marker as GUESTINFO.DROVER.OWNER" mark "$id" "$owner" GUESTINFO.DROVER.OWNER
is "$(vm "$name" | grep -i '^extra\.guestinfo\.drover\.owner=' | cut -d= -f1)" \
    "extra.GUESTINFO.DROVER.OWNER" "the lab kept one key, in the new spelling (no second key)"
is "$(owned_vms | awk -v i="$id" '$1 == i {print $4}')" "$owner" \
    "drover still reads the owner from the upper-case key"
before=$(all_vms)
ok_out "delete cluster --yes" "$W/delete.out" "$DROVER" delete cluster lab-cluster --yes
nok "no 'carries no drover owner marker'" grep -q 'no drover owner' "$W/delete.out"
is "$(all_vms)" "$((before - 1))" "the VM was destroyed"
done_testing
