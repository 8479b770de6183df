# Shared by the console tests against a lab (tests/tui/*-lab tests): a lab
# from tests/lab/testlib.sh, drover's configuration from `lab env`, and a
# private tmux server running drover at 80x24. Every wait is a bounded poll.
# shellcheck shell=bash
. "${top_srcdir:?}/tests/lab/testlib.sh"
lab_require
command -v tmux >/dev/null || skip_all "tmux is not installed"

W=$(mktemp -d "${TMPDIR:-/tmp}/drover-tuilab.XXXXXX")
sock=$W/tmux.sock
tl_cleanup() {
    local s
    for s in "$W"/tmux*.sock; do [ -S "$s" ] && tmux -S "$s" kill-server >/dev/null 2>&1; done
    rm -rf "$W"
    lab_cleanup
}
trap tl_cleanup EXIT
screen() { tmux -S "$sock" capture-pane -p 2>/dev/null; }
keys() { tmux -S "$sock" send-keys "$@"; }
type_text() { tmux -S "$sock" send-keys -l "$1"; }
seen() { screen | grep -qF -- "$1"; }
seen_re() { screen | grep -qE -- "$1"; }
gone() { ! screen | grep -qF -- "$1"; }

# A failed check shows the screen it looked at.
ok() {
    local d=$1
    shift
    "$@"
    local rc=$?
    tap_result $rc "$d"
    [ $rc = 0 ] || screen | sed 's/^/#   /'
    return 0
}

# tl_config: drover's configuration for the lab in $CFG (vcenters.cfg, the
# lab's template), state in $STATE.
tl_config() {
    LAB_VCSIM=$(lab_vcsim) bash "$LAB" env --state "$LAB_STATE" --drover-config "$W/xdg" \
        >/dev/null || { echo "Bail out! lab env failed"; exit 1; }
    CFG=$W/xdg/drover
    STATE=$W/state
    mkdir -p -m 700 "$STATE"
    rm -f "$CFG/lab-cluster.cfg"
    # The test recipe installs no Kubernetes: no health polling of its
    # clusters' (unserved) API, no wait for its nodes' kubelets.
    printf 'health_interval = 0;\nregister_timeout = 0;\n' >"$CFG/drover.cfg"
}

# tl_start [drover options]: drover in a fresh tmux server at 80x24, with
# the VAR=value words of the TL_ENV array in its environment.
TL_ENV=()
tl_n=0
tl_start() {
    # A new server each time: reusing a socket races with the old one's exit.
    tmux -S "$sock" kill-server >/dev/null 2>&1
    tl_n=$((tl_n + 1))
    sock=$W/tmux.$tl_n.sock
    local cmd
    cmd=$(printf '%q ' env LANG=C.UTF-8 TERM=xterm-256color "DROVER_THEMES_DIR=$top_srcdir/themes" \
        "${TL_ENV[@]}" "$DROVER" --config-dir "$CFG" --state-dir "$STATE" "$@")
    LANG=C.UTF-8 tmux -u -f /dev/null -S "$sock" new-session -d -x 80 -y 24 \
        "$cmd; echo DROVER-EXIT:\$?; sleep 3600"
    tmux -S "$sock" set-option -g status off >/dev/null
}

# tl_edit_lab [description]: tl_start, then the templates screen (2) and the
# editor on template lab (g e), each step a TAP result; the first one's
# description is "the console comes up" unless given.
tl_edit_lab() {
    tl_start
    ok "${1:-the console comes up}" wait_for 20 seen "Clusters"
    keys 2
    ok "the templates screen" wait_for 10 seen "NETWORKS"
    keys g e
    ok "e opens the editor" wait_for 10 seen "Edit node template lab"
}

tl_quit() {
    keys Escape
    type_text ":q"
    keys Enter
    ok "drover exits with status 0" wait_for 20 seen "DROVER-EXIT:0"
}
