#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The template editor on a hand-written template with a comment, at 80x24
# (tester report 3; issue 12: comments are not lost silently): the first
# Save writes nothing and says, under Save, which comment lines saving does
# not keep and the backup the file goes to, as the cluster review does;
# Save again saves, the backup holds the comment. A template with only
# drover's own header comment saves at once.
. "$top_srcdir/tests/tui/lib.sh"

T=$TUI_CFG/templates/ubuntu-worker.cfg
{ echo "# my template comment"; cat "$T"; } >"$T.new" && mv "$T.new" "$T"
orig=$(cat "$T")
tui_start_rw
tui_resize 80 24
check "the console starts" wait_for "edge"
tui_keys 2
check "the templates screen" wait_for "NETWORKS"
tui_keys G e
check "e edits ubuntu-worker" wait_for "Edit node template ubuntu-worker"
for _ in $(seq 11); do tui_keys Tab; done   # vCenter ... snapshot -> CPUs
tui_keys C-u
tui_type "6"
check "CPUs typed" wait_match "CPUs +6"
for _ in $(seq 10); do tui_keys Tab; done   # memory ... custom attributes -> Save
tui_keys Enter
check "Save warns first, naming the comment's line" wait_for "Comments (line 1) are not kept"
check "and the backup" wait_for "templates/ubuntu-worker.cfg.bak. Save again saves"
unchanged() { [ "$(cat "$T")" = "$orig" ]; }
check "nothing was written yet" unchanged
check "no backup yet" test ! -e "$T.bak"
tui_keys Enter
check "Save again saves" wait_for "Template ubuntu-worker saved; old file kept as"
bak_same() { [ "$(cat "$T.bak")" = "$orig" ]; }
check "the backup is the file as it was, comment and all" bak_same
check "the template has 6 CPUs" grep -q "^cpus = 6;" "$T"
# Now drover's own file (its header comment only): no warning.
tui_keys G e
check "e again" wait_for "Edit node template ubuntu-worker"
for _ in $(seq 11); do tui_keys Tab; done
tui_keys C-u
tui_type "8"
check "CPUs typed" wait_match "CPUs +8"
for _ in $(seq 10); do tui_keys Tab; done
tui_keys Enter
check "drover's own file saves at once" wait_for "Template ubuntu-worker saved"
check "with no comment warning" not_on_screen "are not kept"
check "the template has 8 CPUs" grep -q "^cpus = 8;" "$T"
tui_quit
tui_done
