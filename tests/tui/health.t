#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Kubernetes health (issue 13 "Health"): a k3s cluster made by the real
# recipe through its airgap bundle (1 server, 2 agents, the lab's Kubernetes
# stand-in) and the console running its engine with health_interval = 2.
# drover status -o json and the screens show the API up with 3/3 Nodes
# Ready, as kubectl does; an agent's VM powered off behind drover's back
# turns NotReady/Unknown with its reason and the cluster degraded; the
# server's VM powered off takes the API down and the cluster unavailable.
. "${top_srcdir:?}/tests/tui/englib.sh"
K8S=$top_builddir/tests/lab/k8s/drover-k8s
[ -x "$K8S" ] || skip_all "the lab's Kubernetes stand-in is not built (no Go toolchain)"
command -v kubectl >/dev/null || skip_all "kubectl is not installed (scripts/deps)"

ENG_HEALTH_INTERVAL=2 eng_setup
VERSION=v1.30.2+k3s1
ok "bundle built" "$K8S" bundle --dist k3s --version "$VERSION" --out "$W/k3s.tar.gz"
echo "sudo=nopasswd k8s=on" >"$LAB_STATE/node-options"
spec=$(recipe_cfg 1 2 k3s "$VERSION" "$W/k3s.tar.gz")
ok_out "a k3s cluster (1 server, 2 agents) is applied" "$W/apply.out" "$DROVER" apply -f "$spec"
SRV=$(status_json | jq -r '.nodes[] | select(.pool == "server") | .name')
AG=$(status_json | jq -r '[.nodes[] | select(.pool == "agent") | .name] | sort | .[0]')
is "$(status_json | jq -r .kubernetes.api)" null "before any poll, status has no API state"

# Health needs an engine that keeps running: the console's.
console_start 200 40
ok "the console comes up" wait_for 20 seen "Clusters"
health() { status_json 2>/dev/null | jq -r '"\(.kubernetes.api) \(.kubernetes.nodes_ready)/\(.kubernetes.nodes_total)"'; }
up33() { [ "$(health)" = "up 3/3" ]; }
ok "drover status: API up, 3/3 Nodes Ready (the agents register after their install)" wait_for 90 up33
is "$(status_json | jq -r '[.nodes[] | "\(.name) \(.k8s_ready) \(.kubelet)"] | sort | join(";")')" \
    "$(kc get nodes -o json | jq -r --arg v "$VERSION" '[.items[] | "\(.metadata.name) \(.status.conditions[] | select(.type == "Ready") | if .status == "True" then "Ready" else .status end) \(.status.nodeInfo.kubeletVersion)"] | sort | join(";")')" \
    "every node Ready with its kubelet version, as kubectl lists them"
is "$(kc get nodes --no-headers | grep -c ' Ready ')" 3 "kubectl: three Ready nodes"
is "$(status_json | jq -r .state)" active "the cluster is active"
ok "the polled time is set" test "$(status_json | jq -r .kubernetes.polled)" != null
ok "the clusters screen shows up 3/3" wait_for 20 seen "lab-cluster .*Active .*up 3/3"
# Monitoring staff: a second, read-only console on the same state folder
# watches the first one's engine and shows what its polls saved.
sock2=$W/tmux-ro.sock
trap 'tmux -S "$sock2" kill-server >/dev/null 2>&1; tui_cleanup' EXIT
cmd=$(printf '%q ' env LANG=C.UTF-8 TERM=xterm-256color "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
    "XDG_STATE_HOME=$XDG_STATE_HOME" "DROVER_THEMES_DIR=$top_srcdir/themes" "$DROVER" --read-only)
LANG=C.UTF-8 tmux -u -f /dev/null -S "$sock2" new-session -d -x 200 -y 40 "$cmd; sleep 3600"
ro_seen() { tmux -S "$sock2" capture-pane -p 2>/dev/null | grep -qE -- "$1"; }
ok "a read-only second console shows it too" wait_for 30 ro_seen "lab-cluster .*Active .*up 3/3"
tmux -S "$sock2" kill-server >/dev/null 2>&1
keys 3
ok "the nodes screen lists the nodes" wait_for 20 seen "^ *$AG "
ready_lines() { screen | grep -E ' Ready +v' | grep -cF "$VERSION"; }
ok "each node's line says Ready and its kubelet" wait_for 20 eval '[ "$(ready_lines)" -eq 3 ]'

# An agent's VM powered off behind drover's back: its kubelet stops, the
# stand-in turns it Unknown after its grace period (40 s, as
# kube-controller-manager's default).
tmp=$W/soap; mkdir -m 700 "$tmp"; jar=$tmp/jar
soap() {
    printf '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:vim25"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$1" >"$tmp/req"
    curl -s --cacert "$LAB_CERT" --pinnedpubkey "$LAB_PIN" -b "$jar" -c "$jar" \
        -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$tmp/req" "$LAB_URL"
}
soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>" >/dev/null
power_off() {  # power_off NODE: the node's VM, in the simulator
    local vm
    vm=$(status_json | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .vm')
    soap "<PowerOffVM_Task><_this type=\"VirtualMachine\">$vm</_this></PowerOffVM_Task>" | grep -q returnval
}
ok "$AG's VM is powered off in the simulator" power_off "$AG"
node_k8s() { status_json 2>/dev/null | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .k8s_ready'; }
notready() { case $(node_k8s "$AG") in Unknown | NotReady) return 0 ;; esac; return 1; }
ok "drover status: $AG is NotReady/Unknown" wait_for 120 notready
is "$(status_json | jq -r --arg n "$AG" '.nodes[] | select(.name == $n) | .k8s_reason')" \
    "NodeStatusUnknown: Kubelet stopped posting node status." "with the condition's reason and message"
is "$(status_json | jq -r .state)" degraded "the cluster is degraded"
ok "the transition is in the node's log" grep -q "Kubernetes: Unknown (NodeStatusUnknown" "$STATE/logs/lab-cluster/$AG.log"
is "$(health)" "up 2/3" "the API is up with 2/3 Nodes Ready"
is "$(status_json | jq -r --arg n "$AG" '.nodes[] | select(.name == $n) | .state')" active \
    "drover's own state of the node is unchanged (it did not touch it)"
ok "the nodes screen shows $AG Unknown with the reason" wait_for 20 \
    eval "node_line $AG | grep -qE '(Unknown|NotReady) .*NodeStatusUnknown'"
keys 1
ok "the clusters screen shows Degraded and up 2/3" wait_for 20 seen "lab-cluster .*Degraded .*up 2/3"

# The server's VM powered off: nothing answers on its API address.
ok "$SRV's VM is powered off in the simulator" power_off "$SRV"
down() { [ "$(status_json 2>/dev/null | jq -r .kubernetes.api)" = down ]; }
ok "drover status: the API is down" wait_for 60 down
is "$(status_json | jq -r .state)" unavailable "the cluster is unavailable"
ok "with the reason" grep -q "https://" <<<"$(status_json | jq -r .kubernetes.error)"
ok "the clusters screen shows Unavailable and down" wait_for 20 seen "lab-cluster .*Unavailable .*down"
ok "the text status says so" grep -q "^kubernetes: API down" <<<"$("$DROVER" status lab-cluster)"
console_quit
done_testing
