#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Field cases B (shared/cases/README.md): bad input is caught by `drover
# validate` and by `drover apply` before any vCenter call, every problem at
# once and each once: user_data with a byte order mark, CRLF, a misplaced
# header, YAML that cloud-init could not read, user-data too large for
# guestinfo, version tags the installers ignore, config files with a byte
# order mark, hostname prefixes that cannot make node names, templates and
# vCenters that do not exist. The "vCenter" is a TCP listener that records
# every connection, so "no call" is seen from the outside.
set -u
: "${top_srcdir:?}" "${DROVER:?}"

. "$top_srcdir/tests/integration/input-lib.sh"

# template DIR NAME USER_DATA (as written inside the libconfig string)
template() {
    printf '%s\nuser_data = "%s";\n' "$base" "$3" >"$1/config/templates/$2.cfg"
}
# cluster FILE [lines...]: a one-pool cluster on template t, plus the lines.
cluster() {
    local f=$1; shift
    {
        printf '%s\n' "$@"
        echo 'pools = ( { name = "server"; template = "t"; quantity = 1;'
        echo '            roles = [ "etcd", "control-plane" ]; hostname_prefix = "server-"; } );'
    } >"$f"
}

# --- Case B: a byte order mark -------------------------------------------
d=$(folder bom)
template "$d" t '\xEF\xBB\xBF#cloud-config\npackages: [jq]\n'
# The template file itself starts with a byte order mark, and so does the cluster.
printf '\xEF\xBB\xBF' | cat - "$d/config/templates/t.cfg" >"$tmp/x" && mv "$tmp/x" "$d/config/templates/t.cfg"
cluster "$d/config/clusters/c.cfg" 'distribution = "k3s";'
printf '\xEF\xBB\xBF' | cat - "$d/config/clusters/c.cfg" >"$tmp/x" && mv "$tmp/x" "$d/config/clusters/c.cfg"
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 0 "a byte order mark in user_data and in the files: validate passes"
is "$out" "OK: 1 vcenters, 1 templates, 1 clusters, 0 state files in $d/config" "both files load"
has "$(cat "$tmp/err")" 'drover: warning: template t (templates/t.cfg:6): user_data line 1: a UTF-8 byte order mark (EF BB BF) in front of "#cloud-config" was removed' \
    "the mark in user_data is removed with a warning"
is "$(drv "$d" list templates -o json | jq -r '.[0].name')" t "list reads the file with the mark"

# Marks that cannot just be dropped: named as byte order marks, each file
# once, and a template file saved as UTF-16 (NUL bytes and all).
d=$(folder bom2)
template "$d" t '#cloud-config\n'
template "$d" u16 '\xFF\xFE#cloud-config\npackages: [jq]\n'
template "$d" twice '\xEF\xBB\xBF\xEF\xBB\xBF#cloud-config\n'
template "$d" blank '\n\xEF\xBB\xBF#cloud-config\n'
printf 'datacenter = "DC0";\n' | iconv -f UTF-8 -t UTF-16 >"$d/config/templates/wide.cfg"
out=$(drv "$d" validate 2>/dev/null); code=$?
is "$code" 1 "other byte order marks: validate fails"
is "$(sort <<<"$out")" 'template blank (templates/blank.cfg:6): user_data line 2: a UTF-8 byte order mark (EF BB BF) after blank lines: remove it and the blank lines ("#cloud-config" must be the first bytes)
template twice (templates/twice.cfg:6): user_data line 1: a second UTF-8 byte order mark (EF BB BF) follows the first one: remove both (save the user_data as UTF-8 without a byte order mark)
template u16 (templates/u16.cfg:6): user_data line 1: starts with a UTF-16 byte order mark (FF FE or FE FF): save the user_data as UTF-8 (cloud-init reads only UTF-8)
templates/wide.cfg:1: starts with a byte order mark (UTF-16): save the file as UTF-8' \
    "each names the byte order mark"

# --- CRLF and blank lines: normalised, and said so ------------------------
d=$(folder crlf)
template "$d" t '\n\n#cloud-config\r\npackages:\r\n  - jq\r\n'
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 0 "CRLF and blank lines before the header: validate passes"
has "$(cat "$tmp/err")" 'drover: warning: template t (templates/t.cfg:6): user_data line 3: Windows line ends (CRLF) on 3 line(s) were changed to LF; cloud-init reads LF' \
    "CRLF is normalised with a warning"
