#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The headless commands: --version, --help, list (table and JSON, parsed back
# with jq), validate on good and broken folders, exit codes 0/1/2.
set -u
: "${top_srcdir:?}" "${DROVER:?}"
fixtures=$top_srcdir/tests/fixtures/cli

. "$top_srcdir/tests/integration/tap.sh"

command -v jq >/dev/null || { echo "1..0 # SKIP jq is not installed"; exit 0; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drover-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Copies, so that modes can be set (git keeps no 0600) and srcdir stays
# untouched (make distcheck's srcdir is read-only).
cp -R "$fixtures/good" "$tmp/good"
cp -R "$fixtures/broken" "$tmp/broken"
chmod -R u+w "$tmp"
chmod 600 "$tmp/good/config/vcenters.cfg" "$tmp/broken/config/vcenters.cfg"

good() { "$DROVER" --config-dir "$tmp/good/config" --state-dir "$tmp/good/state" "$@"; }
broken() { "$DROVER" --config-dir "$tmp/broken/config" --state-dir "$tmp/broken/state" "$@"; }
# rc COMMAND...: the exit status, output discarded.
rc() { "$@" >/dev/null 2>&1; echo $?; }

# --version and --help
is "$("$DROVER" --version)" "drover $(sed -n 's/^AC_INIT(\[drover\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "--version prints the version"
is "$(rc "$DROVER" -V)" 0 "-V exits 0"
help=$("$DROVER" --help)
ok "--help shows usage" grep -q '^Usage: drover' <<<"$help"
ok "--help lists list" grep -q '^  list KIND' <<<"$help"
ok "--help lists validate" grep -q '^  validate' <<<"$help"
is "$(rc "$DROVER" --help)" 0 "--help exits 0"

# validate, good folder
out=$(good validate); code=$?
is "$code" 0 "validate on the good folder exits 0"
is "$out" "OK: 2 vcenters, 2 templates, 2 clusters, 1 state files in $tmp/good/config" "validate prints one OK line"

# list clusters
j=$(good list clusters -o json)
is "$(jq -r 'map(.name) | join(",")' <<<"$j")" "edge,prod" "clusters in name order"
is "$(jq -r '.[] | select(.name=="prod") | .state' <<<"$j")" "degraded" "prod is degraded (one node in error)"
is "$(jq -r '.[] | select(.name=="edge") | .state' <<<"$j")" "pending" "edge has no nodes yet: pending"
is "$(jq -r '.[] | select(.name=="prod") | "\(.nodes_ready)/\(.nodes_total)/\(.nodes_desired)"' <<<"$j")" "2/3/3" "prod node counts"
is "$(jq -r '.[] | select(.name=="prod") | .pools | map("\(.name):\(.template):\(.quantity):\(.roles|join("+"))") | join(" ")' <<<"$j")" \
    "server:server:1:etcd+control-plane agent:worker:2:worker" "prod pools"
is "$(jq -r '.[] | select(.name=="edge") | "\(.distribution) \(.version) \(.vcenter)"' <<<"$j")" "rke2 null null" "absent values are null"
is "$(jq -r '.[0] | keys | join(",")' <<<"$j")" \
    "airgap_bundle,cloud_provider,distribution,file,keep_failed_vms,name,nodes_desired,nodes_ready,nodes_total,pools,recipe,state,storage_class,vcenter,version" \
    "cluster fields are stable"
is "$(jq -r '.[] | select(.name=="prod") | "\(.cloud_provider) \(.storage_class)"' <<<"$j")" "none null" \
    "no cloud provider: none, no StorageClass"
table=$(good list clusters)
ok "table has a header" grep -qE '^NAME +DISTRIBUTION +VERSION +VCENTER +STATE +NODES +POOLS$' <<<"$table"
ok "table row for prod" grep -qE '^prod +k3s +v1\.30\.4\+k3s1 +lab +Degraded +2/3 +2$' <<<"$table"
is "$(good </dev/null)" "$table" "no command (not a terminal) lists the clusters"
is "$(good list clusters -o table)" "$table" "-o table is the default"
is "$(good list clusters --output=json | jq length)" 2 "--output=json works too"

# list templates
j=$(good list templates -o json)
is "$(jq -r 'map(.name) | join(",")' <<<"$j")" "server,worker" "templates"
is "$(jq -r '.[] | select(.name=="server") | "\(.clone_mode) \(.snapshot) \(.cpus) \(.memory_mib) \(.host) \(.tags|join(","))"' <<<"$j")" \
    "linked base 4 8192 DC0_H0 k8s,server" "template fields"
is "$(jq -r '.[] | select(.name=="worker") | "\(.disk_gib) \(.ssh_user) \(.ssh_port) \(.networks[0])"' <<<"$j")" \
    "40 drover 22 VM Network" "template defaults and networks"
is "$(jq -r '.[] | select(.name=="server") | .extra_config[0] | "\(.key)=\(.value)"' <<<"$j")" "disk.EnableUUID=TRUE" "extra_config"

# list nodes
j=$(good list nodes -o json)
is "$(jq length <<<"$j")" 3 "three nodes"
is "$(jq -r '.[] | select(.state=="error") | "\(.name) \(.step) \(.percent) \(.attempts) \(.last_error)"' <<<"$j")" \
    "prod-agent-02 waiting-for-ssh 60 3 host key mismatch" "the failed node and its step"
is "$(jq -r '.[0] | "\(.cluster) \(.vm_id) \(.ip) \(.host_key_fingerprint) \(.created) \(.roles|join(","))"' <<<"$j")" \
    "prod vm-101 127.0.0.21 SHA256:abc 1764000000 etcd,control-plane" "node fields"
is "$(good list nodes prod -o json | jq length)" 3 "list nodes CLUSTER"
is "$(good list nodes edge -o json | jq length)" 0 "a cluster without nodes lists none"
is "$(rc good list nodes nosuch)" 1 "list nodes of an unknown cluster fails"
is "$(good list nodes nosuch 2>&1)" "drover: no cluster named 'nosuch'" "naming it"
ok "nodes table shows the failed step" grep -qE 'prod-agent-02 +agent +worker +Error \(waiting-for-ssh\) +60%' <<<"$(good list nodes)"

# list vcenters: never a password
j=$(good list vcenters -o json)
is "$(jq -r 'map("\(.name):\(.password_source):\(.tls)") | join(" ")' <<<"$j")" "lab:inline:insecure prod:env:pin" "vcenters"
is "$(jq -r '.[1].password_env' <<<"$j")" "DROVER_PROD_PASSWORD" "the environment variable's name is shown"
is "$(jq '[.[] | has("password")] | any' <<<"$j")" false "JSON has no password field"
all=$(good list vcenters; good list vcenters -o json; good validate; good list clusters -o json)
# shellcheck disable=SC2016
ok "the password never appears" bash -c '! grep -q Sup3r-Secret-Fixture <<<"$1"' _ "$all"

# validate, broken folder: exactly the expected lines, exit 1
out=$(broken validate 2>"$tmp/err"); code=$?
is "$code" 1 "validate on the broken folder exits 1"
is "$(sort <<<"$out")" "$(cat "$fixtures/broken/expected.txt")" "validate prints exactly the expected problems"
while IFS= read -r line; do
    ok "reports: $line" grep -qxF -- "$line" <<<"$out"
done <"$fixtures/broken/expected.txt"
is "$(cat "$tmp/err")" "drover: 12 problem(s) found" "a count on stderr"
# Broken files are skipped; the rest still loads.
is "$(broken list templates -o json 2>/dev/null | jq -r 'map(.name) | join(",")')" "lostvc" "only the good template loads"
is "$(broken list clusters -o json 2>/dev/null | jq -r 'map(.name) | join(",")')" "ghost" "only the good cluster loads"

# A file that is there but did not load is not an empty one: a command asked
# about it prints its problems on stderr, each once, and exits 1 (after
# listing what did load); problems of other files get one line.
# once FILE_TEXT TEXT: TEXT is in FILE_TEXT exactly once.
once() { [ "$(grep -cF -- "$2" <<<"$1")" -eq 1 ]; }
while IFS='|' read -r what files; do
    # shellcheck disable=SC2086
    err=$(broken $what 2>&1 >/dev/null); code=$?
    is "$code" 1 "'drover $what' with files that did not load exits 1"
    for f in $files; do
        line=$(grep -F "$f:" "$fixtures/broken/expected.txt")
        ok "'drover $what' prints the problem of $f once" once "$err" "drover: $line"
    done
    ok "'drover $what' points at validate for the others" once "$err" "other problem(s) in the configuration; run 'drover validate'"
done <<'ROWS'
list clusters|clusters/dup.cfg clusters/enum.cfg clusters/syntax.cfg clusters/ghost.state
list templates|templates/noclone.cfg templates/typo.cfg templates/worker.cfg templates/wrongtype.cfg
list nodes|clusters/ghost.state
list nodes ghost|clusters/ghost.state
list vcenters|vcenters.cfg
status ghost|clusters/ghost.state
status enum|clusters/enum.cfg
cloud-init worker --hostname n1|templates/worker.cfg
delete cluster ghost --yes|clusters/ghost.state vcenters.cfg
ROWS
for sub in check inventory trust; do
    err=$(broken vcenter $sub lab 2>&1 >/dev/null); code=$?
    is "$code" 1 "'drover vcenter $sub' with a vcenters.cfg that did not load exits 1"
    ok "'drover vcenter $sub' prints its problem once" once "$err" \
        "drover: vcenters.cfg did not load: $(grep -F vcenters.cfg: "$fixtures/broken/expected.txt")"
done
ok "the state file a delete could not read is left alone" test -s "$tmp/broken/state/clusters/ghost.state"
ok "cloud-init of a template that did not load does not call it missing" \
    bash -c '! grep -q "no template named" <<<"$1"' _ "$(broken cloud-init worker --hostname n1 2>&1)"
is "$(broken list templates -o json 2>/dev/null | jq -r 'map(.name) | join(",")')" "lostvc" "what loaded is still listed"
is "$(rc broken list nodes nosuch)" 1 "an unknown cluster still fails"
ok "and is called unknown" grep -q "no cluster named 'nosuch'" <<<"$(broken list nodes nosuch 2>&1)"
# Problems only in files the command was not asked about: exit 0, one line.
cp -R "$tmp/good" "$tmp/other"
printf 'bogus_key = 1;\n' >>"$tmp/other/config/templates/worker.cfg"
other() { "$DROVER" --config-dir "$tmp/other/config" --state-dir "$tmp/other/state" "$@"; }
err=$(other list clusters 2>&1 >/dev/null); code=$?
is "$code" 0 "list clusters with only a broken template exits 0"
is "$err" "drover: $(other validate 2>/dev/null | wc -l) problem(s) in the configuration; run 'drover validate'" \
    "and says so in one line"
is "$(rc other list vcenters)" 0 "so does list vcenters"
is "$(rc other status prod)" 0 "and status of a cluster whose files loaded"
# apply stops before the engine starts when a template its pools use did
# not load, naming it once; the apply of a bad spec names each problem once.
state_before=$(cat "$tmp/other/state/clusters/prod.state")
err=$(other apply -f "$tmp/other/config/clusters/prod.cfg" 2>&1 >/dev/null); code=$?
is "$code" 1 "apply with a template that did not load exits 1"
is "$(head -1 <<<"$err")" "drover: templates/worker.cfg:10: bogus_key: unknown key" \
    "and names the template's problem first"
ok "once" once "$err" "bogus_key"
is "$(sed 1d <<<"$err")" "drover: 3 other problem(s) in the configuration; run 'drover validate'" \
    "then one line for the rest"
is "$(cat "$tmp/other/state/clusters/prod.state")" "$state_before" "the cluster's state is untouched"
ok "no engine ran (no log)" test ! -e "$tmp/other/state/drover.log"
err=$(other apply -f "$tmp/broken/config/clusters/dup.cfg" 2>&1 >/dev/null); code=$?
is "$code" 1 "apply of a bad spec exits 1"
ok "apply prints the spec's problem" once "$err" \
    "drover: $tmp/broken/config/clusters/dup.cfg:3: pools[1].name: duplicate name 'a' (first at line 2)"
is "$(sort <<<"$err" | uniq -d)" "" "and no line twice"

# vcenters.cfg readable by others is refused, like OpenSSH does
chmod 644 "$tmp/good/config/vcenters.cfg"
out=$(good validate 2>/dev/null); code=$?
is "$code" 1 "an open vcenters.cfg fails validation"
is "$out" "vcenters.cfg: permissions 0644 are too open; run chmod 600 $tmp/good/config/vcenters.cfg" "the OpenSSH-like message"
is "$(good list vcenters -o json 2>/dev/null | jq length)" 0 "no vCenter is loaded from it"
chmod 600 "$tmp/good/config/vcenters.cfg"

# XDG folders, and read-only commands create nothing
mkdir -p "$tmp/xdg/config"
cp -R "$tmp/good/config" "$tmp/xdg/config/drover"
out=$(XDG_CONFIG_HOME=$tmp/xdg/config XDG_STATE_HOME=$tmp/xdg/state "$DROVER" list templates -o json | jq length)
is "$out" 2 "XDG_CONFIG_HOME is honoured"
ok "list created no state folder" test ! -e "$tmp/xdg/state"
out=$(env -u XDG_CONFIG_HOME -u XDG_STATE_HOME HOME="$tmp/home" "$DROVER" validate)
is "$out" "OK: 0 vcenters, 0 templates, 0 clusters, 0 state files in $tmp/home/.config/drover" "no files at all: defaults, OK"
ok "validate created nothing in HOME" test ! -e "$tmp/home"
err=$("$DROVER" --config-dir "$tmp/no-such-dir" validate 2>&1 >/dev/null); code=$?
is "$code" 0 "validate on a missing --config-dir still exits 0 (defaults apply)"
is "$err" "drover: note: $tmp/no-such-dir does not exist; only compiled-in defaults apply" "but says the folder does not exist"

# usage errors: exit 2 and a one-line hint
for args in "list" "list pods" "list clusters -o xml" "list clusters extra" "list clusters --bogus" \
            "validate extra" "validate --bogus" "--bogus" "frobnicate" \
            "list clusters -o" "vcenter check lab --bogus" "vcenter check lab -o" "vcenter check"; do
    # shellcheck disable=SC2086
    err=$(good $args 2>&1 >/dev/null); code=$?
    is "$code" 2 "'drover $args' is a usage error"
    is "$(wc -l <<<"$err" | tr -d ' ')" 1 "'drover $args' says so in one line"
    ok "'drover $args' hints at --help" grep -q "try 'drover --help'" <<<"$err"
done
is "$(rc good list --help)" 0 "list --help exits 0"
for args in "vcenter --help" "vcenter check --help" "vcenter trust lab -h"; do
    # shellcheck disable=SC2086
    out=$(good $args 2>&1); code=$?
    is "$code" 0 "'drover $args' exits 0"
    ok "'drover $args' shows the usage" grep -q '^Usage: drover vcenter check NAME' <<<"$out"
done
for cmd in "list clusters" "list templates" "list nodes" "list vcenters" validate \
           "vcenter check" "vcenter inventory" "vcenter trust"; do
    ok "drover.1 documents '$cmd'" grep -qE "^\.BR? \"?$cmd\"?( |\$)" "$top_srcdir/data/drover.1"
done
# The hint names the option, and tells a missing value from an unknown option.
is "$(good list clusters --bogus 2>&1)" "drover: list: unknown option '--bogus' (try 'drover --help')" "list names an unknown option"
is "$(good list clusters -o 2>&1)" "drover: list: option '-o' needs a value (try 'drover --help')" "list says -o needs a value"
is "$(good vcenter check lab --bogus 2>&1)" "drover: vcenter check: unknown option '--bogus' (try 'drover --help')" "vcenter names an unknown option"
is "$(good vcenter inventory lab --output 2>&1)" "drover: vcenter inventory: option '--output' needs a value (try 'drover --help')" "vcenter says --output needs a value"

tap_done
