#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Adding the lab's vCenter from the console, at 80x24, from an empty
# configuration folder: the form, the certificate (its SHA-256 fingerprint
# as the lab's certificate has it), pinned only after y; a wrong password
# says so and keeps the form as typed; the right one saves vcenters.cfg
# (0600, the lab's pin), which `drover vcenter check` accepts. The password
# is never on the screen nor in the log. Read-only mode does not open it.
. "${top_srcdir:?}/tests/tui/lablib.sh"
lab_up || { echo "Bail out! lab up failed"; exit 1; }

CFG=$W/config STATE=$W/state
mkdir -m 700 "$CFG" "$STATE"
# Every screen the test looked at, to check that the password never showed.
screens=$W/screens
snap() { screen >>"$screens"; }

tl_start
ok "the console comes up on an empty configuration" wait_for 20 seen "Clusters"
ok "its engine is ready" wait_for 20 seen_re "engine ready|recovery finished|No clusters|no clusters" 
keys V
ok "V opens the vCenter form" wait_for 10 seen "Add a vCenter"
ok "with the password's source" wait_for 10 seen "Password from"
type_text "lab"; keys Tab
type_text "$LAB_URL"; keys Tab
# Esc leaves the form; what was typed is there when it opens again.
keys Escape
ok "Esc leaves the form" wait_for 5 gone "Add a vCenter"
keys V
ok "V opens it again" wait_for 5 seen "Add a vCenter"
ok "with the name and URL as typed" wait_for 10 sh -c "tmux -S '$sock' capture-pane -p | grep -qF '$LAB_URL'"
keys Tab Tab
type_text "$LAB_USER"; keys Tab
keys Tab          # the source stays "typed here"
type_text "wrong-$LAB_PASSWORD"
snap
ok "the typed password is not on the screen" gone "wrong-$LAB_PASSWORD"
keys Tab
ok "the password row shows stars" wait_for 5 seen "********"
keys Enter        # Connect
ok "the certificate is shown" wait_for 20 seen "SHA-256"
snap
ok "with the lab certificate's fingerprint" wait_for 10 seen "${LAB_CERT_SHA256:0:38}"
ok "all of it, over two lines" wait_for 10 sh -c "tmux -S '$sock' capture-pane -p | tr -d ' \\n' | grep -qF '${LAB_CERT_SHA256//:/}' || tmux -S '$sock' capture-pane -p | tr -d ' \\n' | grep -qF '$LAB_CERT_SHA256'"
ok "its subject and validity" wait_for 10 sh -c "tmux -S '$sock' capture-pane -p | grep -q 'Subject' && tmux -S '$sock' capture-pane -p | grep -q 'Valid'"
ok "not trusted yet" wait_for 10 seen "Trusted"
ok "nothing is saved before the operator confirms" test ! -e "$CFG/vcenters.cfg"
keys y
ok "a wrong password says so" wait_for 30 seen_re "InvalidLogin|cannot log in|incorrect"
snap
ok "and keeps the form as typed" wait_for 10 sh -c "tmux -S '$sock' capture-pane -p | grep -qF '$LAB_URL'"
ok "with the user" wait_for 10 seen "$LAB_USER"
ok "nothing is saved after a failed login" test ! -e "$CFG/vcenters.cfg"
# The focus is on the password: clear it, type the right one, connect.
keys C-u
type_text "$LAB_PASSWORD"
snap
keys Tab
keys Enter
ok "the certificate again" wait_for 20 seen "SHA-256"
keys n
ok "n goes back to the form" wait_for 5 seen "Password from"
ok "still nothing saved" test ! -e "$CFG/vcenters.cfg"
keys Enter        # still on Connect
ok "the certificate once more" wait_for 20 seen "SHA-256"
keys y
ok "the vCenter is added" wait_for 30 seen "vCenter lab added"
snap
ok "vcenters.cfg is written" test -f "$CFG/vcenters.cfg"
is "$(stat -c %a "$CFG/vcenters.cfg")" 600 "vcenters.cfg is 0600"
ok "it pins the lab's key" grep -qF "$LAB_PIN" "$CFG/vcenters.cfg"
ok "drover vcenter check accepts it" "$DROVER" --config-dir "$CFG" --state-dir "$W/state2" vcenter check lab
ok "drover validate accepts it" "$DROVER" --config-dir "$CFG" --state-dir "$W/state2" validate
ok "the password never showed" sh -c "! grep -qF -- '$LAB_PASSWORD' '$screens'"
ok "nor in the log" sh -c "! grep -qF -- '$LAB_PASSWORD' '$STATE/drover.log'"
ok "the header names the vCenter" wait_for 10 seen "lab"
keys Escape; type_text ":q"; keys Enter
ok "drover exits with status 0" wait_for 20 seen "DROVER-EXIT:0"

# Read-only: the form does not open.
tl_start --read-only
ok "read-only console comes up" wait_for 20 seen "Clusters"
keys V
ok "V is refused in read-only mode" wait_for 10 seen_re "[Rr]ead-only"
ok "and the form does not open" gone "Add a vCenter"
keys Escape; type_text ":q"; keys Enter
ok "drover exits with status 0" wait_for 20 seen "DROVER-EXIT:0"

# In German, at 80x24 (the catalogue compiled into the build tree).
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' &&
    [ -f "$top_builddir/tests/tui/locale/de/LC_MESSAGES/drover.mo" ]; then
    TL_ENV=(LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 "DROVER_LOCALEDIR=$top_builddir/tests/tui/locale")
    tl_start
    ok "the German console comes up" wait_for 20 seen "Vorlagen"
    keys V
    ok "the form in German" wait_for 10 seen "vCenter hinzufügen"
    ok "its rows in German" wait_for 10 seen "Passwort aus"
    ok "its key hints in German" wait_for 10 seen "Tab/S-Tab bewegt"
    keys Tab
    ok "a field's message in German (validate's words)" wait_for 5 seen "ist erforderlich"
    keys Escape; type_text ":q"; keys Enter
    ok "drover exits with status 0" wait_for 20 seen "DROVER-EXIT:0"
fi
done_testing
