#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Preflight before anything is saved (issues 11 and 12), against the lab at
# 80x24 with 1.5 s per property-collector call: the wizard's review checks
# the spec it shows (not yet saved) on an engine request thread, with a
# spinner, Esc stops it and the console keeps moving; a datastore without
# room shows preflight's capacity error, c then refuses to create (as
# `drover apply` does) while s still saves; after the lab is fixed, p checks
# again and finds none. The template editor's "Test against vCenter" shows
# the same capacity error for the template as the form has it. No VM is
# created by any of it.
. "${top_srcdir:?}/tests/tui/lablib.sh"
lab_up --method-delay RetrievePropertiesEx=1500 || { echo "Bail out! lab up failed"; exit 1; }
tl_config
facts() { bash "$LAB" facts --state "$LAB_STATE" "$@"; }
LABVMS=$top_builddir/tests/integration/lab-vms
labvms() { (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l; }
vms_before=$(labvms)
recipe=$top_srcdir/data/bootstrap/test.sh
facts 'datastore LocalDS_0 capacity=100 free=1'
tl_start
ok "the console comes up" wait_for 30 seen "Clusters"
keys '?'
ok "the help screen names the review's keys" wait_for 10 seen "Wizard review: c saves and creates, s saves only, p runs"
keys Escape
ok "back on the clusters" wait_for 10 gone "Wizard review:"
keys n
ok "n opens the wizard" wait_for 10 seen "New cluster: [cluster] > pools > review"
type_text "wpf"
keys Tab Tab Tab Tab
type_text "$recipe"
keys Tab Tab Enter
ok "the pools step" wait_for 5 seen "[pools]"
keys a
ok "a adds a pool" wait_for 5 seen "Pool name"
type_text "one"
keys Tab Tab Tab Space Tab Space   # etcd, control-plane (worker is on)
# On to Done, the form's last row (Tab stops there; the drain rows keep their defaults).
keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab
keys Enter
ok "the pool is listed" wait_for 5 seen_re "one +lab +1 +etcd,control-plane,worker"
keys r
ok "the review" wait_for 5 seen "[review]"
ok "preflight runs for the unsaved spec, with a spinner" wait_for 10 seen "checking against vCenter... (Esc stops)"
spin() { screen | grep -F "checking against vCenter" | head -1; }
first=$(spin)
turned() { local now; now=$(spin); [ -n "$now" ] && [ "$now" != "$first" ]; }
ok "the spinner turns" wait_for 5 turned
still() { screen | grep -v "checking against"; }
before=$(still)
moved() { [ "$(still)" != "$before" ]; }
keys Down
ok "keys are taken meanwhile (the spec scrolls)" wait_for 5 moved
keys Escape
ok "Esc stops the check" wait_for 5 seen "Preflight stopped; p checks again"
ok "and stays in the review" wait_for 5 seen "[review]"
ok "no spinner after Esc" wait_for 5 gone "checking against vCenter"
keys Up p
ok "p checks again" wait_for 10 seen "checking against vCenter"
ok "the capacity error in the review" wait_for 90 seen_re "Preflight +1 error\\(s\\)"
ok "with the datastore's path" wait_for 10 seen_re "error +DC0/datastore/LocalDS_0: "
ok "saying the numbers" wait_for 5 seen "1 new VM(s) need 12.0 GiB"
# Findings wrap at 80 columns: each whole, its fix too (tester report 3: a
# finding cut with "..." hid its fix).
ok "the error's fix is shown whole" wait_for 5 seen "datastore, or lower preflight_margin_pct"
ok "the spec is still shown under the findings" wait_for 5 seen '  distribution = "k3s";'
keys Down Down Down Down Down
ok "and scrolls to the pool" wait_for 5 seen '      name = "one";'
diag "$(screen | sed -n 3,10p)"
keys c
ok "c refuses to create while preflight finds an error" wait_for 10 seen "nothing is created"
ok "nothing is saved by the refused c" test ! -e "$CFG/clusters/wpf.cfg"
facts 'datastore LocalDS_0 capacity=100 free=90'
keys p
ok "p after the lab is fixed: no error" wait_for 90 seen_re "Preflight +0 error\\(s\\)"
ok "the capacity error is gone" wait_for 5 gone "DC0/datastore/LocalDS_0: "
keys s
ok "s saves" wait_for 10 seen "Cluster wpf saved in clusters/wpf.cfg; nothing was created"
ok "clusters/wpf.cfg is written" test -f "$CFG/clusters/wpf.cfg"

# The template editor's test, for the template as the form has it.
facts 'datastore LocalDS_0 capacity=100 free=1'
tsum=$(sha256sum "$CFG/templates/lab.cfg")
keys 2
ok "the templates screen" wait_for 10 seen "NETWORKS"
keys '?'
ok "its help names the editor's test" wait_for 10 seen 'Template editor: Enter on "Test against vCenter"'
keys Escape
ok "back on the templates" wait_for 10 seen "NETWORKS"
keys e
ok "e edits the lab template" wait_for 10 seen "Edit node template lab"
for i in $(seq 30); do keys Tab; done   # Tab stops at the last row, the test
ok "Tab reaches the test button" wait_for 5 seen "Preflight's checks for one node"
keys Enter
ok "the test runs, with a spinner" wait_for 10 seen "checking against vCenter"
ok "the test shows the capacity error" wait_for 90 seen_re "Preflight +1 error\\(s\\)"
ok "for the template's datastore" wait_for 10 seen_re "error +DC0/datastore/LocalDS_0: "
ok "saying the numbers" wait_for 5 seen "1 new VM(s) need 12.0 GiB"
ok "titled as the template's test" wait_for 5 seen "Test of lab as one node"
# A template tested alone may serve a cluster with the vSphere CSI driver:
# a note that disk.EnableUUID is not set (a cluster without it gets none).
ok "a note that disk.EnableUUID is not TRUE" wait_for 5 seen_re "note +DC0/vm/ubuntu-22.04-template: extra_config: disk.EnableUUID"
keys Escape
ok "Esc returns to the form" wait_for 5 seen "Preflight's checks for one node"
# The test checks the form as typed, not the saved file: room for the saved
# disk, not for a bigger one typed but not saved.
facts 'datastore LocalDS_0 capacity=100 free=30'
# Test -> Save, custom attributes, tags, extra_config, user data, OS, SSH
# port, SSH user, disk
for i in $(seq 9); do keys BTab; done
ok "the disk row" wait_for 5 seen "Grow the first disk to this"
keys C-u
type_text "40"
for i in $(seq 30); do keys Tab; done
ok "back on the test button" wait_for 5 seen "Preflight's checks for one node"
keys Enter
ok "the test of the typed disk size fails on capacity" wait_for 90 seen "1 new VM(s) need 42.0 GiB"
keys Escape
ok "back to the form" wait_for 5 seen "Preflight's checks for one node"
is "$(sha256sum "$CFG/templates/lab.cfg")" "$tsum" "the test saved nothing: templates/lab.cfg is unchanged"
ok "and made no cluster file" test ! -e "$CFG/clusters/template-test.cfg"
is "$(labvms)" "$vms_before" "no VM was created"
tl_quit
done_testing
