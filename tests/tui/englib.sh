# Shared by the console tests on an engine lab (tests/tui/engine-lab.t,
# preflight.t, vm-kept.t): tests/integration/engine-lib.sh's lab, and drover
# in a private tmux server on the configuration eng_setup wrote. Every wait
# is a bounded poll (wait_for).
# shellcheck shell=bash
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
command -v tmux >/dev/null || skip_all "tmux is not installed"

sock=
tmux_kill() { [ -z "$sock" ] || tmux -S "$sock" kill-server >/dev/null 2>&1; }
tui_cleanup() { tmux_kill; eng_cleanup; }
trap tui_cleanup EXIT
screen() { tmux -S "$sock" capture-pane -p 2>/dev/null; }
keys() { tmux -S "$sock" send-keys "$@"; }
# seen REGEX: true once a line of the screen matches.
seen() { screen | grep -qE -- "$1"; }
node_line() { screen | grep -E -- "^ *$1 " | head -1; }

# console_start COLUMNS LINES [drover options]: drover on eng_setup's
# configuration in a detached tmux session of that size; the pane says
# DROVER-EXIT:<status> when drover ends.
console_start() {
    local x=$1 y=$2 cmd
    shift 2
    sock=$W/tmux.sock
    cmd=$(printf '%q ' env LANG=C.UTF-8 TERM=xterm-256color "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
        "XDG_STATE_HOME=$XDG_STATE_HOME" "DROVER_THEMES_DIR=$top_srcdir/themes" "$DROVER" "$@")
    LANG=C.UTF-8 tmux -u -f /dev/null -S "$sock" new-session -d -x "$x" -y "$y" \
        "$cmd; echo DROVER-EXIT:\$?; sleep 3600"
    tmux -S "$sock" set-option -g status off >/dev/null
}

# console_quit: :q from the main screen; drover must exit with 0.
console_quit() {
    keys Escape
    tmux -S "$sock" send-keys -l ':q'
    keys Enter
    ok "the console quits cleanly" wait_for 10 seen "DROVER-EXIT:0"
}
