# Shared helpers for the TUI tests: a private tmux server runs the real
# drover in a detached session of a fixed size; tests type with send-keys and
# read the screen with capture-pane. Every wait is a bounded poll.
# shellcheck shell=bash

: "${top_srcdir:?run through make check}" "${top_builddir:?}" "${DROVER:?}"

command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/drover-tui.XXXXXX")
TUI_SOCK="$TUI_TMP/tmux.0.sock"
tui_sessions=0
TUI_CFG="$TUI_TMP/config"
TUI_STATE="$TUI_TMP/state"
TUI_LOCALEDIR="$top_builddir/tests/tui/locale"
tap_n=0
tap_failed=0

tui_cleanup() {
    local s
    for s in "$TUI_TMP"/tmux.*.sock; do
        [ -S "$s" ] && tmux -S "$s" kill-server >/dev/null 2>&1
    done
    rm -rf "$TUI_TMP"
}
trap tui_cleanup EXIT
trap 'exit 1' INT TERM HUP

cp -R "$top_srcdir/tests/fixtures/tui/config" "$TUI_CFG"
cp -R "$top_srcdir/tests/fixtures/tui/state" "$TUI_STATE"
chmod -R u+w "$TUI_CFG" "$TUI_STATE"
chmod 600 "$TUI_CFG/vcenters.cfg"

ok() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $*"
}

not_ok() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $*"
    echo "# screen was:"
    tui_screen | sed 's/^/#   /'
}

# check DESCRIPTION COMMAND...: one TAP line from a command's status.
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

tui_done() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

# tui_start [VAR=value...] -- [drover options]: a fresh session at 120x40,
# read-only: its engine only watches the state files, so what the screens
# show is the fixture's and nothing else. The pane stays after drover exits
# so that its exit code and the restored terminal can be checked.
tui_start() {
    local a
    for a in "$@"; do
        [ "$a" = "--" ] && { tui_start_rw "$@" --read-only; return; }
    done
    tui_start_rw "$@" -- --read-only
}

# The same without --read-only: the engine may act on the fixture (its
# vCenter has no password, so nothing leaves the machine).
tui_start_rw() {
    local envs=() size_x=120 size_y=40
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        envs+=("$1")
        shift
    done
    [ "${1:-}" = "--" ] && shift
    # A new server each time: reusing a socket races with the old one's exit.
    # TUI_KEEP=1 leaves the previous session running (two drovers at once).
    [ -n "${TUI_KEEP:-}" ] || tmux -S "$TUI_SOCK" kill-server >/dev/null 2>&1
    tui_sessions=$((tui_sessions + 1))
    TUI_SOCK="$TUI_TMP/tmux.$tui_sessions.sock"
    local cmd
    cmd=$(printf '%q ' env -u LC_ALL -u LANGUAGE LANG=C.UTF-8 TERM=xterm-256color \
        "DROVER_THEMES_DIR=$top_srcdir/themes" "DROVER_LOCALEDIR=$TUI_LOCALEDIR" \
        "XDG_CONFIG_HOME=$TUI_TMP/xdg-config" "XDG_STATE_HOME=$TUI_TMP/xdg-state" \
        "${envs[@]}" "$DROVER" --config-dir "$TUI_CFG" --state-dir "$TUI_STATE" "$@")
    LANG=C.UTF-8 tmux -u -f /dev/null -S "$TUI_SOCK" new-session -d -x "$size_x" -y "$size_y" \
        "stty sane; echo BEFORE-DROVER; $cmd; echo \"DROVER-EXIT:\$?\"; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)\$' | tr '\\n' ' '; echo; exec sleep 86400"
    tmux -S "$TUI_SOCK" set-option -g status off >/dev/null
}

tui_keys() {
    tmux -S "$TUI_SOCK" send-keys "$@"
}

# Type text literally (no key names).
tui_type() {
    tmux -S "$TUI_SOCK" send-keys -l "$1"
}

tui_screen() {
    tmux -S "$TUI_SOCK" capture-pane -p "$@" 2>/dev/null
}

tui_resize() {
    tmux -S "$TUI_SOCK" resize-window -x "$1" -y "$2"
}

# wait_for TEXT [SECONDS]: true once the screen shows TEXT (fixed string).
wait_for() {
    local i tries=$(( ${2:-10} * 20 ))
    for ((i = 0; i < tries; i++)); do
        tui_screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    return 1
}

