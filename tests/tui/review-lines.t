#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The wizard's review names where each finding is (against the lab, 80x24):
# the file the spec will be saved as, clusters/NAME.cfg, and the line of the
# field in the text the review shows (the field tester saw "vs:1:" and
# ":1;"): the check without vCenter on vsphere.vcenter (a pinned vCenter:
# the CPI/CSI charts will not verify it) and preflight's datastore_url
# finding, at the datastore_url line. The lines are those
# of the file s then saves.
. "${top_srcdir:?}/tests/tui/lablib.sh"
lab_up || { echo "Bail out! lab up failed"; exit 1; }
tl_config
recipe=$top_srcdir/data/bootstrap/test.sh
# The CSI driver's disk.EnableUUID, so that the template has no problem.
printf 'extra_config = ( { key = "disk.EnableUUID"; value = "TRUE"; } );\n' >>"$CFG/templates/lab.cfg"
tl_start
ok "the console comes up" wait_for 30 seen "Clusters"
keys n
ok "n opens the wizard" wait_for 10 seen "New cluster: [cluster] > pools > review"
type_text "vs"
keys Tab Tab Tab Tab
type_text "$recipe"
keys Tab Tab Tab          # airgap bundle, Next -> cloud provider
keys Space
ok "vsphere" wait_for 5 seen_re "Cloud provider +< vsphere >"
keys Tab
type_text "lab"
keys Tab Tab Space        # datacenters (the templates'), StorageClass on
ok "the StorageClass rows" wait_for 5 seen "Datastore URL"
keys Tab Tab
type_text "ds:///vmfs/volumes/no-such/"
keys BTab BTab BTab BTab BTab BTab Enter   # back to Next
ok "the pools step" wait_for 5 seen "[pools]"
keys a
ok "a adds a pool" wait_for 5 seen "Pool name"
type_text "one"
keys Tab Tab Tab Space Tab Space
keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab Tab
keys Enter
ok "the pool is listed" wait_for 5 seen_re "one +lab +1 +etcd,control-plane,worker"
keys r
ok "the review" wait_for 5 seen "[review]"
ok "preflight finds the datastore_url" wait_for 90 seen_re "Preflight +1 error\\(s\\)"
review=$(screen)
keys s
ok "s saves" wait_for 10 seen "Cluster vs saved in clusters/vs.cfg; nothing was created"
S=$CFG/clusters/vs.cfg
ok "clusters/vs.cfg is written" test -f "$S"
url_line=$(grep -n 'datastore_url' "$S" | cut -d: -f1)
vc_line=$(grep -n '^ \+vcenter = "lab";' "$S" | cut -d: -f1)
diag "datastore_url at line $url_line, vsphere.vcenter at line $vc_line"
shows() { grep -qE -- "$1" <<<"$review" || { diag "not in the review: $1"; sed 's/^/#   /' <<<"$review"; return 1; }; }
ok "the datastore_url error" shows "^ *error +vsphere\\.storage_class\\.datastore_url: no datastore "
ok "names clusters/vs.cfg and the datastore_url line" shows "^ +clusters/vs\\.cfg:$url_line; fix: use one of: "
ok "the pinned vCenter's warning names clusters/vs.cfg and the vcenter line" \
    shows "clusters/vs\\.cfg:$vc_line: vsphere\\.vcenter: vCenter 'lab' is trusted by"
nok "no finding without its file" grep -qE '(^| )(vs)?:[0-9]+[:;]' <<<"$review"
tl_quit
done_testing
