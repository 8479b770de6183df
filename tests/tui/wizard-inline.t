#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The cluster wizard against the lab at 80x24 (issue 12): the version is
# offered from data/versions.cfg for the chosen distribution (Ctrl-N/Ctrl-P)
# or typed, a typed one checked in validate's words; + on a pool's template
# row makes a template with the editor (pickers only) and comes back with it
# picked; + on the vCenter row adds a vCenter (certificate confirmed, login
# checked) and comes back with it picked; the review's preflight passes and
# c creates the cluster without the engine's gate asking vCenter the
# privilege questions again (the review's result is reused) and the cluster
# reaches Active; the spec names both and passes `drover validate`.
. "${top_srcdir:?}/tests/tui/lablib.sh"
[ -x "$top_srcdir/tests/lab/sshnode" ] || skip_all "tests/lab/sshnode is not there"
lab_up --log-methods --sshnode "$top_srcdir/tests/lab/sshnode" || { echo "Bail out! lab up failed"; exit 1; }
# calls METHOD FROM: how many METHOD calls the lab logged after line FROM.
calls() { tail -n +"$(($2 + 1))" "$LAB_STATE/vcsim.log" | grep -c "call $1\b"; }
mark() { wc -l <"$LAB_STATE/vcsim.log"; }
tl_config
VERS=$top_srcdir/data/versions.cfg
k3s1=$(sed -n 's/^k3s = \[ "\([^"]*\)", "\([^"]*\)".*/\1/p' "$VERS")
k3s2=$(sed -n 's/^k3s = \[ "\([^"]*\)", "\([^"]*\)".*/\2/p' "$VERS")
rke21=$(sed -n 's/^rke2 = \[ "\([^"]*\)".*/\1/p' "$VERS")
ok "data/versions.cfg has k3s and rke2 versions" test -n "$k3s1" -a -n "$k3s2" -a -n "$rke21"
recipe=$top_srcdir/data/bootstrap/test.sh
# A version as a regular expression ('+' and '.' literally).
re() { sed 's/[.+]/\\&/g' <<<"$1"; }
TL_ENV=("DROVER_DATA_DIR=$top_srcdir/data")
tl_start
ok "the console comes up" wait_for 20 seen "Clusters"
keys n
ok "n opens the wizard" wait_for 10 seen "New cluster: [cluster]"
keys F1
ok "F1 in the wizard: its help names the form's keys" wait_for 10 seen "Wizard: Ctrl-N/Ctrl-P on Version offer the known versions"
keys Escape
ok "Esc returns to the wizard" wait_for 10 seen "New cluster: [cluster]"
type_text "inl"
keys Tab Tab Tab   # vCenter, distribution, version
ok "the version row offers the known k3s versions" wait_for 5 seen "the known k3s versions (newest $k3s1)"
keys C-n
ok "Ctrl-N puts the newest in the field" wait_for 5 seen_re "Version +$(re "$k3s1")"
keys C-n
ok "Ctrl-N again the next" wait_for 5 seen_re "Version +$(re "$k3s2")"
keys C-p
ok "Ctrl-P back" wait_for 5 seen_re "Version +$(re "$k3s1")"
keys BTab Space Tab
ok "rke2: its own versions are offered" wait_for 5 seen "the known rke2 versions (newest $rke21)"
keys C-n
ok "Ctrl-N gives rke2's newest" wait_for 5 seen_re "Version +$(re "$rke21")"
keys BTab Space Tab
ok "back on k3s" wait_for 5 seen "the known k3s versions"
keys Tab
ok "an rke2 version under k3s is refused, in validate's words" wait_for 5 seen "'$rke21' is not a k3s release"
keys BTab C-u
type_text "v1.30.5+k3s2"
keys Tab
ok "a typed version of the right form is taken" wait_for 5 gone "^ "
# The vCenter row (recipe -> version, distribution, vCenter): + adds one.
keys BTab BTab BTab
ok "the vCenter row says + adds one" wait_for 5 seen "+ adds one and picks it"
keys +
ok "+ opens the vCenter form" wait_for 10 seen "Add a vCenter"
type_text "lab2"; keys Tab
type_text "$LAB_URL"; keys Tab
type_text "$LAB_USER"; keys Tab Tab
type_text "$LAB_PASSWORD"
keys Tab Enter
ok "the certificate is shown" wait_for 20 seen "SHA-256"
keys y
ok "back in the wizard with the new vCenter picked" wait_for 30 seen "vCenter lab2 added and picked for this cluster"
ok "the vCenter row shows it" wait_for 5 seen_re "vCenter +< lab2 >"
ok "vcenters.cfg has lab2" grep -qF '"lab2"' "$CFG/vcenters.cfg"
keys Tab Tab Tab   # distribution, version, recipe
type_text "$recipe"
keys Tab Tab Enter
ok "the pools step" wait_for 5 seen "[pools]"
keys a
ok "a adds a pool" wait_for 5 seen "Pool name"
type_text "one"
keys Tab
ok "the template row says + makes one" wait_for 5 seen "; + makes one"
keys +
ok "+ opens the template editor" wait_for 10 seen "New node template"
ok "on the cluster's vCenter" wait_for 5 seen_re "vCenter +< lab2 >"
type_text "inline-t"
keys Tab Tab Enter
ok "the datacenter picker, from lab2" wait_for 10 seen "Pick a Datacenter from vCenter lab2"
ok "with the lab's datacenter" wait_for 30 seen "1 items"
keys Enter
ok "the datacenter is picked" wait_for 10 seen_re "Datacenter +$LAB_DATACENTER"
keys Tab Enter
ok "the compute cluster picker" wait_for 10 seen "Pick a Compute cluster"
type_text "$LAB_CLUSTER"
ok "filtered" wait_for 30 seen " 1 items"
keys Enter
keys Tab Tab Tab Enter   # host, pool, datastore
ok "the datastore picker" wait_for 10 seen "Pick a Datastore"
type_text "$LAB_DATASTORE"
ok "filtered" wait_for 30 seen " 1 items"
keys Enter
keys Tab Tab Tab Enter   # folder, networks, clone from
ok "the clone source picker" wait_for 10 seen "Pick a Template"
type_text "$LAB_TEMPLATE"
ok "filtered" wait_for 30 seen " 1 items"
keys Enter
ok "the clone source is picked" wait_for 10 seen_re "Clone from +$LAB_TEMPLATE"
# clone mode, snapshot, CPUs, memory, disk, SSH user, SSH port: the lab's
# nodes listen on its port.
for i in $(seq 7); do keys Tab; done
keys C-u
type_text "${LAB_SSH_PORT:-22}"
for i in $(seq 6); do keys Tab; done   # OS, user data, extra_config, tags, attributes, Save
keys Enter
ok "saved, back in the pool with it picked" wait_for 10 seen "Template inline-t made and picked for this pool"
ok "the pool's template row shows it" wait_for 5 seen_re "Template +< inline-t >"
ok "templates/inline-t.cfg is written, on lab2" grep -qF 'vcenter = "lab2";' "$CFG/templates/inline-t.cfg"
keys Tab Tab Space Tab Space   # etcd, control-plane on
# On to Done, the form's last row (Tab stops there; the drain rows keep their defaults).
keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab
keys Enter
ok "the pool is listed with the new template" wait_for 5 seen_re "one +inline-t +1 +etcd,control-plane,worker"
n_review=$(mark)
keys r
ok "the review" wait_for 5 seen "[review]"
ok "preflight of the spec finds no error" wait_for 90 seen_re "Preflight +0 error"
per_preflight=$(calls HasPrivilegeOnEntities "$n_review")
ok "the review's preflight asked vCenter about privileges" test "$per_preflight" -gt 0
n_create=$(mark)
keys c
ok "c saves and creates" wait_for 10 seen "Cluster inl saved; creating its nodes"
cloned() { [ "$(calls CloneVM_Task "$n_create")" -gt 0 ]; }
ok "the node is cloned (the engine's gate let it through)" wait_for 60 cloned
is "$(calls HasPrivilegeOnEntities "$n_create")" 0 \
    "c reused the review's preflight: the gate did not ask the privileges again"
active() { screen | grep -E "^ *inl " | grep -qF "Active"; }
ok "the cluster of the template made with the pickers reaches Active" wait_for 300 active
diag "the node: $("$DROVER" --config-dir "$CFG" --state-dir "$STATE" status inl -o json 2>&1 | tr -d '\n\t' | head -c 300)"
S=$CFG/clusters/inl.cfg
ok "the spec names the new vCenter" grep -qF 'vcenter = "lab2";' "$S"
ok "the typed version" grep -qF 'version = "v1.30.5+k3s2";' "$S"
ok "the new template" grep -qF 'template = "inline-t";' "$S"
ok "drover validate passes" "$DROVER" --config-dir "$CFG" --state-dir "$W/v" validate
tl_quit
done_testing
