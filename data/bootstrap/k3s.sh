#!/bin/sh
# drover recipe: install k3s on one node (contract: data/bootstrap/README).
# drover-recipe: k3s
#   init    first server, embedded etcd (--cluster-init)
#   server  a further server joining https://DROVER_SERVER_ADDR:6443
#   agent   a worker joining https://DROVER_SERVER_ADDR:6443
# Online it runs https://get.k3s.io; with DROVER_AIRGAP it installs from the
# uploaded bundle (k3s, install.sh, k3s-airgap-images-*.tar*).
set -eu

progress() { echo "drover-progress: $1 $2"; }
die() { echo "k3s recipe: $*" >&2; exit 1; }
# Exit 2: the recipe's inputs are wrong (the version, the airgap bundle), so
# running it again on the same inputs fails the same way: drover does not
# retry (data/bootstrap/README).
die_input() { echo "k3s recipe: $*" >&2; exit 2; }

# check_version WANT: the installed k3s must be the release the cluster
# asks for (an airgap bundle or an installer may bring another one). An
# empty WANT (the installer's default) takes what is there.
check_version() {
    [ -n "$1" ] || return 0
    bin=
    for b in "$(command -v k3s 2>/dev/null)" /usr/local/bin/k3s; do
        if [ -z "$bin" ] && [ -n "$b" ] && [ -x "$b" ]; then bin=$b; fi
    done
    got=
    if [ -n "$bin" ]; then
        got=$("$bin" --version 2>/dev/null | sed -n '1s/^k3s version \([^ ]*\).*/\1/p')
    fi
    [ -n "$got" ] || die "cannot tell the installed k3s version (k3s --version); the cluster asks for $1"
    [ "$got" = "$1" ] || die_input "installed k3s is $got, but the cluster asks for $1"
}

# sh k3s.sh --check-version WANT: only that check (tests use it).
if [ "${1:-}" = --check-version ]; then
    check_version "${2-}"
    echo "k3s ${2:-(any version)} is installed"
    exit 0
fi

params=${1:?usage: k3s.sh PARAMS_FILE}
# shellcheck source=/dev/null
. "$params"

: "${DROVER_ROLE:?DROVER_ROLE is not set}"
: "${DROVER_NODE_NAME:?DROVER_NODE_NAME is not set}"
out=${DROVER_OUT:-$HOME/.drover/out}
umask 077
mkdir -p "$out"

if [ "$(id -u)" = 0 ]; then
    SUDO=
else
    command -v sudo >/dev/null || die "the login user needs sudo"
    SUDO="sudo -n"
fi
run() { $SUDO "$@"; }

case "$DROVER_ROLE" in
init) service=k3s; kind=server ;;
server) service=k3s; kind=server ;;
agent) service=k3s-agent; kind=agent ;;
*) die "unknown role $DROVER_ROLE" ;;
esac

progress 5 "preparing k3s $kind on $DROVER_NODE_NAME"
run mkdir -p /etc/rancher/k3s
run chmod 700 /etc/rancher/k3s

# The node's config; the token travels as a root-only file, never in argv.
config=$(mktemp)
trap 'rm -f "$config"' EXIT
{
    echo "node-name: '$DROVER_NODE_NAME'"
    if [ -n "${DROVER_NODE_ADDR:-}" ]; then
        echo "node-external-ip: '$DROVER_NODE_ADDR'"
    fi
    case "$DROVER_ROLE" in
    init)
        echo "cluster-init: true"
        if [ -n "${DROVER_NODE_ADDR:-}" ]; then
            echo "tls-san: ['$DROVER_NODE_ADDR']"
        fi
        echo "write-kubeconfig-mode: '0600'"
        ;;
    server | agent)
        : "${DROVER_SERVER_ADDR:?DROVER_SERVER_ADDR is not set}"
        [ -s "${DROVER_TOKEN_FILE:-}" ] || die "no join token in ${DROVER_TOKEN_FILE:-(unset)}"
        run install -m 600 "$DROVER_TOKEN_FILE" /etc/rancher/k3s/drover-token
        echo "server: 'https://$DROVER_SERVER_ADDR:6443'"
        echo "token-file: /etc/rancher/k3s/drover-token"
        ;;
    esac
    if [ "${DROVER_CLOUD_PROVIDER:-none}" = vsphere ]; then
        # The out-of-tree vSphere CPI replaces k3s's own cloud controller;
        # every kubelet waits for it (docs.k3s.io, "Cloud Provider":
        # disable-cloud-controller and kubelet-arg cloud-provider=external).
        echo "kubelet-arg: ['cloud-provider=external']"
        if [ "$kind" = server ]; then
            echo "disable-cloud-controller: true"
        fi
    fi
    if [ "$kind" = server ]; then
        case ",${DROVER_ROLES:-}," in
        *,worker,*) ;;
        *) echo "node-taint: ['node-role.kubernetes.io/control-plane=true:NoSchedule']" ;;
        esac
    fi
} >"$config"
run install -m 600 "$config" /etc/rancher/k3s/config.yaml

