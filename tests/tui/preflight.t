#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# issue 11 in the console: P on a cluster's screen runs preflight on the
# engine (a request thread; the answer comes as an event) and shows the same
# findings as `drover preflight`, severity first, with the object's path;
# pressing P again after the lab is fixed shows none. In read-only mode
# (preflight changes nothing), and no VM is created.
. "${top_srcdir:?}/tests/tui/englib.sh"

eng_setup
facts() { bash "$LAB" facts --state "$LAB_STATE" "$@"; }
mkdir -p "$XDG_CONFIG_HOME/drover/clusters"
cp "$CFG" "$XDG_CONFIG_HOME/drover/clusters/lab-cluster.cfg"
facts 'vm ubuntu-22.04-template tools=none' 'deny Datastore.AllocateSpace LocalDS_0'
vms_before=$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)
ok "drover preflight lab-cluster agrees: two errors" bash -c \
    "$(printf '%q ' "$DROVER") preflight lab-cluster | grep -q 'preflight of cluster lab-cluster: 2 error(s)'"

console_start 200 45 --read-only
ok "the console comes up with lab-cluster" wait_for 20 seen "lab-cluster"
keys Enter
ok "the cluster's screen" wait_for 10 seen "server"
keys P
ok "P shows the preflight's totals" wait_for 30 seen "Preflight +2 error\\(s\\), 0 warning\\(s\\)"
ok "the Tools finding, with the template's path" wait_for 10 seen "DC0/vm/ubuntu-22.04-template: clone_from: VMware Tools is not installed"
ok "the missing privilege, with the datastore's path" wait_for 10 seen "DC0/datastore/LocalDS_0: datastore: .*lacks the privilege Datastore.AllocateSpace"
ok "the file:line and the fix under it" wait_for 10 seen "templates/lab.cfg:9; fix: install open-vm-tools"
ok "errors are labelled as such" wait_for 10 seen "^ *error "
ok "the note on what only a boot can confirm" wait_for 10 seen "note .*only a boot can confirm"
diag "$(screen | grep -E 'Preflight|error|note' | head -8)"

facts 'vm ubuntu-22.04-template tools=installed'
keys P
ok "P again after the lab is fixed: no error" wait_for 30 seen "Preflight +0 error\\(s\\), 0 warning\\(s\\)"
ok "the Tools finding is gone" bash -c "! tmux -S '$sock' capture-pane -p | grep -q 'VMware Tools is not installed'"
# The template as the file is now: an edit since the console started counts.
sed -i 's/^datastore = .*/datastore = "no-such-ds";/' "$XDG_CONFIG_HOME/drover/templates/lab.cfg"
keys P
ok "P after editing the template checks the edited file" wait_for 30 seen 'datastore: "no-such-ds": no datastore'
is "$( (set -a; . "$LAB_STATE/env"; "$LABVMS") | wc -l)" "$vms_before" "no VM was created"
console_quit
done_testing
