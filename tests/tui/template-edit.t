#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The node template editor against the lab, at 80x24: a new template made
# with the pickers only (no inventory name typed), saved, and it is what the
# lab's own template says and passes `drover validate`; the pickers show
# full paths and facts (a pool's compute cluster, a datastore's free space);
# a template whose datastore is not in the vCenter shows the saved name
# flagged, in the form and in the picker, and Esc keeps it; saving it
# unchanged writes nothing.
. "${top_srcdir:?}/tests/tui/lablib.sh"
lab_up || { echo "Bail out! lab up failed"; exit 1; }
# A datastore cluster with two datastores, 40 and 20 GiB free (lab pod).
LAB_VCSIM=$(lab_vcsim) bash "$LAB" pod --state "$LAB_STATE" fast-pod pds-a pds-b >/dev/null ||
    { echo "Bail out! lab pod failed"; exit 1; }
bash "$LAB" facts --state "$LAB_STATE" 'datastore pds-a capacity=100 free=40' \
    'datastore pds-b capacity=100 free=20'
tl_config
tl_start
ok "the console comes up" wait_for 20 seen "Clusters"
keys 2
ok "the templates screen" wait_for 10 seen "NETWORKS"
keys n
ok "n opens a new template" wait_for 10 seen "New node template"
type_text "picked"
keys Tab Tab Enter
ok "the datacenter picker opens" wait_for 10 seen "Pick a Datacenter"
ok "it lists the lab's datacenter" wait_for 30 seen "1 items"
keys Enter
ok "the datacenter is picked" wait_for 10 seen_re "Datacenter +$LAB_DATACENTER"
# pick ROW_TABS FILTER WHAT [ROW]: Tab to a picker row, open it, filter to
# one item, pick it; ROW is the row's label when it is not WHAT.
pick() {
    local tabs=$1 filter=$2 what=$3 row=${4:-$3} i
    for ((i = 0; i < tabs; i++)); do keys Tab; done
    keys Enter
    ok "the $what picker opens" wait_for 10 seen "Pick a $what"
    type_text "$filter"
    ok "filtering to one $what" wait_for 30 seen " 1 items"
    keys Enter
    ok "the $what is picked" wait_for 10 seen_re "$row +[^ ]*$filter"
}
pick 1 "$LAB_CLUSTER" "Compute cluster"
keys Tab Tab Enter
ok "the pool picker opens" wait_for 10 seen "Pick a Resource pool"
ok "pools show their compute cluster" wait_for 30 seen "pool of cluster $LAB_CLUSTER"
ok "with full paths" wait_for 10 seen "$LAB_DATACENTER/host/$LAB_CLUSTER/Resources/$LAB_POOL"
type_text "$LAB_POOL"
ok "filtered to the lab's pool" wait_for 10 seen " 1 items"
keys Enter
ok "the pool is picked" wait_for 10 seen_re "Resource pool +$LAB_POOL"
keys Tab Enter
ok "the datastore picker opens" wait_for 10 seen "Pick a Datastore"
ok "datastores show free space and type" wait_for 30 seen_re "GiB free of [0-9]+ GiB"
# Datastore clusters are listed with their datastores' free space, summed,
# and how many there are (picking one is at the end of this test).
ok "the lab's empty datastore cluster is listed" wait_for 10 seen_re "datastore/lab-pod +0 GiB free of 0 GiB in 0 datastore"
ok "fast-pod: 60 GiB free of 200 GiB in its 2 datastores" seen_re "datastore/fast-pod +60 GiB free of 200 GiB in 2 datastore"
ok "its datastores are listed by their path in it" seen "datastore/fast-pod/pds-a"
type_text "$LAB_DATASTORE"
ok "filtered to the lab's datastore" wait_for 10 seen " 1 items"
keys Enter
pick 1 "$LAB_FOLDER" "Folder"
# Networks is a list (NIC order): Enter opens its editor, a adds one from
# the picker, Esc goes back to the form.
keys Tab Enter
ok "the networks list opens" wait_for 10 seen "Networks of the VM, one per NIC"
ok "empty, saying how to add" wait_for 5 seen "(empty: a adds one)"
keys a
ok "a opens the network picker" wait_for 10 seen "Pick a Network"
type_text "$LAB_NETWORK"
ok "filtering to one network" wait_for 30 seen " 1 items"
keys Enter
ok "the network is NIC 1" wait_for 10 seen_re "NIC 1 +$LAB_NETWORK"
keys Escape
ok "back in the form with the network" wait_for 10 seen_re "Networks +$LAB_NETWORK"
pick 1 "$LAB_TEMPLATE" "Template" "Clone from"
keys Tab Space
ok "clone mode: linked" wait_for 5 seen_re "Clone mode +< linked >"
keys Tab Enter
ok "the snapshot picker lists the clone source's snapshots" wait_for 10 seen "Pick a snapshot of $LAB_TEMPLATE"
ok "the lab's snapshot is there" wait_for 30 seen " 1 items"
ok "with what it is a snapshot of" wait_for 10 seen "snapshot of $LAB_DATACENTER/vm/"
keys Enter
ok "the snapshot is picked" wait_for 10 seen_re "Snapshot +$LAB_SNAPSHOT"
# CPUs, memory, disk, SSH user, SSH port, OS, user data, extra_config,
# tags, custom attributes, Save.
for i in $(seq 1 11); do keys Tab; done
keys Enter
ok "the template is saved" wait_for 10 seen "Template picked saved"
T=$CFG/templates/picked.cfg
ok "templates/picked.cfg exists" test -f "$T"
is "$(stat -c %a "$T")" 600 "it is 0600"
for f in vcenter datacenter cluster resource_pool datastore folder networks; do
    is "$(grep "^$f = " "$T")" "$(grep "^$f = " "$CFG/templates/lab.cfg")" "picked $f is the lab's"