has "$(cat "$tmp/err")" 'drover: warning: template t (templates/t.cfg:6): user_data line 1: 2 blank line(s) in front of "#cloud-config" were removed (cloud-init reads the header only on the first line)' \
    "blank lines in front of the header are removed with a warning"

# --- user_data that would fail at the guest: refused, each kind ------------
d=$(folder ud)
template "$d" dash '---\n#cloud-config\npackages: [jq]\n'
template "$d" yaml '#cloud-config\npackages: [jq\n'
template "$d" owned '#cloud-config\nruncmd:\n  - [true]\nhostname: evil\n'
template "$d" list '#cloud-config\n- a\n'
template "$d" script '#!/bin/sh\necho hi\n'
template "$d" merged '#cloud-config\nbootcmd: &c\n  - [true]\nusers:\n  - name: bob\n    groups: *c\n'
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 1 "bad user_data: validate fails"
has "$out" 'template dash (templates/dash.cfg:6): user_data line 1: a YAML document marker "---" comes before "#cloud-config"; cloud-init reads the header only on the first line: remove the "---" line' \
    "--- before the header: refused with words that say so"
ok "invalid YAML: refused with its line" grep -q '^template yaml (templates/yaml.cfg:6): user_data line 3: not valid YAML: ' <<<"$out"
has "$out" "template owned (templates/owned.cfg:6): user_data line 4: key 'hostname' is set by drover and cannot be overridden" \
    "a key the merge refuses"
has "$out" "template list (templates/list.cfg:6): user_data line 2: the document must be a mapping of cloud-config keys (\"key: value\" lines), not a list" \
    "a document that is a list"
ok "a script is refused naming what is supported" grep -q '^template script (templates/script.cfg:6): user_data line 1: must start with "#cloud-config": drover merges' <<<"$out"
ok "an alias to another key's anchor survives the merge (libyaml resolves it first)" \
    bash -c '! grep -q "^template merged" <<<"$1"' _ "$out"
is "$(wc -l <<<"$out")" 5 "one line per refused template"
is "$(cat "$tmp/err")" "drover: 5 problem(s) found" "and the count"

# --- guestinfo size --------------------------------------------------------
d=$(folder size)
/usr/bin/python3 - "$d/config/templates" "$base" <<'EOF'
import base64, os, sys
d, base = sys.argv[1], sys.argv[2]
def put(name, ud):
    esc = ud.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    open(os.path.join(d, name + ".cfg"), "w").write(base + '\nuser_data = "%s";\n' % esc)
lines = "".join("      line %05d of a file that compresses well\n" % i for i in range(1100))
put("big", "#cloud-config\nwrite_files:\n  - path: /etc/big.txt\n    content: |\n" + lines)
put("huge", "#cloud-config\nwrite_files:\n  - path: /etc/rnd\n    content: %s\n"
    % base64.b64encode(os.urandom(60000)).decode())
EOF
ok "the 50 KB user_data is over 49152 bytes (plain base64 would pass 64 KiB)" \
    test "$(stat -c %s "$d/config/templates/big.cfg")" -gt 49152
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 1 "validate: only the incompressible one fails"
is "$(wc -l <<<"$out")" 1 "one problem"
ok "it names both sizes and the limit" grep -qE '^template huge \(templates/huge.cfg:6\): user_data: guestinfo.userdata would be [0-9]+ bytes as base64 and [0-9]+ bytes as gzip\+base64 \(from [0-9]+ bytes\); a guest.s VMware Tools read at most 65536 bytes \(64 KiB\) of a guestinfo value' <<<"$out"
cluster "$d/c.cfg" 'distribution = "k3s";'
sed -i 's/template = "t"/template = "huge"/' "$d/c.cfg"
err=$(drv "$d" apply -f "$d/c.cfg" 2>&1 >/dev/null); code=$?
is "$code" 1 "apply refuses it"
ok "with the same words" grep -q '^drover: template huge (templates/huge.cfg:6): user_data: guestinfo.userdata would be' <<<"$err"
# The same sizes too (they differed: validate rendered for a 63-character
# hostname and random stand-in keys, apply for the pool's names).
sizes() { grep -oE 'would be [0-9]+ bytes as base64 and [0-9]+ bytes as gzip\+base64 \(from [0-9]+ bytes\)'; }
vs=$(sizes <<<"$out")
ok "validate's sizes ($vs)" test -n "$vs"
is "$(sizes <<<"$err")" "$vs" "apply reports the same sizes as validate"
out2=$(drv "$d" validate 2>/dev/null)
is "$(sizes <<<"$out2")" "$vs" "and validate again the same (no random key in the count)"

