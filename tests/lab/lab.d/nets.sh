# lab module: networks like an operator's vCenter (tests/lab/vcsim/nets.go).
#  - `lab net [--state DIR] CMD ARGS` adds to a running lab, through the
#    vSphere API: `folder PATH` (a network folder), `pg NAME` (a standard
#    port group on every host), `dvs FOLDER NAME` (a distributed switch in a
#    network folder, every host a member), `dvpg DVS-PATH NAME` (a
#    distributed port group), `ds NAME DIR HOST-PATH` (a local datastore),
#    `snapshot VM-NAME NAME`; `nics VM-NAME` prints a VM's NICs and their
#    backings, `find PATH` the object at an inventory path;
#  - `lab vm [--state DIR] VM-NAME` prints a VM as tools see it (placement,
#    hardware, disks and their parents, extraConfig; vcsim/vminfo.go);
#  - `lab up --opaque-network NAME[=ID][,...]` starts the simulator with NSX
#    opaque networks in DC0's network folder.
# Names with a '/' are stored as vCenter stores them: %2f.
# shellcheck shell=bash

export LAB_OPAQUE_NETWORKS=${LAB_OPAQUE_NETWORKS:-}
module_opts[--opaque-network]=LAB_OPAQUE_NETWORKS
module_cmds[net]=lab_net
module_cmds[vm]=lab_vm
usage_extra+="
  lab up ... [--opaque-network NAME[=ID],...]   NSX opaque networks in DC0
  lab net [--state DIR] folder PATH | pg NAME | dvs FOLDER NAME | dvpg DVS-PATH NAME
                            | ds NAME DIR HOST-PATH | snapshot VM NAME | nics VM-NAME | find PATH
  lab vm [--state DIR] VM-NAME   a VM as tools see it, key=value lines"

lab_net() {
    local vcsim
    vcsim=$(find_vcsim) || die "the simulator is not built"
    "$vcsim" net -url "$LAB_URL" -user "$LAB_USER" -password-file "$LAB_PASSWORD_FILE" \
        -ca "$LAB_CERT" "$@"
}

lab_vm() {
    local vcsim
    vcsim=$(find_vcsim) || die "the simulator is not built"
    "$vcsim" vm -url "$LAB_URL" -user "$LAB_USER" -password-file "$LAB_PASSWORD_FILE" \
        -ca "$LAB_CERT" "$@"
}
