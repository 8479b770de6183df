#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Field case B (user_data size) in the lab: a guest's VMware Tools read at
# most 64 KiB of a guestinfo value. The lab's guest side behaves so (an
# oversized value gives the node no user-data, so no node); drover sends a
# 50 KB user_data gzip+base64 and the node boots with it; user_data that does
# not fit even so is refused before any clone, naming both sizes.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 is not installed"

# --- The lab's guest side, with a stand-in node command -------------------
scratch=$(lab_new_state); lab_states+=("$scratch")
cat >"$scratch/node" <<'NODE'
#!/bin/bash
echo "$*" >>"${0%/*}/calls"
if [ "$1" = up ]; then
    while [ $# -gt 0 ]; do [ "$1" = --userdata ] && ud=$2; shift; done
    cp "$ud" "${0%/*}/ud.copy"
    echo 127.61.0.7
fi
NODE
chmod +x "$scratch/node"
lab_up --vms 1 --hosts 1 --sshnode "$scratch/node" || { echo "Bail out! lab up failed"; exit 1; }
tmp=$LAB_STATE/t; mkdir -m 700 "$tmp"; jar=$tmp/cookies
soap() {
    printf '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="urn:vim25"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$1" >"$tmp/req"
    curl -s --cacert "$LAB_CERT" --pinnedpubkey "$LAB_PIN" -b "$jar" -c "$jar" \
        -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: urn:vim25/7.0' \
        --data-binary @"$tmp/req" "$LAB_URL"
}
soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>" >/dev/null
vm=$(jq -r '[.VirtualMachine[] | select(.template | not) | .id][0]' "$LAB_STATE/inventory.json")
task() { soap "<$1><_this type=\"VirtualMachine\">$vm</_this>$2</$1>"; }
opt() { printf '<extraConfig><key>%s</key><value xsi:type="xsd:string">%s</value></extraConfig>' "$1" "$2"; }
guest_ip() {
    soap "<RetrieveProperties><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>guest.ipAddress</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$vm</obj></objectSet></specSet></RetrieveProperties>" |
        sed -n 's/.*<val[^>]*>\([^<]*\)<\/val>.*/\1/p'
}
ip_is() { [ "$(guest_ip)" = "$1" ]; }
# A 50 KB cloud-config that compresses well.
{
    printf '#cloud-config\nwrite_files:\n  - path: /etc/big.txt\n    content: |\n'
    for i in $(seq -w 1 1100); do echo "      line $i of a file that compresses well"; done
} >"$tmp/big.yaml"
plain=$(base64 -w0 <"$tmp/big.yaml")
packed=$(gzip -9c <"$tmp/big.yaml" | base64 -w0)
ok "plain base64 of it is over 64 KiB" test "${#plain}" -gt 65536
ok "gzip+base64 of it is not" test "${#packed}" -le 65536

task PowerOffVM_Task "" >/dev/null
task ReconfigVM_Task "<spec>$(opt guestinfo.userdata "$plain")$(opt guestinfo.userdata.encoding base64)</spec>" >/dev/null
task PowerOnVM_Task "" >/dev/null
ok "an oversized value: the guest gets no user-data (the lab says so)" \
    wait_for 30 grep -q "guestinfo.userdata is ${#plain} bytes, over the 65536 a guest's VMware Tools can read" "$LAB_STATE/vcsim.log"
nok "no node came up for it" grep -q '^up ' "$scratch/calls"
is "$(guest_ip)" "" "and the VM reports no address"

task PowerOffVM_Task "" >/dev/null
task ReconfigVM_Task "<spec>$(opt guestinfo.userdata "$packed")$(opt guestinfo.userdata.encoding gzip+base64)</spec>" >/dev/null
task PowerOnVM_Task "" >/dev/null
ok "the same document as gzip+base64: the node comes up" wait_for 30 ip_is 127.61.0.7
ok "with the whole document" cmp -s "$tmp/big.yaml" "$scratch/ud.copy"
lab_down

# --- drover end to end with the lab's SSH nodes -----------------------------
eng_setup
spec=$(cluster_cfg 1 0)
tpl=$XDG_CONFIG_HOME/drover/templates/lab.cfg
cp "$tpl" "$W/lab.cfg.orig"
# user_data_from FILE: set the lab template's user_data to FILE's text.
user_data_from() {
    /usr/bin/python3 - "$1" "$W/lab.cfg.orig" "$tpl" <<'EOF'
import sys
ud = open(sys.argv[1]).read()
esc = ud.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
open(sys.argv[3], "w").write(open(sys.argv[2]).read() + 'user_data = "%s";\n' % esc)
EOF
}
{
    printf '#cloud-config\nwrite_files:\n  - path: /etc/big.txt\n    content: |\n'
    for i in $(seq -w 1 1100); do echo "      line $i of a file that compresses well"; done
} >"$W/big.yaml"
ok "the user_data is 50 KB" test "$(stat -c %s "$W/big.yaml")" -gt 49152
user_data_from "$W/big.yaml"
ok "validate takes it" "$DROVER" validate
ok_out "drover apply with it brings the cluster to active" "$W/apply.out" "$DROVER" apply -f "$spec"
is "$(cluster_state)" active "status: active"
vmid=$(owned_vms | awk '$2 == "server-01" {print $1}')
ok "server-01 has a VM" test -n "$vmid"
# The VM's extraConfig, read back from the simulator.
tmp=$W/t; mkdir -p -m 700 "$tmp"; jar=$tmp/cookies
soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>" >/dev/null
soap "<RetrieveProperties><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>config.extraConfig</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$vmid</obj></objectSet></specSet></RetrieveProperties>" >"$tmp/extra.xml"
extra() {
    /usr/bin/python3 - "$tmp/extra.xml" "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = "{urn:vim25}"
for el in ET.parse(sys.argv[1]).iter():
    k = el.find(ns + "key")
    v = el.find(ns + "value")
    if k is not None and v is not None and k.text == sys.argv[2]:
        sys.stdout.write(v.text or "")
EOF
}
is "$(extra guestinfo.userdata.encoding)" "gzip+base64" "guestinfo.userdata went gzip+base64"
ud=$(extra guestinfo.userdata)
ok "within 64 KiB" test "${#ud}" -le 65536 -a "${#ud}" -gt 0
base64 -d <<<"$ud" | gzip -dc >"$tmp/ud.yaml"
ok "it holds the operator's whole file" grep -qF "      line 1100 of a file that compresses well" "$tmp/ud.yaml"
ok "the node was given that user-data" cmp -s "$tmp/ud.yaml" "$LAB_STATE/nodes/$vmid/userdata"
keys=$STATE/keys/lab-cluster
ip=$(status_json | jq -r '.nodes[] | select(.name == "server-01") | .ip')
got=$(ssh-keyscan -T 5 -p "${LAB_SSH_PORT:-22}" -t ed25519 "$ip" 2>/dev/null | awk '{print $3}')
is "$got" "$(awk '{print $2}' "$keys/server-01_host_ed25519.pub")" \
    "the node booted with it: its sshd has the host key from that user-data"

# Incompressible data too large even as gzip+base64: refused before a clone.
/usr/bin/python3 -c 'import base64, os; print("#cloud-config\nwrite_files:\n  - path: /etc/rnd\n    content: " + base64.b64encode(os.urandom(60000)).decode())' >"$W/huge.yaml"
user_data_from "$W/huge.yaml"
spec2=$W/other.cfg
sed 's/hostname_prefix = "[^"]*";//; s/name = "server";/name = "big";/' "$spec" >"$spec2"
before=$(owned_count)
"$DROVER" apply -f "$spec2" >"$W/apply2.out" 2>&1; code=$?
is "$code" 1 "apply refuses user_data that does not fit even gzip+base64"
ok "naming both sizes and the limit" grep -qE "template lab \(templates/lab.cfg:[0-9]+\): user_data: guestinfo.userdata would be [0-9]+ bytes as base64 and [0-9]+ bytes as gzip\+base64 .*65536 bytes \(64 KiB\)" "$W/apply2.out"
[ "$tap_failed" = 0 ] || diag "$(cat "$W/apply2.out")"
is "$(owned_count)" "$before" "no VM was cloned"
cp "$W/lab.cfg.orig" "$tpl"
done_testing
