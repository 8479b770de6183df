#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# The lab as hypervisor with the real SSH node command: a VM cloned from the
# template with cloud-init user-data in guestinfo powers on as an sshd with
# exactly the host key the user-data carries, its guest IP is that node's
# address, and power-off takes the node away.
. "${top_srcdir:?}/tests/lab/testlib.sh"
lab_require
[ "$(id -u)" = 0 ] || skip_all "SSH lab nodes need root (mount namespaces)"
unshare --mount --pid --fork true 2>/dev/null || skip_all "unshare cannot create namespaces here"

ok "lab up with the SSH node command" lab_up --vms 1 --hosts 1 --sshnode "$top_srcdir/tests/lab/sshnode"
tmp=$LAB_STATE/t; mkdir -m 700 "$tmp"; jar=$tmp/jar
soap() {
    printf '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="urn:vim25"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$1" >"$tmp/req"
    curl -s --cacert "$LAB_CERT" --pinnedpubkey "$LAB_PIN" -b "$jar" -c "$jar" \
        -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$tmp/req" "$LAB_URL"
}
returnval() { sed -n 's/.*<returnval[^>]*>\([^<]*\)<.*/\1/p'; }
soap "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>" >/dev/null

ssh-keygen -q -t ed25519 -N '' -f "$tmp/host" -C node
ssh-keygen -q -t ed25519 -N '' -f "$tmp/client" -C client
{
    printf '#cloud-config\nssh_keys:\n  ed25519_private: |\n'
    sed 's/^/    /' "$tmp/host"
    printf '  ed25519_public: "%s"\n' "$(cat "$tmp/host.pub")"
    printf 'users:\n  - name: "drover"\n    ssh_authorized_keys:\n      - "%s"\n' "$(cat "$tmp/client.pub")"
} >"$tmp/userdata"
ud=$(base64 -w0 "$tmp/userdata")

tpl=$(soap "<FindByInventoryPath><_this type=\"SearchIndex\">SearchIndex</_this><inventoryPath>${LAB_TEMPLATE_PATH#/}</inventoryPath></FindByInventoryPath>" | returnval)
folder=$(soap "<FindByInventoryPath><_this type=\"SearchIndex\">SearchIndex</_this><inventoryPath>$LAB_DATACENTER/vm/$LAB_FOLDER</inventoryPath></FindByInventoryPath>" | returnval)
pool=$(soap "<FindByInventoryPath><_this type=\"SearchIndex\">SearchIndex</_this><inventoryPath>$LAB_DATACENTER/host/$LAB_CLUSTER/Resources/$LAB_POOL</inventoryPath></FindByInventoryPath>" | returnval)
task=$(soap "<CloneVM_Task><_this type=\"VirtualMachine\">$tpl</_this><folder type=\"Folder\">$folder</folder><name>node-1</name><spec><location><pool type=\"ResourcePool\">$pool</pool></location><template>false</template><config><extraConfig xsi:type=\"OptionValue\"><key>guestinfo.userdata</key><value xsi:type=\"xsd:string\">$ud</value></extraConfig><extraConfig xsi:type=\"OptionValue\"><key>guestinfo.userdata.encoding</key><value xsi:type=\"xsd:string\">base64</value></extraConfig></config><powerOn>false</powerOn></spec></CloneVM_Task>" | returnval)
vm=$(soap "<RetrievePropertiesEx><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>Task</type><pathSet>info.result</pathSet></propSet><objectSet><obj type=\"Task\">$task</obj></objectSet></specSet><options/></RetrievePropertiesEx>" |
    sed -n 's/.*<val[^>]*>\([^<]*\)<\/val>.*/\1/p')
ok "the clone exists ($vm)" test -n "$vm"
soap "<PowerOnVM_Task><_this type=\"VirtualMachine\">$vm</_this></PowerOnVM_Task>" >/dev/null

guest_ip() {
    soap "<RetrievePropertiesEx><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>guest.ipAddress</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$vm</obj></objectSet></specSet><options/></RetrievePropertiesEx>" |
        sed -n 's/.*<val[^>]*>\([^<]*\)<\/val>.*/\1/p'
}
has_ip() { ip=$(guest_ip); [ -n "$ip" ]; }
ok "the VM gets its node's address" wait_for 60 has_ip
case $ip in "$LAB_SUBNET".*) r=0 ;; *) r=1 ;; esac
tap_result $r "the address is in the lab's subnet ($ip)"
port=${LAB_SSH_PORT:-22}
if [ "$port" = 22 ]; then hostpat=$ip; else hostpat="[$ip]:$port"; fi
echo "$hostpat $(cut -d' ' -f1,2 "$tmp/host.pub")" >"$tmp/known_hosts"
is "$(ssh -n -i "$tmp/client" -o UserKnownHostsFile="$tmp/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 -p "$port" "drover@$ip" 'id -un')" \
    drover "ssh to the VM with the host key from its user-data"
pid=$(cat "$LAB_STATE/nodes/$vm/pid" 2>/dev/null)
ok "the node has a pid" test -n "$pid"

soap "<PowerOffVM_Task><_this type=\"VirtualMachine\">$vm</_this></PowerOffVM_Task>" >/dev/null
gone() { ! kill -0 "$pid" 2>/dev/null; }
ok "power-off takes the node down" wait_for 30 gone
no_ip() { [ -z "$(guest_ip)" ]; }
ok "and clears the guest address" wait_for 30 no_ip
soap "<Destroy_Task><_this type=\"VirtualMachine\">$vm</_this></Destroy_Task>" >/dev/null
no_dir() { [ ! -e "$LAB_STATE/nodes/$vm" ]; }
ok "destroy removes the node's folder" wait_for 30 no_dir

done_testing
