#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Fidelity (issue 9 §1): every field of the node template model reaches the
# VM. Two templates that together set every field are applied through the
# real engine (drover apply against the lab), and each field's checker looks
# at the VM in the simulator from the outside (govmomi's clients:
# `lab vm`, `lab net nics`, `drover-vcsim labels`; the node's own files and
# sshd). The field list is the one table the store and validate use
# (DR_TEMPLATE_FIELDS, printed by tests/integration/template-fields): a field
# without a checker_FIELD function below, or that neither template sets,
# fails this test.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
FIELDS_BIN=$top_builddir/tests/integration/template-fields
[ -x "$FIELDS_BIN" ] || { echo "Bail out! tests/integration/template-fields is not built"; exit 1; }
eng_setup
net() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" net --state "$LAB_STATE" "$@"; }
vm() { LAB_VCSIM=$(lab_vcsim) bash "$LAB" vm --state "$LAB_STATE" "$@"; }
labels() { (set -a; . "$LAB_STATE/env"; "$(lab_vcsim)" labels "$@"); }
T=$XDG_CONFIG_HOME/drover/templates

# The lab around the templates: a distributed port group in a nested network
# folder, a second datastore on the template's host, a second snapshot of
# the template (so that the named one is told apart from the current one).
ok "lab net dvs" to "$W/dvs.out" net dvs DC0/network/sw01 DSw1
ok "lab net dvpg fid-net" to "$W/dvpg.out" net dvpg DC0/network/sw01/DSw1 fid-net
pg_dv=$(awk '{print $1}' "$W/dvpg.out")
dvs_uuid=$(net find DC0/network/sw01/DSw1 | awk '{print $3}')
vm_network=$(net find "DC0/network/VM Network" | awk '{print $2}')
vm "$LAB_TEMPLATE" >"$W/template.vm"
tmpl_host=$(sed -n 's/^host=//p' "$W/template.vm")
tmpl_disk=$(sed -n 's/^disk\.0\.file=//p' "$W/template.vm")
mkdir -p "$LAB_STATE/tmp/fidds"
ok "lab net ds fidds" to "$W/ds.out" net ds fidds "$LAB_STATE/tmp/fidds" "$tmpl_host"
ok "a second snapshot of the template" to "$W/snap.out" net snapshot "$LAB_TEMPLATE" later

# Template fid: a cluster, a linked clone from a named snapshot, and every
# field that goes on the VM. Template fidh: the fields fid cannot also set
# (host instead of cluster; a full clone whose disk grows).
cat >"$T/fid.cfg" <<EOF
vcenter = "lab";
datacenter = "$LAB_DATACENTER";
cluster = "$LAB_CLUSTER";
resource_pool = "$LAB_POOL";
datastore = "fidds";
folder = "/DC0/vm/$LAB_FOLDER";
networks = [ "DC0/network/sw01/fid-net", "VM Network" ];
clone_from = "$LAB_TEMPLATE";
clone_mode = "linked";
snapshot = "base";
cpus = 3;
memory_mib = 3072;
user_data = "#cloud-config\nwrite_files:\n  - path: /tmp/fidelity\n    content: fidelity-marker-7\n";
extra_config = ( { key = "fidelity.one"; value = "1"; },
                 { key = "fidelity.two"; value = "two words"; } );
tags = [ "env/prod", "team/platform" ];
custom_attributes = ( { key = "owner"; value = "fidelity"; },
                      { key = "cost-center"; value = "cc-7"; } );
ssh_user = "fidop";
ssh_port = ${LAB_SSH_PORT:-22};
os = "ubuntu-22.04";
EOF
cat >"$T/fidh.cfg" <<EOF
vcenter = "lab";
datacenter = "$LAB_DATACENTER";
host = "DC0_H0";
datastore = "$LAB_DATASTORE";
folder = "$LAB_FOLDER";
networks = [ "VM Network" ];
clone_from = "$LAB_TEMPLATE";
clone_mode = "full";
cpus = 1;
memory_mib = 1024;
disk_gib = 2;
ssh_port = ${LAB_SSH_PORT:-22};
EOF
mkdir -p "$W/specs"
spec=$W/specs/fid.cfg
cat >"$spec" <<EOF
distribution = "k3s"; vcenter = "lab"; recipe = "$RECIPE";
pools = ( { name = "server"; template = "fid"; quantity = 1;
            roles = [ "etcd", "control-plane" ]; hostname_prefix = "fid-"; },
          { name = "agent"; template = "fidh"; quantity = 1;
            roles = [ "worker" ]; hostname_prefix = "fidh-"; } );
