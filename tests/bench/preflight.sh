#!/bin/bash
# Benchmark (issue 11): preflight of a 50-node, 3-pool cluster (1 server, 2
# agent pools, each pool on a template of its own) against the lab with a
# 200 ms delay on every vCenter method. Target: under 3 s. Prints the median
# of BENCH_RUNS runs next to the target, the number of vSphere calls it
# made, and fails when the median misses the target.
#   BENCH_DELAY=200 BENCH_RUNS=3 tests/bench/preflight.sh
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
: "${DROVER:=$top_builddir/drover}"
# drover from the build tree reads its recipes there (make check sets the same).
: "${DROVER_DATA_DIR:=$top_srcdir/data}"
export top_srcdir top_builddir DROVER DROVER_DATA_DIR
delay=${BENCH_DELAY:-200}
runs=${BENCH_RUNS:-3}
target=3.0

. "$top_srcdir/tests/lab/testlib.sh"
lab_require
command -v jq >/dev/null || skip_all "jq is not installed"

lab_up --delay "$delay" --log-methods || { echo "lab up failed" >&2; exit 1; }
W=$LAB_STATE/bench
mkdir -m 700 "$W"
LAB_VCSIM=$(lab_vcsim) bash "$LAB" env --state "$LAB_STATE" --drover-config "$W/config" >/dev/null
export XDG_CONFIG_HOME=$W/config XDG_STATE_HOME=$W/state
T=$XDG_CONFIG_HOME/drover/templates
for t in server agent-a agent-b; do cp "$T/lab.cfg" "$T/$t.cfg"; done
cfg=$W/spec/bench.cfg
mkdir -p "$W/spec"
cat >"$cfg" <<EOS
distribution = "k3s";
vcenter = "lab";
pools = (
    { name = "server"; template = "server"; quantity = 3; roles = [ "etcd", "control-plane" ]; },
    { name = "agent-a"; template = "agent-a"; quantity = 24; roles = [ "worker" ]; },
    { name = "agent-b"; template = "agent-b"; quantity = 23; roles = [ "worker" ]; }
);
EOS

# Room for 50 clones (the lab's datastore is the build machine's disk).
LAB_VCSIM=$(lab_vcsim) bash "$LAB" facts --state "$LAB_STATE" 'datastore LocalDS_0 capacity=2000 free=1500'

times=()
for i in $(seq "$runs"); do
    n0=$(wc -l <"$LAB_STATE/vcsim.log")
    start=$(date +%s.%N)
    "$DROVER" preflight -f "$cfg" -o json >"$W/out.$i" 2>"$W/err.$i"
    rc=$?
    end=$(date +%s.%N)
    if [ $rc -ne 0 ]; then
        echo "preflight failed (exit $rc):" >&2
        cat "$W/err.$i" >&2
        jq -r '.findings[] | "\(.severity) \(.message)"' "$W/out.$i" >&2
        exit 1
    fi
    calls=$(tail -n +"$((n0 + 1))" "$LAB_STATE/vcsim.log" | grep -c 'call ')
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
printf 'preflight, 50 nodes, 3 pools (3 templates), %d ms per method: %s s (median of %d: %s; target < %s s), %d vSphere calls\n' \
    "$delay" "$median" "$runs" "${times[*]}" "$target" "$calls"
awk -v m="$median" -v t="$target" 'BEGIN { exit !(m < t) }' || { echo "over the target" >&2; exit 1; }
