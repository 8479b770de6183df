#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The cloud provider in the console (issue 14): a cluster's screen shows
# its cloud provider and StorageClass (or none); the wizard's cluster step
# has the cloud provider's rows (shown with "vsphere", the StorageClass's
# when it is on), checks them in validate's words under the field, and the
# review and the saved file carry the block.
. "$top_srcdir/tests/tui/lib.sh"

cat >>"$TUI_CFG/clusters/staging.cfg" <<'EOS'
cloud_provider = "vsphere";
vsphere = {
    vcenter = "lab";
    datacenters = [ "DC0", "DC1" ];
    storage_class = { name = "vsphere-gold"; datastore_url = "ds:///vmfs/volumes/5f3a-77/";
                      reclaim_policy = "Retain"; default = true; };
};
EOS
tui_start_rw
check "the console starts" wait_for "staging"
tui_keys G Enter
check "the cluster screen opens" wait_match "all +2 x photon-large"
check "it shows the cloud provider, its vCenter entry and datacenters" \
    wait_match "Cloud provider +vsphere \(CPI \+ CSI\) +vCenter lab +datacenters DC0,DC1"
check "and the StorageClass" \
    wait_match "StorageClass +vsphere-gold \(default\) +ds:///vmfs/volumes/5f3a-77/ +reclaim Retain"
tui_keys q
check "back on the clusters" wait_for "edge"
tui_keys g Enter
check "a cluster without one" wait_match "Cloud provider +none"
tui_keys q

tui_keys n
check "n opens the wizard" wait_for "New cluster: [cluster] > pools > review"
tui_type "stor"
check "the cloud provider row is there, none by default" wait_match "Cloud provider +< none >"
check "its vSphere rows are not shown" not_on_screen "CPI/CSI vCenter entry"
tui_keys Tab Tab Tab Tab Tab Tab Tab   # vCenter ... airgap bundle, Next -> Cloud provider
tui_keys Space
check "Space picks vsphere" wait_match "Cloud provider +< vsphere >"
check "and its rows appear" wait_for "CPI/CSI vCenter entry"
check "the StorageClass's only when it is on" not_on_screen "Datastore URL"
tui_keys Tab
tui_type "lab"
tui_keys Tab
tui_type "DC0, DC1"
tui_keys Tab Space
check "StorageClass on shows its rows" wait_for "Datastore URL"
tui_keys Tab
tui_type "vsphere-gold"
tui_keys Tab
tui_type "datastore1"
tui_keys Tab
check "a datastore name is not a URL: validate's words under the field" wait_for "is not a datastore URL"
tui_keys BTab C-u
tui_type "ds:///vmfs/volumes/5f3a-77/"
tui_keys Tab
check "a URL clears it" wait_gone "is not a datastore URL"
tui_keys Tab Space        # storage policy -> reclaim policy: Retain
check "reclaim policy Retain" wait_match "Reclaim policy +< Retain >"
# Back up to Next: pools.
for _ in 1 2 3 4 5 6 7 8; do tui_keys BTab; done
tui_keys Enter
check "the pools step" wait_for "New cluster: cluster > [pools] > review"
tui_keys a
check "a adds a pool" wait_for "Pool name"
tui_type "server"
tui_keys Tab Tab Tab Space Tab Space Tab Space   # etcd, control-plane; worker off
# On to Done, the form's last row (Tab stops there; the pool's other rows,
# e.g. its drain settings, keep their defaults).
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do tui_keys Tab; done
tui_keys Enter
check "the pool is listed" wait_match "server +photon-large +1 +etcd,control-plane"
tui_keys r
check "the review" wait_for "[review]"
check "shows cloud_provider" wait_for 'cloud_provider = "vsphere";'
tui_keys s
check "s saves" wait_for "saved"
S=$TUI_CFG/clusters/stor.cfg
ok_file() { test -f "$S"; }
check "clusters/stor.cfg is written" ok_file
check "with the block as typed" grep -qF 'datastore_url = "ds:///vmfs/volumes/5f3a-77/";' "$S"
check "datacenters as a list" grep -qE 'datacenters = \[ *"DC0", *"DC1" *\];' "$S"
check "reclaim_policy Retain" grep -qF 'reclaim_policy = "Retain";' "$S"
tui_quit
tui_done