EOF
ok_out "drover validate accepts both templates" "$W/validate.out" "$DROVER" validate
ok_out "apply the cluster (both templates) through the engine" "$W/apply.out" \
    "$DROVER" apply -f "$spec"
vm fid-01 >"$W/fid.vm" 2>&1
vm fidh-01 >"$W/fidh.vm" 2>&1
net nics fid-01 >"$W/fid.nics" 2>&1
net nics fidh-01 >"$W/fidh.nics" 2>&1
labels fid-01 >"$W/fid.labels" 2>&1
diag "fid-01:" "$(cat "$W/fid.vm" "$W/fid.nics" "$W/fid.labels" | grep -v '^extra\.guestinfo\.\(user\|meta\)data=')"
diag "fidh-01:" "$(cat "$W/fidh.vm" "$W/fidh.nics" | grep -v '^extra\.guestinfo\.\(user\|meta\)data=')"
status=$("$DROVER" status fid -o json)

# key=value of a VM: v FILE KEY
v() { sed -n "s/^$2=//p" "$1" | head -1; }
node_ip() { jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .ip' <<<"$status"; }
node_vm() { jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .vm' <<<"$status"; }
# decode VMFILE KEY: a guestinfo value as the guest decodes it.
decode() {
    local enc val
    enc=$(v "$1" "extra\.$2\.encoding")
    val=$(v "$1" "extra\.$2")
    case $enc in
    base64) printf '%s' "$val" | base64 -d ;;
    gzip+base64) printf '%s' "$val" | base64 -d | gzip -dc ;;
    *) printf '%s' "$val" ;;
    esac
}
keys=$STATE/keys/fid
nodessh() { # nodessh USER NODE CMD
    ssh -q -i "$keys/id_ed25519" -o UserKnownHostsFile="$keys/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 \
        -p "${LAB_SSH_PORT:-22}" "$1@$(node_ip "$2")" "$3"
}

