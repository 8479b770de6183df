#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# drover's Kubernetes API client (src/k8s/client.c, through
# tests/integration/k8s-probe) against the lab's stand-in API servers
# (tests/lab/k8s) on private 127.x addresses: two k3s clusters, A (a server
# and an agent) and B (a server). What the client reads is compared with
# what real kubectl reads; a wrong CA, another cluster's client certificate
# and a stopped server are refused with errors that say which; no key
# material is written to any file; a node whose kubelet stops turns Unknown.
# The stand-ins run in private mount namespaces (their /etc an overlay).
. "${top_srcdir:?}/tests/lab/testlib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
PROBE=$top_builddir/tests/integration/k8s-probe
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
[ -x "$PROBE" ] || skip_all "tests/integration/k8s-probe is not built"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"
command -v jq >/dev/null || skip_all "jq is not installed"
[ "$(id -u)" = 0 ] || skip_all "the stand-in's nodes need root (a private mount namespace)"
unshare --mount true 2>/dev/null || skip_all "unshare cannot create mount namespaces here"

W=$(lab_new_state)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -CONT "$p" 2>/dev/null
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$W"
}
trap cleanup EXIT

# Addresses outside the labs' 127.16-245 node subnets; a taken one is
# skipped (the server would fail to listen).
NET=127.$((246 + RANDOM % 8)).$((RANDOM % 256))
free_addr() { ! ss -Hltn "src $1" 2>/dev/null | grep -q .; }
pick() {  # pick: a free address in $NET
    local i
    for i in $(seq $((RANDOM % 200 + 1)) 254); do
        free_addr "$NET.$i" && [ -z "${used[$i]:-}" ] && { used[$i]=1; echo "$NET.$i"; return; }
    done
    return 1
}
declare -A used=()
A=$(pick) && used[${A##*.}]=1 && AG=$(pick) && used[${AG##*.}]=1 && B=$(pick) ||
    { echo "Bail out! no free address in $NET"; exit 1; }
: >"$W/empty.yaml"

# start NAME ADDR ARGS...: a stand-in k3s (server or agent) in the
# background. Like the real ones it writes under /etc (an agent's
# /etc/rancher/node/password), so it runs in a mount namespace of its own
# whose /etc is an overlay on the host's: the host's /etc stays untouched.
start() {
    local name=$1 addr=$2
    shift 2
    mkdir -p "$W/$name.etc/up" "$W/$name.etc/work"
    unshare --mount --propagation private sh -c \
        'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc && shift && exec "$@"' \
        sh "$W/$name.etc" "$K8S" k3s "$@" --config "$W/empty.yaml" --data-dir "$W/$name" --node-ip "$addr" \
        --node-name "$name" >"$W/$name.log" 2>&1 &
    pids+=($!)
    eval "pid_$name=$!"
}
up() { grep -q "is up and running" "$W/$1.log"; }
start srva "$A" server --write-kubeconfig "$W/a.yaml" --kube-controller-manager-arg node-monitor-grace-period=15s
start srvb "$B" server --write-kubeconfig "$W/b.yaml"
ok "cluster A's server is up" wait_for 30 up srva
ok "cluster B's server is up" wait_for 30 up srvb
# The servers write https://127.0.0.1:6443, as k3s does; drover saves the
# node's address (src/engine/kubeconfig.c), so do the same here.
sed -i "s|https://127.0.0.1:6443|https://$A:6443|" "$W/a.yaml"
sed -i "s|https://127.0.0.1:6443|https://$B:6443|" "$W/b.yaml"
start ag "$AG" agent --server "https://$A:6443" --token "$(cat "$W/srva/server/node-token")"
kc() { kubectl --kubeconfig "$W/a.yaml" --request-timeout=20s "$@"; }
registered() { kc get node ag >/dev/null 2>&1; }
ok "cluster A's agent registers" wait_for 60 registered

is "$("$PROBE" "$W/a.yaml" readyz 2>&1)" ready "readyz: the API server is ready"
"$PROBE" "$W/a.yaml" nodes >"$W/nodes.out" 2>"$W/nodes.err"
tap_result $? "the node list is read"
want=$(kc get nodes -o json | jq -r '.items[] | [.metadata.name,
    (.status.conditions[] | select(.type == "Ready") | if .status == "True" then "Ready" elif .status == "False" then "NotReady" else "Unknown" end),
    .status.nodeInfo.kubeletVersion,
    ([.metadata.labels | keys[] | select(startswith("node-role.kubernetes.io/")) | sub("node-role.kubernetes.io/"; "")] | sort | join(",") | if . == "" then "-" else . end),
    (if .spec.unschedulable then "cordoned" else "-" end), "-"] | join(" ")' | sort)
is "$(cat "$W/nodes.out")" "$want" "the nodes, readiness, kubelet versions and roles are kubectl's"
is "$(cut -d' ' -f1,2,4 "$W/nodes.out" | tr '\n' ';')" "ag Ready -;srva Ready control-plane,master;" \
    "two Ready nodes: the server with its roles, the agent"

# A merge patch (what cordon sends) and an error status with its message.
out=$("$PROBE" "$W/a.yaml" request PATCH /api/v1/nodes/ag application/merge-patch+json '{"spec":{"unschedulable":true}}')
is "$(head -1 <<<"$out")" 200 "PATCH answers 200"
is "$(sed -n 2p <<<"$out" | jq -r .spec.unschedulable)" true "and returns the patched Node"
is "$(kc get node ag -o json | jq -r .spec.unschedulable)" true "kubectl sees the node cordoned"
is "$("$PROBE" "$W/a.yaml" nodes 2>&1 | grep '^ag ' | cut -d' ' -f5)" cordoned "the client reads it cordoned"
"$PROBE" "$W/a.yaml" request GET /api/v1/nodes/nosuch >"$W/404.out" 2>"$W/404.err"
is "$(head -1 "$W/404.out")" 404 "a missing node answers 404"
ok "its error names the status and the API's message" \
    grep -qF 'GET /api/v1/nodes/nosuch: HTTP 404: nodes "nosuch" not found' "$W/404.err"

# Credentials from the wrong cluster.
line() { grep -m1 "$1:" "$2" | sed 's/^ *//'; }
sed "s|certificate-authority-data: .*|$(line certificate-authority-data "$W/b.yaml")|" "$W/a.yaml" >"$W/wrongca.yaml"
"$PROBE" "$W/wrongca.yaml" readyz >/dev/null 2>"$W/wrongca.err"
tap_result $(($? == 1 ? 0 : 1)) "a server whose certificate the kubeconfig's CA did not sign is refused"
ok "the error says the certificate is not the CA's" grep -q "TLS: the API server's certificate is not signed" "$W/wrongca.err"
sed -e "s|client-certificate-data: .*|$(line client-certificate-data "$W/b.yaml")|" \
    -e "s|client-key-data: .*|$(line client-key-data "$W/b.yaml")|" "$W/a.yaml" >"$W/wrongcert.yaml"
"$PROBE" "$W/wrongcert.yaml" nodes >"$W/wrongcert.out" 2>"$W/wrongcert.err"
tap_result $(($? == 1 ? 0 : 1)) "a client certificate from another cluster is refused"
ok "the error names the TLS handshake and the client certificate" \
    grep -q "TLS handshake failed; the API server may have refused the client certificate" "$W/wrongcert.err"
is "$(cat "$W/wrongcert.out")" "" "and no node is listed"
sed -e "/client-certificate-data:/d" -e "/client-key-data:/d" "$W/a.yaml" >"$W/nocert.yaml"
"$PROBE" "$W/nocert.yaml" request GET /api/v1/nodes >"$W/nocert.out" 2>/dev/null
is "$(head -1 "$W/nocert.out")" 401 "without a client certificate the API answers 401"
"$PROBE" "$W/a.yaml@nosuch" readyz >/dev/null 2>"$W/ctx.err"
tap_result $(($? == 1 ? 0 : 1)) "a kubeconfig naming a missing context is refused"
ok "naming the file and the context" grep -qF "$W/a.yaml: no context named \"nosuch\"" "$W/ctx.err"

# The key material stays in memory: the client opens no file for writing.
if command -v strace >/dev/null; then
    strace -f -e trace=open,openat,creat -o "$W/strace.out" "$PROBE" "$W/a.yaml" nodes >/dev/null 2>&1
    is "$(grep -cE 'O_WRONLY|O_RDWR|O_CREAT|creat\(' "$W/strace.out")" 0 "the client writes no file (strace)"
fi

# A kubelet that stops posting status: Unknown after the grace period.
kill -STOP "$pid_ag"
unknown() { "$PROBE" "$W/a.yaml" nodes 2>/dev/null | grep -q '^ag Unknown .* NodeStatusUnknown$'; }
ok "a stopped agent turns Unknown, reason NodeStatusUnknown" wait_for 60 unknown
is "$(kc get node ag --no-headers | awk '{print $2}')" "NotReady,SchedulingDisabled" "kubectl shows it NotReady"
kill -CONT "$pid_ag"
readyagain() { "$PROBE" "$W/a.yaml" nodes 2>/dev/null | grep -q '^ag Ready '; }
ok "and Ready again once it posts status" wait_for 30 readyagain

# A stopped API server: refused, quickly and saying so.
kill -KILL "$pid_srvb"
wait "$pid_srvb" 2>/dev/null  # (bash reports the kill)
"$PROBE" "$W/b.yaml" readyz >/dev/null 2>"$W/down.err"
tap_result $(($? == 1 ? 0 : 1)) "a stopped API server is a transport error"
ok "that says connection refused" grep -q "https://$B:6443: connection refused" "$W/down.err"
done_testing
