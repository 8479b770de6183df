#!/bin/bash
# `drover cloud-init`: what a node would receive, validated by the real
# cloud-init schema checker, keys parsed back with ssh-keygen.
: "${top_srcdir:?}" "${DROVER:?}"
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
command -v cloud-init >/dev/null || { echo "1..0 # SKIP cloud-init is not installed"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=$tmp/config
state=$tmp/state
mkdir -p "$cfg/templates" "$state"
sed -e 's/^user_data = .*/user_data = "#cloud-config\\npackages:\\n  - open-vm-tools\\nusers:\\n  - name: auditor\\n    lock_passwd: true\\nruncmd:\\n  - [ touch, \/tmp\/ok ]\\n";/' \
    "$top_srcdir/data/examples/templates/ubuntu-worker.cfg" >"$cfg/templates/worker.cfg"
sed -e 's/^user_data = .*/user_data = "#cloud-config\\nruncmd:\\n  - true\\nhostname: evil\\n";/' \
    "$top_srcdir/data/examples/templates/ubuntu-worker.cfg" >"$cfg/templates/bad.cfg"
drover() { "$DROVER" --config-dir "$cfg" --state-dir "$state" "$@"; }

drover cloud-init worker --hostname worker-01 >"$tmp/ud.yaml" 2>"$tmp/err"
ok $? "renders user-data for a template"
cloud-init schema -c "$tmp/ud.yaml" >"$tmp/schema" 2>&1
ok $? "the user-data passes cloud-init schema"
[ $failed = 0 ] || sed 's/^/# /' "$tmp/schema" "$tmp/err"
! grep -q 'PRIVATE KEY' "$tmp/ud.yaml" && grep -q 'hidden; use --show-secrets' "$tmp/ud.yaml"
ok $? "private key material is hidden by default"
grep -q 'preview' "$tmp/err"
ok $? "says the keys are a preview when the cluster has none"
/usr/bin/python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert [u["name"] for u in d["users"]] == ["drover", "auditor"]; assert d["packages"] == ["open-vm-tools"]; assert d["hostname"] == "worker-01"' "$tmp/ud.yaml"
ok $? "login user first, the template's extras merged"

# A cluster with keys: its client key and the node's host key are used.
mkdir -p "$state/keys/prod" && chmod 700 "$state/keys" "$state/keys/prod"
ssh-keygen -q -t ed25519 -N '' -C 'drover@prod' -f "$state/keys/prod/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C 'worker-02' -f "$state/keys/prod/worker-02_host_ed25519"
drover cloud-init worker --hostname worker-02 --cluster prod --show-secrets >"$tmp/ud2.yaml" 2>"$tmp/err2"
ok $? "renders with --cluster and --show-secrets"
cloud-init schema -c "$tmp/ud2.yaml" >/dev/null 2>&1
ok $? "that user-data passes cloud-init schema too"
! grep -q preview "$tmp/err2"
ok $? "no preview note when the keys exist"
(umask 077 && /usr/bin/python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); sys.stdout.write(d["ssh_keys"]["ed25519_private"])' "$tmp/ud2.yaml" >"$tmp/hostkey")
[ "$(ssh-keygen -l -f "$tmp/hostkey" | cut -d' ' -f2)" = "$(ssh-keygen -l -f "$state/keys/prod/worker-02_host_ed25519" | cut -d' ' -f2)" ]
ok $? "the host key in ssh_keys is the node's key (ssh-keygen fingerprints agree)"
grep -qF "$(cut -d' ' -f2 "$state/keys/prod/id_ed25519.pub")" "$tmp/ud2.yaml"
ok $? "the cluster's public key is authorized"

drover cloud-init worker --hostname worker-01 --metadata >"$tmp/md.yaml"
ok $? "renders meta-data"
/usr/bin/python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d == {"instance-id": "worker-01", "local-hostname": "worker-01"}, d' "$tmp/md.yaml"
ok $? "meta-data has instance-id and local-hostname"

drover cloud-init bad --hostname n1 >/dev/null 2>"$tmp/bad.err"
[ $? = 1 ] && grep -q 'bad' "$tmp/bad.err" && grep -q "templates/bad.cfg" "$tmp/bad.err" && grep -q "line 4: key 'hostname' is set by drover" "$tmp/bad.err"
ok $? "invalid extra user-data: an error naming the template and the key"
[ $failed = 0 ] || sed 's/^/# /' "$tmp/bad.err"
drover cloud-init missing --hostname n1 >/dev/null 2>&1
[ $? = 1 ]
ok $? "an unknown template fails"
drover cloud-init worker --hostname Bad_Name >/dev/null 2>"$tmp/name.err"
[ $? = 1 ] && grep -q Bad_Name "$tmp/name.err"
ok $? "an invalid hostname fails with its name"
drover cloud-init worker >/dev/null 2>&1
[ $? = 2 ]
ok $? "--hostname is required"

# Case B: user_data saved by a Windows editor (a byte order mark, CRLF):
# normalised, said on stderr, and what the node gets passes the schema.
sed -e 's/^user_data = .*/user_data = "\\xEF\\xBB\\xBF#cloud-config\\r\\npackages:\\r\\n  - jq\\r\\n";/' \
    "$top_srcdir/data/examples/templates/ubuntu-worker.cfg" >"$cfg/templates/win.cfg"
drover cloud-init win --hostname w1 >"$tmp/win.yaml" 2>"$tmp/win.err"
ok $? "user_data with a byte order mark and CRLF renders"
grep -q 'user_data line 1: a UTF-8 byte order mark (EF BB BF) in front of "#cloud-config" was removed' "$tmp/win.err" &&
    grep -q 'Windows line ends (CRLF) on 3 line(s) were changed to LF' "$tmp/win.err"
ok $? "with a warning for each"
cloud-init schema -c "$tmp/win.yaml" >/dev/null 2>&1 && ! grep -q "$(printf '\r')" "$tmp/win.yaml" &&
    /usr/bin/python3 -c 'import sys,yaml; sys.exit(yaml.safe_load(open(sys.argv[1]))["packages"] != ["jq"])' "$tmp/win.yaml"
ok $? "and the node gets valid cloud-config with the operator's packages, no CR"

echo "1..$n"
[ "$failed" = 0 ]
