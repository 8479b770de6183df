#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Field cases A (fixes): template input that vCenter or the guest would
# treat otherwise than the file says is refused by `drover validate` and by
# `drover apply` before any vCenter call, with file:line and field:
# `networks = [ ]` (it would mean the same as no key), extra_config keys that
# are drover's own in another case or that differ only in case (a .vmx's
# keys are case-insensitive), and guestinfo over the .vmx's 1 MiB named at
# the field that brings it. The "vCenter" is a TCP listener that records
# every connection, so "no call" is seen from the outside.
set -u
: "${top_srcdir:?}" "${DROVER:?}"

. "$top_srcdir/tests/integration/input-lib.sh"

# template DIR NAME LINES...: the base plus the lines.
template() {
    local d=$1 name=$2; shift 2
    { printf '%s\n' "$base"; printf '%s\n' "$@"; } >"$d/config/templates/$name.cfg"
}

# --- networks = [ ] ---------------------------------------------------------
d=$(folder nets)
template "$d" empty 'networks = [ ];'
template "$d" fine 'networks = [ "VM Network" ];'
template "$d" absent
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 1 "networks = [ ]: validate fails"
is "$out" "templates/empty.cfg:6: networks: the list is empty: leave networks out to keep the clone source's network adapters, or give the networks the VM's adapters should be on, in order" \
    "only the empty list is refused, at its line, saying what to write instead"

# --- extra_config keys in another case ---------------------------------------
d=$(folder case)
template "$d" ud 'extra_config = ( { key = "disk.EnableUUID"; value = "TRUE"; },' \
    '  { key = "GuestInfo.UserData"; value = "x"; } );'
template "$d" ud2 'extra_config = ( { key = "guestinfo.userData"; value = "x"; } );'
template "$d" owner 'extra_config = ( { key = "GUESTINFO.DROVER.OWNER"; value = "x"; } );'
template "$d" twice 'extra_config = ( { key = "guestinfo.role"; value = "a"; },' \
    '  { key = "GuestInfo.Role"; value = "b"; } );'
template "$d" good 'extra_config = ( { key = "guestinfo.role"; value = "a"; },' \
    '  { key = "guestinfo.rolex"; value = "b"; } );'
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 1 "reserved keys in another case: validate fails"
is "$(sort <<<"$out")" "templates/owner.cfg:6: extra_config[0].key: 'GUESTINFO.DROVER.OWNER' is set by drover itself
templates/twice.cfg:7: extra_config[1].key: 'GuestInfo.Role' is the key 'guestinfo.role' of line 6 spelt in another case; a VM's .vmx keys are case-insensitive, so the VM would keep only one: give it once
templates/ud.cfg:7: extra_config[1].key: 'GuestInfo.UserData' is set by drover itself
templates/ud2.cfg:6: extra_config[0].key: 'guestinfo.userData' is set by drover itself" \
    "each at its element's line and field; distinct keys pass"

# --- guestinfo over 1 MiB: the field that brings it -------------------------
d=$(folder total)
/usr/bin/python3 - "$d/config/templates/tec2.cfg" "$base" <<'EOP'
import sys
path, base = sys.argv[1], sys.argv[2]
lines = base.split("\n") + ["# padding"] * (15 - len(base.split("\n")))
big = "a" * 60000
kv = ", ".join('{ key = "guestinfo.k%02d"; value = "%s"; }' % (i, big) for i in range(20))
open(path, "w").write("\n".join(lines) + "\nextra_config = ( %s );\n" % kv)
EOP
is "$(grep -n '^extra_config' "$d/config/templates/tec2.cfg" | cut -d: -f1)" 16 "extra_config is on line 16"
out=$(drv "$d" validate 2>"$tmp/err"); code=$?
is "$code" 1 "twenty 60 KB guestinfo.k* entries: validate fails"
ok "the problem names extra_config at its line, with both parts" \
    grep -qE "^template tec2 \(templates/tec2.cfg:16\): extra_config: the VM's guestinfo would be [0-9]+ bytes \(1200260 from extra_config's guestinfo\.\* keys, [0-9]+ from the user-data and meta-data drover writes, user_data included\); vSphere keeps it in the VM's \.vmx file, which holds at most 1048576 bytes \(1 MiB\) by default: make extra_config smaller$" <<<"$out"
ok "and not user_data" bash -c '! grep -q "user_data:" <<<"$1"' _ "$out"
cat >"$d/c.cfg" <<'EOC'
distribution = "k3s"; vcenter = "lab";
pools = ( { name = "server"; template = "tec2"; quantity = 1;
            roles = [ "etcd", "control-plane" ]; hostname_prefix = "server-"; } );
EOC
err=$(drv "$d" apply -f "$d/c.cfg" 2>&1 >/dev/null); code=$?
is "$code" 1 "apply refuses it"
ok "with the same words" grep -q '^drover: template tec2 (templates/tec2.cfg:16): extra_config: ' <<<"$err"

is "$(wc -l <"$tmp/connections")" 0 "no connection to vCenter at any point"

tap_done
