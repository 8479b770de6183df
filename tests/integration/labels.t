#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Tags and custom attributes (issue 9, field case A): a cluster applied
# through the engine ends with every VM carrying the template's tags and
# custom attribute values, read back from the outside (govmomi's REST
# tag-association list and the VM's customValue: drover-vcsim labels);
# a tag or attribute vCenter lacks refuses the apply before any clone, with
# every problem named by file:line and field.
. "${top_srcdir:?}/tests/integration/engine-lib.sh"
eng_setup
T=$W/config/drover/templates/lab.cfg
cp "$T" "$W/lab.cfg.orig"
labels() { (set -a; . "$LAB_STATE/env"; "$(lab_vcsim)" labels "$@"); }
out=$W/apply.out

# Every spelling: category/name, a bare name that is in one category only,
# and a '/' inside a category's name written as vCenter escapes it (%2f).
cat >>"$T" <<'EOF'
tags = [ "env/prod", "platform",
         "site%2feu/fra" ];
custom_attributes = ( { key = "owner"; value = "team k8s"; },
                      { key = "cost-center"; value = "cc-42"; } );
EOF
ok "drover validate accepts the template" "$DROVER" validate
spec=$(cluster_cfg 1 1)
ok_out "apply a 2-node cluster with tags and custom attributes" "$out" "$DROVER" apply -f "$spec"
is "$(nodes_in active)" 2 "both nodes active"
for n in server-01 agent-01; do
    is "$(labels "$n" | tr '\n' ';')" \
        "$n attr cost-center=cc-42;$n attr owner=team k8s;$n tag env/prod;$n tag site/eu/fra;$n tag team/platform;" \
        "$n carries the 3 tags and both custom attribute values (REST and customValue)"
done
log=$STATE/logs/lab-cluster/server-01.log
ok "the node log says what was tagged" grep -q 'tagged vm-[0-9]* with env/prod' "$log"
ok "the node log names each custom attribute" grep -q 'custom attribute owner on vm-' "$log"
ok_out "delete the cluster" "$out" "$DROVER" delete cluster lab-cluster --yes
is "$(owned_count)" 0 "no VM left"

# Tags and attributes vCenter lacks, or that cannot go on a VM: refused
# before any clone, all problems at once.
cp "$W/lab.cfg.orig" "$T"
cat >>"$T" <<'EOF'
tags = [ "env/prod",
         "nosuch/x",
         "prod",
         "rack/r1",
         "env/dev",
         "nowhere" ];
custom_attributes = ( { key = "owner"; value = "a"; },
                      { key = "no-such-field"; value = "b"; },
                      { key = "rack-position"; value = "c"; } );
EOF
line_of() { grep -n -F -- "$1" "$T" | head -1 | cut -d: -f1; }
nok "apply refuses the cluster" to "$out" "$DROVER" apply -f "$spec"
show "$(cat "$out")"
f=templates/lab.cfg
has() { grep -q -F -- "$1" "$out"; }
ok "names the tag in a category that does not exist (file:line: tags[1])" \
    has "$f:$(line_of '"nosuch/x"'): tags[1]: no tag \"nosuch/x\" in vCenter lab"
ok "names the ambiguous bare tag and every match (tags[2])" \
    has "$f:$(line_of '"prod",'): tags[2]: tag \"prod\" is in more than one category of vCenter lab (env/prod, tier/prod)"
ok "names a tag whose category is not for VMs (tags[3])" \
    has "$f:$(line_of '"rack/r1"'): tags[3]: rack/r1: tags of category rack cannot be attached to VMs"
ok "names a second tag of a SINGLE category (tags[4])" \
    has "$f:$(line_of '"env/dev"'): tags[4]: env/dev: category env takes one tag per VM"
ok "names a bare tag that exists nowhere (tags[5])" \
    has "$f:$(line_of '"nowhere"'): tags[5]: no tag \"nowhere\" in any tag category of vCenter lab"
ok "names the custom attribute that does not exist" \
    has "$f:$(line_of 'no-such-field'): custom_attributes[1].key: no custom attribute \"no-such-field\" in vCenter lab"
ok "names the custom attribute that is for hosts" \
    has "$f:$(line_of 'rack-position'): custom_attributes[2].key: custom attribute \"rack-position\" of vCenter lab is for HostSystem objects"
nok "the good ones are not reported" grep -q -e 'tags\[0\]' -e 'custom_attributes\[0\]' "$out"
is "$(owned_count)" 0 "zero VMs were created"
done_testing