# --- versions ---------------------------------------------------------------
d=$(folder versions)
template "$d" t '#cloud-config\n'
cluster "$d/config/clusters/novee.cfg" 'distribution = "k3s";' 'version = "v1.30.4";'
cluster "$d/config/clusters/nov.cfg" 'version = "1.30.4+k3s1";'
cluster "$d/config/clusters/cross.cfg" 'distribution = "rke2";' 'version = "v1.30.4+k3s1";'
cluster "$d/config/clusters/fine.cfg" 'distribution = "rke2";' 'version = "v1.30.4+rke2r1";'
cluster "$d/config/clusters/finek.cfg" 'version = "v1.30.4+k3s1";'
# Numbers no release has, an empty version, and a line break (shown escaped).
cluster "$d/config/clusters/zero.cfg" 'version = "v1.30.4+k3s0";'
cluster "$d/config/clusters/lead.cfg" 'distribution = "rke2";' 'version = "v01.30.4+rke2r1";'
cluster "$d/config/clusters/huge.cfg" 'version = "v1.30.4+k3s99999999999999999999";'
cluster "$d/config/clusters/empty.cfg" 'version = "";'
cluster "$d/config/clusters/nl.cfg" 'version = "v1.30.4+k3s1\nx";'
out=$(drv "$d" validate 2>/dev/null); code=$?
is "$code" 1 "bad versions: validate fails"
is "$(sort <<<"$out")" "clusters/cross.cfg:2: version: 'v1.30.4+k3s1' is not a rke2 release: use vX.Y.Z+rke2rN, e.g. \"v1.30.4+rke2r1\" (or leave version out for the installer's default)
clusters/empty.cfg:1: version: is empty: leave version out for the installer's default, or pin a k3s release as vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\"
clusters/huge.cfg:1: version: 'v1.30.4+k3s99999999999999999999' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)
clusters/lead.cfg:2: version: 'v01.30.4+rke2r1' is not a rke2 release: use vX.Y.Z+rke2rN, e.g. \"v1.30.4+rke2r1\" (or leave version out for the installer's default)
clusters/nl.cfg:1: version: 'v1.30.4+k3s1\\nx' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)
clusters/nov.cfg:1: version: '1.30.4+k3s1' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)
clusters/novee.cfg:2: version: 'v1.30.4' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)
clusters/zero.cfg:1: version: 'v1.30.4+k3s0' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)" \
    "each bad version, file:line: version:, with the form and an example"

# --- no recipe key, and the distribution's default recipe is not there -----
# (an uninstalled build without DROVER_DATA_DIR): refused before any clone.
d=$(folder norecipe)
template "$d" t '#cloud-config\n'
cluster "$d/config/clusters/c.cfg" 'distribution = "rke2";'
mkdir -p "$tmp/nodata"
out=$(DROVER_DATA_DIR=$tmp/nodata drv "$d" validate 2>/dev/null); code=$?
is "$code" 1 "a missing default recipe: validate fails"
is "$out" "clusters/c.cfg: recipe: no recipe is set and rke2's default, $tmp/nodata/bootstrap/rke2.sh, cannot be read (install drover's data with make install, point DROVER_DATA_DIR at the folder holding bootstrap/, or set recipe)" \
    "it names the file, the field and the default it looked for"
: >"$tmp/connections"
err=$(DROVER_DATA_DIR=$tmp/nodata drv "$d" apply -f "$d/config/clusters/c.cfg" 2>&1 >/dev/null); code=$?
is "$code" 1 "apply refuses it"
ok "with the same words" grep -q "recipe: no recipe is set and rke2's default" <<<"$err"
is "$(wc -c <"$tmp/connections")" 0 "before any vCenter call"
out=$(drv "$d" validate 2>/dev/null); code=$?
is "$code" 0 "with drover's data there, the default recipe passes"