# cloud_files [BUNDLE]: a server's cloud provider manifests (HelmChart
# objects, 0600: they hold the vCenter password) into the folder k3s
# applies at start (docs.k3s.io, "Auto-Deploying Manifests"); with an
# airgap bundle, its charts into the static folder the HelmCharts point at.
cloud_files() {
    [ "${DROVER_CLOUD_PROVIDER:-none}" = vsphere ] && [ "$kind" = server ] || return 0
    [ -d "${DROVER_FILES:-}" ] || die "the cloud provider's manifests were not uploaded"
    run mkdir -p /var/lib/rancher/k3s/server/manifests
    if [ -n "${1:-}" ]; then
        run mkdir -p /var/lib/rancher/k3s/server/static/charts
        for c in rancher-vsphere-cpi rancher-vsphere-csi; do
            [ -f "$1/charts/$c.tgz" ] ||
                die_input "the airgap bundle has no charts/$c.tgz (cloud_provider = \"vsphere\" needs the CPI and CSI charts)"
            run install -m 644 "$1/charts/$c.tgz" /var/lib/rancher/k3s/server/static/charts/
        done
    fi
    for f in "$DROVER_FILES"/*.yaml; do
        if [ -f "$f" ]; then
            run install -m 600 "$f" /var/lib/rancher/k3s/server/manifests/
        fi
    done
    rm -rf "$DROVER_FILES"
}

INSTALL_K3S_EXEC=$kind
INSTALL_K3S_VERSION=${DROVER_VERSION:-}

if [ -n "${DROVER_AIRGAP:-}" ]; then
    progress 15 "unpacking the airgap bundle"
    [ -r "$DROVER_AIRGAP" ] || die_input "airgap bundle $DROVER_AIRGAP is missing"
    bundle=$(mktemp -d)
    trap 'rm -f "$config"; rm -rf "$bundle"' EXIT
    case "$DROVER_AIRGAP" in
    *.zst) zstd -dc "$DROVER_AIRGAP" | tar -xf - -C "$bundle" ;;
    *) tar -xaf "$DROVER_AIRGAP" -C "$bundle" ;;
    esac
    if [ ! -f "$bundle/k3s" ] || [ ! -f "$bundle/install.sh" ]; then
        die_input "the airgap bundle needs k3s and install.sh"
    fi
    run mkdir -p /var/lib/rancher/k3s/agent/images
    for img in "$bundle"/k3s-airgap-images-*; do
        if [ -f "$img" ]; then
            run install -m 644 "$img" /var/lib/rancher/k3s/agent/images/
        fi
    done
    run install -m 755 "$bundle/k3s" /usr/local/bin/k3s
    cloud_files "$bundle"
    progress 30 "installing k3s from the bundle"
    run env INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_EXEC="$INSTALL_K3S_EXEC" \
        sh "$bundle/install.sh"
else
    cloud_files
    progress 15 "downloading the k3s installer"
    installer=$(mktemp)
    trap 'rm -f "$config" "$installer"' EXIT
    curl -sfL --retry 5 --retry-delay 2 -o "$installer" https://get.k3s.io ||
        die "cannot download https://get.k3s.io"
    progress 30 "installing k3s ${DROVER_VERSION:-(latest)}"
    run env INSTALL_K3S_EXEC="$INSTALL_K3S_EXEC" \
        INSTALL_K3S_VERSION="$INSTALL_K3S_VERSION" sh "$installer"
fi

progress 55 "checking the installed version"
check_version "${DROVER_VERSION:-}"

progress 60 "waiting for $service"
i=0
until run systemctl is-active --quiet "$service"; do
    i=$((i + 1))
    [ "$i" -le 300 ] || die "$service did not start within 300 s"
    sleep 1
done

if [ "$DROVER_ROLE" = init ]; then
    progress 75 "waiting for the API server"
    i=0
    until run k3s kubectl get --raw=/readyz >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -le 300 ] || die "the API server was not ready within 300 s"
        sleep 1
    done
    progress 90 "fetching the token and kubeconfig"
    run cat /var/lib/rancher/k3s/server/node-token >"$out/token"
    run cat /etc/rancher/k3s/k3s.yaml |
        sed "s#https://127.0.0.1:6443#https://${DROVER_NODE_ADDR:-127.0.0.1}:6443#" \
            >"$out/kubeconfig"
    chmod 600 "$out/token" "$out/kubeconfig"
fi
progress 100 "k3s $kind is running"
