#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The cluster wizard against the lab (with SSH nodes), at 80x24: n on the
# Clusters screen, the cluster step, two pools (roles as checkboxes, the
# first names previewed as the engine makes them), the review showing the
# spec as it will be saved; c saves and creates, and the 3-node cluster
# reaches Active. The saved file is what the review showed and passes
# `drover validate`. Bad input gets its message under the field; Esc steps
# back keeping what was typed. A pool's drain timeout typed in its form is saved.
. "${top_srcdir:?}/tests/tui/lablib.sh"
[ -x "$top_srcdir/tests/lab/sshnode" ] || skip_all "tests/lab/sshnode is not there"
lab_up --sshnode "$top_srcdir/tests/lab/sshnode" || { echo "Bail out! lab up failed"; exit 1; }
tl_config
# The wizard's steps are under test: the fast test recipe, no bundle to type.
recipe=$top_srcdir/data/bootstrap/test.sh
# As the engine's lab tests do: the simulator loses a grown disk under
# concurrent reconfigures, so the template keeps its disk.
sed -i 's/^disk_gib = .*/disk_gib = 0;/' "$CFG/templates/lab.cfg"
# Added to tl_config's drover.cfg (health_interval = 0: the test recipe
# installs no Kubernetes, whose API the console would otherwise poll).
cat >>"$CFG/drover.cfg" <<EOS
workers = 8;
retries = 1;
retry_backoff_ms = 200;
EOS
tl_start
ok "the console comes up" wait_for 30 seen "Clusters"
keys n
ok "n opens the wizard" wait_for 10 seen "New cluster: [cluster] > pools > review"
type_text "Bad_Name"
keys Tab
ok "a bad name gets validate's message under it" wait_for 5 seen "is not a valid name"
keys BTab C-u
type_text "wiz"
keys Tab
ok "a good name clears it" wait_for 5 gone "is not a valid name"
keys Tab Tab Tab     # vCenter, distribution, version -> recipe
type_text "$recipe"
keys Tab Tab Enter   # airgap bundle, Next
ok "the pools step" wait_for 5 seen "New cluster: cluster > [pools] > review"
# Esc goes back a step and keeps what was typed.
keys Escape
ok "Esc steps back to the cluster" wait_for 5 seen "[cluster]"
ok "keeping the name" wait_for 10 seen_re "Name +wiz"
ok "and the recipe" wait_for 10 seen "${recipe:0:40}"
# The form keeps its focus where it was (Next, which rows may follow): up to
# Name first, then forward past the six fields to Next.
keys BTab BTab BTab BTab BTab BTab BTab BTab BTab BTab BTab BTab
keys Tab Tab Tab Tab Tab Tab Enter
ok "forward to the pools again" wait_for 5 seen "[pools]"
keys a
ok "a adds a pool" wait_for 5 seen "Pool name"
type_text "server"
keys Tab Tab Tab Space Tab Space Tab Space Tab   # etcd, control-plane on; worker off
type_text "server-"
ok "the first names are previewed" wait_for 5 seen "First names: server-01"
keys Tab Tab Tab Tab Tab Enter   # replace after, drain, drain timeout, max unhealthy, Done
ok "the pool is listed" wait_for 5 seen_re "server +lab +1 +etcd,control-plane +server-01"
keys a
ok "a adds a second pool" wait_for 5 seen "Pool name"
type_text "agent"
keys Tab Tab C-u
type_text "2"
keys Tab Tab Tab Tab
type_text "agent-"
ok "two names are previewed" wait_for 5 seen "First names: agent-01, agent-02"
keys Tab Tab Tab C-u         # replace after, drain (on by default) -> drain timeout
type_text "120"
keys Tab Tab Enter
ok "the second pool is listed" wait_for 5 seen_re "agent +lab +2 +worker +agent-01, agent-02"
keys r
ok "the review" wait_for 5 seen "[review]"
ok "finds no problem" wait_for 10 seen "No problems found without vCenter."
ok "shows the spec as it will be saved" wait_for 10 seen 'quantity = 1;'
review=$(screen)
keys c
ok "c saves and creates" wait_for 10 seen "Cluster wiz saved; creating its nodes"
S=$CFG/clusters/wiz.cfg
ok "clusters/wiz.cfg is written" test -f "$S"
is "$(stat -c %a "$S")" 600 "it is 0600"
shown_in_review() {
    local l n=0
    while IFS= read -r l; do
        n=$((n + 1))
        [ $n -gt 14 ] && break   # what fits on the review's first page
        grep -qF -- "  $l" <<<"$review" || { diag "not in the review: $l"; return 1; }
    done < <(sed 's/ *$//' "$S")   # the screen has no trailing blanks
}
ok "the saved file is what the review showed" shown_in_review
ok "drover validate passes" "$DROVER" --config-dir "$CFG" --state-dir "$W/v" validate
is "$(grep -c 'drain_timeout = 120;' "$S")" 1 "the agent pool's drain timeout is saved (the server's is the default, not written)"
ok "the cluster is listed" wait_for 20 seen_re "^ *wiz "
active() { screen | grep -E "^ *wiz " | grep -qF "Active"; }
ok "the 3-node cluster reaches Active" wait_for 300 active
ok "with 3 of 3 nodes" wait_for 10 sh -c "tmux -S '$sock' capture-pane -p | grep -E '^ *wiz ' | grep -qE '3/3'"