done
ok "clone_from names the lab's template" grep -qF "$LAB_TEMPLATE\"" "$T"
ok "a linked clone" grep -qF 'clone_mode = "linked";' "$T"
ok "from the picked snapshot" grep -qF "snapshot = \"$LAB_SNAPSHOT\";" "$T"
ok "drover validate passes" "$DROVER" --config-dir "$CFG" --state-dir "$W/v" validate
ok "the list shows the new template" wait_for 10 seen "picked"

# A datastore the vCenter does not have: shown as saved, flagged, never replaced.
sed -i 's/^datastore = .*/datastore = "GoneDS";/' "$CFG/templates/lab.cfg"
sum=$(sha256sum "$CFG/templates/lab.cfg")
tl_quit
tl_edit_lab "the console comes up again"
ok "the saved datastore is shown as it is, flagged" wait_for 30 seen_re "Datastore +GoneDS +! not in vCenter lab"
for i in 1 2 3 4 5; do keys Tab; done   # vcenter -> datastore
keys Enter
ok "the datastore picker opens" wait_for 10 seen "Pick a Datastore"
ok "it says the saved one is not in the inventory" wait_for 30 seen "Saved: GoneDS - not in the inventory"
keys Escape
ok "Esc keeps the saved datastore" wait_for 10 seen_re "Datastore +GoneDS"
# Save it unchanged: nothing is written.
for i in $(seq 1 20); do keys Tab; done
keys BTab   # Tab stops at the last row, "Test against vCenter"; Save is above it
keys Enter
ok "an unchanged save says so" wait_for 10 seen "Nothing changed"
is "$(sha256sum "$CFG/templates/lab.cfg")" "$sum" "lab.cfg is untouched (comment and all)"
tl_quit

