#!/bin/bash
# The console follows the configuration folder while it runs: a cluster spec
# or node template added, changed or removed shows without a restart (a new
# spec could not be created: "No cluster spec selected"). Files are written
# the way editors and drover save them (a temporary file, then a rename).
. "$top_srcdir/tests/tui/lib.sh"

put() { cat >"$1.tmp" && mv "$1.tmp" "$1"; }
newc() {
    put "$TUI_CFG/clusters/fresh.cfg" <<EOF2
distribution = "k3s";
version = "v1.30.4+k3s1";
vcenter = "lab";
pools = ( { name = "solo"; template = "photon-large"; quantity = $1;
            roles = [ "etcd", "control-plane" ]; hostname_prefix = "fresh-"; } );
EOF2
}

tui_start_rw
wait_for "staging"
check "the new spec is not there yet" not_on_screen "fresh"
newc 1
check "a spec added while the console runs is listed" wait_match "^fresh +k3s v1.30.4\+k3s1 .* solo:1" 15
tui_keys /
tui_type 'fresh'
tui_keys Enter
check "it can be selected" wait_gone "staging"
tui_keys Enter
check "and opened: its pools are the file's" wait_match "solo .*photon-large" 15
tui_keys Escape
tui_keys /
tui_keys Escape
wait_for "staging"
newc 3
check "a changed spec shows as the file is now" wait_match "^fresh .* solo:3" 15
rm "$TUI_CFG/clusters/fresh.cfg"
check "a removed spec (no nodes) goes away" wait_gone "fresh" 15
check "the others stay" wait_for "staging"

# A spec that does not load is said, with its file and line.
printf 'distribution = "k9s";\npools = ();\n' | put "$TUI_CFG/clusters/broken.cfg"
check "a broken new spec is reported with file:line" wait_match "clusters/broken.cfg:1" 15
rm "$TUI_CFG/clusters/broken.cfg"

tui_keys 2
wait_for "photon-large"
sed 's/cpus = 16;/cpus = 3;/' "$TUI_CFG/templates/photon-large.cfg" | put "$TUI_CFG/templates/tiny.cfg"
check "a template added while the console runs is listed" wait_for "tiny" 15
rm "$TUI_CFG/templates/tiny.cfg"
check "a removed template goes away" wait_gone "tiny" 15
check "the keys still answer" eval 'tui_keys 1; wait_for staging'

# Create (c) on a spec added while the console runs: it finds the spec
# (it said "No cluster spec selected").
newc 1
wait_match "^fresh " 15
tui_keys /
tui_type 'fresh'
tui_keys Enter
wait_gone "staging"
tui_keys c
check "create on the new spec starts it" wait_for "Creating cluster fresh" 15
check "not: No cluster spec selected" not_on_screen "No cluster spec selected"

tui_quit
tui_done
