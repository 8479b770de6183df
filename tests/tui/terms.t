#!/bin/bash
# The console on the terminal types operators have: it draws, reads keys,
# and quitting gives the terminal back as it was (screen restored, cooked
# mode, echo on). Outside UTF-8 the lines are ASCII.
. "$top_srcdir/tests/tui/lib.sh"

# Cooked mode and echo back, exit status 0; on terminals with an alternate
# screen (not linux, vt100) the shell's screen is back as well.
restored() {
    wait_for "DROVER-EXIT:0" && wait_match "(^| )icanon( |$)" && wait_match "(^| )echo( |$)" ||
        return 1
    case ${1:-} in
    linux | vt100) return 0 ;;
    esac
    wait_for "BEFORE-DROVER" && wait_gone " drover 0.1.0"
}

for term in xterm-256color tmux-256color screen linux vt100; do
    tui_start TERM=$term
    check "$term: the clusters screen draws" wait_match "prod +k3s v1.30.4\+k3s1 +Degraded"
    tui_keys 3
    check "$term: keys work" wait_for "stg-02"
    tui_keys G
    tui_keys Enter
    check "$term: G and Enter work" wait_for "vm-202"
    tui_keys Escape
    wait_for "stg-01"
    tui_keys Q
    check "$term: quitting restores the terminal" restored $term
done

# Outside a UTF-8 locale: ASCII rules, progress bars and ellipses.
tui_start LANG=C TERM=vt100
wait_for "staging"
tui_keys ':'
tui_type 'node prod/worker-02'
tui_keys Enter
check "C locale: the log rule is ASCII" wait_match "^-- Log -+"
check "C locale: the progress bar is ASCII" wait_match "Progress +72% #+\.+$"
check "C locale: no UTF-8 bytes on screen" eventually ascii_only
tui_keys Q
check "C locale: quitting restores the terminal" restored vt100

# A TERM this machine's terminfo does not know (a new emulator's own type,
# over SSH to a host without ncurses-term): the console falls back to a close
# type by the name's family, says which on the status line and in the log,
# and works. Each row: TERM, the type expected in its place.
touch "$TUI_STATE/drover.log"
chmod 600 "$TUI_STATE/drover.log"
while read -r term want; do
    if infocmp "$term" >/dev/null 2>&1; then
        ok "# SKIP $term is known on this machine"
        continue
    fi
    tui_start TERM=$term
    check "$term: the console starts on $want" wait_match "prod +k3s v1.30.4\+k3s1 +Degraded"
    check "$term: the status line names $want" \
        wait_for "Terminal type '$term' is not known here; using $want"
    check "$term: so does the log" \
        grep -qF "Terminal type '$term' is not known here; using $want" "$TUI_STATE/drover.log"
    tui_keys 3
    check "$term: keys work" wait_for "stg-02"
    tui_keys Q
    check "$term: quitting restores the terminal" restored "$want"
done <<'ROWS'
xterm-kitty xterm-256color
xterm-ghostty xterm-256color
alacritty xterm-256color
screen.xterm-kitty screen-256color
tmux-drover-test tmux-256color
vt525-drover-test vt100
ROWS

# Only when no type works does drover give up: exit 2, one line on the
# terminal that says why, and the terminal as it was (it was never set up).
gave_up() {
    local code=$1 text=$2 out
    wait_for "DROVER-EXIT:$code" && wait_match "(^| )icanon( |$)" &&
        wait_match "(^| )echo( |$)" || return 1
    # Between the shell's marker and the exit line: exactly that one line.
    out=$(tui_screen -J | sed -n '/^BEFORE-DROVER$/,/^DROVER-EXIT:/p' | sed '1d;$d' | grep -v '^$')
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [[ $out == "drover: "*"$text"* ]] ||
        { echo "# output was: $out"; return 1; }
}
tui_start TERM=dumb
check "TERM=dumb: exit 2 with one line, the terminal sane" \
    gave_up 2 "terminal type 'dumb' cannot move the cursor"

# No terminfo at all: every folder of the database hidden under an empty one
# in a private mount namespace, so neither the type nor any fallback exists.
hide=$TUI_TMP/no-terminfo-drover
mkdir -p "$TUI_TMP/empty-terminfo"
cat >"$hide" <<SCRIPT
#!/bin/sh
[ -n "\$IN_NS" ] || IN_NS=1 exec unshare -rm "\$0" "\$@"
for d in \$(infocmp -D 2>/dev/null) /etc/terminfo /lib/terminfo /usr/share/terminfo "\$HOME/.terminfo"; do
    [ -d "\$d" ] && mount --bind "$TUI_TMP/empty-terminfo" "\$d"
done
infocmp vt100 >/dev/null 2>&1 && { echo "terminfo is still there"; exit 99; }
exec "$DROVER" "\$@"
SCRIPT
chmod +x "$hide"
if unshare -rm true 2>/dev/null; then
    DROVER=$hide tui_start TERM=xterm-kitty
    check "no terminfo: exit 2 with one line naming the types tried, the terminal sane" \
        gave_up 2 "terminal type 'xterm-kitty' is not known here, nor are the types tried in its place (xterm-256color, xterm, vt100)"
else
    ok "# SKIP unshare cannot create a mount namespace here"
fi

# SIGTERM ends the console cleanly too.
tui_start
wait_for "staging"
kill -TERM "$(tui_pid)"
check "SIGTERM: the terminal is restored" restored
# SIGHUP (the SSH connection dropped): with no job running there is nothing
# to finish headless, so drover exits at once, without touching the terminal.
tui_start
wait_for "staging"
kill -HUP "$(tui_pid)"
# The terminal is not reset, so the exit line may wrap: read joined lines.
exited() {
    local i
    for ((i = 0; i < 200; i++)); do
        tui_screen -J | tr -d '\n' | grep -qF "DROVER-EXIT:0" && return 0
        sleep 0.05
    done
    return 1
}
check "SIGHUP with nothing running: drover exits with 0" exited
tui_done