# e opens the same wizard filled with the saved values; saved unchanged,
# nothing is written or started.
sum=$(sha256sum "$S")
keys e
ok "e opens the wizard on the cluster" wait_for 10 seen "Edit cluster: [cluster]"
ok "filled with the saved values" wait_for 10 seen "${recipe:0:40}"
keys Tab Tab Tab Tab Tab Enter   # distribution, version, recipe, airgap, Next
ok "its pools" wait_for 5 seen_re "agent +lab +2 +worker"
keys r
ok "the review says nothing changes" wait_for 5 seen "No change: c writes nothing and starts nothing."
keys c
ok "an unchanged save says so" wait_for 10 seen "Nothing changed; nothing was written or started"
is "$(sha256sum "$S")" "$sum" "clusters/wiz.cfg is untouched"
ok "still 3 of 3 nodes" wait_for 10 sh -c "tmux -S '$sock' capture-pane -p | grep -E '^ *wiz ' | grep -qE '3/3'"
# Raising a pool's quantity: the review shows that line, and only it is applied.
keys e
ok "e again" wait_for 10 seen "Edit cluster: [cluster]"
keys Tab Tab Tab Tab Tab Enter
ok "the pools" wait_for 5 seen_re "agent +lab +2 +worker"
keys Down Enter
ok "the agent pool's form" wait_for 5 seen_re "Pool name +agent"
keys Tab Tab C-u
type_text "3"
ok "three names are previewed" wait_for 5 seen "First names: agent-01, agent-02, agent-03"
keys Tab Tab Tab Tab Tab Tab Tab Tab Tab Enter
ok "the pool now has 3" wait_for 5 seen_re "agent +lab +3 +worker"
keys r
ok "the review shows the old quantity" wait_for 5 seen_re "^ *- +quantity = 2;"
ok "and the new one" wait_for 10 seen_re "^ *\\+ +quantity = 3;"
# As diff -u: a header naming the pool, then what goes, then what comes.
hunk() {
    screen | grep -E '^ *(@@|[-+] )' | sed 's/^ *//; s/  */ /g'
}
is "$(hunk)" "@@ pool agent @@
- quantity = 2;
+ quantity = 3;" "the hunk names the pool, the old line before the new"
ok "and nothing else" wait_for 10 seen_re "\\([0-9]+ lines unchanged\\)"
keys c
ok "c applies the change" wait_for 10 seen "Cluster wiz saved; applying the change"
ok "the spec has the new quantity" sh -c "grep -A4 'name = \"agent\"' '$S' | grep -q 'quantity = 3;'"
four() { screen | grep -E "^ *wiz " | grep -q "4/4"; }
ok "the cluster scales to 4 active nodes" wait_for 300 four
tl_quit
done_testing
