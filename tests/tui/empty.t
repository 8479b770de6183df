#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# An empty configuration folder (at 80x24): the Clusters screen says how to
# make the first cluster (n, the wizard; V, a vCenter) and the Templates
# screen the first template (n), whole lines, in English and German; in
# read-only mode they say those keys are off.
. "$top_srcdir/tests/tui/lib.sh"

rm -f "$TUI_CFG"/clusters/*.cfg "$TUI_CFG"/templates/*.cfg
rm -rf "$TUI_STATE"/*
tui_start_rw
tui_resize 80 24
check "the console starts on an empty Clusters screen" wait_for "No clusters yet."
check "n names the wizard and V a vCenter" \
    wait_match "^ *n makes one with the wizard; V adds a vCenter first if none is set up\\.$"
check "and the folder" wait_match "^ *Or put cluster specs in the configuration folder's clusters/\\.$"
tui_keys n
check "n opens the wizard, as said" wait_for "New cluster: [cluster]"
tui_keys Escape
check "Esc back" wait_for "No clusters yet."
tui_keys 2
check "an empty Templates screen" wait_for "No node templates yet."
check "n names the editor" \
    wait_match "^ *n makes one with the editor; V adds a vCenter first if none is set up\\.$"
check "and the folder" wait_match "^ *Or put them in the configuration folder's templates/\\.$"
tui_keys n
check "n opens the template editor, as said" wait_for "New node template"
tui_quit

tui_start_rw LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8
tui_resize 80 24
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    check "German: no clusters yet" wait_for "Noch keine Cluster."
    check "German: n and V" wait_match "^ *n legt einen mit dem Assistenten an; V fügt vorher ein vCenter hinzu\\.$"
    tui_keys 2
    check "German: no templates yet, n" wait_match "^ *n legt eine mit dem Editor an; V fügt vorher ein vCenter hinzu\\.$"
else
    ok "# SKIP the de_DE.UTF-8 locale is not generated (scripts/deps does it)"
fi
tui_quit

tui_start
tui_resize 80 24
check "read-only: no clusters" wait_for "No clusters. Put cluster specs in the configuration folder's clusters/."
check "n and V are off" wait_for "Read-only mode: n (new cluster) and V (add a vCenter) are off."
tui_keys 2
check "read-only: n on Templates is off" wait_for "Read-only mode: n (new template) is off."
tui_quit
tui_done
