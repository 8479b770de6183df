#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The template editor's list fields against the lab, at 80x24: networks in
# NIC order, each picked from the vCenter's inventory (a second network is
# added, moved to the front, and one removed and put back); tags picked
# from the vCenter's tags (only those a VM may carry) or typed;
# extra_config and custom_attributes typed, each bad item refused under the field
# in validate's words with what was typed kept, good ones listed; the saved
# file holds the lists in the order shown and passes `drover validate`;
# opening it again and saving unchanged writes nothing.
. "${top_srcdir:?}/tests/tui/lablib.sh"
lab_up || { echo "Bail out! lab up failed"; exit 1; }
net() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" net --state "$LAB_STATE" "$@" >/dev/null; }
ok "lab: a distributed switch" net dvs "$LAB_DATACENTER/network/sw01" DSw1
ok "lab: a second network, a port group on it" net dvpg "$LAB_DATACENTER/network/sw01/DSw1" list-net
tl_config
T=$CFG/templates/lab.cfg
tl_edit_lab
# vcenter -> datacenter, cluster, host, pool, datastore, folder, networks
for i in 1 2 3 4 5 6 7; do keys Tab; done
ok "the networks row shows the saved network" wait_for 10 seen_re ">Networks +$LAB_NETWORK"
keys Enter
ok "the list opens in NIC order" wait_for 10 seen_re "NIC 1 +$LAB_NETWORK"
keys F1
ok "F1: the help names the list editor's keys" wait_for 10 seen "Template lists (networks, extra_config, tags, attributes): a adds"
keys Escape
ok "Esc returns to the list" wait_for 10 seen_re "NIC 1 +$LAB_NETWORK"
keys a
ok "a opens the network picker" wait_for 10 seen "Pick a Network"
type_text "list-net"
ok "the port group is listed, with its kind" wait_for 30 seen "DistributedVirtualPortgroup"
keys Enter
ok "it becomes NIC 2" wait_for 10 seen_re "NIC 2 +.*list-net"
keys K
ok "K moves it up to NIC 1" wait_for 10 seen_re "NIC 1 +.*list-net"
ok "and the first network to NIC 2" wait_for 10 seen_re "NIC 2 +$LAB_NETWORK"
keys Down d
ok "d removes the selected one" wait_for 10 seen "removed $LAB_NETWORK"
ok "NIC 2 is gone" gone "NIC 2"
keys a
ok "the picker again" wait_for 10 seen "Pick a Network"
type_text "$LAB_NETWORK"
ok "filtered" wait_for 30 seen " 1 items"
keys Enter
ok "added back as NIC 2" wait_for 10 seen_re "NIC 2 +$LAB_NETWORK"
keys Escape
ok "the form shows both, in order" wait_for 10 seen_re "Networks +[^ ]*list-net, $LAB_NETWORK"

# networks -> clone_from, clone_mode, snapshot, cpus, memory, disk, ssh
# user, ssh port, os, user data, extra_config
for i in $(seq 1 11); do keys Tab; done
keys Enter
ok "the extra_config list opens" wait_for 10 seen "extra_config: advanced settings"
keys a
ok "a opens the entry" wait_for 10 seen "A new item"
type_text "guestinfo.userdata=mine"
keys Enter
ok "drover's own key is refused, in validate's words" \
    wait_for 10 seen "'guestinfo.userdata' is set by drover itself"
ok "what was typed stays" seen "guestinfo.userdata=mine"
keys C-u
type_text "disk.EnableUUID=TRUE"
keys Enter
ok "a good setting is listed" wait_for 10 seen_re "Setting 1 +disk.EnableUUID=TRUE"
keys a
type_text "no-equals-sign"
keys Enter
ok "a line without = is refused" wait_for 10 seen "write key=value"
keys Escape
ok "Esc drops the entry, the list stays" wait_for 10 gone "no-equals-sign"
ok "with its setting" seen "disk.EnableUUID=TRUE"
keys Escape
keys Tab Enter
ok "the tags list opens" wait_for 10 seen "vCenter tags attached to each VM"
ok "its keys: a picks, t types" wait_for 5 seen "a pick  t type"
keys a
ok "a opens the vCenter's tags" wait_for 10 seen "Pick a Tag from vCenter lab"
ok "the lab's VM tags are listed" wait_for 30 seen "env/prod"
ok "with a '/' in a category name escaped as the file spells it" wait_for 5 seen "site%2feu/fra"
ok "a category only for hosts is not offered" gone "rack/r1"
type_text "env/prod"
ok "filtered to one" wait_for 10 seen " 1 items"
keys Enter
ok "the picked tag is listed" wait_for 10 seen_re "Tag 1 +env/prod"
keys t
ok "t types one" wait_for 10 seen "A new item"
type_text "team/"
keys Enter
ok "a typed tag without a name is refused" wait_for 10 seen "write category/name"
keys C-u
type_text "team/platform"
keys Enter
ok "two tags, in order" wait_for 10 seen_re "Tag 2 +team/platform"
keys Escape
keys Tab Enter
ok "the custom attributes list opens" wait_for 10 seen "vCenter custom attributes"
keys a
type_text "owner = team-a"
keys Enter
keys a
type_text "owner=twice"
keys Enter
ok "an attribute given twice is refused" wait_for 10 seen "duplicate key 'owner'"
keys Escape Escape
ok "the form lists the attribute" wait_for 10 seen_re "Custom attributes +owner=team-a"
keys Tab Enter
# The lab's file is hand-written with a comment: the first Save says so
# and writes nothing, Save again saves.
ok "Save first says the comment is not kept" wait_for 10 seen "Comments (line 1) are not kept"
keys Enter
ok "the template is saved" wait_for 10 seen "Template lab saved"
ok "networks in the order shown" grep -qE "^networks = \[ \"[^\"]*list-net\", \"$LAB_NETWORK\" \];" "$T"
ok "extra_config" grep -qF 'key = "disk.EnableUUID";' "$T"
ok "its value" grep -qF 'value = "TRUE";' "$T"
ok "tags in order" grep -qF 'tags = [ "env/prod", "team/platform" ];' "$T"
ok "the custom attribute (blanks around = dropped)" grep -qF 'key = "owner";' "$T"
ok "its value" grep -qF 'value = "team-a";' "$T"
nok "nothing refused reached the file" grep -qE "guestinfo.userdata|twice|no-equals" "$T"
ok "drover validate passes" "$DROVER" --config-dir "$CFG" --state-dir "$W/v" validate
sum=$(sha256sum "$T")
keys g e
ok "e opens it again" wait_for 10 seen "Edit node template lab"
ok "the lists as saved" wait_for 10 seen_re "Networks +[^ ]*list-net, $LAB_NETWORK"
for i in $(seq 1 25); do keys Tab; done
keys BTab Enter
ok "an unchanged save says so" wait_for 10 seen "Nothing changed"
is "$(sha256sum "$T")" "$sum" "the file is untouched"
tl_quit
done_testing