# --- everything at once, and apply before any vCenter call ------------------
d=$(folder all)
template "$d" t '#cloud-config\npackages: [jq\n'
long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
cat >"$d/c.cfg" <<EOF
distribution = "k3s";
vcenter = "nowhere";
pools = (
  { name = "server"; template = "t"; quantity = 1; roles = [ "etcd", "control-plane" ]; },
  { name = "agent"; template = "ghost"; quantity = 1; roles = [ "worker" ]; }
);
EOF
: >"$tmp/connections"
out=$(drv "$d" apply -f "$d/c.cfg" 2>&1); code=$?
is "$code" 1 "apply with a bad spec fails"
is "$(grep -v "run 'drover validate'" <<<"$out" | sort)" "drover: $d/c.cfg: vcenter: no vCenter 'nowhere' in $d/config/vcenters.cfg
drover: $d/c.cfg:5: pools[1].template: no template 'ghost' in $d/config/templates
drover: template t (templates/t.cfg:6): user_data line 3: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 2)" \
    "every problem, each with file and field"
is "$(sort <<<"$out" | uniq -d)" "" "no problem is printed twice"
is "$(wc -l <"$tmp/connections")" 0 "no connection to vCenter was made"
ok "no state was written" test ! -e "$d/state/clusters"

# A spec that does not load: each of its problems once (the first used to
# come twice), and the problems of the templates it names as well.
cat >"$d/c.cfg" <<EOF
distribution = "k3s";
version = "v1.30.4";
pools = ( { name = "$long"; template = "t"; quantity = 1; roles = [ "control-plane" ]; } );
EOF
out=$(drv "$d" apply -f "$d/c.cfg" 2>&1); code=$?
is "$code" 1 "apply with an unloadable spec fails"
is "$(grep -v "run 'drover validate'" <<<"$out")" "drover: $d/c.cfg:2: version: 'v1.30.4' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)
drover: $d/c.cfg:3: pools[0].name: '$long' is too long to name nodes (it is their prefix, and '-NN' follows: at most 56 characters); shorten it or set hostname_prefix
drover: template t (templates/t.cfg:6): user_data line 3: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 2)" \
    "all three problems (the spec's and its template's), each once"
is "$(wc -l <"$tmp/connections")" 0 "still no connection to vCenter"

# preflight on the same spec: each of the spec's problems once (the first
# used to come twice), and with -o json a JSON document of them.
out=$(drv "$d" preflight -f "$d/c.cfg" 2>&1); code=$?
is "$code" 1 "preflight with an unloadable spec fails"
is "$(grep -v "run 'drover validate'" <<<"$out")" "drover: $d/c.cfg:2: version: 'v1.30.4' is not a k3s release: use vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)
drover: $d/c.cfg:3: pools[0].name: '$long' is too long to name nodes (it is their prefix, and '-NN' follows: at most 56 characters); shorten it or set hostname_prefix" \
    "preflight names each of the spec's problems once"
json=$(drv "$d" preflight -f "$d/c.cfg" -o json 2>/dev/null); code=$?
is "$code" 1 "preflight -o json with an unloadable spec fails"
is "$(jq -r '.errors' <<<"$json")" 2 "its JSON counts both problems as errors"
is "$(jq -r '.findings[] | [.severity, .check, .line, .field] | join(" ")' <<<"$json")" "error spec 2 version
error spec 3 pools[0].name" "each problem is a finding with its line and field"
is "$(wc -l <"$tmp/connections")" 0 "preflight made no connection to vCenter either"

# The template's own vCenter that does not exist: named at its line.
d2=$(folder novc)
printf 'datacenter = "DC0";\ndatastore = "ds";\nvcenter = "elsewhere";\nclone_from = "u";\n' \
    >"$d2/config/templates/t.cfg"
cluster "$d2/c.cfg" 'distribution = "k3s";'
out=$(drv "$d2" apply -f "$d2/c.cfg" 2>&1); code=$?
is "$code" 1 "apply on a template whose vCenter does not exist fails"
has "$out" "drover: templates/t.cfg:3: vcenter: no vCenter 'elsewhere' in $d2/config/vcenters.cfg" \
    "naming the template's line and field"
is "$(wc -l <"$tmp/connections")" 0 "no connection to vCenter"

# A template that does not load: apply says why, from the template's file.
printf 'vcenter = "lab";\ncpus = "two";\n' >"$d/config/templates/t.cfg"
cluster "$d/c.cfg" 'distribution = "k3s";'
out=$(drv "$d" apply -f "$d/c.cfg" 2>&1); code=$?
is "$code" 1 "apply on a template that does not load fails"
has "$out" "drover: templates/t.cfg:2: cpus: must be an integer" "naming the template's problem"
is "$(wc -l <"$tmp/connections")" 0 "no connection to vCenter"

tap_done
