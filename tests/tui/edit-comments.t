#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Editing a hand-written cluster file with comments (issue 12: comments are
# not lost silently): the review warns before saving, naming the comment
# lines that saving does not keep and the backup the file as it is goes to;
# s then saves, the backup holds the comments, and the next edit of the file
# (now drover's own) warns of nothing. An unchanged review warns of nothing.
. "$top_srcdir/tests/tui/lib.sh"

E=$TUI_CFG/clusters/edge.cfg
cat >"$E" <<'EOS'
# Edge site, owned by the platform team.
# A cluster's desired state, written by drover. The name is the file's name.
distribution = "k3s";
vcenter = "lab";   // the lab's vCenter
pools = (
    { name = "tiny"; template = "ubuntu-worker"; quantity = 1;
      /* one node: the site has one host */
      roles = [ "etcd", "control-plane", "worker" ]; hostname_prefix = "edge-"; }
);
EOS
orig=$(cat "$E")
tui_start_rw
tui_resize 80 24
check "the console starts" wait_for "edge"
tui_keys g e
check "e opens the wizard on edge" wait_for "Edit cluster: [cluster]"
tui_keys Tab Tab Tab Tab Tab Enter   # vCenter ... airgap bundle, Next
check "its pools" wait_match "tiny +ubuntu-worker +1"
tui_keys r
check "an unchanged review" wait_for "No change: c writes nothing and starts nothing."
check "warns of nothing (nothing is written)" not_on_screen "has comments"
tui_keys Escape
check "back to the pools" wait_match "tiny +ubuntu-worker +1"
tui_keys Enter
check "the pool's form" wait_match "Pool name +tiny"
tui_keys Tab Tab C-u
tui_type "2"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do tui_keys Tab; done
tui_keys Enter
check "the pool now has 2" wait_match "tiny +ubuntu-worker +2"
tui_keys r
check "the review shows the change" wait_match "^ *\\+ +quantity = 2;"
# Line 2 is drover's own header, which the save keeps: not listed.
check "and warns that the comments (lines 1, 4, 7) are not kept" \
    wait_for "clusters/edge.cfg has comments (line 1, 4, 7) that saving does not keep:"
check "naming the backup" wait_for "the file as it is now is kept as clusters/edge.cfg.bak"
tui_keys s
check "s saves" wait_for "Cluster edge saved in clusters/edge.cfg"
bak_same() { [ "$(cat "$E.bak")" = "$orig" ]; }
check "clusters/edge.cfg.bak is the file as it was, comments and all" bak_same
check "clusters/edge.cfg has the new quantity" grep -q "quantity = 2;" "$E"
check "and not the comments" sh -c "! grep -q 'platform team' '$E'"
tui_keys g e
check "e again" wait_for "Edit cluster: [cluster]"
tui_keys Tab Tab Tab Tab Tab Enter   # vCenter ... airgap bundle, Next
check "its pools" wait_match "tiny +ubuntu-worker +2"
tui_keys Enter
check "the pool's form" wait_match "Pool name +tiny"
tui_keys Tab Tab C-u
tui_type "3"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do tui_keys Tab; done
tui_keys Enter
check "the pool now has 3" wait_match "tiny +ubuntu-worker +3"
tui_keys r
check "the review shows the change" wait_match "^ *\\+ +quantity = 3;"
check "and no comment warning: the file is drover's own" not_on_screen "has comments"
tui_keys Escape Escape Escape
tui_quit
tui_done
