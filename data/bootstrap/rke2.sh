#!/bin/sh
# drover recipe: install RKE2 on one node (contract: data/bootstrap/README).
# drover-recipe: rke2
#   init    first server (it starts etcd; the others join it)
#   server  a further server joining https://DROVER_SERVER_ADDR:9345
#   agent   a worker joining https://DROVER_SERVER_ADDR:9345
# Online it runs https://get.rke2.io; with DROVER_AIRGAP it installs from the
# uploaded bundle (install.sh, rke2.linux-*.tar.gz, sha256sum-*.txt, images).
set -eu

progress() { echo "drover-progress: $1 $2"; }
die() { echo "rke2 recipe: $*" >&2; exit 1; }
# Exit 2: the recipe's inputs are wrong (the version, the airgap bundle), so
# running it again on the same inputs fails the same way: drover does not
# retry (data/bootstrap/README).
die_input() { echo "rke2 recipe: $*" >&2; exit 2; }

# check_version WANT: the installed rke2 must be the release the cluster
# asks for (an airgap bundle or an installer may bring another one). An
# empty WANT (the installer's default) takes what is there.
check_version() {
    [ -n "$1" ] || return 0
    bin=
    for b in "$(command -v rke2 2>/dev/null)" /usr/local/bin/rke2 /opt/rke2/bin/rke2; do
        if [ -z "$bin" ] && [ -n "$b" ] && [ -x "$b" ]; then bin=$b; fi
    done
    got=
    if [ -n "$bin" ]; then
        got=$("$bin" --version 2>/dev/null | sed -n '1s/^rke2 version \([^ ]*\).*/\1/p')
    fi
    [ -n "$got" ] || die "cannot tell the installed rke2 version (rke2 --version); the cluster asks for $1"
    [ "$got" = "$1" ] || die_input "installed rke2 is $got, but the cluster asks for $1"
}

# sh rke2.sh --check-version WANT: only that check (tests use it).
if [ "${1:-}" = --check-version ]; then
    check_version "${2-}"
    echo "rke2 ${2:-(any version)} is installed"
    exit 0
fi

params=${1:?usage: rke2.sh PARAMS_FILE}
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
init | server) kind=server ;;
agent) kind=agent ;;
*) die "unknown role $DROVER_ROLE" ;;
esac
service=rke2-$kind

progress 5 "preparing rke2 $kind on $DROVER_NODE_NAME"
run mkdir -p /etc/rancher/rke2
run chmod 700 /etc/rancher/rke2

config=$(mktemp)
trap 'rm -f "$config"' EXIT
{
    echo "node-name: '$DROVER_NODE_NAME'"
    if [ -n "${DROVER_NODE_ADDR:-}" ]; then
        echo "node-external-ip: '$DROVER_NODE_ADDR'"
    fi
    case "$DROVER_ROLE" in
    init)
        if [ -n "${DROVER_NODE_ADDR:-}" ]; then
            echo "tls-san: ['$DROVER_NODE_ADDR']"
        fi
        echo "write-kubeconfig-mode: '0600'"
        ;;
    server | agent)
        : "${DROVER_SERVER_ADDR:?DROVER_SERVER_ADDR is not set}"
        [ -s "${DROVER_TOKEN_FILE:-}" ] || die "no join token in ${DROVER_TOKEN_FILE:-(unset)}"
        run install -m 600 "$DROVER_TOKEN_FILE" /etc/rancher/rke2/drover-token
        echo "server: 'https://$DROVER_SERVER_ADDR:9345'"
        echo "token-file: /etc/rancher/rke2/drover-token"
        ;;
    esac
    if [ "${DROVER_CLOUD_PROVIDER:-none}" = vsphere ]; then
        # rke2's bundled vSphere CPI and CSI charts; on every node, so
        # each kubelet runs with cloud-provider=external (docs.rke2.io,
        # "Cloud Provider": cloud-provider-name: rancher-vsphere).
        echo "cloud-provider-name: 'rancher-vsphere'"
    fi
    if [ "$kind" = server ]; then
        case ",${DROVER_ROLES:-}," in
        *,worker,*) ;;
        *) echo "node-taint: ['node-role.kubernetes.io/control-plane=true:NoSchedule']" ;;
        esac
    fi
} >"$config"
run install -m 600 "$config" /etc/rancher/rke2/config.yaml

