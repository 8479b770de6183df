#!/bin/sh
# drover lab: the rke2 installer an airgap bundle carries (a stand-in for
# https://get.rke2.io, tests/lab/README "Kubernetes"). Like the real one
# with INSTALL_RKE2_ARTIFACT_PATH: it checks rke2.linux-<arch>.tar.gz
# against sha256sum-<arch>.txt and unpacks it into INSTALL_RKE2_TAR_PREFIX
# (/usr/local, or /opt/rke2 when /usr/local is not writable). It neither
# enables nor starts a service: that is `systemctl enable --now
# rke2-server` (or rke2-agent) afterwards. INSTALL_RKE2_TYPE is server or agent.
set -e
info() { echo "[INFO]  $*"; }
fatal() { echo "[ERROR]  $*" >&2; exit 1; }

arch=amd64
case "${INSTALL_RKE2_TYPE:-server}" in
server | agent) ;;
*) fatal "Invalid INSTALL_RKE2_TYPE: ${INSTALL_RKE2_TYPE}" ;;
esac
dir=${INSTALL_RKE2_ARTIFACT_PATH:-}
[ -n "$dir" ] || fatal "Failed to download https://github.com/rancher/rke2/releases: no network in the lab (set INSTALL_RKE2_ARTIFACT_PATH)"
tarball=$dir/rke2.linux-$arch.tar.gz
sums=$dir/sha256sum-$arch.txt
[ -f "$tarball" ] || fatal "Artifact $tarball not found"
[ -f "$sums" ] || fatal "Artifact $sums not found"
info "staging local checksums from $sums"
want=$(grep "rke2.linux-$arch.tar.gz" "$sums" | awk '{print $1}')
got=$(sha256sum "$tarball" | awk '{print $1}')
[ "$want" = "$got" ] || fatal "download sha256 does not match $want, got $got"
prefix=${INSTALL_RKE2_TAR_PREFIX:-/usr/local}
if [ -z "${INSTALL_RKE2_TAR_PREFIX:-}" ] && ! touch /usr/local/.rke2-ro-test 2>/dev/null; then
    prefix=/opt/rke2
fi
rm -f /usr/local/.rke2-ro-test
info "Installing rke2 to $prefix"
mkdir -p "$prefix"
tar xzf "$tarball" -C "$prefix"
if [ "$prefix" != /usr/local ]; then
    for u in server agent; do
        sed -i "s#/usr/local#$prefix#g" "$prefix/lib/systemd/system/rke2-$u.service"
        mkdir -p /etc/systemd/system
        cp "$prefix/lib/systemd/system/rke2-$u.service" /etc/systemd/system/
    done
fi
systemctl daemon-reload
