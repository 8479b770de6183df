#!/bin/bash
# Benchmark: provision 50 nodes (1 server, 49 agents) on the lab with a 200 ms
# delay on every vCenter method, with 1, 8 and 32 workers. Prints wall time,
# the speed-up over 1 worker, drover's CPU time per node and its peak RSS.
#   BENCH_NODES=50 BENCH_DELAY=200 BENCH_WORKERS="1 8 32" tests/bench/engine-50.sh
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${DROVER:=$top_builddir/drover}"
export top_srcdir top_builddir DROVER
nodes=${BENCH_NODES:-50}
delay=${BENCH_DELAY:-200}
workers_list=${BENCH_WORKERS:-1 8 32}

. "$top_srcdir/tests/lab/testlib.sh"
lab_require
SSHNODE=$top_srcdir/tests/lab/sshnode
[ -x "$SSHNODE" ] || skip_all "tests/lab/sshnode is not there"
[ -x /usr/bin/time ] || skip_all "GNU time is not installed"

lab_up --sshnode "$SSHNODE" --delay "$delay" || { echo "lab up failed" >&2; exit 1; }
W=$LAB_STATE/bench
mkdir -m 700 "$W"
LAB_VCSIM=$(lab_vcsim) bash "$LAB" env --state "$LAB_STATE" --drover-config "$W/config" >/dev/null
export XDG_CONFIG_HOME=$W/config
# Keep the template's disk: the simulator loses a disk when concurrent edits
# collide (see tests/integration/engine-lib.sh).
sed -i 's/^disk_gib = .*/disk_gib = 0;/' "$W/config/drover/templates/lab.cfg"
cfg=$W/spec/lab-cluster.cfg
mkdir -p "$W/spec"
awk -v a=$((nodes - 1)) '/name = "agent";/ { p = 1 } p && /quantity =/ { sub(/[0-9]+/, a); p = 0 } { print }' \
    "$W/config/drover/lab-cluster.cfg" >"$cfg"

declare -A wall
printf '%-8s %10s %8s %14s %12s\n' workers "wall (s)" speedup "CPU/node (ms)" "peak RSS"
for w in $workers_list; do
    export XDG_STATE_HOME=$W/state.$w
    cat >"$XDG_CONFIG_HOME/drover/drover.cfg" <<EOS
workers = $w;
retries = 1;
retry_backoff_ms = 500;
EOS
    start=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$W/time.$w" "$DROVER" apply -f "$cfg" >"$W/apply.$w" 2>&1
    rc=$?
    end=$(date +%s.%N)
    if [ $rc -ne 0 ]; then
        echo "apply with $w workers failed:" >&2
        tail -20 "$W/apply.$w" >&2
        exit 1
    fi
    read -r user sys rss <"$W/time.$w"
    wall[$w]=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    base=${wall[${workers_list%% *}]}
    awk -v w="$w" -v t="${wall[$w]}" -v b="$base" -v u="$user" -v s="$sys" -v n="$nodes" -v r="$rss" \
        'BEGIN { printf "%-8s %10.1f %8.1fx %14.1f %9d KiB\n", w, t, b / t, (u + s) * 1000 / n, r }'
    "$DROVER" delete cluster lab-cluster --yes >/dev/null 2>&1 ||
        { echo "delete after $w workers failed" >&2; exit 1; }
done
