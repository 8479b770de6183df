#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# A linked clone's snapshot named by a name two snapshots of the clone
# source share (vCenter allows it): preflight refuses it as ambiguous,
# naming both by their paths in the snapshot tree, at the template's
# snapshot line, and apply clones nothing; the path "base/base" (or
# "/base" for the root one) picks one, and the clone's disk has the disk
# of that very snapshot as its parent (read back with govmomi, lab vm).
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup
net() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" net --state "$LAB_STATE" "$@"; }
vm() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" vm --state "$LAB_STATE" "$@"; }
v() { sed -n "s/^$2=//p" "$1" | head -1; }
T=$XDG_CONFIG_HOME/drover/templates
D=$W/snap
mkdir -p "$D"
J=$D/out.json
pf() { rm -f "$J"; "$DROVER" preflight -f "$1" -o json >"$J" 2>"$D/err"; }
field() { jq -r --arg k "$1" '[.findings[] | select(.severity == "error")][0][$k] // ""' "$J"; }
msgs() { jq -r '.findings[] | select(.severity == "error") | .message' "$J"; }
# tmpl NAME SNAPSHOT: a linked-clone template from the lab's, on SNAPSHOT.
tmpl() {
    sed -e 's/^clone_mode = .*/clone_mode = "linked";/' -e '/^snapshot = /d' \
        -e "/^clone_mode/a snapshot = \"$2\";" "$T/lab.cfg" >"$T/$1.cfg"
}
# spec NAME TEMPLATE: one server, the fast test recipe, no airgap bundle.
spec() {
    mkdir -p "$D/$1"
    awk '/name = "agent";/ { a = 1 } a && /quantity =/ { sub(/[0-9]+/, "0") } { print }' "$CFG" |
        sed -e "s/template = \"lab\";/template = \"$2\";/" -e "s|^recipe = .*|recipe = \"$RECIPE\";|" \
            -e '/^airgap_bundle = /d' -e '/^version = /d' >"$D/$1/lab-cluster.cfg"
    echo "$D/$1/lab-cluster.cfg"
}

vm "$LAB_TEMPLATE" >"$D/template.vm"
tmpl_disk=$(v "$D/template.vm" 'disk\.0\.file')
ok "a second snapshot named base on the template (a child of the first)" \
    to "$D/snap.out" net snapshot "$LAB_TEMPLATE" base
vm "$LAB_TEMPLATE" >"$D/template2.vm"
is "$(grep -c '^snapshot=base$' "$D/template2.vm")" 2 "the template has two snapshots named base"

tmpl dup base
S=$(spec dup dup)
nok "preflight: snapshot = \"base\" means two snapshots: exit 1" pf "$S"
msgs | while read -r l; do diag "$l"; done
ok "the finding says it is ambiguous and names both by their paths" \
    bash -c "jq -r '.findings[].message' '$J' | grep -qF 'snapshot \"base\" of DC0/vm/$LAB_TEMPLATE is ambiguous: 2 snapshots match (by their paths in its snapshot tree: \"base\", \"base/base\")'"
line=$(grep -n '^snapshot = ' "$T/dup.cfg" | cut -d: -f1)
is "$(field file):$(field line)" "templates/dup.cfg:$line" "at the template's snapshot line"
is "$(field field)" "snapshot" "naming the field"
nok "apply refuses it" to "$D/apply-dup.out" "$DROVER" apply -f "$S"
is "$(owned_count)" 0 "and creates no VM"

# The path of the second one: its clone's disk is the disk as of that
# snapshot (the lab: the template's first delta, -000001).
tmpl second base/base
S=$(spec second second)
ok "preflight: snapshot = \"base/base\" passes" pf "$S"
is "$(jq -r .errors "$J")" 0 "no error"
ok_out "apply on base/base" "$D/apply-2.out" "$DROVER" apply -f "$S"
vm server-01 >"$D/second.vm"
want2=${tmpl_disk%.vmdk}-000001.vmdk
is "$(v "$D/second.vm" 'disk\.0\.parent')" "$want2" "server-01 was cloned from the second base (its parent disk $want2)"
ok_out "delete" "$D/delete-2.out" "$DROVER" delete cluster lab-cluster --yes

# "/base": the root one; its clone's parent is the template's own disk.
tmpl first /base
S=$(spec first first)
ok "preflight: snapshot = \"/base\" passes" pf "$S"
ok_out "apply on /base" "$D/apply-1.out" "$DROVER" apply -f "$S"
vm server-01 >"$D/first.vm"
is "$(v "$D/first.vm" 'disk\.0\.parent')" "$tmpl_disk" "server-01 was cloned from the first base (the template's own disk)"
ok_out "delete" "$D/delete-1.out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"

# A path that names no snapshot is not found, listing the names there are.
tmpl nopath base/nothing
nok "preflight: snapshot = \"base/nothing\": exit 1" pf "$(spec nopath nopath)"
ok "not found, with the snapshots there are" \
    bash -c "jq -r '.findings[].message' '$J' | grep -qF 'snapshot base/nothing not found on DC0/vm/$LAB_TEMPLATE (its snapshots: base, base)'"
done_testing