# A server's HelmChartConfig manifests for the bundled charts (0600: they
# hold the vCenter password), where rke2 applies them at start.
if [ "${DROVER_CLOUD_PROVIDER:-none}" = vsphere ] && [ "$kind" = server ]; then
    [ -d "${DROVER_FILES:-}" ] || die "the cloud provider's manifests were not uploaded"
    run mkdir -p /var/lib/rancher/rke2/server/manifests
    for f in "$DROVER_FILES"/*.yaml; do
        if [ -f "$f" ]; then
            run install -m 600 "$f" /var/lib/rancher/rke2/server/manifests/
        fi
    done
    rm -rf "$DROVER_FILES"
fi

if [ -n "${DROVER_AIRGAP:-}" ]; then
    progress 15 "unpacking the airgap bundle"
    [ -r "$DROVER_AIRGAP" ] || die_input "airgap bundle $DROVER_AIRGAP is missing"
    bundle=$(mktemp -d)
    trap 'rm -f "$config"; rm -rf "$bundle"' EXIT
    case "$DROVER_AIRGAP" in
    *.zst) zstd -dc "$DROVER_AIRGAP" | tar -xf - -C "$bundle" ;;
    *) tar -xaf "$DROVER_AIRGAP" -C "$bundle" ;;
    esac
    if [ ! -f "$bundle/install.sh" ]; then
        die_input "the airgap bundle needs install.sh"
    fi
    run mkdir -p /var/lib/rancher/rke2/agent/images
    for img in "$bundle"/rke2-images*; do
        if [ -f "$img" ]; then
            run install -m 644 "$img" /var/lib/rancher/rke2/agent/images/
        fi
    done
    progress 30 "installing rke2 from the bundle"
    run env INSTALL_RKE2_ARTIFACT_PATH="$bundle" INSTALL_RKE2_TYPE="$kind" sh "$bundle/install.sh"
else
    progress 15 "downloading the rke2 installer"
    installer=$(mktemp)
    trap 'rm -f "$config" "$installer"' EXIT
    curl -sfL --retry 5 --retry-delay 2 -o "$installer" https://get.rke2.io ||
        die "cannot download https://get.rke2.io"
    progress 30 "installing rke2 ${DROVER_VERSION:-(latest)}"
    run env INSTALL_RKE2_TYPE="$kind" INSTALL_RKE2_VERSION="${DROVER_VERSION:-}" sh "$installer"
fi

progress 45 "checking the installed version"
check_version "${DROVER_VERSION:-}"

progress 50 "starting $service"
if ! run systemctl enable --now "$service"; then
    run systemctl status --no-pager "$service" >&2 || :
    die "$service did not start"
fi
i=0
until run systemctl is-active --quiet "$service"; do
    i=$((i + 1))
    [ "$i" -le 600 ] || die "$service did not start within 600 s"
    sleep 1
done

if [ "$DROVER_ROLE" = init ]; then
    progress 75 "waiting for the API server"
    kubectl=/var/lib/rancher/rke2/bin/kubectl
    i=0
    until run "$kubectl" --kubeconfig /etc/rancher/rke2/rke2.yaml get --raw=/readyz \
        >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -le 600 ] || die "the API server was not ready within 600 s"
        sleep 1
    done
    progress 90 "fetching the token and kubeconfig"
    run cat /var/lib/rancher/rke2/server/node-token >"$out/token"
    run cat /etc/rancher/rke2/rke2.yaml |
        sed "s#https://127.0.0.1:6443#https://${DROVER_NODE_ADDR:-127.0.0.1}:6443#" \
            >"$out/kubeconfig"
    chmod 600 "$out/token" "$out/kubeconfig"
fi
progress 100 "rke2 $kind is running"
