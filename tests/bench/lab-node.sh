#!/bin/bash
# Benchmark: what one lab node costs (issue 15). Boots and tears down
# BENCH_LAB_NODES real sshd nodes (tests/lab/sshnode) one after another, as
# the simulator's hypervisor does: through one `sshnode serve` (what the lab
# uses) and with one `sshnode up` + `sshnode down` process pair per node (what
# a node command without serve costs). The CPU time is everything the node
# command and its descendants used, detached sshd processes included: they
# run under tests/bench/subreap (a child subreaper reporting RUSAGE_CHILDREN).
#   BENCH_LAB_NODES=40 tests/bench/lab-node.sh     (run from the build tree)
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
n=${BENCH_LAB_NODES:-40}
target_ms=50
SSHNODE=$top_srcdir/tests/lab/sshnode
SUBREAP=$top_builddir/tests/bench/subreap
skip() { echo "lab-node bench: SKIP ($*)"; exit 0; }
[ "$(id -u)" = 0 ] || skip "lab nodes need root"
[ -x "$SUBREAP" ] || skip "tests/bench/subreap is not built (make tests/bench/subreap)"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
command -v jq >/dev/null || skip "jq is not installed"
unshare --mount --pid --fork true 2>/dev/null || skip "unshare cannot create namespaces here"

W=$(mktemp -d "${TMPDIR:-/tmp}/drover-lab-node.XXXXXX") || exit 1
chmod 700 "$W"
srv_pid=
cleanup() {
    local d
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
    for d in "$W"/n*/; do
        [ -f "$d/pid" ] && /usr/bin/python3 "$SSHNODE" down --dir "${d%/}" >/dev/null 2>&1
    done
    rm -rf "$W"
}
trap cleanup EXIT

# The lab module's own subnet and port choice and user-data (lab.d/sshnode.sh).
labdir=$top_srcdir/tests/lab
state=$W
declare -A module_opts
usage_extra=
# shellcheck source=../lab/lab.d/sshnode.sh
. "$top_srcdir/tests/lab/lab.d/sshnode.sh"
ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$W/hostkey" || exit 1
ssh-keygen -q -t ed25519 -N '' -C bench-client -f "$W/client" || exit 1
sshnode_userdata "$W/hostkey" "$W/client.pub" drover >"$W/userdata"

interp=$(head -1 "$SSHNODE")
printf 'lab node bench: %d nodes, one after another; sshnode runs under %s; subnet %s, port %s\n' \
    "$n" "${interp#\#!}" "$LAB_SUBNET" "$LAB_SSH_PORT"
printf '%-34s %16s %18s %10s\n' "way" "CPU/node (ms)" "target (ms)" "wall/node"
echo "(CPU: everything the node command and its descendants used, sshd included; serve's one Python start is shared by the $n nodes; its wall time includes this script's jq for each request)"

report() { # WAY RUSAGE-FILE START END [TARGET]: the target applies to the lab's way only
    local user sys rss rc
    read -r user sys rss rc <"$2"
    awk -v w="$1" -v u="$user" -v s="$sys" -v n="$n" -v t="${5:-}" -v a="$3" -v b="$4" \
        'BEGIN { c = (u + s) / n
                 m = t == "" ? sprintf("%-18s", "(for comparison)") : sprintf("%11s %-6s", "< " t, c < t ? "ok" : "MISSED")
                 printf "%-34s %16.1f %s %8.0f ms\n", w, c, m, (b - a) * 1000 / n }'
}

# 1. One server for every node, as the lab's hypervisor runs it.
coproc SRV { "$SUBREAP" -o "$W/rusage.serve" -- "$SSHNODE" serve; }
srv_pid=$SRV_PID
srv_in=${SRV[1]} srv_out=${SRV[0]}
read -r -t 30 hello <&"$srv_out"
[ "$(jq -r .serve <<<"$hello" 2>/dev/null)" = 1 ] || { echo "sshnode serve did not start" >&2; exit 1; }
ask() { # JQ-ARGS...: send one request, print the answer's error or address
    local ans
    jq -nc "$@" >&"$srv_in" || return 1
    read -r -t 60 ans <&"$srv_out" || { echo "no answer" >&2; return 1; }
    jq -e 'has("error") | not' >/dev/null <<<"$ans" || { echo "$ans" >&2; return 1; }
    jq -r '.addr // empty' <<<"$ans"
}
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
    ask --argjson id "$i" --arg d "$W/n$i" --arg u "$W/userdata" \
        '{id: $id, op: "up", dir: $d, userdata: $u, name: "n\($id)"}' >/dev/null || exit 1
    ask --argjson id "$i" --arg d "$W/n$i" '{id: $id, op: "down", dir: $d}' >/dev/null || exit 1
done
exec {srv_in}>&-   # the end of its input ends the server
wait "$srv_pid"
srv_pid=
end=$(date +%s.%N)
report "sshnode serve (the lab's way)" "$W/rusage.serve" "$start" "$end" "$target_ms"

# 2. A process pair per node.
cat >"$W/pairs.sh" <<'EOS'
for i in $(seq 1 "$1"); do
    "$2" up --dir "$3/p$i" --userdata "$3/userdata" --name "p$i" >/dev/null || exit 1
    "$2" down --dir "$3/p$i" || exit 1
done
EOS
start=$(date +%s.%N)
"$SUBREAP" -o "$W/rusage.pairs" -- bash "$W/pairs.sh" "$n" "$SSHNODE" "$W" || exit 1
end=$(date +%s.%N)
report "sshnode up + down per node" "$W/rusage.pairs" "$start" "$end"

# The nodes are real: one more, reached with OpenSSH and its pinned key.
addr=$("$SSHNODE" up --dir "$W/n-check" --userdata "$W/userdata" --name check | tail -1) || exit 1
host=$addr
[ "$LAB_SSH_PORT" = 22 ] || host="[$addr]:$LAB_SSH_PORT"
echo "$host $(cut -d' ' -f1,2 "$W/hostkey.pub")" >"$W/known_hosts"
who=$(ssh -n -i "$W/client" -o UserKnownHostsFile="$W/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o IdentitiesOnly=yes -p "$LAB_SSH_PORT" "drover@$addr" 'id -un') || exit 1
"$SSHNODE" down --dir "$W/n-check"
[ "$who" = drover ] || { echo "the check node answered '$who'" >&2; exit 1; }
echo "(a node is a real sshd: OpenSSH logged in to one as $who with its pinned host key)"
