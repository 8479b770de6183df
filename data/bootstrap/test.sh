#!/bin/sh
# drover test recipe: real work on a lab node without Kubernetes. It follows
# the recipe contract (data/bootstrap/README) as the unprivileged login user.
set -eu

params=${1:?usage: test.sh PARAMS_FILE}
# shellcheck source=/dev/null
. "$params"

progress() { echo "drover-progress: $1 $2"; }

: "${DROVER_ROLE:?DROVER_ROLE is not set}"
: "${DROVER_NODE_NAME:?DROVER_NODE_NAME is not set}"
out=${DROVER_OUT:-$HOME/.drover/out}
work=$HOME/drover-test
umask 077
mkdir -p "$out" "$work"

progress 10 "preparing $DROVER_NODE_NAME as $DROVER_ROLE"
printf '%s\n' "$DROVER_ROLE" >"$work/role"
printf '%s\n' "$DROVER_NODE_NAME" >"$work/name"
printf '%s\n' "${DROVER_ROLES:-}" >"$work/roles"
printf '%s\n' "${DROVER_VERSION:-}" >"$work/version"
uname -a >"$work/uname"
echo "wrote $work"

progress 40 "checking the bundle"
if [ -n "${DROVER_AIRGAP:-}" ]; then
    [ -r "$DROVER_AIRGAP" ] || { echo "test recipe: airgap bundle $DROVER_AIRGAP missing" >&2; exit 4; }
    sha256sum "$DROVER_AIRGAP" | cut -d' ' -f1 >"$work/airgap.sha256"
    echo "airgap bundle $(wc -c <"$DROVER_AIRGAP") bytes"
fi

case "$DROVER_ROLE" in
init)
    progress 60 "creating the cluster token"
    token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    printf 'K10%s::server:%s\n' "$token" "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
        >"$out/token"
    chmod 600 "$out/token"
    sha256sum <"$out/token" | cut -d' ' -f1 >"$work/token.sha256"
    # No Kubernetes here, so no kubeconfig (data/bootstrap/README): drover
    # then neither waits for Nodes nor polls an API. DROVER_TEST_KUBECONFIG=1
    # writes one anyway, for tests of how drover fetches it.
    [ "${DROVER_TEST_KUBECONFIG:-0}" = 1 ] && cat >"$out/kubeconfig" <<KUBE
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://${DROVER_NODE_ADDR:-127.0.0.1}:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    username: admin
KUBE
    [ ! -e "$out/kubeconfig" ] || chmod 600 "$out/kubeconfig"
    ;;
server | agent)
    progress 60 "joining ${DROVER_SERVER_ADDR:?DROVER_SERVER_ADDR is not set}"
    tf=${DROVER_TOKEN_FILE:?DROVER_TOKEN_FILE is not set}
    [ -s "$tf" ] || { echo "test recipe: no join token in $tf" >&2; exit 5; }
    sha256sum <"$tf" | cut -d' ' -f1 >"$work/token.sha256"
    printf '%s\n' "$DROVER_SERVER_ADDR" >"$work/server"
    echo "joined $DROVER_SERVER_ADDR"
    ;;
*)
    echo "test recipe: unknown role $DROVER_ROLE" >&2
    exit 2
    ;;
esac

progress 80 "working"
i=0
while [ "$i" -lt "${DROVER_TEST_SLEEP:-0}" ]; do
    sleep 1
    i=$((i + 1))
done

rc=${DROVER_TEST_EXIT:-0}
if [ "$rc" != 0 ]; then
    echo "test recipe: failing on purpose with exit code $rc" >&2
    exit "$rc"
fi
date -u +%Y-%m-%dT%H:%M:%SZ >"$work/done"
progress 100 "done"
