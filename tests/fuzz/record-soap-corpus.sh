#!/bin/bash
# Record real vim25 responses from a throwaway lab as the seed corpus of
# fuzz_soap (tests/fuzz/corpus/soap/). Run from a build tree:
#   top_srcdir=.. top_builddir=. bash ../tests/fuzz/record-soap-corpus.sh
set -eu
. "${top_srcdir:?}/tests/lab/testlib.sh"
lab_require
out=$top_srcdir/tests/fuzz/corpus/soap
mkdir -p "$out"
lab_up --vms 1 --hosts 2 >/dev/null
tmp=$LAB_STATE/rec; mkdir -m 700 "$tmp"; jar=$tmp/jar
soap() {
    printf '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="urn:vim25"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>' "$2" >"$tmp/req"
    curl -s --cacert "$LAB_CERT" -b "$jar" -c "$jar" -H 'Content-Type: text/xml; charset=utf-8' \
        -H 'SOAPAction: urn:vim25/6.7' --data-binary @"$tmp/req" "$LAB_URL" >"$out/$1.xml"
}
pc='<_this type="PropertyCollector">propertyCollector</_this>'
soap service-content '<RetrieveServiceContent><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
soap fault-invalid-login "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>x</userName><password>wrong</password></Login>"
soap fault-not-authenticated "<CreateContainerView><_this type=\"ViewManager\">ViewManager</_this><container type=\"Folder\">group-d1</container><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>"
soap login "<Login><_this type=\"SessionManager\">SessionManager</_this><userName>$LAB_USER</userName><password>$LAB_PASSWORD</password></Login>"
vm=$(jq -r '[.VirtualMachine[] | select(.template | not) | .id][0]' "$LAB_STATE/inventory.json")
tpl=$(jq -r '[.VirtualMachine[] | select(.template) | .id][0]' "$LAB_STATE/inventory.json")
soap container-view "<CreateContainerView><_this type=\"ViewManager\">ViewManager</_this><container type=\"Folder\">group-d1</container><type>Datacenter</type><type>ComputeResource</type><type>HostSystem</type><type>ResourcePool</type><type>Datastore</type><type>Network</type><type>Folder</type><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>"
view=$(sed -n 's/.*<returnval[^>]*>\([^<]*\)<.*/\1/p' "$out/container-view.xml")
soap inventory-page "<RetrievePropertiesEx>$pc<specSet><propSet><type>ManagedEntity</type><pathSet>name</pathSet><pathSet>parent</pathSet></propSet><propSet><type>Datastore</type><pathSet>summary.capacity</pathSet><pathSet>summary.freeSpace</pathSet><pathSet>summary.type</pathSet></propSet><propSet><type>VirtualMachine</type><pathSet>config.template</pathSet><pathSet>runtime.powerState</pathSet><pathSet>guest.ipAddress</pathSet><pathSet>resourcePool</pathSet><pathSet>runtime.host</pathSet><pathSet>config.hardware.numCPU</pathSet><pathSet>config.hardware.memoryMB</pathSet><pathSet>config.extraConfig</pathSet></propSet><objectSet><obj type=\"ContainerView\">$view</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>5</maxObjects></options></RetrievePropertiesEx>"
token=$(sed -n 's/.*<token>\([^<]*\)<.*/\1/p' "$out/inventory-page.xml")
[ -n "$token" ] && soap inventory-continue "<ContinueRetrievePropertiesEx>$pc<token>$token</token></ContinueRetrievePropertiesEx>"
soap vm-devices "<RetrievePropertiesEx>$pc<specSet><propSet><type>VirtualMachine</type><pathSet>config.hardware.device</pathSet><pathSet>config.extraConfig</pathSet><pathSet>guest.net</pathSet><pathSet>snapshot</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$tpl</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
soap find-by-path "<FindByInventoryPath><_this type=\"SearchIndex\">SearchIndex</_this><inventoryPath>$LAB_DATACENTER/vm/$LAB_TEMPLATE</inventoryPath></FindByInventoryPath>"
soap find-by-path-missing "<FindByInventoryPath><_this type=\"SearchIndex\">SearchIndex</_this><inventoryPath>nope/vm/x</inventoryPath></FindByInventoryPath>"
soap fault-invalid-power-state "<Destroy_Task><_this type=\"VirtualMachine\">$vm</_this></Destroy_Task>"
soap fault-template-power-on "<PowerOnVM_Task><_this type=\"VirtualMachine\">$tpl</_this></PowerOnVM_Task>"
soap fault-object-not-found "<PowerOnVM_Task><_this type=\"VirtualMachine\">vm-404</_this></PowerOnVM_Task>"
soap clone-task "<CloneVM_Task><_this type=\"VirtualMachine\">$tpl</_this><folder type=\"Folder\">group-v3</folder><name>rec-1</name><spec><location><pool type=\"ResourcePool\">resgroup-999</pool></location><template>false</template><powerOn>false</powerOn></spec></CloneVM_Task>"
soap power-off-task "<PowerOffVM_Task><_this type=\"VirtualMachine\">$vm</_this></PowerOffVM_Task>"
task=$(sed -n 's/.*<returnval[^>]*>\([^<]*\)<.*/\1/p' "$out/power-off-task.xml")
soap task-success "<RetrievePropertiesEx>$pc<specSet><propSet><type>Task</type><pathSet>info.state</pathSet><pathSet>info.progress</pathSet><pathSet>info.error</pathSet><pathSet>info.result</pathSet></propSet><objectSet><obj type=\"Task\">$task</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
soap power-off-again "<PowerOffVM_Task><_this type=\"VirtualMachine\">$vm</_this></PowerOffVM_Task>"
task=$(sed -n 's/.*<returnval[^>]*>\([^<]*\)<.*/\1/p' "$out/power-off-again.xml")
soap task-error "<RetrievePropertiesEx>$pc<specSet><propSet><type>Task</type><pathSet>info.state</pathSet><pathSet>info.progress</pathSet><pathSet>info.error</pathSet><pathSet>info.result</pathSet></propSet><objectSet><obj type=\"Task\">$task</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
soap sessions "<RetrievePropertiesEx>$pc<specSet><propSet><type>SessionManager</type><pathSet>sessionList</pathSet></propSet><objectSet><obj type=\"SessionManager\">SessionManager</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
soap logout "<Logout><_this type=\"SessionManager\">SessionManager</_this></Logout>"
rm -f "$out/power-off-task.xml" "$out/power-off-again.xml"
ls "$out"
