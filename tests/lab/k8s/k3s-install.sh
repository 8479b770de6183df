#!/bin/sh
# drover lab: the k3s installer an airgap bundle carries (a stand-in for
# https://get.k3s.io, tests/lab/README "Kubernetes"). It takes the real
# one's variables: INSTALL_K3S_SKIP_DOWNLOAD (the binary is already in
# /usr/local/bin), INSTALL_K3S_EXEC ("server"/"agent" and flags; with
# K3S_URL the default is agent), INSTALL_K3S_NAME, INSTALL_K3S_SKIP_ENABLE,
# INSTALL_K3S_SKIP_START, K3S_URL, K3S_TOKEN; and it writes what the real
# one writes: the systemd unit and its .env file, k3s-killall.sh and
# k3s-uninstall.sh, then enables and (re)starts the service.
set -e
info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR]  $*" >&2; exit 1; }

BIN_DIR=${INSTALL_K3S_BIN_DIR:-/usr/local/bin}
SYSTEMD_DIR=${INSTALL_K3S_SYSTEMD_DIR:-/etc/systemd/system}

if [ -n "${K3S_URL:-}" ] && [ -z "${K3S_TOKEN:-}" ] && [ -z "${K3S_TOKEN_FILE:-}" ]; then
    fatal "Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined."
fi
cmd_exec=${INSTALL_K3S_EXEC:-}
case "$cmd_exec" in
server* | agent*) ;;
*) if [ -n "${K3S_URL:-}" ]; then cmd_exec="agent $cmd_exec"; else cmd_exec="server $cmd_exec"; fi ;;
esac
cmd=${cmd_exec%% *}
if [ -n "${INSTALL_K3S_NAME:-}" ]; then
    name=k3s-$INSTALL_K3S_NAME
elif [ "$cmd" = server ]; then
    name=k3s
else
    name=k3s-$cmd
fi

if [ "${INSTALL_K3S_SKIP_DOWNLOAD:-}" = true ]; then
    info "Skipping k3s download and verify"
    [ -x "$BIN_DIR/k3s" ] || fatal "Executable k3s binary not found at $BIN_DIR/k3s"
else
    fatal "Failed to download https://github.com/k3s-io/k3s/releases: no network in the lab (INSTALL_K3S_SKIP_DOWNLOAD=true with the binary in $BIN_DIR)"
fi

for c in kubectl crictl ctr; do
    if command -v "$c" >/dev/null 2>&1; then
        info "Skipping $BIN_DIR/$c symlink to k3s, command exists in PATH at $(command -v "$c")"
    else
        info "Creating $BIN_DIR/$c symlink to k3s"
        ln -sf k3s "$BIN_DIR/$c"
    fi
done

info "Creating killall script $BIN_DIR/k3s-killall.sh"
cat >"$BIN_DIR/k3s-killall.sh" <<'EOS'
#!/bin/sh
for s in /etc/systemd/system/k3s*.service; do [ -f "$s" ] && systemctl stop "$(basename "$s")"; done
exit 0
EOS
chmod 755 "$BIN_DIR/k3s-killall.sh"
info "Creating uninstall script $BIN_DIR/$name-uninstall.sh"
cat >"$BIN_DIR/$name-uninstall.sh" <<EOS
#!/bin/sh
$BIN_DIR/k3s-killall.sh
systemctl disable $name
rm -rf /etc/rancher/k3s /var/lib/rancher/k3s $SYSTEMD_DIR/$name.service $SYSTEMD_DIR/$name.service.env
rm -f $BIN_DIR/k3s $BIN_DIR/k3s-killall.sh $BIN_DIR/$name-uninstall.sh
EOS
chmod 755 "$BIN_DIR/$name-uninstall.sh"

info "env: Creating environment file $SYSTEMD_DIR/$name.service.env"
umask 077
env | grep -E '^(K3S|CONTAINERD)_' | sed 's/^\([^=]*\)=\(.*\)$/\1='"'"'\2'"'"'/' >"$SYSTEMD_DIR/$name.service.env" || true
umask 022

info "systemd: Creating service file $SYSTEMD_DIR/$name.service"
if [ "$cmd" = server ]; then type="notify"; else type="exec"; fi
{
    cat <<EOS
[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=$type
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-$SYSTEMD_DIR/$name.service.env
KillMode=process
Delegate=yes
LimitNOFILE=1048576
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStart=$BIN_DIR/k3s \\
EOS
    for a in $cmd_exec; do printf "    '%s' \\\\\n" "$a"; done
    echo
} >"$SYSTEMD_DIR/$name.service"

[ "${INSTALL_K3S_SKIP_ENABLE:-}" = true ] && exit 0
info "systemd: Enabling $name unit"
systemctl enable "$name" >/dev/null 2>&1
systemctl daemon-reload >/dev/null
[ "${INSTALL_K3S_SKIP_START:-}" = true ] && exit 0
info "systemd: Starting $name"
systemctl restart "$name"
