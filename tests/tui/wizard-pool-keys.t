#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The wizard's pools step at 80x24 (tester report 3): Esc in a NEW pool's
# form keeps the pool as typed (README: "Esc steps back and keeps what was
# typed"), listed and, while a field of it is wrong, marked incomplete so
# that the review reports it; 'a' then Esc with nothing typed adds nothing.
# The template row ("< name >") steps with Right/Left as well as Space and
# Enter, as the README and the row's help say.
. "$top_srcdir/tests/tui/lib.sh"

tui_start_rw
tui_resize 80 24
check "the console starts" wait_for "edge"
tui_keys n
check "n opens the wizard" wait_for "New cluster: [cluster]"
tui_type "kp"
tui_keys Tab
check "the name is typed" wait_match "Name +kp"
tui_keys Tab Tab Tab Tab Tab Enter   # distribution ... airgap bundle, Next
check "the pools step" wait_for "New cluster: cluster > [pools] > review"
tui_keys a
check "a opens a new pool's form" wait_match "Pool name"
tui_type "esc-pool"
tui_keys Tab
check "the template row shows the first template" wait_match "Template +< photon-large >"
check "its help names the keys" wait_for "Space, Enter or Right: the next node template"
tui_keys Right
check "Right steps to the next template" wait_match "Template +< ubuntu-server >"
tui_keys Left
check "Left steps back" wait_match "Template +< photon-large >"
tui_keys Right Right
check "Right twice: the third" wait_match "Template +< ubuntu-worker >"
tui_keys Space
check "Space steps on (round to the first)" wait_match "Template +< photon-large >"
tui_keys Enter
check "Enter steps on too" wait_match "Template +< ubuntu-server >"
tui_keys Escape
check "Esc goes back to the pools list" wait_for "New cluster: cluster > [pools] > review"
check "keeping the new pool as typed" wait_match "esc-pool +ubuntu-server +1 +worker"
check "not marked incomplete" not_on_screen "incomplete"
tui_keys a
check "a opens another new pool" wait_match "Pool name"
tui_type "Bad_Pool"
tui_keys Escape
check "Esc keeps this one too" wait_match "Bad_Pool +photon-large"
check "marked incomplete" wait_match "Bad_Pool +photon-large +1 +worker +\\(incomplete\\)"
tui_keys a
check "a once more" wait_match "Pool name"
tui_keys Escape
check "back to the list" wait_for "[pools]"
count_pools() { test "$(tui_screen | grep -cE '^ *(esc-pool|Bad_Pool) ')" -eq 2 && ! tui_screen | grep -qE '^ +photon-large +1'; }
check "a then Esc with nothing typed adds nothing" eventually count_pools
tui_keys Enter
check "Enter opens the incomplete pool with what was typed" wait_match "Pool name +Bad_Pool"
check "its message under the field" wait_for "not a valid"
tui_keys Escape
tui_keys r
check "the review reports the bad pool name" wait_match "pools\\[1\\]\\.name: node names such as"
# Findings wrap at 80 columns rather than being cut: each whole, with its fix.
check "the pool name problem is shown whole, to its end" wait_match "guests' hostnames and the VMs' names$"
check "the preflight error is shown whole" wait_match "DROVER_TUI_TEST_PASSWORD is not set$"
check "the spec is still shown below them" wait_match "^ +distribution = \"k3s\";"
tui_keys Escape Escape Escape
tui_quit
tui_done