# One checker per field of the model.
check_vcenter() {
    is "$(v "$W/fid.vm" 'extra\.guestinfo\.drover\.owner' | cut -d/ -f2-)" "fid/fid-01" \
        "vcenter: the VM is on vCenter lab, carrying drover's owner marker"
    is "$(node_vm fid-01)" "$(vm_id_of fid-01)" "vcenter: the state's VM id is the lab's VM"
}
vm_id_of() { (set -a; . "$LAB_STATE/env"; "$LABVMS") | awk -v n="$1" '$2 == n {print $1}'; }
check_datacenter() {
    is "$(v "$W/fid.vm" path | cut -d/ -f1)" "DC0" "datacenter: the VM is in DC0"
}
check_cluster() {
    is "$(v "$W/fid.vm" compute)" "DC0/host/DC0_C0" "cluster: the VM runs in cluster DC0_C0"
}
check_host() {
    is "$(v "$W/fidh.vm" host)" "DC0/host/DC0_H0/DC0_H0" "host: fidh-01 runs on host DC0_H0"
}
check_resource_pool() {
    is "$(v "$W/fid.vm" pool)" "DC0/host/DC0_C0/Resources/kubernetes" \
        "resource_pool: fid-01 is in the kubernetes pool"
    is "$(v "$W/fidh.vm" pool)" "DC0/host/DC0_H0/Resources" \
        "resource_pool: none given: the host's root pool"
}
check_datastore() {
    # A linked clone also uses its parent disk's datastore, as in vCenter.
    ok "datastore: fid-01 is on fidds" grep -qE '^datastores=(.*,)?fidds(,.*)?$' "$W/fid.vm"
    ok "datastore: its .vmx is on fidds" grep -q '^vmx=\[fidds\] ' "$W/fid.vm"
    ok "datastore: its own disk is on fidds" grep -q '^disk\.0\.file=\[fidds\] ' "$W/fid.vm"
    is "$(v "$W/fidh.vm" datastores)" "$LAB_DATASTORE" "datastore: fidh-01 on $LAB_DATASTORE only"
}
check_folder() {
    is "$(v "$W/fid.vm" folder)" "DC0/vm/k8s" "folder: fid-01 is in DC0/vm/k8s"
    is "$(v "$W/fidh.vm" folder)" "DC0/vm/k8s" "folder: fidh-01 too (bare name)"
}
check_networks() {
    is "$(cut -d' ' -f2,4- "$W/fid.nics" | tr '\n' ';')" \
        "VirtualE1000 dvs $dvs_uuid $pg_dv;VirtualVmxnet3 std $vm_network VM Network;" \
        "networks: fid-01's NICs are the two networks in order (distributed, standard)"
    is "$(cut -d' ' -f2,4- "$W/fidh.nics" | tr '\n' ';')" "VirtualE1000 std $vm_network VM Network;" \
        "networks: fidh-01's one NIC is re-backed to VM Network"
}
check_clone_from() {
    ok "clone_from: fid-01's disk is a child of the template's disk" \
        test "$(v "$W/fid.vm" 'disk\.0\.parent')" = "$tmpl_disk"
    is "$(v "$W/fidh.vm" template)" "false" "clone_from: fidh-01 is a VM, not a template"
}
check_clone_mode() {
    ok "clone_mode: linked: fid-01's disk has a parent" \
        test "$(v "$W/fid.vm" 'disk\.0\.parent')" != "-"
    is "$(v "$W/fidh.vm" 'disk\.0\.parent')" "-" "clone_mode: full: fidh-01's disk has none"
}
check_snapshot() {
    # "base" is the first snapshot, "later" the current one: the disk as of
    # base is the template's own file, as of later its -000001 delta.
    is "$(v "$W/fid.vm" 'disk\.0\.parent')" "$tmpl_disk" \
        "snapshot: fid-01 was cloned from snapshot base, not the current one"
}
check_cpus() {
    is "$(v "$W/fid.vm" cpus)" 3 "cpus: 3"
    is "$(v "$W/fidh.vm" cpus)" 1 "cpus: 1 on fidh-01"
}
check_memory_mib() {
    is "$(v "$W/fid.vm" memory_mib)" 3072 "memory_mib: 3072"
    is "$(v "$W/fidh.vm" memory_mib)" 1024 "memory_mib: 1024 on fidh-01"
}
check_disk_gib() {
    is "$(v "$W/fidh.vm" 'disk\.0\.kib')" $((2 * 1024 * 1024)) "disk_gib: fidh-01's disk is 2 GiB"
}
check_user_data() {
    local enc ud md
    enc=$(v "$W/fid.vm" 'extra\.guestinfo\.userdata\.encoding')
    ok "user_data: guestinfo.userdata.encoding is base64 or gzip+base64 ($enc)" \
        test "$enc" = base64 -o "$enc" = gzip+base64
    ud=$(decode "$W/fid.vm" 'guestinfo\.userdata')
    is "$(head -1 <<<"$ud")" "#cloud-config" "user_data: decodes to #cloud-config first"
    ok "user_data: the operator's write_files is in it" grep -q 'fidelity-marker-7' <<<"$ud"
    ok "user_data: and drover's login user with its key" grep -q 'fidop' <<<"$ud"
    md=$(decode "$W/fid.vm" 'guestinfo\.metadata')
    ok "user_data: guestinfo.metadata names the host" grep -qE '^local-hostname: "?fid-01"?$' <<<"$md"
    is "$(cat "$LAB_STATE/nodes/$(node_vm fid-01)/userdata" 2>/dev/null)" "$ud" \
        "user_data: the guest received exactly that"
}
check_extra_config() {
    is "$(v "$W/fid.vm" 'extra\.fidelity\.one')" "1" "extra_config: fidelity.one = 1"
    is "$(v "$W/fid.vm" 'extra\.fidelity\.two')" "two words" "extra_config: fidelity.two = two words"
}
check_tags() {
    ok "tags: fid-01 carries env/prod" grep -qx 'fid-01 tag env/prod' "$W/fid.labels"
    ok "tags: and team/platform" grep -qx 'fid-01 tag team/platform' "$W/fid.labels"
}
check_custom_attributes() {
    ok "custom_attributes: owner=fidelity" grep -qx 'fid-01 attr owner=fidelity' "$W/fid.labels"
    ok "custom_attributes: cost-center=cc-7" grep -qx 'fid-01 attr cost-center=cc-7' "$W/fid.labels"
}
check_ssh_user() {
    is "$(nodessh fidop fid-01 'id -un' 2>/dev/null)" "fidop" "ssh_user: the node lets in fidop"
    is "$(nodessh drover fidh-01 'id -un' 2>/dev/null)" "drover" "ssh_user: the default drover on fidh-01"
}
check_ssh_port() {
    local port=${LAB_SSH_PORT:-22}
    ok "ssh_port: fid-01 answers SSH on $port with the pinned key" \
        bash -c "ssh-keyscan -T 5 -p $port -t ed25519 $(node_ip fid-01) 2>/dev/null | grep -qF '$(awk '{print $2}' "$keys/fid-01_host_ed25519.pub")'"
}
check_os() {
    # os names the guest OS the clone source runs; preflight holds it
    # against what vCenter reports for the source (config.guestId: the lab's
    # template is ubuntu64Guest, "Ubuntu Linux (64-bit)").
    local pf os_lines
    pf=$("$DROVER" preflight -f "$spec" -o json 2>/dev/null)
    is "$(jq -r '[.findings[] | select(.field == "os")] | length' <<<"$pf")" 0 \
        "os: \"ubuntu-22.04\" agrees with the source's guest OS (no finding on os)"
    sed 's/^os = .*/os = "debian-12";/' "$T/fid.cfg" >"$T/fidos.cfg"
    os_lines=$(grep -n '^os = ' "$T/fidos.cfg" | cut -d: -f1)
    sed 's/template = "fid";/template = "fidos";/; s/template = "fidh";/template = "fidos";/' \
        "$spec" >"$W/specs/fidos.cfg"
    nok "os: preflight refuses os = \"debian-12\" for the Ubuntu source" \
        to "$W/fidos.out" "$DROVER" preflight -f "$W/specs/fidos.cfg"
    ok "os: naming os, its line, what vCenter reports and the fix" grep -qF \
        "templates/fidos.cfg:$os_lines: os: os is \"debian-12\", but vCenter reports the clone source's guest OS as Ubuntu Linux (64-bit) (ubuntu64Guest)" "$W/fidos.out"
    ok "os: the fix names the os the source runs" grep -qF 'set os to "ubuntu" if that is what it runs, or clone_from a debian-12 source' "$W/fidos.out"
    # A source whose guest OS vCenter does not know: a warning, not a pass.
    ok "os: the lab's template as \"other Linux\"" \
        to "$W/facts.out" bash "$LAB" facts --state "$LAB_STATE" "vm $LAB_TEMPLATE guest=otherLinux64Guest"
    "$DROVER" preflight -f "$W/specs/fidos.cfg" >"$W/fidos2.out" 2>&1
    ok "os: then it cannot be confirmed: a warning naming the guest OS" grep -qF \
        "warning template   templates/fidos.cfg:$os_lines: os: os \"debian-12\" cannot be confirmed: vCenter reports the clone source's guest OS as otherLinux64Guest" "$W/fidos2.out"
    ok "os: the template as Ubuntu again" \
        to "$W/facts.out" bash "$LAB" facts --state "$LAB_STATE" "vm $LAB_TEMPLATE guest=ubuntu64Guest"
    rm -f "$T/fidos.cfg"
}

is "$(jq -r '[.nodes[] | select(.state == "active")] | length' <<<"$status")" 2 \
    "both nodes are active"
fields=$("$FIELDS_BIN")
ok "the field table is not empty" test -n "$fields"
for f in $fields; do
    ok "$f is set by a fidelity template" grep -qE "^$f = " "$T/fid.cfg" "$T/fidh.cfg"
    if declare -F "check_$f" >/dev/null; then
        "check_$f"
    else
        tap_result 1 "$f: no checker in tests/integration/fidelity.t (every template field needs one)"
    fi
done

ok_out "delete the cluster" "$W/delete.out" "$DROVER" delete cluster fid --yes
is "$(owned_count)" 0 "no drover VM left"
done_testing
