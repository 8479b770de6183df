#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Tags and custom attributes (issue 9, field case A): a cluster applied
# through the engine ends with every VM carrying the template's tags and
# custom attribute values, read back from the outside (govmomi's REST
# tag-association list and the VM's customValue: drover-vcsim labels);
# a tag or attribute vCenter lacks refuses the apply before any clone, with
# every problem named by file:line and field; a tag made anew in vCenter
# during an apply (a new id) is looked up again and attached.
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

# vCenter changes under a running apply: the tag team/web is deleted and made
# again (a new id) after drover looked it up and before it attaches it (the
# lab holds the attach). drover looks its tags up again and the VM gets the
# tag by its new id.
cp "$W/lab.cfg.orig" "$T"
cat >>"$T" <<'EOF'
tags = [ "team/web" ];
EOF
(umask 077; printf 'user = "%s:%s"\n' "$LAB_USER" "$(cat "$LAB_PASSWORD_FILE")" >"$W/curl-login")
base=${LAB_URL%/sdk}
sid=$(curl -s --cacert "$LAB_CERT" -K "$W/curl-login" -X POST "$base/rest/com/vmware/cis/session" |
    jq -r .value)
(umask 077; printf 'header = "vmware-api-session-id: %s"\n' "$sid" >"$W/curl-session")
api() { curl -s --cacert "$LAB_CERT" -K "$W/curl-session" -H 'Content-Type: application/json' "$@"; }
tag_id() { # tag_id CATEGORY NAME: the tag's id, read through vAPI
    local id t cat
    cat=$(for id in $(api "$base/rest/com/vmware/cis/tagging/category" | jq -r '.value[]'); do
        api "$base/rest/com/vmware/cis/tagging/category/id:$id" |
            jq -r --arg n "$1" 'select(.value.name == $n) | .value.id'
    done)
    for id in $(api "$base/rest/com/vmware/cis/tagging/tag" | jq -r '.value[]'); do
        t=$(api "$base/rest/com/vmware/cis/tagging/tag/id:$id")
        jq -e --arg n "$2" --arg c "$cat" '.value.name == $n and .value.category_id == $c' \
            <<<"$t" >/dev/null && echo "$id"
    done
}
old=$(tag_id team web)
ok "the lab has team/web" test -n "$old"
touch "$LAB_STATE/hold-tag-attach"
spec1=$(cluster_cfg 1 0)
"$DROVER" apply -f "$spec1" >"$out" 2>&1 &
apply_pid=$!
bg_pids+=("$apply_pid")
ok "drover reaches the tag attach" wait_for 120 grep -q 'holding tag attach' "$LAB_STATE/vcsim.log"
cat_id=$(api "$base/rest/com/vmware/cis/tagging/tag/id:$old" | jq -r .value.category_id)
api -X DELETE "$base/rest/com/vmware/cis/tagging/tag/id:$old" >/dev/null
api -X POST "$base/rest/com/vmware/cis/tagging/tag" \
    -d "$(jq -n --arg c "$cat_id" '{create_spec: {name: "web", category_id: $c, description: ""}}')" \
    >/dev/null
new=$(tag_id team web)
ok "team/web was made again with another id" test -n "$new" -a "$new" != "$old"
rm -f "$LAB_STATE/hold-tag-attach"
wait "$apply_pid"
is "$?" 0 "the apply ends active"
show "$(tail -5 "$out")"
is "$(labels server-01 | grep ' tag ')" "server-01 tag team/web" "the VM carries team/web"
ok "the node log says the tags were looked up again" \
    grep -q "looking the template's tags and custom attributes up again" \
    "$STATE/logs/lab-cluster/server-01.log"
api -X DELETE "$base/rest/com/vmware/cis/session" >/dev/null
done_testing
