#!/bin/bash
# Benchmark (issue 13): the CPU cost of Kubernetes health polling, per
# cluster per poll. BENCH_CLUSTERS stand-in API servers (tests/lab/k8s, a
# k3s server each, on their own 127.x addresses, each with two agents'
# Nodes) are polled BENCH_ROUNDS times each by tests/bench/bench_health,
# which does what a health poll does (open the client from the kubeconfig,
# a new TLS session, /readyz, the node list, parse). Target: under 5 ms of
# CPU per cluster per poll: at the default health_interval of 30 s, 100
# clusters then cost under 0.5 s of CPU every 30 s (under 2% of one core)
# on the jump host that runs the console. Fails when the target is missed.
#   BENCH_CLUSTERS=10 BENCH_ROUNDS=20 tests/bench/health.sh
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
BENCH=$top_builddir/tests/bench/bench_health
clusters=${BENCH_CLUSTERS:-10}
rounds=${BENCH_ROUNDS:-20}
target=5.0
[ -x "$K8S" ] || { echo "health: the Kubernetes stand-in is not built; skipped"; exit 0; }
[ -x "$BENCH" ] || { echo "health: $BENCH is not built"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/drover-bench-health.XXXXXX")
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
net=127.$((246 + RANDOM % 8)).$((RANDOM % 256))
: >"$W/empty.yaml"
[ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null ||
    { echo "health: needs root and mount namespaces (the stand-ins' private /etc); skipped"; exit 0; }
# k3s NAME ARGS...: the stand-in in a mount namespace whose /etc is an
# overlay (an agent writes /etc/rancher/node/password; the host's /etc stays).
# Run it with &: it execs, so $! is the stand-in itself.
k3s() {
    local n=$1
    shift
    mkdir -p "$W/$n.etc/up" "$W/$n.etc/work"
    exec unshare --mount --propagation private sh -c \
        'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc && shift && exec "$@"' \
        sh "$W/$n.etc" "$K8S" k3s "$@"
}
kcs=()
for i in $(seq 1 "$clusters"); do
    s=$net.$((i * 3)) a1=$net.$((i * 3 + 1)) a2=$net.$((i * 3 + 2))
    k3s "s$i" server --config "$W/empty.yaml" --data-dir "$W/s$i" --node-ip "$s" --node-name "srv-$i" \
        --write-kubeconfig "$W/kc$i.yaml" >"$W/s$i.log" 2>&1 &
    pids+=($!)
    for t in $(seq 1 100); do grep -qs "is up and running" "$W/s$i.log" && break; sleep 0.1; done
    grep -q "is up and running" "$W/s$i.log" || { echo "health: server $i did not start"; tail -3 "$W/s$i.log"; exit 1; }
    sed -i "s|https://127.0.0.1:6443|https://$s:6443|" "$W/kc$i.yaml"
    for a in 1 2; do
        eval "addr=\$a$a"
        k3s "a$i-$a" agent --config "$W/empty.yaml" --server "https://$s:6443" --data-dir "$W/a$i-$a" \
            --node-ip "$addr" --node-name "agent-$i-$a" --token "$(cat "$W/s$i/server/node-token")" \
            >"$W/a$i-$a.log" 2>&1 &
        pids+=($!)
    done
    kcs+=("$W/kc$i.yaml")
done
# The agents register (bounded wait): each cluster lists three Nodes.
for t in $(seq 1 300); do
    out=$("$BENCH" 1 "${kcs[@]}" 2>/dev/null) && [ "$(awk '{print $8}' <<<"$out")" = 3 ] && break
    sleep 0.1
done
load=$(cut -d" " -f1-3 /proc/loadavg)
out=$("$BENCH" "$rounds" "${kcs[@]}") || { echo "health: the polls failed"; exit 1; }
cpu=$(awk '{print $4}' <<<"$out")
wall=$(awk '{print $6}' <<<"$out")
nodes=$(awk '{print $8}' <<<"$out")
printf 'health poll (load %s): %s clusters x %s rounds, %s Nodes each: %.3f ms CPU per cluster per poll (target < %.1f ms), %.3f ms wall\n' "$load" \
    "$clusters" "$rounds" "$nodes" "$cpu" "$target" "$wall"
awk -v c="$cpu" -v t="$target" 'BEGIN { exit !(c < t) }'