# user_data in $EDITOR: a fake editor writes a known text; a bad one's
# problem is said with its line, and Backspace brings the saved text back.
sed -i 's/^datastore = .*/datastore = "'"$LAB_DATASTORE"'";/' "$CFG/templates/lab.cfg"
cat >"$W/good-editor" <<'EOS'
#!/bin/sh
printf '#cloud-config\npackages: [htop]\nruncmd:\n  - echo edited-by-test\n' >"$1"
EOS
cat >"$W/bad-editor" <<'EOS'
#!/bin/sh
printf '#cloud-config\npackages: [htop\n' >"$1"
EOS
chmod +x "$W/good-editor" "$W/bad-editor"
# to_user_data: from the vCenter row (where e puts the focus) to user data.
to_user_data() { local i; for ((i = 0; i < 17; i++)); do keys Tab; done; }
TL_ENV=("EDITOR=$W/bad-editor" "VISUAL=")
tl_edit_lab
to_user_data
ok "the user data row" wait_for 5 seen_re ">User data"
keys Enter
ok "a bad user_data is said with its line" wait_for 10 seen_re "user_data.*line [0-9]"
ok "with the way back" wait_for 10 seen "Backspace restores"
keys BSpace
ok "Backspace restores the saved text" wait_for 5 seen "user_data is back as it was saved"
ok "and the problem is gone" gone "Backspace restores"
keys Escape
tl_quit
TL_ENV=("EDITOR=$W/good-editor" "VISUAL=")
tl_edit_lab
to_user_data
keys Enter
ok "the edited user data is in the form" wait_for 10 seen "4 lines (Enter edits)"
ok "without a problem" gone "user_data line"
cp "$CFG/templates/lab.cfg" "$W/lab.cfg.before"
keys Tab Tab Tab Tab Enter   # past extra_config, tags, custom attributes to Save
# The lab's file is hand-written with a comment: the first Save names it
# and writes nothing (tester report 3), Save again saves.
ok "Save first says the comment is not kept" wait_for 10 seen "Comments (line 1) are not kept"
ok "and writes nothing yet" cmp -s "$W/lab.cfg.before" "$CFG/templates/lab.cfg"
keys Enter
ok "the template is saved" wait_for 10 seen "Template lab saved"
ok "lab.cfg holds the editor's text" grep -qF "edited-by-test" "$CFG/templates/lab.cfg"
ok "the hand-written file is kept beside it" cmp -s "$W/lab.cfg.before" "$CFG/templates/lab.cfg.bak"
ok "and the status line says where" wait_for 10 seen "templates/lab.cfg.bak"
ok "drover validate passes" "$DROVER" --config-dir "$CFG" --state-dir "$W/v" validate
tl_quit

# A datastore cluster is picked like a datastore, saved, and passes
# validate and preflight (each clone goes on one of its datastores).
tl_edit_lab "the console comes up for the datastore cluster"
for i in 1 2 3 4 5; do keys Tab; done   # vcenter -> datastore
keys Enter
ok "the datastore picker opens" wait_for 10 seen "Pick a Datastore"
type_text "fast-pod"
ok "fast-pod and its two datastores match" wait_for 30 seen " 3 items"
keys Down Down Enter
ok "the datastore cluster is picked" wait_for 10 seen_re "Datastore +fast-pod"
ok "not flagged: it is in the vCenter" gone "not in vCenter"
for i in $(seq 1 20); do keys Tab; done
keys BTab
keys Enter
ok "the template is saved" wait_for 10 seen "Template lab saved"
is "$(grep '^datastore = ' "$CFG/templates/lab.cfg")" 'datastore = "fast-pod";' "lab.cfg names the datastore cluster"
ok "drover validate passes" "$DROVER" --config-dir "$CFG" --state-dir "$W/v" validate
tl_quit
tl_edit_lab "the console comes up with the datastore cluster saved"
ok "reopened, the datastore cluster is shown" wait_for 30 seen_re "Datastore +fast-pod"
for i in 1 2 3 4 5; do keys Tab; done
keys Enter
ok "the picker lists the inventory" wait_for 30 seen_re " [0-9]+ items"
ok "and says the saved datastore cluster as it is" seen "Saved: fast-pod"
ok "not as missing from the inventory" gone "not in the inventory"
keys Escape
ok "the form does not flag it" wait_for 10 gone "not in vCenter"
tl_quit
done_testing
