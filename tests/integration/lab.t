#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The lab itself: up, env, the drover configuration it writes, the hypervisor
# contract with the SSH node command, down, and down after a crash.
. "${top_srcdir:?}/tests/lab/testlib.sh"
lab_require

ok "lab up starts a simulator" lab_up --vms 2
ok "env file is 0600" test "$(stat -c %a "$LAB_STATE/env")" = 600
ok "LAB_URL is https on 127.0.0.1" grep -q '^https://127\.0\.0\.1:[0-9]*/sdk$' <<<"$LAB_URL"
ok "LAB_PIN is a sha256 pin" grep -qE '^sha256//[A-Za-z0-9+/]{43}=$' <<<"$LAB_PIN"
ok "the pid is alive" kill -0 "$LAB_PID"
is "$LAB_TEMPLATE" "ubuntu-22.04-template" "template name"
ok "the certificate is RSA 2048" sh -c "openssl x509 -in '$LAB_CERT' -noout -text | grep -q 'Public-Key: (2048 bit)'"
pin=sha256//$(openssl x509 -in "$LAB_CERT" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
is "$pin" "$LAB_PIN" "LAB_PIN is the certificate's public-key pin"

tmp=$LAB_STATE/t
mkdir -m 700 "$tmp"
jar=$tmp/cookies
# soap BODY: POST a vim25 envelope; the body goes through a 0600 file so that
# the password never shows in curl's argv.
soap() {
    printf '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:vim25"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$1" >"$tmp/req"
    curl -s --cacert "$LAB_CERT" --pinnedpubkey "$LAB_PIN" -b "$jar" -c "$jar" \
        -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: urn:vim25/7.0' \
        --data-binary @"$tmp/req" "$LAB_URL"
}
sc=$(soap '<RetrieveServiceContent><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>')
ok "RetrieveServiceContent over TLS with the CA and pin" grep -q 'VMware vCenter Server' <<<"$sc"
bad=$(soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>wrong</password></Login>")
ok "a wrong password is an InvalidLogin fault" grep -q 'InvalidLogin' <<<"$bad"
good=$(soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>")
ok "the lab's credentials log in" grep -q 'LoginResponse' <<<"$good"

inv=$LAB_STATE/inventory.json
is "$(jq -r '.ClusterComputeResource[].name' "$inv")" "$LAB_CLUSTER" "inventory.json names the cluster"
is "$(jq '[.HostSystem[]] | length' "$inv")" 4 "3 cluster hosts + 1 standalone"
is "$(jq -r '[.VirtualMachine[] | select(.template) | .name] | join(",")' "$inv")" "$LAB_TEMPLATE" "exactly one template"
is "$(jq -r '[.ResourcePool[] | select(.name == "kubernetes")] | length' "$inv")" 1 "pool kubernetes"
is "$(jq -r '[.Folder[] | select(.name == "k8s")] | length' "$inv")" 1 "folder k8s"

# The drover configuration.
cfg=$tmp/xdg
ok "lab env --drover-config writes a configuration" \
    sh -c "LAB_VCSIM='$(lab_vcsim)' bash '$LAB' env --state '$LAB_STATE' --drover-config '$cfg' >/dev/null"
is "$(stat -c %a "$cfg/drover/vcenters.cfg")" 600 "vcenters.cfg is 0600"
ok "vcenters.cfg carries the pin" grep -qF "pin = \"$LAB_PIN\";" "$cfg/drover/vcenters.cfg"
ok "the template clones the lab's template" grep -qF "clone_from = \"$LAB_TEMPLATE\";" "$cfg/drover/templates/lab.cfg"
# Every setting we write exists in the example files (the documented format).
keys_ok() {
    local k
    for k in $(sed -n 's/^ *\([a-z_]*\) = .*/\1/p' "$1"); do
        grep -qE "^ *#? *$k = " "$2" || { diag "$1: $k not in $2"; return 1; }
    done
}
ok "vcenters.cfg uses only documented settings" keys_ok "$cfg/drover/vcenters.cfg" "$top_srcdir/data/examples/vcenters.cfg"
ok "lab.cfg uses only documented settings" keys_ok "$cfg/drover/templates/lab.cfg" "$top_srcdir/data/examples/templates/ubuntu-worker.cfg"

# A second instance at the same time gets its own port and folder.
first_url=$LAB_URL first_state=$LAB_STATE first_pid=$LAB_PID
ok "a second lab starts beside the first" lab_up --vms 1 --hosts 1
ok "on another port" test "$LAB_URL" != "$first_url"
ok "in another folder" test "$LAB_STATE" != "$first_state"
ok "lab down stops the second" bash "$LAB" down --state "$LAB_STATE"
ok "its process is gone" wait_for 10 sh -c "! kill -0 $LAB_PID 2>/dev/null"
ok "its folder is gone" test ! -e "$LAB_STATE"
ok "the first still runs" kill -0 "$first_pid"

# The hypervisor contract (tests/lab/README) with a stand-in node command
# that records its calls: power on with guestinfo.userdata brings a node up
# and publishes its address; power off takes it down.
scratch=$(lab_new_state); lab_states+=("$scratch")
cat >"$scratch/node" <<'NODE'
#!/bin/bash
echo "$*" >>"${0%/*}/calls"
if [ "$1" = up ]; then
    while [ $# -gt 0 ]; do [ "$1" = --userdata ] && ud=$2; shift; done
    stat -c %a "$ud" >"${0%/*}/ud.mode"; cp "$ud" "${0%/*}/ud.copy"
    echo "sshd starting"; echo 127.61.0.5
fi
NODE
chmod +x "$scratch/node"
ok "a lab with a node command starts" lab_up --vms 1 --hosts 1 --sshnode "$scratch/node"
tmp=$LAB_STATE/t; mkdir -m 700 "$tmp"; jar=$tmp/cookies
soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>" >/dev/null
vm=$(jq -r '[.VirtualMachine[] | select(.template | not) | .id][0]' "$LAB_STATE/inventory.json")
vmname=$(jq -r "[.VirtualMachine[] | select(.id == \"$vm\") | .name][0]" "$LAB_STATE/inventory.json")
task() { soap "<$1><_this type=\"VirtualMachine\">$vm</_this>$2</$1>"; }
guest_ip() {
    soap "<RetrieveProperties><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>guest.ipAddress</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$vm</obj></objectSet></specSet></RetrieveProperties>" |
        sed -n 's/.*<val[^>]*>\([^<]*\)<\/val>.*/\1/p'
}
ud=$(printf '#cloud-config\nhostname: n1\n' | base64 -w0)
task PowerOffVM_Task "" >/dev/null
task ReconfigVM_Task "<spec><extraConfig><key>guestinfo.userdata</key><value xsi:type=\"xsd:string\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">$ud</value></extraConfig><extraConfig><key>guestinfo.userdata.encoding</key><value xsi:type=\"xsd:string\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">base64</value></extraConfig></spec>" >/dev/null
task PowerOnVM_Task "" >/dev/null
ip_is() { [ "$(guest_ip)" = "$1" ]; }
ok "power on publishes the node's address" wait_for 30 ip_is 127.61.0.5
is "$(head -1 "$scratch/calls")" "up --dir $LAB_STATE/nodes/$vm --userdata $LAB_STATE/nodes/$vm/userdata --name $vmname" "the node command's up arguments"
is "$(cat "$scratch/ud.mode")" 600 "the user-data file is 0600"
is "$(cat "$scratch/ud.copy")" "$(printf '#cloud-config\nhostname: n1\n')" "the user-data is decoded from base64"
task PowerOffVM_Task "" >/dev/null
ok "power off takes the node down" wait_for 30 grep -qx "down --dir $LAB_STATE/nodes/$vm" "$scratch/calls"
ok "and clears the guest address" wait_for 30 ip_is ""

# Crash: kill -9, then lab down still removes everything.
lab_up --vms 1 --hosts 1
kill -9 "$LAB_PID"
wait_for 10 sh -c "! kill -0 $LAB_PID 2>/dev/null"
ok "lab down after a crash" bash "$LAB" down --state "$LAB_STATE"
ok "nothing left of the crashed lab" test ! -e "$LAB_STATE"
ok "lab env on a downed lab fails" sh -c "! bash '$LAB' env --state '$LAB_STATE' 2>/dev/null"

done_testing
