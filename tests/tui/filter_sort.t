#!/bin/bash
# `/` filters (substring, any case, "!" negates) and `s`/`S` sort: both
# change what is shown.
. "$top_srcdir/tests/tui/lib.sh"

tui_start
wait_for "prod"
tui_keys 3
check "all nodes are listed" wait_for "stg-02"

tui_keys /
tui_type 'STG'
check "the filter applies while typing" wait_gone "server-01"
check "matching rows stay" wait_for "stg-01"
tui_keys Enter
check "the filter is shown in the tab bar" wait_for "/STG"
check "only matching rows remain" eventually node_rows_are 2

tui_keys /
tui_keys C-u
tui_type '!prod'
tui_keys Enter
check "! negates the filter" wait_gone "worker-01"
check "the other cluster's nodes remain" wait_for "stg-02"

tui_keys /
tui_keys C-u
tui_type 'error'
tui_keys Enter
check "a filter matches any column (state)" wait_gone "stg-02"
check "the failed node stays" wait_for "worker-03"

tui_keys /
tui_keys Escape
check "Esc in the filter prompt clears it" wait_for "server-01"
check "all rows are back" eventually node_rows_are 8

# Items' own order: prod's nodes, then staging's.
check "unsorted, worker-03 comes before stg-01" eventually above worker-03 stg-01
tui_keys s
check "s sorts by the first column and marks it" wait_match "^NAME↑"
check "sorted by name, stg-01 comes before worker-01" eventually above stg-01 worker-01
tui_keys S
check "S reverses the order" wait_match "^NAME↓"
check "reversed, worker-03 is first" eventually row_is 4 worker-03
tui_keys s
check "s again sorts by the next column" wait_match "^NAME +CLUST[^ ]*↓"
check "by cluster, reversed: staging's nodes first" eventually above stg-01 server-01

# The selection follows its item through a sort.
tui_keys 1
wait_for "staging"
tui_keys G
tui_keys Enter
check "the last cluster is staging" wait_match "all +2 x photon-large"
tui_keys Escape
tui_keys S
tui_keys Enter
check "after reversing, Enter still opens staging" wait_match "all +2 x photon-large"

# A filter that hides every row says so, and how to clear it, rather than
# "No clusters. Put cluster specs in ..." (there are clusters).
tui_keys /
tui_keys C-u
tui_type 'zzz-nothing'
tui_keys Enter
check "a filter hiding every cluster says nothing matches it" \
    wait_for 'Nothing matches the filter "zzz-nothing" (2 hidden): press /, then Esc, to clear it'
check "and not that there are no clusters" not_on_screen "No clusters"
tui_keys /
tui_keys Escape
check "/ then Esc clears it, as the words say" wait_for "staging"
tui_keys 3
wait_for "stg-02"
tui_keys /
tui_type '!-0'
tui_keys Enter
check "the same on the nodes screen (a negated filter)" \
    wait_for 'Nothing matches the filter "!-0" (8 hidden)'
tui_keys /
tui_keys Escape
check "all nodes are back" eventually node_rows_are 8

tui_quit
tui_done
