#!/bin/bash
# 120 more clusters than the fixture's, each with a state file: the store
# parses the folders on several threads, and the console shows what one
# thread would load: each cluster's own node counts, the problems of broken
# files first in name order on the status line, every cluster reachable (a
# broken spec's cluster still shows its state file's nodes).
. "$top_srcdir/tests/tui/lib.sh"

for ((i = 0; i < 120; i++)); do
    c=$(printf 'm%03d' "$i")
    ready=$((i % 4 > 3 ? 3 : i % 4))
    printf 'distribution = "k3s";\nvcenter = "lab";\npools = (\n    { name = "all"; template = "ubuntu-worker"; quantity = 3;\n      roles = [ "etcd", "control-plane", "worker" ]; hostname_prefix = "%s-"; }\n);\n' \
        "$c" >"$TUI_CFG/clusters/$c.cfg"
    {
        echo 'nodes = ('
        for ((k = 1; k <= 3; k++)); do
            if [ "$k" -le "$ready" ]; then st=active pct=100; else st=bootstrapping pct=50; fi
            [ "$k" -gt 1 ] && echo ','
            printf '    { name = "%s-%02d"; pool = "all"; roles = [ "etcd", "control-plane", "worker" ];\n' "$c" "$k"
            printf '      state = "%s"; step = "%s"; percent = %d; attempts = 1; vm = "vm-%d%02d";\n' "$st" "$st" "$pct" "$i" "$k"
            printf '      ip = "127.0.%d.%d"; created = 1764000000L; updated = 1764000300L; }\n' "$i" "$k"
        done
        echo ');'
    } >"$TUI_STATE/clusters/$c.state"
done
# Two broken files: a spec with an unknown key, a state file cut short.
printf 'distribution = "k3s";\ncolour = "blue";\npools = ( { name = "a"; template = "ubuntu-worker"; roles = [ "worker", "control-plane" ]; } );\n' \
    >"$TUI_CFG/clusters/m031.cfg"
printf 'nodes = (\n    { name = "m030-01"; state = "active"; }\n' >"$TUI_STATE/clusters/m030.state"

tui_start
check "the console starts with every cluster" wait_for "m000"
check "the first problem, in name order, is on the status line" \
    wait_match "clusters/m031.cfg:2: colour: unknown key \(and 1 more problem"
row_is() { # CLUSTER REGEX: filter the list to CLUSTER, its row matches REGEX
    tui_keys /
    tui_keys C-u
    tui_type "$1"
    tui_keys Enter
    wait_match "^ *$1 +$2"
}
check "m042's row counts its own nodes (2 of 3 ready)" row_is m042 "k3s .* 2/3"
check "m043's: 3 of 3" row_is m043 "k3s .* 3/3"
check "m116's: none of 3" row_is m116 "k3s .* 0/3"
check "m119, the last, is listed: 3 of 3" row_is m119 "k3s .* 3/3"
check "m030, whose state file is broken, is listed without nodes" row_is m030 "k3s +Pending +0/0 +all:3"
check "m031, whose spec is broken, is listed from its state file (3/3, no pools)" \
    row_is m031 "k3s +Pending +3/3 +[0-9]+d"
tui_keys /
tui_keys C-u
tui_type zzz
tui_keys Enter
check "123 clusters in all: the fixture's 3 and the 120 made here" \
    wait_for 'Nothing matches the filter "zzz" (123 hidden)'
tui_keys /
tui_keys C-u
tui_keys Enter
tui_keys ':'
tui_type 'cluster m077'
tui_keys Enter
check ":cluster m077 opens it with its nodes" wait_for "m077-03"
check "and not another cluster's" wait_gone "m078-01"
tui_quit
tui_done
