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
