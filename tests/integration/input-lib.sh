# Shared by the tests of input refused before any vCenter call
# (tests/integration/cli-input.t, template-input.t): the TAP helpers, a
# "vCenter" that only counts connections (one line per accept in
# $tmp/connections), config folders pointing at it, and drv to run drover on
# one. Needs python3 (the listener).
# shellcheck shell=bash
. "${top_srcdir:?}/tests/integration/tap.sh"

[ -x /usr/bin/python3 ] || { echo "1..0 # SKIP /usr/bin/python3 is not installed"; exit 0; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drover-input.XXXXXX")
listener_pid=
cleanup() {
    [ -z "$listener_pid" ] || kill "$listener_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# The "vCenter": it accepts, counts and hangs up.
/usr/bin/python3 - "$tmp/port" "$tmp/connections" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
EOF
listener_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
: >"$tmp/connections"

base='vcenter = "lab";
datacenter = "DC0";
host = "DC0_H0";
datastore = "LocalDS_0";
clone_from = "DC0_H0_VM0";'

# folder NAME: a fresh config folder with the "lab" vCenter at the listener.
folder() {
    local d=$tmp/$1
    mkdir -p "$d/config/templates" "$d/config/clusters" "$d/state"
    cat >"$d/config/vcenters.cfg" <<EOF
vcenters = ( { name = "lab"; url = "https://127.0.0.1:$port/sdk"; user = "u";
               password = "p"; insecure = true; } );
EOF
    chmod 600 "$d/config/vcenters.cfg"
    echo "$d"
}
# drv DIR ARGS...: drover on the folder DIR.
drv() { local d=$1; shift; "$DROVER" --config-dir "$d/config" --state-dir "$d/state" "$@"; }