# wait_gone TEXT [SECONDS]: true once TEXT is no longer on the screen.
wait_gone() {
    local i tries=$(( ${2:-10} * 20 ))
    for ((i = 0; i < tries; i++)); do
        tui_screen | grep -qF -- "$1" || return 0
        sleep 0.05
    done
    return 1
}

# wait_match REGEX [SECONDS]
wait_match() {
    local i tries=$(( ${2:-10} * 20 ))
    for ((i = 0; i < tries; i++)); do
        tui_screen | grep -qE -- "$1" && return 0
        sleep 0.05
    done
    return 1
}

# wait_no_match REGEX [SECONDS]: true once no line of the screen matches REGEX.
wait_no_match() {
    local i tries=$(( ${2:-10} * 20 ))
    for ((i = 0; i < tries; i++)); do
        tui_screen | grep -qE -- "$1" || return 0
        sleep 0.05
    done
    return 1
}

# wait_screen SCREEN: true once the whole screen is SCREEN (within 10 s).
wait_screen() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(tui_screen)" = "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# settled_screen: print the screen once two captures in a row agree (a frame
# can reach tmux in more than one write), to keep as a reference; fails after
# 10 s of change.
settled_screen() {
    local i a b
    a=$(tui_screen)
    for ((i = 0; i < 200; i++)); do
        sleep 0.05
        b=$(tui_screen)
        [ "$a" = "$b" ] && { printf '%s\n' "$a"; return 0; }
        a=$b
    done
    return 1
}

# The line of the screen holding TEXT.
screen_line() {
    tui_screen | grep -F -- "$1" | head -1
}

# Line number (1-based) of the first line matching TEXT, or 0.
line_of() {
    local n
    n=$(tui_screen | grep -nF -- "$1" | head -1 | cut -d: -f1)
    echo "${n:-0}"
}

# Quit through the command line; drover must exit with status 0 (under the
# sanitizers that also means no leak).
tui_quit() {
    tui_keys Escape
    tui_type ':q'
    tui_keys Enter
    check "quits with exit status 0" wait_for "DROVER-EXIT:0"
}

# SGR colour parameters on screen (capture -e): foreground/background
# colours only, not the attribute codes or the "default colour" resets.
screen_colours() {
    tui_screen -e | grep -oE $'\e\\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n' |
        grep -E '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$' | sort -u | tr '\n' ' '
}

# The SGR codes that start line N of the screen.
line_sgr() {
    tui_screen -e | sed -n "${1}p" | grep -oE $'^(\e\\[[0-9;]*m)+' | tr -d '\033[' | tr 'm' ' '
}

# drover's pid: the pane's shell runs it as a child.
tui_pid() {
    pgrep -P "$(tmux -S "$TUI_SOCK" display-message -p '#{pane_pid}')" -x drover
}

# Wait until a read-write session's engine has started and finished its
# start-up recovery (or is not there at all), so that its notes do not race
# with what a test reads on the status line. Leaves the clusters screen on.
tui_engine_settled() {
    tui_keys 4
    wait_match "recovery finished|engine ready|NO ENGINE|KEINE ENGINE" 20
    tui_keys 1
    wait_for "staging"
}

# eventually CMD...: CMD (a predicate on the screen) turns true within 10 s.
# A frame can reach tmux in more than one write, so even a check after a
# wait_for polls.
eventually() {
    local i
    for ((i = 0; i < 200; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# Predicates for eventually.
node_rows_are() { test "$(tui_screen | grep -cE '^(server|worker|stg)-')" -eq "$1"; }
row_is() { test "$(tui_screen | sed -n "$1p" | cut -c1-${#2})" = "$2"; }
no_colours() { test -z "$(screen_colours)"; }
some_colours() { test -n "$(screen_colours)"; }
line_sgr_is() { test "$(line_sgr "$1")" = "$2"; }
lines_are() { test "$(tui_screen | grep -c .)" -eq "$1"; }
ascii_only() { test -z "$(tui_screen | LC_ALL=C grep -P '[\x80-\xff]')"; }
# above A B: both are on screen, A on an earlier line.
above() {
    local a b
    a=$(line_of "$1")
    b=$(line_of "$2")
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$a" -lt "$b" ]
}
not_on_screen() { ! tui_screen | grep -qF -- "$1"; }
